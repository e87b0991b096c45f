package routing

// Decision is the classifier's verdict on one complaint or consultation. Its JSON form is the
// `chengnuo route --json` contract of DESIGN.md: keep the keys exactly.
type Decision struct {
	Type       CaseType `json:"type"`
	Department string   `json:"department"` // department code; CodeTriage when Triage is set
	Street     string   `json:"street"`     // street office code (jd-…) or empty
	Items      []string `json:"items"`      // matched item ids (BQ-…), best first; never nil in JSON
	Confidence float64  `json:"confidence"` // 0..1, the normalised margin of the department vote
	Reasons    []string `json:"reasons"`    // Chinese sentences a clerk can read
	Triage     bool     `json:"triage"`     // true: the classifier was unsure and sent it to the triage desk
}
