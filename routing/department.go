// Package routing holds the case engine: departments, classification, deadlines and escalation.
package routing

import (
	_ "embed"
	"fmt"
	"strings"
)

// Kinds of department in the directory.
const (
	KindLead   = "lead"   // coordinating bodies: zfb, xzspj (triage desk), sfj
	KindDept   = "dept"   // functional departments
	KindStreet = "street" // street offices (街道办事处), codes jd-…
)

// Well-known department codes.
const (
	CodeSupervision = "zfb"   // 区政府办公室: escalation (督办)
	CodeTriage      = "xzspj" // 区行政审批服务局: default triage desk (分拨)
	CodeJustice     = "sfj"   // 区司法局: owner of the list
)

// Department is one entry of the department directory.
type Department struct {
	Code     string
	Name     string
	Kind     string
	Aliases  []string
	Domains  []string
	Keywords []string
}

// Directory is the set of departments chengnuo can route to.
type Directory struct {
	list   []Department
	byCode map[string]int
	byName map[string]string // name or alias -> code
}

//go:embed data/departments.tsv
var builtinDepartmentsTSV string

// BuiltinDirectory returns the built-in Baqiao directory (16 district bodies, 9 street offices).
func BuiltinDirectory() *Directory {
	d, err := ParseDirectory(builtinDepartmentsTSV)
	if err != nil {
		panic(fmt.Sprintf("embedded departments.tsv: %v", err)) // a build-time defect, caught by tests
	}
	return d
}

// ParseDirectory reads departments.tsv (code, name, kind, aliases, domains, keywords).
func ParseDirectory(tsv string) (*Directory, error) {
	d := &Directory{byCode: map[string]int{}, byName: map[string]string{}}
	lines := strings.Split(strings.TrimRight(tsv, "\n"), "\n")
	for n, line := range lines[1:] {
		c := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(c) != 6 {
			return nil, fmt.Errorf("departments row %d: %d columns, want 6", n+2, len(c))
		}
		dep := Department{Code: c[0], Name: c[1], Kind: c[2],
			Aliases: splitBar(c[3]), Domains: splitBar(c[4]), Keywords: splitBar(c[5])}
		if dep.Code == "" || dep.Name == "" {
			return nil, fmt.Errorf("departments row %d: empty code or name", n+2)
		}
		if _, dup := d.byCode[dep.Code]; dup {
			return nil, fmt.Errorf("departments row %d: duplicate code %q", n+2, dep.Code)
		}
		d.byCode[dep.Code] = len(d.list)
		d.list = append(d.list, dep)
	}
	for _, dep := range d.list {
		d.byName[dep.Name] = dep.Code
		for _, a := range dep.Aliases {
			if _, taken := d.byName[a]; !taken {
				d.byName[a] = dep.Code
			}
		}
	}
	return d, nil
}

// All returns the departments in directory order.
func (d *Directory) All() []Department { return d.list }

// Get returns the department with the given code.
func (d *Directory) Get(code string) (Department, bool) {
	i, ok := d.byCode[code]
	if !ok {
		return Department{}, false
	}
	return d.list[i], true
}

// Has reports whether code is a known department code.
func (d *Directory) Has(code string) bool { _, ok := d.byCode[code]; return ok }

// Name returns the department's full name, or the code itself when unknown.
func (d *Directory) Name(code string) string {
	if dep, ok := d.Get(code); ok {
		return dep.Name
	}
	return code
}

// Resolve maps a code, a full name or an alias (as published lists write the
// requesting office, e.g. "区人社局") to a department code.
func (d *Directory) Resolve(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if d.Has(s) {
		return s, true
	}
	if code, ok := d.byName[s]; ok {
		return code, true
	}
	// Published lists write the office with or without the city and district:
	// "灞桥区人社局", "西安市灞桥区民政局", "区行政审批服务局", "纺织城街道办事处".
	rest := s
	for _, prefix := range []string{"西安市灞桥区", "灞桥区", "西安市", "区"} {
		if r, ok := strings.CutPrefix(s, prefix); ok && r != "" {
			rest = r
			break
		}
	}
	for _, p := range []string{"", "区", "灞桥区", "西安市灞桥区"} {
		if code, ok := d.byName[p+rest]; ok {
			return code, true
		}
	}
	return "", false
}

func splitBar(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
