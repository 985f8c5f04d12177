package app

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"xabot/internal/domain"
)

const syncToken = "sync-token-0123456789"

// syncApp is an App with the sync API on (token "" = off), a dossier
// followed by a citizen and a status change not yet pushed: any push scan
// queues a notice.
func syncApp(t *testing.T, token string) *App {
	t.Helper()
	ctx := t.Context()
	a := openApp(t, map[string]string{"XABOT_SYNC_TOKEN": token})
	now := time.Now().UTC().Truncate(time.Second)
	d := domain.Dossier{Code: "H55.20-261118-0003", ProcedureName: "Đăng ký khai sinh", Field: "Hộ tịch",
		Phone: "0905123456", Intake: domain.IntakeDirect, Status: domain.StatusInProgress,
		ReceivedAt: now.Add(-48 * time.Hour), DueAt: now.Add(48 * time.Hour)}
	if _, err := a.db.UpsertDossier(ctx, d, "import"); err != nil {
		t.Fatal(err)
	}
	stored, err := a.db.DossierByCode(ctx, d.Code)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.dossiers.Follow(ctx, "tg:5", stored); err != nil {
		t.Fatal(err)
	}
	d.Status, d.FinishedAt = domain.StatusDone, now
	if _, err := a.db.UpsertDossier(ctx, d, "import"); err != nil {
		t.Fatal(err)
	}
	return a
}

func queued(t *testing.T, a *App) int {
	t.Helper()
	n, err := a.db.OutboxCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n[domain.OutQueued]
}

func post(h http.Handler, auth, body string) int {
	r := httptest.NewRequest(http.MethodPost, "/api/v1/dossiers", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// No work before the bearer check: a request without the token, with a
// wrong one, or to an API switched off runs no push scan; an authorized
// request that changes nothing neither; one that changes a dossier does.
func TestSyncAPIPushesOnlyAfterAnAuthorizedChange(t *testing.T) {
	change := `[{"code":"H55.20-261118-0003","procedure_name":"Đăng ký khai sinh","field":"Hộ tịch",
		"applicant_phone":"0905123456","channel":"direct","received_at":"2026-11-18","due_at":"2026-11-27",
		"status":4,"handler":"Trần Thị Hoa"}]`
	for _, tt := range []struct {
		name, token, auth, body string
		status                  int
	}{
		{"no token", syncToken, "", change, http.StatusUnauthorized},
		{"wrong token", syncToken, "Bearer wrong-token-0123456789", change, http.StatusUnauthorized},
		{"API off", "", "Bearer " + syncToken, change, http.StatusNotFound},
		{"not JSON", syncToken, "Bearer " + syncToken, "code=1", http.StatusBadRequest},
		{"a bad item only", syncToken, "Bearer " + syncToken, `[{"code":"x"}]`, http.StatusOK},
	} {
		a := syncApp(t, tt.token)
		if got := post(a.mux(), tt.auth, tt.body); got != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.status)
		}
		if n := queued(t, a); n != 0 {
			t.Errorf("%s: %d notices queued: the push scan ran", tt.name, n)
		}
	}
	a := syncApp(t, syncToken)
	if got := post(a.mux(), "Bearer "+syncToken, change); got != http.StatusOK {
		t.Fatalf("authorized change: status %d", got)
	}
	if n := queued(t, a); n == 0 {
		t.Error("an authorized change queued no push")
	}
}

func TestHTTPServerLimits(t *testing.T) {
	srv := newHTTPServer("127.0.0.1:0", http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("server limits: header %v, read %v, write %v, idle %v; want all set",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	if webhookTimeout >= srv.ReadTimeout {
		t.Errorf("webhooks get %v, the server %v: a webhook must be cut off sooner", webhookTimeout, srv.ReadTimeout)
	}
}

// A webhook caller that sends its headers and then dawdles is cut off at
// the webhook's deadline, not the server's.
func TestWebhookCallIsCutOff(t *testing.T) {
	got := make(chan error, 1)
	h := quick(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		got <- err
	}), 200*time.Millisecond)
	srv := httptest.NewUnstartedServer(h)
	srv.Config = newHTTPServer("", h)
	srv.Start()
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /webhook/telegram HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"update_id\":"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	select {
	case err := <-got:
		if err == nil {
			t.Error("the body read succeeded: nothing cut the caller off")
		}
	case <-ctx.Done():
		t.Fatal("a dawdling webhook caller was never cut off")
	}
}
