-- Coordinators take someone out of a group event (issue 14): they are no longer invited (so
-- they cannot RSVP or enter its room), whatever the event's audience, and leave its chat.
CREATE TABLE event_removals (
    event_id   BLOB NOT NULL REFERENCES group_events(id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    removed_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    reason     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
