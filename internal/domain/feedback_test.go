package domain_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh without the system's zoneinfo

	"xabot/internal/commune"
	"xabot/internal/domain"
)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

func calendar(t *testing.T) *domain.Calendar {
	t.Helper()
	cal, err := commune.Default().Calendar()
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func local(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, hcm) }

// legal is every (action, from) → to the state machine allows; every other
// pair must be refused with a *TransitionError.
var legal = map[string]map[domain.FeedbackStatus]domain.FeedbackStatus{
	"take": {domain.FeedbackNew: domain.FeedbackTaken, domain.FeedbackReopened: domain.FeedbackTaken},
	"answer": {domain.FeedbackNew: domain.FeedbackAnswered, domain.FeedbackTaken: domain.FeedbackAnswered,
		domain.FeedbackReopened: domain.FeedbackAnswered},
	"more":       {domain.FeedbackNew: domain.FeedbackMoreRequested, domain.FeedbackTaken: domain.FeedbackMoreRequested},
	"supplement": {domain.FeedbackMoreRequested: domain.FeedbackTaken},
	"refuse":     {domain.FeedbackNew: domain.FeedbackRefused, domain.FeedbackTaken: domain.FeedbackRefused},
	"helpful":    {domain.FeedbackAnswered: domain.FeedbackClosed},
	"unhelpful":  {domain.FeedbackAnswered: domain.FeedbackReopened},
	"forward": {domain.FeedbackNew: domain.FeedbackNew, domain.FeedbackTaken: domain.FeedbackTaken,
		domain.FeedbackMoreRequested: domain.FeedbackMoreRequested, domain.FeedbackReopened: domain.FeedbackReopened},
}

func TestFeedbackTransitions(t *testing.T) {
	at := local(2026, 11, 25, 9)
	do := map[string]func(*domain.Feedback) error{
		"take":       func(f *domain.Feedback) error { return f.Take("tg:2", at) },
		"answer":     func(f *domain.Feedback) error { return f.Answer("tg:2", " Đã sửa đèn. ", at) },
		"more":       func(f *domain.Feedback) error { return f.RequestMore("tg:2", "Cột đèn số mấy?", at) },
		"supplement": func(f *domain.Feedback) error { return f.Supplement("Cột số 12") },
		"refuse":     func(f *domain.Feedback) error { return f.Refuse("tg:2", "Không thuộc thẩm quyền xã", at) },
		"helpful":    func(f *domain.Feedback) error { return f.MarkHelpful(true, "tg:9", at) },
		"unhelpful":  func(f *domain.Feedback) error { return f.MarkHelpful(false, "tg:9", at) },
		"forward":    func(f *domain.Feedback) error { return f.Forward("tg:3") },
	}
	for action, fn := range do {
		for _, from := range domain.FeedbackStatuses() {
			t.Run(action+"/"+string(from), func(t *testing.T) {
				f := domain.Feedback{Ticket: "PA-2611-0001", Kind: domain.KindFeedback, Status: from, Owner: "tg:1"}
				err := fn(&f)
				want, ok := legal[action][from]
				if !ok {
					var te *domain.TransitionError
					if !errors.As(err, &te) || !errors.Is(err, domain.ErrConflict) || te.From != from || f.Status != from {
						t.Fatalf("err %v, status %s; want a TransitionError from %s", err, f.Status, from)
					}
					return
				}
				if err != nil || f.Status != want {
					t.Fatalf("err %v, status %s; want %s", err, f.Status, want)
				}
				switch action {
				case "take":
					if f.Owner != "tg:2" || !f.TakenAt.Equal(at) {
						t.Errorf("owner %q taken %v", f.Owner, f.TakenAt)
					}
				case "answer":
					if f.AnswerText != "Đã sửa đèn." || !f.AnsweredAt.Equal(at) {
						t.Errorf("answer %q at %v", f.AnswerText, f.AnsweredAt)
					}
				case "refuse", "helpful":
					if !f.ClosedAt.Equal(at) {
						t.Errorf("closed %v", f.ClosedAt)
					}
				case "unhelpful":
					if f.Owner != "tg:9" || !f.ClosedAt.IsZero() {
						t.Errorf("owner %q closed %v; want the head, open", f.Owner, f.ClosedAt)
					}
				case "forward":
					if f.Owner != "tg:3" {
						t.Errorf("owner %q", f.Owner)
					}
				case "supplement":
					if f.SupplementText != "Cột số 12" {
						t.Errorf("supplement %q", f.SupplementText)
					}
				}
			})
		}
	}
}

