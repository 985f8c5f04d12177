-- 0022_announcement_photos: the bytes of an announcement's photo, fetched
-- once from the author's platform, so that recipients on another channel get
-- it too: Zalo by an unguessable URL (token) under XABOT_PUBLIC_URL,
-- Telegram by one upload whose file id (tg_file_id) is then reused. A row
-- without data records a fetch that failed (the text went alone). The
-- retention purge deletes a row 7 days after its announcement is done or
-- cancelled (domain.AnnouncementPhotoKeep); the media endpoint refuses it
-- from then already. Times are INTEGER unix seconds, UTC. STRICT.

CREATE TABLE announcement_photos (
    id         INTEGER PRIMARY KEY REFERENCES announcements (id) ON DELETE CASCADE, -- the announcement's id
    token      TEXT NOT NULL UNIQUE CHECK (length(token) >= 20),
    data       BLOB,                                 -- NULL: the fetch failed
    mime       TEXT NOT NULL DEFAULT '',
    tg_file_id TEXT NOT NULL DEFAULT '',             -- Telegram's file id of the first upload
    fetched_at INTEGER NOT NULL
) STRICT;
