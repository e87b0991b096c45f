package knowledge

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DefaultMaxImportBytes is the largest list file imported when ImportOptions.MaxBytes is 0.
const DefaultMaxImportBytes = 16 << 20

// ImportOptions controls how a published list is read.
type ImportOptions struct {
	ResolveDept func(s string) (code string, ok bool) // required: maps 索要单位 text to a department code
	DefaultMode Mode                                  // used when the file has no mode column (or a row leaves it empty); empty = mode column required
	MaxBytes    int64                                 // 0 = DefaultMaxImportBytes
}

func (o ImportOptions) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxImportBytes
}

// ImportFile reads a published list from a file; the format is chosen by extension
// (.xlsx, .csv, .tsv, .txt as TSV, .json). A file over the size limit is refused
// before it is opened.
func ImportFile(path string, opts ImportOptions) ([]Item, error) {
	name := filepath.Base(path)
	format, ok := formatByExt(filepath.Ext(path))
	if !ok {
		return nil, &ImportError{File: name, Message: fmt.Sprintf(
			"不支持的文件格式 %q（支持 .xlsx .csv .tsv .txt .json；.xls 请先另存为 .xlsx）", filepath.Ext(path))}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import items %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &ImportError{File: name, Message: "不是普通文件，无法导入"}
	}
	if max := opts.maxBytes(); fi.Size() > max {
		return nil, &ImportError{File: name, Message: fmt.Sprintf(
			"文件大小 %s 超过上限 %s，拒绝导入", formatMB(fi.Size()), formatMB(max))}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import items %s: %w", path, err)
	}
	defer f.Close()
	return Import(f, name, format, opts)
}

// Import reads a published list in the given format ("xlsx", "csv", "tsv", "json").
// name is used in error messages. The list is all-or-nothing: on any problem it
// returns an error (an *ImportError or an *ImportErrors) and no items.
func Import(r io.Reader, name string, format string, opts ImportOptions) ([]Item, error) {
	if opts.ResolveDept == nil {
		return nil, errors.New("导入选项缺少部门解析函数（ResolveDept）")
	}
	if opts.DefaultMode != "" {
		if opts.DefaultMode = ParseMode(string(opts.DefaultMode)); !opts.DefaultMode.Valid() {
			return nil, fmt.Errorf("默认实施方式 %q 无法识别", opts.DefaultMode)
		}
	}
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	if format == "txt" {
		format = "tsv"
	}
	var parse func(data []byte, name string, opts ImportOptions) (*importTable, error)
	switch format {
	case "xlsx":
		parse = parseXLSX
	case "csv":
		parse = parseCSV
	case "tsv":
		parse = parseTSV
	case "json":
		parse = parseJSON
	default:
		return nil, &ImportError{File: name, Message: fmt.Sprintf("不支持的格式 %q（支持 xlsx csv tsv json）", format)}
	}
	data, err := readLimited(r, name, opts.maxBytes())
	if err != nil {
		return nil, err
	}
	t, err := parse(data, name, opts)
	if err != nil {
		return nil, err
	}
	return t.items(opts)
}

func formatByExt(ext string) (string, bool) {
	switch strings.ToLower(ext) {
	case ".xlsx":
		return "xlsx", true
	case ".csv":
		return "csv", true
	case ".tsv", ".txt":
		return "tsv", true
	case ".json":
		return "json", true
	}
	return "", false
}

// readLimited reads at most max bytes; one byte more means the input is too large.
func readLimited(r io.Reader, name string, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("import items %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, &ImportError{File: name, Message: fmt.Sprintf("文件大小超过上限 %s，拒绝导入", formatMB(max))}
	}
	return data, nil
}

func formatMB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// importRecord is one data row of a list: field -> cleaned cell text.
type importRecord struct {
	row    int
	values map[string]string
	cols   *columnMap // the record's own keys (JSON objects); nil = the file's header
}

// column names the column that holds a field in rec, "" when there is none.
func (t *importTable) column(rec importRecord, field string) string {
	if rec.cols != nil {
		return rec.cols.column(field)
	}
	return t.cols.column(field)
}

// importTable is a list file read into rows, before validation.
type importTable struct {
	file    string
	unit    string // "行" for rows of a sheet, "条" for JSON objects
	cols    *columnMap
	records []importRecord
}

