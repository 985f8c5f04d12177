// Package statuspage serves the receipt slip's status page,
// XABOT_PUBLIC_URL/s/<token>: what a phone without Telegram or Zalo shows
// when its camera reads the slip's QR. Plain HTML in Vietnamese (English
// when the browser prefers it), its CSS inline, no script, no image, no
// font or anything else fetched (a Content-Security-Policy says so), under
// 30 KB, readable on a 360 px screen. It shows the applicant's name
// masked, the status, the appointment, what to do next, the one-stop
// shop's phone, and links to follow the dossier on Telegram or Zalo.
//
// A token forged, altered or expired gets a plain refusal and counts as a
// failure of the client's address (Limiter): past the lookups' limit that
// address gets only «try later» until its oldest failure is an hour old.
package statuspage

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
	"xabot/internal/service/slip"
)

//go:embed layout.html
var files embed.FS

// Path is the route the app mounts, with the token as {token}.
const Path = "GET " + slip.PagePath + "{token}"

// Slips opens tokens and makes their links; *slip.Service is one.
type Slips interface {
	Open(ctx context.Context, token string) (domain.Dossier, error)
	Links(code string) (slip.Links, error)
}

// Limiter counts an address's refused links; *ratelimit.Redis is one.
type Limiter interface {
	Until(ctx context.Context, key string, fail bool) (time.Time, error)
}

// Config is what the page needs.
type Config struct {
	Slips    Slips
	Limiter  Limiter
	Calendar *domain.Calendar // working days, for how late an overdue dossier is
	// T renders a locale key in a language with the arguments every text
	// may use ({commune}, {office}, {office_name}) already added.
	T           func(lang, key string, args map[string]string) string
	Lang        string // default language
	Langs       []string
	Commune     string
	OfficeName  string
	OfficePhone string
	OfficeHours string
	ZaloLink    string // the Zalo bot's page; "" = no Zalo link
	TZ          *time.Location
	Now         func() time.Time
	Log         *slog.Logger
}

// Handler serves Path.
func Handler(cfg Config) http.Handler {
	tpl := template.Must(template.ParseFS(files, "layout.html"))
	return &handler{cfg: cfg, tpl: tpl}
}

type handler struct {
	cfg Config
	tpl *template.Template
}

// page is what the template shows.
type page struct {
	Lang, Title, Heading string
	Message              string // a refusal, instead of the dossier
	Lines                []line // the dossier's card
	Next                 string
	Office               []string
	Phone                string
	PhoneHref            template.URL // tel: and digits only, so safe
	Follow               string       // heading of the links
	Telegram, TgLabel    string
	Zalo, ZaloLabel      string
	Footer               string
}

type line struct{ Label, Value string }

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := h.language(r.Header.Get("Accept-Language"))
	t := func(key string, kv ...string) string { return h.cfg.T(lang, key, pairs(kv)) }
	addr := clientKey(r)
	ctx := r.Context()
	until, err := h.cfg.Limiter.Until(ctx, addr, false)
	if err != nil {
		h.fail(w, err)
		return
	}
	if now := h.cfg.Now(); now.Before(until) {
		w.Header().Set("Retry-After", strconv.Itoa(int(until.Sub(now).Seconds())+1))
		h.write(w, http.StatusTooManyRequests, h.refusal(lang, t("page.locked", "until", h.dateTime(until))))
		return
	}
	d, err := h.cfg.Slips.Open(ctx, r.PathValue("token"))
	if errors.Is(err, slip.ErrBad) || errors.Is(err, slip.ErrExpired) {
		key, status := "page.refused", http.StatusNotFound
		if errors.Is(err, slip.ErrExpired) {
			key, status = "page.expired", http.StatusGone
		}
		if _, lerr := h.cfg.Limiter.Until(ctx, addr, true); lerr != nil {
			h.fail(w, lerr)
			return
		}
		h.cfg.Log.Info("status page: link refused", "reason", key) // no address, no token
		h.write(w, status, h.refusal(lang, t(key)))
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	h.write(w, http.StatusOK, h.dossier(lang, d))
}

