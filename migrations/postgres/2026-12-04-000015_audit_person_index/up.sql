-- Who saw a person's data (docs/privacy.md): every event that names the person, found by the person's id in one
-- index range instead of a scan of person_ids. Written by the audit writer in the same transaction as its events;
-- append-only like them.
CREATE TABLE audit_event_persons (
    person_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    event_row BIGINT NOT NULL,
    PRIMARY KEY (person_id, occurred_at, event_row)
);
CREATE FUNCTION audit_event_persons_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event_persons is append-only';
END;
$$;
CREATE TRIGGER audit_event_persons_no_change BEFORE UPDATE OR DELETE ON audit_event_persons
    FOR EACH ROW EXECUTE FUNCTION audit_event_persons_append_only();
CREATE TRIGGER audit_event_persons_no_truncate BEFORE TRUNCATE ON audit_event_persons
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_persons_append_only();
-- The events written so far: person_ids is ',id,id,'.
INSERT INTO audit_event_persons (person_id, occurred_at, event_row)
    SELECT DISTINCT p, occurred_at, id
    FROM audit_events, unnest(string_to_array(trim(BOTH ',' FROM person_ids), ',')) AS p
    WHERE person_ids IS NOT NULL AND p <> '';
-- The events on a person's household (the overview's other way in, with the case).
CREATE INDEX audit_events_household ON audit_events (household_id, id);
