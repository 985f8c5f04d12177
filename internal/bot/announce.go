package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// announceActions bind the announcements by village
// (dialogs/announce*.yaml): a citizen's villages and the stop here, the
// senders' screens in announce_staff.go.
func (r *Router) announceActions() Actions {
	return Actions{
		"announce.who":          r.announceWho,
		"announce.subs":         r.announceSubs,
		"announce.toggle":       r.announceToggle,
		"announce.stop":         r.announceStop,
		"announce.list":         r.announceSender(r.announceList),
		"announce.pick":         r.announceSender(r.announcePick),
		"announce.cancel":       r.announceSender(r.announceCancel),
		"announce.new":          r.announceSender(r.announceNew),
		"announce.pick_village": r.announceSender(r.announcePickVillage),
		"announce.text":         r.announceSender(r.announceText),
		"announce.photo":        r.announceSender(r.announcePhoto),
		"announce.at":           r.announceSender(r.announceAt),
		"announce.preview":      r.announceSender(r.announcePreview),
		"announce.create":       r.announceSender(r.announceCreate),
	}
}

// announceWho branches /thongbao: one who may send sees the senders'
// list; anyone else chooses villages, after the privacy consent.
func (r *Router) announceWho(ctx context.Context, c Call) (Result, error) {
	if r.cfg.Announce == nil {
		return Result{}, fmt.Errorf("bot: announcements not configured: %w", domain.ErrForbidden)
	}
	if ok, err := r.mayAnnounce(ctx, c); err != nil {
		return Result{}, err
	} else if ok {
		return Result{Branch: "sender"}, nil
	}
	if !c.Citizen.Consented() {
		// As turn.start does for a flow that needs the consent: it
		// resumes once given.
		return Result{Branch: "consent", Say: []dialog.Prompt{{Key: "consent.required"}},
			Effects: Effects{Then: "announce_sub", ThenSlots: map[string]string{}}}, nil
	}
	return Result{Branch: "citizen"}, nil
}

// villageValue is a village's button value: its place in the profile.
func villageValue(prefix string, i int) string { return prefix + strconv.Itoa(i+1) }

// villageOf reads a button value made by villageValue; "all" is the whole
// commune.
func (r *Router) villageOf(prefix, v string) (string, bool) {
	if v == "all" {
		return domain.WholeCommune, true
	}
	n, err := strconv.Atoi(strings.TrimPrefix(v, prefix))
	vs := r.cfg.Announce.Villages()
	if !strings.HasPrefix(v, prefix) || err != nil || n < 1 || n > len(vs) {
		return "", false
	}
	return vs[n-1], true
}

// villagesText names villages for a text: "thôn An Hòa, thôn Đại An", or
// the whole commune.
func (r *Router) villagesText(lang string, vs []string) string {
	names := make([]string, 0, len(vs))
	for _, v := range vs {
		if v == domain.WholeCommune {
			names = append(names, r.t(lang, "announce.sub.whole", nil))
			continue
		}
		names = append(names, r.t(lang, "announce.village", args("village", v)))
	}
	return strings.Join(names, ", ")
}

// villageButtons are a button per village (marked when on), the whole
// commune, and last: done.
func (r *Router) villageButtons(lang string, on []string, last dialog.Button) []dialog.Button {
	mark := func(v, label string) string {
		if slices.Contains(on, v) {
			return "✅ " + label
		}
		return "▫️ " + label
	}
	var out []dialog.Button
	for i, v := range r.cfg.Announce.Villages() {
		out = append(out, dialog.Button{Text: mark(v, v), Data: villageValue("v", i)})
	}
	out = append(out, dialog.Button{Text: mark(domain.WholeCommune, r.t(lang, "announce.sub.whole_button", nil)), Data: "all"}, last)
	return out
}

// announceSubs shows the notice, what the chat receives, and the villages.
func (r *Router) announceSubs(ctx context.Context, c Call) (Result, error) {
	subs, err := r.cfg.Announce.Subscriptions(ctx, c.User)
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "announce.sub.intro", Args: args("current", r.subsText(c.Lang, subs, false))}},
		Choices: r.villageButtons(c.Lang, subs, r.doneButton(c.Lang))}, nil
}

func (r *Router) doneButton(lang string) dialog.Button {
	return dialog.Button{Text: r.t(lang, "announce.sub.done_button", nil), Data: "done"}
}

