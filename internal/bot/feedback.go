package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/feedback"
)

// Photo limits said to the citizen and checked as each photo arrives.
const (
	maxPhotos     = 5
	maxPhotoBytes = 5 << 20
)

// feedbackActions bind the citizen's feedback dialog and the buttons under
// feedback notices (officials' actions, the citizen's rating of an answer
// and supplement); the feedback service checks who may do what.
func (r *Router) feedbackActions() Actions {
	return Actions{
		"feedback.entry":        r.feedbackEntry,
		"feedback.category":     r.feedbackCategory,
		"feedback.media":        r.feedbackMedia,
		"feedback.anon_allowed": r.feedbackAnonAllowed,
		"feedback.preview":      r.feedbackPreview,
		"feedback.submit":       r.feedbackSubmit,
		"fb.act":                r.fbAct,
		"fb.answer":             r.fbReply(func(s Feedback) replyFunc { return s.Answer }, "fb.answered"),
		"fb.more":               r.fbReply(func(s Feedback) replyFunc { return s.RequestMore }, "fb.more_sent"),
		"fb.refuse":             r.fbReply(func(s Feedback) replyFunc { return s.Refuse }, "fb.refused"),
		"fb.forward":            r.fbForward,
		"fb.rate":               r.fbRate,
		"fb.supp_start":         r.fbSuppStart,
		"fb.supplement":         r.fbSupplement,
		"inbox.list":            r.inboxList,
		"inbox.open":            r.inboxOpen,
	}
}

type replyFunc func(ctx context.Context, actor, ticket, text string) (domain.Feedback, error)

// feedbackEntry shows a ticket's status for "/gopy PA-2611-0042".
func (r *Router) feedbackEntry(ctx context.Context, c Call) (Result, error) {
	ticket, ok := domain.ParseTicket(c.Slots["args"])
	if !ok {
		return Result{}, nil
	}
	f, err := r.cfg.Feedback.Status(ctx, c.User, ticket)
	if err != nil {
		return Result{}, err
	}
	lines := []domain.Line{domain.L("feedback.status_head", "ticket", f.Ticket,
		"status", r.cfg.Texts.T(c.Lang, "feedback.status."+string(f.Status), nil))}
	if f.AnswerText != "" {
		lines = append(lines, domain.L("feedback.card.answer", "text", f.AnswerText))
	}
	return Result{Branch: "status", Say: []dialog.Prompt{r.bounded(c, lines)}}, nil
}

// feedbackCategory turns the first choice into a kind and a category:
// complaints and denunciations are kinds of their own.
func (r *Router) feedbackCategory(ctx context.Context, c Call) (Result, error) {
	kind, cat := domain.KindFeedback, c.Slots["category"]
	switch cat {
	case string(domain.KindComplaint), string(domain.KindDenunciation):
		kind, cat = domain.FeedbackKind(cat), string(domain.CatOther)
	}
	if !domain.Category(cat).Valid() {
		return Result{}, domain.Invalid("feedback.bad_category")
	}
	return Result{Slots: map[string]string{"kind": string(kind), "category": cat}}, nil
}

// feedbackMedia checks each photo as it arrives (count, size), so a bad one
// is refused at once and the others are kept.
func (r *Router) feedbackMedia(ctx context.Context, c Call) (Result, error) {
	if c.Slots["media"] == "done" {
		return Result{}, nil
	}
	photos := photosOf(c.Slots)
	if len(photos) > maxPhotos {
		return Result{}, domain.Invalid("feedback.too_many_photos", "max", strconv.Itoa(maxPhotos))
	}
	if n := len(photos); n > 0 && photos[n-1].Size > maxPhotoBytes {
		return Result{}, domain.Invalid("feedback.photo_too_large", "number", strconv.Itoa(n),
			"max_mb", strconv.Itoa(maxPhotoBytes>>20))
	}
	place := ""
	if c.Slots["place"] != "" {
		place = r.cfg.Texts.T(c.Lang, "feedback.media_place", nil)
	}
	return Result{Say: []dialog.Prompt{{Key: "feedback.media_got",
		Args: map[string]string{"count": strconv.Itoa(len(photos)), "place": place}}}}, nil
}

