package knowledge

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// headerAliases lists, per item field, the Chinese column headers that published
// lists use for it. The English field names of ItemFields are accepted as well.
var headerAliases = map[string][]string{
	"id":           {"序号", "编号", "事项编码"},
	"certificate":  {"证明名称", "证明事项名称", "证明材料名称"},
	"matter":       {"证明用途", "办理事项", "证明用途（办理事项）", "适用事项", "涉及的行政事项"},
	"mode":         {"实施方式", "处理方式", "办理方式", "类型", "清理结果"},
	"department":   {"索要单位", "实施机关", "承办单位", "索要部门"},
	"issuer":       {"开具单位", "出具单位"},
	"basis":        {"设定依据", "法律依据", "依据"},
	"verification": {"核查方式", "核查办法", "事中事后核查方式"},
	"domain":       {"领域", "所属领域", "行业领域"},
	"aliases":      {"别名", "俗称"},
	"note":         {"备注", "说明"},
	"source":       {"来源", "出处"},
}

// headerExactOnly are aliases too generic to be matched inside a longer header
// ("事项类型" is not the mode, "填表说明" is not a note).
var headerExactOnly = map[string]bool{"类型": true, "说明": true}

// fieldLabel is the Chinese name of a field used in messages when the file has no such column.
var fieldLabel = map[string]string{
	"id": "序号", "certificate": "证明名称", "matter": "证明用途（办理事项）", "mode": "实施方式",
	"department": "索要单位", "issuer": "开具单位", "basis": "设定依据", "verification": "核查方式",
	"domain": "领域", "aliases": "别名", "note": "备注", "source": "来源",
}

// Header match quality: an exact match beats a match by containment.
const (
	matchNone = iota
	matchContains
	matchExact
)

// maxHeaderRunes keeps long title or data cells from being taken for headers by containment.
const maxHeaderRunes = 24

// cleanCell trims a cell and normalises the spaces that office software leaves in it:
// BOM, full-width and no-break spaces. Chinese punctuation is kept as is.
func cleanCell(s string) string {
	if !strings.ContainsAny(s, "\ufeff\u3000\u00a0") {
		return strings.TrimSpace(s)
	}
	s = strings.ReplaceAll(s, "\ufeff", "")
	s = strings.NewReplacer("\u3000", " ", "\u00a0", " ").Replace(s)
	return strings.TrimSpace(s)
}

// normalizeHeader prepares a header for matching: cleaned, every space removed
// (wrapped Excel headers carry line breaks), surrounding "*" (required-column marks) removed.
func normalizeHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\ufeff' {
			return -1
		}
		return r
	}, cleanCell(s))
	return strings.Trim(s, "*＊")
}

// stripParens removes parenthesised content: "证明名称（材料）" → "证明名称".
func stripParens(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '（', '【', '[':
			depth++
		case ')', '）', '】', ']':
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return strings.Trim(b.String(), "*＊")
}

// matchHeader maps one column header to an item field and says how well it matched.
func matchHeader(raw string) (field string, quality int) {
	h := normalizeHeader(raw)
	if h == "" {
		return "", matchNone
	}
	bare := stripParens(h)
	for _, f := range ItemFields {
		if strings.EqualFold(h, f) || strings.EqualFold(bare, f) {
			return f, matchExact
		}
	}
	for _, f := range ItemFields {
		for _, a := range headerAliases[f] {
			if h == a || bare == a {
				return f, matchExact
			}
		}
	}
	if utf8.RuneCountInString(h) > maxHeaderRunes {
		return "", matchNone
	}
	// Containment: the longest alias found wins, so "设定依据及条款" is basis via 设定依据.
	best, bestLen := "", 0
	for _, f := range ItemFields {
		for _, a := range headerAliases[f] {
			if headerExactOnly[a] {
				continue
			}
			if n := utf8.RuneCountInString(a); n > bestLen && (strings.Contains(bare, a) || strings.Contains(h, a)) {
				best, bestLen = f, n
			}
		}
	}
	if best == "" {
		return "", matchNone
	}
	return best, matchContains
}

