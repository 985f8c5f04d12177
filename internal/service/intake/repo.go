package intake

import (
	"context"

	"xabot/internal/domain"
)

// Outcome says what an upsert did. It is an alias of int, not a defined
// type, so that *store.DB can return it without importing this package
// (store and services meet only through domain).
type Outcome = int

// Upsert outcomes.
const (
	Unchanged Outcome = iota
	Created
	Updated
)

// Repo is the storage the importer needs; *store.DB satisfies it.
type Repo interface {
	// UpsertDossier inserts d or updates the dossier with the same canonical
	// code, in one transaction. It records a "created" event for a new
	// dossier and a "status" event (From, To, d.Note, source) when the status
	// changed, and an "extended" event when ExtendedDueAt is set for the
	// first time. Writing identical data again changes nothing and returns
	// Unchanged.
	UpsertDossier(ctx context.Context, d domain.Dossier, source string) (Outcome, error)
	// UpsertProcedure inserts or updates a procedure by code.
	UpsertProcedure(ctx context.Context, p domain.Procedure) error
}

// BatchRepo is a Repo that can also upsert many dossiers in one
// transaction, as *store.DB can. The importer uses it when the repo has it:
// one commit per row is most of a large import's time (DESIGN.md §6).
type BatchRepo interface {
	Repo
	// UpsertDossiers upserts each of ds as UpsertDossier does, all in one
	// transaction; on error none of them is written. The outcomes are in the
	// order of ds.
	UpsertDossiers(ctx context.Context, ds []domain.Dossier, source string) ([]Outcome, error)
}