func TestFeedbackTransitionDetails(t *testing.T) {
	at := local(2026, 11, 25, 9)
	invalid := func(t *testing.T, err error, key string) {
		t.Helper()
		var ie *domain.InvalidError
		if !errors.As(err, &ie) || ie.Key != key {
			t.Errorf("err %v, want %s", err, key)
		}
	}
	t.Run("answering an untaken message takes it", func(t *testing.T) {
		f := domain.Feedback{Status: domain.FeedbackNew}
		if err := f.Answer("tg:2", "Đã xử lý xong", at); err != nil || f.Owner != "tg:2" || !f.TakenAt.Equal(at) {
			t.Errorf("err %v owner %q taken %v", err, f.Owner, f.TakenAt)
		}
	})
	t.Run("a head answering a taken message keeps the owner", func(t *testing.T) {
		f := domain.Feedback{Status: domain.FeedbackTaken, Owner: "tg:1", TakenAt: at.Add(-time.Hour)}
		if err := f.Answer("tg:9", "Đã xử lý xong", at); err != nil || f.Owner != "tg:1" {
			t.Errorf("err %v owner %q", err, f.Owner)
		}
	})
	t.Run("supplement without an owner goes back to new", func(t *testing.T) {
		f := domain.Feedback{Status: domain.FeedbackMoreRequested}
		if err := f.Supplement("thêm"); err != nil || f.Status != domain.FeedbackNew {
			t.Errorf("err %v status %s", err, f.Status)
		}
	})
	t.Run("supplements accumulate", func(t *testing.T) {
		f := domain.Feedback{Status: domain.FeedbackMoreRequested, Owner: "tg:1", SupplementText: "một"}
		if err := f.Supplement("hai"); err != nil || f.SupplementText != "một\n\nhai" {
			t.Errorf("err %v supplement %q", err, f.SupplementText)
		}
	})
	t.Run("empty texts", func(t *testing.T) {
		for name, fn := range map[string]func(*domain.Feedback) error{
			"answer":     func(f *domain.Feedback) error { return f.Answer("tg:1", "  ", at) },
			"more":       func(f *domain.Feedback) error { return f.RequestMore("tg:1", "", at) },
			"refuse":     func(f *domain.Feedback) error { return f.Refuse("tg:1", "\n", at) },
			"supplement": func(f *domain.Feedback) error { f.Status = domain.FeedbackMoreRequested; return f.Supplement(" ") },
		} {
			f := domain.Feedback{Status: domain.FeedbackTaken, Owner: "tg:1"}
			err := fn(&f)
			invalid(t, err, "feedback.reply_empty")
			if f.Status != domain.FeedbackTaken && f.Status != domain.FeedbackMoreRequested {
				t.Errorf("%s changed the status to %s", name, f.Status)
			}
		}
	})
	t.Run("too long", func(t *testing.T) {
		f := domain.Feedback{Status: domain.FeedbackTaken}
		invalid(t, f.Answer("tg:1", strings.Repeat("ư", domain.MaxFeedbackText+1), at), "feedback.reply_too_long")
		if f.Status != domain.FeedbackTaken {
			t.Errorf("status %s", f.Status)
		}
		if err := f.Answer("tg:1", strings.Repeat("ư", domain.MaxFeedbackText), at); err != nil {
			t.Errorf("answer of %d runes: %v", domain.MaxFeedbackText, err)
		}
	})
	t.Run("forward to the owner", func(t *testing.T) {
		f := domain.Feedback{Ticket: "PA-2611-0001", Status: domain.FeedbackTaken, Owner: "tg:1"}
		invalid(t, f.Forward("tg:1"), "feedback.forward_same")
		invalid(t, f.Forward(""), "feedback.no_owner")
	})
	t.Run("complaints are not rated", func(t *testing.T) {
		for _, k := range []domain.FeedbackKind{domain.KindComplaint, domain.KindDenunciation} {
			f := domain.Feedback{Kind: k, Status: domain.FeedbackAnswered}
			invalid(t, f.MarkHelpful(false, "tg:9", at), "feedback.no_rating")
		}
	})
}

