package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chengnuo/routing"
)

const (
	testPhone = "13812341234"
	testText  = "区社保中心办失业保险金非让我开劳动合同证明，说能承诺也不行"
)

// decodeOne decodes out as exactly one JSON value into v.
func decodeOne(t *testing.T, out string, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	var rest any
	if err := dec.Decode(&rest); err == nil {
		t.Fatalf("more than one JSON value:\n%s", out)
	}
}

// fileCase files a case for rsj (type and department given; the classifier still finds the items)
// and returns its JSON form.
func fileCase(t *testing.T, extra ...string) caseJSON {
	t.Helper()
	args := append([]string{"cases", "file", "--json", "--type", "投诉", "--department", "rsj",
		"--phone", testPhone, "--name", "张三"}, extra...)
	var c caseJSON
	decodeOne(t, mustRun(t, append(args, testText)...), &c)
	if c.ID == "" || c.Created == nil || !*c.Created {
		t.Fatalf("cases file --json: %+v", c)
	}
	return c
}

// showCase returns `cases show --json ID`.
func showCase(t *testing.T, id string, extra ...string) caseJSON {
	t.Helper()
	var c caseJSON
	decodeOne(t, mustRun(t, append([]string{"cases", "show", "--json", id}, extra...)...), &c)
	return c
}

// mustFail runs a command that must be refused and returns its error text.
func mustFail(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err == nil {
		t.Fatalf("chengnuo %s: no error; output:\n%s", strings.Join(args, " "), out)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") || strings.Contains(msg, "routing error") {
		t.Errorf("error is not one clean line: %q", msg)
	}
	return msg
}

func TestCasesFileListMasked(t *testing.T) {
	out := mustRun(t, "cases", "file", "--phone", testPhone, "--name", "张三", testText)
	for _, want := range []string{"已登记案件 BQ", "人力资源和社会保障局", "签收期限", "办结期限", "138****1234"} {
		if !strings.Contains(out, want) {
			t.Errorf("cases file: %q missing:\n%s", want, out)
		}
	}
	if strings.Contains(out, testPhone) || strings.Contains(out, "张三") {
		t.Errorf("cases file shows the complainant unmasked:\n%s", out)
	}

	list := mustRun(t, "cases", "list")
	for _, want := range []string{"编号", "状态", "承办单位", "办结期限", "来电人", "已派单", "138****1234", "张*"} {
		if !strings.Contains(list, want) {
			t.Errorf("cases list: %q missing:\n%s", want, list)
		}
	}
	if strings.Contains(list, testPhone) || strings.Contains(list, "张三") {
		t.Errorf("cases list shows the full phone or name:\n%s", list)
	}
	if revealed := mustRun(t, "cases", "list", "--reveal"); !strings.Contains(revealed, testPhone) || !strings.Contains(revealed, "张三") {
		t.Errorf("cases list --reveal does not show the full phone and name:\n%s", revealed)
	}

	var rows []caseJSON
	decodeOne(t, mustRun(t, "cases", "list", "--json"), &rows)
	if len(rows) != 1 || rows[0].Complainant.Phone != "138****1234" || rows[0].Complainant.Name != "张*" {
		t.Fatalf("cases list --json = %+v, want one case with the complainant masked", rows)
	}
	decodeOne(t, mustRun(t, "cases", "list", "--json", "--reveal"), &rows)
	if rows[0].Complainant.Phone != testPhone {
		t.Errorf("cases list --json --reveal: phone %q", rows[0].Complainant.Phone)
	}
	if rows[0].Department != "rsj" || rows[0].Status != "dispatched" || rows[0].AcceptBy == "" || rows[0].ResolveBy == "" {
		t.Errorf("filed case = %+v", rows[0])
	}

	// Filters.
	decodeOne(t, mustRun(t, "cases", "list", "--json", "--department", "mzj"), &rows)
	if len(rows) != 0 {
		t.Errorf("--department mzj: %d cases, want 0", len(rows))
	}
	decodeOne(t, mustRun(t, "cases", "list", "--json", "--status", "已派单", "--due-before", "2999-01-01"), &rows)
	if len(rows) != 1 {
		t.Errorf("--status 已派单 --due-before 2999-01-01: %d cases, want 1", len(rows))
	}
	decodeOne(t, mustRun(t, "cases", "list", "--json", "--overdue"), &rows)
	if len(rows) != 0 {
		t.Errorf("--overdue: %d cases, want 0 for a case filed now", len(rows))
	}
	mustFail(t, "cases", "list", "--status", "nope")
	mustFail(t, "cases", "list", "--due-before", "tomorrow")
}

