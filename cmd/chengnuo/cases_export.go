package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/spf13/cobra"
	"github.com/xuri/excelize/v2"

	"chengnuo/routing"
)

// exportHeader is the header row of `cases export`, in column order.
var exportHeader = []string{"案件编号", "渠道", "外部编号", "类型", "状态", "承办单位", "街道", "相关事项",
	"受理时间", "签收期限", "办结期限", "签收时间", "答复时间", "办结时间", "是否超期", "是否督办", "满意度",
	"来电人", "联系电话", "反映内容", "答复内容", "办理轮次", "首轮按时签收", "首轮按时答复", "历次办理"}

// exportWidths are the XLSX column widths (characters), one per exportHeader column.
var exportWidths = []float64{18, 12, 20, 7, 10, 32, 16, 36, 17, 17, 17, 17, 17, 17, 9, 9, 9, 10, 15, 60, 60, 9, 12, 12, 80}

// exportSheet is the one sheet of the XLSX export.
const exportSheet = "案件"

var channelLabels = map[routing.Channel]string{
	routing.ChannelHotline: "12345热线", routing.ChannelPortal: "政务服务网留言",
	routing.ChannelTelegram: "Telegram", routing.ChannelCLI: "人工登记",
}

func channelLabel(ch routing.Channel) string {
	if l, ok := channelLabels[ch]; ok {
		return l
	}
	return string(ch)
}

func newCasesExportCmd(g *globals) *cobra.Command {
	o := &caseOpts{}
	var from, to, format, out string
	cmd := &cobra.Command{
		Use:   "export --from DATE --to DATE --format csv|xlsx [--out FILE] [--reveal]",
		Short: "导出案件为 CSV 或 Excel（按受理日期，来电人与电话默认脱敏）",
		Long: `export writes every case received from --from to --to (dates in Asia/Shanghai, both days
included), oldest first, as a spreadsheet: CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX
(one sheet 案件, bold frozen header). Names and phone numbers are masked (张*, 138****1234)
unless --reveal, as are the phones, ID-card numbers and the name typed into the text and reply. Without --out the file is cases_<from>_<to>.<format> in the working directory;
--out - writes CSV to standard output.`,
		Example: `  chengnuo cases export --from 2026-11-01 --to 2026-11-30 --format xlsx
  chengnuo cases export --from 2026-11-24 --to 2026-11-30 --format csv --out - > week.csv`,
		Args: cobra.NoArgs,
		RunE: caseRun(g, o, func(ctx context.Context, e *caseEnv, cmd *cobra.Command, _ []string) error {
			start, end, err := exportRange(from, to)
			if err != nil {
				return err
			}
			format = strings.ToLower(strings.TrimSpace(format))
			if format != "csv" && format != "xlsx" {
				return fmt.Errorf("--format %q 应为 csv 或 xlsx", format)
			}
			out = strings.TrimSpace(out)
			if out == "" {
				out = fmt.Sprintf("cases_%s_%s.%s", start.Format("2006-01-02"), end.AddDate(0, 0, -1).Format("2006-01-02"), format)
			}
			if out == "-" && format != "csv" {
				return errors.New("--out - 只能用于 csv 格式，xlsx 请指定文件名")
			}
			each := func(fn func([]string) error) error {
				now := e.now()
				return e.db.CasesReceived(ctx, start, end, func(c *routing.Case) error {
					return fn(e.exportRow(ctx, c, now))
				})
			}
			if out == "-" {
				_, err := writeCasesCSV(cmd.OutOrStdout(), each)
				return err
			}
			n, err := writeExportFile(out, format, each)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "已导出 %d 件案件到 %s\n", n, out)
			return err
		}),
	}
	o.bindView(cmd)
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "first day received, YYYY-MM-DD (Asia/Shanghai)")
	f.StringVar(&to, "to", "", "last day received, YYYY-MM-DD (Asia/Shanghai), included")
	f.StringVar(&format, "format", "csv", "csv or xlsx")
	f.StringVar(&out, "out", "", "output file (default cases_<from>_<to>.<format>); - for standard output (csv only)")
	return cmd
}

