package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"chengnuo/routing"
)

// exportDays is a --from/--to pair around today, Asia/Shanghai, so cases filed now fall inside it.
func exportDays() (string, string) {
	now := time.Now().In(routing.Shanghai)
	return now.AddDate(0, 0, -1).Format("2006-01-02"), now.AddDate(0, 0, 1).Format("2006-01-02")
}

func readExportCSV(t *testing.T, data string) [][]string {
	t.Helper()
	body, ok := strings.CutPrefix(data, "\uFEFF")
	if !ok {
		t.Fatalf("CSV has no UTF-8 BOM: %q", data[:min(len(data), 20)])
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v\n%s", err, data)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(exportHeader, ",") {
		t.Fatalf("CSV header = %v, want %v", rows, exportHeader)
	}
	return rows
}

func col(name string) int {
	for i, h := range exportHeader {
		if h == name {
			return i
		}
	}
	panic(name)
}

func TestCasesExportCSV(t *testing.T) {
	a := fileCase(t)
	b := fileCase(t, "--ref", "=HYPERLINK(\"x\")", "--channel", "hotline")
	from, to := exportDays()
	if got := len(exportHeader); got != 25 || len(exportWidths) != got {
		t.Fatalf("%d headers, %d widths", got, len(exportWidths))
	}

	out := filepath.Join(t.TempDir(), "out.csv")
	msg := mustRun(t, "cases", "export", "--from", from, "--to", to, "--format", "csv", "--out", out)
	if !strings.Contains(msg, "已导出 2 件案件") {
		t.Errorf("export message: %q", msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows := readExportCSV(t, string(data))
	if len(rows) != 3 || rows[1][0] != a.ID || rows[2][0] != b.ID {
		t.Fatalf("rows = %v, want %s then %s", rows, a.ID, b.ID)
	}
	r := rows[1]
	if r[col("联系电话")] != "138****1234" || r[col("来电人")] != "张*" {
		t.Errorf("complainant not masked: %q %q", r[col("来电人")], r[col("联系电话")])
	}
	if strings.Contains(string(data), testPhone) || strings.Contains(string(data), "张三") {
		t.Errorf("CSV holds the full phone or name:\n%s", data)
	}
	if !strings.Contains(r[col("承办单位")], "人力资源和社会保障局") || r[col("类型")] != "投诉" ||
		r[col("反映内容")] != testText || r[col("状态")] != "已派单" || r[col("是否超期")] != "否" {
		t.Errorf("row: %q", r)
	}
	if _, err := time.ParseInLocation("2006-01-02 15:04", r[col("受理时间")], routing.Shanghai); err != nil {
		t.Errorf("受理时间 %q: %v", r[col("受理时间")], err)
	}
	if got := rows[2][col("外部编号")]; got != "'=HYPERLINK(\"x\")" || rows[2][col("渠道")] != "12345热线" {
		t.Errorf("formula-like cell not defused: %q (%q)", got, rows[2][col("渠道")])
	}

	// --reveal, to standard output.
	rows = readExportCSV(t, mustRun(t, "cases", "export", "--from", from, "--to", to, "--format", "csv", "--out", "-", "--reveal"))
	if len(rows) != 3 || rows[1][col("联系电话")] != testPhone || rows[1][col("来电人")] != "张三" {
		t.Errorf("--reveal: %v", rows)
	}

	// A range before today holds none of them.
	rows = readExportCSV(t, mustRun(t, "cases", "export", "--from", "2020-01-01", "--to", "2020-12-31", "--out", "-"))
	if len(rows) != 1 {
		t.Errorf("2020 export has %d data rows: %v", len(rows)-1, rows)
	}
	// Nor a range after it: --to's day is included, the day after is not.
	tomorrow := time.Now().In(routing.Shanghai).AddDate(0, 0, 1).Format("2006-01-02")
	rows = readExportCSV(t, mustRun(t, "cases", "export", "--from", tomorrow, "--to", tomorrow, "--out", "-"))
	if len(rows) != 1 {
		t.Errorf("tomorrow's export has %d data rows", len(rows)-1)
	}
}

func TestCasesExportDefaultName(t *testing.T) {
	fileCase(t)
	dir := t.TempDir()
	t.Chdir(dir)
	from, to := exportDays()
	mustRun(t, "cases", "export", "--from", from, "--to", to, "--format", "csv")
	data, err := os.ReadFile(filepath.Join(dir, "cases_"+from+"_"+to+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := readExportCSV(t, string(data)); len(rows) != 2 {
		t.Errorf("%d rows", len(rows))
	}
}

func TestCasesExportXLSX(t *testing.T) {
	a := fileCase(t)
	from, to := exportDays()
	out := filepath.Join(t.TempDir(), "out.xlsx")
	mustRun(t, "cases", "export", "--from", from, "--to", to, "--format", "xlsx", "--out", out)
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); len(sheets) != 1 || sheets[0] != "案件" {
		t.Fatalf("sheets = %v", sheets)
	}
	rows, err := f.GetRows("案件")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || strings.Join(rows[0], ",") != strings.Join(exportHeader, ",") {
		t.Fatalf("rows = %v", rows)
	}
	r := rows[1]
	if r[0] != a.ID || r[col("联系电话")] != "138****1234" || r[col("来电人")] != "张*" || r[col("反映内容")] != testText {
		t.Errorf("row = %q", r)
	}
	style, err := f.GetCellStyle("案件", "A1")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header not bold: %+v %v", s, err)
	}
	if p, err := f.GetPanes("案件"); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", p, err)
	}
	if w, err := f.GetColWidth("案件", "T"); err != nil || w < 30 {
		t.Errorf("反映内容 width %v %v", w, err)
	}
}

func TestCasesExportBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"--to", "2026-11-30"},
		{"--from", "2026-11-01"},
		{"--from", "2026-13-01", "--to", "2026-11-30"},
		{"--from", "2026-11-30", "--to", "2026-11-01"},
		{"--from", "2026-11-01", "--to", "2026-11-30", "--format", "pdf"},
		{"--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx", "--out", "-"},
	} {
		msg := mustFail(t, append([]string{"cases", "export"}, args...)...)
		if !strings.ContainsAny(msg, "缺少应早只") {
			t.Errorf("%v: error not in Chinese: %q", args, msg)
		}
	}
}
