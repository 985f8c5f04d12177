-- 0001_init: dossiers, their history, procedures, chat identities and lookup
-- attempts. Every time column is INTEGER unix seconds, UTC; NULL means unset.
-- Tables are STRICT so a wrong Go type fails loudly instead of being coerced.

-- The procedures (thủ tục hành chính, TTHC) the commune handles.
CREATE TABLE procedures (
    code  TEXT PRIMARY KEY CHECK (code <> ''),          -- mã TTHC, e.g. 1.001193.000.00.00.H55
    name  TEXT NOT NULL,
    field TEXT NOT NULL DEFAULT '',                      -- lĩnh vực
    days  INTEGER NOT NULL DEFAULT 0 CHECK (days >= 0)   -- processing time in working days; 0 = same day
) STRICT;

-- Dossiers (hồ sơ) as the province's one-door system knows them.
CREATE TABLE dossiers (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL CHECK (code <> ''),                 -- as issued
    code_key         TEXT NOT NULL UNIQUE CHECK (code_key <> ''),      -- domain.CanonicalCode(code)
    procedure_code   TEXT NOT NULL DEFAULT '',
    procedure_name   TEXT NOT NULL DEFAULT '',
    field            TEXT NOT NULL DEFAULT '',
    applicant_name   TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',                         -- normalised, 0905123456
    -- Only the last four digits of the ID number are ever kept.
    id_last4         TEXT NOT NULL DEFAULT ''
                     CHECK (length(id_last4) IN (0, 4) AND id_last4 NOT GLOB '*[^0-9]*'),
    village          TEXT NOT NULL DEFAULT '',                         -- thôn
    intake           INTEGER NOT NULL CHECK (intake BETWEEN 1 AND 3),  -- 1 direct, 2 online, 3 postal
    status           INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10), -- one-door status codes
    received_at      INTEGER NOT NULL,
    due_at           INTEGER,                                          -- ngày hẹn trả
    finished_at      INTEGER,                                          -- processing ended
    returned_at      INTEGER,                                          -- result handed over
    extended_due_at  INTEGER,                                          -- new date after an apology
    extension_reason TEXT NOT NULL DEFAULT '',
    handler          TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL,                                 -- last write by xabot
    -- End states (not accepted, withdrawn, stopped, done, returned) need finished_at.
    CHECK (status NOT IN (3, 7, 8, 9, 10) OR finished_at IS NOT NULL)
) STRICT;

CREATE INDEX dossiers_phone ON dossiers (phone);
CREATE INDEX dossiers_status_due ON dossiers (status, due_at);  -- overdue and due-soon scans
CREATE INDEX dossiers_received ON dossiers (received_at);       -- reports by period
CREATE INDEX dossiers_field ON dossiers (field);

-- Every change of a dossier, in order.
CREATE TABLE dossier_events (
    id          INTEGER PRIMARY KEY,
    dossier_id  INTEGER NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind <> ''),                  -- created, status, extended
    from_status INTEGER CHECK (from_status BETWEEN 1 AND 10),      -- NULL when not a status change
    to_status   INTEGER CHECK (to_status BETWEEN 1 AND 10),
    note        TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT ''                           -- import, sync, demo, bot
) STRICT;

CREATE INDEX dossier_events_dossier ON dossier_events (dossier_id, at);

-- Chat identities and what each person agreed to link to them.
CREATE TABLE citizens (
    key               TEXT PRIMARY KEY CHECK (key <> ''),          -- chat.UserKey, e.g. tg:12345
    lang              TEXT NOT NULL DEFAULT '',                    -- '' = not chosen
    consent_at        INTEGER,                                     -- NULL = no consent
    phone             TEXT,                                        -- verified by contact sharing
    phone_verified_at INTEGER,
    role              TEXT NOT NULL DEFAULT 'citizen'
                      CHECK (role IN ('citizen', 'official', 'chairman', 'admin')),
    created_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX citizens_phone ON citizens (phone) WHERE phone IS NOT NULL;

-- Second-factor checks, for the per-user lockout and for codes being guessed.
CREATE TABLE lookup_attempts (
    id       INTEGER PRIMARY KEY,
    user_key TEXT NOT NULL,
    code     TEXT NOT NULL,                      -- canonical dossier code
    ok       INTEGER NOT NULL CHECK (ok IN (0, 1)),
    at       INTEGER NOT NULL
) STRICT;

CREATE INDEX lookup_attempts_user ON lookup_attempts (user_key, at);
CREATE INDEX lookup_attempts_code ON lookup_attempts (code, at);
