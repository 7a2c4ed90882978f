-- The person overview (docs/privacy.md) reads what it shows of an access from the person index itself (a WITHOUT
-- ROWID table: its rows are its primary key's B-tree), so that one person's accesses are one range, not a lookup
-- of each event. The audit writer fills these in the same transaction as the event; the chained event stays the
-- record, this is its copy for reading.
ALTER TABLE audit_event_persons ADD COLUMN allowed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE audit_event_persons ADD COLUMN user_name TEXT;
ALTER TABLE audit_event_persons ADD COLUMN role TEXT;
ALTER TABLE audit_event_persons ADD COLUMN organisation_id TEXT;
ALTER TABLE audit_event_persons ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_event_persons ADD COLUMN resource_type TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_event_persons ADD COLUMN basis TEXT;
ALTER TABLE audit_event_persons ADD COLUMN basis_id TEXT;
ALTER TABLE audit_event_persons ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT FALSE;
DROP TRIGGER audit_event_persons_no_update;
UPDATE audit_event_persons
    SET allowed = (e.outcome = 'allowed'), user_name = e.user_name, role = e.role,
        organisation_id = e.organisation_id, action = e.action, resource_type = e.resource_type, basis = e.basis,
        basis_id = e.basis_id, flagged = e.flagged
    FROM audit_events e WHERE e.id = audit_event_persons.event_row;
CREATE TRIGGER audit_event_persons_no_update BEFORE UPDATE ON audit_event_persons
BEGIN
    SELECT RAISE(ABORT, 'audit_event_persons is append-only');
END;
