package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDemoAnnouncementOnTheWebPage plays an announcement on the demo's
// page: the citizen's panel subscribes to An Hòa, the chairman's panel
// composes and sends to it, the citizen's panel receives it with its stop
// button, and the chairman's the figures.
func TestDemoAnnouncementOnTheWebPage(t *testing.T) {
	cfg := testConfig(t)
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- Demo(ctx, cfg, quiet(), time.Now, null, out) }()
	defer func() { cancel(); <-done }()
	var url string
	for deadline := time.Now().Add(time.Minute); url == "" || !strings.Contains(out.String(), "Ctrl+C"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no page address in %q", out.String())
		}
		url = pageLine.FindString(out.String())
	}
	const visitor = "0123456789abcdef0123"
	send := func(panel, kind, value string) {
		t.Helper()
		in := map[string]string{"panel": panel, "visitor": visitor, "kind": kind}
		if kind == "press" {
			in["data"], in["label"] = value, "x"
		} else {
			in["text"] = value
		}
		body, _ := json.Marshal(in)
		res, err := http.Post(url+"api/send", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s %q: %d", panel, kind, value, res.StatusCode)
		}
	}
	send("citizen", "text", "/thongbao")
	send("citizen", "press", "consent/ask/yes")
	send("citizen", "press", "announce_sub/pick/v1")
	send("citizen", "press", "announce_sub/pick/done")
	text := "Sáng mai 7:00 ra quân làm sạch đường thôn An Hòa."
	send("chairman", "text", "/thongbao")
	for _, step := range []string{"announce_list/pick/new", "announce_new/pick/v1", "announce_new/pick/next"} {
		send("chairman", "press", step)
	}
	send("chairman", "text", text)
	for _, step := range []string{"announce_new/photo/none", "announce_new/urgent/no", "announce_new/when/now", "announce_new/confirm/yes"} {
		send("chairman", "press", step)
	}

	sctx, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	req, _ := http.NewRequestWithContext(sctx, http.MethodGet, url+"api/events?visitor="+visitor, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got, report bool
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() && !(got && report) {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e struct {
			Panel, From, Text string
			Buttons           [][]struct{ Data string }
		}
		if json.Unmarshal([]byte(data), &e) != nil || e.From != "bot" {
			continue
		}
		switch {
		case e.Panel == "citizen" && strings.Contains(e.Text, text):
			got = len(e.Buttons) == 1 && e.Buttons[0][0].Data == "announce_stop/tap/all"
		case e.Panel == "chairman" && strings.Contains(e.Text, "đã gửi xong"):
			report = strings.Contains(e.Text, "Người nhận: 1; đã gửi: 1; lỗi: 0")
		}
	}
	if !got || !report {
		t.Errorf("the citizen's panel got it with its stop button: %v; the chairman's the figures: %v", got, report)
	}
}
