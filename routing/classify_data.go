package routing

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"strings"
)

// LabelledComplaint is one labelled example: what the classifier should decide for a text.
type LabelledComplaint struct {
	Text       string
	Channel    string
	Type       CaseType
	Department string
	Street     string
	Items      []string
}

//go:embed data/complaints_examples.tsv
var builtinTrainingTSV string

// BuiltinTraining returns the 90 labelled complaints shipped with chengnuo
// (../shared/data/complaints_examples.tsv, ids unchanged; the tests read the same file).
func BuiltinTraining() []LabelledComplaint {
	list, err := ParseLabelledComplaints(strings.NewReader(builtinTrainingTSV))
	if err != nil {
		panic(fmt.Sprintf("embedded complaints_examples.tsv: %v", err)) // a build-time defect, caught by tests
	}
	return list
}

// ParseLabelledComplaints reads a TSV with the header
// text, channel, expect_type, expect_department, expect_street, expect_ids.
func ParseLabelledComplaints(r io.Reader) ([]LabelledComplaint, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var out []LabelledComplaint
	col := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		c := strings.Split(line, "\t")
		if len(col) == 0 {
			for i, h := range c {
				col[strings.TrimSpace(h)] = i
			}
			for _, h := range []string{"text", "expect_type", "expect_department"} {
				if _, ok := col[h]; !ok {
					return nil, fmt.Errorf("labelled complaints: header lacks %q", h)
				}
			}
			continue
		}
		get := func(h string) string {
			if i, ok := col[h]; ok && i < len(c) {
				return strings.TrimSpace(c[i])
			}
			return ""
		}
		lc := LabelledComplaint{Text: get("text"), Channel: get("channel"), Type: CaseType(get("expect_type")),
			Department: get("expect_department"), Street: get("expect_street"), Items: splitBar(get("expect_ids"))}
		if lc.Text == "" || !lc.Type.Valid() || lc.Department == "" {
			return nil, fmt.Errorf("labelled complaints line %d: need text, a valid type and a department", n)
		}
		out = append(out, lc)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("labelled complaints: %w", err)
	}
	return out, nil
}
