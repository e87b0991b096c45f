package knowledge_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"chengnuo/knowledge"
	"chengnuo/routing"
)

func importOpts() knowledge.ImportOptions {
	return knowledge.ImportOptions{ResolveDept: routing.BuiltinDirectory().Resolve}
}

// writeXLSX writes a one-sheet workbook: a title merged across the columns in row 1,
// then the rows given (header first), then the extra merges.
func writeXLSX(t *testing.T, path, title string, rows [][]string, merges ...[2]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	last, _ := excelize.ColumnNumberToName(len(rows[0]))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellValue(sheet, "A1", title))
	must(f.MergeCell(sheet, "A1", last+"1"))
	for r, cells := range rows {
		for c, v := range cells {
			name, _ := excelize.CoordinatesToCellName(c+1, r+2)
			must(f.SetCellValue(sheet, name, v))
		}
	}
	for _, m := range merges {
		must(f.MergeCell(sheet, m[0], m[1]))
	}
	must(f.SaveAs(path))
}

var xlsxHeader = []string{"序号", "*证明名称", "证明用途（办理事项）", "实施方式", "索要单位", "开具单位", "设定依据", "核查\n方式", "联系电话"}

func TestImportXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "items.xlsx")
	writeXLSX(t, path, "灞桥区实行告知承诺制的证明事项清单", [][]string{
		xlsxHeader,
		{"1", "无犯罪记录证明", "申请最低生活保障", "告知承诺", "灞桥区民政局", "公安机关", "《社会救助暂行办法》", "部门间信息共享核查", "029-1"},
		{"2", "劳动合同证明　", "失业保险金申领", "告知承诺制", "区人社局", "用人单位", "《失业保险条例》", "人社系统数据比对", ""},
		{"3", "亲属关系证明", "就业困难人员认定", "已取消", "", "", "", "", ""}, // 索要单位 merged from the row above
		{"4", "出生医学证明", "办理户口登记", "保留", "西安市公安局灞桥分局", "医疗机构", "《户口登记条例》", "", ""},
	}, [2]string{"E4", "E5"})

	items, err := knowledge.ImportFile(path, importOpts())
	if err != nil {
		t.Fatal(err)
	}
	want := []knowledge.Item{
		{ID: "1", Certificate: "无犯罪记录证明", Matter: "申请最低生活保障", Mode: knowledge.ModeCommitment, Department: "mzj",
			Issuer: "公安机关", Basis: "《社会救助暂行办法》", Verification: "部门间信息共享核查"},
		{ID: "2", Certificate: "劳动合同证明", Matter: "失业保险金申领", Mode: knowledge.ModeCommitment, Department: "rsj",
			Issuer: "用人单位", Basis: "《失业保险条例》", Verification: "人社系统数据比对"},
		{ID: "3", Certificate: "亲属关系证明", Matter: "就业困难人员认定", Mode: knowledge.ModeAbolished, Department: "rsj"},
		{ID: "4", Certificate: "出生医学证明", Matter: "办理户口登记", Mode: knowledge.ModeRetained, Department: "gafj",
			Issuer: "医疗机构", Basis: "《户口登记条例》"},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("items:\n got %+v\nwant %+v", items, want)
	}
}

func TestImportXLSXErrorNamesRowAndColumn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "items.xlsx")
	ok := []string{"1", "无犯罪记录证明", "申请最低生活保障", "告知承诺", "区民政局", "", "", "信息共享核查", ""}
	rows := [][]string{xlsxHeader}
	for i := range 4 {
		r := append([]string(nil), ok...)
		r[0] = string(rune('1' + i))
		rows = append(rows, r)
	}
	bad := append([]string(nil), ok...)
	bad[0], bad[1] = "5", ""
	rows = append(rows, bad) // sheet row 7: title, header, four good rows, then this
	writeXLSX(t, path, "灞桥区实行告知承诺制的证明事项清单", rows)

	items, err := knowledge.ImportFile(path, importOpts())
	if items != nil {
		t.Errorf("got %d items, want none", len(items))
	}
	var ie *knowledge.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is not an *ImportError", err)
	}
	if ie.Row != 7 || ie.Column != "*证明名称" {
		t.Errorf("row %d column %q, want 7 %q", ie.Row, ie.Column, "*证明名称")
	}
	if want := "items.xlsx 第 7 行 “*证明名称” 列: 证明名称为空"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

