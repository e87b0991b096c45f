package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"chengnuo/routing"
)

// caseAction describes one lifecycle subcommand: accept, reply, return, extend, close, rate,
// reopen, redispatch, undo-duplicate.
type caseAction struct {
	use, short, example string
	args                cobra.PositionalArgs
	noAs                bool // --as is not offered (rate: the resident rates)
	flags               func(*cobra.Command)
	// do performs the action as actor a on case id; rest are the arguments after the id.
	do func(ctx context.Context, e *caseEnv, a routing.Actor, id string, rest []string) (*routing.Case, routing.Action, error)
}

func newCaseActionCmd(g *globals, ca caseAction) *cobra.Command {
	o := &caseOpts{}
	cmd := &cobra.Command{
		Use: ca.use, Short: ca.short, Example: ca.example, Args: ca.args,
		RunE: caseRun(g, o, func(ctx context.Context, e *caseEnv, cmd *cobra.Command, args []string) error {
			id, err := caseID(args)
			if err != nil {
				return err
			}
			a, err := e.actor()
			if err != nil {
				return err
			}
			c, act, err := ca.do(ctx, e, a, id, args[1:])
			if err != nil {
				return err
			}
			if o.asJSON {
				return writeJSON(cmd.OutOrStdout(), e.toJSON(c, e.now()))
			}
			return e.printDone(cmd.OutOrStdout(), c, act)
		}),
	}
	o.bindView(cmd)
	if !ca.noAs {
		o.bindActor(cmd)
	}
	if ca.flags != nil {
		ca.flags(cmd)
	}
	return cmd
}

