-- Check-in ratings stay private (issue 14). Alerts record who raised them: the nil id for the
-- program's own rules, or the person whose request (`support_requested`, new) or named answer
-- (`not_a_good_fit`) it is, so that a coordinator's follow-up goes to that person alone and two
-- people of one pair can each ask once. `falling_ratings` alerts named one person's rating: their
-- detail is replaced and the open ones are closed as withdrawn.
ALTER TABLE risk_alerts DROP CONSTRAINT risk_alerts_rule_check;
ALTER TABLE risk_alerts ADD CONSTRAINT risk_alerts_rule_check
    CHECK (rule IN ('no_contact','falling_ratings','not_a_good_fit','support_requested'));
ALTER TABLE risk_alerts ADD COLUMN raised_by UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
DROP INDEX risk_alerts_open;
CREATE UNIQUE INDEX risk_alerts_open ON risk_alerts(match_id, rule, raised_by) WHERE resolved_at IS NULL;

UPDATE risk_alerts
SET detail = 'a check-in rating, withdrawn: ratings reach coordinators only as program totals',
    resolved_at = COALESCE(resolved_at, (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT),
    resolution = COALESCE(resolution, 'withdrawn')
WHERE rule = 'falling_ratings';

-- The channel of a coordinator and one person, opened once when the coordinator writes to them
-- alone about something that person raised.
CREATE TABLE followup_channels (
    program_id     UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    coordinator_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    user_id        UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_id     UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    PRIMARY KEY (program_id, coordinator_id, user_id)
);

-- A person's own check-ins (their data download, and whether their ratings of one pair fall).
CREATE INDEX call_checkins_user ON call_checkins(user_id, created_at);
