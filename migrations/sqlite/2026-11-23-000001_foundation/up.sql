-- One row that every SQLite write transaction touches first, so a transaction that reads before it writes
-- holds the write lock from its start and never fails on upgrading its lock.
CREATE TABLE write_lock (id INTEGER PRIMARY KEY NOT NULL, n BIGINT NOT NULL);
INSERT INTO write_lock (id, n) VALUES (1, 0);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'provider', 'other')),
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organisations_name ON organisations (name);

CREATE TABLE teams (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('municipality', 'wijk')),
    wijk TEXT,
    provider_may_direct BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (organisation_id, name);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    totp_secret TEXT,
    totp_pending_secret TEXT,
    totp_last_step BIGINT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deactivated_at TIMESTAMP
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE user_roles (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('wijkteam', 'teamleider', 'provider', 'signaller', 'matchregisseur',
                                        'procescoordinator', 'privacy_officer', 'admin')),
    team_id TEXT REFERENCES teams (id)
);
CREATE UNIQUE INDEX user_roles_unique ON user_roles (user_id, role, COALESCE(team_id, ''));

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY NOT NULL,
    failures BIGINT NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    event_id TEXT NOT NULL UNIQUE,
    chain_id TEXT NOT NULL,
    chain_seq BIGINT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    user_id TEXT,
    user_name TEXT,
    role TEXT,
    organisation_id TEXT,
    on_behalf_of TEXT,
    client_address TEXT,
    request_id TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT,
    case_id TEXT,
    household_id TEXT,
    person_ids TEXT,
    basis TEXT,
    basis_id TEXT,
    flagged BOOLEAN NOT NULL,
    outcome TEXT NOT NULL,
    http_status INTEGER,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (chain_id, chain_seq)
);
CREATE INDEX audit_events_user ON audit_events (user_id, id);
CREATE INDEX audit_events_case ON audit_events (case_id, id);
CREATE INDEX audit_events_time ON audit_events (occurred_at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
