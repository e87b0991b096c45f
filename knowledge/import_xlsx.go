package knowledge

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// parseXLSX reads the first sheet of a workbook. Merged cells are filled with their
// value, so a department merged down several rows applies to each of them.
func parseXLSX(data []byte, name string, opts ImportOptions) (*importTable, error) {
	// Bound decompression too: a small zip may inflate enormously.
	limit := max(32*opts.maxBytes(), 64<<20)
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: limit})
	if err != nil {
		return nil, &ImportError{File: name, Message: fmt.Sprintf("无法读取 XLSX 文件（.xls 等旧格式请先另存为 .xlsx）：%v", err)}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &ImportError{File: name, Message: "清单为空"}
	}
	grid, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, &ImportError{File: name, Message: fmt.Sprintf("无法读取工作表 “%s”：%v", sheets[0], err)}
	}
	merges, err := f.GetMergeCells(sheets[0])
	if err != nil {
		return nil, &ImportError{File: name, Message: fmt.Sprintf("无法读取工作表 “%s” 的合并单元格：%v", sheets[0], err)}
	}
	for _, m := range merges {
		fillMerge(grid, m.GetStartAxis(), m.GetEndAxis(), m.GetCellValue())
	}
	rows := make([]importRow, len(grid))
	for i, cells := range grid {
		rows[i] = importRow{num: i + 1, cells: cells}
	}
	return tableFromRows(name, rows, opts)
}

// fillMerge copies a merged range's value into every cell of the range that the grid holds.
func fillMerge(grid [][]string, start, end, value string) {
	c1, r1, err1 := excelize.CellNameToCoordinates(start)
	c2, r2, err2 := excelize.CellNameToCoordinates(end)
	if err1 != nil || err2 != nil || value == "" {
		return
	}
	for r := r1; r <= r2 && r <= len(grid); r++ {
		row := grid[r-1]
		for len(row) < c2 {
			row = append(row, "")
		}
		for c := c1; c <= c2; c++ {
			row[c-1] = value
		}
		grid[r-1] = row
	}
}
