-- Coordinators mute a member in their program's group channels for a time (issue 14): while
-- muted they read but do not post there (their conversations of two stay theirs). One row per
-- program and person; lifting it deletes the row, and an expired one no longer counts.
CREATE TABLE mutes (
    program_id UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    user_id    UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    until      BIGINT NOT NULL,
    muted_by   UUID REFERENCES users(id) ON DELETE SET NULL,
    reason     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (program_id, user_id)
);
CREATE INDEX mutes_user ON mutes(user_id);
