package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/announce"
)

// recentAnnouncements is how many /thongbao lists to those who send.
const recentAnnouncements = 5

// mayAnnounce says whether this turn's person may send announcements.
func (r *Router) mayAnnounce(ctx context.Context, c Call) (bool, error) {
	if r.cfg.Announce == nil {
		return false, nil
	}
	return r.cfg.Announce.MayAnnounce(ctx, c.User, c.Citizen.Role)
}

// announceSender runs a only for one who may send announcements, checked
// on every call against this update's role and right, as adminOnly does.
func (r *Router) announceSender(a Action) Action {
	return func(ctx context.Context, c Call) (Result, error) {
		ok, err := r.mayAnnounce(ctx, c)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return Result{}, leaveIdle(fmt.Errorf("bot: %s/%s: %w", c.Flow, c.Step, domain.ErrForbidden))
		}
		return a(ctx, c)
	}
}

// announceList lists the recent announcements with their figures, and
// offers a new one and the cancel of each still queued.
func (r *Router) announceList(ctx context.Context, c Call) (Result, error) {
	all, err := r.cfg.Announce.Recent(ctx, recentAnnouncements)
	if err != nil {
		return Result{}, err
	}
	choices := []dialog.Button{{Key: "announce.list.new_button", Data: "new"}}
	if len(all) == 0 {
		return Result{Say: []dialog.Prompt{{Key: "announce.list.empty"}}, Choices: choices}, nil
	}
	list := dialog.Prompt{Key: "announce.list.head"}
	for _, a := range all {
		list.Parts = append(list.Parts, dialog.Prompt{Key: "announce.list.item", Args: r.announceItem(c.Lang, a)})
		if a.Status == domain.AnnScheduled || a.Status == domain.AnnSending {
			id := strconv.FormatInt(a.ID, 10)
			choices = append(choices, dialog.Button{Key: "announce.list.cancel_button", Args: args("id", id), Data: "c" + id})
		}
	}
	return Result{Say: []dialog.Prompt{list}, Choices: choices}, nil
}

// announceItem is one announcement of the list: when, where, status,
// author, the start of its text, its figures.
func (r *Router) announceItem(lang string, a domain.Announcement) map[string]string {
	urgent := ""
	if a.Urgent {
		urgent = r.t(lang, "announce.list.urgent", nil)
	}
	f := a.Figures
	figures := r.t(lang, "announce.list.figures", args("recipients", strconv.Itoa(f.Recipients),
		"sent", strconv.Itoa(f.Sent), "failed", strconv.Itoa(f.Failed), "stopped", strconv.Itoa(f.Stopped),
		"cancelled", strconv.Itoa(f.Cancelled), "queued", strconv.Itoa(f.Queued)))
	if a.Status == domain.AnnScheduled {
		figures = r.t(lang, "announce.list.no_figures", nil)
	}
	excerpt, _ := domain.Clip(strings.Join(strings.Fields(a.Text), " "), 80)
	return args("id", strconv.FormatInt(a.ID, 10), "when", r.dateTime(a.SendAt),
		"where", r.villagesText(lang, a.Targets()), "urgent", urgent,
		"status", r.t(lang, "announce.status."+a.Status, args("at", r.dateTime(a.SendAt))),
		"author", a.AuthorName, "excerpt", excerpt, "figures", figures)
}

// announcePick answers the list: a new announcement, or the cancel of
// one, confirmed first.
func (r *Router) announcePick(ctx context.Context, c Call) (Result, error) {
	v := c.Slots["pick"]
	if v == "new" {
		return Result{Branch: "new"}, nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(v, "c"), 10, 64)
	if !strings.HasPrefix(v, "c") || err != nil {
		return Result{}, domain.Invalid("input.pick_one")
	}
	ids := strconv.FormatInt(id, 10)
	if _, err := r.cfg.Announce.Get(ctx, id); errors.Is(err, domain.ErrNotFound) {
		return Result{}, domain.Invalid("announce.not_found", "id", ids)
	} else if err != nil {
		return Result{}, err
	}
	return Result{Branch: "confirm", Slots: map[string]string{"cancel_id": ids},
		Say: []dialog.Prompt{{Key: "announce.cancel.ask", Args: args("id", ids)}},
		Choices: []dialog.Button{
			{Key: "announce.cancel.yes", Args: args("id", ids), Data: "y" + ids},
			{Key: "announce.cancel.no", Data: "n" + ids},
		}}, nil
}

