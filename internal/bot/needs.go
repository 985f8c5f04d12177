package bot

import (
	"context"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/feedback"
	"xabot/internal/service/rating"
	"xabot/internal/service/stats"
)

// What the router needs of the services, declared here where it is used:
// the services satisfy these (internal/app passes *dossier.Service,
// *citizen.Service, …), and a test of the router core may pass a small
// in-memory value instead of opening a database. Each lists only the
// methods the bot calls.

// Dossiers looks dossiers up for citizens and changes them for officials;
// *dossier.Service.
type Dossiers interface {
	// Lookup reads a typed code and finds its dossier, counting unknown
	// codes against the chat.
	Lookup(ctx context.Context, user, text string) (domain.Dossier, error)
	// LookupCode is Lookup of a code already read (canonical).
	LookupCode(ctx context.Context, user, code string) (domain.Dossier, error)
	CodeLocked(ctx context.Context, code string) (time.Time, bool, error)
	Verify(ctx context.Context, user, code, factor string) (domain.Dossier, error)
	Follow(ctx context.Context, user string, d domain.Dossier) error
	Unfollow(ctx context.Context, user, code string) (string, error)
	Find(ctx context.Context, text string) (domain.Dossier, error)
	ByPhone(ctx context.Context, phone string) ([]domain.Dossier, error)
	Mine(ctx context.Context, phone, text string) (domain.Dossier, error)
	Extend(ctx context.Context, actor, code string, due time.Time, reason string) (domain.Dossier, error)
	// Locked says until when the chat may not look up; LinkRefused counts
	// a refused slip link as a failed lookup.
	Locked(ctx context.Context, user string) (time.Time, bool, error)
	LinkRefused(ctx context.Context, user string) error
}

// Citizens is who writes: consent, language, a verified phone;
// *citizen.Service.
type Citizens interface {
	Get(ctx context.Context, key string) (domain.Citizen, error)
	Consent(ctx context.Context, key string) error
	SetLang(ctx context.Context, key, lang string) error
	VerifyContact(ctx context.Context, key, phone string, own bool) (string, error)
	VerifyProved(ctx context.Context, key, phone string) (string, error)
	Forget(ctx context.Context, key string) error
}

// Officials are the commune's staff and their invites;
// *officials.Service.
type Officials interface {
	Revoker
	ByChat(ctx context.Context, chatKey string) (domain.Official, error)
	Get(ctx context.Context, id int64) (domain.Official, error)
	List(ctx context.Context) ([]domain.Official, error)
	Register(ctx context.Context, chatKey, text string) (domain.Official, error)
	Invite(ctx context.Context, actor, name string, role domain.Role, fields []string, head bool) (string, time.Time, error)
	InviteChat(ctx context.Context, actor string, id int64) (string, time.Time, error)
	Record(ctx context.Context, actor, action, dossierCode, detail string) error
}

// Revoker takes an official's role away (RevokeOfficial).
type Revoker interface {
	Chats(ctx context.Context, id int64) ([]string, error)
	Revoke(ctx context.Context, actor string, id int64) (domain.Official, error)
}

// Notices push a dossier's changes and list the overdue; *notify.Service.
type Notices interface {
	Followers(ctx context.Context, d domain.Dossier) ([]string, error)
	PushChanges(ctx context.Context) (int, error)
	OverdueOf(ctx context.Context, at time.Time, keep func(domain.Dossier) bool) ([]domain.Dossier, []int, error)
}

// Ratings are the citizens' ratings of a finished dossier;
// *rating.Service.
type Ratings interface {
	Check(ctx context.Context, citizen, code string) (domain.Dossier, error)
	Rate(ctx context.Context, citizen, code string, level domain.Level) (rating.Result, error)
	SetCriteria(ctx context.Context, citizen, code string, answers map[domain.Criterion]bool) (domain.Rating, error)
	Comment(ctx context.Context, citizen, code, text string) (domain.Rating, error)
	Finish(ctx context.Context, citizen, code string) error
	Forget(ctx context.Context, citizen string) (int, error)
}

