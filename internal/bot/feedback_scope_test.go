package bot

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"xabot/internal/domain"
	"xabot/internal/service/officials"
)

var tcTicket = regexp.MustCompile(`TC-\d{4}-\d{4}`)

// denounce files a denunciation from user and returns its ticket.
func (f *fbFixture) denounce(user, text string) string {
	f.t.Helper()
	for _, l := range []string{"/gopy", "[feedback/ask_category/denunciation]", text, "[feedback/ask_media/done]",
		"Trần Văn Tố", "0912 345 678"} {
		f.send(user, l)
	}
	f.rec.take()
	ticket := tcTicket.FindString(f.say(user, "[feedback/confirm/send]"))
	if ticket == "" {
		f.t.Fatalf("%s: no denunciation ticket", user)
	}
	return ticket
}

// A denunciation reaches the head and the chairman only; the field
// official's forged buttons and /phananh give them nothing; the head's
// forward offers only the chairman, and a forged colleague is refused.
func TestFeedbackDenunciationScope(t *testing.T) {
	f := newFeedbackFixture(t)
	const chair = "4"
	code, _, err := f.staff.Invite(t.Context(), officials.ActorCLI, "Nguyễn Chủ Tịch", domain.RoleChairman, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	f.expect(chair, "/dangky "+code, "Đăng ký thành công")
	f.drain()
	roads := f.submit(fbCitizen, "Đèn đường ở thôn An Hòa bị hỏng từ tuần trước.")
	tc := f.denounce(fbOther, "Tố cáo cán bộ địa chính đòi tiền khi đo đạc thửa đất.")
	got := f.drain()
	f.notice(got, fbHead, tc)
	f.notice(got, chair, tc)
	for _, user := range []string{fbBuilder, fbLand} {
		for _, n := range got["tg:"+user] {
			if strings.Contains(n.Text, tc) {
				t.Errorf("the denunciation reached %s: %s", user, n.Text)
			}
		}
	}

	notInScope := f.text("feedback.not_in_scope", "ticket", tc)
	for _, op := range domain.FeedbackActions() {
		if got := f.say(fbBuilder, "[fb/act/"+tc+":"+op+"]"); got != notInScope {
			t.Errorf("builder's forged %s: %q, want %q", op, got, notInScope)
		}
	}
	f.want(tc, domain.FeedbackNew, "")
	f.expect(fbLand, "/phananh", f.text("inbox.which"))
	if got := f.say(fbLand, "[inbox/which/open]"); got != f.text("inbox.empty") {
		t.Errorf("the land official's /phananh: %q", got)
	}
	f.expect(fbBuilder, "/phananh", f.text("inbox.which"))
	if got := f.say(fbBuilder, "[inbox/which/open]"); strings.Contains(got, tc) || !strings.Contains(got, roads) {
		t.Errorf("the builder's /phananh: %q, want %s and not %s", got, roads, tc)
	}

	f.expect(fbHead, "[fb/act/"+tc+":take]", f.text("fb.took", "ticket", tc))
	f.drain()
	f.send(fbHead, "[fb/act/"+tc+":forward]")
	replies := f.rec.take()
	if len(replies) != 1 || len(replies[0].Buttons) != 1 || replies[0].Buttons[0][0].Label != "Nguyễn Chủ Tịch" {
		t.Fatalf("colleagues offered for a denunciation: %+v", replies)
	}
	builderID := ""
	for _, o := range mustList(t, f.staff) {
		if o.ChatKey == "tg:"+fbBuilder {
			builderID = strconv.FormatInt(o.ID, 10)
		}
	}
	// A forged colleague (the builder, not offered) is refused by the dialog.
	f.expect(fbHead, "[fb/pick_colleague/"+builderID+"]", f.text("errors.button_expired"))
	f.want(tc, domain.FeedbackTaken, "tg:"+fbHead)
	f.expect(fbHead, "["+replies[0].Buttons[0][0].Data+"]", f.text("fb.forwarded_ok", "ticket", tc))
	f.want(tc, domain.FeedbackTaken, "tg:"+chair)
	if got := f.drain(); len(got["tg:"+fbBuilder]) != 0 || len(got["tg:"+chair]) != 1 {
		t.Errorf("after the forward: %+v", got)
	}
}
