-- A person's data export reads their messages a page at a time, oldest first, keyed on
-- (created_at, id): the sender index carries the id too, so each page is one range of it, not a
-- sort of everything the person wrote after the cursor. It serves every earlier use of the index
-- (a sender's messages by time) as before.
DROP INDEX messages_sender;
CREATE INDEX messages_sender ON messages(sender_id, created_at, id);
