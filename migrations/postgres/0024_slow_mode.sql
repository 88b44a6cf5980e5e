-- Slow mode (issue 14): in a group channel a coordinator sets, each member who is not a
-- coordinator posts at most one message every `slow_mode_s` seconds (0: off).
ALTER TABLE channels ADD COLUMN slow_mode_s INTEGER NOT NULL DEFAULT 0;