func (r *Router) feedbackAnonAllowed(ctx context.Context, c Call) (Result, error) {
	if domain.Category(c.Slots["category"]).AllowsAnonymous(domain.FeedbackKind(c.Slots["kind"])) {
		return Result{}, nil
	}
	return Result{Branch: "no", Slots: map[string]string{"anonymous": "no"}}, nil
}

// feedbackPreview shows what will be sent.
func (r *Router) feedbackPreview(ctx context.Context, c Call) (Result, error) {
	p := dialog.Prompt{Key: "feedback.preview_head", Parts: []dialog.Prompt{
		{Key: "feedback.kind." + c.Slots["kind"]},
		{Key: "feedback.card.text", Args: map[string]string{"text": c.Slots["text"]}},
	}}
	if c.Slots["kind"] == string(domain.KindFeedback) {
		p.Parts = append(p.Parts[:1], append([]dialog.Prompt{{Key: "feedback.cat." + c.Slots["category"]}}, p.Parts[1:]...)...)
	}
	if n := len(photosOf(c.Slots)); n > 0 {
		p.Parts = append(p.Parts, dialog.Prompt{Key: "feedback.card.photos", Args: map[string]string{"count": strconv.Itoa(n)}})
	}
	if lat, lon, ok := strings.Cut(c.Slots["place"], ","); ok {
		p.Parts = append(p.Parts, dialog.Prompt{Key: "feedback.card.location", Args: map[string]string{"lat": lat, "lon": lon}})
	}
	if c.Slots["anonymous"] == "yes" {
		p.Parts = append(p.Parts, dialog.Prompt{Key: "feedback.card.anonymous"})
	} else if sender, ok := senderPreview(c.Slots); ok {
		p.Parts = append(p.Parts, sender)
	}
	return Result{Say: []dialog.Prompt{p}}, nil
}

// feedbackSubmit files it; a refusal (too many in a minute) keeps the
// citizen on the confirm step with everything typed, to send again later.
func (r *Router) feedbackSubmit(ctx context.Context, c Call) (Result, error) {
	var place domain.Location
	if lat, lon, ok := strings.Cut(c.Slots["place"], ","); ok {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		place = domain.Location{Lat: la, Lon: lo, Has: err1 == nil && err2 == nil}
	}
	ack, err := r.cfg.Feedback.SubmitFrom(ctx, c.User, domain.FeedbackKind(c.Slots["kind"]), domain.Category(c.Slots["category"]),
		c.Slots["text"], c.Slots["anonymous"] == "yes", senderOf(c.Slots), photosOf(c.Slots), place)
	var th *feedback.ThrottledError
	if errors.As(err, &th) {
		return Result{}, domain.Invalid(th.Key, "until", r.dateTime(th.Until))
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "feedback.ack." + string(ack.Kind),
		Args: map[string]string{"ticket": ack.Ticket, "due": ack.Due.Format("02/01/2006")}}}}, nil
}

// photosOf reads the "id:size" lines the dialog engine keeps in slot photos.
func photosOf(slots map[string]string) []domain.Photo {
	var out []domain.Photo
	for _, line := range strings.Split(slots["photos"], "\n") {
		if id, size := photoLine(line); id != "" {
			out = append(out, domain.Photo{FileID: id, Size: size, MIME: "image/jpeg"})
		}
	}
	return out
}

// photoLine splits one "id:size" line of slot photos at its last colon: a
// Zalo photo's id is its URL, colons and all.
func photoLine(line string) (id string, size int64) {
	i := strings.LastIndexByte(line, ':')
	if i <= 0 {
		return "", 0
	}
	size, _ = strconv.ParseInt(line[i+1:], 10, 64)
	return line[:i], size
}
