package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chengnuo/knowledge"
	"chengnuo/routing"
	"chengnuo/store"
)

func newCasesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cases",
		Short: "案件：登记、查询、签收、答复、退回、延期、办结、评价、重办",
		Long: `cases files complaints as cases and moves them through their lifecycle (DESIGN.md "Routing").
Operators act by default; --as CODE acts as that handling department, on its own cases only.
Phone numbers and names are masked (138****1234, 张*) in tables, details and JSON unless --reveal,
also where they were typed into the text or the reply (phones, landlines, ID-card numbers, the
complainant's name). A department (--as) never sees them for an anonymous case or a report.`,
		Example: `  chengnuo cases file --phone 13812341234 --name 张三 十里铺派出所让我开亲属关系证明
  chengnuo cases list --overdue
  chengnuo cases show BQ20261125-0001
  chengnuo cases accept BQ20261125-0001 --as gafj
  chengnuo cases reply BQ20261125-0001 --as gafj 已告知窗口按告知承诺制办理`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCasesFileCmd(g), newCasesListCmd(g), newCasesShowCmd(g), newCasesExportCmd(g))
	cmd.AddCommand(newCasesActionCmds(g)...)
	return cmd
}

// caseOpts are the flags the cases subcommands share.
type caseOpts struct {
	asJSON bool
	reveal bool
	as     string // department code or name: act as that department
}

func (o *caseOpts) bindView(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print JSON instead of text")
	cmd.Flags().BoolVar(&o.reveal, "reveal", false, "show phone numbers, ID numbers and names in full, also in the text (not masked)")
}

func (o *caseOpts) bindActor(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.as, "as", "", "act as this handling department (code such as rsj, or its name); default: operator")
}

// caseEnv is what a cases subcommand works with; close it when done.
type caseEnv struct {
	db   *store.DB
	svc  *routing.Service
	dir  *routing.Directory
	opts *caseOpts
	list *knowledge.List // loaded on first need, for item names
}

func (g *globals) openCases(ctx context.Context, o *caseOpts) (*caseEnv, error) {
	db, err := g.openDB(ctx)
	if err != nil {
		return nil, err
	}
	svc, err := g.service(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &caseEnv{db: db, svc: svc, dir: svc.Directory, opts: o}, nil
}

func (e *caseEnv) close() { e.db.Close() }

// now is the service clock.
func (e *caseEnv) now() time.Time {
	if e.svc.Now != nil {
		return e.svc.Now()
	}
	return time.Now()
}

// actor is who acts: the department of --as, else an operator at the command line.
func (e *caseEnv) actor() (routing.Actor, error) {
	if strings.TrimSpace(e.opts.as) == "" {
		return routing.Actor{Role: routing.RoleOperator, Name: clerkName()}, nil
	}
	code, ok := e.dir.Resolve(e.opts.as)
	if !ok {
		return routing.Actor{}, fmt.Errorf("--as %q 不是已知的单位代码或名称", e.opts.as)
	}
	return routing.Actor{Role: routing.RoleDepartment, Department: code, Name: clerkName()}, nil
}

// clerkName names the person at the terminal in the audit trail.
func clerkName() string {
	if u := strings.TrimSpace(os.Getenv("USER")); u != "" {
		return u
	}
	return "cli"
}

// itemName is "BQ-012 身份证号码变更证明", or the id alone when the list lacks it.
func (e *caseEnv) itemName(ctx context.Context, id string) string {
	if e.list == nil {
		l, err := e.db.ActiveList(ctx)
		if err != nil {
			return id
		}
		e.list = l
	}
	if it, ok := e.list.Get(id); ok {
		return id + " " + it.Certificate
	}
	return id
}

// revealFor says whether c's complainant, and the phone numbers, ID numbers and names typed
// into its text, are shown in full: only with --reveal, and never to a department (--as)
// when the identity is withheld (an anonymous case or a report, routing.Case.Withheld).
func (e *caseEnv) revealFor(c *routing.Case) bool {
	return e.opts.reveal && !(c.Withheld() && e.opts.as != "")
}

// shown is c as the command may show it: as stored when revealFor, else with the
// complainant and the free text (text, address, reply) masked. The stored case is unchanged.
func (e *caseEnv) shown(c *routing.Case) *routing.Case {
	if e.revealFor(c) {
		return c
	}
	return c.MaskedCopy()
}

// shownEvent is an event of c as the command may show it: its reason and data (a reply, a
// return reason) masked unless revealFor.
func (e *caseEnv) shownEvent(c *routing.Case, ev routing.Event) routing.Event {
	if e.revealFor(c) {
		return ev
	}
	return routing.MaskedEvent(ev, c.Complainant.Name)
}

// userError turns an application error into its one-line Chinese message; other errors
// (storage, config files) keep their own text, which already names the file or line.
func userError(err error) error {
	if err == nil || routing.ErrorCode(err) == routing.EINTERNAL {
		return err
	}
	return errors.New(routing.ErrorMessage(err))
}

// caseRun opens the environment, runs fn and maps its error for people.
func caseRun(g *globals, o *caseOpts, fn func(ctx context.Context, e *caseEnv, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		e, err := g.openCases(cmd.Context(), o)
		if err != nil {
			return err
		}
		defer e.close()
		return userError(fn(cmd.Context(), e, cmd, args))
	}
}

// caseID reads the case id argument.
func caseID(args []string) (string, error) {
	if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
		return "", errors.New("缺少案件编号")
	}
	return strings.TrimSpace(args[0]), nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