func TestCasesShowEvents(t *testing.T) {
	c := fileCase(t, "--address", "灞桥区纺织城街道")
	out := mustRun(t, "cases", "show", c.ID)
	for _, want := range []string{c.ID, "办理经过", "受理", "派单", "签收期限", "办结期限", "138****1234", testText} {
		if !strings.Contains(out, want) {
			t.Errorf("cases show: %q missing:\n%s", want, out)
		}
	}
	if strings.Contains(out, testPhone) {
		t.Errorf("cases show without --reveal shows the phone:\n%s", out)
	}
	if out := mustRun(t, "cases", "show", c.ID, "--reveal"); !strings.Contains(out, testPhone) {
		t.Errorf("cases show --reveal does not show the phone:\n%s", out)
	}

	j := showCase(t, c.ID)
	if len(j.Events) != 2 || j.Events[0].Action != "receive" || j.Events[1].Action != "dispatch" ||
		j.Events[1].ActionLabel != "派单" || j.Events[1].Actor.Role != routing.RoleSystem {
		t.Errorf("show --json events = %+v, want receive then dispatch", j.Events)
	}
	if j.Complainant.Phone != "138****1234" {
		t.Errorf("show --json phone %q, want masked", j.Complainant.Phone)
	}
	if msg := mustFail(t, "cases", "show", "BQ20990101-0001"); !strings.Contains(msg, "不存在") {
		t.Errorf("unknown case: error %q", msg)
	}
}

func TestCasesAcceptByDepartment(t *testing.T) {
	c := fileCase(t)
	before := showCase(t, c.ID)

	msg := mustFail(t, "cases", "accept", c.ID, "--as", "mzj")
	if !strings.Contains(msg, "不属于本单位") {
		t.Errorf("accept as another department: error %q, want 不属于本单位", msg)
	}
	after := showCase(t, c.ID)
	if after.Status != before.Status || after.Version != before.Version || len(after.Events) != len(before.Events) {
		t.Fatalf("a refused accept changed the case: before %s v%d, after %s v%d", before.Status, before.Version, after.Status, after.Version)
	}
	// A department sees only its own cases.
	if msg := mustFail(t, "cases", "show", c.ID, "--as", "mzj"); !strings.Contains(msg, "不属于本单位") {
		t.Errorf("show as another department: %q", msg)
	}
	var rows []caseJSON
	decodeOne(t, mustRun(t, "cases", "list", "--json", "--as", "mzj"), &rows)
	if len(rows) != 0 {
		t.Errorf("list as mzj shows %d rsj cases", len(rows))
	}
	mustFail(t, "cases", "accept", c.ID, "--as", "no-such-dept")

	out := mustRun(t, "cases", "accept", c.ID, "--as", "rsj")
	if !strings.Contains(out, "已签收") {
		t.Errorf("accept output:\n%s", out)
	}
	after = showCase(t, c.ID)
	last := after.Events[len(after.Events)-1]
	if after.Status != "accepted" || after.AcceptedAt == "" || last.Action != "accept" ||
		last.Actor.Role != routing.RoleDepartment || last.Actor.Department != "rsj" {
		t.Errorf("after accept: status %s, last event %+v", after.Status, last)
	}
	if msg := mustFail(t, "cases", "accept", c.ID, "--as", "rsj"); !strings.Contains(msg, "不能签收") {
		t.Errorf("second accept: error %q", msg)
	}
}

