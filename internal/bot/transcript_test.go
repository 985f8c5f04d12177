package bot

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"xabot/dialogs"
	"xabot/internal/chat"
	"xabot/internal/commune"
	"xabot/internal/digest"
	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/notifier"
	"xabot/internal/outbox"
	"xabot/internal/service/announce"
	"xabot/internal/service/catalogue"
	"xabot/internal/service/citizen"
	"xabot/internal/service/dossier"
	"xabot/internal/service/feedback"
	"xabot/internal/service/notify"
	"xabot/internal/service/officials"
	"xabot/internal/service/rating"
	"xabot/internal/service/reception"
	"xabot/internal/service/stats"
	"xabot/internal/session"
	"xabot/internal/store"
	"xabot/locales"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/")

// The transcripts' clock: Wednesday 25 Nov 2026, 09:00 in Hà Nội.
var (
	hcm      = mustZone("Asia/Ho_Chi_Minh")
	clockNow = time.Date(2026, 11, 25, 9, 0, 0, 0, hcm)
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// recorder is a channel that keeps what the bot sent.
type recorder struct {
	mu      sync.Mutex
	feat    chat.Features
	replies []chat.Reply
	fail    error
}

func (r *recorder) Send(_ context.Context, rep chat.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.replies = append(r.replies, rep)
	return nil
}

func (r *recorder) Features() chat.Features { return r.feat }

func (r *recorder) take() []chat.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.replies
	r.replies = nil
	return out
}

// fixture is a router over a real SQLite file and in-process sessions,
// with a handful of dossiers in known states.
type fixture struct {
	t      *testing.T
	router *Router
	rec    *recorder
	db     *store.DB
	now    time.Time
	seq    int
	ch     chat.Channel // the channel updates come from; "" = Telegram
	svc    services
}

// services are the fixture's real services, as internal/app builds them:
// the router sees them through its interfaces, the tests call them too.
type services struct {
	texts    *i18n.Catalog
	citizens *citizen.Service
	staff    *officials.Service
	notices  *notify.Service
	feedback *feedback.Service
	stats    *stats.Service
	queue    *outbox.Outbox
	// receptions is citizen reception, for the book's jobs.
	receptions *reception.Service
	// announce is the announcements by village, for their job.
	announce *announce.Service
}

// weekly is the weekly digest over the fixture's services.
func (f *fixture) weekly() *digest.Digest {
	return digest.New(digest.Config{Texts: f.svc.texts, TZ: hcm,
		Globals: i18n.Globals{Commune: "xã Hành Dũng", Office: "Bộ phận Một cửa xã, ☎ 0255 3822 123 (Thứ Hai–Thứ Sáu)", OfficeName: "Bộ phận Một cửa xã"},
		Stats:   f.svc.stats, Officials: f.svc.staff, Citizens: f.svc.citizens, Overdue: f.svc.notices,
		Feedback: f.svc.feedback, Queue: f.svc.queue})
}

// transcriptChannels are the channels a transcript may speak through
// ("@channel zalo"), each with what its app shows: Zalo numbers every
// choice and shares nothing, the terminal shows buttons but sends no
// location.
var transcriptChannels = map[chat.Channel]chat.Features{
	chat.Telegram: {Buttons: true, Keyboard: true, ShareContact: true, Location: true, MaxText: 4096},
	chat.Zalo:     {MaxText: 2000},
	chat.Console:  {Buttons: true, Keyboard: true, ShareContact: true, MaxText: 1 << 16},
}

