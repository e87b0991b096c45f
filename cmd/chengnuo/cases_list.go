package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chengnuo/routing"
)

func newCasesListCmd(g *globals) *cobra.Command {
	o := &caseOpts{}
	var (
		dept, status, dueBefore string
		overdue                 bool
		limit                   int
	)
	cmd := &cobra.Command{
		Use:   "list [--department CODE] [--status S] [--due-before TIME] [--overdue] [--limit N] [--json]",
		Short: "列出案件（默认最新在前；按期限筛选时最早到期在前）",
		Long: `list shows cases, newest first. --due-before shows only open cases (someone still owes an
answer) whose next deadline is before the given time, earliest first: the 签收 deadline of a case
not yet accepted (dispatched or reopened), else the 办结 deadline in force; the 下一期限 column
says which. --overdue shows open cases past their 办结 deadline now. A date (YYYY-MM-DD) means
the start of that day, Asia/Shanghai. With --as CODE a department sees only its own cases.`,
		Example: `  chengnuo cases list --department rsj --status dispatched
  chengnuo cases list --overdue
  chengnuo cases list --due-before 2026-12-01 --json`,
		Args: cobra.NoArgs,
		RunE: caseRun(g, o, func(ctx context.Context, e *caseEnv, cmd *cobra.Command, _ []string) error {
			now := e.now()
			f := routing.CaseFilter{Limit: limit}
			if strings.TrimSpace(dept) != "" {
				code, ok := e.dir.Resolve(dept)
				if !ok {
					return fmt.Errorf("--department %q 不是已知的单位代码或名称", dept)
				}
				f.Department = code
			}
			if strings.TrimSpace(status) != "" {
				s, err := parseStatus(status)
				if err != nil {
					return err
				}
				f.Status = s
			}
			if strings.TrimSpace(dueBefore) != "" {
				t, err := parseDueBefore(dueBefore)
				if err != nil {
					return err
				}
				f.NextDueBefore = t
			}
			if overdue {
				f.DueBefore = now
			}
			if limit < 0 {
				return fmt.Errorf("--limit 不能为负数")
			}
			a, err := e.actor()
			if err != nil {
				return err
			}
			cs, err := e.svc.Cases(ctx, a, f)
			if err != nil {
				return err
			}
			if o.asJSON {
				out := make([]caseJSON, 0, len(cs))
				for _, c := range cs {
					out = append(out, e.toJSON(c, now))
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			if len(cs) == 0 {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), "没有符合条件的案件")
				return err
			}
			rows := make([][]string, 0, len(cs))
			for _, c := range cs {
				rows = append(rows, []string{c.ID, routing.StatusLabel(c.Status), string(c.Type),
					cut(shortDept(e.dir, c.Department), 12), clock(c.AcceptBy), clock(c.Deadline()), nextDeadlineCell(c),
					caseFlags(c, now), complainantCell(c, e.revealFor(c)), cut(flat(e.shown(c).Text), 24)})
			}
			return printTable(cmd.OutOrStdout(),
				[]string{"编号", "状态", "类型", "承办单位", "签收期限", "办结期限", "下一期限", "超期/督办", "来电人", "摘要"}, rows)
		}),
	}
	o.bindView(cmd)
	o.bindActor(cmd)
	f := cmd.Flags()
	f.StringVar(&dept, "department", "", "only this handling department (code or name)")
	f.StringVar(&status, "status", "", "only this status: received dispatched accepted extension_requested returned replied closed reopened duplicate (or 已派单 …)")
	f.StringVar(&dueBefore, "due-before", "", "only open cases whose next deadline (签收 or 办结) is before this time: RFC3339 or YYYY-MM-DD")
	f.BoolVar(&overdue, "overdue", false, "only open cases past their deadline now")
	f.IntVar(&limit, "limit", 100, "at most this many cases")
	return cmd
}

// nextDeadlineCell is "签收 2026-11-26 18:00" or "办结 …": the deadline the case waits for; "" when none.
func nextDeadlineCell(c *routing.Case) string {
	at, kind := c.NextDeadline()
	if at.IsZero() {
		return ""
	}
	return kind.Label() + " " + clock(at)
}

// parseStatus accepts a status name or its Chinese label.
func parseStatus(s string) (routing.Status, error) {
	s = strings.TrimSpace(s)
	for _, st := range routing.Statuses {
		if strings.EqualFold(s, string(st)) || s == routing.StatusLabel(st) {
			return st, nil
		}
	}
	names := make([]string, len(routing.Statuses))
	for i, st := range routing.Statuses {
		names[i] = string(st)
	}
	return "", fmt.Errorf("--status %q 不是案件状态（应为 %s）", s, strings.Join(names, "、"))
}

// parseDueBefore reads RFC3339, a local time without offset, or a date (its start, Asia/Shanghai).
func parseDueBefore(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation("2006-01-02", s, routing.Shanghai); err == nil {
		return t, nil
	}
	t, err := deadlineFrom(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--due-before %q 应为 RFC3339 时间或 YYYY-MM-DD 日期", s)
	}
	return t, nil
}
