-- Reports (issue 14): someone reports a message, a person, a meeting or a moment of an event to
-- the program's coordinators. A report carries copies of exactly the messages its reporter chose
-- to share (report_messages): the only way message text ever reaches a coordinator. One open
-- report per reporter and thing reported.
CREATE TABLE reports (
    id          UUID PRIMARY KEY,
    program_id  UUID NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    reporter_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subject_id  UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('message','person','meeting','event')),
    -- The message, meeting or event; the subject for a person.
    target_id   UUID NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('harassment','discrimination','inappropriate_content','safety_concern','spam','other')),
    severity    INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    outcome     TEXT CHECK (outcome IN ('dismissed','warned','match_ended','muted','removed','suspended')),
    reason      TEXT,
    closed_by   UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT
);
CREATE UNIQUE INDEX reports_once ON reports(reporter_id, kind, target_id) WHERE closed_at IS NULL;
CREATE INDEX reports_queue ON reports(program_id, severity, id);
CREATE INDEX reports_subject ON reports(subject_id, program_id);
CREATE INDEX reports_reporter ON reports(reporter_id, id);

CREATE TABLE report_messages (
    report_id   UUID NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    channel_id  UUID NOT NULL,
    seq         BIGINT NOT NULL,
    sender_id   UUID NOT NULL,
    sender_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    sent_at     BIGINT NOT NULL,
    PRIMARY KEY (report_id, channel_id, seq)
);
