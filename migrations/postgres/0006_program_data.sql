-- Program data: surveys and their invitations and responses, pairs at risk, cohorts, exports'
-- audit log, notification settings, and secrets the nodes share.

ALTER TABLE memberships ADD COLUMN cohort TEXT NOT NULL DEFAULT '';

CREATE TABLE surveys (
    id          UUID PRIMARY KEY,
    program_id  UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    trigger     TEXT NOT NULL CHECK (trigger IN ('fit_check','each_meeting','midpoint','end','date')),
    -- For `date`: when it goes out. Midpoint and end follow the program's dates.
    due_at      BIGINT,
    audience    TEXT NOT NULL CHECK (audience IN ('mentees','mentors','both')),
    anonymous   BOOLEAN NOT NULL,
    -- JSON list of questions.
    questions   TEXT NOT NULL,
    created_by  UUID NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    -- When a date, midpoint or end survey went out to everyone.
    sent_at     BIGINT
);
CREATE INDEX surveys_program ON surveys(program_id);

-- One per person, survey and occasion (the call after which it was sent, or `once`): whichever
-- worker gets there first invites, the others find the row.
CREATE TABLE survey_invitations (
    id          UUID PRIMARY KEY,
    survey_id   UUID NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    occasion    TEXT NOT NULL,
    match_id    UUID REFERENCES matches(id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    reminded_at BIGINT,
    answered_at BIGINT,
    UNIQUE (survey_id, user_id, occasion)
);
CREATE INDEX survey_invitations_user ON survey_invitations(user_id) WHERE answered_at IS NULL;

-- An anonymous response has no person, no pair and only the day it was given.
CREATE TABLE survey_responses (
    id          UUID PRIMARY KEY,
    survey_id   UUID NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    user_id     UUID REFERENCES users(id) ON DELETE CASCADE,
    match_id    UUID REFERENCES matches(id) ON DELETE SET NULL,
    -- JSON object: question id -> answer.
    answers     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses(survey_id);

CREATE TABLE risk_settings (
    program_id      UUID PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
    enabled         BOOLEAN NOT NULL,
    no_contact_days INTEGER NOT NULL,
    rating_drop     DOUBLE PRECISION NOT NULL,
    fit_check       BOOLEAN NOT NULL
);

CREATE TABLE risk_alerts (
    id          UUID PRIMARY KEY,
    program_id  UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    match_id    UUID NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
    rule        TEXT NOT NULL CHECK (rule IN ('no_contact','falling_ratings','not_a_good_fit')),
    detail      TEXT NOT NULL,
    raised_at   BIGINT NOT NULL,
    resolved_at BIGINT,
    resolution  TEXT
);
-- One open alert per pair and rule: a pair is nudged once, however often the check runs.
CREATE UNIQUE INDEX risk_alerts_open ON risk_alerts(match_id, rule) WHERE resolved_at IS NULL;
CREATE INDEX risk_alerts_program ON risk_alerts(program_id, raised_at);

-- The group channel of a coordinator and a pair, opened once when the coordinator writes to them.
CREATE TABLE pair_checkin_channels (
    match_id       UUID NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
    coordinator_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_id     UUID NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    PRIMARY KEY (match_id, coordinator_id)
);

CREATE TABLE audit_log (
    id         UUID PRIMARY KEY,
    actor_id   UUID REFERENCES users(id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    program_id UUID REFERENCES programs(id) ON DELETE SET NULL,
    detail     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE notification_prefs (
    user_id            UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    message_digest     BOOLEAN NOT NULL DEFAULT TRUE,
    meeting_reminders  BOOLEAN NOT NULL DEFAULT TRUE,
    survey_invitations BOOLEAN NOT NULL DEFAULT TRUE,
    match_proposals    BOOLEAN NOT NULL DEFAULT TRUE,
    -- Unread messages up to this time have been in a digest.
    digest_through     BIGINT NOT NULL DEFAULT 0
);

-- Secrets every node needs alike (signing unsubscribe links, pseudonyms in exports), made once.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
