package app

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// `xabot officials invite --field` takes the commune's fields however they
// are typed (case, accents, spacing), stores the profile's spelling once,
// and refuses a field the profile does not list, with the closest names.
func TestInviteFieldsMatchTheProfile(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	a, err := Open(ctx, testConfig(t), quiet(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	err = a.Officials(ctx, []string{"invite", "--role", "official", "--name", "Trần Thị Hoa",
		"--field", "ho tich", "--field", "Dat dai,  HỘ TỊCH", "--field", "tai nguyen moi truong"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	all, err := a.staff.List(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("officials: %v, %v", all, err)
	}
	if want := []string{"Hộ tịch", "Đất đai", "Tài nguyên - Môi trường"}; !slices.Equal(all[0].Fields, want) {
		t.Errorf("stored fields %q, want %q", all[0].Fields, want)
	}

	for _, tc := range []struct{ typed, want string }{
		{"Ho tic", "Hộ tịch"},                     // a slip: the nearest name
		{"moi truong", "Tài nguyên - Môi trường"}, // a word in common
		{"Giao thông", "Hộ tịch"},                 // nothing close: every field
	} {
		var out bytes.Buffer
		err := a.Officials(ctx, []string{"invite", "--role", "official", "--name", "Lê Văn Bảy", "--field", tc.typed}, &out)
		if err == nil {
			t.Errorf("--field %q was taken", tc.typed)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "«"+tc.typed+"»") || !strings.Contains(msg, tc.want) {
			t.Errorf("--field %q: %q, want the field and %q suggested", tc.typed, msg, tc.want)
		}
	}
	if all, _ := a.staff.List(ctx); len(all) != 1 {
		t.Errorf("a refused invite stored an official: %d", len(all))
	}
}
