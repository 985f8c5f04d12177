package notify_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"xabot/internal/commune"
	"xabot/internal/domain"
)

// followers sets up who follows dossier d (phone 0905123456) and who must
// not hear about it; it returns the chats that must.
func followers(t *testing.T, f *fixture, d domain.Dossier, other domain.Dossier) []string {
	t.Helper()
	ctx := t.Context()
	t0 := at(2026, 11, 20, 10, 0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// tg:8001 subscribed explicitly (no citizen record needed).
	must(f.db.Subscribe(ctx, d.ID, "tg:8001", "lookup", t0))
	// tg:8002 consented and verified the dossier's phone.
	must(f.db.SetConsent(ctx, "tg:8002", t0))
	must(f.db.SetVerifiedPhone(ctx, "tg:8002", d.Phone, t0))
	// tg:8003 likewise, but unsubscribed from this dossier.
	must(f.db.SetConsent(ctx, "tg:8003", t0))
	must(f.db.SetVerifiedPhone(ctx, "tg:8003", d.Phone, t0))
	must(f.db.Unsubscribe(ctx, d.ID, "tg:8003", t0))
	// tg:8004 verified the phone but never consented.
	must(f.db.SetVerifiedPhone(ctx, "tg:8004", d.Phone, t0))
	// tg:8005 subscribed, then unsubscribed.
	must(f.db.Subscribe(ctx, d.ID, "tg:8005", "lookup", t0))
	must(f.db.Unsubscribe(ctx, d.ID, "tg:8005", t0.Add(time.Hour)))
	// tg:8006 consented with another phone.
	must(f.db.SetConsent(ctx, "tg:8006", t0))
	must(f.db.SetVerifiedPhone(ctx, "tg:8006", "0912000111", t0))
	// tg:8007 follows another dossier.
	must(f.db.Subscribe(ctx, other.ID, "tg:8007", "lookup", t0))
	// tg:8008 consented, verified, then withdrew consent.
	must(f.db.SetConsent(ctx, "tg:8008", t0))
	must(f.db.SetVerifiedPhone(ctx, "tg:8008", d.Phone, t0))
	must(f.db.SetConsent(ctx, "tg:8008", time.Time{}))
	return []string{"tg:8001", "tg:8002"}
}

func (f *fixture) byCode(t *testing.T, c string) domain.Dossier {
	t.Helper()
	d, err := f.db.DossierByCode(t.Context(), c)
	if err != nil {
		t.Fatalf("DossierByCode(%s): %v", c, err)
	}
	return d
}

// lastEvent is the id of the newest dossier event.
func (f *fixture) lastEvent(t *testing.T) int64 {
	t.Helper()
	evs, err := f.db.EventsAfter(t.Context(), 0, 100000)
	if err != nil || len(evs) == 0 {
		t.Fatalf("EventsAfter = %d events, %v", len(evs), err)
	}
	return evs[len(evs)-1].ID
}

func (f *fixture) push(t *testing.T) (int, []domain.Notice) {
	t.Helper()
	n, err := f.svc.PushChanges(t.Context())
	if err != nil {
		t.Fatalf("PushChanges: %v", err)
	}
	return n, f.rec.take()
}

func checkCursor(t *testing.T, f *fixture) {
	t.Helper()
	cur, err := f.db.Cursor(t.Context(), "push")
	if err != nil {
		t.Fatal(err)
	}
	if last := f.lastEvent(t); cur != last {
		t.Errorf("cursor %d, want the last event %d", cur, last)
	}
	if n, again := f.push(t); n != 0 || len(again) != 0 {
		t.Errorf("second PushChanges sent %d: %v", n, keys(again))
	}
}

func unsubOK(t *testing.T, n domain.Notice, canon string) {
	t.Helper()
	stop := domain.Intent{Kind: domain.IntentUnsubscribe, Ref: canon}
	if len(n.Buttons) != 1 || n.Buttons[0].Key != "push.unsubscribe" || n.Buttons[0].Intent != stop {
		t.Errorf("%s: buttons %+v, want one %+v", n.Key, n.Buttons, stop)
	}
}

func TestPushChangesStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const stored = "h55.20-261102-7" // canonical: H55.20-261102-0007
	canon := domain.CanonicalCode(stored)
	d := dossier(stored, domain.StatusNew, due(11, 26))
	other := dossier("H55.20-261102-0099", domain.StatusInProgress, due(11, 26))
	other.Phone = "0977000000"
	f.put(t, d, other)
	d = f.byCode(t, stored)
	want := followers(t, f, d, f.byCode(t, other.Code))

	// The "created" events are not pushed.
	if n, got := f.push(t); n != 0 || len(got) != 0 {
		t.Fatalf("created events pushed: %d %v", n, keys(got))
	}
	checkCursor(t, f)

	office := commune.Default().Office
	// Every change of status is pushed; a move back to work says what the
	// citizen did (paid, supplemented); a new note in the same status is
	// pushed as a note, a cleared one is not.
	steps := []struct {
		status  domain.Status
		note    string
		pushed  bool
		resumed string // the line a move back to work adds
	}{
		{domain.StatusAccepted, "", true, ""},
		{domain.StatusInProgress, "", true, ""},
		{domain.StatusSupplementRequested, "Bổ sung bản sao giấy chứng sinh", true, ""},
		{domain.StatusSupplementRequested, "Bổ sung bản chính giấy chứng sinh", true, "note"},
		{domain.StatusSupplementRequested, "", false, ""},
		{domain.StatusInProgress, "", true, "push.supplemented"},
		{domain.StatusPaymentRequired, "Nộp lệ phí 8.000 đồng", true, ""},
		{domain.StatusInProgress, "", true, "push.paid"},
		{domain.StatusDone, "Mời nhận kết quả", true, ""},
		{domain.StatusReturned, "", true, ""},
	}
	for _, s := range steps {
		t.Run(fmt.Sprintf("to %d %s %q", s.status, s.status, s.note), func(t *testing.T) {
			d.Status, d.Note = s.status, s.note
			if s.status.Ended() {
				d.FinishedAt = at(2026, 11, 25, 9, 0)
			}
			f.put(t, d)
			ev := f.lastEvent(t)
			n, got := f.push(t)
			if !s.pushed {
				if n != 0 || len(got) != 0 {
					t.Errorf("pushed %d: %v", n, keys(got))
				}
				checkCursor(t, f)
				return
			}
			if n != len(want) || !slices.Equal(recipients(got), want) {
				t.Fatalf("pushed %d to %v, want %v", n, recipients(got), want)
			}
			st := strconv.Itoa(int(s.status))
			wantLines := []string{"push.status", "status." + st + ".explain"}
			switch s.resumed {
			case "note":
				wantLines = []string{"push.note"}
			case "":
			default:
				wantLines = []string{"push.status", s.resumed, "status." + st + ".explain"}
			}
			if s.note != "" {
				wantLines = append(wantLines, "lookup.card.note")
			}
			if s.status == domain.StatusDone {
				wantLines = append(wantLines, "push.collect")
			}
			wantLines = append(wantLines, "status."+st+".next")
			for _, g := range got {
				if k := "push|" + strconv.FormatInt(ev, 10) + "|" + g.To; g.Key != k {
					t.Errorf("key %q, want %q", g.Key, k)
				}
				if g.Priority != domain.PriorityAlert || !slices.Equal(lineKeys(g), wantLines) {
					t.Errorf("%s: priority %d lines %v, want %v", g.Key, g.Priority, lineKeys(g), wantLines)
				}
				if a := g.Lines[0].Args; a["code"] != stored || a["procedure"] != "Đăng ký khai sinh" {
					t.Errorf("push.status args %v", a)
				}
				for _, l := range g.Lines {
					switch l.Key {
					case "lookup.card.note":
						if l.Args["note"] != s.note {
							t.Errorf("note %v, want %q", l.Args, s.note)
						}
					case "push.collect":
						if l.Args["office"] != office {
							t.Errorf("office %v, want %q", l.Args, office)
						}
					}
				}
				unsubOK(t, g, canon)
			}
			checkCursor(t, f)
		})
	}
}

