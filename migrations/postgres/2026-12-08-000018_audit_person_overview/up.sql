-- The person overview (docs/privacy.md) reads what it shows of an access from the person index itself: the
-- index's leaf pages hold it (INCLUDE), so that 100,000 accesses of one person are one index-only range instead of
-- 100,000 heap fetches scattered over the whole log. The audit writer fills these in the same transaction as the
-- event; the chained event stays the record, this is its copy for reading.
ALTER TABLE audit_event_persons
    ADD COLUMN allowed BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN user_name TEXT,
    ADD COLUMN role TEXT,
    ADD COLUMN organisation_id TEXT,
    ADD COLUMN action TEXT NOT NULL DEFAULT '',
    ADD COLUMN resource_type TEXT NOT NULL DEFAULT '',
    ADD COLUMN basis TEXT,
    ADD COLUMN basis_id TEXT,
    ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE audit_event_persons DISABLE TRIGGER audit_event_persons_no_update;
UPDATE audit_event_persons p
    SET allowed = (e.outcome = 'allowed'), user_name = e.user_name, role = e.role,
        organisation_id = e.organisation_id, action = e.action, resource_type = e.resource_type, basis = e.basis,
        basis_id = e.basis_id, flagged = e.flagged
    FROM audit_events e WHERE e.id = p.event_row;
ALTER TABLE audit_event_persons ENABLE TRIGGER audit_event_persons_no_update;
ALTER TABLE audit_event_persons ALTER COLUMN action DROP DEFAULT, ALTER COLUMN resource_type DROP DEFAULT;
ALTER TABLE audit_event_persons DROP CONSTRAINT audit_event_persons_pkey;
ALTER TABLE audit_event_persons ADD PRIMARY KEY (person_id, occurred_at, event_row)
    INCLUDE (allowed, user_name, role, organisation_id, action, resource_type, basis, basis_id, flagged);
