package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
	"xabot/internal/i18n"
	"xabot/internal/service/officials"
)

// officialsBook is `xabot officials book ID on|off`: the official keeps the
// reception book (gets the evening list, records visits with /sotiep)
// besides the chairmen, or no longer.
func (a *App) officialsBook(ctx context.Context, s *officials.Service, args []string, out io.Writer) error {
	if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
		return errors.New(OfficialsUsage)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("officials book: %q is not an official's number\n%s", args[0], OfficialsUsage)
	}
	o, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	on := args[1] == "on"
	if err := a.reception.SetKeeper(ctx, officials.ActorCLI, id, on); err != nil {
		return err
	}
	key := "reception.cli.revoked"
	if on {
		key = "reception.cli.granted"
	}
	_, err = fmt.Fprintln(out, a.texts.T(a.cfg.Lang, key, map[string]string{"name": o.Name, "id": strconv.FormatInt(id, 10)}))
	return err
}

// reportReception prints the report's sentence on citizen reception for
// from..to after the paragraph on dossiers (`xabot report`).
func (a *App) reportReception(ctx context.Context, lang string, from, to time.Time, out io.Writer) error {
	t, err := a.reception.Tally(ctx, from, to)
	if err != nil {
		return err
	}
	l := a.reception.Sentence(t, from, to, func(n int64) string { return i18n.Number(lang, n) })
	_, err = fmt.Fprintln(out, a.texts.T(lang, l.Key, l.Args))
	return err
}

// seedReception fills the demo's reception book for the sessions of the
// last four weeks: two registrations each (one received, one who did not
// come) and an ad hoc visit, so that /sotiep, /baocao and the page have
// something to show. Its people are made up.
func (a *App) seedReception(ctx context.Context) error {
	sched := a.profile.ReceptionSchedule()
	today := domain.DateOf(a.now(), a.cfg.TZ)
	people := []domain.Sender{{Name: "Lê Văn Bình", Phone: "0905000111"}, {Name: "Trần Thị Em", Phone: "0912000222"},
		{Name: "Phạm Văn Cường", Phone: "0935000333"}, {Name: "Võ Thị Dung", Phone: "0987000444"}}
	topics := []domain.ReceptionTopic{domain.TopicLand, domain.TopicPolicy, domain.TopicEnvironment, domain.TopicProcedure}
	texts := []string{"Tranh chấp ranh giới đất với hộ liền kề, đã hòa giải ở thôn chưa thành.",
		"Đề nghị xem xét chế độ trợ cấp cho người cao tuổi trong gia đình.",
		"Rác thải ứ đọng ở đầu thôn, đề nghị bố trí thu gom.",
		"Hồ sơ cấp giấy chứng nhận quyền sử dụng đất chậm so với giấy hẹn."}
	n := 0
	for back := 28; back >= 1; back-- {
		for _, ses := range sched.On(today.AddDate(0, 0, -back), a.calendar) {
			for k := range 2 {
				i := (n + k) % len(people)
				r, err := a.db.CreateRegistration(ctx, domain.Registration{Day: ses.Day, From: ses.From, To: ses.To,
					Place: ses.Place, Sender: people[i], Topic: topics[i], Text: texts[i],
					CreatedAt: ses.Start(a.cfg.TZ).AddDate(0, 0, -3)}, a.cfg.TZ)
				if err != nil {
					return fmt.Errorf("app: demo reception: %w", err)
				}
				v := domain.Visit{Registration: r.ID, Ticket: r.Ticket, Day: ses.Day, Kind: domain.VisitPeriodic,
					Received: k == 0, RecordedBy: "console:cli-chairman", RecordedAt: ses.Start(a.cfg.TZ).Add(4 * time.Hour)}
				if v.Received {
					v.Outcome = "Đã giải thích, giao công chức chuyên môn kiểm tra và trả lời trong 10 ngày."
				}
				if _, err := a.db.AddVisit(ctx, v); err != nil {
					return fmt.Errorf("app: demo reception: %w", err)
				}
			}
			n++
		}
	}
	for _, back := range []int{3, 17} {
		d := today.AddDate(0, 0, -back)
		if _, err := a.db.AddVisit(ctx, domain.Visit{Day: d, Kind: domain.VisitAdHoc, Received: true, Name: "Đặng Văn Giang",
			Outcome: "Tiếp nhận kiến nghị về đường thôn, chuyển công chức xây dựng.", RecordedBy: "console:cli-chairman",
			RecordedAt: d.Add(9 * time.Hour)}); err != nil {
			return fmt.Errorf("app: demo reception: %w", err)
		}
	}
	return nil
}
