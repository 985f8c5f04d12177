package feedback

import (
	"context"
	"fmt"
	"strings"

	"xabot/internal/domain"
)

// route says who hears first about a category's feedback: the officials of
// any of fields (lĩnh vực, matched without case or accents), the heads of
// the one-stop shop, the chairmen.
type route struct {
	fields        []string
	heads, chairs bool
}

// routes is the category table. A category whose officials are all absent
// falls back to the heads of the one-stop shop, then to the chairmen, so
// that nothing goes unheard:
//
//	admin_procedure    the head of the one-stop shop (Decree 118 Art. 8(1)(đ))
//	staff_attitude     the head and the chairman: about a colleague, above them
//	roads_lighting     Xây dựng (or Giao thông)
//	environment_waste  Tài nguyên - Môi trường (or Môi trường)
//	security_order     the chairman (the commune police answer to them)
//	land               Đất đai
//	other              the head of the one-stop shop
//
// Complaints and denunciations, whatever the category, go to the reception
// officer: the head of the one-stop shop, else the chairman.
var routes = map[domain.Category]route{
	domain.CatAdminProcedure:   {heads: true},
	domain.CatStaffAttitude:    {heads: true, chairs: true},
	domain.CatRoadsLighting:    {fields: []string{"Xây dựng", "Giao thông", "Giao thông - Vận tải"}},
	domain.CatEnvironmentWaste: {fields: []string{"Tài nguyên - Môi trường", "Tài nguyên và Môi trường", "Môi trường"}},
	domain.CatSecurityOrder:    {chairs: true},
	domain.CatLand:             {fields: []string{"Đất đai"}},
	domain.CatOther:            {heads: true},
}

// Route returns who is told about a new message f among staff, active
// officials only, in staff's order, each once.
func Route(f domain.Feedback, staff []domain.Official) []domain.Official {
	if f.Kind.Legal() {
		return heads(staff)
	}
	r := routes[f.Category]
	var out []domain.Official
	seen := map[string]bool{}
	for _, o := range staff {
		if !o.Active() || seen[o.ChatKey] {
			continue
		}
		match := (r.heads && o.Head) || (r.chairs && o.Role == domain.RoleChairman)
		for _, field := range r.fields {
			match = match || o.Handles(field)
		}
		if match {
			seen[o.ChatKey] = true
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return heads(staff)
	}
	return out
}

// heads returns the active heads of the one-stop shop, else the active
// chairmen: where reopened messages, escalations, complaints and
// denunciations go.
func heads(staff []domain.Official) []domain.Official {
	var hs, chairs []domain.Official
	for _, o := range staff {
		switch {
		case !o.Active():
		case o.Head:
			hs = append(hs, o)
		case o.Role == domain.RoleChairman:
			chairs = append(chairs, o)
		}
	}
	if len(hs) > 0 {
		return hs
	}
	return chairs
}

// handlers are who handles f now: its owner if active, else its route.
func (s *Service) handlers(f domain.Feedback, staff []domain.Official) []domain.Official {
	if o, ok := find(staff, f.Owner); ok {
		return []domain.Official{o}
	}
	return Route(f, staff)
}

// find returns the active official with chat key k.
func find(staff []domain.Official, k string) (domain.Official, bool) {
	if k == "" {
		return domain.Official{}, false
	}
	for _, o := range staff {
		if o.ChatKey == k && o.Active() {
			return o, true
		}
	}
	return domain.Official{}, false
}

// active returns the bound, not revoked officials.
func (s *Service) active(ctx context.Context) ([]domain.Official, error) {
	all, err := s.staff.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("feedback: officials: %w", err)
	}
	return activeOf(all), nil
}

func activeOf(all []domain.Official) []domain.Official {
	out := all[:0:0]
	for _, o := range all {
		if o.Active() {
			out = append(out, o)
		}
	}
	return out
}

// Callback data of the buttons, each well under Telegram's 64 bytes
// ("fb/act/PA-2611-0042:forward" is 27).
const (
	actPrefix  = "fb/act/"
	ratePrefix = "fb/rate/"
	suppPrefix = "fb/supp/"
)

// ActData is the callback data of an official's button: fb/act/<ticket>:<action>.
func ActData(ticket, action string) string { return actPrefix + ticket + ":" + action }

// RateData is the callback data of the citizen's rating buttons:
// fb/rate/<ticket>:yes|no.
func RateData(ticket string, helpful bool) string {
	if helpful {
		return ratePrefix + ticket + ":yes"
	}
	return ratePrefix + ticket + ":no"
}

// SupplementData is the callback data of the citizen's "add information"
// button: fb/supp/<ticket>.
func SupplementData(ticket string) string { return suppPrefix + ticket }

// ParseAct reads ActData; the ticket is canonical and the action one of
// domain.FeedbackActions. Forged data parses only into something the
// service then checks: who presses, and whether the status allows it.
func ParseAct(data string) (ticket, action string, ok bool) {
	rest, found := strings.CutPrefix(data, actPrefix)
	if !found {
		return "", "", false
	}
	t, a, found := strings.Cut(rest, ":")
	if !found {
		return "", "", false
	}
	if t, ok = domain.ParseTicket(t); !ok {
		return "", "", false
	}
	for _, x := range domain.FeedbackActions() {
		if a == x {
			return t, a, true
		}
	}
	return "", "", false
}

// ParseRate reads RateData.
func ParseRate(data string) (ticket string, helpful, ok bool) {
	rest, found := strings.CutPrefix(data, ratePrefix)
	if !found {
		return "", false, false
	}
	t, v, found := strings.Cut(rest, ":")
	if !found || (v != "yes" && v != "no") {
		return "", false, false
	}
	if t, ok = domain.ParseTicket(t); !ok {
		return "", false, false
	}
	return t, v == "yes", true
}

// ParseSupplement reads SupplementData.
func ParseSupplement(data string) (ticket string, ok bool) {
	rest, found := strings.CutPrefix(data, suppPrefix)
	if !found {
		return "", false
	}
	return domain.ParseTicket(rest)
}

// actButtons are the officials' buttons f's status allows.
func actButtons(f domain.Feedback) []domain.NoticeButton {
	var out []domain.NoticeButton
	for _, a := range domain.FeedbackActions() {
		if f.Can(a) {
			out = append(out, domain.NoticeButton{Key: "feedback.btn." + a, Data: ActData(f.Ticket, a)})
		}
	}
	return out
}
