package store

import (
	"slices"
	"testing"
)

func TestBotNamespacesAreKept(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	if got, err := db.BotNamespaces(ctx); err != nil || len(got) != 0 {
		t.Fatalf("BotNamespaces on a new database = %v, %v; want none", got, err)
	}
	for _, ns := range []string{"tg-111", "zalo-5", "tg-111", "tg-222"} {
		if err := db.RecordBotNamespace(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
	// Other meta rows are not namespaces.
	if _, err := db.Instance(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := db.BotNamespaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if want := []string{"tg-111", "tg-222", "zalo-5"}; !slices.Equal(got, want) {
		t.Errorf("BotNamespaces = %v, want %v", got, want)
	}
}
