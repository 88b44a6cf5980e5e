-- The at-risk step keeps each active pair's last contact (their latest message from either person
-- or meeting) up to date from what happened since its last run, instead of reading every pair's
-- meetings and latest message on each run: `pair_contacts`, moved forward from a window of new
-- messages (by `messages_created`, to their match by `matches_channel`) and of calls that ended
-- (`calls_ended`).
CREATE TABLE pair_contacts (
    match_id        UUID PRIMARY KEY REFERENCES matches(id) ON DELETE CASCADE,
    last_contact_at BIGINT NOT NULL
);
CREATE INDEX matches_channel ON matches(channel_id);
CREATE INDEX calls_ended ON calls(ended_at);
