-- Department console sessions (intake's /console/), kept across restarts. The session id
-- the browser holds is never stored: key is its SHA-256, so a copy of the database signs
-- no one in. data is the session as intake encodes it; expires_at is when it ends.
CREATE TABLE console_sessions (
	key        TEXT PRIMARY KEY,
	data       TEXT NOT NULL,
	expires_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
