-- Group events that coordinators host (panels, workshops): who is invited, who speaks, who comes.

CREATE TABLE group_events (
    id           UUID PRIMARY KEY,
    program_id   UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    starts_at    BIGINT NOT NULL,
    duration_min INTEGER NOT NULL,
    capacity     INTEGER NOT NULL,
    -- Who is invited: everyone of the program, one cohort, or the people listed.
    audience     TEXT NOT NULL CHECK (audience IN ('program','cohort','people')),
    cohort       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('scheduled','cancelled')),
    host_id      UUID NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX group_events_program ON group_events(program_id, starts_at);

-- Speakers, and for `people` events the invitees.
CREATE TABLE group_event_people (
    event_id UUID NOT NULL REFERENCES group_events(id) ON DELETE CASCADE,
    user_id  UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('speaker','invitee')),
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX group_event_people_user ON group_event_people(user_id);

CREATE TABLE group_event_rsvps (
    event_id   UUID NOT NULL REFERENCES group_events(id) ON DELETE CASCADE,
    user_id    UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    going      BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
