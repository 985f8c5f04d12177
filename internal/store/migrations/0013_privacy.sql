-- 0013_privacy: lookup attempts keyed by a keyed hash of the chat.
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
CREATE INDEX lookup_attempts_at ON lookup_attempts (at);
