CREATE TABLE outbox_old (
    id TEXT PRIMARY KEY NOT NULL,
    recipient_user_id TEXT NOT NULL REFERENCES users (id),
    template TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
INSERT INTO outbox_old SELECT id, recipient_user_id, template, payload,
    CASE status WHEN 'skipped' THEN 'failed' ELSE status END, attempts, next_attempt_at, last_error, created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