// announceCancel acts on the confirmation of a cancel.
func (r *Router) announceCancel(ctx context.Context, c Call) (Result, error) {
	ids := c.Slots["cancel_id"]
	switch c.Slots["sure"] {
	case "n" + ids:
		return Result{Say: []dialog.Prompt{{Key: "announce.cancel.kept", Args: args("id", ids)}}}, nil
	case "y" + ids:
	default:
		return Result{}, domain.Invalid("input.pick_one")
	}
	id, err := strconv.ParseInt(ids, 10, 64)
	if err != nil {
		return Result{}, domain.Invalid("input.pick_one")
	}
	a, err := r.cfg.Announce.Cancel(ctx, id, c.User, c.Citizen.Role)
	var inv *domain.InvalidError
	if errors.As(err, &inv) { // went out meanwhile: say so and end
		return Result{Say: []dialog.Prompt{{Key: inv.Key, Args: inv.Args}}}, nil
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "announce.cancel.done", Args: args("id", ids,
		"cancelled", strconv.Itoa(a.Figures.Cancelled), "sent", strconv.Itoa(a.Figures.Sent))}}}, nil
}

// draftSlots are the slots of a draft, emptied when it starts and ends.
var draftSlots = []string{"sel", "village", "text", "photo", "photo_chan", "photos", "photo_skip", "urgent", "when", "at", "at_unix", "ok"}

