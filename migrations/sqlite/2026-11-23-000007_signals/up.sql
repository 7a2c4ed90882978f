-- Verwijsindex-style signals: that a professional is involved with a young person, never why. There is no
-- content column. 'active' signals match; 'archived' ones (risk gone, expired) wait until archive_until and may
-- notify one later signaller once. Unjustified removals and signals of a deceased subject are deleted.
CREATE TABLE signals (
    id TEXT PRIMARY KEY NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    contact_phone TEXT,
    contact_email TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    created_at TIMESTAMP NOT NULL,
    expires_on DATE NOT NULL,
    removed_at TIMESTAMP,
    removal_reason TEXT CHECK (removal_reason IN ('risk_gone', 'expired')),
    archive_until DATE,
    archive_notified_at TIMESTAMP,
    CHECK (contact_phone IS NOT NULL OR contact_email IS NOT NULL),
    CHECK ((status = 'active') = (removal_reason IS NULL))
);
CREATE INDEX signals_person ON signals (person_id, status);
CREATE INDEX signals_user ON signals (user_id, created_at);
CREATE INDEX signals_expiry ON signals (status, expires_on);
CREATE INDEX signals_archive ON signals (status, archive_until);
-- One active signal per organisation and person.
CREATE UNIQUE INDEX signals_one_active ON signals (person_id, organisation_id) WHERE status = 'active';

-- A match groups signals of different organisations on one key: the person (person match), the household on the
-- day (address match) or the parent (parent match). Later signals on the same key join it.
CREATE TABLE matches (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'address', 'parent')),
    match_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    reminded_at TIMESTAMP,
    UNIQUE (kind, match_key)
);
CREATE INDEX matches_unreminded ON matches (reminded_at, created_at);

CREATE TABLE match_members (
    match_id TEXT NOT NULL REFERENCES matches (id) ON DELETE CASCADE,
    signal_id TEXT NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
    joined_at TIMESTAMP NOT NULL,
    contact_confirmed_at TIMESTAMP,
    PRIMARY KEY (match_id, signal_id)
);
CREATE INDEX match_members_signal ON match_members (signal_id);

-- Notifications go to "the matchregisseurs" and "the privacy officers": users by role.
CREATE INDEX user_roles_role ON user_roles (role, user_id);