func TestPushChangesExtended(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const c = "H55.20-261102-0008"
	d := dossier(c, domain.StatusInProgress, due(11, 26))
	other := dossier("H55.20-261102-0099", domain.StatusInProgress, due(11, 26))
	other.Phone = "0977000000"
	f.put(t, d, other)
	d = f.byCode(t, c)
	want := followers(t, f, d, f.byCode(t, other.Code))
	f.push(t) // past events

	const reason = "Cần xác minh thực địa"
	if _, err := f.db.ExtendDossier(t.Context(), c, due(12, 1), reason, "bot", wed); err != nil {
		t.Fatalf("ExtendDossier: %v", err)
	}
	ev := f.lastEvent(t)
	n, got := f.push(t)
	if n != len(want) || !slices.Equal(recipients(got), want) {
		t.Fatalf("pushed %d to %v, want %v", n, recipients(got), want)
	}
	for _, g := range got {
		if k := "push|" + strconv.FormatInt(ev, 10) + "|" + g.To; g.Key != k {
			t.Errorf("key %q, want %q", g.Key, k)
		}
		// Mẫu 04: numbered and dated, «Kính gửi» the applicant by name.
		wantLines := []domain.Line{
			domain.L("apology.letter.head", "number", strconv.FormatInt(ev, 10), "day", "25", "month", "11", "year", "2026"),
			domain.L("apology.letter.to", "name", d.ApplicantName),
			domain.L("apology.letter.body", "code", c, "procedure", "Đăng ký khai sinh", "received", "02/11/2026",
				"old", "26/11/2026", "new", "01/12/2026", "reason", reason),
		}
		if fmt.Sprint(g.Lines) != fmt.Sprint(wantLines) {
			t.Errorf("lines %+v\nwant %+v", g.Lines, wantLines)
		}
		unsubOK(t, g, c)
	}
	checkCursor(t, f)

	// A second extension is refused by the store, and so never pushed.
	if _, err := f.db.ExtendDossier(t.Context(), c, due(12, 3), "lần hai", "bot", wed); err == nil {
		t.Error("second ExtendDossier accepted")
	}
	checkCursor(t, f)
}

