-- 0010_meta: facts about the database itself, one row each: what created it
-- ("kind" = "demo" for the database `xabot demo` made and may reset), an
-- instance id, and the keys xabot generates for keyed hashes. Values are
-- written once (INSERT OR IGNORE) and never change.
CREATE TABLE meta (
    key        TEXT PRIMARY KEY CHECK (key <> ''),
    value      TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
