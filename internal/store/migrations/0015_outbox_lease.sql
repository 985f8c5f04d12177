-- 0015_outbox_lease: a row of the outbox is claimed by one sender before it
-- goes, and each chat's pacing is kept in the database, so that several
-- processes on one database (replicas, a restart after kill -9) send each
-- row once, a chat's rows in order, and never faster than its gap.
--
-- lease_owner is the token of the claim that holds the row ('' = none): only
-- that claim may record the row's outcome, and the row cannot be claimed
-- again before lease_until (unix ms) unless the holder gave it back. A
-- sender that died leaves its lease to run out; another takes the row then.
ALTER TABLE outbox ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;

-- A chat's first queued row (by id) is the only one a sender may claim: the
-- next waits for it, retries included.
DROP INDEX outbox_recipient;
CREATE INDEX outbox_recipient ON outbox (recipient, id) WHERE status = 'queued';

-- The last call to each chat the outbox made, from any process: the next
-- goes no sooner than next_ms (the chat's gap, or the platform's wait after
-- a 429), and among chats with rows due the one served longest ago goes
-- first. A row is forgotten a minute after next_ms; /xoadulieu deletes the
-- chat's at once.
CREATE TABLE outbox_chats (
    recipient TEXT PRIMARY KEY CHECK (recipient <> ''),  -- chat key, e.g. tg:12345
    last_ms   INTEGER NOT NULL,                          -- unix ms: the last call ended
    next_ms   INTEGER NOT NULL                           -- unix ms: nothing to the chat before
) STRICT;
CREATE INDEX outbox_chats_next ON outbox_chats (next_ms);
