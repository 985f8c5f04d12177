package chart

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// go test ./internal/chart/ -run TestRender -write writes the pictures to
// testdata/ to look at them.
var write = flag.Bool("write", false, "write rendered PNGs to testdata/")

var hcm = time.FixedZone("ICT", 7*3600)

var vi = Labels{
	Received:  "Tiếp nhận",
	Resolved:  "Đã giải quyết",
	OnTime:    "Đúng hạn",
	Axis:      "Số hồ sơ",
	DayNames:  [7]string{"CN", "T2", "T3", "T4", "T5", "T6", "T7"},
	Thousands: ".",
	Decimal:   ",",
}

func days(n int, start time.Time, f func(i int) (int, int)) []Day {
	out := make([]Day, n)
	for i := range out {
		r, s := f(i)
		out[i] = Day{Date: start.AddDate(0, 0, i), Received: r, Resolved: s}
	}
	return out
}

func week7() Week {
	return Week{
		Title:     "Tuần 10/03 – 16/03/2025",
		OnTimePct: 95.25,
		Labels:    vi,
		Days: days(7, time.Date(2025, 3, 10, 0, 0, 0, 0, hcm), func(i int) (int, int) {
			return []int{18, 25, 12, 30, 22, 3, 0}[i], []int{15, 20, 14, 26, 24, 2, 0}[i]
		}),
	}
}

func TestRender(t *testing.T) {
	month := time.Date(2025, 1, 1, 0, 0, 0, 0, hcm)
	cases := []struct {
		name         string
		week         Week
		w, h         int
		wantW, wantH int
	}{
		{"week", week7(), 0, 0, 800, 500},
		{"no_days", Week{Title: "Tuần trống", OnTimePct: math.NaN(), Labels: vi}, 0, 0, 800, 500},
		{"all_zeros", Week{Title: "Không có hồ sơ", OnTimePct: -1, Labels: vi,
			Days: days(7, month, func(int) (int, int) { return 0, 0 })}, 0, 0, 800, 500},
		{"one_day", Week{Title: "Một ngày", OnTimePct: 100, Labels: vi,
			Days: days(1, month, func(int) (int, int) { return 4, 3 })}, 0, 0, 800, 500},
		{"month", Week{Title: "Tháng 01/2025", OnTimePct: 97.5, Labels: vi,
			Days: days(31, month, func(i int) (int, int) { return 10 + i*7%23, 8 + i*5%19 })}, 0, 0, 800, 500},
		{"big_numbers", Week{Title: "Cấp huyện", OnTimePct: 99.96, Labels: vi,
			Days: days(7, month, func(i int) (int, int) { return 1000 + i*1234, 950 + i*1200 })}, 0, 0, 800, 500},
		{"english_small", Week{Title: "Week 10–16 Mar 2025", OnTimePct: 88, Labels: Labels{
			Received: "Received", Resolved: "Resolved", OnTime: "On time", Axis: "Dossiers",
			DayNames: [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}, Thousands: ","},
			Days: week7().Days}, 400, 250, 400, 250},
		{"no_labels", Week{Days: week7().Days, OnTimePct: math.NaN()}, 1200, 750, 1200, 750},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Render(tc.week, tc.w, tc.h)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got := img.Bounds().Size(); got != (image.Point{tc.wantW, tc.wantH}) {
				t.Fatalf("size %v, want %dx%d", got, tc.wantW, tc.wantH)
			}
			if n := colours(img); n < 3 {
				t.Fatalf("only %d colours: picture is trivial", n)
			}
			if *write {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join("testdata", tc.name+".png"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestRenderDeterministic(t *testing.T) {
	a, err := Render(week7(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(week7(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("same input gave different bytes")
	}
}

func TestRenderBars(t *testing.T) {
	b, err := Render(week7(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := png.Decode(bytes.NewReader(b))
	var rec, res int
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			switch [3]uint32{r >> 8, g >> 8, bl >> 8} {
			case [3]uint32{0x1f, 0x6f, 0xb4}:
				rec++
			case [3]uint32{0x2c, 0xa0, 0x4c}:
				res++
			}
		}
	}
	if rec < 1000 || res < 1000 {
		t.Fatalf("bar pixels: received %d, resolved %d", rec, res)
	}
}

func TestRenderErrors(t *testing.T) {
	for _, sz := range [][2]int{{-1, 500}, {800, 50}, {5000, 500}} {
		if _, err := Render(week7(), sz[0], sz[1]); err == nil {
			t.Errorf("size %v: no error", sz)
		}
	}
	w := week7()
	w.Days[0].Received = -1
	if _, err := Render(w, 0, 0); err == nil {
		t.Error("negative count: no error")
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Int(0, "."), "0"},
		{Int(999, "."), "999"},
		{Int(1000, "."), "1.000"},
		{Int(4080, "."), "4.080"},
		{Int(1234567, ","), "1,234,567"},
		{Int(-1234, "."), "-1.234"},
		{Int(1234, ""), "1234"},
		{Percent(95.25, ","), "95,3%"},
		{Percent(100, ","), "100%"},
		{Percent(99.96, "."), "100%"},
		{Percent(0, ""), "0%"},
		{Percent(150, ""), "100%"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestTitle(t *testing.T) {
	w := week7()
	if got, want := title(w), "Tuần 10/03 – 16/03/2025\nĐúng hạn: 95,3%"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	w.OnTimePct = math.NaN()
	if got := title(w); got != w.Title {
		t.Errorf("unknown share: title %q", got)
	}
}

func TestTicks(t *testing.T) {
	for _, m := range []int{0, 1, 3, 7, 10, 40, 99, 333, 1000, 8404, 123456} {
		top, step := niceTop(m)
		if top <= m || top%step != 0 || top/step > 8 {
			t.Errorf("max %d: top %d step %d", m, top, step)
		}
	}
}

func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) > 10 {
				return len(seen)
			}
		}
	}
	return len(seen)
}

func BenchmarkRender7Days(b *testing.B) {
	w := week7()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(w, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}
