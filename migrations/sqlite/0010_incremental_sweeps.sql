-- Sweeps that look only at what changed since their last run.

-- How far a periodic step has looked (milliseconds since the epoch), by step name: the digest
-- step reads only messages newer than its mark.
CREATE TABLE sweep_marks (
    name    TEXT PRIMARY KEY,
    through BIGINT NOT NULL
);

-- People whose digest came due while they were online: looked at again on every run until they
-- have read their messages or been sent a digest.
CREATE TABLE digest_waiting (
    user_id BLOB PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE
);

-- The digest step's window of new messages.
CREATE INDEX messages_created ON messages(created_at);

-- A person's own messages (their data export), and the check deleting an account makes for
-- messages it sent: without it both read every message.
CREATE INDEX messages_sender ON messages(sender_id, created_at);
