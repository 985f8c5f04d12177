-- 0018_procedure_catalogue: the procedure catalogue as the national portal
-- lists it, loaded by `xabot import procedures`: the fee, the documents to
-- bring, how far it can be done online; the processing time may be unknown
-- (NULL) for a procedure a thin file created. updated_at (unix ms, and
-- always past the greatest before it) lets a running bot see that an
-- import by another process changed the catalogue.
CREATE TABLE procedures_new (
    code       TEXT PRIMARY KEY CHECK (code <> ''),          -- mã TTHC, e.g. 1.001193.000.00.00.H55
    name       TEXT NOT NULL CHECK (name <> ''),
    field      TEXT NOT NULL DEFAULT '',                      -- lĩnh vực
    days       INTEGER CHECK (days >= 0),                     -- working days; 0 = same day; NULL = unknown
    fee        TEXT NOT NULL DEFAULT '',                      -- as the catalogue writes it; '' = not given
    documents  TEXT NOT NULL DEFAULT '',                      -- what to bring, one item a line
    online     INTEGER NOT NULL DEFAULT 0 CHECK (online BETWEEN 0 AND 3), -- domain.Online
    updated_at INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO procedures_new (code, name, field, days)
    SELECT code, CASE WHEN name = '' THEN code ELSE name END, field, days FROM procedures;
DROP TABLE procedures;
ALTER TABLE procedures_new RENAME TO procedures;
CREATE INDEX procedures_updated ON procedures (updated_at);
