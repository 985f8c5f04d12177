-- Webhook deliveries, stored before the platform gets its 200 and processed
-- after: a crash between the two loses nothing. A row is deleted once
-- handled (its text is a citizen's message); the bot's own dedupe (Redis
-- or memory, by update id) catches a platform delivering it again later.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL CHECK (channel <> ''),
    key         TEXT NOT NULL CHECK (key <> ''),    -- platform update id: "123", "message.text.received:abc"
    grp         TEXT NOT NULL DEFAULT '',          -- sender: one sender's updates are handled in order
    body        BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,                  -- unix ms: not before
    lease_until INTEGER NOT NULL DEFAULT 0,        -- unix ms: taken by a worker until then
    UNIQUE (channel, key)
) STRICT;

CREATE INDEX inbox_due ON inbox (channel, next_at);
