-- The web client's sessions: a cookie whose hash names a session (the same sessions the API's tokens belong to, so
-- sign-out, a role change or a deactivation ends both). `last_seen_at` drives the idle timeout; the session's own
-- `expires_at` is the absolute one.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    scope TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX web_sessions_session ON web_sessions (session_id);