// dossier is the page of a dossier.
func (h *handler) dossier(lang string, d domain.Dossier) page {
	t := func(key string, kv ...string) string { return h.cfg.T(lang, key, pairs(kv)) }
	now, st := h.cfg.Now(), strconv.Itoa(int(d.Status))
	p := h.base(lang)
	p.Heading = t("page.dossier", "code", d.Code)
	add := func(label, value string) { p.Lines = append(p.Lines, line{t(label), value}) }
	procedure := d.ProcedureName
	if procedure == "" {
		procedure = d.ProcedureCode
	}
	add("page.procedure", procedure)
	if d.ApplicantName != "" {
		add("page.applicant", domain.MaskName(d.ApplicantName))
	}
	add("page.status", t("status."+st))
	p.Lines = append(p.Lines, line{"", t("status." + st + ".explain")})
	add("page.received", h.date(d.ReceivedAt))
	if !d.DueAt.IsZero() {
		add("page.due", h.date(d.DueAt))
	}
	if !d.ExtendedDueAt.IsZero() {
		add("page.extended", h.date(d.ExtendedDueAt))
	}
	next := t("status." + st + ".next")
	if d.Overdue(now, h.cfg.TZ) && !d.WaitingOnApplicant() {
		days := h.cfg.Calendar.WorkingDaysBetween(domain.DateOf(d.Due(), h.cfg.TZ), domain.DateOf(now, h.cfg.TZ))
		p.Lines = append(p.Lines, line{"", t("lookup.card.overdue", "days", strconv.Itoa(max(days, 1)))})
		next = t("card.next_overdue")
	}
	if !d.ReturnedAt.IsZero() {
		add("page.returned", h.date(d.ReturnedAt))
	}
	if d.Note != "" {
		add("page.note", d.Note)
	}
	p.Next = next
	if l, err := h.cfg.Slips.Links(d.Code); err == nil && l.Telegram != "" {
		p.Telegram, p.TgLabel = l.Telegram, t("page.follow_telegram")
	}
	if h.cfg.ZaloLink != "" {
		p.Zalo, p.ZaloLabel = h.cfg.ZaloLink, t("page.follow_zalo", "code", d.Code)
	}
	if p.Telegram != "" || p.Zalo != "" {
		p.Follow = t("page.follow")
	}
	if end, ok := slip.Ends(d); ok {
		p.Footer = t("page.valid_until", "date", h.date(end))
	} else {
		p.Footer = t("page.valid")
	}
	return p
}

// refusal is the page of a refused link.
func (h *handler) refusal(lang, msg string) page {
	p := h.base(lang)
	p.Heading, p.Message = h.cfg.T(lang, "page.refused_title", nil), msg
	return p
}

// base is what every page shows: the title and the one-stop shop.
func (h *handler) base(lang string) page {
	p := page{Lang: lang, Title: h.cfg.T(lang, "page.title", map[string]string{"commune": h.cfg.Commune})}
	p.Office = []string{h.cfg.OfficeName}
	if h.cfg.OfficeHours != "" {
		p.Office = append(p.Office, h.cfg.OfficeHours)
	}
	if h.cfg.OfficePhone != "" {
		p.Phone = h.cfg.OfficePhone
		p.PhoneHref = template.URL("tel:" + strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r == '+' {
				return r
			}
			return -1
		}, h.cfg.OfficePhone))
	}
	return p
}

// write sends p with the headers that keep the page self-contained and
// the token to itself: nothing may be fetched, no referrer leaves with a
// link followed, nothing is cached or indexed.
func (h *handler) write(w http.ResponseWriter, status int, p page) {
	var b bytes.Buffer
	if err := h.tpl.Execute(&b, p); err != nil {
		h.fail(w, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Robots-Tag", "noindex")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (h *handler) fail(w http.ResponseWriter, err error) {
	h.cfg.Log.Error("status page", "err", err)
	http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
}

// language is the first of the page's languages the browser prefers (by
// q-value), else the default.
func (h *handler) language(accept string) string {
	best, bestQ := h.cfg.Lang, 0.0
	for part := range strings.SplitSeq(accept, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range h.cfg.Langs {
			if base == l && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

func (h *handler) date(t time.Time) string { return t.In(h.cfg.TZ).Format("02/01/2006") }

func (h *handler) dateTime(t time.Time) string { return t.In(h.cfg.TZ).Format("15:04 02/01/2006") }

// clientKey is the address a refusal counts against: the peer, or, behind
// a proxy on this machine or the private network, the address it says it
// forwards (the last X-Forwarded-For entry, the one it added); an IPv6
// address counts by its /64, which one subscriber usually holds whole.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip != nil && (ip.IsLoopback() || ip.IsPrivate()) {
		if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
			list := strings.Split(fwd[len(fwd)-1], ",")
			if f := net.ParseIP(strings.TrimSpace(list[len(list)-1])); f != nil {
				ip = f
			}
		}
	}
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

func pairs(kv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
