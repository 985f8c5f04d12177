//go:build chaos

package chaos

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"xabot/test/chaos/tgstand"
)

// everyMinute are the jobs the commune profile can schedule, all set to run
// every minute beside the push: seven slots a minute.
var everyMinute = []string{"due-soon", "apology-duty", "overdue", "feedback-sla", "weekly-digest", "purge"}

// Two replicas on one Redis and one database for 2.5 minutes, every job
// every minute, and one replica killed (SIGKILL) in the middle of a purge
// (half a million delivered messages past retention: seconds of work),
// then started again: every slot runs once — the killed purge's too, by
// the other replica or the restarted one when the dead claim's lease has
// run out — and none twice. Counted from both processes' logs ("job done"
// by job and slot) and from job_slots.
func TestJobsTwoReplicas(t *testing.T) {
	tg := tgstand.Start(t)
	redis := redisURL(t)
	dir := t.TempDir()
	profile := filepath.Join(dir, "commune.yaml")
	var jobs []string
	for _, j := range everyMinute {
		jobs = append(jobs, fmt.Sprintf("%s: %q", j, "* * * * *"))
	}
	if err := os.WriteFile(profile, []byte("name: xã Thử\njobs: {"+strings.Join(jobs, ", ")+"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XABOT_COMMUNE": profile}
	const token = "6105:jobs"
	a := serve(t, tg, token, filepath.Join(dir, "x.db"), redis, env)
	a.Stop(t) // the schema is there: seed the purge's work
	db, err := sql.Open("sqlite", "file:"+a.DB+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	old := time.Now().Add(-40 * 24 * time.Hour).Unix()
	if _, err := db.Exec(`WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 500000)
		INSERT INTO outbox (key, recipient, priority, payload, status, attempts, next_at, created_at, sent_at)
		SELECT 'old|' || n, 'tg:' || (100000 + n % 5000), 5, '{"text":"x"}', 'sent', 1, ?, ?, ? FROM c`, old, old, old); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a.Start(t)
	b := serve(t, tg, token, a.DB, redis, env)
	procs := map[int]*Xabot{pid(a): a, pid(b): b}

	// The first purge: kill whichever replica holds it while it runs.
	killed, slot := killPurgeHolder(t, db, procs)
	t.Logf("killed pid %d in the purge of %s, %.1f s after the start", killed, time.Unix(slot, 0).Format("15:04"), time.Since(start).Seconds())
	time.Sleep(5 * time.Second)
	procs[killed].Start(t)

	time.Sleep(time.Until(start.Add(150 * time.Second)))
	a.Stop(t)
	b.Stop(t)

	runs := map[string]int{} // "job@slot" → runs seen in the logs
	for _, x := range []*Xabot{a, b} {
		for k, n := range jobsDone(t, x.LogPath) {
			runs[k] += n
		}
	}
	var twice []string
	for k, n := range runs {
		if n > 1 {
			twice = append(twice, fmt.Sprintf("%s ×%d", k, n))
		}
	}
	sort.Strings(twice)
	purge := "purge@" + time.Unix(slot, 0).UTC().Format(time.RFC3339)
	if runs[purge] != 1 {
		t.Errorf("the purge slot the kill interrupted ran %d times after it, want 1", runs[purge])
	}
	// Every minute both replicas were up for, each job has a slot done.
	rows, err := db.Query(`SELECT job, slot, done_at IS NOT NULL FROM job_slots`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var job string
		var s int64
		var ok bool
		if err := rows.Scan(&job, &s, &ok); err != nil {
			t.Fatal(err)
		}
		done[job+"@"+time.Unix(s, 0).UTC().Format(time.RFC3339)] = ok
	}
	var missing []string
	first, last := start.Add(time.Minute).Truncate(time.Minute), start.Add(140*time.Second).Truncate(time.Minute)
	for m := first; !m.After(last); m = m.Add(time.Minute) {
		for _, j := range append([]string{"push"}, everyMinute...) {
			k := j + "@" + m.UTC().Format(time.RFC3339)
			if !done[k] || runs[k] != 1 {
				missing = append(missing, fmt.Sprintf("%s (done %v, ran %d)", k, done[k], runs[k]))
			}
		}
	}
	t.Logf("two replicas, %.0f s: %d slots run, %d twice %v; %d minutes × 7 jobs checked, %d not run once %v",
		time.Since(start).Seconds(), len(runs), len(twice), twice, int(last.Sub(first)/time.Minute)+1, len(missing), missing)
	if len(twice) > 0 {
		t.Errorf("%d slots ran twice: %v", len(twice), twice)
	}
	if len(missing) > 0 {
		t.Errorf("%d slots not run exactly once: %v", len(missing), missing)
	}
}

func pid(x *Xabot) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.cmd.Process.Pid
}

// killPurgeHolder waits for a purge to be claimed and kills the process
// whose claim it is (its token starts host/pid/) while the purge runs.
func killPurgeHolder(t *testing.T, db *sql.DB, procs map[int]*Xabot) (pid int, slot int64) {
	t.Helper()
	deadline := time.Now().Add(80 * time.Second)
	for time.Now().Before(deadline) {
		var owner string
		err := db.QueryRow(`SELECT owner, slot FROM job_slots WHERE job = 'purge' AND done_at IS NULL AND lease_until > 0`).Scan(&owner, &slot)
		if err == nil {
			parts := strings.Split(owner, "/")
			if len(parts) < 2 {
				t.Fatalf("claim token %q", owner)
			}
			pid, _ = strconv.Atoi(parts[1])
			x, ok := procs[pid]
			if !ok {
				t.Fatalf("the purge is held by %q, neither replica", owner)
			}
			x.Kill(t)
			return pid, slot
		}
		if err != sql.ErrNoRows {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no purge was claimed within 80 s")
	return 0, 0
}

// jobsDone counts the "job done" lines of a JSON log by job and slot (the
// minute of "at", UTC).
func jobsDone(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct{ Msg, Job, At string }
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Msg != "job done" {
			continue
		}
		at, err := time.Parse(time.RFC3339, l.At)
		if err != nil {
			t.Fatalf("job done at %q: %v", l.At, err)
		}
		out[l.Job+"@"+at.Truncate(time.Minute).UTC().Format(time.RFC3339)]++
	}
	return out
}
