-- Channels, their members and the per-channel event log (messages, edits, deletes).

CREATE TABLE channels (
    id         UUID PRIMARY KEY,
    program_id UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('pair','group','announcement')),
    name       TEXT NOT NULL,
    -- For pair channels: the two user ids, sorted and joined, so a pair has exactly one channel.
    pair_key   TEXT UNIQUE,
    -- Whether every member of the program belongs (new members join as they arrive).
    program_wide BOOLEAN NOT NULL DEFAULT FALSE,
    last_seq   BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX channels_program ON channels(program_id);

CREATE TABLE channel_members (
    channel_id    UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    user_id       UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    can_post      BOOLEAN NOT NULL DEFAULT TRUE,
    last_read_seq BIGINT NOT NULL DEFAULT 0,
    joined_at     BIGINT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members(user_id);

-- The event log. A 'message' row holds the message's current state (edits and deletes update it);
-- 'edit' and 'delete' rows record those changes with their own sequence numbers so that clients
-- resuming after seq N learn about edits of older messages too.
CREATE TABLE messages (
    channel_id UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    seq        BIGINT NOT NULL,
    id         UUID NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('message','edit','delete')),
    sender_id  UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    target_seq BIGINT,
    created_at BIGINT NOT NULL,
    edited_at  BIGINT,
    deleted_at BIGINT,
    PRIMARY KEY (channel_id, seq),
    UNIQUE (channel_id, sender_id, client_id)
);