func TestTickets(t *testing.T) {
	tests := []struct {
		kind domain.FeedbackKind
		at   time.Time
		last int
		want string
	}{
		{domain.KindFeedback, local(2026, 11, 5, 9), 41, "PA-2611-0042"},
		{domain.KindComplaint, local(2026, 11, 5, 9), 0, "KN-2611-0001"},
		{domain.KindDenunciation, local(2027, 1, 1, 0), 9, "TC-2701-0010"},
		{domain.KindFeedback, time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC), 0, "PA-2612-0001"}, // 1/12 00:30 local
		{domain.KindFeedback, local(2026, 12, 1, 9), 9999, "PA-2612-10000"},
	}
	for _, tt := range tests {
		if got := domain.NextTicket(tt.kind, tt.at, hcm, tt.last); got != tt.want {
			t.Errorf("NextTicket(%s, %v, %d) = %q, want %q", tt.kind, tt.at, tt.last, got, tt.want)
		}
		if got, ok := domain.ParseTicket(tt.want); !ok || got != tt.want {
			t.Errorf("ParseTicket(%q) = %q, %t", tt.want, got, ok)
		}
	}
	parse := []struct {
		in, want string
	}{
		{"PA-2611-0042", "PA-2611-0042"},
		{" pa 2611 42 ", "PA-2611-0042"},
		{"kn-2611-7", "KN-2611-0007"},
		{"TC26110100", "TC-2611-0100"},
		{"pa.2611.0042", "PA-2611-0042"},
		{"XX-2611-0042", ""},
		{"PA-2613-0042", ""}, // no 13th month
		{"PA-2611-0000", ""},
		{"PA-2611", ""},
		{"PA-2611-12345678", ""},
		{"PA-26l1-0042", ""},
		{"", ""},
		{"H55.20-250501-0001", ""},
		{strings.Repeat("PA", 30), ""},
	}
	for _, tt := range parse {
		got, ok := domain.ParseTicket(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("ParseTicket(%q) = %q, %t; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, k := range domain.FeedbackKinds() {
		if !k.Valid() || len(k.Prefix()) != 2 {
			t.Errorf("kind %s: prefix %q", k, k.Prefix())
		}
	}
	if domain.FeedbackKind("petition").Valid() {
		t.Error("unknown kind valid")
	}
}

func TestClocks(t *testing.T) {
	cal := calendar(t)
	sla := domain.DefaultFeedbackSLA()
	tests := []struct {
		name                 string
		kind                 domain.FeedbackKind
		created              time.Time
		sla                  domain.FeedbackSLA
		refuse, more, answer time.Time
	}{
		// Fri 20/11: the weekend, then Tue 24/11 (Ngày Văn hóa Việt Nam) are off.
		{name: "Friday across the weekend and the 24/11 holiday", kind: domain.KindFeedback, created: local(2026, 11, 20, 10), sla: sla,
			refuse: date(2026, 11, 25), more: date(2026, 11, 30), answer: date(2026, 12, 14)},
		{name: "Saturday counts from Monday", kind: domain.KindFeedback, created: local(2026, 11, 21, 10), sla: sla,
			refuse: date(2026, 11, 26), more: date(2026, 12, 1), answer: date(2026, 12, 15)},
		{name: "on the holiday", kind: domain.KindFeedback, created: local(2026, 11, 24, 10), sla: sla,
			refuse: date(2026, 11, 27), more: date(2026, 12, 2), answer: date(2026, 12, 16)},
		{name: "local date, not UTC: Sun 22/11 18:00 UTC is Mon 23/11 01:00", kind: domain.KindFeedback,
			created: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC), sla: sla,
			refuse: date(2026, 11, 26), more: date(2026, 12, 1), answer: date(2026, 12, 15)},
		{name: "profile clocks 1/3/10", kind: domain.KindFeedback, created: local(2026, 11, 20, 10),
			sla:    domain.FeedbackSLA{RefuseDays: 1, MoreDays: 3, AnswerDays: 10},
			refuse: date(2026, 11, 23), more: date(2026, 11, 26), answer: date(2026, 12, 7)},
		{name: "complaint: 10 calendar days", kind: domain.KindComplaint, created: local(2026, 11, 20, 10), sla: sla,
			answer: date(2026, 11, 30)},
		{name: "complaint: a Sunday last day moves to Monday", kind: domain.KindComplaint, created: local(2026, 11, 19, 10), sla: sla,
			answer: date(2026, 11, 30)},
		{name: "complaint: the 24/11 holiday moves to Wednesday", kind: domain.KindComplaint, created: local(2026, 11, 14, 10), sla: sla,
			answer: date(2026, 11, 25)},
		{name: "denunciation: 5 working days", kind: domain.KindDenunciation, created: local(2026, 11, 20, 10), sla: sla,
			answer: date(2026, 11, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := domain.Clocks(tt.kind, tt.created, cal, hcm, tt.sla)
			if !c.Refuse.Equal(tt.refuse) || !c.More.Equal(tt.more) || !c.Answer.Equal(tt.answer) {
				t.Errorf("Clocks = %s %s %s; want %s %s %s", d(c.Refuse), d(c.More), d(c.Answer), d(tt.refuse), d(tt.more), d(tt.answer))
			}
			due, ok := domain.LegalClock(tt.kind, tt.created, cal, hcm)
			if ok != tt.kind.Legal() || (ok && !due.Equal(tt.answer)) {
				t.Errorf("LegalClock = %s, %t", d(due), ok)
			}
		})
	}
}