// exportRange reads --from and --to as Asia/Shanghai dates: [start of from, start of the day after to).
func exportRange(from, to string) (time.Time, time.Time, error) {
	day := func(flag, s string) (time.Time, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return time.Time{}, fmt.Errorf("缺少 %s 日期（YYYY-MM-DD）", flag)
		}
		t, err := time.ParseInLocation("2006-01-02", s, routing.Shanghai)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s %q 应为 YYYY-MM-DD 日期", flag, s)
		}
		return t, nil
	}
	start, err := day("--from", from)
	if err != nil {
		return start, start, err
	}
	last, err := day("--to", to)
	if err != nil {
		return start, start, err
	}
	if last.Before(start) {
		return start, start, fmt.Errorf("--to %s 早于 --from %s", last.Format("2006-01-02"), start.Format("2006-01-02"))
	}
	return start, last.AddDate(0, 0, 1), nil
}

// exportRow is c's row under exportHeader at time now.
func (e *caseEnv) exportRow(ctx context.Context, c *routing.Case, now time.Time) []string {
	s := e.shown(c)
	items := make([]string, len(c.Items))
	for i, id := range c.Items {
		items[i] = e.itemName(ctx, id)
	}
	street := ""
	if c.Street != "" {
		street = e.dir.Name(c.Street)
	}
	return []string{c.ID, channelLabel(c.Channel), c.ExternalRef, string(c.Type), routing.StatusLabel(c.Status),
		e.dir.Name(c.Department), street, strings.Join(items, "；"),
		clock(c.ReceivedAt), clock(c.AcceptBy), clock(c.Deadline()), clock(c.AcceptedAt), clock(c.RepliedAt), clock(c.ClosedAt),
		yesNo(isOverdue(c, now)), yesNo(!c.EscalatedAt.IsZero()), string(c.Satisfaction),
		s.Complainant.Name, s.Complainant.Phone, s.Text, s.Reply,
		fmt.Sprint(len(c.Rounds) + 1), firstRoundCell(c, true), firstRoundCell(c, false), e.roundsCell(s)}
}

// firstRoundCell says whether the first round (before any reopen) was accepted (accept) or
// answered on time: 是, 否 (late), or "" while that step is not done.
func firstRoundCell(c *routing.Case, accept bool) string {
	r := c.FirstRound()
	if accept {
		if r.AcceptedAt.IsZero() {
			return ""
		}
		return yesNo(r.AcceptedOnTime())
	}
	if r.RepliedAt.IsZero() {
		return ""
	}
	return yesNo(r.AnsweredOnTime())
}

// roundsCell lists the rounds a reopen ended, one line each with its reply; "" when none.
// The current round is the row's own columns.
func (e *caseEnv) roundsCell(shown *routing.Case) string {
	lines := make([]string, 0, len(shown.Rounds))
	for _, r := range shown.Rounds {
		lines = append(lines, e.roundSummary(r, true))
	}
	return strings.Join(lines, "\n")
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// writeExportFile writes the export to path, removing a partial file on failure; it returns the row count.
func writeExportFile(path, format string, each func(func([]string) error) error) (n int, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("无法创建导出文件：%w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("写入导出文件 %s 失败：%w", path, cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	if format == "xlsx" {
		return writeCasesXLSX(f, each)
	}
	return writeCasesCSV(f, each)
}

// writeCasesCSV writes a BOM, the header and every row. Cells a spreadsheet would take for a
// formula (=, +, -, @ first) get a leading apostrophe, so residents' text is never run.
func writeCasesCSV(w io.Writer, each func(func([]string) error) error) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(exportHeader); err != nil {
		return 0, err
	}
	n := 0
	err := each(func(row []string) error {
		for i, s := range row {
			if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
				row[i] = "'" + s
			}
		}
		n++
		return cw.Write(row)
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// writeCasesXLSX writes one sheet 案件 with excelize's StreamWriter, which keeps rows on disk
// rather than in memory, so large exports stay small in memory.
func writeCasesXLSX(w io.Writer, each func(func([]string) error) error) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), exportSheet); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(exportSheet)
	if err != nil {
		return 0, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return 0, err
	}
	for i, wd := range exportWidths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return 0, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return 0, err
	}
	head := make([]any, len(exportHeader))
	for i, h := range exportHeader {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{StyleID: bold}); err != nil {
		return 0, err
	}
	n := 0
	vals := make([]any, len(exportHeader))
	err = each(func(row []string) error {
		for i, s := range row {
			vals[i] = cellText(s)
		}
		n++
		cell, err := excelize.CoordinatesToCellName(1, n+1)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, vals)
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	_, err = f.WriteTo(w)
	return n, err
}

// cellText cuts s to what one Excel cell holds (32,767 UTF-16 units).
func cellText(s string) string {
	if len(s) <= excelize.TotalCellChars {
		return s
	}
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > excelize.TotalCellChars-1 {
			return s[:i] + "…"
		}
	}
	return s
}
