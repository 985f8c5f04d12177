-- An official may use more than one chat (Telegram at the desk, Zalo on the
-- phone): every bound chat is recognised, and officials.chat_key becomes the
-- chat notices go to — the one bound or used most recently.
CREATE TABLE official_chats (
    chat_key    TEXT PRIMARY KEY CHECK (chat_key <> ''),
    official_id INTEGER NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
    bound_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX official_chats_official ON official_chats (official_id);

INSERT INTO official_chats (chat_key, official_id, bound_at)
    SELECT chat_key, id, bound_at FROM officials WHERE chat_key IS NOT NULL AND revoked_at IS NULL;
