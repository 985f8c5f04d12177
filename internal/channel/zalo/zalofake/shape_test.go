package zalofake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const testToken = "1459232241454765289:fake-Secret_for-tests"

// fixture is one recorded method: the documented request and answers.
type fixture struct {
	Method   string                     `json:"method"`
	Source   []string                   `json:"source"`
	Request  json.RawMessage            `json:"request"`
	Response json.RawMessage            `json:"response"`
	Variants map[string]json.RawMessage `json:"variants"`
	Errors   []struct {
		Assumed  bool            `json:"assumed"`
		Request  json.RawMessage `json:"request"`
		Response json.RawMessage `json:"response"`
	} `json:"errors"`
}

func load(t *testing.T, name string) fixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// shape replaces every value by its JSON type, keeping object keys: two
// bodies with the same shape have the same keys with the same types.
func shape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = shape(e)
		}
		return m
	case []any:
		if len(x) == 0 {
			return "array"
		}
		return []any{shape(x[0])}
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func shapeOf(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("not JSON: %q: %v", raw, err)
	}
	return shape(v)
}

// post calls the fake like a client would.
func post(t *testing.T, s *Server, token, method string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(s.URL()+"/bot"+token+"/"+method, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func sameShape(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if g, w := shapeOf(t, got), shapeOf(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s: the fake's answer drifted from the recorded wire format\nfake:     %s\nrecorded: %s\nfake shape:     %v\nrecorded shape: %v",
			what, got, want, g, w)
	}
}

// Every recorded method: the fake accepts the documented request and
// answers in the documented shape, errors included.
func TestFakeMatchesRecordedShapes(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) < 8 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	s := New(testToken)
	defer s.Close()
	s.SetMaxPoll(50 * time.Millisecond)
	covered := map[string]bool{}

	for _, name := range []string{"getMe.json", "sendMessage.json", "sendPhoto.json", "sendChatAction.json",
		"setWebhook.json", "getWebhookInfo.json", "deleteWebhook.json"} {
		f := load(t, name)
		covered[name] = true
		_, got := post(t, s, testToken, f.Method, f.Request)
		sameShape(t, f.Method, got, f.Response)
		for i, e := range f.Errors {
			_, got := post(t, s, testToken, f.Method, e.Request)
			sameShape(t, fmt.Sprintf("%s error %d", f.Method, i), got, e.Response)
		}
	}
	// getWebhookInfo after deleteWebhook answers url "" : still a string.
	_, got := post(t, s, testToken, "getWebhookInfo", nil)
	sameShape(t, "getWebhookInfo without a webhook", got, load(t, "getWebhookInfo.json").Response)

	f := load(t, "getUpdates.json")
	covered["getUpdates.json"] = true
	s.SendText("6ede9afa66b88fe6d6a9", "Ted", "checkin")
	_, got = post(t, s, testToken, "getUpdates", f.Request)
	sameShape(t, "getUpdates text", got, f.Response)
	queue := map[string]func(){
		EventImage:       func() { s.SendImage("u", "Ted", "https://photo.example.invalid/a.jpg", "giấy tờ") },
		EventSticker:     func() { s.SendSticker("u", "Ted") },
		EventUnsupported: func() { s.SendUnsupported("u", "Ted") },
	}
	for event, want := range f.Variants {
		queue[event]()
		_, got := post(t, s, testToken, "getUpdates", f.Request)
		sameShape(t, "getUpdates "+event, got, want)
	}
	if len(f.Variants) != len(queue) {
		t.Errorf("%d recorded variants, %d checked", len(f.Variants), len(queue))
	}
	_, got = post(t, s, testToken, "getUpdates", f.Errors[0].Request)
	sameShape(t, "getUpdates timeout", got, f.Errors[0].Response)
	post(t, s, testToken, "setWebhook", []byte(`{"url":"https://x.example/hook","secret_token":"12345678"}`))
	_, got = post(t, s, testToken, "getUpdates", f.Errors[1].Request)
	sameShape(t, "getUpdates with a webhook", got, f.Errors[1].Response)

	covered["error.json"] = true
	_, got = post(t, s, "1:wrong", "getMe", nil)
	sameShape(t, "wrong token", got, load(t, "error.json").Response)

	for _, file := range files {
		if !covered[filepath.Base(file)] {
			t.Errorf("%s is not checked against the fake", file)
		}
	}
}

// A fixture without a source cannot be traced to documentation.
func TestFixturesNameTheirSource(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		f := load(t, filepath.Base(file))
		if f.Method == "" || len(f.Source) == 0 || !slices.ContainsFunc(f.Source, func(s string) bool {
			return strings.HasPrefix(s, "https://")
		}) {
			t.Errorf("%s: method %q, source %v: want a method and an https source", file, f.Method, f.Source)
		}
		if len(f.Response) == 0 {
			t.Errorf("%s: no recorded response", file)
		}
	}
}

// The shape comparison itself must see a drift.
func TestShapeSeesDrift(t *testing.T) {
	a := []byte(`{"ok":true,"result":{"message_id":"x","date":1}}`)
	for _, b := range []string{
		`{"ok":true,"result":{"message_id":1,"date":1}}`,         // type changed
		`{"ok":true,"result":{"messageId":"x","date":1}}`,        // key renamed
		`{"ok":true,"result":{"message_id":"x","date":1,"e":1}}`, // key added
		`{"ok":true,"result":[{"message_id":"x","date":1}]}`,     // array
	} {
		if reflect.DeepEqual(shapeOf(t, a), shapeOf(t, []byte(b))) {
			t.Errorf("shape(%s) == shape(%s)", a, b)
		}
	}
}
