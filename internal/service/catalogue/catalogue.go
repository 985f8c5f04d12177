// Package catalogue is the commune's procedure catalogue (danh mục thủ tục
// hành chính): it imports the national portal's or a one-door system's
// list from CSV or XLSX (the dossier import's readers and bounds, with
// Vietnamese headers), merging by code so that a row changes only what it
// carries, and it answers searches by words typed with or without accents
// («thu tuc khai sinh», «đăng ký kết hôn»), from an index in memory that is
// rebuilt when the stored catalogue changes (an import by another process
// included).
package catalogue

import (
	"context"
	"fmt"
	"sync"

	"xabot/internal/collate"
	"xabot/internal/domain"
	"xabot/internal/fold"
)

// Repo is the storage the catalogue needs; *store.DB satisfies it.
type Repo interface {
	// Procedures returns every procedure.
	Procedures(ctx context.Context) ([]domain.Procedure, error)
	// ProceduresStamp changes whenever the stored catalogue does.
	ProceduresStamp(ctx context.Context) (string, error)
	// MergeProcedures merges each patch by code (domain.MergeProcedure) in
	// one transaction; the outcomes are in the order of ps.
	MergeProcedures(ctx context.Context, ps []domain.ProcedurePatch) ([]domain.ProcedureMerge, error)
}

// Service imports and searches the catalogue. It is safe for concurrent
// use.
type Service struct {
	repo Repo

	mu    sync.Mutex
	idx   *index
	stamp string
}

// New returns the catalogue over repo.
func New(repo Repo) *Service { return &Service{repo: repo} }

// current returns the index of the stored catalogue, rebuilding it when the
// stamp moved.
func (s *Service) current(ctx context.Context) (*index, error) {
	stamp, err := s.repo.ProceduresStamp(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	s.mu.Lock()
	idx := s.idx
	fresh := idx != nil && s.stamp == stamp
	s.mu.Unlock()
	if fresh {
		return idx, nil
	}
	ps, err := s.repo.Procedures(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	idx = newIndex(ps)
	s.mu.Lock()
	s.idx, s.stamp = idx, stamp
	s.mu.Unlock()
	return idx, nil
}

// Fields returns the catalogue's fields in Vietnamese order, one per field
// however its name is spelt across rows (the first spelling met).
func (s *Service) Fields(ctx context.Context) ([]string, error) {
	idx, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return idx.fields, nil
}

// InField returns the procedures of field (matched without case or
// accents) in Vietnamese order of their names.
func (s *Service) InField(ctx context.Context, field string) ([]domain.Procedure, error) {
	idx, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	key := fold.String(field)
	var out []domain.Procedure
	for _, d := range idx.docs {
		if fold.String(d.p.Field) == key {
			out = append(out, d.p)
		}
	}
	collate.SortBy(out, func(p domain.Procedure) string { return p.Name })
	return out, nil
}

// Get returns the procedure with code; domain.ErrNotFound when there is
// none.
func (s *Service) Get(ctx context.Context, code string) (domain.Procedure, error) {
	idx, err := s.current(ctx)
	if err != nil {
		return domain.Procedure{}, err
	}
	if i, ok := idx.byCode[code]; ok {
		return idx.docs[i].p, nil
	}
	return domain.Procedure{}, domain.ErrNotFound
}

// Search finds the procedures that typed words ask about, best first, at
// most limit (see index.search).
func (s *Service) Search(ctx context.Context, query string, limit int) (Result, error) {
	idx, err := s.current(ctx)
	if err != nil {
		return Result{}, err
	}
	return idx.search(query, limit), nil
}
