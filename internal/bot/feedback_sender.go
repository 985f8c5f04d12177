package bot

import (
	"context"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// A message sent «kèm danh tính» (with identity) carries the sender's name
// and a phone to call back: the verified phone when the chat has one, else
// one typed or shared here. They are shown (the phone masked) in the
// preview, go with the message to the officials who handle it, and are
// never logged. An anonymous message asks for neither.
func (r *Router) feedbackSenderActions() Actions {
	return Actions{
		"feedback.identity":     r.feedbackIdentity,
		"feedback.sender_name":  r.feedbackSenderName,
		"feedback.sender_phone": r.feedbackSenderPhone,
	}
}

// feedbackIdentity skips the questions for an anonymous message, and
// forgets what an earlier round typed.
func (r *Router) feedbackIdentity(ctx context.Context, c Call) (Result, error) {
	none := map[string]string{"sender_name": "", "sender_phone": ""}
	if c.Slots["anonymous"] == "yes" {
		return Result{Branch: "anonymous", Slots: none}, nil
	}
	return Result{Slots: none}, nil
}

func (r *Router) feedbackSenderName(ctx context.Context, c Call) (Result, error) {
	name, err := domain.SenderName(c.Slots["sender_name"])
	if err != nil {
		return Result{}, err
	}
	slots := map[string]string{"sender_name": name}
	if phone := c.Citizen.Phone; phone != "" {
		slots["sender_phone"] = phone
		return Result{Branch: "known_phone", Slots: slots}, nil
	}
	return Result{Slots: slots}, nil
}

func (r *Router) feedbackSenderPhone(ctx context.Context, c Call) (Result, error) {
	phone, ok := domain.NormalizePhone(c.Slots["sender_phone"])
	if !ok {
		return Result{}, domain.Invalid("feedback.bad_phone")
	}
	return Result{Slots: map[string]string{"sender_phone": phone, "sender_phone_own": ""}}, nil
}

// senderOf is the identity the dialog collected; none for an anonymous
// message.
func senderOf(slots map[string]string) domain.Sender {
	if slots["anonymous"] == "yes" {
		return domain.Sender{}
	}
	return domain.Sender{Name: slots["sender_name"], Phone: slots["sender_phone"]}
}

// senderPreview is the preview's line for the sender, the phone masked;
// none for an anonymous message.
func senderPreview(slots map[string]string) (dialog.Prompt, bool) {
	s := senderOf(slots)
	if s.Empty() {
		return dialog.Prompt{}, false
	}
	return dialog.Prompt{Key: "feedback.preview_sender",
		Args: map[string]string{"name": s.Name, "phone": domain.MaskPhone(s.Phone)}}, true
}
