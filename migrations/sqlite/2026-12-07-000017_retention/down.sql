DROP TRIGGER plan_versions_no_delete;
CREATE TRIGGER plan_versions_no_delete BEFORE DELETE ON plan_versions
BEGIN
    SELECT RAISE(ABORT, 'plan versions are kept');
END;
DROP TRIGGER audit_event_persons_no_delete;
CREATE TRIGGER audit_event_persons_no_delete BEFORE DELETE ON audit_event_persons
BEGIN
    SELECT RAISE(ABORT, 'audit_event_persons is append-only');
END;
DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
DROP TABLE audit_checkpoints;
DROP TABLE retention_runs;
DROP TABLE erasure_requests;
DROP TABLE legal_holds;
