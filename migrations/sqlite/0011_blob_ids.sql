-- no-transaction
-- Ids and references stored as BLOB in the tables of migrations 0006 to 0008, as in every other
-- table. They were declared UUID there, which SQLite reads as NUMERIC affinity; comparing such a
-- column with a BLOB one (users.id, programs.id, matches.id) applies NUMERIC affinity to the BLOB
-- side, so SQLite could not use that side's primary key and scanned users (or programs) once per
-- row: the event list, attendance, survey invitations. The values already are 16-byte blobs, so
-- only the declared types change, by SQLite's procedure for changes ALTER TABLE cannot make
-- (https://sqlite.org/lang_altertable.html#otheralter): foreign keys off, outside sqlx's
-- transaction (hence `no-transaction` above), with every table rebuilt in one transaction of
-- ours. tests/tests/query_plans.rs checks the plans this gives.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE surveys_new (
    id          BLOB PRIMARY KEY,
    program_id  BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    trigger     TEXT NOT NULL CHECK (trigger IN ('fit_check','each_meeting','midpoint','end','date')),
    -- For `date`: when it goes out. Midpoint and end follow the program's dates.
    due_at      BIGINT,
    audience    TEXT NOT NULL CHECK (audience IN ('mentees','mentors','both')),
    anonymous   BOOLEAN NOT NULL,
    -- JSON list of questions.
    questions   TEXT NOT NULL,
    created_by  BLOB NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    -- When a date, midpoint or end survey went out to everyone.
    sent_at     BIGINT
);
INSERT INTO surveys_new (id, program_id, title, trigger, due_at, audience, anonymous, questions, created_by, created_at, sent_at)
    SELECT id, program_id, title, trigger, due_at, audience, anonymous, questions, created_by, created_at, sent_at FROM surveys;
DROP TABLE surveys;
ALTER TABLE surveys_new RENAME TO surveys;
CREATE INDEX surveys_program ON surveys(program_id);

CREATE TABLE survey_invitations_new (
    id          BLOB PRIMARY KEY,
    survey_id   BLOB NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    user_id     BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    occasion    TEXT NOT NULL,
    match_id    BLOB REFERENCES matches(id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    reminded_at BIGINT,
    answered_at BIGINT,
    UNIQUE (survey_id, user_id, occasion)
);
INSERT INTO survey_invitations_new (id, survey_id, user_id, occasion, match_id, created_at, reminded_at, answered_at)
    SELECT id, survey_id, user_id, occasion, match_id, created_at, reminded_at, answered_at FROM survey_invitations;
DROP TABLE survey_invitations;
ALTER TABLE survey_invitations_new RENAME TO survey_invitations;
CREATE INDEX survey_invitations_user ON survey_invitations(user_id) WHERE answered_at IS NULL;

CREATE TABLE survey_responses_new (
    id          BLOB PRIMARY KEY,
    survey_id   BLOB NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    user_id     BLOB REFERENCES users(id) ON DELETE CASCADE,
    match_id    BLOB REFERENCES matches(id) ON DELETE SET NULL,
    -- JSON object: question id -> answer.
    answers     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
INSERT INTO survey_responses_new (id, survey_id, user_id, match_id, answers, created_at)
    SELECT id, survey_id, user_id, match_id, answers, created_at FROM survey_responses;
DROP TABLE survey_responses;
ALTER TABLE survey_responses_new RENAME TO survey_responses;
CREATE INDEX survey_responses_survey ON survey_responses(survey_id);

CREATE TABLE risk_settings_new (
    program_id      BLOB PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
    enabled         BOOLEAN NOT NULL,
    no_contact_days INTEGER NOT NULL,
    rating_drop     REAL NOT NULL,
    fit_check       BOOLEAN NOT NULL
);
INSERT INTO risk_settings_new (program_id, enabled, no_contact_days, rating_drop, fit_check)
    SELECT program_id, enabled, no_contact_days, rating_drop, fit_check FROM risk_settings;
DROP TABLE risk_settings;
ALTER TABLE risk_settings_new RENAME TO risk_settings;

CREATE TABLE risk_alerts_new (
    id          BLOB PRIMARY KEY,
    program_id  BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    match_id    BLOB NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
    rule        TEXT NOT NULL CHECK (rule IN ('no_contact','falling_ratings','not_a_good_fit')),
    detail      TEXT NOT NULL,
    raised_at   BIGINT NOT NULL,
    resolved_at BIGINT,
    resolution  TEXT
);
INSERT INTO risk_alerts_new (id, program_id, match_id, rule, detail, raised_at, resolved_at, resolution)
    SELECT id, program_id, match_id, rule, detail, raised_at, resolved_at, resolution FROM risk_alerts;
DROP TABLE risk_alerts;
ALTER TABLE risk_alerts_new RENAME TO risk_alerts;
CREATE UNIQUE INDEX risk_alerts_open ON risk_alerts(match_id, rule) WHERE resolved_at IS NULL;
CREATE INDEX risk_alerts_program ON risk_alerts(program_id, raised_at);

CREATE TABLE pair_checkin_channels_new (
    match_id       BLOB NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
    coordinator_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_id     BLOB NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    PRIMARY KEY (match_id, coordinator_id)
);
INSERT INTO pair_checkin_channels_new (match_id, coordinator_id, channel_id)
    SELECT match_id, coordinator_id, channel_id FROM pair_checkin_channels;
DROP TABLE pair_checkin_channels;
ALTER TABLE pair_checkin_channels_new RENAME TO pair_checkin_channels;

CREATE TABLE audit_log_new (
    id         BLOB PRIMARY KEY,
    actor_id   BLOB REFERENCES users(id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    program_id BLOB REFERENCES programs(id) ON DELETE SET NULL,
    detail     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO audit_log_new (id, actor_id, action, program_id, detail, created_at)
    SELECT id, actor_id, action, program_id, detail, created_at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE TABLE notification_prefs_new (
    user_id            BLOB PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    message_digest     BOOLEAN NOT NULL DEFAULT TRUE,
    meeting_reminders  BOOLEAN NOT NULL DEFAULT TRUE,
    survey_invitations BOOLEAN NOT NULL DEFAULT TRUE,
    match_proposals    BOOLEAN NOT NULL DEFAULT TRUE,
    -- Unread messages up to this time have been in a digest.
    digest_through     BIGINT NOT NULL DEFAULT 0
);
INSERT INTO notification_prefs_new (user_id, message_digest, meeting_reminders, survey_invitations, match_proposals, digest_through)
    SELECT user_id, message_digest, meeting_reminders, survey_invitations, match_proposals, digest_through FROM notification_prefs;
DROP TABLE notification_prefs;
ALTER TABLE notification_prefs_new RENAME TO notification_prefs;

CREATE TABLE group_events_new (
    id           BLOB PRIMARY KEY,
    program_id   BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    starts_at    BIGINT NOT NULL,
    duration_min INTEGER NOT NULL,
    capacity     INTEGER NOT NULL,
    -- Who is invited: everyone of the program, one cohort, or the people listed.
    audience     TEXT NOT NULL CHECK (audience IN ('program','cohort','people')),
    cohort       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('scheduled','cancelled')),
    host_id      BLOB NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    ended_at     BIGINT,
    chat_channel_id BLOB REFERENCES channels(id) ON DELETE SET NULL
);
INSERT INTO group_events_new (id, program_id, title, description, starts_at, duration_min, capacity, audience, cohort, status, host_id, created_at, updated_at, ended_at, chat_channel_id)
    SELECT id, program_id, title, description, starts_at, duration_min, capacity, audience, cohort, status, host_id, created_at, updated_at, ended_at, chat_channel_id FROM group_events;
DROP TABLE group_events;
ALTER TABLE group_events_new RENAME TO group_events;
CREATE INDEX group_events_program ON group_events(program_id, starts_at);

CREATE TABLE group_event_people_new (
    event_id BLOB NOT NULL REFERENCES group_events(id) ON DELETE CASCADE,
    user_id  BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('speaker','invitee')),
    PRIMARY KEY (event_id, user_id)
);
INSERT INTO group_event_people_new (event_id, user_id, role)
    SELECT event_id, user_id, role FROM group_event_people;
DROP TABLE group_event_people;
ALTER TABLE group_event_people_new RENAME TO group_event_people;
CREATE INDEX group_event_people_user ON group_event_people(user_id);

CREATE TABLE group_event_rsvps_new (
    event_id   BLOB NOT NULL REFERENCES group_events(id) ON DELETE CASCADE,
    user_id    BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    going      BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
INSERT INTO group_event_rsvps_new (event_id, user_id, going, updated_at)
    SELECT event_id, user_id, going, updated_at FROM group_event_rsvps;
DROP TABLE group_event_rsvps;
ALTER TABLE group_event_rsvps_new RENAME TO group_event_rsvps;

CREATE TABLE group_event_attendance_new (
    event_id  BLOB NOT NULL REFERENCES group_events(id) ON DELETE CASCADE,
    user_id   BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    -- NULL while they are in the room.
    left_at   BIGINT,
    PRIMARY KEY (event_id, user_id, joined_at)
);
INSERT INTO group_event_attendance_new (event_id, user_id, joined_at, left_at)
    SELECT event_id, user_id, joined_at, left_at FROM group_event_attendance;
DROP TABLE group_event_attendance;
ALTER TABLE group_event_attendance_new RENAME TO group_event_attendance;

COMMIT;
PRAGMA foreign_keys = ON;
