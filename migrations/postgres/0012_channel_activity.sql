-- When each channel last had a message (milliseconds since the epoch; its creation until its
-- first message): a person's channel list is paged most recently active first, so a `welcome`
-- carries the conversations on screen, not every channel of a national program.
ALTER TABLE channels ADD COLUMN last_activity_at BIGINT NOT NULL DEFAULT 0;
UPDATE channels SET last_activity_at = COALESCE(
    (SELECT m.created_at FROM messages m WHERE m.channel_id = channels.id AND m.kind = 'message'
     ORDER BY m.seq DESC LIMIT 1),
    created_at);
