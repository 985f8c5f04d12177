package stats

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"
	"testing/fstest"
	"time"

	"xabot/internal/domain"
	"xabot/internal/i18n"
)

// catalog loads locales/stats.*.yaml alone, with the catalogue's own
// checks (same keys and placeholders in vi and en).
func catalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, lang := range []string{"vi", "en"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "locales", "stats."+lang+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		fsys["stats."+lang+".yaml"] = &fstest.MapFile{Data: b}
	}
	c, err := i18n.Load(fsys, "vi")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var usedKey = regexp.MustCompile(`"(stats\.[a-z_]+)"`)

// TestLocales: the keys this package emits are exactly those of the stats
// locale files, and every paragraph variant's args are its placeholders.
func TestLocales(t *testing.T) {
	c := catalog(t)
	src, err := os.ReadFile("stats.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, m := range usedKey.FindAllStringSubmatch(string(src), -1) {
		used[m[1]] = true
	}
	s := New(nil, hcm)
	for _, c := range []domain.Counts{{}, {Postal: 1}, {Overdue: 1}, {Postal: 1, Overdue: 1}} {
		l := s.Paragraph("vi", c, day(2025, 1, 1), day(2025, 1, 2))
		used[l.Key] = true
		var args []string
		for k := range l.Args {
			args = append(args, k)
		}
		sort.Strings(args)
		if ph := catalogPlaceholders(t, l.Key); !slices.Equal(args, ph) {
			t.Errorf("%s: args %v, placeholders %v", l.Key, args, ph)
		}
	}
	delete(used, "stats.paragraph") // the prefix of the variants, also a key
	used["stats.paragraph"] = true
	var want []string
	for k := range used {
		want = append(want, k)
	}
	sort.Strings(want)
	if got := c.Keys(); !slices.Equal(got, want) {
		t.Errorf("locale keys %v\ncode keys   %v", got, want)
	}
}

func catalogPlaceholders(t *testing.T, key string) []string {
	t.Helper()
	p := catalog(t).Placeholders(key)
	sort.Strings(p)
	return p
}

func TestParagraphVariants(t *testing.T) {
	c := catalog(t)
	s := New(nil, hcm)
	from, to := day(2025, 5, 1), day(2025, 6, 1).Add(-time.Nanosecond)
	counts := domain.Counts{Received: 1500, Online: 700, Direct: 795, Postal: 5, Resolved: 1400, Early: 1300,
		OnTime: 60, Late: 40, InProgress: 80, Within: 77, Overdue: 3, Withdrawn: 20}
	l := s.Paragraph("vi", counts, from, to)
	want := "Từ ngày 01/05/2025 đến ngày 31/05/2025, Bộ phận Một cửa xã đã thực hiện tiếp nhận 1.500 hồ sơ " +
		"(trong đó, tiếp nhận trực tuyến 700 hồ sơ, trực tiếp 795 hồ sơ, qua dịch vụ bưu chính công ích 5 hồ sơ). " +
		"Đã giải quyết: 1.400 hồ sơ (trong đó 1.300 hồ sơ trả kết quả trước hạn, 60 hồ sơ đúng hạn, quá hạn 40 hồ sơ); " +
		"Đang giải quyết trong hạn 77 hồ sơ, đang giải quyết quá hạn 3 hồ sơ, công dân rút 20 hồ sơ."
	if got := c.T("vi", l.Key, l.Args); got != want {
		t.Errorf("vi:\n got %s\nwant %s", got, want)
	}
	l = s.Paragraph("en", counts, from, to)
	want = "From 01/05/2025 to 31/05/2025, the commune's one-stop shop received 1,500 dossiers (700 online, " +
		"795 in person, 5 by public postal service). Resolved: 1,400 dossiers (1,300 with the result returned early, " +
		"60 on time, 40 late); 77 dossiers in progress within the deadline, 3 in progress overdue; 20 dossiers " +
		"withdrawn by citizens."
	if got := c.T("en", l.Key, l.Args); got != want {
		t.Errorf("en:\n got %s\nwant %s", got, want)
	}
}
