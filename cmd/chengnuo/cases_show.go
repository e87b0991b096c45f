package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chengnuo/routing"
)

func newCasesShowCmd(g *globals) *cobra.Command {
	o := &caseOpts{}
	cmd := &cobra.Command{
		Use:   "show ID [--reveal] [--json]",
		Short: "查看一件案件：全部信息、期限和办理经过",
		Example: `  chengnuo cases show BQ20261125-0001
  chengnuo cases show BQ20261125-0001 --as rsj --json`,
		Args: cobra.ExactArgs(1),
		RunE: caseRun(g, o, func(ctx context.Context, e *caseEnv, cmd *cobra.Command, args []string) error {
			id, err := caseID(args)
			if err != nil {
				return err
			}
			a, err := e.actor()
			if err != nil {
				return err
			}
			c, err := e.svc.Case(ctx, a, id)
			if err != nil {
				return err
			}
			events, err := e.svc.Events(ctx, a, id)
			if err != nil {
				return err
			}
			now := e.now()
			if o.asJSON {
				j := e.toJSON(c, now)
				j.Rounds = e.roundsJSON(e.shown(c))
				j.Events = make([]eventJSON, 0, len(events))
				for _, ev := range events {
					j.Events = append(j.Events, toEventJSON(e.shownEvent(c, ev)))
				}
				return writeJSON(cmd.OutOrStdout(), j)
			}
			return e.printCase(ctx, cmd.OutOrStdout(), c, events, now)
		}),
	}
	o.bindView(cmd)
	o.bindActor(cmd)
	return cmd
}

