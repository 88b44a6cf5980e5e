-- A program's code of conduct (issue 14): its text, one row per version. Members (not its
-- coordinators, who write it) accept the latest version before they chat, call or join events;
-- a new version asks again. Each acceptance is kept.
CREATE TABLE program_conduct (
    program_id BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (program_id, version)
);
CREATE TABLE conduct_acceptances (
    program_id  BLOB NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    user_id     BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (program_id, user_id, version)
);
CREATE INDEX conduct_acceptances_user ON conduct_acceptances(user_id, program_id);
