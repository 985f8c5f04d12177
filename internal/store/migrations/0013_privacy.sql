-- 0013_privacy: lookup attempts keyed by a keyed hash of the chat, and the
-- outbox's indexes shaped for the retention purge.
--
-- Lookup attempts no longer name the chat: chat_hash is HMAC-SHA256 of the
-- chat key under the database's "lookup" secret (meta "secret:lookup"), so
-- withdrawing consent (/xoadulieu) leaves nothing that names the person,
-- while the guessing limits still count that chat's attempts. SQLite cannot
-- compute the HMAC, so the old rows are dropped rather than converted: they
-- only served a lockout of at most a day (a chat locked at the moment of the
-- upgrade may try again).
DROP TABLE lookup_attempts;

CREATE TABLE lookup_attempts (
    id        INTEGER PRIMARY KEY,
    chat_hash TEXT NOT NULL CHECK (length(chat_hash) = 64),  -- hex HMAC-SHA256 of the chat key
    code      TEXT NOT NULL,                                  -- canonical dossier code; '' when unknown
    outcome   TEXT NOT NULL CHECK (outcome IN ('ok', 'wrong', 'unknown')),
    at        INTEGER NOT NULL                                -- unix seconds, UTC
) STRICT;

CREATE INDEX lookup_attempts_chat ON lookup_attempts (chat_hash, at);
CREATE INDEX lookup_attempts_code ON lookup_attempts (code, at) WHERE outcome = 'wrong';

-- The worker and StopChat only look for queued rows: indexing only those
-- keeps the indexes small, and deleting a done row (the purge) no longer
-- touches them; with them whole, purging 1,000,000 rows took 5 times as
-- long. The purge itself needs no index: it deletes by ranges of ids.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_at, priority) WHERE status = 'queued';
DROP INDEX outbox_recipient;
CREATE INDEX outbox_recipient ON outbox (recipient) WHERE status = 'queued';
