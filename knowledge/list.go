package knowledge

import (
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// BuiltinVersion names the list embedded in the binary; it is active until a list is imported.
const BuiltinVersion = "builtin"

// List is a whole published list as of one version.
type List struct {
	Version   string    `json:"version"`
	Label     string    `json:"label"`
	Effective time.Time `json:"effective"`
	Items     []Item    `json:"items"`
}

// Get returns the item with the given id.
func (l *List) Get(id string) (*Item, bool) {
	for i := range l.Items {
		if l.Items[i].ID == id {
			return &l.Items[i], true
		}
	}
	return nil, false
}

//go:embed data/items.tsv
var builtinItemsTSV string

// Builtin returns the sample list shipped with chengnuo (a SAMPLE, not an official list).
func Builtin() *List {
	items, err := parseBuiltinTSV(builtinItemsTSV)
	if err != nil {
		panic(fmt.Sprintf("embedded items.tsv: %v", err)) // a build-time defect, caught by tests
	}
	return &List{
		Version:   BuiltinVersion,
		Label:     "灞桥区证明事项样例清单（非官方样例）",
		Effective: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Items:     items,
	}
}

// parseBuiltinTSV reads the trusted embedded list: header line, then ItemFields-ordered rows.
func parseBuiltinTSV(data string) ([]Item, error) {
	lines := strings.Split(strings.TrimRight(data, "\n"), "\n")
	header := strings.Split(strings.TrimRight(lines[0], "\r"), "\t")
	var items []Item
	for n, line := range lines[1:] {
		cols := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(cols) != len(header) {
			return nil, fmt.Errorf("row %d: %d columns, want %d", n+2, len(cols), len(header))
		}
		var it Item
		for i, h := range header {
			it.SetField(h, cols[i])
		}
		if err := it.Validate(nil); err != nil {
			return nil, fmt.Errorf("row %d: %w", n+2, err)
		}
		items = append(items, it)
	}
	return items, nil
}
