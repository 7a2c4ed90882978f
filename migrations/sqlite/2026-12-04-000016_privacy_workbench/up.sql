-- The privacy officer's workbench (docs/privacy.md): log reviews, and suspicious-access findings with the events
-- each is about and its judgement.
CREATE TABLE log_reviews (
    id TEXT PRIMARY KEY,
    reviewer_id TEXT NOT NULL REFERENCES users (id),
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    method TEXT NOT NULL,
    sample TEXT NOT NULL,
    findings TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    CHECK (period_from <= period_to)
);
CREATE INDEX log_reviews_recent ON log_reviews (recorded_at);

CREATE TABLE access_findings (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    -- One finding per kind, user and Dutch day (or per break-glass use): a second scan finds it again, not twice.
    fingerprint TEXT NOT NULL UNIQUE,
    user_id TEXT REFERENCES users (id),
    day DATE NOT NULL,
    figure BIGINT NOT NULL,
    threshold BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'judged', 'closed')),
    assigned_to TEXT REFERENCES users (id),
    judgement TEXT CHECK (judgement IN ('justified', 'not_justified', 'needs_follow_up')),
    judgement_note TEXT,
    judged_by TEXT REFERENCES users (id),
    judged_at TIMESTAMP,
    closed_by TEXT REFERENCES users (id),
    closed_at TIMESTAMP,
    found_at TIMESTAMP NOT NULL,
    CHECK (status NOT IN ('judged', 'closed') OR judgement IS NOT NULL)
);
CREATE INDEX access_findings_by_status ON access_findings (status, day);

CREATE TABLE access_finding_events (
    finding_id TEXT NOT NULL REFERENCES access_findings (id),
    event_row BIGINT NOT NULL,
    PRIMARY KEY (finding_id, event_row)
);
