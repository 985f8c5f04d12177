package app

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"xabot/internal/config"
)

// webPage drives the demo's browser simulator as a visitor would: a
// message or a press in a panel, then the bot's answers from the event
// stream.
type webPage struct {
	t    *testing.T
	url  string
	last int64 // the last event read
}

const webVisitor = "fedcba9876543210fedc"

type webEvent struct {
	Seq     int64  `json:"seq"`
	Panel   string `json:"panel"`
	From    string `json:"from"`
	Text    string `json:"text"`
	Buttons [][]struct {
		Label string `json:"label"`
		Data  string `json:"data"`
	} `json:"buttons"`
}

func (p *webPage) send(panel, kind, field, value string) {
	p.t.Helper()
	body, _ := json.Marshal(map[string]string{"visitor": webVisitor, "panel": panel, "kind": kind, field: value})
	res, err := http.Post(p.url+"api/send", "application/json", strings.NewReader(string(body)))
	if err != nil {
		p.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		p.t.Fatalf("send %s %q in %s: %d", kind, value, panel, res.StatusCode)
	}
}

func (p *webPage) say(panel, text string)   { p.send(panel, "text", "text", text) }
func (p *webPage) press(panel, data string) { p.send(panel, "press", "data", data) }

// waitFor returns the first bot message in panel after the last read that
// contains substr.
func (p *webPage) waitFor(panel, substr string) webEvent {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
		p.url+"api/events?visitor="+webVisitor+"&after="+strconv.FormatInt(p.last, 10), nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var seen []string
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e webEvent
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			continue
		}
		if e.Seq > p.last {
			p.last = e.Seq
		}
		if e.Panel == panel && e.From == "bot" {
			seen = append(seen, e.Text)
			if strings.Contains(e.Text, substr) {
				return e
			}
		}
	}
	p.t.Fatalf("panel %s: no message containing %q; got:\n%s", panel, substr, strings.Join(seen, "\n---\n"))
	return webEvent{}
}

var webTicket = regexp.MustCompile(`TD-\d{4}-\d{4}`)

// On the web simulator a citizen registers for the next reception session
// with buttons, another in the Zalo panel by numbers, and the chairman's
// /baocao counts both registrations; the demo's seeded book is counted too.
func TestReceptionOnTheWebSimulator(t *testing.T) {
	cfg := testConfig(t)
	url, cancel, done := launchDemo(t, cfg)
	defer func() { cancel(); <-done }()
	p := &webPage{t: t, url: url}

	p.say("citizen", "/lichtiep")
	list := p.waitFor("citizen", "Các buổi tiếp sắp tới")
	if len(list.Buttons) < 4 {
		t.Fatalf("sessions offered as %d buttons: %+v", len(list.Buttons), list.Buttons)
	}
	first := list.Buttons[0][0]
	date := regexp.MustCompile(`\d{2}/\d{2}/\d{4}`).FindString(first.Label)
	for _, step := range []struct{ press, say, then string }{
		{press: first.Data, then: "Để đăng ký tiếp công dân"},
		{press: "reception/consent/yes", then: "muốn trình bày về việc gì"},
		{press: "reception/ask_topic/land", then: "tóm tắt nội dung"},
		{say: "Tranh chấp ranh giới đất với hộ liền kề ở thôn An Hòa.", then: "họ tên đầy đủ"},
		{say: "Lê Văn Bình", then: "số điện thoại"},
		{say: "0905 123 456", then: "090****456"},
	} {
		if step.press != "" {
			p.press("citizen", step.press)
		} else {
			p.say("citizen", step.say)
		}
		p.waitFor("citizen", step.then)
	}
	p.press("citizen", "reception/confirm/send")
	web := webTicket.FindString(p.waitFor("citizen", "Đã đăng ký tiếp công dân").Text)

	p.say("zalo", "lich tiep dan")
	p.waitFor("zalo", "gõ số thứ tự của một buổi")
	for _, step := range []struct{ say, then string }{
		{"1", "Để đăng ký tiếp công dân"}, {"1", "muốn trình bày"}, {"3", "tóm tắt nội dung"},
		{"Xin hỏi về chế độ trợ cấp cho người cao tuổi.", "họ tên"}, {"Trần Thị Em", "số điện thoại"},
		{"0912000111", "kiểm tra lại đăng ký"},
	} {
		p.say("zalo", step.say)
		p.waitFor("zalo", step.then)
	}
	p.say("zalo", "1")
	zalo := webTicket.FindString(p.waitFor("zalo", "Đã đăng ký tiếp công dân").Text)
	if web == "" || zalo == "" || web == zalo {
		t.Fatalf("tickets %q, %q", web, zalo)
	}

	today := time.Now().In(cfg.TZ).Format("02/01/2006")
	p.say("chairman", "/baocao "+today+" "+date)
	p.waitFor("chairman", "có 2 lượt công dân đăng ký tiếp trước qua trợ lý ảo, đã tiếp 0 lượt.")

	// The demo's book has the last four weeks: the chairman sees them.
	p.say("chairman", "/sotiep")
	p.waitFor("chairman", "Sổ tiếp công dân")
	month := time.Now().In(cfg.TZ).AddDate(0, 0, -28).Format("02/01/2006")
	p.say("chairman", "/baocao "+month+" "+today)
	p.waitFor("chairman", "tiếp công dân đột xuất 2 lượt công dân")
}

// launchDemo runs `xabot demo` on cfg with no terminal input and returns
// its page's address once served, the cancel that stops it (Ctrl+C) and
// where its end is told.
func launchDemo(t *testing.T, cfg config.Config) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { null.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- Demo(ctx, cfg, quiet(), time.Now, null, out) }()
	var url string
	for deadline := time.Now().Add(time.Minute); url == "" || !strings.Contains(out.String(), "Ctrl+C"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no page address and end of the terminal chat in %q", out.String())
		}
		url = pageLine.FindString(out.String())
	}
	return url, cancel, done
}
