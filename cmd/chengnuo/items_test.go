package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chengnuo/knowledge"
)

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
