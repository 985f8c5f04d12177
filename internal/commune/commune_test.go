package commune

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"xabot/internal/domain"
)

func TestDefault(t *testing.T) {
	p := Default()
	if p.Name != "xã Hành Dũng" || p.Province != "Quảng Ngãi" || p.AgencyCode != "H55.20" {
		t.Errorf("name, province, agency = %q, %q, %q", p.Name, p.Province, p.AgencyCode)
	}
	if len(p.Villages) != 7 {
		t.Errorf("%d villages, want 7: %v", len(p.Villages), p.Villages)
	}
	if len(p.Fields) != 11 {
		t.Errorf("%d fields, want 11: %v", len(p.Fields), p.Fields)
	}
	for what, v := range map[string]string{"office": p.Office, "office_hours": p.OfficeHours, "reception": p.Reception} {
		if strings.TrimSpace(v) == "" {
			t.Errorf("%s is empty", what)
		}
	}
	if !strings.Contains(p.Reception, "Thứ Năm") {
		t.Errorf("reception %q: want Thursday", p.Reception)
	}
	if p.SLA != DefaultSLA() {
		t.Errorf("SLA = %+v, want %+v", p.SLA, DefaultSLA())
	}
	for _, job := range []string{JobDueSoon, JobApologyDuty, JobOverdue} {
		if got := p.JobSpec(job, "x"); got != DefaultJobSpec {
			t.Errorf("JobSpec(%q) = %q, want %q", job, got, DefaultJobSpec)
		}
	}
	if len(p.Holidays) != 0 || len(p.Workdays) != 0 {
		t.Errorf("demo profile overrides the national calendar: %v %v", p.Holidays, p.Workdays)
	}
	rt := p.Routing()
	if r := rt[domain.CatLand]; !reflect.DeepEqual(r.Fields, []string{"Đất đai"}) || r.Head || r.Chairman {
		t.Errorf("demo routes land to %+v", r)
	}
	if r := rt[domain.CatSecurityOrder]; !r.Chairman || len(r.Fields) != 0 {
		t.Errorf("demo routes security_order to %+v", r)
	}
	for _, c := range domain.Categories() {
		if _, listed := p.FeedbackRouting[string(c)]; listed != c.Routable() {
			t.Errorf("demo.yaml lists %s: %t, want %t", c, listed, c.Routable())
		}
	}
}

