-- Retention (docs/privacy.md): legal holds on closed cases, erasure requests (AVG art. 17), the record of each
-- retention run, and the audit log's checkpoints: where a pruned chain continues and the hash it continues from.

CREATE TABLE legal_holds (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL REFERENCES users (id),
    placed_at TIMESTAMP NOT NULL,
    lifted_by TEXT REFERENCES users (id),
    lifted_at TIMESTAMP,
    lift_reason TEXT,
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
);
CREATE INDEX legal_holds_case ON legal_holds (case_id);

CREATE TABLE erasure_requests (
    id TEXT PRIMARY KEY,
    -- No reference: once carried out, the person is gone and the request is what remains.
    person_id TEXT NOT NULL,
    received_on DATE NOT NULL,
    requested_by TEXT NOT NULL CHECK (requested_by IN ('person', 'parent', 'representative')),
    status TEXT NOT NULL CHECK (status IN ('received', 'carried_out', 'refused')),
    decision_reason TEXT,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    CHECK ((status = 'received') = (decided_at IS NULL)),
    CHECK (status <> 'refused' OR decision_reason IS NOT NULL)
);
CREATE INDEX erasure_requests_person ON erasure_requests (person_id);

CREATE TABLE retention_runs (
    id TEXT PRIMARY KEY,
    ran_at TIMESTAMP NOT NULL,
    ran_by TEXT REFERENCES users (id),
    cases INTEGER NOT NULL,
    households INTEGER NOT NULL,
    persons INTEGER NOT NULL,
    held INTEGER NOT NULL,
    audit_events BIGINT NOT NULL,
    chains INTEGER NOT NULL
);

CREATE TABLE audit_checkpoints (
    chain_id TEXT PRIMARY KEY,
    through_seq BIGINT NOT NULL,
    through_hash TEXT NOT NULL,
    pruned_events BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TRIGGER audit_checkpoints_forward BEFORE UPDATE ON audit_checkpoints
WHEN NEW.chain_id IS NOT OLD.chain_id OR NEW.through_seq <= OLD.through_seq
BEGIN
    SELECT RAISE(ABORT, 'an audit checkpoint only moves forward');
END;
CREATE TRIGGER audit_checkpoints_kept BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are kept');
END;

-- The one sanctioned way to remove audit events: retention pruning, of events older than five years (the legal
-- minimum, whatever the configured term) that a checkpoint already covers. Anything else is still refused.
DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN OLD.occurred_at >= datetime('now', '-5 years')
    OR NOT EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.chain_id = OLD.chain_id AND OLD.chain_seq <= c.through_seq)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
DROP TRIGGER audit_event_persons_no_delete;
CREATE TRIGGER audit_event_persons_no_delete BEFORE DELETE ON audit_event_persons
WHEN OLD.occurred_at >= datetime('now', '-5 years')
    OR NOT EXISTS (SELECT 1 FROM audit_events e JOIN audit_checkpoints c ON c.chain_id = e.chain_id
                   WHERE e.id = OLD.event_row AND e.chain_seq <= c.through_seq)
BEGIN
    SELECT RAISE(ABORT, 'audit_event_persons is append-only');
END;

-- Plan versions are kept while their case is; retention erases a closed case's versions with it.
DROP TRIGGER plan_versions_no_delete;
CREATE TRIGGER plan_versions_no_delete BEFORE DELETE ON plan_versions
WHEN (SELECT state FROM cases WHERE id = OLD.case_id) IS NOT 'closed'
BEGIN
    SELECT RAISE(ABORT, 'plan versions are kept');
END;
