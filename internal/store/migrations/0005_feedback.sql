-- 0005_feedback: citizens' feedback and petitions (phản ánh, kiến nghị),
-- complaints (khiếu nại) and denunciations (tố cáo), and their history.
-- Every time column is INTEGER unix seconds, UTC; NULL means unset. Due
-- dates are dates: midnight UTC of the local due day. Tables are STRICT.

CREATE TABLE feedback (
    id             INTEGER PRIMARY KEY,
    ticket         TEXT NOT NULL UNIQUE CHECK (ticket <> ''),      -- PA-2611-0042
    kind           TEXT NOT NULL CHECK (kind IN ('feedback', 'complaint', 'denunciation')),
    period         TEXT NOT NULL CHECK (length(period) = 4),       -- local yyMM of creation
    seq            INTEGER NOT NULL CHECK (seq > 0),               -- per kind and period
    category       TEXT NOT NULL CHECK (category IN ('admin_procedure', 'staff_attitude', 'roads_lighting',
                                                     'environment_waste', 'security_order', 'land', 'other')),
    body           TEXT NOT NULL CHECK (body <> ''),               -- the citizen's text, kept after anonymising
    anonymous      INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    citizen        TEXT NOT NULL DEFAULT '',                       -- sender's chat key; '' once anonymised
    photos         TEXT NOT NULL DEFAULT '[]'                      -- JSON array of platform file ids
                   CHECK (json_valid(photos) AND json_type(photos) = 'array'),
    lat            REAL CHECK (lat BETWEEN -90 AND 90),
    lon            REAL CHECK (lon BETWEEN -180 AND 180),
    status         TEXT NOT NULL CHECK (status IN ('new', 'taken', 'more_requested', 'answered',
                                                   'reopened', 'refused', 'closed')),
    owner          TEXT NOT NULL DEFAULT '',                       -- official's chat key; '' = nobody
    answer         TEXT NOT NULL DEFAULT '',
    refuse_reason  TEXT NOT NULL DEFAULT '',
    more_request   TEXT NOT NULL DEFAULT '',
    supplement     TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    taken_at       INTEGER,
    answered_at    INTEGER,
    closed_at      INTEGER,
    due_refuse     INTEGER,
    due_more       INTEGER,
    due_answer     INTEGER,
    updated_at     INTEGER NOT NULL,
    UNIQUE (kind, period, seq),
    CHECK ((lat IS NULL) = (lon IS NULL)),
    -- The law needs a complainant's or denouncer's identity.
    CHECK (anonymous = 0 OR kind = 'feedback'),
    CHECK (status NOT IN ('refused', 'closed') OR closed_at IS NOT NULL)
) STRICT;

CREATE INDEX feedback_citizen ON feedback (citizen, created_at) WHERE citizen <> '';  -- mine, throttle, forget
CREATE INDEX feedback_open ON feedback (created_at) WHERE status NOT IN ('refused', 'closed');
CREATE INDEX feedback_owner ON feedback (owner) WHERE owner <> '';

-- Who did what when. detail never holds personal data: no texts, and the
-- citizen appears only as 'citizen'.
CREATE TABLE feedback_events (
    id          INTEGER PRIMARY KEY,
    feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL CHECK (actor <> ''),     -- official's chat key, 'citizen' or 'system'
    action      TEXT NOT NULL CHECK (action <> ''),    -- created, take, answer, more, supplement, refuse, forward, rate
    from_status TEXT NOT NULL DEFAULT '',              -- '' for created
    to_status   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX feedback_events_feedback ON feedback_events (feedback_id, id);
