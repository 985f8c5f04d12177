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

// `xabot officials list` shows the rights given one by one (announcements,
// the reception book) and those a chairman holds by role; taking a right
// away shows at once.
func TestOfficialsListShowsRights(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	a, err := Open(ctx, testConfig(t), quiet(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, inv := range [][]string{{"--role", "official", "--name", "Trần Thị Hoa", "--field", "Hộ tịch"},
		{"--role", "chairman", "--name", "Nguyễn Chủ Tịch"}} {
		if err := a.Officials(ctx, append([]string{"invite"}, inv...), io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	row := func(name string) string {
		t.Helper()
		var out bytes.Buffer
		if err := a.Officials(ctx, []string{"list"}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "Quyền") {
			t.Errorf("no rights column in\n%s", out.String())
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, name) {
				return l
			}
		}
		t.Fatalf("%s not listed in\n%s", name, out.String())
		return ""
	}
	if l := row("Trần Thị Hoa"); strings.Contains(l, "thông báo") || strings.Contains(l, "sổ tiếp dân") {
		t.Errorf("an official with no right given: %q", l)
	}
	if l := row("Nguyễn Chủ Tịch"); !strings.Contains(l, "thông báo, sổ tiếp dân") {
		t.Errorf("the chairman's rights by role not shown: %q", l)
	}
	for _, args := range [][]string{{"announce", "1", "on"}, {"book", "1", "on"}} {
		if err := a.Officials(ctx, args, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	if l := row("Trần Thị Hoa"); !strings.Contains(l, "thông báo, sổ tiếp dân") {
		t.Errorf("rights given not shown: %q", l)
	}
	if err := a.Officials(ctx, []string{"announce", "1", "off"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if l := row("Trần Thị Hoa"); strings.Contains(l, "thông báo") || !strings.Contains(l, "sổ tiếp dân") {
		t.Errorf("after taking the announcement right away: %q", l)
	}
}
