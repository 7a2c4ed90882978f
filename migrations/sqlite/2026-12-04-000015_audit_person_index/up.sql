-- Who saw a person's data (docs/privacy.md): every event that names the person, found by the person's id in one
-- index range instead of a scan of person_ids. Written by the audit writer in the same transaction as its events;
-- append-only like them.
CREATE TABLE audit_event_persons (
    person_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    event_row BIGINT NOT NULL,
    PRIMARY KEY (person_id, occurred_at, event_row)
) WITHOUT ROWID;
CREATE TRIGGER audit_event_persons_no_update BEFORE UPDATE ON audit_event_persons
BEGIN
    SELECT RAISE(ABORT, 'audit_event_persons is append-only');
END;
CREATE TRIGGER audit_event_persons_no_delete BEFORE DELETE ON audit_event_persons
BEGIN
    SELECT RAISE(ABORT, 'audit_event_persons is append-only');
END;
-- The events written so far: person_ids is ',id,id,'.
WITH RECURSIVE split (person_id, rest, occurred_at, event_row) AS (
    SELECT '', substr(person_ids, 2), occurred_at, id FROM audit_events WHERE person_ids IS NOT NULL
    UNION ALL
    SELECT substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1), occurred_at, event_row
    FROM split WHERE rest <> ''
)
INSERT OR IGNORE INTO audit_event_persons (person_id, occurred_at, event_row)
    SELECT person_id, occurred_at, event_row FROM split WHERE person_id <> '';
-- The events on a person's household (the overview's other way in, with the case).
CREATE INDEX audit_events_household ON audit_events (household_id, id);