// A profile without a routing table routes as the defaults do; one that
// lists some categories keeps the defaults of the others.
func TestRoutingDefaults(t *testing.T) {
	p, err := Parse([]byte("name: x\nfields: [Địa chính]\nfeedback_routing:\n  land: {fields: [dia chinh], head: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rt := p.Routing()
	def := DefaultRouting()
	if r := rt[domain.CatLand]; !reflect.DeepEqual(r, domain.FeedbackRoute{Fields: []string{"dia chinh"}, Head: true}) {
		t.Errorf("land: %+v", r)
	}
	if !reflect.DeepEqual(rt[domain.CatRoadsLighting], def[domain.CatRoadsLighting]) {
		t.Errorf("roads_lighting: %+v, want the default %+v", rt[domain.CatRoadsLighting], def[domain.CatRoadsLighting])
	}
	bare, err := Parse([]byte("name: x"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(bare.Routing(), def) {
		t.Errorf("no table: %+v, want %+v", bare.Routing(), def)
	}
}

// The demo profile's villages and fields are those of internal/demo.
func TestDefaultMatchesDemoCatalog(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "demo", "catalog.go"))
	if err != nil {
		t.Fatal("internal/demo not found:", err)
	}
	src := string(b)
	for _, s := range append(Default().Villages, Default().Fields...) {
		if !strings.Contains(src, `"`+s+`"`) {
			t.Errorf("%q is not in internal/demo/catalog.go", s)
		}
	}
}

func TestLoad(t *testing.T) {
	p, err := Load(filepath.Join("testdata", "commune.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "xã Ví Dụ" || !reflect.DeepEqual(p.Villages, []string{"Thôn 1", "Thôn 2"}) {
		t.Errorf("name %q, villages %v", p.Name, p.Villages)
	}
	if want := (SLA{RefuseDays: 2, SupplementDays: 5, AnswerDays: 10, PublishDays: 2}); p.SLA != want {
		t.Errorf("SLA = %+v, want %+v (unset clocks keep their defaults)", p.SLA, want)
	}
	jobs := []struct{ name, def, want string }{
		{JobOverdue, DefaultJobSpec, "0 8 * * 1-5"}, // overridden
		{JobDueSoon, "1 1 * * *", DefaultJobSpec},   // the profile default kept
		{"digest", "0 17 * * MON", "0 17 * * FRI"},  // a job of the commune's own
		{"backup", "0 2 * * *", "0 2 * * *"},        // not set: the caller's default
		{"due-soon ", "0 2 * * *", "0 2 * * *"},     // names are exact
	}
	for _, tc := range jobs {
		if got := p.JobSpec(tc.name, tc.def); got != tc.want {
			t.Errorf("JobSpec(%q, %q) = %q, want %q", tc.name, tc.def, got, tc.want)
		}
	}
	wantHol := []time.Time{day(2026, 1, 2), day(2026, 9, 1)}
	wantWork := []time.Time{day(2026, 1, 10), day(2026, 9, 3)}
	for i, d := range p.Holidays {
		if !d.Equal(wantHol[i]) {
			t.Errorf("holidays[%d] = %s, want %s", i, d, wantHol[i].Format(time.DateOnly))
		}
	}
	for i, d := range p.Workdays {
		if !d.Equal(wantWork[i]) {
			t.Errorf("workdays[%d] = %s, want %s", i, d, wantWork[i].Format(time.DateOnly))
		}
	}
	cal, err := p.Calendar()
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsWorkingDay(day(2026, 1, 2)) || !cal.IsWorkingDay(day(2026, 1, 10)) || !cal.IsWorkingDay(day(2026, 9, 3)) {
		t.Error("the profile's days do not override the national calendar")
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	path := filepath.Join("testdata", "bad.yaml")
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load(bad.yaml) succeeded")
	}
	want := []string{
		"line 3: field nmae not found",
		"name is required",
		"line 5: sla.refuse_days is -1",
		`line 8: jobs.overdue: "30 7 * *" has 4 fields`,
		`line 10: "2026-02-30" is not a date`,
		`line 13: "31/13/2026" is not a date`,
		"line 14: 2026-01-02 is listed both in holidays and in workdays",
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("err is not a joined error: %v", err)
	}
	errs := joined.Unwrap()
	if len(errs) != len(want) {
		t.Errorf("%d errors, want %d:\n%v", len(errs), len(want), err)
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("missing %q in:\n%s", w, msg)
		}
	}
	for _, e := range errs {
		if !strings.HasPrefix(e.Error(), path+": ") {
			t.Errorf("error %q does not name the file", e)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings; nil means no error
	}{
		{"minimal", "name: xã A", nil},
		{"empty", "", []string{"name is required"}},
		{"blank name", "name: '  '", []string{"line 1: name is required"}},
		{"syntax", "name: [a", []string{"yaml:"}},
		{"zero clocks are fine", "name: x\nsla: {refuse_days: 0, publish_days: 0}", nil},
		{"negative clocks", "name: x\nsla: {answer_days: -2, publish_days: -1}", []string{"sla.answer_days is -2", "sla.publish_days is -1"}},
		{"not a number", "name: x\nsla: {answer_days: mười}", []string{"line 2: cannot unmarshal"}},
		{"six-field cron", "name: x\njobs: {overdue: '0 30 7 * * *'}", []string{"line 2: jobs.overdue", "6 fields"}},
		{"empty cron", "name: x\njobs:\n  digest:\n", []string{"line 3: jobs.digest", "0 fields"}},
		{"a date mapping", "name: x\nholidays:\n  - {date: 2026-01-02}\n", []string{"line 3: want a date"}},
		{"both lists", "name: x\nholidays: [2026-01-02]\nworkdays: [02/01/2026]", []string{"line 3: 2026-01-02 is listed both"}},
		{"unknown nested key", "name: x\nsla: {answer: 3}", []string{"line 2: field answer not found"}},
		{"a routing table", "name: x\nfields: [Đất đai]\nfeedback_routing:\n  land: {fields: [Đất đai]}\n  other: {chairman: true}", nil},
		{"routing: unknown key of a route", "name: x\nfeedback_routing:\n  land: {heads: true}", []string{"line 3: field heads not found"}},
		{"routing: fields without a profile list", "name: x\nfeedback_routing:\n  land: {fields: [Đất đai]}", []string{`field "Đất đai" is not one of the profile's fields`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// Every problem of a routing table is reported at once, in the file's order.
func TestRoutingErrors(t *testing.T) {
	_, err := Parse([]byte("name: x\nfields: [Đất đai, Xây dựng]\nfeedback_routing:\n" +
		"  weather: {head: true}\n" +
		"  staff_attitude: {fields: [Xây dựng]}\n" +
		"  denunciation: {head: true}\n" +
		"  land: {}\n" +
		"  roads_lighting:\n    fields:\n      - Xây dựng\n      - Giao thông\n"))
	want := []string{
		`line 4: feedback_routing: unknown category "weather" (want one of admin_procedure, roads_lighting, environment_waste, security_order, land, other)`,
		"line 5: feedback_routing.staff_attitude: complaints, denunciations and feedback about staff attitude go only to the head of the one-stop shop and the chairman; they cannot be routed",
		"line 6: feedback_routing.denunciation: complaints, denunciations and feedback about staff attitude go only to the head of the one-stop shop and the chairman; they cannot be routed",
		"line 7: feedback_routing.land names nobody: give fields, head: true or chairman: true",
		`line 11: feedback_routing.roads_lighting: field "Giao thông" is not one of the profile's fields`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not exist", err)
	}
}

func TestParseDay(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero: an error
	}{
		{"2026-01-02", day(2026, 1, 2)},
		{"02/01/2026", day(2026, 1, 2)},
		{"2/1/2026", day(2026, 1, 2)},
		{" 24/11/2026 ", day(2026, 11, 24)},
		{"2028-02-29", day(2028, 2, 29)},
		{"2026-02-29", time.Time{}},
		{"31/02/2026", time.Time{}},
		{"2026/01/02", time.Time{}},
		{"01-02-2026", time.Time{}},
		{"2026-1-2", time.Time{}},
		{"", time.Time{}},
	}
	for _, tc := range tests {
		got, err := ParseDay(tc.in)
		switch {
		case tc.want.IsZero() && err == nil:
			t.Errorf("ParseDay(%q) = %s, want an error", tc.in, got)
		case !tc.want.IsZero() && (err != nil || got.Time != tc.want):
			t.Errorf("ParseDay(%q) = %v, %v; want %s", tc.in, got.Time, err, tc.want.Format(time.DateOnly))
		}
	}
}

// A profile written out reads back the same.
func TestProfileRoundTrip(t *testing.T) {
	p := Default()
	p.Holidays = []Day{DayOf(day(2026, 1, 2))}
	p.Workdays = []Day{DayOf(time.Date(2026, 1, 10, 15, 4, 0, 0, time.UTC))}
	b, err := yaml.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "- \"2026-01-10\"") && !strings.Contains(string(b), "- 2026-01-10") {
		t.Errorf("workday not written as a date:\n%s", b)
	}
	q, err := Parse(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip differs:\n%+v\n%+v", p, q)
	}
}

// The embedded default table routes every routable category to somebody
// and nothing else.
func TestDefaultRoutingComplete(t *testing.T) {
	rt := DefaultRouting()
	for _, c := range domain.Categories() {
		r, ok := rt[c]
		if ok != c.Routable() || (ok && r.Empty()) {
			t.Errorf("routing.yaml: %s: %+v listed %t, want a route iff routable (%t)", c, r, ok, c.Routable())
		}
	}
	if len(rt) != len(domain.Categories())-1 || len(rt[domain.CatRoadsLighting].Fields) == 0 {
		t.Errorf("routing.yaml: %+v", rt)
	}
}