func d(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("02/01/2006")
}

func TestRunningAndOverdue(t *testing.T) {
	f := domain.Feedback{Kind: domain.KindFeedback, Status: domain.FeedbackNew,
		DueRefuse: date(2026, 11, 25), DueMore: date(2026, 11, 30), DueAnswer: date(2026, 12, 14)}
	names := func(f domain.Feedback) string {
		var out []string
		for _, c := range f.Running() {
			out = append(out, c.Name)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		edit    func(*domain.Feedback)
		running string
	}{
		{func(*domain.Feedback) {}, "refuse,more,answer"},
		{func(f *domain.Feedback) { f.Status = domain.FeedbackTaken }, "more,answer"},
		{func(f *domain.Feedback) { f.Status, f.MoreRequest = domain.FeedbackTaken, "số nhà?" }, "answer"},
		{func(f *domain.Feedback) { f.Status = domain.FeedbackMoreRequested }, ""},
		{func(f *domain.Feedback) { f.Status = domain.FeedbackReopened }, "answer"},
		{func(f *domain.Feedback) { f.Status = domain.FeedbackAnswered }, ""},
		{func(f *domain.Feedback) { f.Status = domain.FeedbackClosed }, ""},
		{func(f *domain.Feedback) {
			f.Kind, f.DueRefuse, f.DueMore = domain.KindComplaint, time.Time{}, time.Time{}
		}, "answer"},
	}
	for i, tt := range tests {
		g := f
		tt.edit(&g)
		if got := names(g); got != tt.running {
			t.Errorf("%d (%s): running %q, want %q", i, g.Status, got, tt.running)
		}
	}
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{local(2026, 11, 25, 23), false}, // the refuse clock's last day
		{local(2026, 11, 26, 0), true},   // the day after
	} {
		if got := f.Overdue(c.now, hcm); got != c.want {
			t.Errorf("Overdue(%v) = %t", c.now, got)
		}
	}
	taken := f
	taken.Status = domain.FeedbackTaken
	if taken.Overdue(local(2026, 12, 1, 9), hcm) { // the more clock passed: no fault
		t.Error("taken, more clock passed: overdue")
	}
	if !taken.Overdue(local(2026, 12, 15, 9), hcm) {
		t.Error("taken, answer clock passed: not overdue")
	}
}

func TestCategories(t *testing.T) {
	if len(domain.Categories()) != 7 {
		t.Fatalf("categories %v", domain.Categories())
	}
	for _, c := range domain.Categories() {
		if !c.Valid() || !c.AllowsAnonymous(domain.KindFeedback) ||
			c.AllowsAnonymous(domain.KindComplaint) || c.AllowsAnonymous(domain.KindDenunciation) {
			t.Errorf("category %s", c)
		}
	}
	if domain.Category("weather").Valid() || domain.Category("weather").AllowsAnonymous(domain.KindFeedback) {
		t.Error("unknown category accepted")
	}
}