// columnMap says which column of a file holds each field, and the header text used for it.
type columnMap struct {
	index   map[string]int    // field -> column index (tabular files)
	header  map[string]string // field -> header as written in the file
	quality map[string]int
}

func newColumnMap() *columnMap {
	return &columnMap{index: map[string]int{}, header: map[string]string{}, quality: map[string]int{}}
}

// add records that column i with header raw holds a field; an exact match replaces a
// containment match, and otherwise the first column wins.
func (m *columnMap) add(i int, raw string) {
	f, q := matchHeader(raw)
	if q == matchNone || q <= m.quality[f] {
		return
	}
	m.index[f], m.header[f], m.quality[f] = i, cleanCell(raw), q
}

func (m *columnMap) has(field string) bool { _, ok := m.header[field]; return ok }

// column names the column of a field for messages: the file's own header, or "" when absent.
func (m *columnMap) column(field string) string { return m.header[field] }

// mapHeaderRow maps a row of header cells.
func mapHeaderRow(cells []string) *columnMap {
	m := newColumnMap()
	for i, c := range cells {
		m.add(i, c)
	}
	return m
}

// requiredFields are the columns every list must have; mode only when no default is given.
func requiredFields(defaultMode Mode) []string {
	req := []string{"id", "certificate", "matter", "department"}
	if defaultMode == "" {
		req = append(req, "mode")
	}
	return req
}

// importRow is one row of a sheet or CSV file with its 1-based row (line) number.
type importRow struct {
	num   int
	cells []string
}

// maxHeaderScan bounds the search for the header row below title rows.
const maxHeaderScan = 10

// tableFromRows finds the header row (the first row naming the certificate column,
// below any title rows) and turns the rows under it into records.
func tableFromRows(file string, rows []importRow, opts ImportOptions) (*importTable, error) {
	t := &importTable{file: file, unit: "行"}
	headerAt, scanned := -1, 0
	for i, r := range rows {
		if blankCells(r.cells) {
			continue
		}
		if scanned++; scanned > maxHeaderScan {
			break
		}
		if m := mapHeaderRow(r.cells); m.has("certificate") {
			t.cols, headerAt = m, i
			break
		}
	}
	if scanned == 0 {
		return nil, &ImportError{File: file, Message: "清单为空"}
	}
	if headerAt < 0 {
		return nil, &ImportError{File: file, Message: "未找到表头：缺少“证明名称”列（表头应含 证明名称/证明事项名称/证明材料名称 或 certificate）"}
	}
	if err := t.checkColumns(rows[headerAt].num, opts); err != nil {
		return nil, err
	}
	for _, r := range rows[headerAt+1:] {
		rec := importRecord{row: r.num, values: map[string]string{}}
		blank := true
		for f, i := range t.cols.index {
			if i < len(r.cells) {
				v := cleanCell(r.cells[i])
				rec.values[f] = v
				blank = blank && v == ""
			}
		}
		if !blank {
			t.records = append(t.records, rec)
		}
	}
	return t, nil
}

// checkColumns reports the required columns missing from the header.
func (t *importTable) checkColumns(headerRow int, opts ImportOptions) error {
	p := newImportProblems(t.file, t.unit)
	for _, f := range requiredFields(opts.DefaultMode) {
		if !t.cols.has(f) {
			msg := fmt.Sprintf("表头缺少“%s”列", fieldLabel[f])
			if t.unit == "条" {
				msg = fmt.Sprintf("缺少“%s”字段（或 %s）", fieldLabel[f], f)
			}
			p.add(headerRow, "", msg)
		}
	}
	return p.err()
}

func blankCells(cells []string) bool {
	for _, c := range cells {
		if cleanCell(c) != "" {
			return false
		}
	}
	return true
}
