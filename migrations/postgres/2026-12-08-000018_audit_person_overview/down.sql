ALTER TABLE audit_event_persons DROP CONSTRAINT audit_event_persons_pkey;
ALTER TABLE audit_event_persons ADD PRIMARY KEY (person_id, occurred_at, event_row);
ALTER TABLE audit_event_persons
    DROP COLUMN allowed, DROP COLUMN user_name, DROP COLUMN role, DROP COLUMN organisation_id, DROP COLUMN action,
    DROP COLUMN resource_type, DROP COLUMN basis, DROP COLUMN basis_id, DROP COLUMN flagged;