func TestCasesReplyCloseRateReopen(t *testing.T) {
	c := fileCase(t)
	mustRun(t, "cases", "accept", c.ID, "--as", "rsj")
	mustFail(t, "cases", "close", c.ID) // not replied yet
	mustRun(t, "cases", "reply", c.ID, "--as", "rsj", "已责成窗口按告知承诺制办理，", "不再索要证明")
	if msg := mustFail(t, "cases", "close", c.ID, "--as", "rsj"); !strings.Contains(msg, "无权办结") {
		t.Errorf("close by the department: %q", msg)
	}
	mustRun(t, "cases", "close", c.ID)
	if msg := mustFail(t, "cases", "rate", c.ID, "还行"); !strings.Contains(msg, "满意度") {
		t.Errorf("bad rating: error %q", msg)
	}
	out := mustRun(t, "cases", "rate", c.ID, "不满意")
	if !strings.Contains(out, "不满意") {
		t.Errorf("rate output:\n%s", out)
	}
	if msg := mustFail(t, "cases", "reopen", c.ID, "--as", "rsj"); !strings.Contains(msg, "无权重办") {
		t.Errorf("reopen by the department: %q", msg)
	}
	var j caseJSON
	decodeOne(t, mustRun(t, "cases", "reopen", c.ID, "--reason", "问题未解决", "--json"), &j)
	if j.Status != "reopened" || j.Reply != "" || j.Satisfaction != "" || j.AcceptBy == "" {
		t.Errorf("after reopen: %+v", j)
	}
	got := showCase(t, c.ID)
	var actions []string
	for _, e := range got.Events {
		actions = append(actions, e.Action)
	}
	want := "receive dispatch accept reply close rate reopen"
	if strings.Join(actions, " ") != want {
		t.Errorf("events %v, want %s", actions, want)
	}
	if got.Events[5].Actor.Role != routing.RoleResident || got.Events[5].Data["satisfaction"] != "不满意" {
		t.Errorf("rate event %+v", got.Events[5])
	}
	if got.Events[3].Data["reply"] != "已责成窗口按告知承诺制办理， 不再索要证明" {
		t.Errorf("reply event data %+v", got.Events[3].Data)
	}

	// The first round is kept: show (JSON and text), the export and the report see it.
	if len(got.Rounds) != 2 {
		t.Fatalf("rounds %+v, want the first and the current", got.Rounds)
	}
	r1, r2 := got.Rounds[0], got.Rounds[1]
	if r1.N != 1 || r1.Department != "rsj" || r1.AcceptedAt == "" || !r1.AcceptedOnTime || r1.RepliedAt == "" ||
		!r1.AnsweredOnTime || r1.Reply != "已责成窗口按告知承诺制办理， 不再索要证明" || r1.Satisfaction != "不满意" ||
		r1.ClosedAt == "" || r1.ReopenedAt == "" {
		t.Errorf("round 1 %+v", r1)
	}
	if r2.N != 2 || r2.AcceptedAt != "" || r2.Reply != "" || r2.ReopenedAt != "" || r2.AcceptBy == "" {
		t.Errorf("round 2 %+v", r2)
	}
	text := mustRun(t, "cases", "show", c.ID)
	for _, want := range []string{"办理轮次", "当前为第 2 轮", "（按时）", "不满意", "已责成窗口按告知承诺制办理"} {
		if !strings.Contains(text, want) {
			t.Errorf("show lacks %q:\n%s", want, text)
		}
	}
	from, to := exportDays()
	rows := readExportCSV(t, mustRun(t, "cases", "export", "--from", from, "--to", to, "--format", "csv", "--out", "-"))
	if len(rows) != 2 {
		t.Fatalf("export rows %v", rows)
	}
	row := rows[1]
	if row[col("办理轮次")] != "2" || row[col("首轮按时签收")] != "是" || row[col("首轮按时答复")] != "是" ||
		!strings.Contains(row[col("历次办理")], "第1轮 人力资源和社会保障局：签收 ") ||
		!strings.Contains(row[col("历次办理")], "满意度 不满意；重办 ") ||
		!strings.Contains(row[col("历次办理")], "答复内容：已责成窗口按告知承诺制办理") {
		t.Errorf("export row: rounds %q, first round %q/%q, history %q", row[col("办理轮次")],
			row[col("首轮按时签收")], row[col("首轮按时答复")], row[col("历次办理")])
	}
	var rep struct {
		Departments []routing.DeptReport `json:"departments"`
	}
	today := time.Now().In(routing.Shanghai).Format("2006-01-02")
	decodeOne(t, mustRun(t, "report", "--json", "--from", today, "--to", today), &rep)
	if len(rep.Departments) != 1 || rep.Departments[0].AcceptedOnTime != 1 || rep.Departments[0].AnsweredOnTime != 1 ||
		rep.Departments[0].Unsatisfied != 1 || rep.Departments[0].Reopened != 1 {
		t.Errorf("report after a reopen: %+v", rep.Departments)
	}
}

