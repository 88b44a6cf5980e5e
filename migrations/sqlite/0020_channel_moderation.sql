-- Coordinators moderate the group channels of their program (issue 14): a locked channel takes
-- messages from coordinators only (members' `can_post` follows it), and a message a coordinator
-- removed records who did, so its tombstone says "removed by a coordinator".
ALTER TABLE channels ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE messages ADD COLUMN removed_by BLOB;
