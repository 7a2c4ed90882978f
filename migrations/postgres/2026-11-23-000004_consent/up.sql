-- Consent and statutory bases (issue 5): what lets professionals outside the case's team see case data.
-- Recipients, categories and givers are small JSON arrays; the access check reads them per case.
CREATE TABLE consents (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('consent', 'statutory')),
    givers TEXT NOT NULL,
    legal_ground TEXT,
    holder_organisation_id TEXT REFERENCES organisations (id),
    recipients TEXT NOT NULL,
    categories TEXT NOT NULL,
    purpose TEXT NOT NULL,
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    withdrawn_by TEXT REFERENCES users (id),
    withdrawal_note TEXT,
    CHECK (valid_until >= valid_from),
    CHECK ((kind = 'statutory') = (legal_ground IS NOT NULL))
);
CREATE INDEX consents_case ON consents (case_id);
CREATE INDEX consents_person ON consents (person_id);
