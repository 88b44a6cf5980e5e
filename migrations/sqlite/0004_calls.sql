-- 1:1 calls between the two people of an active match: each call's state machine (the
-- `kindred-signaling` Call, as JSON) and the record coordinators see (who joined, when, how long).

CREATE TABLE calls (
    id               BLOB PRIMARY KEY,
    program_id       BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    pair_key         TEXT NOT NULL,
    caller_id        BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    callee_id        BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Any node may apply an event: it reads the machine and its version, and writes it back only
    -- if the version is unchanged (otherwise it reads again and retries).
    machine          TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 0,
    live             INTEGER NOT NULL,
    -- When the machine next needs a tick (ring or connect timeout).
    deadline         INTEGER,
    invited_at       INTEGER NOT NULL,
    answered_at      INTEGER,
    started_at       INTEGER,
    caller_joined_at INTEGER,
    callee_joined_at INTEGER,
    ended_at         INTEGER,
    end_reason       TEXT,
    duration_ms      INTEGER
);
-- One live call per pair: crossed invitations become one call (glare), even across nodes.
CREATE UNIQUE INDEX calls_live_pair ON calls(pair_key) WHERE live;
CREATE INDEX calls_deadline ON calls(deadline) WHERE live;
CREATE INDEX calls_program ON calls(program_id, id);
