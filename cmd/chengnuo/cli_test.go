package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"chengnuo/knowledge"
)

// testDBs remembers the database of each test, so that the commands one test runs share it.
var testDBs sync.Map // *testing.T -> path

func dbFor(t *testing.T) string {
	t.Helper()
	if p, ok := testDBs.Load(t); ok {
		return p.(string)
	}
	p := filepath.Join(t.TempDir(), "chengnuo.db")
	testDBs.Store(t, p)
	t.Cleanup(func() { testDBs.Delete(t) })
	return p
}

// run executes the CLI as main does, with the test's own --db (unless args name one),
// and returns what it wrote to stdout.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if !slices.Contains(args, "--db") {
		args = append([]string{"--db", dbFor(t)}, args...)
	}
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(""))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// mustRun is run for commands that must succeed.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("chengnuo %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// askJSON runs `ask --json` and checks the output is exactly one object with the contract's keys.
func askJSON(t *testing.T, extra []string, question string) knowledge.Answer {
	t.Helper()
	out := mustRun(t, append(extra, "ask", "--json", question)...)
	dec := json.NewDecoder(strings.NewReader(out))
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("ask --json output is not a JSON object: %v\n%s", err, out)
	}
	var rest any
	if err := dec.Decode(&rest); err == nil {
		t.Fatalf("ask --json printed more than one JSON value:\n%s", out)
	}
	for _, k := range []string{"kind", "answer", "items", "topic", "list_version"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("ask --json: key %q missing in %s", k, out)
		}
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw["items"], &items); err != nil {
		t.Fatalf("items is not an array of objects: %v (%s)", err, raw["items"])
	}
	for i, it := range items {
		for _, k := range []string{"id", "certificate", "matter", "mode", "department", "score"} {
			if _, ok := it[k]; !ok {
				t.Errorf("items[%d]: key %q missing", i, k)
			}
		}
	}
	var ans knowledge.Answer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	if ans.Items == nil {
		t.Errorf("items is null, want an array")
	}
	if len(ans.Items) > 5 {
		t.Errorf("%d items, want at most 5", len(ans.Items))
	}
	for i := 1; i < len(ans.Items); i++ {
		if ans.Items[i].Score > ans.Items[i-1].Score {
			t.Errorf("scores not best first: items[%d]=%v > items[%d]=%v", i, ans.Items[i].Score, i-1, ans.Items[i-1].Score)
		}
	}
	for i, it := range ans.Items {
		if it.ID == "" || it.Certificate == "" || it.Matter == "" || !it.Mode.Valid() || it.Department == "" {
			t.Errorf("items[%d] incomplete: %+v", i, it)
		}
	}
	if strings.TrimSpace(ans.Answer) == "" {
		t.Errorf("empty answer")
	}
	if n := utf8.RuneCountInString(ans.Answer); n >= 1000 {
		t.Errorf("answer has %d runes, want < 1000", n)
	}
	return ans
}

func TestAskJSONContract(t *testing.T) {
	cases := []struct {
		question string
		kind     knowledge.Kind
		firstID  string // item questions: expected first item (rows of testdata/examples.tsv)
	}{
		{"派出所说改户口本上的血型要医院证明，我原来的证明找不到了咋办", knowledge.KindItem, "BQ-002"},
		{"老身份证是15位的，银行让我开个证明证明新老号码是我本人", knowledge.KindItem, "BQ-012"},
		{"考一建报名要单位开工作年限证明吗", knowledge.KindItem, "BQ-053"},
		{"申请法律援助需要经济困难证明吗", knowledge.KindItem, "BQ-046"},
		{"啥叫告知承诺制", knowledge.KindPolicy, ""},
		{"区社保窗口非让我开死亡证明，我说能承诺他们不认，我要投诉", knowledge.KindComplaint, ""},
		{"明天灞桥下雨不", knowledge.KindUnknown, ""},
	}
	for _, c := range cases {
		t.Run(c.question, func(t *testing.T) {
			ans := askJSON(t, nil, c.question)
			if ans.Kind != c.kind {
				t.Fatalf("kind = %q, want %q (items %+v)", ans.Kind, c.kind, ans.Items)
			}
			if ans.ListVersion != knowledge.BuiltinVersion {
				t.Errorf("list_version = %q, want %q", ans.ListVersion, knowledge.BuiltinVersion)
			}
			switch c.kind {
			case knowledge.KindItem:
				if len(ans.Items) == 0 || ans.Items[0].ID != c.firstID {
					t.Errorf("first item = %+v, want %s", ans.Items, c.firstID)
				}
				if !strings.Contains(ans.Answer, c.firstID) {
					t.Errorf("answer does not name the item %s:\n%s", c.firstID, ans.Answer)
				}
				if ans.Topic != "" {
					t.Errorf("topic = %q for an item answer, want empty", ans.Topic)
				}
			case knowledge.KindPolicy:
				if ans.Topic == "" {
					t.Errorf("policy answer without topic")
				}
			case knowledge.KindComplaint:
				if !strings.Contains(ans.Answer, "投诉") {
					t.Errorf("complaint answer does not offer to file a complaint:\n%s", ans.Answer)
				}
			case knowledge.KindUnknown:
				if !strings.Contains(ans.Answer, "12345") {
					t.Errorf("unknown answer does not point to 12345:\n%s", ans.Answer)
				}
			}
		})
	}
}

