CREATE OR REPLACE FUNCTION plan_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'plan versions are kept';
    END IF;
    IF OLD.status <> 'draft' AND (NEW.content IS DISTINCT FROM OLD.content
        OR NEW.agreement IS DISTINCT FROM OLD.agreement OR NEW.agreed_at IS DISTINCT FROM OLD.agreed_at
        OR NOT (OLD.status = 'agreed' AND NEW.status = 'superseded')) THEN
        RAISE EXCEPTION 'an agreed plan version is immutable';
    END IF;
    RETURN NEW;
END;
$$;
DROP TRIGGER audit_event_persons_prune_only ON audit_event_persons;
DROP TRIGGER audit_event_persons_no_update ON audit_event_persons;
DROP FUNCTION audit_event_persons_prune_guard();
CREATE TRIGGER audit_event_persons_no_change BEFORE UPDATE OR DELETE ON audit_event_persons
    FOR EACH ROW EXECUTE FUNCTION audit_event_persons_append_only();
DROP TRIGGER audit_events_prune_only ON audit_events;
DROP TRIGGER audit_events_no_update ON audit_events;
DROP FUNCTION audit_events_prune_guard();
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
DROP TABLE audit_checkpoints;
DROP FUNCTION audit_checkpoints_guard();
DROP TABLE retention_runs;
DROP TABLE erasure_requests;
DROP TABLE legal_holds;
