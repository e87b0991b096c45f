package routing

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
)

// RenderHTML writes r as one self-contained HTML page in Chinese: inline CSS and inline SVG
// bar charts, no script, no external resource, readable on a phone (viewport meta, tables
// that scroll sideways, charts that scale to the screen width).
func RenderHTML(w io.Writer, r *Report) error {
	return reportTmpl.Execute(w, htmlView(r))
}

type bar struct {
	Label  string
	Value  float64
	Text   string
	Second float64 // a second, overlaid value (e.g. on time of received); <0 none
}

type reportView struct {
	R          *Report
	Title      string
	Headline   []kv
	DeptChart  template.HTML
	RateChart  template.HTML
	ItemChart  template.HTML
	ChanChart  template.HTML
	StreetChrt template.HTML
	Depts      []DeptReport
	Items      []ItemReport
	Generated  string
	Empty      string
	ItemBasis  string
}

type kv struct{ K, V string }

func reportTitle(r *Report) string {
	if r.Title != "" {
		return r.Title
	}
	return fmt.Sprintf("证明事项告知承诺制投诉办理情况统计（%s 至 %s）", r.From, r.To)
}

func htmlView(r *Report) reportView {
	s := r.Summary
	v := reportView{R: r, Title: reportTitle(r), Depts: r.Departments, Items: r.Items, Empty: EmptyReportNote,
		ItemBasis: ItemBasisNote}
	if !r.Now.IsZero() {
		v.Generated = r.Now.In(Shanghai).Format("2006-01-02 15:04")
	}
	v.Headline = []kv{{"受理总量", fmt.Sprint(r.Total)}, {"首轮按时签收", fmt.Sprint(s.AcceptedOnTime)},
		{"首轮按时答复", fmt.Sprint(s.AnsweredOnTime)}, {"当前超期", fmt.Sprint(s.Overdue)},
		{"退回", fmt.Sprint(s.Returned)}, {"延期", fmt.Sprint(s.Extended)}, {"重办", fmt.Sprint(s.Reopened)},
		{"督办", fmt.Sprint(s.Escalated)}, {"不满意", fmt.Sprint(s.Unsatisfied)},
		{"答复用时中位数（工作日）", fmtFloat(s.MedianWorkingDays, 1)}, {"满意率", fmtPct(s.Satisfaction)}}
	var db, rb []bar
	for _, d := range r.Departments {
		db = append(db, bar{Label: d.Name, Value: float64(d.Received), Second: float64(d.AnsweredOnTime),
			Text: fmt.Sprintf("%d / %d", d.AnsweredOnTime, d.Received)})
		if d.Received > 0 {
			p := float64(d.AnsweredOnTime) / float64(d.Received)
			rb = append(rb, bar{Label: d.Name, Value: p * 100, Text: fmt.Sprintf("%.0f%%", p*100), Second: -1})
		}
	}
	v.DeptChart = svgBars(db, 0)
	v.RateChart = svgBars(rb, 100)
	var ib []bar
	for i, it := range r.Items {
		if i == 15 || it.Complaints == 0 {
			break
		}
		l := it.Certificate
		if l == "" {
			l = it.ID
		}
		ib = append(ib, bar{Label: l, Value: float64(it.Complaints), Text: fmt.Sprint(it.Complaints), Second: -1})
	}
	v.ItemChart = svgBars(ib, 0)
	v.ChanChart = svgBars(countBars(r.Channels), 0)
	v.StreetChrt = svgBars(countBars(r.Streets), 0)
	return v
}

func countBars(rows []CountRow) []bar {
	out := make([]bar, 0, len(rows))
	for _, c := range rows {
		out = append(out, bar{Label: c.Label, Value: float64(c.Count), Text: fmt.Sprint(c.Count), Second: -1})
	}
	return out
}

// svgBars draws horizontal bars, one row per bar, scaled to the largest value (or to max when > 0).
// Bars with Second >= 0 draw Second as a darker overlay. The SVG scales with its container.
func svgBars(bars []bar, max float64) template.HTML {
	if len(bars) == 0 {
		return template.HTML(`<p class="none">（无数据）</p>`)
	}
	if max <= 0 {
		for _, b := range bars {
			if b.Value > max {
				max = b.Value
			}
		}
		if max <= 0 {
			max = 1
		}
	}
	const width, labelW, rowH, textW = 600.0, 190.0, 26.0, 80.0
	barW := width - labelW - textW
	h := rowH*float64(len(bars)) + 4
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg viewBox="0 0 %.0f %.0f" width="100%%" role="img">`, width, h)
	for i, b := range bars {
		y := float64(i)*rowH + 2
		label := []rune(b.Label)
		if len(label) > 13 {
			label = append(label[:12], '…')
		}
		fmt.Fprintf(&sb, `<text x="%.0f" y="%.1f" text-anchor="end" class="l">%s</text>`, labelW-6, y+17, html.EscapeString(string(label)))
		fmt.Fprintf(&sb, `<rect x="%.0f" y="%.1f" width="%.1f" height="18" class="b"><title>%s：%s</title></rect>`,
			labelW, y+3, barW*b.Value/max, html.EscapeString(b.Label), html.EscapeString(b.Text))
		if b.Second >= 0 {
			fmt.Fprintf(&sb, `<rect x="%.0f" y="%.1f" width="%.1f" height="18" class="s"/>`, labelW, y+3, barW*b.Second/max)
		}
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" class="v">%s</text>`, labelW+barW*b.Value/max+4, y+17, html.EscapeString(b.Text))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func fmtFloat(f *float64, prec int) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.*f", prec, *f)
}