func newCasesActionCmds(g *globals) []*cobra.Command {
	var (
		reason, dept string
		days         int
		grant, deny  bool
	)
	reasonFlag := func(usage string) func(*cobra.Command) {
		return func(cmd *cobra.Command) { cmd.Flags().StringVar(&reason, "reason", "", usage) }
	}
	specs := []caseAction{{
		use: "accept ID [--as CODE]", short: "签收案件", args: cobra.ExactArgs(1),
		example: "  chengnuo cases accept BQ20261125-0001 --as rsj",
		do: func(ctx context.Context, e *caseEnv, a routing.Actor, id string, _ []string) (*routing.Case, routing.Action, error) {
			c, err := e.svc.Accept(ctx, a, id)
			return c, routing.ActAccept, err
		},
	}, {
		use: "reply ID TEXT [--as CODE]", short: "答复来电人（答复内容即 TEXT）", args: cobra.MinimumNArgs(2),
		example: "  chengnuo cases reply BQ20261125-0001 --as rsj 已责成窗口按告知承诺制受理，不再索要证明",
		do: func(ctx context.Context, e *caseEnv, a routing.Actor, id string, rest []string) (*routing.Case, routing.Action, error) {
			c, err := e.svc.Reply(ctx, a, id, strings.Join(rest, " "))
			return c, routing.ActReply, err
		},
	}, {
		use: "return ID --reason R [--as CODE]", short: "退回案件至分拨台（派单后 1 个工作日内，须说明理由）",
		args: cobra.ExactArgs(1), flags: reasonFlag("why the case is not this department's (required)"),
		example: "  chengnuo cases return BQ20261125-0001 --as rsj --reason 该事项属区民政局",
		do: func(ctx context.Context, e *caseEnv, a routing.Actor, id string, _ []string) (*routing.Case, routing.Action, error) {
			c, err := e.svc.Return(ctx, a, id, reason)
			return c, routing.ActReturn, err
		},
	}, {
		use:   "extend ID (--days N --reason R [--as CODE] | --grant | --deny [--reason R])",
		short: "申请延期（--days，每轮一次、期限前申请），或由话务员批准（--grant）/驳回（--deny）", args: cobra.ExactArgs(1),
		example: "  chengnuo cases extend BQ20261125-0001 --as rsj --days 5 --reason 需调取外区档案\n  chengnuo cases extend BQ20261125-0001 --grant",
		flags: func(cmd *cobra.Command) {
			cmd.Flags().IntVar(&days, "days", 0, "request an extension of this many working days")
			cmd.Flags().BoolVar(&grant, "grant", false, "grant the requested extension (operator)")
			cmd.Flags().BoolVar(&deny, "deny", false, "deny the requested extension (operator)")
			cmd.Flags().StringVar(&reason, "reason", "", "why (required for a request)")
		},
		do: func(ctx context.Context, e *caseEnv, a routing.Actor, id string, _ []string) (*routing.Case, routing.Action, error) {
			switch {
			case (days != 0 && (grant || deny)) || (grant && deny):
				return nil, "", errors.New("--days、--grant、--deny 只能选一个")
			case grant || deny:
				c, err := e.svc.DecideExtension(ctx, a, id, grant, reason)
				if grant {
					return c, routing.ActGrantExtension, err
				}
				return c, routing.ActDenyExtension, err
			case days == 0:
				return nil, "", errors.New("须指定 --days N（申请延期）或 --grant / --deny（审批）")
			}
			c, err := e.svc.RequestExtension(ctx, a, id, days, reason)
			return c, routing.ActRequestExtension, err
		},
	}, {
		use: "close ID", short: "办结已答复的案件", args: cobra.ExactArgs(1),
		do: func(ctx context.Context, e *caseEnv, a routing.Actor, id string, _ []string) (*routing.Case, routing.Action, error) {
			c, err := e.svc.Close(ctx, a, id)
			return c, routing.ActClose, err
		},
	}, {
		use: "rate ID 满意|基本满意|不满意", short: "记录来电人回访评价", args: cobra.ExactArgs(2), noAs: true,
		example: "  chengnuo cases rate BQ20261125-0001 不满意",
		do: func(ctx context.Context, e *caseEnv, _ routing.Actor, id string, rest []string) (*routing.Case, routing.Action, error) {
			resident := routing.Actor{Role: routing.RoleResident, Name: "回访"}
			c, err := e.svc.Rate(ctx, resident, id, routing.Satisfaction(strings.TrimSpace(rest[0])))
			return c, routing.ActRate, err
		},
	}, {
		use: "reopen ID --reason R", short: "重办评价为不满意的案件（重新计算期限）", args: cobra.ExactArgs(1),
		flags: reasonFlag("why the case is reopened"),
		do: func(ctx context.Context, e *caseEnv, a routing.Actor, id string, _ []string) (*routing.Case, routing.Action, error) {
			c, err := e.svc.Reopen(ctx, a, id, reason)
			return c, routing.ActReopen, err
		},
	}, {
		use: "redispatch ID --department CODE [--reason R]", short: "分拨：把退回、待分拨或未签收的案件派给指定单位", args: cobra.ExactArgs(1),
		example: "  chengnuo cases redispatch BQ20261125-0001 --department mzj --reason 低保事项属民政局",
		flags: func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&dept, "department", "", "the handling department, code or name (required)")
			cmd.Flags().StringVar(&reason, "reason", "", "why this department")
		},
		do: func(ctx context.Context, e *caseEnv, a routing.Actor, id string, _ []string) (*routing.Case, routing.Action, error) {
			if strings.TrimSpace(dept) == "" {
				return nil, "", errors.New("须指定 --department")
			}
			code, ok := e.dir.Resolve(dept)
			if !ok {
				return nil, "", fmt.Errorf("--department %q 不是已知的单位代码或名称", dept)
			}
			c, err := e.svc.Redispatch(ctx, a, id, code, reason)
			return c, routing.ActDispatch, err
		},
	}, {
		use: "undo-duplicate ID [--reason R]", short: "撤销合并：把误判为重复的案件重新派单", args: cobra.ExactArgs(1),
		flags: reasonFlag("why the cases are not the same"),
		do: func(ctx context.Context, e *caseEnv, a routing.Actor, id string, _ []string) (*routing.Case, routing.Action, error) {
			c, err := e.svc.UndoDuplicate(ctx, a, id, reason)
			return c, routing.ActUndoDuplicate, err
		},
	}}
	cmds := make([]*cobra.Command, 0, len(specs))
	for _, s := range specs {
		cmds = append(cmds, newCaseActionCmd(g, s))
	}
	return cmds
}

// printDone confirms an action and shows what the case now owes, and by when.
func (e *caseEnv) printDone(w io.Writer, c *routing.Case, act routing.Action) error {
	fmt.Fprintf(w, "%s：案件 %s 现为%s\n", routing.ActionLabel(act), c.ID, routing.StatusLabel(c.Status))
	fmt.Fprintf(w, "承办单位：%s\n", deptLabel(e.dir, c.Department))
	switch {
	case c.Status == routing.StatusExtensionRequested:
		fmt.Fprintf(w, "延期申请：%d 个工作日，待话务员审批（chengnuo cases extend %s --grant 或 --deny）\n", c.ExtensionDays, c.ID)
	case c.Status == routing.StatusReturned:
		fmt.Fprintf(w, "待分拨：chengnuo cases redispatch %s --department 代码\n", c.ID)
	case c.Status == routing.StatusClosed && c.Satisfaction != "":
		fmt.Fprintf(w, "满意度：%s\n", c.Satisfaction)
	}
	if c.Status.Open() {
		if c.AcceptedAt.IsZero() && c.Status != routing.StatusReturned {
			fmt.Fprintf(w, "签收期限：%s\n", clock(c.AcceptBy))
		}
		if !c.ExtendedTo.IsZero() {
			fmt.Fprintf(w, "办结期限：%s（已延期，原期限 %s）\n", clock(c.ExtendedTo), clock(c.ResolveBy))
		} else {
			fmt.Fprintf(w, "办结期限：%s\n", clock(c.ResolveBy))
		}
	}
	return nil
}
