-- Each channel knows how many members it has, so a channel list or a `welcome` can say "1,200
-- members" without counting, and attach member lists only to channels small enough to carry one.
-- Kept by triggers (SQLite's are per row: an in-process b-tree update each).

ALTER TABLE channels ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
UPDATE channels SET member_count = (SELECT COUNT(*) FROM channel_members m WHERE m.channel_id = channels.id);

CREATE TRIGGER channel_members_added AFTER INSERT ON channel_members
BEGIN
    UPDATE channels SET member_count = member_count + 1 WHERE id = NEW.channel_id;
END;

CREATE TRIGGER channel_members_removed AFTER DELETE ON channel_members
BEGIN
    UPDATE channels SET member_count = member_count - 1 WHERE id = OLD.channel_id;
END;