const csvChinese = "序号,证明名称（材料）,证明用途,实施方式,索要单位,开具单位,设定依据,核查方式,别名,所属领域\n" +
	"1,居住证明,申领居住证,告知承诺,区公安分局,社区居委会,《居住证暂行条例》,\"入户核查，抽查\",住址证明|住房证明,户籍管理\n" +
	",,,,,,,,,\n" +
	"2,婚姻状况证明,申请公共租赁住房,已取消,灞桥区住建局,,,,,住房保障\n"

var csvChineseWant = []knowledge.Item{
	{ID: "1", Certificate: "居住证明", Matter: "申领居住证", Mode: knowledge.ModeCommitment, Department: "gafj",
		Issuer: "社区居委会", Basis: "《居住证暂行条例》", Verification: "入户核查，抽查",
		Aliases: []string{"住址证明", "住房证明"}, Domain: "户籍管理"},
	{ID: "2", Certificate: "婚姻状况证明", Matter: "申请公共租赁住房", Mode: knowledge.ModeAbolished, Department: "zjj",
		Aliases: []string{}, Domain: "住房保障"},
}

func TestImportTextFormats(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(csvChinese)
	if err != nil {
		t.Fatal(err)
	}
	if utf8.ValidString(gb) {
		t.Fatal("GB18030 fixture is valid UTF-8; the test would not exercise decoding")
	}
	tsv := strings.ReplaceAll(strings.ReplaceAll(csvChinese, ",", "\t"), `"入户核查，抽查"`, "入户核查，抽查")
	tests := []struct {
		file, content string
	}{
		{"bom.csv", "\ufeff" + csvChinese},
		{"gb18030.csv", gb},
		{"crlf.csv", strings.ReplaceAll(csvChinese, "\n", "\r\n")},
		{"list.txt", tsv},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			items, err := knowledge.ImportFile(path, importOpts())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(items, csvChineseWant) {
				t.Errorf("items:\n got %+v\nwant %+v", items, csvChineseWant)
			}
		})
	}
}

// The built-in list, written with English headers, imports to exactly the built-in items.
func TestImportBuiltinTSVRoundTrip(t *testing.T) {
	items, err := knowledge.ImportFile(filepath.Join("data", "items.tsv"), importOpts())
	if err != nil {
		t.Fatal(err)
	}
	want := knowledge.Builtin().Items
	if len(items) != len(want) {
		t.Fatalf("got %d items, want %d", len(items), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(items[i], want[i]) {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, items[i], want[i])
		}
	}
}

func TestImportJSON(t *testing.T) {
	want := []knowledge.Item{
		{ID: "1", Certificate: "居住证明", Matter: "申领居住证", Mode: knowledge.ModeCommitment, Department: "gafj",
			Verification: "入户核查", Aliases: []string{"住址证明", "住房证明"}},
		{ID: "BQ-2", Certificate: "婚姻状况证明", Matter: "申请公共租赁住房", Mode: knowledge.ModeRetained, Department: "zjj"},
	}
	tests := []struct {
		name, content string
		opts          func(*knowledge.ImportOptions)
	}{
		{"array", `[{"序号": 1, "证明名称": "居住证明", "证明用途": "申领居住证", "实施方式": "告知承诺", "索要单位": "区公安分局",
			"核查方式": "入户核查", "别名": ["住址证明", "住房证明"], "其他": {"x": 1}},
			{"编号": "BQ-2", "证明名称": "婚姻状况证明", "办理事项": "申请公共租赁住房", "实施方式": "保留", "索要单位": "住建局"}]`, nil},
		{"items object", "\ufeff" + `{"version": "2026", "items": [
			{"id": "1", "certificate": "居住证明", "matter": "申领居住证", "mode": "commitment", "department": "gafj",
			 "verification": "入户核查", "aliases": "住址证明|住房证明"},
			{},
			{"id": "BQ-2", "certificate": "婚姻状况证明", "matter": "申请公共租赁住房", "department": "区住建局"}]}`,
			func(o *knowledge.ImportOptions) { o.DefaultMode = knowledge.ModeRetained }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := importOpts()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			items, err := knowledge.Import(strings.NewReader(tt.content), "items.json", "json", opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(items, want) {
				t.Errorf("items:\n got %+v\nwant %+v", items, want)
			}
		})
	}
}