func TestCasesReturnRedispatch(t *testing.T) {
	c := fileCase(t)
	if msg := mustFail(t, "cases", "return", c.ID, "--as", "rsj"); !strings.Contains(msg, "理由") {
		t.Errorf("return without reason: %q", msg)
	}
	out := mustRun(t, "cases", "return", c.ID, "--as", "rsj", "--reason", "低保事项属民政局")
	if !strings.Contains(out, "已退回") || !strings.Contains(out, "xzspj") {
		t.Errorf("return output:\n%s", out)
	}
	if msg := mustFail(t, "cases", "redispatch", c.ID, "--department", "mzj", "--as", "rsj"); !strings.Contains(msg, "无权") {
		t.Errorf("redispatch by a department: %q", msg)
	}
	mustFail(t, "cases", "redispatch", c.ID, "--department", "nowhere")
	mustFail(t, "cases", "redispatch", c.ID)
	mustRun(t, "cases", "redispatch", c.ID, "--department", "区民政局", "--reason", "低保")
	j := showCase(t, c.ID)
	if j.Status != "dispatched" || j.Department != "mzj" || j.Triage {
		t.Errorf("after redispatch: status %s department %s triage %v", j.Status, j.Department, j.Triage)
	}
	if last := j.Events[len(j.Events)-1]; last.Action != "dispatch" || last.Data["department"] != "mzj" || last.Actor.Role != routing.RoleOperator {
		t.Errorf("redispatch event %+v", last)
	}
	// Now the case is mzj's: rsj may no longer act on it.
	mustFail(t, "cases", "accept", c.ID, "--as", "rsj")
	mustRun(t, "cases", "accept", c.ID, "--as", "mzj")
}

