package collate

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The Vietnamese alphabet puts Ă and Â after A, Đ after D, Ô and Ơ after O,
// Ư after U; tones come after the letter they sit on. Code points put
// every one of them after Z.
func TestVietnameseOrder(t *testing.T) {
	want := []string{
		"An Văn Bình",
		"Ánh",
		"Ăn uống",
		"Âu Thị Cúc",
		"Bùi Văn Dũng",
		"Dân số",
		"Dương Thị Hạnh",
		"Đăng ký khai sinh",
		"Đất đai",
		"Đinh Văn Em",
		"Giao thông",
		"Hộ tịch",
		"Ông Văn Phúc",
		"Ơn Thị Quý",
		"Phạm Văn Sơn",
		"Thôn 2",
		"Thôn 10",
		"Tư pháp",
		"Uông Văn Tài",
		"Ưng Thị Uyên",
		"Xây dựng",
	}
	for seed := range uint64(20) {
		got := slices.Clone(want)
		rand.New(rand.NewPCG(seed, 1)).Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		Strings(got)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: Strings gave\n%q\nwant\n%q", seed, got, want)
		}
	}
	// The plain sort this package replaces gets it wrong: the test can fail.
	plain := slices.Clone(want)
	slices.Sort(plain)
	if slices.Equal(plain, want) {
		t.Fatal("code-point order agrees with the Vietnamese one: the names test nothing")
	}
}

func TestCompare(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"Đất đai", "Dân số", 1},
		{"Đất đai", "Giao thông", -1},
		{"Ư", "U", 1},
		{"Ư", "V", -1},
		{"Ơ", "Ô", 1},
		{"Ô", "O", 1},
		{"Ơ", "P", -1},
		{"Â", "Ă", 1},
		{"Ă", "A", 1},
		{"Â", "B", -1},
		{"Hộ tịch", "Hộ tịch", 0},
	} {
		if got := Compare(tt.a, tt.b); got != tt.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSortByStable(t *testing.T) {
	type official struct{ name, id string }
	s := []official{{"Đỗ Văn Ba", "1"}, {"Âu Cơ", "2"}, {"Đỗ Văn Ba", "3"}, {"An", "4"}}
	SortBy(s, func(o official) string { return o.name })
	var ids []string
	for _, o := range s {
		ids = append(ids, o.id)
	}
	if want := []string{"4", "2", "1", "3"}; !slices.Equal(ids, want) {
		t.Fatalf("SortBy ids %v, want %v", ids, want)
	}
}
