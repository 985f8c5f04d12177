package slip

import (
	"context"
	"errors"
	"fmt"
	"time"

	"xabot/internal/domain"
)

// Keep is how long after the result was returned a slip's links still work.
const Keep = 30 * 24 * time.Hour

// PagePath is where the status page is served: PagePath + token.
const PagePath = "/s/"

// Repo is what opening a token reads; *store.DB is one.
type Repo interface {
	DossierByCode(ctx context.Context, code string) (domain.Dossier, error)
}

// Config says where the links point.
type Config struct {
	// PublicURL is the https base of the status page (XABOT_PUBLIC_URL);
	// "" = no page link.
	PublicURL string
	// TelegramBot is the bot's username for t.me links; "" = none.
	TelegramBot string
}

// Service opens tokens and makes links.
type Service struct {
	signer *Signer
	repo   Repo
	now    func() time.Time
	cfg    Config
}

// New returns a Service; now is the clock.
func New(signer *Signer, repo Repo, now func() time.Time, cfg Config) *Service {
	return &Service{signer: signer, repo: repo, now: now, cfg: cfg}
}

// WithTelegramBot is s with t.me links to bot (learnt from getMe at
// start when not configured).
func (s *Service) WithTelegramBot(bot string) *Service {
	c := *s
	c.cfg.TelegramBot = bot
	return &c
}

// TelegramBot is the bot the t.me links name, "" for none.
func (s *Service) TelegramBot() string { return s.cfg.TelegramBot }

// Links are the ways a slip leads to its dossier.
type Links struct {
	Token    string `json:"token"`
	Telegram string `json:"telegram,omitempty"` // https://t.me/<bot>?start=<token>
	Page     string `json:"page,omitempty"`     // <XABOT_PUBLIC_URL>/s/<token>
}

// Links returns the links of the dossier with code.
func (s *Service) Links(code string) (Links, error) {
	tok, err := s.signer.Token(domain.CanonicalCode(code))
	if err != nil {
		return Links{}, err
	}
	l := Links{Token: tok}
	if s.cfg.TelegramBot != "" {
		l.Telegram = "https://t.me/" + s.cfg.TelegramBot + "?start=" + tok
	}
	if s.cfg.PublicURL != "" {
		l.Page = s.cfg.PublicURL + PagePath + tok
	}
	return l, nil
}

// QR is what the slip's QR code holds: the status page when there is one
// (any phone's camera opens it, and it links on to Telegram and Zalo),
// else the Telegram link; "" when neither is configured.
func (l Links) QR() string {
	if l.Page != "" {
		return l.Page
	}
	return l.Telegram
}

// Open returns the dossier a token names: ErrBad for a token forged,
// altered or naming no dossier, ErrExpired once the result was returned
// more than Keep ago.
func (s *Service) Open(ctx context.Context, token string) (domain.Dossier, error) {
	code, err := s.signer.Code(token)
	if err != nil {
		return domain.Dossier{}, err
	}
	d, err := s.repo.DossierByCode(ctx, code)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Dossier{}, ErrBad
	}
	if err != nil {
		return domain.Dossier{}, fmt.Errorf("slip: open: %w", err)
	}
	if end, ok := Ends(d); ok && !s.now().Before(end) {
		return domain.Dossier{}, ErrExpired
	}
	return d, nil
}

// Ends says when a dossier's links stop working: Keep after its result was
// returned, or after it ended without a result to collect (not accepted,
// withdrawn, stopped). ok is false while the links do not expire: the
// dossier is open, or its result waits to be collected.
func Ends(d domain.Dossier) (time.Time, bool) {
	if !d.Status.Ended() || d.Status == domain.StatusDone {
		return time.Time{}, false
	}
	for _, t := range []time.Time{d.ReturnedAt, d.FinishedAt, d.UpdatedAt} {
		if !t.IsZero() {
			return t.Add(Keep), true
		}
	}
	return time.Time{}, false
}
