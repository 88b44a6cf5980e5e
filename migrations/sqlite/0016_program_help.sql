-- A program's "get help now" panel (issue 14): its own words and contacts, which every member
-- can open from any page of the web client. One per program; an empty text means none.
CREATE TABLE program_help (
    program_id BLOB PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    updated_by BLOB REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
