-- 0006_ratings: citizens' satisfaction ratings of their dossiers (đánh giá
-- mức độ hài lòng, Decree 118/2025 Art. 29–33). Every time column is INTEGER
-- unix seconds, UTC. Tables are STRICT.

-- One rating per dossier; the citizen may change it, which replaces level,
-- criteria and comment and moves updated_at (created_at stays). The
-- criteria of Art. 33(1) are optional yes/no answers: NULL = not answered.
-- rater is the chat key, kept only so /xoadulieu can erase it: it becomes ''
-- and the anonymous rating stays for the commune's statistics.
CREATE TABLE ratings (
    dossier_id     INTEGER PRIMARY KEY REFERENCES dossiers (id) ON DELETE CASCADE,
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),  -- 5 rất hài lòng … 1 rất không hài lòng
    on_time        INTEGER CHECK (on_time IN (0, 1)),               -- (a) result by the appointment?
    trips          INTEGER CHECK (trips IN (0, 1)),                 -- (c) more than one trip?
    staff_attitude INTEGER CHECK (staff_attitude IN (0, 1)),        -- (đ) staff polite?
    extra_fees     INTEGER CHECK (extra_fees IN (0, 1)),            -- (e) fees beyond the rules?
    info_accuracy  INTEGER CHECK (info_accuracy IN (0, 1)),         -- (d) published information accurate?
    comment        TEXT NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    rater          TEXT NOT NULL DEFAULT '',                        -- chat key; '' once anonymised
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- Erasing a person's ratings (/xoadulieu).
CREATE INDEX ratings_rater ON ratings (rater) WHERE rater <> '';
