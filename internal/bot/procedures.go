package bot

import (
	"context"
	"strconv"

	"xabot/internal/collate"
	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/fold"
)

// ProcedureCatalog lists the commune's procedures; *store.DB satisfies it.
type ProcedureCatalog interface {
	Procedures(ctx context.Context) ([]domain.Procedure, error)
}

// procedureActions bind /thutuc: pick a field, read its procedures.
func (r *Router) procedureActions() map[string]dialog.Action {
	return map[string]dialog.Action{
		"procedures.fields": r.procedureFields,
		"procedures.list":   r.procedureList,
	}
}

func (r *Router) catalog(ctx context.Context) (map[string][]domain.Procedure, []string, error) {
	if r.cfg.Procedures == nil {
		return nil, nil, nil
	}
	ps, err := r.cfg.Procedures.Procedures(ctx)
	if err != nil {
		return nil, nil, err
	}
	by := map[string][]domain.Procedure{}
	var fields []string
	for _, p := range ps {
		if _, ok := by[p.Field]; !ok {
			fields = append(fields, p.Field)
		}
		by[p.Field] = append(by[p.Field], p)
	}
	// Vietnamese order: "Đất đai" after the D's, not after the Z's.
	collate.Strings(fields)
	return by, fields, nil
}

func (r *Router) procedureFields(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	_, fields, err := r.catalog(ctx)
	if err != nil {
		return dialog.Result{}, err
	}
	if len(fields) == 0 {
		return dialog.Result{Branch: "none", Say: []dialog.Prompt{{Key: "procedures.none"}}}, nil
	}
	choices := make([]dialog.Button, 0, len(fields))
	for i, f := range fields {
		// The index travels in the button: field names are long and accented.
		choices = append(choices, dialog.Button{Text: f, Data: strconv.Itoa(i)})
	}
	return dialog.Result{Say: []dialog.Prompt{{Key: "procedures.pick"}}, Choices: choices}, nil
}

func (r *Router) procedureList(ctx context.Context, c dialog.Call) (dialog.Result, error) {
	by, fields, err := r.catalog(ctx)
	if err != nil {
		return dialog.Result{}, err
	}
	i, err := strconv.Atoi(c.Slots["field"])
	field := ""
	if err == nil && i >= 0 && i < len(fields) {
		field = fields[i]
	} else {
		// Typed instead of pressed: match the field's name loosely.
		for _, f := range fields {
			if fold.String(f) == fold.String(c.Slots["field"]) {
				field = f
			}
		}
	}
	if field == "" {
		return dialog.Result{}, domain.Invalid("input.pick_one")
	}
	p := dialog.Prompt{Key: "procedures.head", Args: map[string]string{"field": field}}
	for _, pr := range by[field] {
		key := "procedures.item"
		if pr.Days == 0 {
			key = "procedures.item_same_day"
		}
		p.Parts = append(p.Parts, dialog.Prompt{Key: key, Args: map[string]string{"name": pr.Name, "days": strconv.Itoa(pr.Days)}})
	}
	return dialog.Result{Say: []dialog.Prompt{p}}, nil
}
