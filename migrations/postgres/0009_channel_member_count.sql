-- Each channel knows how many members it has, so a channel list or a `welcome` can say "1,200
-- members" without counting, and attach member lists only to channels small enough to carry one.
-- Kept by statement-level triggers: one UPDATE per statement and channel, however many rows a
-- program-wide insert adds or a cascade removes.

ALTER TABLE channels ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE channels c SET member_count = (SELECT COUNT(*) FROM channel_members m WHERE m.channel_id = c.id);

CREATE FUNCTION channel_members_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE channels c SET member_count = c.member_count + n.count
    FROM (SELECT channel_id, COUNT(*) AS count FROM added GROUP BY channel_id) n
    WHERE c.id = n.channel_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION channel_members_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE channels c SET member_count = c.member_count - n.count
    FROM (SELECT channel_id, COUNT(*) AS count FROM removed GROUP BY channel_id) n
    WHERE c.id = n.channel_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER channel_members_added AFTER INSERT ON channel_members
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION channel_members_added();
CREATE TRIGGER channel_members_removed AFTER DELETE ON channel_members
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION channel_members_removed();
