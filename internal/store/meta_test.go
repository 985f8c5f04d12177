package store

import (
	"bytes"
	"testing"
)

func TestMetaIsWrittenOnce(t *testing.T) {
	db, _, _ := newTestDB(t)
	ctx := t.Context()
	if v, err := db.Meta(ctx, MetaKind); err != nil || v != "" {
		t.Fatalf("Meta on a new database = %q, %v; want empty", v, err)
	}
	if v, err := db.MetaOnce(ctx, MetaKind, KindDemo); err != nil || v != KindDemo {
		t.Fatalf("MetaOnce = %q, %v", v, err)
	}
	if v, err := db.MetaOnce(ctx, MetaKind, "other"); err != nil || v != KindDemo {
		t.Fatalf("second MetaOnce = %q, %v; want the first value kept", v, err)
	}
	if v, err := db.Meta(ctx, MetaKind); err != nil || v != KindDemo {
		t.Fatalf("Meta = %q, %v", v, err)
	}
}

func TestSecretIsStableAndDistinct(t *testing.T) {
	db, _, path := newTestDB(t)
	ctx := t.Context()
	a, err := db.Secret(ctx, "lookup")
	if err != nil || len(a) != 32 {
		t.Fatalf("Secret = %x, %v", a, err)
	}
	b, err := db.Secret(ctx, "link")
	if err != nil || bytes.Equal(a, b) {
		t.Fatalf("two names gave the same secret (%v)", err)
	}
	id, err := db.Instance(ctx)
	if err != nil || len(id) != 16 {
		t.Fatalf("Instance = %q, %v", id, err)
	}
	db.Close()
	again, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	a2, err := again.Secret(ctx, "lookup")
	if err != nil || !bytes.Equal(a, a2) {
		t.Fatalf("secret changed across a reopen: %x → %x (%v)", a, a2, err)
	}
	if id2, _ := again.Instance(ctx); id2 != id {
		t.Fatalf("instance changed across a reopen: %s → %s", id, id2)
	}
}
