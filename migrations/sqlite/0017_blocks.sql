-- Blocks (issue 14): a person stops another reaching them, until they lift it. Every path by
-- which one person reaches another asks the access policy, which reads this table: a block
-- either way stops direct contact. One row per direction; the index serves "who blocked me".
CREATE TABLE blocks (
    blocker_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blocked_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks(blocked_id, blocker_id);