func TestCasesExtension(t *testing.T) {
	c := fileCase(t)
	mustFail(t, "cases", "extend", c.ID, "--as", "rsj", "--days", "3", "--reason", "需核实") // not accepted yet
	mustRun(t, "cases", "accept", c.ID, "--as", "rsj")
	mustFail(t, "cases", "extend", c.ID, "--as", "rsj", "--days", "3")                   // no reason
	mustFail(t, "cases", "extend", c.ID, "--as", "rsj", "--days", "30", "--reason", "久") // over the limit
	mustFail(t, "cases", "extend", c.ID, "--days", "3", "--grant")
	out := mustRun(t, "cases", "extend", c.ID, "--as", "rsj", "--days", "3", "--reason", "需调取外区档案")
	if !strings.Contains(out, "延期申请中") {
		t.Errorf("extend request output:\n%s", out)
	}
	if msg := mustFail(t, "cases", "extend", c.ID, "--as", "rsj", "--grant"); !strings.Contains(msg, "无权") {
		t.Errorf("grant by the department: %q", msg)
	}
	var j caseJSON
	decodeOne(t, mustRun(t, "cases", "extend", c.ID, "--grant", "--json"), &j)
	resolve, err1 := time.Parse(time.RFC3339, j.ResolveBy)
	deadline, err2 := time.Parse(time.RFC3339, j.Deadline)
	if err1 != nil || err2 != nil || j.ExtendedTo != j.Deadline || !deadline.After(resolve) || j.Status != "accepted" {
		t.Fatalf("after grant: resolve_by %s extended_to %s deadline %s status %s", j.ResolveBy, j.ExtendedTo, j.Deadline, j.Status)
	}
	if days := deadline.Sub(resolve); days < 3*24*time.Hour {
		t.Errorf("deadline moved by %v, want at least 3 days for 3 working days", days)
	}
	if out := mustRun(t, "cases", "list"); !strings.Contains(out, clock(deadline)) {
		t.Errorf("cases list does not show the extended deadline %s:\n%s", clock(deadline), out)
	}
	if msg := mustFail(t, "cases", "extend", c.ID, "--as", "rsj", "--days", "1", "--reason", "再延"); !strings.Contains(msg, "已申请过延期") {
		t.Errorf("second request: %q", msg)
	}
}

func TestCasesDuplicateUndo(t *testing.T) {
	first := fileCase(t)
	var dup caseJSON
	decodeOne(t, mustRun(t, "cases", "file", "--json", "--type", "投诉", "--department", "rsj",
		"--phone", testPhone, "又打电话：区社保中心办失业保险金还是要劳动合同证明"), &dup)
	if dup.Status != "duplicate" || dup.DuplicateOf != first.ID {
		t.Fatalf("second case from the same phone on the same topic: status %s duplicate_of %q, want duplicate of %s",
			dup.Status, dup.DuplicateOf, first.ID)
	}
	if out := mustRun(t, "cases", "show", dup.ID); !strings.Contains(out, "合并至") || !strings.Contains(out, first.ID) {
		t.Errorf("show of a duplicate does not name the case it repeats:\n%s", out)
	}
	// Another phone, another text: not a duplicate.
	var other caseJSON
	decodeOne(t, mustRun(t, "cases", "file", "--json", "--type", "投诉", "--department", "rsj",
		"--phone", "13900001111", "就业登记窗口要求开具居住证明"), &other)
	if other.DuplicateOf != "" || other.Status != "dispatched" {
		t.Errorf("unrelated case linked: %+v", other)
	}

	mustFail(t, "cases", "undo-duplicate", first.ID) // not a duplicate
	out := mustRun(t, "cases", "undo-duplicate", dup.ID, "--reason", "诉求不同")
	if !strings.Contains(out, "已派单") {
		t.Errorf("undo-duplicate output:\n%s", out)
	}
	j := showCase(t, dup.ID)
	if j.Status != "dispatched" || j.DuplicateOf != "" || j.AcceptBy == "" {
		t.Errorf("after undo: %+v", j)
	}
}

func TestCasesFileByRefOnce(t *testing.T) {
	args := []string{"cases", "file", "--json", "--channel", "hotline", "--ref", "BQ12345-20261125-0001", "--anonymous",
		"--phone", testPhone, "户籍窗口要我开无犯罪记录证明"}
	var a, b caseJSON
	decodeOne(t, mustRun(t, args...), &a)
	decodeOne(t, mustRun(t, args...), &b)
	if a.ID != b.ID || !*a.Created || *b.Created || b.ExternalRef != "BQ12345-20261125-0001" || !a.Anonymous {
		t.Errorf("same ref twice: %+v / %+v", a, b)
	}
	mustFail(t, "cases", "file", "--channel", "fax", "某事")
	mustFail(t, "cases", "file", "--type", "闲聊", "某事")
	mustFail(t, "cases", "file", " ")
	if out := mustRun(t, "cases", "list"); !strings.Contains(out, "匿名") {
		t.Errorf("anonymous case not marked in the list:\n%s", out)
	}
}

