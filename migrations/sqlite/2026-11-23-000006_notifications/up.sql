-- Delivery over SMTP: a message for a deactivated user is 'skipped' (never sent); 'sending' rows carry a lease
-- (next_attempt_at) after which another worker may take them again. SQLite cannot alter a CHECK: rebuild the table,
-- keeping every queued message.
CREATE TABLE outbox_new (
    id TEXT PRIMARY KEY NOT NULL,
    recipient_user_id TEXT NOT NULL REFERENCES users (id),
    template TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
INSERT INTO outbox_new SELECT id, recipient_user_id, template, payload, status, attempts, next_attempt_at, last_error,
    created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
