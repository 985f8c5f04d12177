-- Citizens told when their dossier moves, scheduled jobs' bookkeeping.

-- A chat that follows a dossier: after a successful lookup (source
-- 'lookup'), or implicitly through a verified phone (see Subscribers).
-- unsubscribed_at set = the citizen asked to stop; kept so the implicit
-- phone match does not bring them back.
CREATE TABLE subscriptions (
	dossier_id      INTEGER NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
	chat_key        TEXT    NOT NULL,
	source          TEXT    NOT NULL,
	created_at      INTEGER NOT NULL,         -- unix seconds, UTC
	unsubscribed_at INTEGER,                  -- unix seconds, UTC; NULL = active
	PRIMARY KEY (dossier_id, chat_key)
) STRICT;
CREATE INDEX subscriptions_chat ON subscriptions (chat_key);

-- The last time each scheduled job ran to completion, as the time it ran
-- "as of" (its scheduled time, or --at): catch-up after downtime reads it.
CREATE TABLE job_runs (
	name    TEXT PRIMARY KEY,
	last_at INTEGER NOT NULL                  -- unix seconds, UTC
) STRICT;

-- Positions of readers of append-only tables (the status pushes read
-- dossier_events after 'push').
CREATE TABLE cursors (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;
