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
CREATE FUNCTION audit_checkpoints_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'audit checkpoints are kept';
    END IF;
    IF NEW.chain_id IS DISTINCT FROM OLD.chain_id OR NEW.through_seq <= OLD.through_seq THEN
        RAISE EXCEPTION 'an audit checkpoint only moves forward';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_checkpoints_forward BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_guard();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_guard();

-- The one sanctioned way to remove audit events: retention pruning, of events older than five years (the legal
-- minimum, whatever the configured term) that a checkpoint already covers. Anything else is still refused; UPDATE
-- and TRUNCATE always are.
CREATE FUNCTION audit_events_prune_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.occurred_at >= (now() AT TIME ZONE 'UTC') - interval '5 years'
        OR NOT EXISTS (SELECT 1 FROM audit_checkpoints c
                       WHERE c.chain_id = OLD.chain_id AND OLD.chain_seq <= c.through_seq) THEN
        RAISE EXCEPTION 'audit_events is append-only';
    END IF;
    RETURN OLD;
END;
$$;
DROP TRIGGER audit_events_no_update_delete ON audit_events;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_prune_only BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_prune_guard();

CREATE FUNCTION audit_event_persons_prune_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.occurred_at >= (now() AT TIME ZONE 'UTC') - interval '5 years'
        OR NOT EXISTS (SELECT 1 FROM audit_events e JOIN audit_checkpoints c ON c.chain_id = e.chain_id
                       WHERE e.id = OLD.event_row AND e.chain_seq <= c.through_seq) THEN
        RAISE EXCEPTION 'audit_event_persons is append-only';
    END IF;
    RETURN OLD;
END;
$$;
DROP TRIGGER audit_event_persons_no_change ON audit_event_persons;
CREATE TRIGGER audit_event_persons_no_update BEFORE UPDATE ON audit_event_persons
    FOR EACH ROW EXECUTE FUNCTION audit_event_persons_append_only();
CREATE TRIGGER audit_event_persons_prune_only BEFORE DELETE ON audit_event_persons
    FOR EACH ROW EXECUTE FUNCTION audit_event_persons_prune_guard();

-- Plan versions are kept while their case is; retention erases a closed case's versions with it.
CREATE OR REPLACE FUNCTION plan_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF (SELECT state FROM cases WHERE id = OLD.case_id) IS DISTINCT FROM 'closed' THEN
            RAISE EXCEPTION 'plan versions are kept';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (NEW.content IS DISTINCT FROM OLD.content
        OR NEW.agreement IS DISTINCT FROM OLD.agreement OR NEW.agreed_at IS DISTINCT FROM OLD.agreed_at
        OR NOT (OLD.status = 'agreed' AND NEW.status = 'superseded')) THEN
        RAISE EXCEPTION 'an agreed plan version is immutable';
    END IF;
    RETURN NEW;
END;
$$;
