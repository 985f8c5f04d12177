package syncapi

import (
	"encoding/json"
	"strings"
	"testing"

	"xabot/internal/domain"
)

// A bad value comes back in the item's error clipped: a client that posts
// a 1,500-character date does not get it back (past intake.MaxFieldRunes
// the value is refused as too long without being said back at all).
func TestErrorValuesAreClipped(t *testing.T) {
	e := newEnv(t, token)
	wall := strings.Repeat("9", 1500)
	resp, out := e.post(t, token, jsonType, body(t, item("H55.20-250602-0001", map[string]any{"received_at": wall})))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	res := results(t, out)
	if len(res) != 1 || res[0]["outcome"] != "error" {
		t.Fatalf("results = %v", res)
	}
	b, _ := json.Marshal(res[0]["args"])
	if strings.Contains(string(b), strings.Repeat("9", domain.ArgLimit+1)) || !strings.Contains(string(b), "999…") {
		t.Errorf("args = %.300s: the value is not clipped", b)
	}
}
