package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"chengnuo/routing"
)

func newReportCmd(g *globals) *cobra.Command {
	var (
		from, to, format, out, now string
		asJSON, weekly             bool
	)
	cmd := &cobra.Command{
		Use:   "report (--from DATE --to DATE | --weekly) [--format html|csv|md|json] [--out FILE] [--json]",
		Short: "督查统计报告：各单位按时签收、答复、超期、满意率，各事项投诉与咨询",
		Long: `report counts the cases received from --from to --to (Asia/Shanghai dates, both included) per
department, per list item, per channel and per street. --weekly reports the past Monday–Sunday
week before today (or before --now) as the 通报. --json is --format json (the DESIGN.md contract).
The HTML report is one self-contained page with inline SVG charts.`,
		Example: `  chengnuo report --from 2026-11-01 --to 2026-11-30 --out report.html
  chengnuo report --weekly --format md
  chengnuo report --json --from 2026-11-01 --to 2026-11-30`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON {
				if cmd.Flags().Changed("format") && format != "json" {
					return fmt.Errorf("--json 与 --format %s 冲突", format)
				}
				format = "json"
			}
			switch format {
			case "html", "csv", "md", "json":
			default:
				return fmt.Errorf("--format %q 应为 html、csv、md 或 json", format)
			}
			at := time.Now()
			if strings.TrimSpace(now) != "" {
				t, err := parseDueBefore(now)
				if err != nil {
					return fmt.Errorf("--now %q 应为 RFC3339 时间或 YYYY-MM-DD 日期", now)
				}
				at = t
			}
			var start, end time.Time
			title := ""
			if weekly {
				if from != "" || to != "" {
					return fmt.Errorf("--weekly 不能与 --from/--to 同用")
				}
				start, end = lastWeek(at)
				title = fmt.Sprintf("证明事项告知承诺制投诉办理情况通报（%s 至 %s）",
					start.Format("2006-01-02"), end.Format("2006-01-02"))
			} else {
				if from == "" || to == "" {
					return fmt.Errorf("需要 --from 和 --to（YYYY-MM-DD），或 --weekly")
				}
				var err error
				if start, err = parseReportDate("--from", from); err != nil {
					return err
				}
				if end, err = parseReportDate("--to", to); err != nil {
					return err
				}
				if end.Before(start) {
					return fmt.Errorf("--to %s 早于 --from %s", to, from)
				}
			}
			dir := routing.BuiltinDirectory()
			cfg, err := g.deployment(dir)
			if err != nil {
				return err
			}
			cal, err := cfg.LoadCalendar()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := g.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			lo, hi := routing.ReportRange(start, end)
			cs, evs, err := db.ReportData(ctx, lo, hi)
			if err != nil {
				return err
			}
			certificate := func(string) string { return "" }
			if list, err := db.ActiveList(ctx); err == nil && list != nil {
				certificate = func(id string) string {
					if it, ok := list.Get(id); ok {
						return it.Certificate
					}
					return ""
				}
			}
			r := routing.BuildReport(cs, evs, routing.ReportOptions{From: start, To: end, Now: at,
				Calendar: cal, Directory: dir, Certificate: certificate, Title: title})
			var buf bytes.Buffer
			switch format {
			case "json":
				err = writeJSON(&buf, r)
			case "csv":
				err = routing.RenderCSV(&buf, r)
			case "md":
				err = routing.RenderMarkdown(&buf, r)
			default:
				err = routing.RenderHTML(&buf, r)
			}
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "已写入 %s（%s 至 %s，%d 件）\n", out, r.From, r.To, r.Total)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "first date received, YYYY-MM-DD (Asia/Shanghai)")
	f.StringVar(&to, "to", "", "last date received, YYYY-MM-DD (Asia/Shanghai), included")
	f.StringVar(&format, "format", "html", "html, csv, md or json")
	f.StringVar(&out, "out", "", "write to this file instead of stdout")
	f.BoolVar(&asJSON, "json", false, "same as --format json")
	f.BoolVar(&weekly, "weekly", false, "the past Monday–Sunday week (通报)")
	f.StringVar(&now, "now", "", "judge 'overdue now' and the week at this time (RFC3339 or YYYY-MM-DD); default now")
	return cmd
}

func parseReportDate(flag, s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), routing.Shanghai)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q 应为 YYYY-MM-DD 日期", flag, s)
	}
	return t, nil
}

// lastWeek returns the Monday and Sunday (midnights, Asia/Shanghai) of the week before at's week.
func lastWeek(at time.Time) (monday, sunday time.Time) {
	l := at.In(routing.Shanghai)
	today := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, routing.Shanghai)
	back := (int(today.Weekday()) + 6) % 7 // days since this week's Monday
	monday = today.AddDate(0, 0, -back-7)
	return monday, monday.AddDate(0, 0, 6)
}
