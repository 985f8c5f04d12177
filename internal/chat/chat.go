// Package chat is the transport-neutral vocabulary between channel adapters
// and the bot: one inbound Update, one outbound Reply. It imports nothing from
// this module, and no platform type ever crosses it.
package chat

import (
	"context"
	"errors"
	"time"
)

// Channel names a messaging platform.
type Channel string

// The channels xabot speaks.
const (
	Telegram Channel = "tg"
	Zalo     Channel = "zalo"
	Console  Channel = "console"
	Web      Channel = "web"
)

// UserKey identifies one person on one channel by the platform's user id,
// never by a display name.
type UserKey struct {
	Channel Channel
	ID      string
}

func (k UserKey) String() string { return string(k.Channel) + ":" + k.ID }

// Kind says what an update carries.
type Kind int

// Update kinds. Anything a dialog cannot read (stickers, voice, files) is
// Other, Sticker or Photo, so the bot can say so instead of staying silent.
const (
	Text Kind = iota
	Command
	Callback
	Contact
	Photo
	Sticker
	Location
	Other
)

// Update is one inbound event, already stripped of platform details.
type Update struct {
	ID      string // platform update id for de-duplication; "" disables it
	From    UserKey
	ChatID  string // where replies go; equals From.ID in private chats
	Kind    Kind
	Command string // "tracuu" for "/tracuu@xabot_bot 123"; lower case
	Args    string // "123" in the example above
	Text    string // free text, or the caption of a photo
	Data    string // callback data of a pressed inline button
	Contact *SharedContact
	Photo   *Media // a photo (the largest size the platform offers)
	File    *Media // a document, voice or video: kept only to say no politely
	Place   *Point // a shared location
	Lang    string // the platform's language hint, may be empty
	At      time.Time
}

// SharedContact is a phone number the user shared with the platform's own
// button. UserID is the platform id of the contact's owner, "" when the
// platform did not say (a contact typed by hand or forwarded).
type SharedContact struct {
	Phone  string
	UserID string
}

// Media is a file the platform keeps; FileID lets the bot send it on
// (to an official) without downloading it.
type Media struct {
	FileID string
	Size   int    // bytes, 0 when the platform did not say
	MIME   string // "" when unknown
}

// Point is a shared location.
type Point struct{ Lat, Lon float64 }

// Reply is one outbound message: plain text (adapters escape it for their
// markup) plus optional inline buttons and an optional reply keyboard.
type Reply struct {
	ChatID   string
	Text     string // with Image: its caption
	Image    *Image
	Buttons  [][]Button
	Keyboard *Keyboard // nil leaves the user's keyboard as it is
}

// Image is a picture to send: a platform file id (a photo a citizen sent,
// passed on) or the bytes of a PNG the bot made.
type Image struct {
	FileID string
	Data   []byte
	Name   string // file name for uploads, e.g. "chart.png"
	// Kept is the token of an image the bot keeps in its database (an
	// announcement's photo): the adapter gets its bytes, or the URL or file
	// id it has, from its Config; the outbox row carries only the token.
	Kept string `json:",omitempty"`
}

// Button is an inline button. Data must fit Telegram's 64-byte callback_data.
type Button struct {
	Label string
	Data  string
}

// Keyboard is a reply keyboard (the menu under the text field), or an order
// to remove it.
type Keyboard struct {
	Rows   [][]Key
	Remove bool
}

// Key is one reply-keyboard key; RequestContact makes Telegram send the
// user's own phone number when pressed.
type Key struct {
	Label          string
	RequestContact bool
}

// Handler consumes updates; bot.Router implements it. It returns once the
// update's effects are stored and its replies handed to the sender, so an
// adapter may then confirm the update to the platform.
type Handler interface {
	Handle(ctx context.Context, u Update) error
}

// Sender delivers replies on one channel.
type Sender interface {
	Send(ctx context.Context, r Reply) error
}

// PartSender is a Sender that can resume a reply it sends as several
// messages (a text split at the platform's limit, a photo and then its
// text). SendParts skips the first skip messages of r and calls sent(n)
// once its nth message is out (n counts from 1, the skipped ones
// included; sent may be nil), so that a retry after a failure midway sends
// only what did not go. Send(ctx, r) is SendParts(ctx, r, 0, nil).
type PartSender interface {
	Sender
	SendParts(ctx context.Context, r Reply, skip int, sent func(n int)) error
}

