package domain

import (
	"strings"
	"time"
)

// PriorityUrgent is an urgent announcement's (storm, flood): before the
// routine alerts, since a warning is worth less an hour late, but after the
// answers to someone waiting in a chat. A routine announcement is bulk.
const PriorityUrgent = 7

// MaxAnnouncementText is the longest announcement, in characters: one
// message on every channel, read on a phone.
const MaxAnnouncementText = 1000

// WholeCommune is the village of a subscription or an announcement that
// covers every village («cả xã»).
const WholeCommune = "*"

// Announcement states.
const (
	AnnScheduled = "scheduled" // waiting for its time; no row queued
	AnnSending   = "sending"   // every row queued; some may wait
	AnnDone      = "done"      // no row waits; the author was told
	AnnCancelled = "cancelled" // cancelled before all went
)

// OutCancelled is the state of an outbox row whose announcement was
// cancelled before it went.
const OutCancelled = "cancelled"

// Announcement is one message of the commune to the subscribers of some
// villages, kept with its author.
type Announcement struct {
	ID         int64
	Author     string // the sender's chat key
	AuthorName string
	Whole      bool     // to every village
	Villages   []string // when not Whole
	Text       string
	Photo      string // platform file id, "" = none
	PhotoChan  string // the channel the file id belongs to
	Urgent     bool
	Status     string
	SendAt     time.Time
	CreatedAt  time.Time
	QueuedAt   time.Time
	DoneAt     time.Time
	CancelAt   time.Time
	CancelBy   string
	// Cursor is the last recipient (chat key) queued: recipients are
	// queued a window at a time, in chat key order; ListedAll says the
	// last was.
	Cursor    string
	ListedAll bool
	Figures   AnnouncementFigures
}

// AnnouncementFigures count an announcement's deliveries: the recipients
// listed when it was queued, and its outbox rows by outcome. Stopped
// includes the recipients not queued at all, having blocked the bot.
type AnnouncementFigures struct {
	Recipients, Queued, Sent, Failed, Stopped, Cancelled int
}

// Priority is the outbox priority of its rows.
func (a Announcement) Priority() int {
	if a.Urgent {
		return PriorityUrgent
	}
	return PriorityBulk
}

// Targets are the villages it counts for in the daily limit ("*" when whole).
func (a Announcement) Targets() []string {
	if a.Whole {
		return []string{WholeCommune}
	}
	return a.Villages
}

// DailyLimitError refuses a routine announcement to a village that had its
// day's share: Village had Count of Limit on the day of Day; Resets is the
// next midnight in the commune.
type DailyLimitError struct {
	Village string
	Count   int
	Limit   int
	Resets  time.Time
}

func (e *DailyLimitError) Error() string { return "announcement: daily limit reached for " + e.Village }

// Unwrap makes it a rate limit for callers that only know the class.
func (e *DailyLimitError) Unwrap() error { return ErrRateLimited }

// ParseLocalTime reads a moment typed by a person, in loc: a time and a
// date in either order ("17:30 05/12", "7h30 06/12/2026", "05/12 17h"),
// or a time alone (today). A date without a year is this year's, or
// next year's when this year's is more than six months past.
func ParseLocalTime(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	var hh, mm, day, month, year = -1, 0, 0, 0, 0
	for _, tok := range strings.Fields(strings.ToLower(s)) {
		switch {
		case strings.Contains(tok, "/"):
			parts := strings.Split(tok, "/")
			if len(parts) < 2 || len(parts) > 3 || day != 0 {
				return time.Time{}, false
			}
			var ok bool
			if day, ok = atoi(parts[0], 1, 31); !ok {
				return time.Time{}, false
			}
			if month, ok = atoi(parts[1], 1, 12); !ok {
				return time.Time{}, false
			}
			if len(parts) == 3 {
				if year, ok = atoi(parts[2], 2000, 2100); !ok {
					return time.Time{}, false
				}
			}
		case strings.ContainsAny(tok, ":h") && hh < 0:
			h, m, _ := strings.Cut(strings.NewReplacer("h", ":", "g", "").Replace(tok), ":")
			var ok bool
			if hh, ok = atoi(h, 0, 23); !ok {
				return time.Time{}, false
			}
			if m != "" {
				if mm, ok = atoi(m, 0, 59); !ok {
					return time.Time{}, false
				}
			}
		default:
			return time.Time{}, false
		}
	}
	if hh < 0 {
		return time.Time{}, false
	}
	l := now.In(loc)
	if day == 0 {
		day, month, year = l.Day(), int(l.Month()), l.Year()
	}
	if year == 0 {
		// A day earlier this year is a mistake to point out (it has
		// passed) unless it is months ago: «05/01» typed in December.
		year = l.Year()
		if t := time.Date(year, time.Month(month), day, 23, 59, 0, 0, loc); t.Before(l.AddDate(0, -6, 0)) {
			year++
		}
	}
	t := time.Date(year, time.Month(month), day, hh, mm, 0, 0, loc)
	if t.Day() != day { // 31/02
		return time.Time{}, false
	}
	return t.UTC(), true
}

// atoi reads a whole number of 1–4 digits within [lo, hi].
func atoi(s string, lo, hi int) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, n >= lo && n <= hi
}

// AnnouncementPhotoKeep is how long an announcement's photo bytes are kept
// after it is done or cancelled: a late fetch by a platform still finds
// them; then the retention purge deletes them and their URL is a 404.
const AnnouncementPhotoKeep = 7 * 24 * time.Hour

// MaxAnnouncementPhoto is the largest photo fetched from the author's
// platform to pass on to other channels.
const MaxAnnouncementPhoto = 10 << 20

// AnnouncementPhoto is the photo of an announcement as the bot keeps it for
// the recipients on other channels than the author's.
type AnnouncementPhoto struct {
	ID     int64  // the announcement's
	Token  string // unguessable: its URL and the outbox rows name it by this
	Data   []byte // nil when the fetch failed
	MIME   string
	FileID string // the file id Telegram gave its first upload, "" before
	At     time.Time
}
