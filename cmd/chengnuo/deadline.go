package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chengnuo/routing"
)

// deadlineOutput is the JSON contract of `chengnuo deadline --json` (DESIGN.md).
type deadlineOutput struct {
	Type            string `json:"type"`
	From            string `json:"from"`
	AcceptBy        string `json:"accept_by"`
	ResolveBy       string `json:"resolve_by"`
	CalendarCovered bool   `json:"calendar_covered"`
}

func newDeadlineCmd(g *globals) *cobra.Command {
	var (
		asJSON    bool
		typ, from string
	)
	cmd := &cobra.Command{
		Use:   "deadline --type TYPE [--from TIME] [--json] [--config FILE]",
		Short: "计算案件的签收期限和办结期限（按工作日）",
		Long: `deadline computes when a case must be accepted (签收) and resolved (办结) under the
working-day rules: the day of receipt is not counted, the deadline is the close of business
(18:00 Asia/Shanghai) of the N-th working day after it, weekends and statutory holidays are off and
调休 make-up days are on. --config reads the [sla] and [calendar] sections of a deployment config.`,
		Example: `  chengnuo deadline --type 投诉 --from 2026-02-13T10:00:00+08:00
  chengnuo deadline --json --type 咨询 --from 2026-09-30T15:00:00+08:00`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := deadlineType(typ)
			if err != nil {
				return err
			}
			at := time.Now()
			if cmd.Flags().Changed("from") {
				if at, err = deadlineFrom(from); err != nil {
					return err
				}
			}
			cfg, err := g.deployment(routing.BuiltinDirectory())
			if err != nil {
				return err
			}
			sla, err := deploymentSLA(cfg)
			if err != nil {
				return err
			}
			d := sla.Deadlines(t, at)
			out := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(out, deadlineOutput{
					Type:            string(t),
					From:            at.In(routing.Shanghai).Format(time.RFC3339),
					AcceptBy:        d.AcceptBy.Format(time.RFC3339),
					ResolveBy:       d.ResolveBy.Format(time.RFC3339),
					CalendarCovered: d.Covered,
				})
			}
			return printDeadline(out, sla, t, at, d)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	cmd.Flags().StringVar(&typ, "type", "", "case type: 咨询 求助 投诉 举报 建议")
	cmd.Flags().StringVar(&from, "from", "", "time of receipt, RFC3339 (e.g. 2026-02-13T10:00:00+08:00); default now")
	return cmd
}

func printDeadline(w io.Writer, sla routing.SLA, t routing.CaseType, at time.Time, d routing.Deadlines) error {
	cal := sla.Calendar
	reminder := sla.ReminderAt(at, d.ResolveBy)
	ext, _ := sla.MaxExtensionBy(d.ResolveBy)
	rows := [][]string{
		{"案件类型", string(t)},
		{"受理时间", deadlineDay(cal, at)},
		{"签收期限", fmt.Sprintf("%s（%d 个工作日）", deadlineDay(cal, d.AcceptBy), sla.AcceptDays)},
		{"办结期限", fmt.Sprintf("%s（%d 个工作日）", deadlineDay(cal, d.ResolveBy), sla.ResolveDaysFor(t))},
		{"办结催办", deadlineDay(cal, reminder)},
		{"最长延期至", fmt.Sprintf("%s（延期至多 %d 个工作日）", deadlineDay(cal, ext), sla.MaxExtensionDays)},
	}
	if err := printTable(w, []string{"项目", "时间"}, rows); err != nil {
		return err
	}
	if !d.Covered {
		_, err := fmt.Fprintf(w, "注意：节假日表未收录 %d 年，期限仅按周末计算；请在 [calendar] override_file 中补充国务院通知。\n",
			d.ResolveBy.Year())
		return err
	}
	return nil
}

var deadlineWeekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// deadlineDay writes "2026-02-14 18:00 周六（调休上班）" in Asia/Shanghai.
func deadlineDay(cal *routing.Calendar, t time.Time) string {
	t = t.In(routing.Shanghai)
	s := t.Format("2006-01-02 15:04") + " " + deadlineWeekdays[t.Weekday()]
	working := cal.IsWorkingDay(t)
	weekend := t.Weekday() == time.Saturday || t.Weekday() == time.Sunday
	switch {
	case weekend && working:
		s += "（调休上班）"
	case !weekend && !working:
		s += "（节假日）"
	}
	return s
}

// deadlineTypeNames accepts the glossary's English names beside the Chinese values.
var deadlineTypeNames = map[string]routing.CaseType{
	"consultation": routing.TypeConsultation,
	"help":         routing.TypeHelp,
	"complaint":    routing.TypeComplaint,
	"report":       routing.TypeReport,
	"suggestion":   routing.TypeSuggestion,
}

func deadlineType(s string) (routing.CaseType, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("缺少 --type（咨询、求助、投诉、举报 或 建议）")
	}
	if t := routing.CaseType(s); t.Valid() {
		return t, nil
	}
	if t, ok := deadlineTypeNames[strings.ToLower(s)]; ok {
		return t, nil
	}
	return "", fmt.Errorf("--type %q 不是案件类型（应为 咨询、求助、投诉、举报 或 建议）", s)
}

// deadlineFrom reads RFC3339; a time without an offset is taken as Asia/Shanghai local time.
func deadlineFrom(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, routing.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--from %q 不是 RFC3339 时间（例如 2026-02-13T10:00:00+08:00）", s)
}