// TestPushChangesPages: a status change behind more than one page (500)
// of events that are not pushed is still found in the same call.
func TestPushChangesPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var ds []domain.Dossier
	for i := 1; i <= 620; i++ {
		d := dossier(fmt.Sprintf("H55.20-261102-%04d", i), domain.StatusInProgress, due(11, 26))
		d.Phone = fmt.Sprintf("09050%05d", i)
		ds = append(ds, d)
	}
	if _, err := f.db.UpsertDossiers(t.Context(), ds, "import"); err != nil {
		t.Fatal(err)
	}
	last := f.byCode(t, "H55.20-261102-0620")
	if err := f.db.Subscribe(t.Context(), last.ID, "tg:8001", "lookup", wed); err != nil {
		t.Fatal(err)
	}
	last.Status, last.FinishedAt = domain.StatusDone, wed
	f.put(t, last)
	n, got := f.push(t)
	if n != 1 || len(got) != 1 || got[0].To != "tg:8001" {
		t.Fatalf("pushed %d: %v", n, keys(got))
	}
	checkCursor(t, f)
}

// A code too long for a button's data (an odd import) is pushed without
// the unsubscribe button, not with data the platform would refuse.
func TestPushLongCodeNoButton(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	long := "HS-" + strings.Repeat("7", domain.MaxRef)
	d := dossier(long, domain.StatusNew, due(11, 26))
	other := dossier("H55.20-261102-0099", domain.StatusInProgress, due(11, 26))
	other.Phone = "0977000000"
	f.put(t, d, other)
	d = f.byCode(t, long)
	want := followers(t, f, d, f.byCode(t, other.Code))
	f.push(t) // the creations
	d.Status = domain.StatusAccepted
	f.put(t, d)
	n, got := f.push(t)
	if n != len(want) || !slices.Equal(recipients(got), want) {
		t.Fatalf("pushed %d to %v, want %v", n, recipients(got), want)
	}
	for _, g := range got {
		if len(g.Buttons) != 0 || g.Lines[0].Args["code"] != long {
			t.Errorf("%s: buttons %+v, code %q", g.Key, g.Buttons, g.Lines[0].Args["code"])
		}
	}
}