func newFixture(t *testing.T, feat chat.Features) *fixture {
	t.Helper()
	ctx := t.Context()
	db := fixtureDB(t)
	for _, p := range []domain.Procedure{
		{Code: "1.001193.000.00.00.H55", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Days: 1, Fee: "Miễn lệ phí",
			Documents: []string{"Tờ khai đăng ký khai sinh theo mẫu", "Bản chính Giấy chứng sinh"}, Online: domain.OnlineFull},
		{Code: "2.000815.000.00.00.H55", Name: "Chứng thực bản sao từ bản chính", Field: "Chứng thực", Days: 0,
			Fee: "2.000 đồng/trang", Documents: []string{"Bản chính giấy tờ cần chứng thực"}, Online: domain.OnlineNone},
		{Code: "1.003622.000.00.00.H55", Name: "Đăng ký kết hôn", Field: "Hộ tịch", Days: 3, Online: domain.OnlinePartial},
	} {
		if err := db.UpsertProcedure(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{feat: feat}
	f := newFixtureOn(t, db, nil, rec)
	f.t, f.rec = t, rec
	return f
}

// fixtureDB is a fresh SQLite file with the fixture's dossiers.
func fixtureDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, d := range fixtureDossiers() {
		if _, err := db.UpsertDossier(t.Context(), d, "test"); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// newFixtureOn builds the router over db with sessions (nil: in-process)
// and one Telegram channel ch.
func newFixtureOn(tb testing.TB, db *store.DB, sessions session.Store, ch Channel) *fixture {
	tb.Helper()
	f := &fixture{db: db, now: clockNow}
	now := func() time.Time { return f.now }
	if sessions == nil {
		sessions = session.NewMemory(24*time.Hour, 48*time.Hour, now)
	}
	texts, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	citizens := citizen.New(db, now)
	staff := officials.New(db, now, log)
	queue := outbox.New(db, nil, outbox.Config{Now: now, Log: log})
	notices := notifier.New(notifier.Config{Data: IntentData, Texts: texts, Citizens: citizens, Queue: queue, Commune: "xã Hành Dũng",
		Office: "Bộ phận Một cửa xã, ☎ 0255 3822 123 (Thứ Hai–Thứ Sáu)", OfficeName: "Bộ phận Một cửa xã", Features: transcriptChannels})
	cal := domain.NewCalendar(nil, nil)
	pushes := notify.New(db, staff, notices, cal, hcm, "Bộ phận Một cửa", log)
	ratings := rating.New(db, staff, notices, now, log)
	pushes.OfferRatings(ratings.Offer)
	fb := feedback.New(db, staff, notices, cal, hcm, domain.DefaultFeedbackSLA(), commune.DefaultRouting(), now, log)
	book := reception.New(db, staff, notices, fixtureReception, cal, hcm, now, log)
	figures := stats.New(db, hcm)
	ann := announce.New(db, notices, announce.Config{Villages: fixtureVillages, Daily: 2, Loc: hcm, Now: now, Log: log})
	f.svc = services{texts: texts, citizens: citizens, staff: staff, notices: pushes, feedback: fb, stats: figures, queue: queue, receptions: book, announce: ann}
	f.router, err = New(Config{
		Log:        log,
		Dialogs:    dialogs.FS,
		Texts:      texts,
		Sessions:   sessions,
		Channels:   map[chat.Channel]Channel{chat.Telegram: ch},
		Dossiers:   dossier.New(db, now, dossier.DefaultPolicy, log),
		Citizens:   citizens,
		Staff:      staff,
		Notify:     pushes,
		Ratings:    ratings,
		Feedback:   fb,
		Stats:      figures,
		Receptions: book,
		Announce:   ann,
		Procedures: catalogue.New(db),
		Calendar:   cal,
		TZ:         hcm,
		Now:        now,
		Commune:    "xã Hành Dũng",
		Reception:  "sáng Thứ Năm hằng tuần, 7:30–11:00",
		Office:     "Bộ phận Một cửa xã, ☎ 0255 3822 123 (Thứ Hai–Thứ Sáu)",
		OfficeName: "Bộ phận Một cửa xã",
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// fixtureReception is the transcripts' reception schedule: the chairman on
// Thursday mornings.
var fixtureReception = domain.ReceptionSchedule{Weekly: []domain.ReceptionSlot{
	{Weekday: time.Thursday, From: "07:30", To: "11:00", Place: "Trụ sở UBND xã", Chairman: true}}}

// fixtureVillages are the fixture commune's villages (thôn).
var fixtureVillages = []string{"An Hòa", "Phú Lâm Tây", "Đại An"}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, hcm).UTC() }

func fixtureDossiers() []domain.Dossier {
	return []domain.Dossier{
		{Code: "H55.20-261118-0003", ProcedureCode: "1.001193.000.00.00.H55", ProcedureName: "Đăng ký khai sinh",
			Field: "Hộ tịch", ApplicantName: "Nguyễn Văn An", Phone: "0905123456", Intake: domain.IntakeDirect,
			Status: domain.StatusInProgress, ReceivedAt: day(2026, 11, 18), DueAt: day(2026, 11, 27), Handler: "Trần Thị Hoa"},
		{Code: "H55.20-261102-0001", ProcedureName: "Chứng thực bản sao từ bản chính", Field: "Chứng thực",
			ApplicantName: "Lê Thị Bình", Phone: "0912000111", IDLast4: "4821", Intake: domain.IntakeOnline,
			Status: domain.StatusSupplementRequested, ReceivedAt: day(2026, 11, 2), DueAt: day(2026, 11, 10),
			Note: "Bổ sung bản chính giấy khai sinh"},
		{Code: "H55.20-261109-0007", ProcedureName: "Đăng ký kết hôn", Field: "Hộ tịch",
			ApplicantName: "Phạm Văn Cường", Phone: "0905123456", Intake: domain.IntakeDirect,
			Status: domain.StatusAccepted, ReceivedAt: day(2026, 11, 9), DueAt: day(2026, 11, 12),
			ExtendedDueAt: day(2026, 11, 19), ExtensionReason: "Chờ xác minh nơi cư trú"},
		{Code: "H55.20-261110-0002", ProcedureName: "Cấp bản sao trích lục hộ tịch", Field: "Hộ tịch",
			ApplicantName: "Võ Thị Dung", Phone: "0987654321", Village: "an hoa", Intake: domain.IntakeDirect,
			Status: domain.StatusDone, ReceivedAt: day(2026, 11, 10), DueAt: day(2026, 11, 11), FinishedAt: day(2026, 11, 11)},
	}
}

// send turns one transcript input line into an update and handles it.
//
//	[data]         press an inline button
//	/cmd args      a command
//	📱 0905…       share one's own contact; 📱? shares one without user_id;
//	📱! …          someone else's
//	(sticker) (photo) (location) (voice)   what is not text
//	anything else  typed text ("\x" escapes none: the line is sent as is)
func (f *fixture) send(user, line string) {
	f.t.Helper()
	if err := f.router.Handle(f.t.Context(), f.update(user, line)); err != nil {
		f.t.Fatalf("Handle(%q): %v", line, err)
	}
}

// update is the update of one transcript input line (see send), with the
// next update id.
func (f *fixture) update(user, line string) chat.Update {
	f.seq++
	ch := f.ch
	if ch == "" {
		ch = chat.Telegram
	}
	u := chat.Update{ID: fmt.Sprint(f.seq), From: chat.UserKey{Channel: ch, ID: user}, ChatID: user, At: f.now}
	switch {
	case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
		u.Kind, u.Data = chat.Callback, line[1:len(line)-1]
	case strings.HasPrefix(line, "/"):
		name, args, _ := strings.Cut(line[1:], " ")
		u.Kind, u.Command, u.Args = chat.Command, name, args
	case strings.HasPrefix(line, "📱! "):
		u.Kind, u.Contact = chat.Contact, &chat.SharedContact{Phone: strings.TrimPrefix(line, "📱! "), UserID: "999"}
	case strings.HasPrefix(line, "📱? "):
		u.Kind, u.Contact = chat.Contact, &chat.SharedContact{Phone: strings.TrimPrefix(line, "📱? ")}
	case strings.HasPrefix(line, "📱 "):
		u.Kind, u.Contact = chat.Contact, &chat.SharedContact{Phone: strings.TrimPrefix(line, "📱 "), UserID: user}
	case line == "(sticker)":
		u.Kind = chat.Sticker
	case line == "(photo)":
		u.Kind, u.Photo = chat.Photo, &chat.Media{FileID: fmt.Sprintf("photo-%d", f.seq), Size: 350_000, MIME: "image/jpeg"}
	case line == "(big photo)":
		u.Kind, u.Photo = chat.Photo, &chat.Media{FileID: "big", Size: 9 << 20, MIME: "image/jpeg"}
	case line == "(document)":
		u.Kind, u.File = chat.Other, &chat.Media{FileID: "doc", Size: 20_000, MIME: "application/pdf"}
	case line == "(location)":
		u.Kind, u.Place = chat.Location, &chat.Point{Lat: 15.05, Lon: 108.76}
	case line == "(voice)":
		u.Kind = chat.Other
	default:
		u.Kind, u.Text = chat.Text, line
	}
	return u
}

// format prints replies as the transcript's "<" lines.
func format(replies []chat.Reply) string {
	var b strings.Builder
	for _, r := range replies {
		for _, l := range strings.Split(r.Text, "\n") {
			b.WriteString("< " + l + "\n")
		}
		if len(r.Buttons) > 0 {
			var bs []string
			for _, row := range r.Buttons {
				for _, btn := range row {
					bs = append(bs, "["+btn.Label+"|"+btn.Data+"]")
				}
			}
			b.WriteString("< " + strings.Join(bs, " ") + "\n")
		}
		if k := r.Keyboard; k != nil {
			if k.Remove {
				b.WriteString("< ⌨ (removed)\n")
			} else {
				var ks []string
				for _, row := range k.Rows {
					for _, key := range row {
						l := key.Label
						if key.RequestContact {
							l += " (contact)"
						}
						ks = append(ks, l)
					}
				}
				b.WriteString("< ⌨ " + strings.Join(ks, " | ") + "\n")
			}
		}
	}
	return b.String()
}

// TestTranscripts replays every testdata/*.txt conversation: "> " lines
// are the user's, "< " lines what the bot must answer, byte for byte.
// "# " lines are comments; "@user N" switches the user; "@channel zalo"
// (tg, console) the channel it comes from; "@wait 1h" moves the clock. Run with -update to rewrite them after a deliberate
// change, then read the diff.
func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, transcriptChannels[chat.Telegram])
			recs := map[chat.Channel]*recorder{chat.Telegram: f.rec}
			for ch, feat := range transcriptChannels {
				if recs[ch] == nil {
					recs[ch] = &recorder{feat: feat}
					f.router.cfg.Channels[ch] = recs[ch]
				}
			}
			user := "100"
			var got strings.Builder
			for _, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
				switch {
				case strings.HasPrefix(line, "< "):
					continue // the bot's: regenerated below
				case strings.HasPrefix(line, "#") || line == "":
					got.WriteString(line + "\n")
				case strings.HasPrefix(line, "@user "):
					user = strings.TrimPrefix(line, "@user ")
					got.WriteString(line + "\n")
				case strings.HasPrefix(line, "@channel "):
					f.ch = chat.Channel(strings.TrimPrefix(line, "@channel "))
					if f.rec = recs[f.ch]; f.rec == nil {
						t.Fatalf("%s: no channel %q", file, f.ch)
					}
					got.WriteString(line + "\n")
				case strings.HasPrefix(line, "@wait "):
					d, err := time.ParseDuration(strings.TrimPrefix(line, "@wait "))
					if err != nil {
						t.Fatalf("%s: %v", line, err)
					}
					f.now = f.now.Add(d)
					got.WriteString(line + "\n")
				case strings.HasPrefix(line, "> "):
					in := strings.TrimPrefix(line, "> ")
					got.WriteString(line + "\n")
					f.send(user, in)
					got.WriteString(format(f.rec.take()))
				default:
					t.Fatalf("%s: cannot read line %q", file, line)
				}
			}
			golden(t, file, string(raw), got.String(), "Transcripts")
		})
	}
}

// golden compares a replayed transcript with its file, or rewrites the
// file under -update; test names the -run pattern that replays it.
func golden(t *testing.T, file, want, got, test string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != want {
		t.Errorf("transcript %s differs (run go test ./internal/bot -run %s -update and read the diff):\n%s",
			file, test, diff(want, got))
	}
}

// diff shows the first lines where want and got part ways.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return "(same lines, different ending)"
}
