-- 0002_officials: the commune's officials, their one-time invite codes, the
-- audit of role changes, and failed invite codes (the guessing limit).

-- Officials (cán bộ, công chức), the chairman and the admin. A row is made by
-- an invite and bound to a chat when the invite code is sent with /dangky.
CREATE TABLE officials (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (name <> ''),                 -- as on dossiers' handler column
    role       TEXT NOT NULL CHECK (role IN ('official', 'chairman', 'admin')),
    fields     TEXT NOT NULL DEFAULT '[]'                        -- JSON array of lĩnh vực
               CHECK (json_valid(fields) AND json_type(fields) = 'array'),
    head       INTEGER NOT NULL DEFAULT 0 CHECK (head IN (0, 1)), -- head of the one-stop shop
    chat_key   TEXT CHECK (chat_key <> ''),                      -- NULL until registered; kept after revoking
    created_at INTEGER NOT NULL,
    bound_at   INTEGER,
    revoked_at INTEGER,
    CHECK ((chat_key IS NULL) = (bound_at IS NULL))
) STRICT;

-- One chat is bound to at most one official that is not revoked; a revoked
-- row keeps its chat_key for the record, so the same person can be invited
-- again (to another role, say) and register from the same chat.
CREATE UNIQUE INDEX officials_chat ON officials (chat_key) WHERE revoked_at IS NULL;

-- One-time registration codes. Only the sha256 of the code is kept.
CREATE TABLE invites (
    code_hash   TEXT PRIMARY KEY CHECK (length(code_hash) = 64),
    official_id INTEGER NOT NULL REFERENCES officials (id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT;

CREATE INDEX invites_official ON invites (official_id);

-- Who did what to whom: role changes and officials' acts on dossiers.
CREATE TABLE audits (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL CHECK (actor <> ''),   -- chat key or 'cli'
    action TEXT NOT NULL CHECK (action <> ''),  -- invite, bind, revoke, extend, …
    target TEXT NOT NULL DEFAULT '',            -- official id, dossier code, …
    detail TEXT NOT NULL DEFAULT ''             -- free text without personal data
) STRICT;

CREATE INDEX audits_at ON audits (at);

-- Wrong invite codes sent from a chat, for the limit on guessing.
CREATE TABLE invite_failures (
    id       INTEGER PRIMARY KEY,
    chat_key TEXT NOT NULL,
    at       INTEGER NOT NULL
) STRICT;

CREATE INDEX invite_failures_chat ON invite_failures (chat_key, at);
