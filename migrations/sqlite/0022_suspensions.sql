-- Coordinators suspend a member from their program (issue 14): while suspended the person is not
-- a member for anything the program offers (its pages, channels, calls, events, matching);
-- their data is kept, and lifting the suspension restores everything.
ALTER TABLE memberships ADD COLUMN suspended_at BIGINT;
