package store

import (
	"errors"
	"testing"
	"time"

	"xabot/internal/domain"
)

func TestCitizen(t *testing.T) {
	db, clock, _ := newTestDB(t)
	ctx := t.Context()
	at := time.Date(2025, 5, 2, 3, 4, 5, 0, time.UTC)
	key := "tg:12345"

	if _, err := db.Citizen(ctx, key); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Citizen(unknown) error = %v, want ErrNotFound", err)
	}
	steps := []struct {
		name string
		do   func() error
		want domain.Citizen
	}{
		{"lang creates the identity", func() error { return db.SetLang(ctx, key, "vi") },
			domain.Citizen{Key: key, Lang: "vi", Role: domain.RoleCitizen}},
		{"consent", func() error { return db.SetConsent(ctx, key, at) },
			domain.Citizen{Key: key, Lang: "vi", ConsentAt: at, Role: domain.RoleCitizen}},
		{"verified phone", func() error { return db.SetVerifiedPhone(ctx, key, "0905123456", at.Add(time.Minute)) },
			domain.Citizen{Key: key, Lang: "vi", ConsentAt: at, Phone: "0905123456",
				PhoneVerifiedAt: at.Add(time.Minute), Role: domain.RoleCitizen}},
		{"language changed", func() error { return db.SetLang(ctx, key, "en") },
			domain.Citizen{Key: key, Lang: "en", ConsentAt: at, Phone: "0905123456",
				PhoneVerifiedAt: at.Add(time.Minute), Role: domain.RoleCitizen}},
		{"role", func() error { return db.SetRole(ctx, key, domain.RoleOfficial) },
			domain.Citizen{Key: key, Lang: "en", ConsentAt: at, Phone: "0905123456",
				PhoneVerifiedAt: at.Add(time.Minute), Role: domain.RoleOfficial}},
		{"phone unlinked", func() error { return db.SetVerifiedPhone(ctx, key, "", at) },
			domain.Citizen{Key: key, Lang: "en", ConsentAt: at, Role: domain.RoleOfficial}},
		{"consent withdrawn", func() error { return db.SetConsent(ctx, key, time.Time{}) },
			domain.Citizen{Key: key, Lang: "en", Role: domain.RoleOfficial}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got, err := db.Citizen(ctx, key)
		if err != nil {
			t.Fatalf("%s: Citizen: %v", st.name, err)
		}
		if got != st.want {
			t.Errorf("%s: Citizen = %+v, want %+v", st.name, got, st.want)
		}
	}

	// Every setter creates an identity it does not find.
	creators := []struct {
		key  string
		do   func(key string) error
		want domain.Citizen
	}{
		{"tg:1", func(k string) error { return db.SetConsent(ctx, k, at) },
			domain.Citizen{ConsentAt: at, Role: domain.RoleCitizen}},
		{"tg:2", func(k string) error { return db.SetVerifiedPhone(ctx, k, "0987654321", at) },
			domain.Citizen{Phone: "0987654321", PhoneVerifiedAt: at, Role: domain.RoleCitizen}},
		{"zl:3", func(k string) error { return db.SetRole(ctx, k, domain.RoleChairman) },
			domain.Citizen{Role: domain.RoleChairman}},
	}
	clock.set(at)
	for _, c := range creators {
		if err := c.do(c.key); err != nil {
			t.Fatalf("create %s: %v", c.key, err)
		}
		got, err := db.Citizen(ctx, c.key)
		c.want.Key = c.key
		if err != nil || got != c.want {
			t.Errorf("Citizen(%s) = %+v, %v; want %+v", c.key, got, err, c.want)
		}
	}
	if err := db.SetRole(ctx, key, "mayor"); err == nil {
		t.Error(`SetRole("mayor") succeeded, want an error`)
	}
}
