-- 0017_inbox_senders: the inbox is taken by sender, not by scanning rows.
-- Each sender with rows waiting has one line here, kept by the triggers
-- below whatever deletes or updates the rows (handling, retries, the
-- retention purge). A take reads the first ready senders in turn order and
-- each one's oldest rows by (channel, grp, id): O(log n) a row however long
-- the backlog, where the earlier take checked every row against all the
-- earlier rows of its sender.
CREATE INDEX inbox_sender ON inbox (channel, grp, id);
DROP INDEX inbox_due;

-- flood_ms: how long the platform's flood waits (a reply's 429) held the
-- row back; they do not use up attempts, up to a bound.
ALTER TABLE inbox ADD COLUMN flood_ms INTEGER NOT NULL DEFAULT 0;

CREATE TABLE inbox_senders (
    channel  TEXT NOT NULL,
    grp      TEXT NOT NULL,     -- '' = senders unknown, one line in arrival order
    waiting  INTEGER NOT NULL,  -- its rows in the inbox (the per-sender budget)
    ready_at INTEGER NOT NULL,  -- unix ms: its oldest row may be taken (retry due, lease over)
    turn     INTEGER NOT NULL,  -- round robin: the lowest is served first; a sender taken goes last
    PRIMARY KEY (channel, grp)
) STRICT, WITHOUT ROWID;
CREATE INDEX inbox_senders_turn ON inbox_senders (channel, turn);

-- Rows waiting per channel: the capacity check reads one line.
CREATE TABLE inbox_totals (
    channel TEXT PRIMARY KEY,
    waiting INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO inbox_senders (channel, grp, waiting, ready_at, turn)
    SELECT channel, grp, count(*), 0, min(id) FROM inbox GROUP BY channel, grp;
UPDATE inbox_senders SET ready_at = (SELECT max(next_at, lease_until) FROM inbox AS i
    WHERE i.channel = inbox_senders.channel AND i.grp = inbox_senders.grp ORDER BY id LIMIT 1);
INSERT INTO inbox_totals (channel, waiting) SELECT channel, count(*) FROM inbox GROUP BY channel;

-- A new sender joins at the back of the turns.
CREATE TRIGGER inbox_put AFTER INSERT ON inbox BEGIN
    INSERT INTO inbox_senders (channel, grp, waiting, ready_at, turn)
        VALUES (NEW.channel, NEW.grp, 1, NEW.next_at,
                (SELECT coalesce(max(turn), 0) + 1 FROM inbox_senders WHERE channel = NEW.channel))
        ON CONFLICT (channel, grp) DO UPDATE SET waiting = waiting + 1;
    INSERT INTO inbox_totals (channel, waiting) VALUES (NEW.channel, 1)
        ON CONFLICT (channel) DO UPDATE SET waiting = waiting + 1;
END;

CREATE TRIGGER inbox_done AFTER DELETE ON inbox BEGIN
    UPDATE inbox_senders SET waiting = waiting - 1,
        ready_at = coalesce((SELECT max(next_at, lease_until) FROM inbox
                             WHERE channel = OLD.channel AND grp = OLD.grp ORDER BY id LIMIT 1), 0)
        WHERE channel = OLD.channel AND grp = OLD.grp;
    DELETE FROM inbox_senders WHERE channel = OLD.channel AND grp = OLD.grp AND waiting <= 0;
    UPDATE inbox_totals SET waiting = waiting - 1 WHERE channel = OLD.channel;
END;

-- A lease, a release or a retry of any row may change when the sender's
-- oldest row can be taken.
CREATE TRIGGER inbox_head AFTER UPDATE OF next_at, lease_until ON inbox BEGIN
    UPDATE inbox_senders SET ready_at = (SELECT max(next_at, lease_until) FROM inbox
                                         WHERE channel = NEW.channel AND grp = NEW.grp ORDER BY id LIMIT 1)
        WHERE channel = NEW.channel AND grp = NEW.grp;
END;
