-- 0014_outbox_parts: how many messages of a row are out. A long reply is
-- sent as several messages (a text split at the platform's limit, a photo
-- then its text); when one fails midway, the retry resumes after the ones
-- that went instead of sending them again.
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0 CHECK (parts_sent >= 0);
