package domain_test

import (
	"fmt"
	"slices"
	"testing"

	"xabot/internal/domain"
)

// The access rule, role × category × kind × action: who may list a message,
// receive its card, take, answer, ask for more, refuse or forward it.
func TestMayFeedback(t *testing.T) {
	off := func(name string, role domain.Role, head bool, fields ...string) domain.Official {
		return domain.Official{ID: 1, Name: name, Role: role, Head: head, Fields: fields, ChatKey: "tg:" + name}
	}
	const handlerName = "Trần Văn Xử"
	builder := off("Lê Văn Xây", domain.RoleOfficial, false, "xay dung") // spelt otherwise: matched loosely
	clerk := off("Đỗ Thị Hộ", domain.RoleOfficial, false, "Hộ tịch")
	head := off("Phạm Thị Dung", domain.RoleOfficial, true, "Tư pháp")
	chair := off("Nguyễn Văn Hải", domain.RoleChairman, false)
	admin := off("Quản Trị", domain.RoleAdmin, false)
	handler := off(handlerName, domain.RoleOfficial, false, "Xây dựng")
	headHandler := off(handlerName, domain.RoleOfficial, true)
	headHandler.ChatKey = "tg:head-handler"
	revoked := builder
	revoked.ChatKey = "tg:revoked"
	revoked.RevokedAt = local(2026, 11, 1, 9)

	all := domain.Categories()
	// sees lists, for each actor, the categories of plain feedback it may
	// see unowned, and whether it sees sensitive messages (complaints,
	// denunciations, staff attitude) that cite a dossier of handlerName.
	actors := []struct {
		name      string
		o         domain.Official
		sees      []domain.Category
		sensitive bool
		sup       bool // acts on what someone else owns
	}{
		{"official of the routed field", builder, []domain.Category{domain.CatRoadsLighting}, false, false},
		{"official of another field", clerk, nil, false, false},
		{"head of the one-stop shop", head, all, true, true},
		{"chairman", chair, all, true, true},
		{"admin", admin, nil, false, false},
		{"excluded handler (routed field)", handler, []domain.Category{domain.CatRoadsLighting}, false, false},
		{"excluded handler who heads the one-stop shop", headHandler, all, false, true},
		{"revoked", revoked, nil, false, false},
	}
	actions := append(domain.FeedbackActions(), domain.ActList, domain.ActSee)
	rt := routing()
	for _, a := range actors {
		for _, kind := range domain.FeedbackKinds() {
			for _, cat := range all {
				for _, owner := range []string{"", "tg:someone-else", a.o.ChatKey} {
					f := domain.Feedback{Ticket: "X-1", Kind: kind, Category: cat, Owner: owner,
						DossierCode: "H55.20-261120-0001", DossierHandler: handlerName}
					sensitive := kind.Legal() || cat == domain.CatStaffAttitude
					sees := slices.Contains(a.sees, cat) && !sensitive
					if sensitive {
						sees = a.sensitive
					}
					if owner == a.o.ChatKey && a.o.Active() && !sensitive {
						sees = true // given to them
					}
					for _, act := range actions {
						want := sees
						if act != domain.ActList && act != domain.ActSee && owner == "tg:someone-else" {
							want = sees && a.sup
						}
						if act == domain.ActForward && owner == "" {
							want = sees && a.sup // the owner or a supervisor hands it on
						}
						name := fmt.Sprintf("%s/%s/%s/owner=%q/%s", a.name, kind, cat, owner, act)
						if got := domain.MayFeedback(a.o, f, act, rt); got != want {
							t.Errorf("%s: %t, want %t", name, got, want)
						}
					}
				}
			}
		}
	}
	// Staff attitude is sensitive: plain feedback, yet only for supervisors.
	f := domain.Feedback{Kind: domain.KindFeedback, Category: domain.CatStaffAttitude}
	for _, o := range []domain.Official{head, chair} {
		if !domain.MayFeedback(o, f, domain.ActTake, rt) {
			t.Errorf("%s may not take staff-attitude feedback", o.Name)
		}
	}
	// The routing table cannot open a sensitive message to a field.
	open := domain.FeedbackRouting{domain.CatStaffAttitude: {Fields: []string{"Hộ tịch"}}, domain.CatLand: {Fields: []string{"Hộ tịch"}}}
	for _, kind := range domain.FeedbackKinds() {
		if domain.MayFeedback(clerk, domain.Feedback{Kind: kind, Category: domain.CatStaffAttitude}, domain.ActSee, open) {
			t.Errorf("%s about staff attitude routed to a field", kind)
		}
	}
	if !domain.MayFeedback(clerk, domain.Feedback{Kind: domain.KindFeedback, Category: domain.CatLand}, domain.ActTake, open) {
		t.Error("a commune's own route is not followed")
	}
	if domain.MayFeedback(clerk, domain.Feedback{Kind: domain.KindComplaint, Category: domain.CatLand}, domain.ActSee, open) {
		t.Error("a complaint about land reached the field it was routed to")
	}
	if domain.MayFeedback(head, domain.Feedback{Kind: domain.KindFeedback}, "delete", rt) {
		t.Error("an unknown action is allowed")
	}
}