// printCase writes every field, the deadlines and the history of c.
func (e *caseEnv) printCase(ctx context.Context, w io.Writer, c *routing.Case, events []routing.Event, now time.Time) error {
	fmt.Fprintf(w, "案件 %s\n\n", c.ID)
	channel := string(c.Channel)
	if c.ExternalRef != "" {
		channel += "（外部编号 " + c.ExternalRef + "）"
	}
	dept := deptLabel(e.dir, c.Department)
	if c.Triage {
		dept += "，待人工分拨"
	}
	street := "未提及"
	if c.Street != "" {
		street = deptLabel(e.dir, c.Street)
	}
	items := make([]string, 0, len(c.Items))
	for _, id := range c.Items {
		items = append(items, e.itemName(ctx, id))
	}
	s := e.shown(c)
	rows := [][]string{
		{"状态", routing.StatusLabel(c.Status)},
		{"类型", string(c.Type)},
		{"渠道", channel},
		{"承办单位", dept},
		{"所在街道", street},
		{"相关事项", orNone(strings.Join(items, "；"))},
		{"分类理由", orNone(strings.Join(c.Reasons, "；"))},
		{"把握程度", fmt.Sprintf("%.2f", c.Confidence)},
		{"来电人", orNone(complainantCell(c, e.revealFor(c)))},
		{"地址", orNone(flat(s.Address))},
		{"反映内容", flat(s.Text)},
	}
	opt := func(label, v string) {
		if v != "" {
			rows = append(rows, []string{label, v})
		}
	}
	opt("答复", flat(s.Reply))
	opt("满意度", string(c.Satisfaction))
	opt("合并至", c.DuplicateOf)
	if err := printTable(w, []string{"项目", "内容"}, rows); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n期限")
	rows = [][]string{{"受理时间", clock(c.ReceivedAt)}}
	opt("派单时间", clock(c.DispatchedAt))
	opt("签收期限", clock(c.AcceptBy))
	opt("签收时间", clock(c.AcceptedAt))
	opt("办结期限", clock(c.ResolveBy))
	if c.ExtensionDays > 0 && c.ExtendedTo.IsZero() && c.Status == routing.StatusExtensionRequested {
		rows = append(rows, []string{"延期申请", fmt.Sprintf("%d 个工作日，待审批", c.ExtensionDays)})
	}
	opt("延期至", clock(c.ExtendedTo))
	if c.Status == routing.StatusDispatched || c.Status == routing.StatusAccepted {
		if by, _ := e.svc.SLA.ReturnBy(c.DispatchedAt); !by.IsZero() {
			rows = append(rows, []string{"退回时限", clock(by)})
		}
	}
	opt("下次催办", clock(c.RemindAt))
	opt("答复时间", clock(c.RepliedAt))
	opt("办结时间", clock(c.ClosedAt))
	opt("超期/督办", caseFlags(c, now))
	if !c.CalendarCovered {
		rows = append(rows, []string{"注意", "节假日表未收录期限所在年份，期限仅按周末计算"})
	}
	if err := printTable(w, []string{"项目", "时间"}, rows); err != nil {
		return err
	}

	if len(c.Rounds) > 0 {
		fmt.Fprintln(w, "\n办理轮次（重办前各轮，当前为第", len(c.Rounds)+1, "轮）")
		rows = [][]string{}
		for _, r := range s.Rounds {
			rows = append(rows, []string{fmt.Sprint(r.N), shortDept(e.dir, r.Department), clock(r.DispatchedAt),
				clock(r.AcceptedAt) + onTime(!r.AcceptedAt.IsZero(), r.AcceptedOnTime()),
				clock(r.RepliedAt) + onTime(!r.RepliedAt.IsZero(), r.AnsweredOnTime()),
				orNone(string(r.Satisfaction)), clock(r.ReopenedAt), cut(flat(r.Reply), 40)})
		}
		if err := printTable(w, []string{"轮次", "承办单位", "派单", "签收", "答复", "满意度", "重办", "答复内容"}, rows); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\n办理经过")
	rows = make([][]string, 0, len(events))
	for _, ev := range events {
		rows = append(rows, []string{clock(ev.At), routing.ActionLabel(ev.Action), e.actorLabel(ev.Actor),
			routing.StatusLabel(ev.ToStatus), cut(eventDetail(e.dir, e.shownEvent(c, ev)), 60)})
	}
	return printTable(w, []string{"时间", "操作", "操作人", "状态", "说明"}, rows)
}

// actorLabel names who acted: "系统", "话务员 wang", "人力资源和社会保障局（rsj）", "来电人".
func (e *caseEnv) actorLabel(a routing.Actor) string {
	switch a.Role {
	case routing.RoleSystem:
		return "系统"
	case routing.RoleOperator:
		return strings.TrimSpace("话务员 " + a.Name)
	case routing.RoleDepartment:
		return shortDept(e.dir, a.Department) + "（" + a.Department + "）"
	case routing.RoleResident:
		return "来电人"
	}
	return a.String()
}

// eventDetail is the reason of an event and the details a clerk needs.
func eventDetail(dir *routing.Directory, ev routing.Event) string {
	var parts []string
	d := ev.Data
	switch ev.Action {
	case routing.ActDispatch, routing.ActUndoDuplicate:
		if d["department"] != "" {
			parts = append(parts, "派至"+shortDept(dir, d["department"]))
		}
		if d["resolve_by"] != "" {
			parts = append(parts, "办结期限 "+clockOf(d["resolve_by"]))
		}
	case routing.ActReturn:
		parts = append(parts, "由"+shortDept(dir, d["from_department"])+"退回分拨")
	case routing.ActRequestExtension:
		parts = append(parts, fmt.Sprintf("申请延期 %s 个工作日至 %s", d["days"], clockOf(d["extended_to"])))
	case routing.ActGrantExtension:
		parts = append(parts, "延期至 "+clockOf(d["extended_to"]))
	case routing.ActReply:
		parts = append(parts, "答复："+flat(d["reply"]))
	case routing.ActRate:
		parts = append(parts, d["satisfaction"])
	case routing.ActReopen:
		parts = append(parts, "办结期限 "+clockOf(d["resolve_by"]))
	case routing.ActMarkDuplicate:
		parts = append(parts, "合并至 "+d["duplicate_of"])
	case routing.ActRemind, routing.ActMarkOverdue:
		parts = append(parts, "期限 "+clockOf(d["deadline"]))
	case routing.ActEscalate:
		parts = append(parts, "转"+shortDept(dir, d["to_department"])+"督办")
	}
	if ev.Reason != "" {
		parts = append([]string{ev.Reason}, parts...)
	}
	return strings.Join(parts, "；")
}

// clockOf reformats an RFC 3339 stamp of event data for people.
func clockOf(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return clock(t)
}

func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}
