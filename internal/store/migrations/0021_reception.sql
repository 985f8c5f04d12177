-- 0021_reception: citizen reception (tiếp công dân). Citizens register for a
-- session of the commune's schedule (reception_registrations, tickets
-- TD-yyMM-seq); the chairman or the official who keeps the reception book
-- records each visit (reception_visits), registered or a walk-in; officials
-- given the book (reception_keepers). Records are facts: nothing here is
-- deleted; a cancellation marks a registration, /xoadulieu empties its chat
-- key, name and phone. Times are INTEGER unix seconds, UTC; days are
-- midnight UTC of the local date. Tables are STRICT.

CREATE TABLE reception_registrations (
    id           INTEGER PRIMARY KEY,
    ticket       TEXT NOT NULL UNIQUE CHECK (ticket <> ''),        -- TD-2612-0003
    period       TEXT NOT NULL CHECK (length(period) = 4),         -- local yyMM of creation
    seq          INTEGER NOT NULL CHECK (seq > 0),
    session_day  INTEGER NOT NULL,                                 -- the session's date
    session_from TEXT NOT NULL,                                    -- "07:30", local
    session_to   TEXT NOT NULL,
    place        TEXT NOT NULL DEFAULT '',
    citizen      TEXT NOT NULL DEFAULT '',                         -- chat key; '' once forgotten
    name         TEXT NOT NULL DEFAULT '',                         -- as the citizen gave it; '' once forgotten
    phone        TEXT NOT NULL DEFAULT '',
    topic        TEXT NOT NULL CHECK (topic IN ('land', 'admin_procedure', 'policy', 'environment',
                                                 'security_order', 'complaint', 'other')),
    body         TEXT NOT NULL CHECK (body <> ''),
    status       TEXT NOT NULL CHECK (status IN ('registered', 'cancelled')),
    created_at   INTEGER NOT NULL,
    cancelled_at INTEGER,
    UNIQUE (period, seq),
    CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL)
) STRICT;

CREATE INDEX reception_registrations_day ON reception_registrations (session_day);
CREATE INDEX reception_registrations_citizen ON reception_registrations (citizen) WHERE citizen <> '';

-- The reception book. A registration has at most one entry; a walk-in has
-- none (registration_id NULL) and its name as the official wrote it.
CREATE TABLE reception_visits (
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER UNIQUE REFERENCES reception_registrations (id),
    day             INTEGER NOT NULL,                              -- when it took place
    kind            TEXT NOT NULL CHECK (kind IN ('periodic', 'adhoc')),
    received        INTEGER NOT NULL CHECK (received IN (0, 1)),   -- 0: registered but did not come
    name            TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL DEFAULT '',
    recorded_by     TEXT NOT NULL CHECK (recorded_by <> ''),       -- official's chat key
    recorded_at     INTEGER NOT NULL,
    CHECK (registration_id IS NOT NULL OR received = 1)
) STRICT;

CREATE INDEX reception_visits_day ON reception_visits (day);

-- Officials who keep the reception book (besides the chairmen): a right
-- granted and revoked by the admin, its history in audits.
CREATE TABLE reception_keepers (
    official_id INTEGER PRIMARY KEY REFERENCES officials (id),
    granted_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;
