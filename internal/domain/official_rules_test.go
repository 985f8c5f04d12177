package domain

import (
	"slices"
	"testing"
	"time"
)

func TestRoute(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	hoa := Official{ID: 1, Name: "Trần Thị Hoa", Role: RoleOfficial, Fields: []string{"Hộ tịch"}, ChatKey: "tg:1"}
	binh := Official{ID: 2, Name: "Lê Văn Bình", Role: RoleOfficial, Fields: []string{"Hộ tịch", "Chứng thực"}, ChatKey: "tg:2"}
	head := Official{ID: 3, Name: "Phạm Thu", Role: RoleOfficial, Head: true, ChatKey: "tg:3"}
	chair := Official{ID: 4, Name: "Ngô Minh", Role: RoleChairman, ChatKey: "tg:4"}
	pending := Official{ID: 5, Name: "Đỗ Lan", Role: RoleOfficial, Fields: []string{"Đất đai"}}
	revoked := Official{ID: 6, Name: "Vũ Nam", Role: RoleOfficial, Fields: []string{"Đất đai"}, ChatKey: "tg:6", RevokedAt: at}
	revokedHead := Official{ID: 7, Name: "Hà An", Role: RoleOfficial, Head: true, ChatKey: "tg:7", RevokedAt: at}
	all := []Official{hoa, binh, head, chair, pending, revoked, revokedHead}

	tests := []struct {
		name string
		d    Dossier
		all  []Official
		want []int64
	}{
		{"handler by name", Dossier{Handler: "Trần Thị Hoa", Field: "Chứng thực"}, all, []int64{1}},
		{"handler without accents or case", Dossier{Handler: "tran  thi HOA", Field: "Hộ tịch"}, all, []int64{1}},
		{"unknown handler: the field's officials", Dossier{Handler: "Nguyễn Khác", Field: "ho tich"}, all, []int64{1, 2}},
		{"no handler: the field's officials", Dossier{Field: "Chứng thực"}, all, []int64{2}},
		{"revoked handler: the field", Dossier{Handler: "Vũ Nam", Field: "Chứng thực"}, all, []int64{2}},
		{"pending handler: the field", Dossier{Handler: "Đỗ Lan", Field: "Hộ tịch"}, all, []int64{1, 2}},
		{"field of revoked and pending only: the head", Dossier{Field: "Đất đai"}, all, []int64{3}},
		{"no field: the head", Dossier{}, all, []int64{3}},
		{"no head: the chairman", Dossier{Field: "Đất đai"}, []Official{hoa, chair, revokedHead}, []int64{4}},
		{"nobody active", Dossier{Field: "Hộ tịch"}, []Official{pending, revoked}, nil},
		{"nobody at all", Dossier{Field: "Hộ tịch"}, nil, nil},
		{"empty handler does not match an empty name", Dossier{Field: "Hộ tịch"},
			[]Official{{ID: 9, ChatKey: "tg:9", Role: RoleOfficial}, hoa}, []int64{1}},
	}
	for _, tt := range tests {
		var got []int64
		for _, o := range Route(tt.d, tt.all) {
			got = append(got, o.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Route = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNormalizeInviteCode(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"BCFG-HJKL", "BCFGHJKL", true},
		{"bcfg-hjkl", "BCFGHJKL", true},
		{" bcfg hjkl ", "BCFGHJKL", true},
		{"BCFGHJKL", "BCFGHJKL", true},
		{"b.c.f.g h-j-k-l", "BCFGHJKL", true},
		{"2345–6789", "23456789", true},
		{"BCFG-HJK", "", false},     // too short
		{"BCFG-HJKLM", "", false},   // too long
		{"BCFG-HJK0", "", false},    // 0 is not in the alphabet
		{"ABCD-EFGH", "", false},    // vowels are not
		{"BCFG/HJKL", "", false},    // a slash is not a separator
		{"", "", false},             // nothing
		{"xin chào anh", "", false}, // words
		{"BCFG-HJKL" + string(make([]byte, 80)), "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeInviteCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeInviteCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := FormatInviteCode("BCFGHJKL"); got != "BCFG-HJKL" {
		t.Errorf("FormatInviteCode = %q", got)
	}
	for _, r := range InviteAlphabet {
		switch r {
		case 'A', 'E', 'I', 'O', 'U', 'Y', 'D', 'W', '0', '1':
			t.Errorf("InviteAlphabet contains %q", r)
		}
	}
}

func TestSplitFields(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Hộ tịch, Chứng thực", []string{"Hộ tịch", "Chứng thực"}},
		{"Hộ tịch;  chứng   thực ;", []string{"Hộ tịch", "chứng thực"}},
		{"Hộ tịch, ho tich, HỘ TỊCH", []string{"Hộ tịch"}},
		{"-", nil},
		{"không", nil},
		{" , ; ", nil},
		{"Đất đai\nXây dựng", []string{"Đất đai", "Xây dựng"}},
	}
	for _, tt := range tests {
		if got := SplitFields(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitFields(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskChatKey(t *testing.T) {
	tests := map[string]string{
		"tg:123456789":      "tg:12…89",
		"zalo:987654321":    "zalo:98…21",
		"tg:12345":          "tg:1…5",
		"tg:12":             "tg:…",
		"console:cli-admin": "console:cl…in",
		"":                  "",
	}
	for in, want := range tests {
		if got := MaskChatKey(in); got != want {
			t.Errorf("MaskChatKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOfficialStatus(t *testing.T) {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		o    Official
		want string
	}{
		{Official{}, OfficialPending},
		{Official{ChatKey: "tg:1", BoundAt: at}, OfficialBound},
		{Official{ChatKey: "tg:1", RevokedAt: at}, OfficialRevoked},
		{Official{RevokedAt: at}, OfficialRevoked},
	}
	for _, tt := range tests {
		if got := tt.o.Status(); got != tt.want {
			t.Errorf("%+v.Status() = %q, want %q", tt.o, got, tt.want)
		}
	}
}
