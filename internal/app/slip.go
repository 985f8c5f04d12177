package app

import (
	"context"
	"fmt"
	"maps"
	"net/http"

	"xabot/internal/domain"
	"xabot/internal/ratelimit"
	"xabot/internal/service/dossier"
	"xabot/internal/service/slip"
	"xabot/internal/statuspage"
	"xabot/internal/syncapi"
)

// slips is the receipt slip's service as it stands when called: Serve
// gives it the Telegram bot's username after getMe, once the HTTP routes
// that use it are built.
type slips struct{ a *App }

func (s slips) Open(ctx context.Context, token string) (domain.Dossier, error) {
	return s.a.slip.Open(ctx, token)
}

func (s slips) Links(code string) (slip.Links, error) { return s.a.slip.Links(code) }

// statusPage builds the status page (nil without XABOT_LINK_KEY). Refused
// links count per client address under the lookups' per-chat rule, in
// Redis beside the database's sessions (xabot:<db namespace>:slipip:…),
// or in this process without Redis.
func (a *App) statusPage(ctx context.Context) (http.Handler, error) {
	if a.slip == nil {
		return nil, nil
	}
	w := ratelimit.Window{Limit: dossier.DefaultPolicy.MaxProbes, Span: dossier.DefaultPolicy.Window}
	var lim statuspage.Limiter = ratelimit.NewMemory(w, a.now)
	if a.rdb != nil {
		secret, err := a.db.Secret(ctx, "slip-ip")
		if err != nil {
			return nil, fmt.Errorf("app: status page: %w", err)
		}
		lim = ratelimit.NewRedis(a.rdb, redisPrefix+a.instanceNS+":slipip:", secret, w, a.now)
	}
	return statuspage.Handler(statuspage.Config{
		Slips: slips{a}, Limiter: lim, Calendar: a.calendar,
		T: func(lang, key string, args map[string]string) string {
			// The arguments every text may use, as the bot gives them.
			all := map[string]string{"commune": a.profile.Name, "office": officeOf(a.profile), "office_name": a.profile.Office}
			maps.Copy(all, args)
			return a.texts.T(lang, key, all)
		},
		Lang: a.cfg.Lang, Langs: a.texts.Langs(), Commune: a.profile.Name, OfficeName: a.profile.Office,
		OfficePhone: a.profile.OfficePhone, OfficeHours: a.profile.OfficeHours, ZaloLink: a.cfg.ZaloLink,
		TZ: a.cfg.TZ, Now: a.now, Log: a.log.With("comp", "statuspage"),
	}), nil
}

// syncLinks are a dossier's slip links for the sync API's result: none
// without XABOT_LINK_KEY, or for a code too long for a link.
func (a *App) syncLinks(code string) (syncapi.SlipLinks, bool) {
	if a.slip == nil {
		return syncapi.SlipLinks{}, false
	}
	l, err := a.slip.Links(code)
	if err != nil || l.QR() == "" {
		return syncapi.SlipLinks{}, false
	}
	return syncapi.SlipLinks{Telegram: l.Telegram, Page: l.Page}, true
}