// items validates the records and builds the items, all or nothing.
func (t *importTable) items(opts ImportOptions) ([]Item, error) {
	if len(t.records) == 0 {
		msg := "清单为空"
		if t.cols != nil && len(t.cols.header) > 0 && t.unit == "行" {
			msg = "清单为空（只有表头，没有数据行）"
		}
		return nil, &ImportError{File: t.file, Message: msg}
	}
	p := newImportProblems(t.file, t.unit)
	seen := map[string]int{} // id -> row where it first appeared
	items := make([]Item, 0, len(t.records))
	for _, rec := range t.records {
		if p.truncated {
			break
		}
		it, field, msg := t.item(rec, opts)
		if msg != "" {
			col := t.column(rec, field)
			if col == "" && field != "" {
				msg += fmt.Sprintf("（没有“%s”列）", fieldLabel[field])
			}
			p.add(rec.row, col, msg)
			continue
		}
		if first, dup := seen[it.ID]; dup {
			p.add(rec.row, t.column(rec, "id"), fmt.Sprintf("编号 “%s” 与第 %d %s重复", it.ID, first, t.unit))
			continue
		}
		seen[it.ID] = rec.row
		items = append(items, it)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return items, nil
}

// item builds and checks one record; on a problem it returns the field at fault and a message.
func (t *importTable) item(rec importRecord, opts ImportOptions) (it Item, field, msg string) {
	for _, f := range ItemFields {
		if v, ok := rec.values[f]; ok && f != "mode" && f != "department" {
			it.SetField(f, v)
		}
	}
	if v := rec.values["mode"]; v != "" {
		it.Mode = ParseMode(v)
	} else {
		it.Mode = opts.DefaultMode
	}
	unknownDept := false
	if v := rec.values["department"]; v != "" {
		if code, ok := opts.ResolveDept(v); ok {
			it.Department = code
		} else {
			it.Department, unknownDept = v, true
		}
	}
	if err := it.Validate(func(string) bool { return !unknownDept }); err != nil {
		var fe *FieldError
		if !errors.As(err, &fe) {
			return it, "", err.Error()
		}
		if fe.Field == "mode" && it.Mode == "" {
			return it, fe.Field, "实施方式为空"
		}
		return it, fe.Field, fe.Message
	}
	if it.Mode == ModeCommitment && it.Verification == "" {
		return it, "verification", "告知承诺事项须填写核查方式"
	}
	return it, "", ""
}

// ImportError names where a file is wrong. Row 0 is the file as a whole; Column is ""
// when the problem is not about one column. Error() reads, for example,
// `items.xlsx 第 7 行 “证明名称” 列: 证明名称为空`.
type ImportError struct {
	File    string
	Row     int
	Column  string
	Message string

	unit string // "行" (default) or "条" for JSON objects
}

func (e *ImportError) Error() string { return e.File + e.where() + ": " + e.Message }

// where is the place inside the file, with a leading space, or "".
func (e *ImportError) where() string {
	var b strings.Builder
	if e.Row > 0 {
		unit := e.unit
		if unit == "" {
			unit = "行"
		}
		fmt.Fprintf(&b, " 第 %d %s", e.Row, unit)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, " “%s” 列", e.Column)
	}
	return b.String()
}

// maxImportProblems bounds how many problems one import reports.
const maxImportProblems = 20

// ImportErrors is returned when a file has several problems; it lists up to 20.
type ImportErrors struct {
	File      string
	Problems  []*ImportError
	Truncated bool // more problems were found than are listed
}

// Error is one line: the count, then each problem's place and message.
func (e *ImportErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: 发现 %d 处问题", e.File, len(e.Problems))
	if e.Truncated {
		fmt.Fprintf(&b, "（只列出前 %d 处）", len(e.Problems))
	}
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString("：")
		} else {
			b.WriteString("；")
		}
		if w := strings.TrimSpace(p.where()); w != "" {
			b.WriteString(w + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// Unwrap lets errors.As find each *ImportError.
func (e *ImportErrors) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// importProblems collects the problems of one file.
type importProblems struct {
	file, unit string
	list       []*ImportError
	truncated  bool
}

func newImportProblems(file, unit string) *importProblems {
	return &importProblems{file: file, unit: unit}
}

func (p *importProblems) add(row int, column, msg string) {
	if p.full() {
		p.truncated = true
		return
	}
	p.list = append(p.list, &ImportError{File: p.file, Row: row, Column: column, Message: msg, unit: p.unit})
}

func (p *importProblems) full() bool { return len(p.list) >= maxImportProblems }

// err is nil, the single problem, or all of them.
func (p *importProblems) err() error {
	switch len(p.list) {
	case 0:
		return nil
	case 1:
		return p.list[0]
	}
	return &ImportErrors{File: p.file, Problems: p.list, Truncated: p.truncated}
}