func TestValidateFeedback(t *testing.T) {
	ok := "Đèn đường trước nhà văn hóa thôn An Hòa bị hỏng."
	photo := domain.Photo{FileID: "AgAD1", Size: 200_000, MIME: "image/jpeg"}
	five := []domain.Photo{photo, photo, photo, photo, photo}
	tests := []struct {
		name      string
		kind      domain.FeedbackKind
		cat       domain.Category
		text      string
		anonymous bool
		photos    []domain.Photo
		loc       domain.Location
		key       string
		args      map[string]string
	}{
		{name: "ok", text: ok, photos: five, loc: domain.Location{Lat: 15.1, Lon: 108.8, Has: true}},
		{name: "anonymous feedback", text: ok, anonymous: true},
		{name: "size unknown", text: ok, photos: []domain.Photo{{FileID: "x"}}},
		{name: "exactly 10 runes", text: "Đường hỏng"},
		{name: "exactly the maximum", text: strings.Repeat("đ", domain.MaxFeedbackText)},
		{name: "bad kind", kind: "petition", text: ok, key: "feedback.bad_kind"},
		{name: "bad category", cat: "weather", text: ok, key: "feedback.bad_category"},
		{name: "anonymous complaint", kind: domain.KindComplaint, text: ok, anonymous: true, key: "feedback.anonymous_not_allowed"},
		{name: "anonymous denunciation", kind: domain.KindDenunciation, text: ok, anonymous: true, key: "feedback.anonymous_not_allowed"},
		{name: "empty", text: "", key: "feedback.text_too_short", args: map[string]string{"min": "10", "max": "2000"}},
		{name: "8 runes and spaces", text: "   Đèn hỏng   ", key: "feedback.text_too_short", args: map[string]string{"min": "10", "max": "2000"}},
		{name: "10000 runes", text: strings.Repeat("a", 10000), key: "feedback.text_too_long", args: map[string]string{"max": "2000", "length": "10000"}},
		{name: "six photos", text: ok, photos: append(five, photo), key: "feedback.too_many_photos", args: map[string]string{"max": "5"}},
		{name: "photo over 5 MB", text: ok, photos: []domain.Photo{photo, {FileID: "big", Size: 5<<20 + 1}},
			key: "feedback.photo_too_large", args: map[string]string{"number": "2", "max_mb": "5"}},
		{name: "photo of 5 MB", text: ok, photos: []domain.Photo{{FileID: "big", Size: 5 << 20}}},
		{name: "a PDF", text: ok, photos: []domain.Photo{{FileID: "doc", Size: 1000, MIME: "application/pdf"}},
			key: "feedback.photo_not_image", args: map[string]string{"number": "1"}},
		{name: "no file id", text: ok, photos: []domain.Photo{{}}, key: "feedback.photo_not_image", args: map[string]string{"number": "1"}},
		{name: "latitude 91", text: ok, loc: domain.Location{Lat: 91, Lon: 108, Has: true}, key: "feedback.bad_location"},
		{name: "NaN", text: ok, loc: domain.Location{Lat: math.NaN(), Lon: 108, Has: true}, key: "feedback.bad_location"},
		{name: "no location, zeros", text: ok, loc: domain.Location{Lat: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, cat := tt.kind, tt.cat
			if kind == "" {
				kind = domain.KindFeedback
			}
			if cat == "" {
				cat = domain.CatRoadsLighting
			}
			err := domain.ValidateFeedback(kind, cat, tt.text, tt.anonymous, tt.photos, tt.loc)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("err %v", err)
				}
				return
			}
			var ie *domain.InvalidError
			if !errors.As(err, &ie) || ie.Key != tt.key {
				t.Fatalf("err %v, want %s", err, tt.key)
			}
			for k, v := range tt.args {
				if ie.Args[k] != v {
					t.Errorf("arg %s = %q, want %q", k, ie.Args[k], v)
				}
			}
		})
	}
}