// subsText says what the chat receives (final: the closing summary).
func (r *Router) subsText(lang string, subs []string, final bool) string {
	switch {
	case len(subs) == 0 && final:
		return r.t(lang, "announce.sub.summary_none", nil)
	case len(subs) == 0:
		return r.t(lang, "announce.sub.current_none", nil)
	case final:
		return r.t(lang, "announce.sub.summary", args("villages", r.villagesText(lang, subs)))
	}
	return r.t(lang, "announce.sub.current", args("villages", r.villagesText(lang, subs)))
}

// announceToggle answers a village's button: "vN" and "all" turn it on or
// off and offer the list again; "sN" (the offer after a lookup) turns it
// on; "no" declines the offer; "done" closes with what the chat receives.
func (r *Router) announceToggle(ctx context.Context, c Call) (Result, error) {
	v := c.Slots["village"]
	switch {
	case v == "no":
		return Result{Branch: "done", Say: []dialog.Prompt{{Key: "announce.offer_declined"}}}, nil
	case v == "done":
		subs, err := r.cfg.Announce.Subscriptions(ctx, c.User)
		if err != nil {
			return Result{}, err
		}
		return Result{Branch: "done", Say: []dialog.Prompt{{Text: r.subsText(c.Lang, subs, true)}}}, nil
	case strings.HasPrefix(v, "s"):
		village, ok := r.villageOf("s", v)
		if !ok {
			return Result{}, domain.Invalid("input.pick_one")
		}
		subs, err := r.cfg.Announce.Subscriptions(ctx, c.User)
		if err != nil {
			return Result{}, err
		}
		if !slices.Contains(subs, village) {
			if _, err := r.cfg.Announce.Toggle(ctx, c.User, village); err != nil {
				return Result{}, err
			}
			subs = append(subs, village)
		}
		return Result{Branch: "done", Say: []dialog.Prompt{{Text: r.subsText(c.Lang, subs, true)}}}, nil
	}
	village, ok := r.villageOf("v", v)
	if !ok {
		return Result{}, domain.Invalid("input.pick_one")
	}
	on, err := r.cfg.Announce.Toggle(ctx, c.User, village)
	if err != nil {
		return Result{}, err
	}
	subs, err := r.cfg.Announce.Subscriptions(ctx, c.User)
	if err != nil {
		return Result{}, err
	}
	key := "announce.sub.off"
	if on {
		key = "announce.sub.on"
	}
	return Result{Branch: "again",
		Say:     []dialog.Prompt{{Key: key, Args: args("village", r.villagesText(c.Lang, []string{village}))}},
		Choices: r.villageButtons(c.Lang, subs, r.doneButton(c.Lang))}, nil
}

// announceStop ends every subscription of the chat: the button under an
// announcement, or «dừng» typed.
func (r *Router) announceStop(ctx context.Context, c Call) (Result, error) {
	if r.cfg.Announce == nil {
		return Result{Say: []dialog.Prompt{{Key: "announce.stopped_none"}}}, nil
	}
	n, err := r.cfg.Announce.Stop(ctx, c.User)
	if err != nil {
		return Result{}, err
	}
	if n == 0 {
		return Result{Say: []dialog.Prompt{{Key: "announce.stopped_none"}}}, nil
	}
	return Result{Say: []dialog.Prompt{{Key: "announce.stopped", Args: args("count", strconv.Itoa(n))}}}, nil
}

// announceOffer follows a lookup card whose dossier names a village of
// the commune with the offer of its announcements, once per chat, to a
// citizen who does not receive them: a button, or on a channel without
// buttons the words to type (a number would be read as the menu's).
func (r *Router) announceOffer(ctx context.Context, c Call, d domain.Dossier, say []dialog.Prompt) []dialog.Prompt {
	if r.cfg.Announce == nil || strings.TrimSpace(d.Village) == "" || (c.Citizen.Role != domain.RoleCitizen && c.Citizen.Role != "") {
		return say
	}
	village, fresh, err := r.cfg.Announce.Offer(ctx, c.User, d.Village)
	if err != nil {
		c.Log.Warn("announcement offer", "err", err) // the card matters more than the offer
		return say
	}
	if !fresh {
		return say
	}
	a := args("village", village)
	if !c.Feat.Buttons {
		return append(say, dialog.Prompt{Key: "announce.offer_typed", Args: a})
	}
	i := slices.Index(r.cfg.Announce.Villages(), village)
	return append(say, dialog.Prompt{Key: "announce.offer", Args: a, Apart: true, Choices: []dialog.Button{
		{Key: "announce.offer_yes", Args: a, Data: dialog.Data("announce_sub", "pick", villageValue("s", i))},
		{Key: "announce.offer_no", Data: dialog.Data("announce_sub", "pick", "no")},
	}})
}
