package syncapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"xabot/internal/service/intake"
)

// The sync API holds each item to the import's bounds: an over-long value,
// a control character in a code or an item of too many keys is refused on
// its own, by its index, and the other items are stored.
func TestItemBounds(t *testing.T) {
	e := newEnv(t, token)
	wide := item("H55.20-250602-0005", nil)
	for i := range intake.MaxColumns {
		wide[fmt.Sprintf("x%d", i)] = "1"
	}
	longCode := strings.Repeat("A", intake.MaxCodeRunes+50)
	b := body(t,
		item("H55.20-250602-0001", nil),
		item("H55.20-250602-0002", map[string]any{"note": strings.Repeat("ệ", intake.MaxFieldRunes+1)}),
		item("H55.20-250602\u0000-0003", nil),
		item(longCode, nil),
		wide,
		item("H55.20-250602-0006", map[string]any{"note": strings.Repeat("ệ", intake.MaxFieldRunes)}),
	)
	resp, out := e.post(t, token, jsonType, b)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, out)
	}
	want := []string{
		`{"code":"H55.20-250602-0001","index":0,"outcome":"created"}`,
		`{"args":{"column":"note","max":"2000"},"code":"H55.20-250602-0002","error":"import.too_long","index":1,"outcome":"error"}`,
		`{"args":{"column":"code"},"code":"H55.20-250602\u0000-0003","error":"import.control_char","index":2,"outcome":"error"}`,
		`{"args":{"column":"code","max":"200"},"code":"` + strings.Repeat("A", intake.MaxCodeRunes-1) + `…","error":"import.too_long","index":3,"outcome":"error"}`,
		`{"args":{"max":"100"},"code":"H55.20-250602-0005","error":"import.too_many_columns","index":4,"outcome":"error"}`,
		`{"code":"H55.20-250602-0006","index":5,"outcome":"created"}`,
	}
	res := results(t, out)
	if len(res) != len(want) {
		t.Fatalf("results = %v", res)
	}
	for i, w := range want {
		if got, _ := json.Marshal(res[i]); string(got) != w {
			t.Errorf("result %d = %s, want %s", i, got, w)
		}
	}
	if n := e.count(t); n != 2 {
		t.Errorf("CountDossiers = %d, want 2", n)
	}
}