func TestAskPlainText(t *testing.T) {
	const q = "申请法律援助需要经济困难证明吗"
	ans := askJSON(t, nil, q)
	out := mustRun(t, "ask", q)
	if out != ans.Answer+"\n" {
		t.Errorf("plain ask = %q, want the answer text %q", out, ans.Answer+"\n")
	}
	// Words given as several arguments are one question.
	if out2 := mustRun(t, "ask", "申请法律援助", "需要经济困难证明吗"); !strings.Contains(out2, "BQ-046") {
		t.Errorf("ask with split arguments:\n%s", out2)
	}
}

func TestAskEmptyQuestion(t *testing.T) {
	for _, args := range [][]string{{"ask", ""}, {"ask", "  ", "\t"}, {"ask", "--json", " "}, {"ask"}} {
		out, err := run(t, args...)
		if err == nil {
			t.Errorf("chengnuo %q: no error (output %q)", args, out)
		}
	}
}

// writeCSV writes rows (header first) as a CSV file in dir.
func writeCSV(t *testing.T, dir, name string, rows [][]string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var csvHeader = []string{"序号", "证明名称", "证明用途", "实施方式", "索要单位", "开具单位", "设定依据", "核查方式"}

var csvRows = [][]string{
	{"1", "无犯罪记录证明", "申请最低生活保障", "告知承诺", "灞桥区民政局", "公安机关", "《社会救助暂行办法》", "部门间信息共享核查"},
	{"2", "劳动合同证明", "失业保险金申领", "告知承诺", "区人社局", "用人单位", "《失业保险条例》", "人社系统数据比对"},
	{"3", "出生医学证明", "办理户口登记", "保留", "派出所", "医疗机构", "《中华人民共和国户口登记条例》", ""},
}

// versionRow is one row of `items versions --json`.
type versionRow struct {
	Version string `json:"version"`
	Label   string `json:"label"`
	Items   int    `json:"items"`
	Active  bool   `json:"active"`
}

func versionsJSON(t *testing.T) []versionRow {
	t.Helper()
	out := mustRun(t, "items", "versions", "--json")
	var rows []versionRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("items versions --json: %v\n%s", err, out)
	}
	return rows
}

