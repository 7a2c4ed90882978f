-- Break-glass (acute bemoeizorg, issue 5): time-boxed read access outside one's scope, reviewed by privacy officers.
CREATE TABLE break_glass (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    reason TEXT NOT NULL CHECK (reason IN ('acute_danger_child', 'acute_danger_adult', 'acute_care_avoidance', 'other')),
    justification TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    reviewed_at TIMESTAMP,
    reviewed_by TEXT REFERENCES users (id),
    judgement TEXT CHECK (judgement IN ('justified', 'not_justified')),
    review_note TEXT,
    CHECK (expires_at > started_at),
    CHECK ((reviewed_at IS NULL) = (judgement IS NULL))
);
CREATE INDEX break_glass_user ON break_glass (user_id, expires_at);
CREATE INDEX break_glass_unreviewed ON break_glass (reviewed_at, started_at);

-- Notifications waiting to be sent (issue 6 delivers them over SMTP). Written in the same transaction as the event
-- that causes them; the payload holds ids only, never personal data.
CREATE TABLE outbox (
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
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