// Feedback is the citizens' feedback and the officials' work on it;
// *feedback.Service.
type Feedback interface {
	SubmitFrom(ctx context.Context, citizen string, kind domain.FeedbackKind, cat domain.Category, text string,
		anonymous bool, sender domain.Sender, photos []domain.Photo, location domain.Location) (feedback.Ack, error)
	Status(ctx context.Context, citizen, ticket string) (domain.Feedback, error)
	Supplement(ctx context.Context, citizen, ticket, text string) (domain.Feedback, error)
	Rate(ctx context.Context, citizen, ticket string, helpful bool) (domain.Feedback, error)
	Forget(ctx context.Context, citizen string) (int, error)
	CanAct(ctx context.Context, actor, ticket, action string) error
	Take(ctx context.Context, actor, ticket string) (domain.Feedback, error)
	Answer(ctx context.Context, actor, ticket, text string) (domain.Feedback, error)
	RequestMore(ctx context.Context, actor, ticket, text string) (domain.Feedback, error)
	Refuse(ctx context.Context, actor, ticket, reason string) (domain.Feedback, error)
	Forward(ctx context.Context, actor, ticket string, to int64) (domain.Feedback, error)
	ForwardTargets(ctx context.Context, actor, ticket string) ([]domain.Official, error)
	Inbox(ctx context.Context, actor, which string) ([]domain.Feedback, error)
	Open(ctx context.Context, actor, ticket string) (feedback.Opened, error)
	Visible(ctx context.Context, actor string) (func(domain.Feedback) bool, error)
}

// Stats are the figures of /thongke and /baocao; *stats.Service.
type Stats interface {
	Period(kind string, now time.Time) (from, to time.Time, err error)
	NamedPeriod(text string, now time.Time) (from, to time.Time, ok bool, err error)
	ParsePeriod(args string, now time.Time) (from, to time.Time, err error)
	Previous(from, to time.Time) (pfrom, pto time.Time)
	Report(ctx context.Context, from, to time.Time) (domain.Counts, error)
	ReportBy(ctx context.Context, from, to time.Time, dim string) (map[string]domain.Counts, error)
	ReportIn(ctx context.Context, from, to time.Time, keep func(field string) bool) (domain.Counts, error)
	Voices(ctx context.Context, from, to time.Time, scope stats.Scope) (stats.Voices, error)
	Paragraph(lang string, c domain.Counts, from, to time.Time) domain.Line
}

// Slips open a receipt slip's signed link (/start TOKEN); *slip.Service.
type Slips interface {
	Open(ctx context.Context, token string) (domain.Dossier, error)
}

// Receptions are citizen reception: the sessions, a citizen's
// registrations, the book its keepers fill in; *reception.Service.
type Receptions interface {
	Schedule() domain.ReceptionSchedule
	Open() bool
	Next() []domain.ReceptionSession
	Session(key string) (domain.ReceptionSession, error)
	Register(ctx context.Context, citizen, key string, topic domain.ReceptionTopic, text string, sender domain.Sender) (domain.Registration, error)
	Cancel(ctx context.Context, citizen, ticket string) (domain.Registration, error)
	Mine(ctx context.Context, citizen string) ([]domain.Registration, error)
	Forget(ctx context.Context, citizen string) (int, error)
	Tally(ctx context.Context, from, to time.Time) (domain.ReceptionTally, error)
	Sentence(t domain.ReceptionTally, from, to time.Time, num func(int64) string) domain.Line
	MayKeep(ctx context.Context, chat string) (bool, error)
	BookSessions() []domain.ReceptionSession
	BookSession(key string) (domain.ReceptionSession, error)
	Registrations(ctx context.Context, actor string, ses domain.ReceptionSession) ([]domain.Registration, error)
	Record(ctx context.Context, actor, ticket string, received bool, outcome string) (domain.Visit, error)
	WalkIn(ctx context.Context, actor string, ses *domain.ReceptionSession, name, outcome string) (domain.Visit, error)
}

// Announcer is the commune's announcements by village: citizens'
// subscriptions and the senders' drafts, list and cancel;
// *announce.Service.
type Announcer interface {
	Villages() []string
	Daily() int
	MayAnnounce(ctx context.Context, chat string, role domain.Role) (bool, error)
	Subscriptions(ctx context.Context, chat string) ([]string, error)
	Toggle(ctx context.Context, chat, village string) (on bool, err error)
	Stop(ctx context.Context, chat string) (int, error)
	Offer(ctx context.Context, chat, village string) (string, bool, error)
	Check(ctx context.Context, a domain.Announcement) error
	Reach(ctx context.Context, a domain.Announcement) (int, error)
	// PhotoTextOnly: some recipients of a would get its text without its
	// photo (Zalo without XABOT_PUBLIC_URL).
	PhotoTextOnly(a domain.Announcement) bool
	Create(ctx context.Context, a domain.Announcement) (domain.Announcement, error)
	Get(ctx context.Context, id int64) (domain.Announcement, error)
	Recent(ctx context.Context, n int) ([]domain.Announcement, error)
	Cancel(ctx context.Context, id int64, by string, role domain.Role) (domain.Announcement, error)
}