// A file without a mode column takes DefaultMode; headers are matched despite
// BOM, full-width spaces, stars and parenthesised notes.
func TestImportDefaultModeAndHeaderVariants(t *testing.T) {
	for _, h := range []string{"\ufeff证明名称", "　证明名称　", "*证明名称*", "证明名称（材料）", "证明材料名称", "Certificate", "拟取消的证明名称"} {
		t.Run(h, func(t *testing.T) {
			data := "序号," + h + ",涉及的行政事项,实施机关\n7,户口簿,办理社保卡,区人社局\n"
			opts := importOpts()
			opts.DefaultMode = "已取消"
			items, err := knowledge.Import(strings.NewReader(data), "a.csv", "csv", opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Certificate != "户口簿" || items[0].Mode != knowledge.ModeAbolished || items[0].Department != "rsj" {
				t.Errorf("got %+v", items)
			}
		})
	}
}

const csvHead = "序号,证明名称,证明用途,实施方式,索要单位,核查方式\n"

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name, file, content string
		row                 int    // of the (first) problem
		column              string // of the (first) problem
		want                []string
	}{
		{"missing certificate", "a.csv", csvHead + "1,户口簿,办社保卡,告知承诺,区人社局,核查\n2,,办社保卡,告知承诺,区人社局,核查\n",
			3, "证明名称", []string{"a.csv 第 3 行 “证明名称” 列: 证明名称为空"}},
		{"missing matter", "a.csv", csvHead + "1,户口簿,,保留,区人社局,\n", 2, "证明用途", []string{"办理事项为空"}},
		{"duplicate id", "a.csv", csvHead + "1,户口簿,办社保卡,保留,区人社局,\n1,身份证,办社保卡,保留,区人社局,\n",
			3, "序号", []string{"第 3 行 “序号” 列", "与第 2 行重复"}},
		{"unknown department", "a.csv", csvHead + "1,户口簿,办社保卡,保留,区外星局,\n", 2, "索要单位", []string{"区外星局", "不在部门目录中"}},
		{"empty department", "a.csv", csvHead + "1,户口簿,办社保卡,保留,,\n", 2, "索要单位", []string{"索要单位为空"}},
		{"unknown mode", "a.csv", csvHead + "1,户口簿,办社保卡,待定,区人社局,\n", 2, "实施方式", []string{"待定", "无法识别"}},
		{"empty mode", "a.csv", csvHead + "1,户口簿,办社保卡,,区人社局,\n", 2, "实施方式", []string{"实施方式为空"}},
		{"commitment without verification", "a.csv", csvHead + "1,户口簿,办社保卡,告知承诺,区人社局,\n",
			2, "核查方式", []string{"第 2 行 “核查方式” 列: 告知承诺事项须填写核查方式"}},
		{"bad id", "a.csv", csvHead + "一,户口簿,办社保卡,保留,区人社局,\n", 2, "序号", []string{"不允许的字符"}},
		{"empty file", "a.csv", "", 0, "", []string{"a.csv: 清单为空"}},
		{"blank lines only", "a.tsv", "\n\t\t\n\n", 0, "", []string{"清单为空"}},
		{"header only", "a.csv", csvHead, 0, "", []string{"清单为空"}},
		{"header and blank rows", "a.csv", csvHead + ",,,,,\n\n", 0, "", []string{"清单为空"}},
		{"empty json", "a.json", "  ", 0, "", []string{"清单为空"}},
		{"empty json items", "a.json", `{"items": []}`, 0, "", []string{"清单为空"}},
		{"no certificate column", "a.csv", "序号,证明用途,实施方式,索要单位\n1,办社保卡,保留,区人社局\n", 0, "", []string{"缺少“证明名称”列"}},
		{"no mode column", "a.csv", "序号,证明名称,证明用途,索要单位\n1,户口簿,办社保卡,区人社局\n", 1, "", []string{"第 1 行", "表头缺少“实施方式”列"}},
		{"json row", "a.json", `[{"序号":"1","证明名称":"户口簿","证明用途":"办社保卡","实施方式":"保留","索要单位":"区人社局"},
			{"序号":"2","证明名称":"","证明用途":"办社保卡","实施方式":"保留","索要单位":"区人社局"}]`,
			2, "证明名称", []string{"a.json 第 2 条 “证明名称” 列: 证明名称为空"}},
		{"json missing fields", "a.json", `[{"证明名称":"户口簿","mode":"保留"}]`, 0, "",
			[]string{"a.json: 发现 3 处问题：缺少“序号”字段（或 id）；", "缺少“索要单位”字段"}},
		{"json not a list", "a.json", `{"rows": []}`, 0, "", []string{`JSON 应为对象数组或 {"items": [...]}`}},
		{"not xlsx", "a.xlsx", "not a zip", 0, "", []string{"无法读取 XLSX 文件"}},
		{"xls", "a.xls", "x", 0, "", []string{"不支持的文件格式", ".xls"}},
		{"several problems", "a.csv", csvHead + "1,,办社保卡,保留,区人社局,\n2,户口簿,办社保卡,保留,区外星局,\n",
			2, "证明名称", []string{"发现 2 处问题", "第 2 行 “证明名称” 列: 证明名称为空", "第 3 行 “索要单位” 列"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			items, err := knowledge.ImportFile(path, importOpts())
			if err == nil || items != nil {
				t.Fatalf("got %d items and error %v, want no items and an error", len(items), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			var ie *knowledge.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *ImportError", err)
			}
			if ie.File != tt.file || ie.Row != tt.row || ie.Column != tt.column {
				t.Errorf("first problem at %s/%d/%q, want %s/%d/%q", ie.File, ie.Row, ie.Column, tt.file, tt.row, tt.column)
			}
		})
	}
}

