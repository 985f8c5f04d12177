package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/rating"
)

// ratingActions bind the rating dialog: the level (from the push's buttons
// or /danhgia CODE), then the optional questions of Decree 118 Art. 33 one
// at a time, then an optional comment.
func (r *Router) ratingActions() Actions {
	return Actions{
		"rate.entry":     r.rateEntry,
		"rate.check":     r.rateCheck,
		"rate.prove":     r.rateProve,
		"rate.level":     r.rateLevel,
		"rate.criterion": r.rateCriterion,
		"rate.comment":   r.rateComment,
	}
}

// rateEntry takes the code typed after /danhgia, or asks for one.
func (r *Router) rateEntry(ctx context.Context, c Call) (Result, error) {
	if strings.TrimSpace(c.Slots["args"]) == "" {
		return Result{Branch: "ask"}, nil
	}
	return r.rateCheck(ctx, c.with(map[string]string{"code": c.Slots["args"]}))
}

// rateCheck makes sure the citizen may rate the dossier and offers the
// levels. A dossier the chat has not proved yet is proved here as in a
// lookup (branch "prove": the phone on it, or the ID's last 4 digits),
// under the lookup's limits.
func (r *Router) rateCheck(ctx context.Context, c Call) (Result, error) {
	d, err := r.cfg.Ratings.Check(ctx, c.User, c.Slots["code"])
	var inv *domain.InvalidError
	if errors.As(err, &inv) && (inv.Key == "rating.not_yours" || inv.Key == "rating.need_phone") {
		res, err := r.dossierFind(ctx, c.with(map[string]string{"code": c.Slots["code"]}))
		if err != nil || res.Branch == "locked" {
			return res, err
		}
		res.Branch = "prove"
		return res, nil
	}
	if err != nil {
		return Result{}, err
	}
	code := domain.CanonicalCode(d.Code)
	var choices []dialog.Button
	for _, l := range domain.Levels {
		level := domain.Intent{Kind: domain.IntentRateLevel, Ref: code, Arg: strconv.Itoa(int(l))}
		choices = append(choices, dialog.Button{Key: rating.LevelKey(l), Data: intentValue(level)})
	}
	return Result{Slots: map[string]string{"code": code},
		Say:     []dialog.Prompt{{Key: "rate.choose_level", Args: map[string]string{"code": d.Code}}},
		Choices: choices}, nil
}

// rateProve checks the second factor typed for the dossier to rate (the
// chat then follows it, as after a lookup) and offers the levels; a
// dossier without its result yet is said so, with its card.
func (r *Router) rateProve(ctx context.Context, c Call) (Result, error) {
	res, err := r.dossierVerify(ctx, c)
	if err != nil || res.Branch == "locked" {
		return res, err
	}
	res, err = r.rateCheck(ctx, c.with(map[string]string{"code": c.Slots["code"]}))
	var inv *domain.InvalidError
	if errors.As(err, &inv) && inv.Key == "rating.not_yet" {
		return Result{Branch: "not_yet", Say: []dialog.Prompt{{Key: inv.Key, Args: inv.Args}}}, nil
	}
	if res.Slots == nil {
		res.Slots = map[string]string{}
	}
	res.Slots["factor"] = "" // the typed phone has done its job
	return res, err
}

// rateOffer is what follows the card of a dossier with its result: the
// «⭐ Đánh giá» button in a message of its own, or on a channel without
// buttons the words to type (a number would be read as the main menu's).
func (r *Router) rateOffer(c Call, d domain.Dossier, card dialog.Prompt) []dialog.Prompt {
	if !domain.Eligible(d) {
		return []dialog.Prompt{card}
	}
	code := domain.CanonicalCode(d.Code)
	// A code too long for a button's data is rated by typing, as where
	// there are no buttons.
	data, err := intentData(domain.Intent{Kind: domain.IntentRate, Ref: code})
	if !c.Feat.Buttons || err != nil {
		card.Text += "\n" + r.t(c.Lang, "card.rate_typed", map[string]string{"code": code})
		return []dialog.Prompt{card}
	}
	return []dialog.Prompt{card, {Key: "card.rate_offer", Apart: true,
		Choices: []dialog.Button{{Key: "menu.rate", Data: data}}}}
}

