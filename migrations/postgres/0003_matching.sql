-- Matching: the interest taxonomy, custom questions, questionnaires, settings, the do-not-match
-- list, rounds, matches, and the durable job queue the matching worker runs.

-- The account that posts system messages (a new pair's welcome). It has no password and no
-- memberships, so nobody can sign in as it or reach it.
INSERT INTO users (id, email, email_lower, name, created_at)
VALUES ('00000000-0000-0000-0000-000000000000', 'kindred@system.invalid', 'kindred@system.invalid', 'Kindred', 0);

CREATE TABLE program_interests (
    id          UUID PRIMARY KEY,
    program_id  UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    label       TEXT NOT NULL,
    label_lower TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (program_id, label_lower)
);

CREATE TABLE program_questions (
    id             UUID PRIMARY KEY,
    program_id     UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    prompt         TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('choice','text')),
    -- JSON array of strings (choice questions).
    options        TEXT NOT NULL DEFAULT '[]',
    audience       TEXT NOT NULL CHECK (audience IN ('mentee','mentor','both')),
    required       BOOLEAN NOT NULL DEFAULT FALSE,
    feeds_matching BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL
);
CREATE INDEX program_questions_program ON program_questions(program_id, id);

-- One questionnaire per person and program; the answers are a JSON document the API validates.
CREATE TABLE questionnaires (
    program_id   UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    user_id      UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    answers      TEXT NOT NULL,
    completed_at BIGINT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, user_id)
);

CREATE TABLE matching_settings (
    program_id UUID PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
    weights    TEXT NOT NULL,
    auto_match BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL
);

CREATE TABLE match_exclusions (
    id         UUID PRIMARY KEY,
    program_id UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    a          UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    b          UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    pair_key   TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (program_id, pair_key)
);

-- A round's result (proposals, unmatched people, mentor load) is one JSON document: it is
-- written once, read whole, and only its status changes.
CREATE TABLE match_rounds (
    id         UUID PRIMARY KEY,
    program_id UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    status     TEXT NOT NULL CHECK (status IN ('preview','approved','discarded')),
    body       TEXT NOT NULL,
    created_by UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX match_rounds_program ON match_rounds(program_id, id);

CREATE TABLE matches (
    id              UUID PRIMARY KEY,
    program_id      UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    mentee_id       UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mentor_id       UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    round_id        UUID REFERENCES match_rounds(id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('proposed','active','declined','ended')),
    score           DOUBLE PRECISION NOT NULL,
    -- JSON {"reasons": [...], "unmet": [...]}
    explanation     TEXT NOT NULL,
    mentee_response TEXT NOT NULL DEFAULT 'pending' CHECK (mentee_response IN ('pending','accepted','declined')),
    mentor_response TEXT NOT NULL DEFAULT 'pending' CHECK (mentor_response IN ('pending','accepted','declined')),
    reason          TEXT,
    reason_by       UUID REFERENCES users(id) ON DELETE SET NULL,
    channel_id      UUID REFERENCES channels(id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    activated_at    BIGINT,
    ended_at        BIGINT,
    CHECK (mentee_id <> mentor_id)
);
-- A mentee has at most one open match per program: the store, not the caller, enforces it.
CREATE UNIQUE INDEX matches_open_mentee ON matches(program_id, mentee_id) WHERE status IN ('proposed','active');
CREATE INDEX matches_mentor ON matches(program_id, mentor_id, status);
CREATE INDEX matches_mentee ON matches(mentee_id);

-- Durable work for the matching worker. A job is claimed with a lease; a worker that dies lets
-- the lease lapse and another picks the job up. Effects are idempotent, so a repeat is harmless.
CREATE TABLE jobs (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    -- While a job with this key waits unclaimed, another with the same key is not queued (once
    -- it is claimed, a new one may be: the running one may have read the data too early).
    dedupe_key   TEXT,
    run_at       BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_by    UUID,
    locked_until BIGINT,
    done_at      BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_waiting_key ON jobs(dedupe_key) WHERE done_at IS NULL AND locked_by IS NULL;
CREATE INDEX jobs_ready ON jobs(run_at) WHERE done_at IS NULL;
