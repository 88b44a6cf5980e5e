-- Live rooms of group events: when the host ended one, the event's chat channel, and who was
-- in the room from when to when (attendance, for the program's data).

ALTER TABLE group_events ADD COLUMN ended_at BIGINT;
ALTER TABLE group_events ADD COLUMN chat_channel_id UUID REFERENCES channels(id) ON DELETE SET NULL;

CREATE TABLE group_event_attendance (
    event_id  UUID NOT NULL REFERENCES group_events(id) ON DELETE CASCADE,
    user_id   UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    -- NULL while they are in the room.
    left_at   BIGINT,
    PRIMARY KEY (event_id, user_id, joined_at)
);
