package syncapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/notify"
)

// notices records the pushes notify queues.
type notices []domain.Notice

func (n *notices) Notify(_ context.Context, x domain.Notice) (bool, error) {
	*n = append(*n, x)
	return true, nil
}

type noStaff struct{}

func (noStaff) List(context.Context) ([]domain.Official, error) { return nil, nil }

// TestStatusOnlyItem: the one-door system sends just the code, the new
// status and its time; the dossier is updated (nothing else lost), the
// change is an event and a push to the citizen who follows it.
func TestStatusOnlyItem(t *testing.T) {
	e := newEnv(t, token)
	const code = "H55.20-250602-0001"
	if resp, out := e.post(t, token, jsonType, body(t, item(code, map[string]any{"village": "An Hòa", "note": "chờ ký"}))); resp.StatusCode != http.StatusOK || out["created"] != 1.0 {
		t.Fatalf("first post: %d %v", resp.StatusCode, out)
	}
	d, err := e.db.DossierByCode(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Subscribe(t.Context(), d.ID, "tg:9001", "lookup", time.Now()); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	var sent notices
	push := notify.New(e.db, noStaff{}, &sent, domain.NewCalendar(nil, nil), loc, "Bộ phận Một cửa", slog.New(slog.DiscardHandler))
	if _, err := push.PushChanges(t.Context()); err != nil {
		t.Fatal(err)
	}
	sent = nil

	resp, out := e.post(t, token, jsonType, `[{"code": "`+code+`", "status": 9, "finished_at": "2025-06-03 09:00", "applicant_name": null}]`)
	if resp.StatusCode != http.StatusOK || out["updated"] != 1.0 || out["errors"] != 0.0 {
		t.Fatalf("status-only post: %d %v", resp.StatusCode, out)
	}
	got, err := e.db.DossierByCode(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.StatusDone || got.ApplicantName != "Nguyễn Thị Hoa" || got.Village != "An Hòa" ||
		got.Phone != "0905123456" || got.ProcedureName != "Đăng ký khai sinh" {
		t.Errorf("dossier = %+v", got)
	}
	evs, _ := e.db.DossierEvents(t.Context(), d.ID)
	if last := evs[len(evs)-1]; last.Kind != "status" || last.To != domain.StatusDone || last.Source != Source {
		t.Errorf("events = %+v", evs)
	}
	if _, err := push.PushChanges(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].To != "tg:9001" || sent[0].Lines[0].Key != "push.status" {
		t.Errorf("pushes = %+v, want one status push to tg:9001", sent)
	}

	// "" clears an optional field, as "-" in a file; a required one stays.
	resp, out = e.post(t, token, jsonType, `[{"code": "`+code+`", "village": "", "applicant_phone": ""}]`)
	if res := results(t, out); resp.StatusCode != http.StatusOK || res[0]["error"] != "import.cannot_clear" {
		t.Errorf("clearing the phone: %d %v", resp.StatusCode, out)
	}
	resp, out = e.post(t, token, jsonType, `[{"code": "`+code+`", "village": ""}]`)
	if resp.StatusCode != http.StatusOK || out["updated"] != 1.0 {
		t.Errorf("clearing the village: %d %v", resp.StatusCode, out)
	}
	if got, _ := e.db.DossierByCode(t.Context(), code); got.Village != "" || got.Phone != "0905123456" {
		t.Errorf("after clearing: village %q, phone kept %v", got.Village, got.Phone != "")
	}
}

// TestSyncExtension: an extension made in the bot is not undone by items
// without it, an earlier one is left and reported, a later one is taken
// and reported; the dossier keeps one "extended" event.
func TestSyncExtension(t *testing.T) {
	e := newEnv(t, token)
	const code = "H55.20-250602-0001"
	if resp, _ := e.post(t, token, jsonType, body(t, item(code, map[string]any{"due_at": "05/06/2025"}))); resp.StatusCode != http.StatusOK {
		t.Fatal(resp.Status)
	}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if _, err := e.db.ExtendDossier(t.Context(), code, time.Date(2025, 6, 10, 0, 0, 0, 0, loc), "chờ xác minh", "bot:tg:1", time.Now()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		item    string
		outcome string
		notice  string
		due     string // the extended date in force after, local
	}{
		{`{"code": "` + code + `", "status": 4, "extended_due_at": null}`, "unchanged", "", "10/06/2025"},
		{`{"code": "` + code + `", "extended_due_at": ""}`, "unchanged", "", "10/06/2025"},
		{`{"code": "` + code + `", "extended_due_at": "2025-06-09"}`, "unchanged", "import.extension_kept", "10/06/2025"},
		{`{"code": "` + code + `", "extended_due_at": "2025-06-13", "extension_reason": "chờ huyện"}`, "updated",
			"import.extension_moved", "13/06/2025"},
	}
	for _, st := range steps {
		resp, out := e.post(t, token, jsonType, "["+st.item+"]")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", st.item, resp.StatusCode)
		}
		res := results(t, out)[0]
		var notice string
		if ns, ok := res["notices"].([]any); ok && len(ns) == 1 {
			notice, _ = ns[0].(map[string]any)["key"].(string)
		}
		if res["outcome"] != st.outcome || notice != st.notice {
			b, _ := json.Marshal(res)
			t.Errorf("%s: result %s, want %s with notice %q", st.item, b, st.outcome, st.notice)
		}
		d, _ := e.db.DossierByCode(t.Context(), code)
		if got := d.ExtendedDueAt.In(loc).Format("02/01/2006"); got != st.due {
			t.Errorf("%s: extended to %s, want %s", st.item, got, st.due)
		}
	}
	d, _ := e.db.DossierByCode(t.Context(), code)
	evs, _ := e.db.DossierEvents(t.Context(), d.ID)
	n := 0
	for _, ev := range evs {
		if ev.Kind == "extended" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d extended events, want 1: %+v", n, evs)
	}
}
