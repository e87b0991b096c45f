package routing_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"chengnuo/routing"
)

func rsh(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, routing.Shanghai)
}

// reportFixture is a week around the 2026 National Day holiday with known answers (see TestBuildReport).
func reportFixture() ([]*routing.Case, []routing.Event) {
	cs := []*routing.Case{
		{ID: "A", Department: "rsj", Type: routing.TypeComplaint, Items: []string{"BQ-001", "BQ-001"},
			Channel: routing.ChannelHotline, Street: "jd-fangzhicheng", Status: routing.StatusClosed,
			ReceivedAt: rsh(2026, 9, 30, 9, 0), DispatchedAt: rsh(2026, 9, 30, 9, 0),
			AcceptBy: rsh(2026, 10, 8, 18, 0), AcceptedAt: rsh(2026, 9, 30, 10, 0),
			ResolveBy: rsh(2026, 10, 14, 18, 0), RepliedAt: rsh(2026, 10, 9, 15, 0), Satisfaction: routing.Satisfied},
		{ID: "B", Department: "rsj", Type: routing.TypeConsultation, Items: []string{"BQ-001"},
			Channel: routing.ChannelPortal, Street: "jd-fangzhicheng", Status: routing.StatusReplied,
			ReceivedAt: rsh(2026, 10, 8, 9, 0), DispatchedAt: rsh(2026, 10, 8, 9, 0),
			AcceptBy: rsh(2026, 10, 9, 18, 0), AcceptedAt: rsh(2026, 10, 9, 18, 30), // late
			ResolveBy: rsh(2026, 10, 13, 18, 0), RepliedAt: rsh(2026, 10, 9, 18, 45), Satisfaction: routing.Unsatisfied},
		{ID: "C", Department: "rsj", Type: routing.TypeComplaint, Items: []string{"BQ-002", "BQ-001"}, // primary BQ-002 only
			Channel: routing.ChannelHotline, Street: "jd-shilipu", Status: routing.StatusAccepted,
			ReceivedAt: rsh(2026, 9, 29, 10, 0), DispatchedAt: rsh(2026, 9, 29, 10, 0),
			AcceptBy: rsh(2026, 9, 30, 18, 0), AcceptedAt: rsh(2026, 9, 30, 17, 0),
			ResolveBy: rsh(2026, 10, 9, 18, 0), ExtendedTo: rsh(2026, 10, 16, 18, 0)}, // extended: not overdue
		{ID: "D", Department: "gafj", Type: routing.TypeReport, Items: []string{"BQ-002"},
			Channel: routing.ChannelTelegram, Status: routing.StatusDispatched,
			ReceivedAt: rsh(2026, 10, 1, 11, 0), DispatchedAt: rsh(2026, 10, 1, 11, 0),
			AcceptBy: rsh(2026, 10, 8, 18, 0), ResolveBy: rsh(2026, 10, 9, 18, 0)}, // overdue at now
		{ID: "E", Department: "xzspj", Type: routing.TypeComplaint, Channel: routing.ChannelHotline,
			Status: routing.StatusReturned, ReceivedAt: time.Date(2026, 10, 9, 23, 59, 59, 0, routing.Shanghai)},
		{ID: "G", Department: "rsj", Type: routing.TypeComplaint, Channel: routing.ChannelHotline,
			Street: "jd-shilipu", Status: routing.StatusReopened,
			ReceivedAt: rsh(2026, 9, 28, 9, 0), DispatchedAt: rsh(2026, 10, 9, 9, 0),
			ResolveBy: rsh(2026, 10, 16, 18, 0), ExtendedTo: time.Time{},
			// Its first round, ended by the reopen: on time both ways, answered in 1 working day, 不满意.
			Rounds: []routing.Round{{N: 1, Department: "rsj", DispatchedAt: rsh(2026, 9, 28, 9, 0),
				AcceptBy: rsh(2026, 9, 29, 18, 0), AcceptedAt: rsh(2026, 9, 28, 10, 0), ResolveBy: rsh(2026, 10, 9, 18, 0),
				RepliedAt: rsh(2026, 9, 29, 10, 0), Reply: "已答复", ClosedAt: rsh(2026, 9, 29, 11, 0),
				Satisfaction: routing.Unsatisfied, ReopenedAt: rsh(2026, 10, 9, 9, 0)}}},
		// Outside the range, either side.
		{ID: "X1", Department: "rsj", Type: routing.TypeComplaint, Channel: routing.ChannelHotline,
			Status: routing.StatusDispatched, ReceivedAt: rsh(2026, 10, 10, 0, 0), ResolveBy: rsh(2026, 10, 10, 18, 0)},
		{ID: "X2", Department: "rsj", Type: routing.TypeComplaint, Channel: routing.ChannelHotline,
			Status: routing.StatusDispatched, ReceivedAt: rsh(2026, 9, 27, 23, 59), ResolveBy: rsh(2026, 10, 10, 18, 0)},
	}
	dept := func(code string) routing.Actor { return routing.Actor{Role: routing.RoleDepartment, Department: code} }
	evs := []routing.Event{
		{CaseID: "E", Seq: 3, Action: routing.ActReturn, Actor: dept("gafj")},
		{CaseID: "G", Seq: 6, Action: routing.ActReopen, Actor: routing.Actor{Role: routing.RoleOperator}},
		{CaseID: "G", Seq: 8, Action: routing.ActGrantExtension, Actor: routing.Actor{Role: routing.RoleOperator}},
		{CaseID: "G", Seq: 9, Action: routing.ActGrantExtension, Actor: routing.Actor{Role: routing.RoleOperator}},
		{CaseID: "D", Seq: 4, Action: routing.ActEscalate, Actor: routing.System},
		{CaseID: "X1", Seq: 2, Action: routing.ActReturn, Actor: dept("rsj")},      // outside: ignored
		{CaseID: "X1", Seq: 3, Action: routing.ActEscalate, Actor: routing.System}, // outside: ignored
	}
	return cs, evs
}

