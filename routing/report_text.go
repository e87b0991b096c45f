package routing

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// RenderCSV writes r as CSV sections (部门, 事项, 渠道, 街道), each with a header row and separated by
// an empty line, with a UTF-8 BOM so spreadsheet programs read the Chinese right.
func RenderCSV(w io.Writer, r *Report) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	rows := [][]string{{"统计范围", r.From, r.To}}
	if r.Total == 0 {
		rows = append(rows, []string{EmptyReportNote})
	}
	rows = append(rows, []string{}, []string{"单位代码", "承办单位", "受理", "首轮按时签收", "首轮按时答复", "当前超期",
		"退回", "延期", "重办", "督办", "不满意", "答复用时中位数(工作日)", "满意率"})
	for _, d := range r.Departments {
		rows = append(rows, []string{d.Code, d.Name, itoa(d.Received), itoa(d.AcceptedOnTime), itoa(d.AnsweredOnTime),
			itoa(d.Overdue), itoa(d.Returned), itoa(d.Extended), itoa(d.Reopened), itoa(d.Escalated), itoa(d.Unsatisfied),
			csvFloat(d.MedianWorkingDays), csvFloat(d.Satisfaction)})
	}
	rows = append(rows, []string{}, []string{"事项（" + ItemBasisNote + "）", "证明材料", "投诉/举报", "咨询"})
	for _, it := range r.Items {
		rows = append(rows, []string{it.ID, it.Certificate, itoa(it.Complaints), itoa(it.Consultations)})
	}
	rows = append(rows, []string{}, []string{"渠道", "案件数"})
	for _, c := range r.Channels {
		rows = append(rows, []string{c.Label, itoa(c.Count)})
	}
	rows = append(rows, []string{}, []string{"街道", "案件数"})
	for _, c := range r.Streets {
		rows = append(rows, []string{c.Label, itoa(c.Count)})
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// RenderMarkdown writes r as a Markdown document (for chat groups and mail).
func RenderMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "# %s\n\n统计范围：%s 至 %s（按受理日期，含首尾两日）\n\n", reportTitle(r), r.From, r.To)
	if r.Total == 0 {
		b.WriteString(EmptyReportNote + "\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "受理 %d 件，首轮按时签收 %d 件，首轮按时答复 %d 件，当前超期 %d 件，退回 %d 件，延期 %d 件，重办 %d 件，"+
		"督办 %d 件，不满意 %d 次；答复用时中位数 %s 个工作日，满意率 %s。\n\n", r.Total, s.AcceptedOnTime, s.AnsweredOnTime,
		s.Overdue, s.Returned, s.Extended, s.Reopened, s.Escalated, s.Unsatisfied, fmtFloat(s.MedianWorkingDays, 1),
		fmtPct(s.Satisfaction))
	b.WriteString("## 各单位\n\n| 承办单位 | 受理 | 首轮按时签收 | 首轮按时答复 | 当前超期 | 退回 | 延期 | 重办 | 督办 | 不满意 | 用时中位数(工作日) | 满意率 |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, d := range r.Departments {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s | %s |\n", mdCell(d.Name), d.Received,
			d.AcceptedOnTime, d.AnsweredOnTime, d.Overdue, d.Returned, d.Extended, d.Reopened, d.Escalated,
			d.Unsatisfied, fmtFloat(d.MedianWorkingDays, 1), fmtPct(d.Satisfaction))
	}
	b.WriteString("\n## 证明事项\n\n" + ItemBasisNote + "。\n\n| 事项 | 证明材料 | 投诉/举报 | 咨询 |\n|---|---|---:|---:|\n")
	for _, it := range r.Items {
		fmt.Fprintf(&b, "| %s | %s | %d | %d |\n", mdCell(it.ID), mdCell(it.Certificate), it.Complaints, it.Consultations)
	}
	b.WriteString("\n## 受理渠道\n\n| 渠道 | 案件数 |\n|---|---:|\n")
	for _, c := range r.Channels {
		fmt.Fprintf(&b, "| %s | %d |\n", mdCell(c.Label), c.Count)
	}
	b.WriteString("\n## 所在街道\n\n| 街道 | 案件数 |\n|---|---:|\n")
	for _, c := range r.Streets {
		fmt.Fprintf(&b, "| %s | %d |\n", mdCell(c.Label), c.Count)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// EmptyReportNote is what a report over a range without cases says instead of empty tables.
const EmptyReportNote = "本期未受理案件，无统计数据。"

// ItemBasisNote says how cases are counted per item.
const ItemBasisNote = "每件案件只计入其首要事项（匹配度最高的第一个事项）"

func itoa(n int) string { return fmt.Sprint(n) }

func csvFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return fmt.Sprintf("%g", *f)
}

func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ").Replace(s)
}
