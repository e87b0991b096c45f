package routing

import (
	"fmt"
	"sort"
	"strings"
)

// TraceBallots makes Classify report every department ballot to fn (nil stops it). Tests only.
func TraceBallots(fn func(text, ballot string)) {
	if fn == nil {
		classifyTrace = nil
		return
	}
	classifyTrace = func(text string, scores map[string]float64, reasons map[string][]string) {
		var parts []string
		for c, s := range scores {
			parts = append(parts, fmt.Sprintf("%s=%.2f%v", c, s, reasons[c]))
		}
		sort.Strings(parts)
		fn(text, strings.Join(parts, " "))
	}
}
