package bot

import (
	"context"
	"strconv"

	"xabot/internal/dialog"
	"xabot/internal/domain"
)

// staffOverdue lists the overdue dossiers of the caller's fields; the
// chairman, the admin and the head of the one-stop shop see every field
// (scope), anyone else nothing.
func (r *Router) staffOverdue(ctx context.Context, c Call) (Result, error) {
	fields, err := r.scope(ctx, c)
	if err != nil {
		return Result{}, err
	}
	keep := func(d domain.Dossier) bool { return fields == nil || fields(d.Field) }
	now := c.Now
	ds, late, err := r.cfg.Notify.OverdueOf(ctx, now, keep)
	if err != nil {
		return Result{}, err
	}
	if len(ds) == 0 {
		return Result{Say: []dialog.Prompt{{Key: "staff.overdue_none"}}}, nil
	}
	p := dialog.Prompt{Key: "staff.overdue_head", Args: map[string]string{"count": strconv.Itoa(len(ds)), "date": r.date(now)}}
	for i, d := range ds {
		p.Parts = append(p.Parts, dialog.Prompt{Key: domain.OverdueItemKey(d), Args: map[string]string{
			"code": d.Code, "procedure": d.ProcedureName, "days": strconv.Itoa(late[i]), "handler": d.Handler}})
	}
	return Result{Say: []dialog.Prompt{p}}, nil
}