func TestItemsFlow(t *testing.T) {
	dir := t.TempDir()
	builtin := knowledge.Builtin()

	v1 := writeCSV(t, dir, "list1.csv", append([][]string{csvHeader}, csvRows...))
	out := mustRun(t, "items", "import", v1, "--label", "L", "--effective", "2026-12-01")
	if !strings.Contains(out, "v1") || !strings.Contains(out, "2026-12-01") || !strings.Contains(out, "3") {
		t.Errorf("import output does not name version v1, the date and the count:\n%s", out)
	}

	out = mustRun(t, "items", "versions")
	var v1Line, builtinLine string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(l, "v1"):
			v1Line = l
		case strings.Contains(l, knowledge.BuiltinVersion):
			builtinLine = l
		}
	}
	if !strings.HasPrefix(v1Line, "*v1") || !strings.Contains(v1Line, "L") {
		t.Errorf("items versions: v1 not marked active (line %q):\n%s", v1Line, out)
	}
	if builtinLine == "" || strings.HasPrefix(builtinLine, "*") {
		t.Errorf("items versions: builtin missing or marked active (line %q):\n%s", builtinLine, out)
	}
	if rows := versionsJSON(t); len(rows) != 2 || rows[0].Version != "v1" || !rows[0].Active || rows[0].Items != 3 ||
		rows[1].Version != knowledge.BuiltinVersion || rows[1].Active {
		t.Errorf("items versions --json = %+v", rows)
	}

	out = mustRun(t, "items", "list")
	for _, r := range csvRows {
		if !strings.Contains(out, r[1]) {
			t.Errorf("items list: %s missing:\n%s", r[1], out)
		}
	}
	if strings.Contains(out, "BQ-001") {
		t.Errorf("items list shows the built-in list, want the active v1:\n%s", out)
	}
	if n := len(strings.Split(strings.TrimSpace(out), "\n")); n != 4 {
		t.Errorf("items list: %d lines, want header + 3:\n%s", n, out)
	}
	if out = mustRun(t, "items", "list", "--version", "builtin"); !strings.Contains(out, "BQ-001") {
		t.Errorf("items list --version builtin: BQ-001 missing:\n%s", out)
	}

	out = mustRun(t, "items", "diff", "builtin", "v1")
	if want := fmt.Sprintf("新增 3 项，删除 %d 项，修改 0 项", len(builtin.Items)); !strings.Contains(out, want) {
		t.Errorf("items diff builtin v1: want %q in:\n%s", want, out)
	}

	changed := slices.Clone(csvRows)
	changed[1] = slices.Clone(changed[1])
	changed[1][7] = "社保数据联网核查"
	changed = append(changed, []string{"4", "居住证明", "义务教育入学", "已取消", "区教育局", "社区", "", ""})
	v2 := writeCSV(t, dir, "list2.csv", append([][]string{csvHeader}, changed...))
	if out = mustRun(t, "items", "import", v2, "--effective", "2027-01-01"); !strings.Contains(out, "v2") {
		t.Errorf("second import output does not name v2:\n%s", out)
	}

	out = mustRun(t, "items", "diff", "v1", "v2", "--json")
	var d knowledge.ListDiff
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("items diff --json: %v\n%s", err, out)
	}
	if len(d.Added) != 1 || len(d.Removed) != 0 || len(d.Changed) != 1 {
		t.Fatalf("diff v1 v2 = %d added, %d removed, %d changed; want 1, 0, 1:\n%s", len(d.Added), len(d.Removed), len(d.Changed), out)
	}
	if d.Added[0].ID != "4" || d.Added[0].Department != "jyj" || d.Added[0].Mode != knowledge.ModeAbolished {
		t.Errorf("added = %+v", d.Added[0])
	}
	c := d.Changed[0]
	if c.ID != "2" || len(c.Fields) != 1 || c.Fields[0].Field != "verification" ||
		c.Fields[0].Old != "人社系统数据比对" || c.Fields[0].New != "社保数据联网核查" {
		t.Errorf("changed = %+v, want item 2 field verification", c)
	}

	ans := askJSON(t, nil, "申请低保要开无犯罪记录证明吗")
	if ans.ListVersion != "v2" {
		t.Errorf("ask after import: list_version = %q, want v2", ans.ListVersion)
	}
	for _, it := range ans.Items {
		if strings.HasPrefix(it.ID, "BQ-") {
			t.Errorf("ask after import answers from the built-in list: %+v", it)
		}
	}
}

