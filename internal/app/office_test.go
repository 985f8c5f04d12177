package app

import (
	"testing"

	"xabot/internal/commune"
	"xabot/internal/i18n"
	"xabot/locales"
)

// The office as texts name it: the profile's name, with its phone and
// hours when the profile has them, and a default name when it has none.
func TestOfficeFromTheProfile(t *testing.T) {
	texts, err := i18n.Load(locales.FS, "vi")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    commune.Profile
		want string
	}{
		{commune.Profile{Name: "xã Hành Dũng", Office: "Trung tâm Phục vụ hành chính công xã Hành Dũng", OfficePhone: "0255 3822 123", OfficeHours: "Thứ Hai–Thứ Sáu"},
			"Trung tâm Phục vụ hành chính công xã Hành Dũng, ☎ 0255 3822 123 (Thứ Hai–Thứ Sáu)"},
		{commune.Profile{Name: "xã Hành Dũng", Office: "Trung tâm X", OfficePhone: "0255 3822 123"}, "Trung tâm X, ☎ 0255 3822 123"},
		{commune.Profile{Name: "xã Hành Dũng", Office: "Trung tâm X", OfficeHours: "sáng 7:00–11:00"}, "Trung tâm X (sáng 7:00–11:00)"},
		{commune.Profile{Name: "xã Hành Dũng", OfficePhone: "0255 3822 123"}, "Bộ phận Một cửa UBND xã Hành Dũng, ☎ 0255 3822 123"},
		{commune.Profile{Name: "xã Hành Dũng", Office: "  "}, "Bộ phận Một cửa UBND xã Hành Dũng"},
	} {
		if got := officeOf(withOfficeName(tc.p, texts, "vi")); got != tc.want {
			t.Errorf("%+v: office %q, want %q", tc.p, got, tc.want)
		}
	}
}
