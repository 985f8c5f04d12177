package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"xabot/internal/bot"
	"xabot/internal/collate"
	"xabot/internal/domain"
	"xabot/internal/service/officials"
	"xabot/internal/store"
)

var _ officials.Repo = (*store.DB)(nil)

// OfficialsUsage is the synopsis of `xabot officials`.
const OfficialsUsage = `usage: xabot officials invite --role official|chairman|admin --name NAME [--field F]... [--head]
       xabot officials list
       xabot officials revoke ID
       xabot officials book ID on|off
       xabot officials announce ID on|off`

// Officials runs `xabot officials invite|list|revoke` as the admin at the
// server ("cli" in the audit), printing in the configured language.
func (a *App) Officials(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(OfficialsUsage)
	}
	s := officials.New(a.db, a.now, a.log)
	var err error
	switch args[0] {
	case "invite":
		err = a.officialsInvite(ctx, s, args[1:], out)
	case "list":
		if len(args) != 1 {
			return errors.New(OfficialsUsage)
		}
		err = a.officialsList(ctx, s, out)
	case "revoke":
		if len(args) != 2 {
			return errors.New(OfficialsUsage)
		}
		id, perr := strconv.ParseInt(strings.TrimPrefix(args[1], "#"), 10, 64)
		if perr != nil || id <= 0 {
			return fmt.Errorf("officials revoke: %q is not an official's number\n%s", args[1], OfficialsUsage)
		}
		err = a.officialsRevoke(ctx, s, id, out)
	case "book":
		err = a.officialsBook(ctx, s, args[1:], out)
	case "announce":
		err = a.officialsAnnounce(ctx, args[1:], out)
	default:
		return fmt.Errorf("officials: unknown subcommand %q\n%s", args[0], OfficialsUsage)
	}
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return errors.New(a.texts.T(a.cfg.Lang, inv.Key, inv.Args))
	}
	return err
}

// fieldFlags collects repeated --field values; one value may also list
// several, separated by commas.
type fieldFlags []string

func (f *fieldFlags) String() string { return strings.Join(*f, ", ") }

func (f *fieldFlags) Set(v string) error {
	*f = append(*f, domain.SplitFields(v)...)
	return nil
}

func (a *App) officialsInvite(ctx context.Context, s *officials.Service, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("officials invite", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	role := fs.String("role", "", "official, chairman or admin")
	name := fs.String("name", "", "full name, as on dossiers' handler column")
	head := fs.Bool("head", false, "head of the one-stop shop")
	var fields fieldFlags
	fs.Var(&fields, "field", "a field (lĩnh vực) the official handles; repeat for more")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("officials invite: %w\n%s", err, OfficialsUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("officials invite: unexpected %q\n%s", fs.Arg(0), OfficialsUsage)
	}
	r := domain.Role(strings.ToLower(strings.TrimSpace(*role)))
	canonical, err := domain.CanonicalFields(fields, a.profile.Fields)
	if err != nil {
		return err
	}
	code, expires, err := s.Invite(ctx, officials.ActorCLI, *name, r, canonical, *head)
	if err != nil {
		return err
	}
	lang := a.cfg.Lang
	fmt.Fprintln(out, a.texts.T(lang, "officials.cli.invited", map[string]string{
		"name": domain.CleanName(*name), "role": a.texts.T(lang, "officials.role."+string(r), nil),
		"code": code, "until": expires.In(a.cfg.TZ).Format("15:04 02/01/2006")}))
	return nil
}

func (a *App) officialsList(ctx context.Context, s *officials.Service, out io.Writer) error {
	all, err := s.List(ctx)
	if err != nil {
		return err
	}
	lang := a.cfg.Lang
	t := func(key string) string { return a.texts.T(lang, key, nil) }
	if len(all) == 0 {
		fmt.Fprintln(out, t("officials.cli.empty"))
		return nil
	}
	collate.SortBy(all, func(o domain.Official) string { return o.Name })
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	cols := []string{"id", "name", "role", "fields", "head", "rights", "status", "chat"}
	for i, c := range cols {
		cols[i] = t("officials.cli.col." + c)
	}
	fmt.Fprintln(w, strings.Join(cols, "\t"))
	for _, o := range all {
		fields, head, chat := strings.Join(o.Fields, ", "), t("officials.cli.no"), domain.MaskChatKey(o.ChatKey)
		if fields == "" {
			fields = "-"
		}
		if o.Head {
			head = t("officials.cli.yes")
		}
		if chat == "" {
			chat = "-"
		}
		fmt.Fprintln(w, strings.Join([]string{strconv.FormatInt(o.ID, 10), o.Name,
			t("officials.role." + string(o.Role)), fields, head, rights(o, t), t("officials.state." + o.Status()), chat}, "\t"))
	}
	return w.Flush()
}

// rights names what an official may do beyond the role: announcements and
// the reception book, whether given one by one or held by the role.
func rights(o domain.Official, t func(string) string) string {
	var out []string
	if o.Announce || o.Role == domain.RoleChairman || o.Role == domain.RoleAdmin {
		out = append(out, t("officials.cli.right.announce"))
	}
	if o.Keeper || o.Role == domain.RoleChairman {
		out = append(out, t("officials.cli.right.keeper"))
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

func (a *App) officialsRevoke(ctx context.Context, s *officials.Service, id int64, out io.Writer) error {
	o, err := bot.RevokeOfficial(ctx, a.log, s, a.endSessions, officials.ActorCLI, id)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, a.texts.T(a.cfg.Lang, "officials.cli.revoked", map[string]string{
		"id": strconv.FormatInt(o.ID, 10), "name": o.Name}))
	return nil
}

// officialsAnnounce gives an official the right to send announcements by
// village (the chairman and the admin have it), or takes it away; audited.
func (a *App) officialsAnnounce(ctx context.Context, args []string, out io.Writer) error {
	if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
		return errors.New(OfficialsUsage)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("officials announce: %q is not an official's number\n%s", args[0], OfficialsUsage)
	}
	on := args[1] == "on"
	if err := a.db.SetOfficialAnnounce(ctx, officials.ActorCLI, id, on, a.now()); errors.Is(err, domain.ErrNotFound) {
		return errors.New(a.texts.T(a.cfg.Lang, "announce.cli.no_official", map[string]string{"id": strconv.FormatInt(id, 10)}))
	} else if err != nil {
		return err
	}
	key := "announce.cli.right_off"
	if on {
		key = "announce.cli.right_on"
	}
	fmt.Fprintln(out, a.texts.T(a.cfg.Lang, key, map[string]string{"id": strconv.FormatInt(id, 10)}))
	return nil
}