// A sensitive message citing a dossier the head handles goes to the chairman
// alone; plain feedback citing it still reaches the head.
func TestFeedbackExcludesHandler(t *testing.T) {
	head := domain.Official{ID: 1, Name: "Phạm Thị Dung", Role: domain.RoleOfficial, Head: true, ChatKey: "tg:1"}
	chair := domain.Official{ID: 2, Name: "Nguyễn Văn Hải", Role: domain.RoleChairman, ChatKey: "tg:2"}
	builder := domain.Official{ID: 3, Name: "Lê Văn Xây", Role: domain.RoleOfficial, Fields: []string{"Xây dựng"}, ChatKey: "tg:3"}
	staff := []domain.Official{head, chair, builder}
	rt := routing()
	names := func(os []domain.Official) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Name)
		}
		return out
	}
	tests := []struct {
		name            string
		f               domain.Feedback
		recipients, sup []string
	}{
		{"denunciation", domain.Feedback{Kind: domain.KindDenunciation, Category: domain.CatOther},
			[]string{head.Name, chair.Name}, []string{head.Name}},
		{"denunciation of the head's dossier", domain.Feedback{Kind: domain.KindDenunciation, Category: domain.CatOther, DossierHandler: "PHAM THI DUNG"},
			[]string{chair.Name}, []string{chair.Name}},
		{"complaint about roads, of the builder's dossier", domain.Feedback{Kind: domain.KindComplaint, Category: domain.CatRoadsLighting, DossierHandler: builder.Name},
			[]string{head.Name, chair.Name}, []string{head.Name}},
		{"staff attitude of the head's dossier", domain.Feedback{Kind: domain.KindFeedback, Category: domain.CatStaffAttitude, DossierHandler: head.Name},
			[]string{chair.Name}, []string{chair.Name}},
		{"roads feedback of the builder's dossier", domain.Feedback{Kind: domain.KindFeedback, Category: domain.CatRoadsLighting, DossierHandler: builder.Name},
			[]string{builder.Name}, []string{head.Name}},
		{"admin_procedure feedback of the head's dossier", domain.Feedback{Kind: domain.KindFeedback, Category: domain.CatAdminProcedure, DossierHandler: head.Name},
			[]string{head.Name}, []string{head.Name}},
	}
	for _, tt := range tests {
		if got := names(domain.FeedbackRecipients(tt.f, staff, rt)); !slices.Equal(got, tt.recipients) {
			t.Errorf("%s: recipients %v, want %v", tt.name, got, tt.recipients)
		}
		if got := names(domain.FeedbackSupervisors(tt.f, staff, rt)); !slices.Equal(got, tt.sup) {
			t.Errorf("%s: supervisors %v, want %v", tt.name, got, tt.sup)
		}
	}
	// Nobody of the route active: the heads, then the chairmen.
	land := domain.Feedback{Kind: domain.KindFeedback, Category: domain.CatLand}
	if got := names(domain.FeedbackRecipients(land, staff, rt)); !slices.Equal(got, []string{head.Name}) {
		t.Errorf("land without its official: %v", got)
	}
	if got := names(domain.FeedbackRecipients(land, []domain.Official{builder, chair}, rt)); !slices.Equal(got, []string{chair.Name}) {
		t.Errorf("land without its official nor a head: %v", got)
	}
	// A head who is also chairman hears once.
	both := domain.Official{ID: 4, Name: "Hai Vai", Role: domain.RoleChairman, Head: true, ChatKey: "tg:4"}
	if got := domain.FeedbackRecipients(domain.Feedback{Kind: domain.KindComplaint}, []domain.Official{both, both}, rt); len(got) != 1 {
		t.Errorf("head and chairman told %d times", len(got))
	}
}