func TestCasesConfig(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "chengnuo.conf")
	if err := os.WriteFile(conf, []byte("# 测试\n[sla]\nresolve.投诉 = 10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	def := fileCase(t)
	var long caseJSON // another phone and text: not a duplicate of def
	decodeOne(t, mustRun(t, "--config", conf, "cases", "file", "--json", "--type", "投诉", "--department", "rsj",
		"--phone", "13900002222", "就业登记窗口要求开具居住证明"), &long)
	a, _ := time.Parse(time.RFC3339, def.ResolveBy)
	b, _ := time.Parse(time.RFC3339, long.ResolveBy)
	if !b.After(a.Add(4 * 24 * time.Hour)) {
		t.Errorf("resolve_by with resolve.投诉 = 10: %s, default %s; want 5 working days later", long.ResolveBy, def.ResolveBy)
	}
	bad := filepath.Join(dir, "bad.conf")
	if err := os.WriteFile(bad, []byte("[department xyz]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg := mustFail(t, "--config", bad, "cases", "list"); !strings.Contains(msg, "第 1 行") || !strings.Contains(msg, "xyz") {
		t.Errorf("bad config: %q", msg)
	}
}

// TestCasesListNextDeadline: --due-before covers the 签收 deadline of cases not yet accepted and
// the 办结 deadline of accepted ones, and the list says which deadline it is.
func TestCasesListNextDeadline(t *testing.T) {
	waiting := fileCase(t)
	var accepted caseJSON
	decodeOne(t, mustRun(t, "cases", "file", "--json", "--type", "投诉", "--department", "rsj", "--phone", "13900001111",
		"就业登记窗口要求开具居住证明"), &accepted)
	mustRun(t, "cases", "accept", accepted.ID, "--as", "rsj")
	// Just after the 签收 deadline of the waiting case: only it is due (its 办结 deadline is days later).
	accept, err := time.Parse(time.RFC3339, waiting.AcceptBy)
	if err != nil {
		t.Fatal(err)
	}
	before := accept.Add(time.Minute).Format(time.RFC3339)
	var rows []caseJSON
	decodeOne(t, mustRun(t, "cases", "list", "--json", "--due-before", before), &rows)
	if len(rows) != 1 || rows[0].ID != waiting.ID || rows[0].NextDeadlineFor != "accept" || rows[0].NextDeadline != waiting.AcceptBy {
		t.Fatalf("--due-before %s: %+v, want only %s, due for 签收", before, rows, waiting.ID)
	}
	resolve, err := time.Parse(time.RFC3339, accepted.ResolveBy)
	if err != nil {
		t.Fatal(err)
	}
	later := resolve.Add(time.Minute).Format(time.RFC3339)
	decodeOne(t, mustRun(t, "cases", "list", "--json", "--due-before", later), &rows)
	if len(rows) != 2 || rows[0].ID != waiting.ID || rows[1].ID != accepted.ID || rows[1].NextDeadlineFor != "resolve" {
		t.Fatalf("--due-before %s: %+v, want %s (签收) then %s (办结)", later, rows, waiting.ID, accepted.ID)
	}
	table := mustRun(t, "cases", "list", "--due-before", later)
	for _, want := range []string{"下一期限", "签收 " + clockOf(waiting.AcceptBy), "办结 " + clockOf(accepted.ResolveBy)} {
		if !strings.Contains(table, want) {
			t.Errorf("list lacks %q:\n%s", want, table)
		}
	}
}
