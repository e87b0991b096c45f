package knowledge

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// decodeText turns a text file into UTF-8: UTF-8 with or without BOM, UTF-16 with BOM
// (Excel's "Unicode text"), or GB18030 when the bytes are not valid UTF-8.
func decodeText(data []byte, name string) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return "", &ImportError{File: name, Message: "UTF-16 文本无法解码"}
		}
		return string(out), nil
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return "", &ImportError{File: name, Message: "文件编码无法识别（应为 UTF-8 或 GB18030）"}
	}
	return string(out), nil
}

// parseCSV reads comma-separated values with the usual quoting.
func parseCSV(data []byte, name string, opts ImportOptions) (*importTable, error) {
	text, err := decodeText(data, name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows []importRow
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			row := 0
			if errors.As(err, &pe) {
				row = pe.Line
			}
			return nil, &ImportError{File: name, Row: row, Message: fmt.Sprintf("CSV 格式错误：%v", err)}
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, importRow{num: line, cells: cells})
	}
	return tableFromRows(name, rows, opts)
}

// parseTSV reads tab-separated lines without quoting, as items.tsv is written.
func parseTSV(data []byte, name string, opts ImportOptions) (*importTable, error) {
	text, err := decodeText(data, name)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	rows := make([]importRow, 0, len(lines))
	for i, line := range lines {
		rows = append(rows, importRow{num: i + 1, cells: strings.Split(strings.TrimSuffix(line, "\r"), "\t")})
	}
	return tableFromRows(name, rows, opts)
}