// Many bad rows: the error lists the first 20, says so, and stays on one line.
func TestImportErrorsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(csvHead)
	for i := range 30 {
		b.WriteString(strings.Repeat("9", i+1) + ",,办社保卡,保留,区人社局,\n")
	}
	_, err := knowledge.Import(strings.NewReader(b.String()), "a.csv", "csv", importOpts())
	var ies *knowledge.ImportErrors
	if !errors.As(err, &ies) {
		t.Fatalf("error %v is not *ImportErrors", err)
	}
	if len(ies.Problems) != 20 || !ies.Truncated || !strings.Contains(err.Error(), "只列出前 20 处") || strings.Contains(err.Error(), "\n") {
		t.Errorf("got %d problems, truncated %v, error %q", len(ies.Problems), ies.Truncated, err)
	}
}

// A 50 MB file is refused from its size alone: the sparse file is all zero bytes,
// so reading or parsing it would give another error and allocate tens of megabytes.
func TestImportFileTooLarge(t *testing.T) {
	for _, name := range []string{"items.csv", "items.xlsx"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if err := os.Truncate(path, 50<<20); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			items, err := knowledge.ImportFile(path, importOpts())
			runtime.ReadMemStats(&after)
			want := name + ": 文件大小 50.0 MB 超过上限 16.0 MB，拒绝导入"
			if err == nil || err.Error() != want || items != nil {
				t.Fatalf("got %d items, error %v; want %q", len(items), err, want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("allocated %d bytes: the file was read", alloc)
			}
		})
	}
}

// countingReader yields endless bytes and counts how many were taken.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	r.n += int64(len(p))
	return len(p), nil
}

func TestImportReaderOverLimit(t *testing.T) {
	r := &countingReader{}
	opts := importOpts()
	opts.MaxBytes = 1 << 20
	items, err := knowledge.Import(r, "stream.csv", "csv", opts)
	if err == nil || items != nil || !strings.Contains(err.Error(), "stream.csv: 文件大小超过上限 1.0 MB，拒绝导入") {
		t.Fatalf("got %d items, error %v", len(items), err)
	}
	if r.n > opts.MaxBytes+64<<10 {
		t.Errorf("read %d bytes from an endless reader, limit %d", r.n, opts.MaxBytes)
	}

	// Exactly at the limit is accepted.
	data := csvHead + "1,户口簿,办社保卡,保留,区人社局,\n"
	opts.MaxBytes = int64(len(data))
	if _, err := knowledge.Import(io.MultiReader(bytes.NewReader([]byte(data))), "a.csv", "csv", opts); err != nil {
		t.Errorf("file of exactly MaxBytes: %v", err)
	}
	opts.MaxBytes--
	if _, err := knowledge.Import(strings.NewReader(data), "a.csv", "csv", opts); err == nil {
		t.Error("file one byte over MaxBytes accepted")
	}
}

func TestImportNeedsResolver(t *testing.T) {
	_, err := knowledge.Import(strings.NewReader(csvHead), "a.csv", "csv", knowledge.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "ResolveDept") {
		t.Errorf("error %v, want one naming ResolveDept", err)
	}
}