func fixtureReport() *routing.Report {
	cs, evs := reportFixture()
	return routing.BuildReport(cs, evs, routing.ReportOptions{
		From: rsh(2026, 9, 28, 0, 0), To: rsh(2026, 10, 9, 0, 0), Now: rsh(2026, 10, 12, 10, 0),
		Certificate: func(id string) string { return map[string]string{"BQ-001": "无犯罪记录证明"}[id] },
	})
}

func TestWorkingDaysBetweenAcrossHoliday(t *testing.T) {
	cal := routing.BuiltinCalendar()
	for d := 1; d <= 7; d++ {
		if cal.IsWorkingDay(rsh(2026, 10, d, 12, 0)) {
			t.Fatalf("2026-10-%02d should be a National Day holiday", d)
		}
	}
	if !cal.IsWorkingDay(rsh(2026, 10, 8, 12, 0)) || !cal.IsWorkingDay(rsh(2026, 10, 9, 12, 0)) {
		t.Fatal("2026-10-08 and 10-09 should be working days")
	}
	for _, tc := range []struct {
		from, to time.Time
		want     int
	}{
		{rsh(2026, 9, 30, 17, 0), rsh(2026, 10, 9, 9, 0), 2},   // 10/8, 10/9
		{rsh(2026, 9, 30, 9, 0), rsh(2026, 9, 30, 17, 0), 0},   // same day
		{rsh(2026, 10, 8, 9, 0), rsh(2026, 10, 9, 18, 45), 1},  // next day
		{rsh(2026, 11, 6, 9, 0), rsh(2026, 11, 9, 9, 0), 1},    // Friday → Monday
		{rsh(2026, 11, 9, 9, 0), rsh(2026, 11, 6, 9, 0), 0},    // backwards
		{rsh(2026, 11, 2, 23, 30), rsh(2026, 11, 3, 0, 30), 1}, // an hour, but the next date
	} {
		if got := cal.WorkingDaysBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

func rfp(v float64) *float64 { return &v }

func TestBuildReport(t *testing.T) {
	r := fixtureReport()
	if r.From != "2026-09-28" || r.To != "2026-10-09" || r.Total != 6 {
		t.Fatalf("range %s..%s total %d, want 2026-09-28..2026-10-09, 6", r.From, r.To, r.Total)
	}
	want := []routing.DeptReport{
		// G counts by its first round: accepted and answered on time, rated 不满意, 1 working day.
		{Code: "rsj", Name: "西安市灞桥区人力资源和社会保障局", Received: 4, AcceptedOnTime: 3, AnsweredOnTime: 3,
			Overdue: 0, Returned: 0, Extended: 2, Reopened: 1, Unsatisfied: 2, MedianWorkingDays: rfp(1),
			Satisfaction: rfp(0.3333)},
		{Code: "gafj", Name: "西安市公安局灞桥分局", Received: 1, Overdue: 1, Returned: 1, Escalated: 1},
		{Code: "xzspj", Name: "西安市灞桥区行政审批服务局", Received: 1},
	}
	if !reflect.DeepEqual(r.Departments, want) {
		got, _ := json.Marshal(r.Departments)
		exp, _ := json.Marshal(want)
		t.Errorf("departments\n got %s\nwant %s", got, exp)
	}
	wantItems := []routing.ItemReport{{ID: "BQ-002", Complaints: 2}, {ID: "BQ-001", Certificate: "无犯罪记录证明", Complaints: 1, Consultations: 1}}
	if !reflect.DeepEqual(r.Items, wantItems) {
		t.Errorf("items %+v, want %+v", r.Items, wantItems)
	}
	if got := fmt.Sprint(r.Channels); got != "[{hotline 12345热线 4} {portal 政务服务网留言 1} {telegram Telegram机器人 1}]" {
		t.Errorf("channels %s", got)
	}
	if got := fmt.Sprint(r.Streets); got != "[{ 未识别 2} {jd-fangzhicheng 灞桥区纺织城街道办事处 2} {jd-shilipu 灞桥区十里铺街道办事处 2}]" {
		t.Errorf("streets %s", got)
	}
	s := r.Summary
	if s.Overdue != 1 || s.Returned != 1 || s.Extended != 2 || s.Escalated != 1 || s.Unsatisfied != 2 ||
		s.AcceptedOnTime != 3 || *s.MedianWorkingDays != 1 || *s.Satisfaction != 0.3333 {
		t.Errorf("summary %+v", s)
	}
}

func TestReportJSONKeys(t *testing.T) {
	b, err := json.Marshal(fixtureReport())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 4 || m["from"] == nil || m["to"] == nil || m["departments"] == nil || m["items"] == nil {
		t.Fatalf("top-level keys: %s", b)
	}
	var ds []map[string]any
	json.Unmarshal(m["departments"], &ds)
	keys := "accepted_on_time answered_on_time code escalated extended median_working_days name overdue received reopened returned satisfaction unsatisfied"
	for _, d := range ds {
		var ks []string
		for k := range d {
			ks = append(ks, k)
		}
		if got := strings.Join(rptSortStrings(ks), " "); got != keys {
			t.Errorf("department keys %s", got)
		}
	}
}

func rptSortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestRenderReport(t *testing.T) {
	r := fixtureReport()
	var h, c, m bytes.Buffer
	if err := routing.RenderHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	html := h.String()
	for _, want := range []string{`<meta name="viewport"`, "<svg", "人力资源和社会保障局", "无犯罪记录证明", "@media"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if err := routing.RenderCSV(&c, r); err != nil || !strings.Contains(c.String(), "西安市公安局灞桥分局") {
		t.Errorf("CSV: %v\n%s", err, c.String())
	}
	if err := routing.RenderMarkdown(&m, r); err != nil || !strings.Contains(m.String(), "| 西安市灞桥区人力资源和社会保障局 | 4 | 3 | 3 | 0 | 0 | 2 | 1 | 0 | 2 | 1.0 | 33.3% |") ||
		!strings.Contains(m.String(), "| 西安市公安局灞桥分局 | 1 | 0 | 0 | 1 | 1 | 0 | 0 | 1 | 0 |") ||
		!strings.Contains(m.String(), routing.ItemBasisNote) || strings.Contains(m.String(), routing.EmptyReportNote) {
		t.Errorf("markdown: %v\n%s", err, m.String())
	}
	for name, out := range map[string]string{"HTML": html, "CSV": c.String()} {
		if !strings.Contains(out, routing.ItemBasisNote) || !strings.Contains(out, "督办") || strings.Contains(out, routing.EmptyReportNote) {
			t.Errorf("%s does not say how items are counted, or lacks 督办, or calls itself empty", name)
		}
	}
}

// TestRenderEmptyReport: a range without cases says so, in every format, instead of ending
// on empty headings.
func TestRenderEmptyReport(t *testing.T) {
	r := routing.BuildReport(nil, nil, routing.ReportOptions{From: rsh(2026, 11, 16, 0, 0), To: rsh(2026, 11, 22, 0, 0),
		Now: rsh(2026, 11, 23, 9, 0), Title: "证明事项告知承诺制投诉办理情况通报（2026-11-16 至 2026-11-22）"})
	var h, c, m bytes.Buffer
	if err := routing.RenderHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	if err := routing.RenderCSV(&c, r); err != nil {
		t.Fatal(err)
	}
	if err := routing.RenderMarkdown(&m, r); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"HTML": h.String(), "CSV": c.String(), "markdown": m.String()} {
		if !strings.Contains(out, routing.EmptyReportNote) {
			t.Errorf("%s of an empty week does not say it is empty:\n%s", name, out)
		}
	}
	md := strings.TrimSpace(m.String())
	if strings.Contains(md, "##") || !strings.HasSuffix(md, routing.EmptyReportNote) {
		t.Errorf("empty markdown report has headings or ends elsewhere:\n%s", md)
	}
}

// BenchmarkReport100k: 100,000 cases in memory → BuildReport + RenderHTML.
func BenchmarkReport100k(b *testing.B) {
	dir := routing.BuiltinDirectory()
	var codes []string
	for _, d := range dir.All() {
		codes = append(codes, d.Code)
	}
	types := routing.CaseTypes
	chans := []routing.Channel{routing.ChannelHotline, routing.ChannelPortal, routing.ChannelTelegram, routing.ChannelCLI}
	statuses := []routing.Status{routing.StatusClosed, routing.StatusReplied, routing.StatusAccepted, routing.StatusDispatched, routing.StatusReopened, routing.StatusReturned}
	sats := []routing.Satisfaction{"", routing.Satisfied, routing.FairlySatisfied, routing.Unsatisfied}
	start := rsh(2026, 1, 1, 8, 0)
	const n = 100000
	cs := make([]*routing.Case, n)
	var evs []routing.Event
	for i := range cs {
		rec := start.Add(time.Duration(i) * 5 * time.Minute) // ~347 days
		c := &routing.Case{ID: fmt.Sprintf("C%06d", i), Department: codes[i%len(codes)], Type: types[i%len(types)],
			Items: []string{fmt.Sprintf("BQ-%03d", i%120)}, Channel: chans[i%len(chans)], Street: codes[(i/7)%len(codes)],
			Status: statuses[i%len(statuses)], ReceivedAt: rec, DispatchedAt: rec.Add(time.Hour),
			AcceptBy: rec.Add(30 * time.Hour), ResolveBy: rec.Add(7 * 24 * time.Hour), Satisfaction: sats[i%len(sats)]}
		if i%3 != 0 {
			c.AcceptedAt = rec.Add(time.Duration(i%40) * time.Hour)
		}
		if c.Status == routing.StatusClosed || c.Status == routing.StatusReplied {
			c.RepliedAt = rec.Add(time.Duration(i%300) * time.Hour)
		}
		if i%11 == 0 {
			evs = append(evs, routing.Event{CaseID: c.ID, Seq: 3, Action: routing.ActReturn,
				Actor: routing.Actor{Role: routing.RoleDepartment, Department: c.Department}})
		}
		cs[i] = c
	}
	opts := routing.ReportOptions{From: start, To: rsh(2026, 12, 31, 0, 0), Now: rsh(2027, 1, 5, 9, 0), Directory: dir,
		Certificate: func(id string) string { return "证明" + id }}
	b.ResetTimer()
	for b.Loop() {
		r := routing.BuildReport(cs, evs, opts)
		var buf bytes.Buffer
		if err := routing.RenderHTML(&buf, r); err != nil {
			b.Fatal(err)
		}
		if r.Total != n {
			b.Fatalf("total %d", r.Total)
		}
	}
}