func fmtPct(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *f*100)
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"num": func(f *float64) string { return fmtFloat(f, 1) },
	"pct": fmtPct,
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:960px;padding:12px;color:#222;line-height:1.5}
h1{font-size:1.35em;text-align:center;color:#b00}
h2{font-size:1.1em;border-left:4px solid #b00;padding-left:8px;margin-top:1.6em}
.meta{text-align:center;color:#666;font-size:.9em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:8px}
.card{background:#f7f3f0;border-radius:6px;padding:8px;text-align:center}
.card b{display:block;font-size:1.4em;color:#b00}
.card span{font-size:.85em;color:#555}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9em;white-space:nowrap}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:right}
th{background:#f0e8e4}
td:first-child,th:first-child{text-align:left}
svg{max-width:100%;height:auto;font-size:13px}
svg .l{fill:#333}svg .v{fill:#333}svg .b{fill:#e8a39a}svg .s{fill:#b00}
.none{color:#888}
.empty{text-align:center;font-size:1.1em;color:#b00}
.note{font-size:.8em;color:#666}
@media (max-width:600px){body{padding:6px}h1{font-size:1.15em}table{font-size:.8em}}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">统计范围：{{.R.From}} 至 {{.R.To}}（按受理日期，北京时间，含首尾两日）{{if .Generated}}；生成时间：{{.Generated}}{{end}}</p>
{{if eq .R.Total 0}}<p class="empty">{{.Empty}}</p>{{end}}
<div class="cards">{{range .Headline}}<div class="card"><b>{{.V}}</b><span>{{.K}}</span></div>{{end}}</div>

<h2>一、各单位受理与按时答复</h2>
<p class="note">浅色为受理量，深色为按时答复量。</p>
{{.DeptChart}}
<h2>二、各单位按时答复率</h2>
{{.RateChart}}
<div class="scroll"><table>
<tr><th>承办单位</th><th>受理</th><th>首轮按时签收</th><th>首轮按时答复</th><th>当前超期</th><th>退回</th><th>延期</th><th>重办</th><th>督办</th><th>不满意</th><th>答复用时中位数(工作日)</th><th>满意率</th></tr>
{{range .Depts}}<tr><td>{{.Name}}</td><td>{{.Received}}</td><td>{{.AcceptedOnTime}}</td><td>{{.AnsweredOnTime}}</td><td>{{.Overdue}}</td><td>{{.Returned}}</td><td>{{.Extended}}</td><td>{{.Reopened}}</td><td>{{.Escalated}}</td><td>{{.Unsatisfied}}</td><td>{{num .MedianWorkingDays}}</td><td>{{pct .Satisfaction}}</td></tr>
{{else}}<tr><td colspan="12">本期无案件</td></tr>{{end}}</table></div>

<h2>三、证明事项被投诉情况（前 15 项）</h2>
<p class="note">投诉次数多的事项，提示清单或执行需要检视。{{.ItemBasis}}。</p>
{{.ItemChart}}
<div class="scroll"><table>
<tr><th>事项</th><th>证明材料</th><th>投诉/举报</th><th>咨询</th></tr>
{{range .Items}}<tr><td>{{.ID}}</td><td>{{.Certificate}}</td><td>{{.Complaints}}</td><td>{{.Consultations}}</td></tr>
{{else}}<tr><td colspan="4">本期无涉及事项的案件</td></tr>{{end}}</table></div>

<h2>四、受理渠道</h2>
{{.ChanChart}}
<h2>五、所在街道</h2>
{{.StreetChrt}}

<p class="note">口径：按时签收、按时答复均按首轮办理（重办之前）计：按时签收指签收时间不晚于签收期限；按时答复指答复时间不晚于办结期限（含批准的延期）；重办、督办为至少一次的案件数；不满意为各轮评价中“不满意”的次数；当前超期指统计时仍未答复且已过期限；答复用时为派单日之后至答复日（含）的工作日数，不计半日；满意率为“满意”与“基本满意”占各轮评价的比例。</p>
</body>
</html>
`))
