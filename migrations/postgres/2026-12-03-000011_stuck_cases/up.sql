-- Cases whose stuck reasons must be computed again. Marked in the transaction of every audited change to a case
-- (audit::writer), so no change is missed; cleared by whoever recomputes them (the queue's read, the scan).
CREATE TABLE case_changes (
    -- No foreign key: marking never fails a change.
    case_id TEXT PRIMARY KEY,
    changed_at TIMESTAMP NOT NULL
);

-- The open cases for which at least one stuck rule holds (policies/rules.toml), with what the queue shows:
-- team, wijk and counts only. `reasons`: JSON [{code, since, weight, figure}].
CREATE TABLE stuck_cases (
    case_id TEXT PRIMARY KEY REFERENCES cases (id),
    team_id TEXT NOT NULL REFERENCES teams (id),
    wijk TEXT NOT NULL,
    score BIGINT NOT NULL CHECK (score > 0),
    since DATE NOT NULL,
    organisations BIGINT NOT NULL,
    professionals BIGINT NOT NULL,
    reasons TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
-- The queue reads these in score order, whole or for one team or wijk: one index walk each.
CREATE INDEX stuck_cases_by_score ON stuck_cases (score DESC, since, case_id);
CREATE INDEX stuck_cases_by_team ON stuck_cases (team_id, score DESC, since, case_id);
CREATE INDEX stuck_cases_by_wijk ON stuck_cases (wijk, score DESC, since, case_id);

-- One row per reason of a stuck case, for the filter by reason and the counts per reason.
CREATE TABLE stuck_reasons (
    code TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES stuck_cases (case_id) ON DELETE CASCADE,
    since DATE NOT NULL,
    PRIMARY KEY (code, case_id)
);
CREATE INDEX stuck_reasons_by_case ON stuck_reasons (case_id);

-- Jobs that run once a day on one node: the node that moves `last_run_on` to today runs it.
CREATE TABLE daily_jobs (
    name TEXT PRIMARY KEY,
    last_run_on DATE NOT NULL
);