// rateLevel stores the level ("CODE:N") and asks the first question.
func (r *Router) rateLevel(ctx context.Context, c Call) (Result, error) {
	pick, ok := intentOf(domain.IntentRateLevel, c.Slots["level"])
	level, err := domain.ParseLevel(pick.Arg)
	if !ok || err != nil {
		return Result{}, domain.Invalid("rating.bad_level")
	}
	res, err := r.cfg.Ratings.Rate(ctx, c.User, pick.Ref, level)
	if err != nil {
		return Result{}, err
	}
	say := []dialog.Prompt{linesPrompt(res.Answer())}
	q, choices := r.nextQuestion(domain.CanonicalCode(res.Dossier.Code), res.Rating)
	say = append(say, q)
	return Result{Say: say, Choices: choices, Slots: map[string]string{"code": domain.CanonicalCode(res.Dossier.Code)}}, nil
}

// nextQuestion is the first criterion not answered yet, with yes / no /
// skip / comment buttons; when all are answered, only the comment offer.
func (r *Router) nextQuestion(code string, rt domain.Rating) (dialog.Prompt, []dialog.Button) {
	for _, cr := range domain.Criteria {
		if _, done := rt.Criteria[cr]; done {
			continue
		}
		return dialog.Prompt{Key: "rating.criterion." + string(cr)}, []dialog.Button{
			{Key: "rate.yes", Words: "talk.yes", Data: code + ":" + string(cr) + "=y"},
			{Key: "rate.no", Words: "talk.no", Data: code + ":" + string(cr) + "=n"},
			{Key: "rate.comment_btn", Data: code + ":comment"},
			{Key: "rate.done_btn", Data: code + ":done"},
		}
	}
	return dialog.Prompt{Key: "rate.all_answered"}, []dialog.Button{
		{Key: "rate.comment_btn", Data: code + ":comment"},
		{Key: "rate.done_btn", Data: code + ":done"},
	}
}

// rateCriterion reads "CODE:criterion=y|n", "CODE:comment" or "CODE:done".
func (r *Router) rateCriterion(ctx context.Context, c Call) (Result, error) {
	code, op, ok := strings.Cut(c.Slots["criterion"], ":")
	if !ok {
		return Result{}, domain.Invalid("rating.bad_criterion")
	}
	switch op {
	case "done":
		if err := r.cfg.Ratings.Finish(ctx, c.User, code); err != nil {
			return Result{}, err
		}
		return Result{Branch: "done", Say: []dialog.Prompt{{Key: "rate.done"}}}, nil
	case "comment":
		return Result{Branch: "comment", Slots: map[string]string{"code": code}}, nil
	}
	name, answer, ok := strings.Cut(op, "=")
	if !ok || (answer != "y" && answer != "n") {
		return Result{}, domain.Invalid("rating.bad_criterion")
	}
	rt, err := r.cfg.Ratings.SetCriteria(ctx, c.User, code, map[domain.Criterion]bool{domain.Criterion(name): answer == "y"})
	if err != nil {
		return Result{}, err
	}
	q, choices := r.nextQuestion(code, rt)
	return Result{Branch: "more", Say: []dialog.Prompt{q}, Choices: choices}, nil
}

func (r *Router) rateComment(ctx context.Context, c Call) (Result, error) {
	if _, err := r.cfg.Ratings.Comment(ctx, c.User, c.Slots["code"], c.Slots["comment"]); err != nil {
		return Result{}, err
	}
	// The comment ends the rating: a low one's alert is followed by why.
	if err := r.cfg.Ratings.Finish(ctx, c.User, c.Slots["code"]); err != nil {
		return Result{}, err
	}
	return Result{Say: []dialog.Prompt{{Key: "rate.comment_saved"}}}, nil
}

// linesPrompt renders service lines as one message.
func linesPrompt(lines []domain.Line) dialog.Prompt {
	if len(lines) == 0 {
		return dialog.Prompt{}
	}
	p := dialog.Prompt{Key: lines[0].Key, Args: lines[0].Args}
	for _, l := range lines[1:] {
		p.Parts = append(p.Parts, dialog.Prompt{Key: l.Key, Args: l.Args})
	}
	return p
}
