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

func newCasesFileCmd(g *globals) *cobra.Command {
	o := &caseOpts{}
	var (
		nc      routing.NewCase
		channel string
		typ     string
		dept    string
	)
	cmd := &cobra.Command{
		Use:   "file [flags] TEXT",
		Short: "登记一件案件：自动分类、派单、计算期限（同一来电人同一事项 30 日内重复反映的自动合并）",
		Long: `file stores a complaint or consultation as a case: it is classified (type, items, department,
street), given its deadlines and dispatched, or linked to the open case it repeats (duplicate_of).
--type and --department override the classifier. Filing the same --channel and --ref again
prints the stored case instead of a second one.`,
		Example: `  chengnuo cases file --phone 13812341234 --name 张三 社保窗口非让我开亲属关系证明
  chengnuo cases file --channel hotline --ref BQ12345-20261125-0001 --type 投诉 --department rsj 社保中心要证明`,
		Args: cobra.MinimumNArgs(1),
		RunE: caseRun(g, o, func(ctx context.Context, e *caseEnv, cmd *cobra.Command, args []string) error {
			nc.Text = strings.TrimSpace(strings.Join(args, " "))
			if nc.Text == "" {
				return errors.New("反映内容不能为空")
			}
			switch ch := routing.Channel(strings.TrimSpace(channel)); ch {
			case routing.ChannelCLI, routing.ChannelHotline, routing.ChannelPortal:
				nc.Channel = ch
			default:
				return fmt.Errorf("--channel %q 应为 cli、hotline 或 portal", channel)
			}
			if typ != "" {
				t, err := deadlineType(typ)
				if err != nil {
					return err
				}
				nc.Type = t
			}
			if strings.TrimSpace(dept) != "" {
				code, ok := e.dir.Resolve(dept)
				if !ok {
					return fmt.Errorf("--department %q 不是已知的单位代码或名称", dept)
				}
				nc.Department = code
			}
			p, err := routing.NormalizePhone(nc.Complainant.Phone)
			if err != nil {
				return fmt.Errorf("--phone：%s", routing.ErrorMessage(err))
			}
			nc.Complainant.Phone = p
			nc.Actor = routing.Actor{Role: routing.RoleOperator, Name: clerkName()}
			c, created, err := e.svc.File(ctx, nc)
			if err != nil {
				return err
			}
			if o.asJSON {
				j := e.toJSON(c, e.now())
				j.Created = &created
				return writeJSON(cmd.OutOrStdout(), j)
			}
			return e.printFiled(ctx, cmd.OutOrStdout(), c, created)
		}),
	}
	o.bindView(cmd)
	f := cmd.Flags()
	f.StringVar(&channel, "channel", string(routing.ChannelCLI), "where the case came from: cli, hotline or portal")
	f.StringVar(&nc.ExternalRef, "ref", "", "the channel's reference (hotline ticket_no, portal message id); filing it twice files once")
	f.StringVar(&typ, "type", "", "case type 咨询 求助 投诉 举报 建议 (default: classified from the text)")
	f.StringVar(&dept, "department", "", "handling department code or name (default: classified from the text)")
	f.StringVar(&nc.Complainant.Phone, "phone", "", "complainant's phone: mobile, landline with area code (029-88886666) or +country (stored normalised, shown masked)")
	f.StringVar(&nc.Complainant.Name, "name", "", "complainant's name (stored, shown masked)")
	f.StringVar(&nc.Address, "address", "", "complainant's address (helps find the street office)")
	f.BoolVar(&nc.Anonymous, "anonymous", false, "the complainant asks to stay anonymous: identity never goes to the department")
	return cmd
}

// printFiled tells the operator where the new case went and why.
func (e *caseEnv) printFiled(ctx context.Context, w io.Writer, c *routing.Case, created bool) error {
	if created {
		fmt.Fprintf(w, "已登记案件 %s（%s）\n", c.ID, routing.StatusLabel(c.Status))
	} else {
		fmt.Fprintf(w, "外部编号 %s 此前已登记为案件 %s（%s），未重复登记\n", c.ExternalRef, c.ID, routing.StatusLabel(c.Status))
	}
	fmt.Fprintf(w, "类型：%s\n", c.Type)
	if c.Triage {
		fmt.Fprintf(w, "承办单位：%s——把握不足，请人工分拨\n", deptLabel(e.dir, c.Department))
	} else {
		fmt.Fprintf(w, "承办单位：%s\n", deptLabel(e.dir, c.Department))
	}
	if c.Street != "" {
		fmt.Fprintf(w, "所在街道：%s\n", deptLabel(e.dir, c.Street))
	} else {
		fmt.Fprintln(w, "所在街道：未提及")
	}
	if len(c.Items) == 0 {
		fmt.Fprintln(w, "相关事项：无")
	}
	for i, id := range c.Items {
		label := "相关事项："
		if i > 0 {
			label = "          "
		}
		fmt.Fprintf(w, "%s%s\n", label, e.itemName(ctx, id))
	}
	if len(c.Reasons) > 0 {
		fmt.Fprintln(w, "判断理由：")
		for _, r := range c.Reasons {
			fmt.Fprintf(w, "  · %s\n", r)
		}
	}
	if who := complainantCell(c, e.revealFor(c)); who != "" {
		fmt.Fprintf(w, "来电人：%s\n", who)
	}
	if c.DuplicateOf != "" {
		fmt.Fprintf(w, "合并至：%s（重复反映，未再派单；如判断有误：chengnuo cases undo-duplicate %s）\n", c.DuplicateOf, c.ID)
	}
	if !c.AcceptBy.IsZero() {
		fmt.Fprintf(w, "签收期限：%s\n", clock(c.AcceptBy))
		fmt.Fprintf(w, "办结期限：%s\n", clock(c.Deadline()))
	}
	if !c.CalendarCovered {
		fmt.Fprintln(w, "注意：节假日表未收录期限所在年份，期限仅按周末计算。")
	}
	return nil
}