func clearDraft(extra ...string) map[string]string {
	m := map[string]string{}
	for _, k := range draftSlots {
		m[k] = ""
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// selected reads the chosen villages of a draft (slot "sel": button
// values, "all" for the whole commune).
func (r *Router) selected(sel string) (whole bool, villages []string) {
	for _, v := range strings.Split(sel, ",") {
		if v == "all" {
			whole = true
		} else if name, ok := r.villageOf("v", v); ok {
			villages = append(villages, name)
		}
	}
	return whole, villages
}

// chosenPrompt says what the draft goes to, with the villages' buttons.
func (r *Router) chosenPrompt(lang, sel string) (dialog.Prompt, []dialog.Button) {
	whole, villages := r.selected(sel)
	var on []string
	chosen := r.t(lang, "announce.new.chosen_none", nil)
	if whole {
		on = []string{domain.WholeCommune}
		chosen = r.t(lang, "announce.new.chosen", args("villages", r.villagesText(lang, on)))
	} else if len(villages) > 0 {
		on = villages
		chosen = r.t(lang, "announce.new.chosen", args("villages", r.villagesText(lang, villages)))
	}
	next := dialog.Button{Text: r.t(lang, "announce.new.next_button", nil), Data: "next"}
	return dialog.Prompt{Key: "announce.new.ask_villages", Args: args("chosen", chosen)}, r.villageButtons(lang, on, next)
}

// announceNew starts a draft.
func (r *Router) announceNew(ctx context.Context, c Call) (Result, error) {
	p, choices := r.chosenPrompt(c.Lang, "")
	return Result{Slots: clearDraft("limit", strconv.Itoa(r.cfg.Announce.Daily())), Say: []dialog.Prompt{p}, Choices: choices}, nil
}

// announcePickVillage turns a village (or the whole commune) on or off in
// the draft; "next" goes on once one is chosen.
func (r *Router) announcePickVillage(ctx context.Context, c Call) (Result, error) {
	sel := c.Slots["sel"]
	v := c.Slots["village"]
	if v == "next" {
		if whole, villages := r.selected(sel); !whole && len(villages) == 0 {
			return Result{}, domain.Invalid("announce.no_village")
		}
		return Result{Branch: "next"}, nil
	}
	if _, ok := r.villageOf("v", v); !ok {
		return Result{}, domain.Invalid("input.pick_one")
	}
	var kept []string
	for _, s := range strings.Split(sel, ",") {
		if s != "" && s != v {
			kept = append(kept, s)
		}
	}
	if !strings.Contains(","+sel+",", ","+v+",") {
		kept = append(kept, v)
	}
	sel = strings.Join(kept, ",")
	p, choices := r.chosenPrompt(c.Lang, sel)
	return Result{Branch: "again", Slots: map[string]string{"sel": sel}, Say: []dialog.Prompt{p}, Choices: choices}, nil
}

// announceText checks the text's length (the step takes more, so that the
// refusal can say how long it was).
func (r *Router) announceText(ctx context.Context, c Call) (Result, error) {
	if err := announce.CheckText(c.Slots["text"]); err != nil {
		return Result{}, err
	}
	return Result{}, nil
}

// announcePhoto keeps the last photo sent (a platform file id, of this
// chat's channel), or none.
func (r *Router) announcePhoto(ctx context.Context, c Call) (Result, error) {
	photos := strings.Split(strings.TrimSpace(c.Slots["photos"]), "\n")
	last := photos[len(photos)-1]
	if last == "" {
		return Result{Slots: map[string]string{"photo": "", "photo_chan": ""}}, nil
	}
	id, _ := photoLine(last)
	if id == "" {
		id = last
	}
	ch, _, _ := strings.Cut(c.User, ":")
	return Result{Slots: map[string]string{"photo": id, "photo_chan": ch, "photos": ""}}, nil
}

// announceAt reads the time to send at, in the commune's zone.
func (r *Router) announceAt(ctx context.Context, c Call) (Result, error) {
	typed := c.Slots["at"]
	at, ok := domain.ParseLocalTime(typed, r.cfg.Now(), r.cfg.TZ)
	if !ok {
		return Result{}, domain.Invalid("announce.bad_time", "text", domain.Echo(typed))
	}
	if at.Before(r.cfg.Now()) {
		return Result{}, domain.Invalid("announce.time_past")
	}
	return Result{Slots: map[string]string{"at_unix": strconv.FormatInt(at.Unix(), 10)}}, nil
}

// draft is the announcement the slots describe.
func (r *Router) draft(ctx context.Context, c Call) (domain.Announcement, error) {
	_, o, err := r.screenRole(ctx, c)
	if err != nil {
		return domain.Announcement{}, err
	}
	whole, villages := r.selected(c.Slots["sel"])
	a := domain.Announcement{Author: c.User, AuthorName: o.Name, Whole: whole, Villages: villages,
		Text: strings.TrimSpace(c.Slots["text"]), Photo: c.Slots["photo"], PhotoChan: c.Slots["photo_chan"],
		Urgent: c.Slots["urgent"] == "yes", SendAt: r.cfg.Now()}
	if c.Slots["when"] == "later" {
		if sec, err := strconv.ParseInt(c.Slots["at_unix"], 10, 64); err == nil {
			a.SendAt = time.Unix(sec, 0).UTC()
		}
	}
	return a, nil
}

// limitPrompt explains the daily limit: the village, how many, until when.
func (r *Router) limitPrompt(e *domain.DailyLimitError) dialog.Prompt {
	return dialog.Prompt{Key: "announce.limit", Args: args("village", e.Village, "count", strconv.Itoa(e.Count),
		"limit", strconv.Itoa(e.Limit), "date", r.date(e.Resets.Add(-time.Hour)), "resets", r.dateTime(e.Resets))}
}

// announcePreview shows the announcement as a citizen will read it, where
// it goes, to how many today, when; a routine one over the day's limit is
// refused here already, back to the urgency with the text kept.
func (r *Router) announcePreview(ctx context.Context, c Call) (Result, error) {
	a, err := r.draft(ctx, c)
	if err != nil {
		return Result{}, err
	}
	var limit *domain.DailyLimitError
	if err := r.cfg.Announce.Check(ctx, a); errors.As(err, &limit) {
		return Result{Branch: "limit", Say: []dialog.Prompt{r.limitPrompt(limit)}}, nil
	} else if err != nil {
		return Result{}, err
	}
	n, err := r.cfg.Announce.Reach(ctx, a)
	if err != nil {
		return Result{}, err
	}
	var msg []string
	for _, l := range announce.Lines(a) {
		msg = append(msg, r.t(c.Lang, l.Key, l.Args))
	}
	when := r.t(c.Lang, "announce.preview_now", nil)
	if c.Slots["when"] == "later" {
		when = r.t(c.Lang, "announce.preview_at", args("at", r.dateTime(a.SendAt)))
	}
	photo := ""
	if a.Photo != "" {
		photo = r.t(c.Lang, "announce.preview_photo", nil)
		if r.cfg.Announce.PhotoTextOnly(a) {
			photo += r.t(c.Lang, "announce.preview_photo_text_only", nil)
		}
	}
	return Result{Say: []dialog.Prompt{{Key: "announce.preview", Args: args("message", strings.Join(msg, "\n"),
		"where", r.villagesText(c.Lang, a.Targets()), "count", strconv.Itoa(n), "when", when, "photo", photo)}}}, nil
}

// announceCreate stores the announcement; it goes now (the sending loop
// is woken) or at its time.
func (r *Router) announceCreate(ctx context.Context, c Call) (Result, error) {
	a, err := r.draft(ctx, c)
	if err != nil {
		return Result{}, err
	}
	later := c.Slots["when"] == "later"
	a, err = r.cfg.Announce.Create(ctx, a)
	var limit *domain.DailyLimitError
	if errors.As(err, &limit) {
		return Result{Branch: "limit", Say: []dialog.Prompt{r.limitPrompt(limit)}}, nil
	}
	if err != nil {
		return Result{}, err
	}
	id := strconv.FormatInt(a.ID, 10)
	p := dialog.Prompt{Key: "announce.created_now", Args: args("id", id)}
	if later {
		p = dialog.Prompt{Key: "announce.created_at", Args: args("id", id, "at", r.dateTime(a.SendAt))}
	}
	return Result{Slots: clearDraft(), Say: []dialog.Prompt{p}}, nil
}
