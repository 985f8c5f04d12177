-- 0003_outbox: the durable outbox of messages the bot sends on its own
-- initiative (alerts, pushes, apology letters, digests, feedback answers),
-- and the chats that blocked the bot. Every time column is INTEGER unix
-- seconds, UTC; NULL means unset. Tables are STRICT.

-- One row per message. A row is written before anything is sent, so a
-- crash or a restart loses nothing; the worker (internal/outbox) sends the
-- due rows and records the outcome.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE CHECK (key <> ''),          -- idempotency key: queued once
    recipient  TEXT NOT NULL CHECK (recipient <> ''),           -- chat key, e.g. tg:12345
    priority   INTEGER NOT NULL DEFAULT 0
               CHECK (priority BETWEEN 0 AND 9),                 -- 9 answers, 5 alerts, 0 bulk
    payload    TEXT NOT NULL CHECK (json_valid(payload)),        -- the reply as JSON (text, buttons, keyboard)
    status     TEXT NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'sent', 'failed', 'stopped')),
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0), -- send attempts made
    next_at    INTEGER NOT NULL,                                 -- not before; retries move it
    last_error TEXT NOT NULL DEFAULT '',                         -- no personal data
    created_at INTEGER NOT NULL,
    sent_at    INTEGER,
    CHECK (status <> 'sent' OR sent_at IS NOT NULL)
) STRICT;

-- Picking the due rows: queued, next_at passed, highest priority first.
CREATE INDEX outbox_due ON outbox (status, next_at, priority);
-- Stopping a chat's queued rows when it blocks the bot.
CREATE INDEX outbox_recipient ON outbox (recipient, status);

-- Chats that blocked the bot (Telegram 403) or are gone. Nothing is queued
-- to them until the person writes to the bot again.
CREATE TABLE stopped_chats (
    recipient TEXT PRIMARY KEY CHECK (recipient <> ''),         -- chat key, e.g. tg:12345
    at        INTEGER NOT NULL                                  -- when the block was seen
) STRICT;
