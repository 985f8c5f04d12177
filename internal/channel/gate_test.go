package channel

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"xabot/internal/channel/pace"
)

// A paced call counts in the window from when its request was written, not
// from its slow answer: the next call waits a second and Slack after the
// write. Counted at the end, it would wait 800 ms more.
func TestGateCountsTheWrite(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		time.Sleep(800 * time.Millisecond)
	}))
	defer srv.Close()
	g := Gate[int]{Chats: pace.New[int](0), Global: pace.NewWindow(1), Now: time.Now}
	err := g.Send(t.Context(), 1, true, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
		if err != nil {
			return err
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now()
	turn, err := g.Global.Take(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	turn.End(time.Now())
	if d := time.Since(end); d > 600*time.Millisecond {
		t.Errorf("the next call waited %v after the slow one ended, want about 250 ms (a second and Slack after its write)", d)
	}
}
