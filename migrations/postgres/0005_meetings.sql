-- Scheduled meetings of a matched pair, check-ins after calls, and private calendar feeds.

CREATE TABLE meetings (
    id           UUID PRIMARY KEY,
    program_id   UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    match_id     UUID NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
    organizer_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The other person of the pair.
    invitee_id   UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    agenda       TEXT NOT NULL DEFAULT '',
    starts_at    BIGINT NOT NULL,
    duration_min INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('proposed','accepted','declined','cancelled')),
    -- Who proposed the current time: the other person accepts it or proposes another.
    proposed_by  UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (organizer_id, client_id)
);
CREATE INDEX meetings_organizer ON meetings(organizer_id, starts_at);
CREATE INDEX meetings_invitee ON meetings(invitee_id, starts_at);

-- After a call in which both joined, each person may rate it (1-5) with an optional note.
-- Coordinators see these only in aggregate.
CREATE TABLE call_checkins (
    call_id    UUID NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    user_id    UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (call_id, user_id)
);

-- A private calendar feed URL per person: the token's hash, so the database never holds the URL.
CREATE TABLE calendar_feeds (
    user_id    UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