func TestItemsImportRejected(t *testing.T) {
	dir := t.TempDir()
	noCert := slices.Clone(csvRows)
	noCert[1] = slices.Clone(noCert[1])
	noCert[1][1] = ""
	unknownDept := slices.Clone(csvRows)
	unknownDept[0] = slices.Clone(unknownDept[0])
	unknownDept[0][4] = "区外星人管理局"
	good := writeCSV(t, dir, "good.csv", append([][]string{csvHeader}, csvRows...))

	cases := []struct {
		name string
		args []string
		want []string // substrings of the error
	}{
		// The header is row 1, so the second data row is row 3.
		{"missing certificate", []string{"items", "import", writeCSV(t, dir, "nocert.csv", append([][]string{csvHeader}, noCert...))},
			[]string{"第 3 行", "证明名称"}},
		{"unknown department", []string{"items", "import", writeCSV(t, dir, "dept.csv", append([][]string{csvHeader}, unknownDept...))},
			[]string{"第 2 行", "区外星人管理局"}},
		{"bad effective", []string{"items", "import", good, "--effective", "2026/12/01"}, []string{"--effective"}},
		{"impossible effective", []string{"items", "import", good, "--effective", "2026-02-30"}, []string{"--effective"}},
		{"missing file", []string{"items", "import", filepath.Join(dir, "nope.csv")}, nil},
		{"bad mode", []string{"items", "import", good, "--mode", "maybe"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := run(t, c.args...)
			if err == nil {
				t.Fatalf("no error; output:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if msg := oneLine(err.Error()); strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			rows := versionsJSON(t)
			if len(rows) != 1 || rows[0].Version != knowledge.BuiltinVersion || !rows[0].Active {
				t.Errorf("after a rejected import, versions = %+v; want only builtin, active", rows)
			}
		})
	}
}

func TestItemsUnknownVersion(t *testing.T) {
	if _, err := run(t, "items", "list", "--version", "v9"); err == nil {
		t.Errorf("items list --version v9: no error")
	}
	if _, err := run(t, "items", "diff", "builtin", "v9"); err == nil || !strings.Contains(err.Error(), "v9") {
		t.Errorf("items diff builtin v9: error %v, want one naming v9", err)
	}
}

func TestSynonymsFlag(t *testing.T) {
	// 囍本本 is made up: only the extra table tells the matcher it means a marriage registration.
	const q = "领囍本本要带啥"
	path := filepath.Join(t.TempDir(), "extra.tsv")
	if err := os.WriteFile(path, []byte("# 测试用口语词\n囍本本\t结婚登记|户口簿\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	without := askJSON(t, nil, q)
	with := askJSON(t, []string{"--synonyms", path}, q)
	if with.Kind != knowledge.KindItem || len(with.Items) == 0 || with.Items[0].ID != "BQ-045" {
		t.Fatalf("with --synonyms: kind %s items %+v, want item BQ-045 first", with.Kind, with.Items)
	}
	if without.Kind == knowledge.KindItem && without.Items[0].ID == "BQ-045" {
		t.Errorf("without --synonyms the question is already answered with BQ-045: the test proves nothing")
	}
	if with.Answer == without.Answer {
		t.Errorf("--synonyms did not change the answer")
	}

	bad := filepath.Join(t.TempDir(), "bad.tsv")
	if err := os.WriteFile(bad, []byte("# ok\n囍本本 结婚登记\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "--synonyms", bad, "ask", q); err == nil || !strings.Contains(err.Error(), "第 2 行") {
		t.Errorf("malformed synonyms file: error %v, want one naming 第 2 行", err)
	}
	if _, err := run(t, "--synonyms", filepath.Join(t.TempDir(), "missing.tsv"), "ask", q); err == nil {
		t.Errorf("missing synonyms file: no error")
	}
}

func TestOneLine(t *testing.T) {
	cases := map[string]string{
		"plain":              "plain",
		"first\nsecond":      "first; second",
		"a\r\nb\n\n  c\t d ": "a ; b; ; c d",
		"items.csv 第 3 行: 证明名称为空\n": "items.csv 第 3 行: 证明名称为空;",
	}
	for in, want := range cases {
		got := oneLine(in)
		if got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(got, "\r\n\t") {
			t.Errorf("oneLine(%q) = %q is not one line", in, got)
		}
	}
	// A real multi-problem import error stays on one line too.
	err := fmt.Errorf("import: %w", errors.New("第 2 行: 证明名称为空\n第 3 行: 索要单位为空"))
	if got := oneLine(err.Error()); strings.Contains(got, "\n") || !strings.Contains(got, "第 3 行") {
		t.Errorf("oneLine(%q) = %q", err, got)
	}
}
