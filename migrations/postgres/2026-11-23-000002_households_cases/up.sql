-- Persons, households and cases (issue 3). The invariants of "1 gezin, 1 plan, 1 regisseur" are enforced here
-- as well as in code: partial unique indexes, identical on SQLite and PostgreSQL.

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    -- AES-256-GCM (nonce || ciphertext) and the keyed lookup hash; never the BSN itself.
    bsn_encrypted BYTEA,
    bsn_hash TEXT UNIQUE,
    deceased_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE parent_child (
    parent_id TEXT NOT NULL REFERENCES persons (id),
    child_id TEXT NOT NULL REFERENCES persons (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (parent_id, child_id),
    CHECK (parent_id <> child_id)
);
CREATE INDEX parent_child_child ON parent_child (child_id);

CREATE TABLE households (
    id TEXT PRIMARY KEY NOT NULL,
    postcode TEXT NOT NULL,
    house_number INTEGER NOT NULL,
    house_number_addition TEXT,
    -- Care homes, shelters, youth institutions: never a basis for an address match.
    institutional_address BOOLEAN NOT NULL,
    wijk TEXT NOT NULL,
    team_id TEXT NOT NULL REFERENCES teams (id),
    confidentiality TEXT NOT NULL CHECK (confidentiality IN ('normal', 'high')),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX households_address ON households (postcode, house_number);
CREATE INDEX households_team ON households (team_id);

-- `until_date` is the first day the person no longer belongs (exclusive).
CREATE TABLE household_members (
    id TEXT PRIMARY KEY NOT NULL,
    household_id TEXT NOT NULL REFERENCES households (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    relation TEXT NOT NULL CHECK (relation IN ('parent', 'child', 'partner', 'carer', 'other')),
    custody BOOLEAN NOT NULL,
    from_date DATE NOT NULL,
    until_date DATE,
    created_at TIMESTAMP NOT NULL,
    CHECK (until_date IS NULL OR until_date > from_date)
);
CREATE INDEX household_members_household ON household_members (household_id);
CREATE INDEX household_members_person ON household_members (person_id);
-- A person is in one household at a time: at most one open-ended membership.
CREATE UNIQUE INDEX household_members_one_current ON household_members (person_id) WHERE until_date IS NULL;

CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    household_id TEXT NOT NULL REFERENCES households (id),
    team_id TEXT NOT NULL REFERENCES teams (id),
    state TEXT NOT NULL CHECK (state IN ('registered', 'intake', 'planning', 'active', 'evaluating', 'closed')),
    -- Comma-separated: Wmo, Jeugdwet, Participatiewet.
    laws TEXT NOT NULL,
    close_reason TEXT CHECK (close_reason IN ('goal_reached', 'moved', 'refused_help', 'transferred', 'other')),
    previous_case_id TEXT REFERENCES cases (id),
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    CHECK ((state = 'closed') = (close_reason IS NOT NULL))
);
CREATE INDEX cases_team ON cases (team_id, id);
-- 1 gezin: at most one open case per household.
CREATE UNIQUE INDEX cases_one_open_per_household ON cases (household_id) WHERE state <> 'closed';

CREATE TABLE case_state_history (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    state TEXT NOT NULL,
    entered_at TIMESTAMP NOT NULL,
    entered_by TEXT REFERENCES users (id)
);
CREATE INDEX case_state_history_case ON case_state_history (case_id, entered_at);

CREATE TABLE regisseur_assignments (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'declined', 'withdrawn', 'active', 'ended')),
    proposed_by TEXT NOT NULL REFERENCES users (id),
    family_choice BOOLEAN NOT NULL,
    reason TEXT,
    proposed_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    active_from TIMESTAMP,
    active_until TIMESTAMP
);
CREATE INDEX regisseur_assignments_case ON regisseur_assignments (case_id, proposed_at);
CREATE INDEX regisseur_assignments_user ON regisseur_assignments (user_id);
-- 1 regisseur: at most one active assignment, and at most one open proposal, per case.
CREATE UNIQUE INDEX regisseur_one_active ON regisseur_assignments (case_id) WHERE status = 'active';
CREATE UNIQUE INDEX regisseur_one_proposal ON regisseur_assignments (case_id) WHERE status = 'proposed';

CREATE TABLE involvements (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('regisseur', 'team_member', 'provider', 'procescoordinator')),
    role_in_case TEXT NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_until TIMESTAMP,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX involvements_user ON involvements (user_id, case_id);
CREATE INDEX involvements_case ON involvements (case_id);
