-- Channels, their members and the per-channel event log (messages, edits, deletes).

CREATE TABLE channels (
    id         BLOB PRIMARY KEY,
    program_id BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('pair','group','announcement')),
    name       TEXT NOT NULL,
    -- For pair channels: the two user ids, sorted and joined, so a pair has exactly one channel.
    pair_key   TEXT UNIQUE,
    -- Whether every member of the program belongs (new members join as they arrive).
    program_wide INTEGER NOT NULL DEFAULT 0,
    last_seq   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX channels_program ON channels(program_id);

CREATE TABLE channel_members (
    channel_id    BLOB NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id       BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    can_post      INTEGER NOT NULL DEFAULT 1,
    last_read_seq INTEGER NOT NULL DEFAULT 0,
    joined_at     INTEGER NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members(user_id);

-- The event log. A 'message' row holds the message's current state (edits and deletes update it);
-- 'edit' and 'delete' rows record those changes with their own sequence numbers so that clients
-- resuming after seq N learn about edits of older messages too.
CREATE TABLE messages (
    channel_id BLOB NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    id         BLOB NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('message','edit','delete')),
    sender_id  BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    target_seq INTEGER,
    created_at INTEGER NOT NULL,
    edited_at  INTEGER,
    deleted_at INTEGER,
    PRIMARY KEY (channel_id, seq),
    UNIQUE (channel_id, sender_id, client_id)
);
