// Package knowledge holds the published item list (证明事项清单), its versions,
// the policy topics, the Chinese matcher and the answer text given to residents.
// It knows nothing of storage engines, Telegram or HTTP.
package knowledge

import (
	"fmt"
	"regexp"
	"strings"
)

// Mode says what an applicant may do about a certificate.
type Mode string

// The three modes of the published list.
const (
	ModeCommitment Mode = "commitment" // 告知承诺: a signed commitment may replace the certificate
	ModeAbolished  Mode = "abolished"  // 已取消: the certificate may no longer be demanded
	ModeRetained   Mode = "retained"   // 保留: the certificate must still be submitted
)

// Valid reports whether m is one of the known modes.
func (m Mode) Valid() bool {
	switch m {
	case ModeCommitment, ModeAbolished, ModeRetained:
		return true
	}
	return false
}

// Label is the mode's Chinese name as residents read it.
func (m Mode) Label() string {
	switch m {
	case ModeCommitment:
		return "告知承诺"
	case ModeAbolished:
		return "已取消"
	case ModeRetained:
		return "仍需提交"
	}
	return string(m)
}

// Item is one row of the published list: one certificate demanded for one matter.
type Item struct {
	ID           string   `json:"id"`
	Certificate  string   `json:"certificate"`
	Matter       string   `json:"matter"`
	Mode         Mode     `json:"mode"`
	Department   string   `json:"department"`
	Issuer       string   `json:"issuer,omitempty"`
	Basis        string   `json:"basis,omitempty"`
	Verification string   `json:"verification,omitempty"`
	Domain       string   `json:"domain,omitempty"`
	Aliases      []string `json:"aliases,omitempty"`
	Note         string   `json:"note,omitempty"`
	Source       string   `json:"source,omitempty"`
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// FieldError names the field of an item that failed validation.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Validate checks one item on its own. knownDept, when not nil, reports whether
// a department code exists.
func (it *Item) Validate(knownDept func(code string) bool) error {
	switch {
	case it.ID == "":
		return &FieldError{"id", "编号为空"}
	case !idPattern.MatchString(it.ID):
		return &FieldError{"id", fmt.Sprintf("编号 %q 含有不允许的字符", it.ID)}
	case strings.TrimSpace(it.Certificate) == "":
		return &FieldError{"certificate", "证明名称为空"}
	case strings.TrimSpace(it.Matter) == "":
		return &FieldError{"matter", "办理事项为空"}
	case !it.Mode.Valid():
		return &FieldError{"mode", fmt.Sprintf("实施方式 %q 无法识别（应为 告知承诺/已取消/保留 或 commitment/abolished/retained）", it.Mode)}
	case it.Department == "":
		return &FieldError{"department", "索要单位为空"}
	case knownDept != nil && !knownDept(it.Department):
		return &FieldError{"department", fmt.Sprintf("索要单位 %q 不在部门目录中", it.Department)}
	}
	return nil
}

// ItemFields lists the item's fields in the canonical column order of items.tsv.
var ItemFields = []string{"id", "certificate", "matter", "mode", "department", "issuer",
	"basis", "verification", "domain", "aliases", "note", "source"}

// Field returns the value of the named field, aliases joined by "|".
func (it *Item) Field(name string) string {
	switch name {
	case "id":
		return it.ID
	case "certificate":
		return it.Certificate
	case "matter":
		return it.Matter
	case "mode":
		return string(it.Mode)
	case "department":
		return it.Department
	case "issuer":
		return it.Issuer
	case "basis":
		return it.Basis
	case "verification":
		return it.Verification
	case "domain":
		return it.Domain
	case "aliases":
		return strings.Join(it.Aliases, "|")
	case "note":
		return it.Note
	case "source":
		return it.Source
	}
	return ""
}

// SetField sets the named field from its text form; aliases are split on "|".
// It reports false for an unknown field name.
func (it *Item) SetField(name, value string) bool {
	value = strings.TrimSpace(value)
	switch name {
	case "id":
		it.ID = value
	case "certificate":
		it.Certificate = value
	case "matter":
		it.Matter = value
	case "mode":
		it.Mode = ParseMode(value)
	case "department":
		it.Department = value
	case "issuer":
		it.Issuer = value
	case "basis":
		it.Basis = value
	case "verification":
		it.Verification = value
	case "domain":
		it.Domain = value
	case "aliases":
		it.Aliases = SplitAliases(value)
	case "note":
		it.Note = value
	case "source":
		it.Source = value
	default:
		return false
	}
	return true
}

// ParseMode accepts the English mode names and the Chinese wordings published lists use.
// An unrecognised value is returned as is, so that Validate can name it.
func ParseMode(s string) Mode {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "commitment", "告知承诺", "告知承诺制", "实行告知承诺", "实行告知承诺制", "承诺", "可承诺", "告知承诺办理":
		return ModeCommitment
	case "abolished", "已取消", "取消", "不再索要", "不再开具", "不得索要", "取消证明":
		return ModeAbolished
	case "retained", "保留", "仍需提交", "继续保留", "保留证明", "需提交", "不适用告知承诺":
		return ModeRetained
	}
	return Mode(s)
}

// SplitAliases splits an alias field on "|" (and the full-width and Chinese list separators
// that hand-edited lists use), dropping blanks.
func SplitAliases(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '|' || r == '｜' || r == '、' || r == ';' || r == '；'
	})
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
