-- Two registers the suspicious-access scan reads (docs/privacy.md). An employee's own household, registered by the
-- administrator at the employee's request (opt-in): an address, a surname, or both; access by that employee to a
-- household at the address or with a member of that surname is a finding. A person needing extra protection (a
-- well-known person, a colleague), registered by a privacy officer: every access to their data is a finding.
-- Ending an entry keeps it (the scan of an earlier day reads the registers as they were that day).
CREATE TABLE staff_own_households (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    postcode TEXT,
    house_number INTEGER,
    house_number_addition TEXT,
    surname TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    ended_by TEXT,
    ended_at TIMESTAMP,
    CHECK (surname IS NOT NULL OR (postcode IS NOT NULL AND house_number IS NOT NULL)),
    CHECK ((postcode IS NULL) = (house_number IS NULL))
);
CREATE INDEX staff_own_households_user ON staff_own_households (user_id, recorded_at);

CREATE TABLE protected_persons (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    reason TEXT NOT NULL CHECK (reason IN ('well_known', 'colleague', 'other')),
    note TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    ended_by TEXT,
    ended_at TIMESTAMP
);
CREATE INDEX protected_persons_person ON protected_persons (person_id, recorded_at);
-- One protection in force per person.
CREATE UNIQUE INDEX protected_persons_in_force ON protected_persons (person_id) WHERE ended_at IS NULL;
