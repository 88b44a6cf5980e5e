-- Accounts, sessions, programs, memberships, invitations and the mail outbox.
-- Timestamps are milliseconds since the Unix epoch (INTEGER), the same as on PostgreSQL (BIGINT).

CREATE TABLE users (
    id                  BLOB PRIMARY KEY,
    email               TEXT NOT NULL,
    email_lower         TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    password_hash       TEXT,
    pronouns            TEXT,
    institution         TEXT,
    career_stage        TEXT CHECK (career_stage IN ('undergraduate','medical_student','resident','fellow','attending','faculty','other')),
    time_zone           TEXT,
    is_admin            INTEGER NOT NULL DEFAULT 0,
    can_create_programs INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           BLOB PRIMARY KEY,
    secret_hash  TEXT NOT NULL UNIQUE,
    user_id      BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('browser','token')),
    name         TEXT NOT NULL DEFAULT '',
    csrf_token   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id, kind);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE programs (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_on   TEXT,
    ends_on     TEXT,
    created_by  BLOB NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE memberships (
    id         BLOB PRIMARY KEY,
    program_id BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('coordinator','mentor','mentee')),
    joined_at  INTEGER NOT NULL,
    UNIQUE (program_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE invitations (
    id          BLOB PRIMARY KEY,
    program_id  BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('coordinator','mentor','mentee')),
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  BLOB NOT NULL REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    accepted_by BLOB REFERENCES users(id),
    revoked_at  INTEGER
);
CREATE INDEX invitations_program ON invitations(program_id, id);
-- One open invitation per person and program (accepted or revoked ones do not count).
CREATE UNIQUE INDEX invitations_open ON invitations(program_id, email_lower)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE outbox (
    id         BLOB PRIMARY KEY,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