// StepSender is a Sender that can send a reply one message at a time, so
// that its caller paces and counts every call to the platform, a retry
// included (the outbox does). SendStep sends the message of r numbered
// done+1 (the first done went before) with at most one call to the platform,
// and returns how many messages r makes in all; done at or past that total
// sends nothing. It neither waits for the platform's rate limits nor retries:
// a failure comes back as it is, classified (ErrBlocked, ErrRejected, or an
// error with a RetryAfter() time.Duration method when the platform asked to
// wait).
type StepSender interface {
	SendStep(ctx context.Context, r Reply, done int) (total int, err error)
}

// Parts numbers the messages of one reply for a PartSender or a StepSender:
// the first Skip went out before and are not sent again; at most Max (0: no
// limit) go now; Sent (may be nil) hears of each that goes.
type Parts struct {
	Skip int
	Max  int
	Sent func(n int)
	n    int
}

// Next counts the reply's next message and says whether it must go now.
func (p *Parts) Next() bool {
	p.n++
	return p.n > p.Skip && (p.Max == 0 || p.n <= p.Skip+p.Max)
}

// Out records that the message just counted is out (or given up for good).
func (p *Parts) Out() {
	if p.Sent != nil {
		p.Sent(p.n)
	}
}

// Count is how many messages were counted: once the reply went through,
// how many it makes.
func (p *Parts) Count() int { return p.n }

// Step is SendStep for a sender that numbers a reply's messages with Parts:
// send goes through the whole reply, sending only message done+1.
func Step(done int, send func(*Parts) error) (total int, err error) {
	p := &Parts{Skip: done, Max: 1}
	err = send(p)
	return p.Count(), err
}

// Features tells the bot what a channel can show, so one dialog renders well
// everywhere: numbered choices where there are no buttons, a typed phone
// number where contacts cannot be shared.
type Features struct {
	Buttons      bool // inline buttons
	Keyboard     bool // reply keyboards
	ShareContact bool // a key that sends the user's own phone number
	Location     bool // the user can send a location from the app
	MaxText      int  // longest text one message may carry, in characters
}

// Variant suffixes of a text key, for a channel that lacks what the base
// text asks of the person («bấm nút…», «gửi vị trí…»):
//
//	KEY.typed          no buttons: choices are typed by their number (Zalo)
//	KEY.noplace        no location can be sent (the terminal)
//	KEY.typed_noplace  neither (Zalo)
const (
	VariantTyped   = "typed"
	VariantNoPlace = "noplace"
)

// Variants are the keys of key's texts written for what f lacks, the most
// specific first; none when f has everything (the base key is the text).
// The first that exists is the one to say.
func (f Features) Variants(key string) []string {
	var lacks []string
	if !f.Buttons {
		lacks = append(lacks, VariantTyped)
	}
	if !f.Location {
		lacks = append(lacks, VariantNoPlace)
	}
	if len(lacks) == 0 {
		return nil
	}
	out := make([]string, 0, 3)
	if len(lacks) == 2 {
		out = append(out, key+"."+lacks[0]+"_"+lacks[1])
	}
	for _, l := range lacks {
		out = append(out, key+"."+l)
	}
	return out
}

// SmallestText is the least a message holds on any channel xabot speaks
// (Zalo's 2,000 characters): the size of a text bound for a channel whose
// own is not known.
const SmallestText = 2000

// ErrBlocked means the user blocked the bot or deleted the chat: sending to
// that chat again is pointless until they write first.
var ErrBlocked = errors.New("chat: blocked by the user")

// ErrRejected means the platform refused the message itself (a 400 "Bad
// Request"): sending it again would be refused again.
var ErrRejected = errors.New("chat: refused by the platform")

// FloodWait says how long the platform asked to wait before err's call is
// made again (a 429's retry_after), if it did: a handler's failure of that
// kind is a wait, not a fault of the update. An error whose RetryAfter is
// 0 (a classified 5xx) asked for no wait: it is a failure like any other.
func FloodWait(err error) (time.Duration, bool) {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		return ra.RetryAfter(), true
	}
	return 0, false
}

// MaxFloodWait bounds how long an update is held back by the platform's
// flood waits before the adapter gives up on it like on any failure.
const MaxFloodWait = 2 * time.Minute
