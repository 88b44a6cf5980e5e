-- no-transaction
-- Check-in ratings stay private (issue 14). Alerts record who raised them: the nil id for the
-- program's own rules, or the person whose request (`support_requested`, new) or named answer
-- (`not_a_good_fit`) it is, so that a coordinator's follow-up goes to that person alone and two
-- people of one pair can each ask once. `falling_ratings` alerts named one person's rating: their
-- detail is replaced and the open ones are closed as withdrawn. A rule is added to a CHECK
-- constraint, which SQLite changes only by rebuilding the table (as in 0011: foreign keys off,
-- outside sqlx's transaction, in one transaction of ours).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE risk_alerts_new (
    id          BLOB PRIMARY KEY,
    program_id  BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    match_id    BLOB NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
    rule        TEXT NOT NULL CHECK (rule IN ('no_contact','falling_ratings','not_a_good_fit','support_requested')),
    raised_by   BLOB NOT NULL DEFAULT (zeroblob(16)),
    detail      TEXT NOT NULL,
    raised_at   BIGINT NOT NULL,
    resolved_at BIGINT,
    resolution  TEXT
);
INSERT INTO risk_alerts_new (id, program_id, match_id, rule, raised_by, detail, raised_at, resolved_at, resolution)
    SELECT id, program_id, match_id, rule, zeroblob(16), detail, raised_at, resolved_at, resolution FROM risk_alerts;
DROP TABLE risk_alerts;
ALTER TABLE risk_alerts_new RENAME TO risk_alerts;
CREATE UNIQUE INDEX risk_alerts_open ON risk_alerts(match_id, rule, raised_by) WHERE resolved_at IS NULL;
CREATE INDEX risk_alerts_program ON risk_alerts(program_id, raised_at);

UPDATE risk_alerts
SET detail = 'a check-in rating, withdrawn: ratings reach coordinators only as program totals',
    resolved_at = COALESCE(resolved_at, CAST(strftime('%s', 'now') AS INTEGER) * 1000),
    resolution = COALESCE(resolution, 'withdrawn')
WHERE rule = 'falling_ratings';

-- The channel of a coordinator and one person, opened once when the coordinator writes to them
-- alone about something that person raised.
CREATE TABLE followup_channels (
    program_id     BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    coordinator_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    user_id        BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_id     BLOB NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    PRIMARY KEY (program_id, coordinator_id, user_id)
);

-- A person's own check-ins (their data download, and whether their ratings of one pair fall).
CREATE INDEX call_checkins_user ON call_checkins(user_id, created_at);

COMMIT;
PRAGMA foreign_keys = ON;
