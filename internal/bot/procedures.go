package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"xabot/internal/dialog"
	"xabot/internal/domain"
	"xabot/internal/service/catalogue"
)

// ProcedureCatalog is the commune's procedure catalogue;
// *catalogue.Service satisfies it.
type ProcedureCatalog interface {
	Fields(ctx context.Context) ([]string, error)
	InField(ctx context.Context, field string) ([]domain.Procedure, error)
	Get(ctx context.Context, code string) (domain.Procedure, error)
	Search(ctx context.Context, query string, limit int) (catalogue.Result, error)
}

// searchLimit is the most procedures a search offers: a handful.
const searchLimit = 5

// The values of /thutuc's buttons: a field by its place in the list of
// fields, a procedure by its code.
const (
	fieldValue     = "f:"
	procedureValue = "p:"
)

// procedureActions bind /thutuc: the fields, a field's procedures, a
// search by typed words, and a procedure's entry.
func (r *Router) procedureActions() Actions {
	return Actions{
		"procedures.fields": r.procedureFields,
		"procedures.pick":   r.procedurePick,
	}
}

// procedureFields opens /thutuc: the fields as buttons, or at once what
// the words given with it find (/thutuc khai sinh, «thủ tục khai sinh»).
func (r *Router) procedureFields(ctx context.Context, c Call) (Result, error) {
	if r.cfg.Procedures == nil {
		return Result{Branch: "none", Say: []dialog.Prompt{{Key: "procedures.none"}}}, nil
	}
	if q := strings.TrimSpace(c.Slots["args"]); q != "" {
		return r.procedureSearch(ctx, q)
	}
	fields, err := r.cfg.Procedures.Fields(ctx)
	if err != nil {
		return Result{}, err
	}
	if len(fields) == 0 {
		return Result{Branch: "none", Say: []dialog.Prompt{{Key: "procedures.none"}}}, nil
	}
	return Result{Say: []dialog.Prompt{{Key: "procedures.pick_or_type"}}, Choices: fieldButtons(fields)}, nil
}

func fieldButtons(fields []string) []dialog.Button {
	out := make([]dialog.Button, 0, len(fields))
	for i, f := range fields {
		// The place travels in the button: field names are long and accented.
		out = append(out, dialog.Button{Text: f, Data: fieldValue + strconv.Itoa(i)})
	}
	return out
}

// procedurePick answers the /thutuc step: typed words search, a field
// lists its procedures, a procedure opens its entry.
func (r *Router) procedurePick(ctx context.Context, c Call) (Result, error) {
	if r.cfg.Procedures == nil {
		return Result{Branch: "shown", Say: []dialog.Prompt{{Key: "procedures.none"}}}, nil
	}
	if q := c.Slots["query"]; q != "" {
		return r.procedureSearch(ctx, q)
	}
	v := c.Slots["pick"]
	if code, ok := strings.CutPrefix(v, procedureValue); ok {
		p, err := r.cfg.Procedures.Get(ctx, code)
		if errors.Is(err, domain.ErrNotFound) {
			return Result{}, domain.Invalid("errors.button_expired")
		}
		if err != nil {
			return Result{}, err
		}
		return Result{Branch: "shown", Say: []dialog.Prompt{r.procedureEntry(p)}}, nil
	}
	// A field by its place ("f:2", or "2" from a button of before).
	fields, err := r.cfg.Procedures.Fields(ctx)
	if err != nil {
		return Result{}, err
	}
	i, err := strconv.Atoi(strings.TrimPrefix(v, fieldValue))
	if err != nil || i < 0 || i >= len(fields) {
		return Result{}, domain.Invalid("errors.button_expired")
	}
	ps, err := r.cfg.Procedures.InField(ctx, fields[i])
	if err != nil {
		return Result{}, err
	}
	head := dialog.Prompt{Key: "procedures.in_field", Args: map[string]string{"field": fields[i]}}
	return Result{Say: []dialog.Prompt{head}, Choices: procedureButtons(ps)}, nil
}

func procedureButtons(ps []domain.Procedure) []dialog.Button {
	out := make([]dialog.Button, 0, len(ps))
	for _, p := range ps {
		if len(dialog.Data("procedures", "pick", procedureValue+p.Code)) > 64 {
			continue // beyond Telegram's callback data: no code is that long
		}
		out = append(out, dialog.Button{Text: p.Name, Data: procedureValue + p.Code})
	}
	return out
}

// procedureSearch answers words typed about a procedure: the one found
// opens at once; a few are offered as buttons; none, the fields again.
func (r *Router) procedureSearch(ctx context.Context, q string) (Result, error) {
	res, err := r.cfg.Procedures.Search(ctx, q, searchLimit)
	if err != nil {
		return Result{}, err
	}
	echo := map[string]string{"query": domain.Echo(q)}
	switch len(res.Hits) {
	case 0:
		fields, err := r.cfg.Procedures.Fields(ctx)
		if err != nil {
			return Result{}, err
		}
		return Result{Say: []dialog.Prompt{{Key: "procedures.not_found", Args: echo}}, Choices: fieldButtons(fields)}, nil
	case 1:
		return Result{Branch: "shown", Say: []dialog.Prompt{r.procedureEntry(res.Hits[0].Procedure)}}, nil
	}
	ps := make([]domain.Procedure, len(res.Hits))
	for i, h := range res.Hits {
		ps[i] = h.Procedure
	}
	return Result{Say: []dialog.Prompt{{Key: "procedures.found", Args: echo}}, Choices: procedureButtons(ps)}, nil
}

// procedureEntry is what a citizen needs to know before going: what to
// bring, the fee, the time in working days, where to submit, whether it
// can be done online.
func (r *Router) procedureEntry(p domain.Procedure) dialog.Prompt {
	e := dialog.Prompt{Key: "procedures.entry", Args: map[string]string{"name": p.Name, "code": p.Code}}
	line := func(key string, kv ...string) { e.Parts = append(e.Parts, dialog.Prompt{Key: key, Args: args(kv...)}) }
	if p.Field != "" {
		line("procedures.entry_field", "field", p.Field)
	}
	switch p.Days {
	case domain.DaysUnknown:
		line("procedures.entry_days_unknown")
	case 0:
		line("procedures.entry_same_day")
	default:
		line("procedures.entry_days", "days", strconv.Itoa(p.Days))
	}
	switch {
	case p.Fee == "":
		line("procedures.entry_fee_unknown")
	case domain.FeeFree(p.Fee):
		line("procedures.entry_free")
	default:
		line("procedures.entry_fee", "fee", p.Fee)
	}
	if len(p.Documents) == 0 {
		line("procedures.entry_docs_unknown")
	} else {
		line("procedures.entry_docs")
		for _, d := range p.Documents {
			line("procedures.entry_doc", "doc", d)
		}
	}
	line("procedures.entry_where", "office", r.cfg.Office)
	switch p.Online {
	case domain.OnlineFull:
		line("procedures.online_full")
	case domain.OnlinePartial:
		line("procedures.online_partial")
	case domain.OnlineNone:
		line("procedures.online_none")
	}
	return e
}
