package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"xabot/internal/app"
)

// TestMain fails the run if a test left the demo database or the default
// database in the package directory (the repository).
func TestMain(m *testing.M) {
	if args := os.Getenv("XABOT_TEST_MAIN_ARGS"); args != "" {
		// The test binary playing xabot, for the exit statuses (mainStatus).
		os.Args = append([]string{"xabot"}, strings.Split(args, "\x1f")...)
		main()
		os.Exit(0)
	}
	guarded := []string{"xabot-demo", "xabot.db"}
	existed := map[string]bool{}
	for _, p := range guarded {
		_, err := os.Stat(p)
		existed[p] = err == nil
	}
	code := m.Run()
	for _, p := range guarded {
		if _, err := os.Stat(p); err == nil && !existed[p] {
			fmt.Fprintf(os.Stderr, "a test created ./%s in the repository\n", p)
			code = 1
		}
	}
	os.Exit(code)
}

var xabotEnv = []string{
	"XABOT_DB", "XABOT_REDIS_URL", "XABOT_TELEGRAM_TOKEN", "XABOT_TELEGRAM_API", "XABOT_TELEGRAM_MODE",
	"XABOT_WEBHOOK_SECRET", "XABOT_PUBLIC_URL", "XABOT_ZALO_TOKEN", "XABOT_ZALO_API", "XABOT_ZALO_MODE",
	"XABOT_HTTP_ADDR", "XABOT_SYNC_TOKEN", "XABOT_TZ", "XABOT_LANG", "XABOT_COMMUNE", "XABOT_SEND_RATE",
	"XABOT_LOG_LEVEL", "XABOT_SESSION_TTL", "XABOT_LINK_KEY", "XABOT_TELEGRAM_BOT", "XABOT_ZALO_LINK",
}

// isolate clears the XABOT_* environment, points XABOT_DB at a fresh file
// and runs the test in a temporary directory, so nothing lands in the
// repository whatever a default says. It returns the database path.
func isolate(t *testing.T) string {
	t.Helper()
	for _, k := range xabotEnv {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	t.Setenv("XABOT_DB", db)
	t.Setenv("XABOT_HTTP_ADDR", "127.0.0.1:0") // the demo's web page on any free port
	t.Chdir(dir)
	return db
}

// runOut calls run and returns what it printed.
func runOut(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(args, strings.NewReader(stdin), &out)
	return out.String(), err
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"-h"}, {"--help"}} {
		out, err := runOut(t, "", args...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "xabot import dossiers") {
			t.Errorf("run(%q) = %v, printed %q; want nil and the usage", args, err, out)
		}
	}
}

func TestRunBadCommands(t *testing.T) {
	isolate(t)
	tests := []struct {
		args []string
		want string // in the error
	}{
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"dialogs"}, "usage: xabot dialogs lint"},
		{[]string{"dialogs", "check"}, "usage: xabot dialogs lint"},
		{[]string{"import"}, "usage: xabot import dossiers"},
		{[]string{"import", "people", "x.csv"}, "usage: xabot import dossiers"},
		{[]string{"backup"}, "usage: xabot backup"},
	}
	for _, tt := range tests {
		_, err := runOut(t, "", tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) error = %v, want one containing %q", tt.args, err, tt.want)
		}
	}
}

func TestRunDialogsLint(t *testing.T) {
	out, err := runOut(t, "", "dialogs", "lint")
	if err != nil || strings.TrimSpace(out) != "dialogs: ok" {
		t.Errorf("run(dialogs lint) = %v, printed %q; want nil and \"dialogs: ok\"", err, out)
	}
}

func TestRunImportDossiers(t *testing.T) {
	csv, err := filepath.Abs(filepath.Join("testdata", "dossiers_vi.csv"))
	if err != nil {
		t.Fatal(err)
	}
	db := isolate(t)
	badLine := `Dòng 3: Số điện thoại ở cột "Số điện thoại" không hợp lệ.`
	runs := []struct {
		name string
		want []string
	}{
		{"first run", []string{"Đã nhập xong: 2 hồ sơ mới, 0 hồ sơ cập nhật, 0 hồ sơ không thay đổi, 1 dòng lỗi.", badLine}},
		{"second run", []string{"Đã nhập xong: 0 hồ sơ mới, 0 hồ sơ cập nhật, 2 hồ sơ không thay đổi, 1 dòng lỗi.", badLine}},
	}
	for _, r := range runs {
		out, err := runOut(t, "", "import", "dossiers", csv)
		if !errors.Is(err, app.ErrSomeRefused) { // a line refused: exit status 1
			t.Fatalf("%s: run(import dossiers) = %v, printed %q; want ErrSomeRefused", r.name, err, out)
		}
		for _, w := range r.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: run(import dossiers) printed %q, want %q", r.name, out, w)
			}
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("import wrote no database at XABOT_DB: %v", err)
	}
}

func TestRunImportMissingFile(t *testing.T) {
	isolate(t)
	out, err := runOut(t, "", "import", "dossiers", "missing.csv")
	var fe *app.FileError
	if !errors.As(err, &fe) || !strings.HasPrefix(fe.Text, `Không tìm thấy tệp "missing.csv".`) || strings.Contains(fe.Text, "stat") {
		t.Errorf("run(import dossiers missing.csv) error = %v, want it said plainly, naming the file", err)
	}
	if strings.Contains(out, "Đã nhập xong") {
		t.Errorf("run(import dossiers missing.csv) printed a summary %q, want none", out)
	}
}

func TestRunBadEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv("XABOT_SEND_RATE", "0")
	t.Setenv("XABOT_LANG", "fr")
	for _, cmd := range []string{"migrate", "demo"} {
		_, err := runOut(t, "", cmd)
		if err == nil {
			t.Fatalf("run(%s) with a bad environment = nil, want an error", cmd)
		}
		for _, v := range []string{"XABOT_SEND_RATE", "XABOT_LANG"} {
			if !strings.Contains(err.Error(), v) {
				t.Errorf("run(%s) error = %q, want it to name %s", cmd, err, v)
			}
		}
	}
}

func TestRunMigrate(t *testing.T) {
	db := isolate(t)
	out, err := runOut(t, "", "migrate")
	if err != nil || !strings.Contains(out, "migrations: up to date") {
		t.Errorf("run(migrate) = %v, printed %q; want nil and \"migrations: up to date\"", err, out)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("run(migrate) created no database at XABOT_DB: %v", err)
	}
}

func TestRunChat(t *testing.T) {
	isolate(t)
	out, err := runOut(t, "/trogiup\n", "chat", "--as", "citizen", "--user", "u1")
	if err != nil || !strings.Contains(out, "Hướng dẫn sử dụng") {
		t.Errorf("run(chat --as citizen) = %v, printed %q; want the help text", err, out)
	}
}

func TestRunChatBadFlags(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"chat", "--as", "nobody"},
		{"chat", "--as", ""},
	} {
		out, err := runOut(t, "/trogiup\n", args...)
		if err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
		if strings.Contains(out, "Hướng dẫn sử dụng") {
			t.Errorf("run(%q) started a conversation: %q", args, out)
		}
	}
}

var sampleLine = regexp.MustCompile(`(?m)^\s+[A-Z0-9.]+-\d{6}-\d{4}\s+0\d{9}\s`)

func TestRunDemo(t *testing.T) {
	db := isolate(t)
	out, err := runOut(t, "/start\n1\n", "demo")
	if err != nil {
		t.Fatalf("run(demo) = %v, printed %q", err, out)
	}
	for _, w := range []string{"xabot demo", db, "Đồng ý", "Cảm ơn"} {
		if !strings.Contains(out, w) {
			t.Errorf("run(demo) printed %q, want it to contain %q", out, w)
		}
	}
	if n := len(sampleLine.FindAllString(out, -1)); n < 3 {
		t.Errorf("run(demo) printed %d sample code/phone lines, want at least 3:\n%s", n, out)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("run(demo) wrote no database at XABOT_DB: %v", err)
	}
	if _, err := os.Stat("xabot-demo"); err == nil {
		t.Errorf("run(demo) with XABOT_DB set created ./xabot-demo")
	}

	// A second run the same day reuses the database: the consent is
	// remembered, so /start goes straight to the menu.
	out, err = runOut(t, "/start\n", "demo")
	if err != nil || !strings.Contains(out, "xabot demo") || !strings.Contains(out, "chọn chức năng") {
		t.Errorf("second run(demo) = %v, printed %q; want the banner and the menu", err, out)
	}
	if strings.Contains(out, "Thông báo về dữ liệu cá nhân") {
		t.Errorf("second run(demo) asked for consent again: %q", out)
	}
}

// TestDemoLeavesACommuneDatabaseAlone is the exported-XABOT_DB case: a
// commune's database (made by an import) named by XABOT_DB is neither
// deleted, nor migrated, nor seeded by `xabot demo`; the demo says why.
func TestDemoLeavesACommuneDatabaseAlone(t *testing.T) {
	csv, err := filepath.Abs(filepath.Join("testdata", "dossiers_vi.csv"))
	if err != nil {
		t.Fatal(err)
	}
	db := isolate(t)
	if out, err := runOut(t, "", "import", "dossiers", csv); err != nil && !errors.Is(err, app.ErrSomeRefused) {
		t.Fatalf("import = %v: %s", err, out)
	}
	before := fileSums(t, db)

	out, err := runOut(t, "/start\n", "demo")
	if err == nil {
		t.Fatalf("demo on a commune database = nil, printed %q; want a refusal", out)
	}
	for _, w := range []string{db, "không phải cơ sở dữ liệu do xabot demo tạo ra", "XABOT_DB"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not say %q", err, w)
		}
	}
	if strings.Contains(out, "xabot demo ·") {
		t.Errorf("demo printed its banner on a commune database: %q", out)
	}
	if after := fileSums(t, db); after != before {
		t.Errorf("demo changed the commune database:\nbefore %s\nafter  %s", before, after)
	}
	if out, err := runOut(t, "", "report", "dossiers", "--from", "01/01/2020", "--to", "31/12/2030"); err != nil ||
		!strings.Contains(out, "tiếp nhận") {
		t.Errorf("the commune database no longer reports: %v %q", err, out)
	}

	// A path that does not exist yet is the demo's to create, and it is
	// marked: the next day's reset may then replace it.
	t.Setenv("XABOT_DB", filepath.Join(t.TempDir(), "fresh.db"))
	if out, err := runOut(t, "/start\n", "demo"); err != nil || !strings.Contains(out, "xabot demo") {
		t.Fatalf("demo on a new path = %v, printed %q", err, out)
	}
	if out, err := runOut(t, "/start\n", "demo"); err != nil || !strings.Contains(out, "xabot demo") {
		t.Fatalf("demo again on its own database = %v, printed %q", err, out)
	}
}

// fileSums describes the database at path as a change would show: the
// main file's size and SHA-256, and the write-ahead log's size (a reader
// may leave an empty one beside the file; a write puts frames in it).
func fileSums(t *testing.T, path string) string {
	t.Helper()
	var b strings.Builder
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "%d bytes %x", len(data), sha256.Sum256(data))
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > 0 {
		fmt.Fprintf(&b, ", wal %d bytes", st.Size())
	}
	return b.String()
}
