-- What each participant will do after an evaluation ("wat ieder gaat doen"), in the order they were agreed.
-- `who_*` names one of the evaluation's participants, as its participants list does (member: person, professional:
-- user, network: name).
CREATE TABLE evaluation_agreements (
    evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
    position INTEGER NOT NULL CHECK (position >= 0),
    who_kind TEXT NOT NULL CHECK (who_kind IN ('member', 'professional', 'network')),
    who_person_id TEXT,
    who_user_id TEXT,
    who_organisation_id TEXT,
    who_name TEXT,
    what TEXT NOT NULL CHECK (length(what) BETWEEN 1 AND 500),
    PRIMARY KEY (evaluation_id, position)
);
