-- 0020_announcements: the commune's announcements by village (thôn), who
-- receives them, and the right to send them. Every time column is INTEGER
-- unix seconds, UTC; NULL means unset. Tables are STRICT.

-- An official may send announcements when an admin gave the right; the
-- chairman and the admin always may.
ALTER TABLE officials ADD COLUMN announce INTEGER NOT NULL DEFAULT 0 CHECK (announce IN (0, 1));

-- Which villages' announcements a chat receives ('*' = every village, «cả
-- xã»). Personal data linked to a chat: deleted when the person stops or
-- withdraws consent (/xoadulieu).
CREATE TABLE announce_subs (
    chat_key   TEXT NOT NULL CHECK (chat_key <> ''),  -- e.g. tg:12345
    village    TEXT NOT NULL CHECK (village <> ''),   -- as in the commune profile, or '*'
    created_at INTEGER NOT NULL,
    PRIMARY KEY (chat_key, village)
) STRICT;
CREATE INDEX announce_subs_village ON announce_subs (village);

-- Chats that were offered the subscription once, after a lookup card
-- showed their village: never offered again.
CREATE TABLE announce_offers (
    chat_key TEXT PRIMARY KEY CHECK (chat_key <> ''),
    at       INTEGER NOT NULL
) STRICT;

-- Every announcement, kept with its author (the audit): never deleted, a
-- cancel marks it. The text is the commune's, not a citizen's.
CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    author       TEXT NOT NULL CHECK (author <> ''),        -- the sender's chat key
    author_name  TEXT NOT NULL,                             -- the official's name then
    whole        INTEGER NOT NULL CHECK (whole IN (0, 1)),  -- to the whole commune
    villages     TEXT NOT NULL CHECK (json_valid(villages) AND json_type(villages) = 'array'),
    text         TEXT NOT NULL CHECK (text <> ''),
    photo        TEXT NOT NULL DEFAULT '',                  -- platform file id, '' = none
    photo_chan   TEXT NOT NULL DEFAULT '',                  -- the channel the file id belongs to
    urgent       INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    status       TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
    send_at      INTEGER NOT NULL,                          -- when it is due
    created_at   INTEGER NOT NULL,
    queued_at    INTEGER,                                   -- its rows were all queued
    done_at      INTEGER,                                   -- no row of it waits any more
    cancelled_at INTEGER,
    cancelled_by TEXT NOT NULL DEFAULT '',
    -- Recipients are queued a window at a time, in chat key order, so the
    -- outbox never holds more of it than a few seconds' sending: cursor is
    -- the last chat key queued, listed_all says the list is through.
    cursor       TEXT NOT NULL DEFAULT '',
    listed_all   INTEGER NOT NULL DEFAULT 0 CHECK (listed_all IN (0, 1)),
    -- Figures, fixed when it is done or cancelled (the outbox rows they
    -- count are purged later): recipients listed so far, rows sent, failed,
    -- stopped (the chat blocked the bot, or was stopped before), cancelled.
    recipients   INTEGER NOT NULL DEFAULT 0,
    sent         INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    stopped      INTEGER NOT NULL DEFAULT 0,
    cancelled    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX announcements_due ON announcements (send_at) WHERE status IN ('scheduled', 'sending');
CREATE INDEX announcements_recent ON announcements (created_at);

-- The villages of each announcement, for the daily limit (a whole-commune
-- announcement counts for every village: '*').
CREATE TABLE announcement_villages (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id),
    village         TEXT NOT NULL CHECK (village <> ''),
    PRIMARY KEY (announcement_id, village)
) STRICT;
CREATE INDEX announcement_villages_village ON announcement_villages (village, announcement_id);

-- The outbox gets a 'cancelled' state (an announcement cancelled while its
-- rows waited). SQLite cannot change a CHECK in place: the table is built
-- again with the same columns, rows and indexes. Nothing references it.
CREATE TABLE outbox_new (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE CHECK (key <> ''),
    recipient   TEXT NOT NULL CHECK (recipient <> ''),
    priority    INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9),
    payload     TEXT NOT NULL CHECK (json_valid(payload)),
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sent', 'failed', 'stopped', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_at     INTEGER NOT NULL,
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    parts_sent  INTEGER NOT NULL DEFAULT 0 CHECK (parts_sent >= 0),
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until INTEGER NOT NULL DEFAULT 0,
    CHECK (status <> 'sent' OR sent_at IS NOT NULL)
) STRICT;
INSERT INTO outbox_new (id, key, recipient, priority, payload, status, attempts, next_at, last_error,
        created_at, sent_at, parts_sent, lease_owner, lease_until)
    SELECT id, key, recipient, priority, payload, status, attempts, next_at, last_error,
        created_at, sent_at, parts_sent, lease_owner, lease_until FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_at, priority) WHERE status = 'queued';
CREATE INDEX outbox_recipient ON outbox (recipient, id) WHERE status = 'queued';
