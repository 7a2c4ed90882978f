-- The escalation ladder (DESIGN §5): 1 the owning team's teamleider, 2 a procescoördinator, 3 doorzettingsmacht,
-- each with a respond-by date (working days, policies/rules.toml). Raised by hand (`manual`, with a reason) or by
-- the ladder job when a stuck reason has held long enough (`rule`, with its reason code). Adoption and the
-- outcome's counts are computed from the involvements, never typed.
CREATE TABLE escalations (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('manual', 'rule')),
    trigger_code TEXT,
    reason TEXT,
    raised_by TEXT REFERENCES users (id),
    raised_at TIMESTAMP NOT NULL,
    level_since TIMESTAMP NOT NULL,
    respond_by DATE NOT NULL,
    responded_at TIMESTAMP,
    responded_by TEXT REFERENCES users (id),
    adopted_by TEXT REFERENCES users (id),
    adopted_at TIMESTAMP,
    involvement_id TEXT REFERENCES involvements (id),
    organisations_at_adoption BIGINT,
    professionals_at_adoption BIGINT,
    closed_at TIMESTAMP,
    closed_by TEXT REFERENCES users (id),
    perspective_regained BOOLEAN,
    organisations_at_close BIGINT,
    professionals_at_close BIGINT,
    outcome_note TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK (trigger_kind = 'manual' OR trigger_code IS NOT NULL),
    CHECK (status = 'open' OR closed_at IS NOT NULL)
);
-- At most one open escalation per case.
CREATE UNIQUE INDEX escalations_one_open_per_case ON escalations (case_id) WHERE status = 'open';
-- The ladder job walks the open ones by their deadline; lists filter by level.
CREATE INDEX escalations_open_by_respond_by ON escalations (respond_by) WHERE status = 'open';
CREATE INDEX escalations_by_status_level ON escalations (status, level, raised_at);

-- What happened on an escalation, in order. `holder`: who holds doorzettingsmacht (decisions).
CREATE TABLE escalation_steps (
    id TEXT PRIMARY KEY,
    escalation_id TEXT NOT NULL REFERENCES escalations (id),
    kind TEXT NOT NULL CHECK (kind IN ('raised', 'risen', 'responded', 'adopted', 'convened', 'agreement',
                                       'decision', 'closed')),
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    at TIMESTAMP NOT NULL,
    by_user TEXT REFERENCES users (id),
    text TEXT,
    holder TEXT
);
CREATE INDEX escalation_steps_by_escalation ON escalation_steps (escalation_id, at, id);
