-- 0016_job_slots: each run of a scheduled job is for one slot (the minute it
-- was scheduled for, or the minute of a hand run's "as of"), and a slot is
-- claimed in the database before it runs, so that any number of processes
-- on one database (replicas, a restart, a catch-up) run it once.
--
-- A claim is held by owner until lease_until (unix ms), renewed while the
-- run lasts: a process that died leaves it to run out, and another takes the
-- slot then. A run that failed gives the claim back (owner '', lease 0) for
-- the next start's catch-up; one that succeeded sets done_at, and the slot
-- is not claimed again (but by an operator's `xabot jobs run … --again`).
-- The purge deletes rows some weeks old (by id, as it walks every table).
CREATE TABLE job_slots (
    id          INTEGER PRIMARY KEY,
    job         TEXT    NOT NULL CHECK (job <> ''),
    slot        INTEGER NOT NULL,         -- unix seconds, UTC, a whole minute
    owner       TEXT    NOT NULL,         -- the claim's token; '' = given back
    lease_until INTEGER NOT NULL,         -- unix ms; 0 = not held
    done_at     INTEGER,                  -- unix seconds, UTC: the last run ended; NULL = never
    UNIQUE (job, slot)
) STRICT;
-- A claim asks whether any run of the job is live (runs of one job never
-- overlap).
CREATE INDEX job_slots_live ON job_slots (job, lease_until);