func TestCheckForward(t *testing.T) {
	head := domain.Official{ID: 1, Name: "Phạm Thị Dung", Role: domain.RoleOfficial, Head: true, ChatKey: "tg:1"}
	chair := domain.Official{ID: 2, Name: "Nguyễn Văn Hải", Role: domain.RoleChairman, ChatKey: "tg:2"}
	builder := domain.Official{ID: 3, Name: "Lê Văn Xây", Role: domain.RoleOfficial, Fields: []string{"Xây dựng"}, ChatKey: "tg:3"}
	clerk := domain.Official{ID: 4, Name: "Đỗ Thị Hộ", Role: domain.RoleOfficial, Fields: []string{"Hộ tịch"}, ChatKey: "tg:4"}
	admin := domain.Official{ID: 5, Name: "Quản Trị", Role: domain.RoleAdmin, ChatKey: "tg:5"}
	pending := domain.Official{ID: 6, Name: "Chưa Đăng Ký", Role: domain.RoleOfficial, Fields: []string{"Đất đai"}}
	roads := domain.Feedback{Ticket: "PA-2611-0001", Kind: domain.KindFeedback, Category: domain.CatRoadsLighting, Owner: builder.ChatKey}
	tc := domain.Feedback{Ticket: "TC-2611-0001", Kind: domain.KindDenunciation, Category: domain.CatOther, Owner: head.ChatKey}
	tcOfHead := tc
	tcOfHead.DossierHandler, tcOfHead.Owner = head.Name, chair.ChatKey
	tests := []struct {
		name    string
		by, to  domain.Official
		f       domain.Feedback
		wantKey string // "" = allowed
	}{
		{"feedback to a colleague of another field", builder, clerk, roads, ""},
		{"feedback to the head", builder, head, roads, ""},
		{"feedback to oneself", builder, builder, roads, "feedback.forward_self"},
		{"feedback to its owner, by the head", head, builder, roads, "feedback.forward_same"},
		{"feedback to the admin", builder, admin, roads, "feedback.forward_not_eligible"},
		{"feedback to an official not registered", builder, pending, roads, "feedback.forward_not_eligible"},
		{"denunciation to the chairman", head, chair, tc, ""},
		{"denunciation to a field official", head, clerk, tc, "feedback.forward_not_eligible"},
		{"denunciation to the admin", head, admin, tc, "feedback.forward_not_eligible"},
		{"denunciation to the head it accuses", chair, head, tcOfHead, "feedback.forward_not_eligible"},
	}
	for _, tt := range tests {
		err := domain.CheckForward(tt.by, tt.to, tt.f)
		if tt.wantKey == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if ie, ok := err.(*domain.InvalidError); !ok || ie.Key != tt.wantKey || ie.Args["ticket"] != tt.f.Ticket {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.wantKey)
		}
	}
}

// routing is a commune's table as the tests read it (the profile's default,
// internal/commune/routing.yaml, in short).
func routing() domain.FeedbackRouting {
	return domain.FeedbackRouting{
		domain.CatAdminProcedure:   {Head: true},
		domain.CatRoadsLighting:    {Fields: []string{"Xây dựng", "Giao thông"}},
		domain.CatEnvironmentWaste: {Fields: []string{"Tài nguyên - Môi trường"}},
		domain.CatSecurityOrder:    {Chairman: true},
		domain.CatLand:             {Fields: []string{"Đất đai"}},
		domain.CatOther:            {Head: true},
	}
}
