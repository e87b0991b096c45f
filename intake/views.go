package intake

import (
	"time"

	"chengnuo/routing"
)

// CaseStatusView is what the hotline and the portal see of their case (GET /v1/cases/{id}):
// where it stands and the answer, never the text or who filed it.
type CaseStatusView struct {
	CaseID         string `json:"case_id"`
	Channel        string `json:"channel"`
	ExternalRef    string `json:"external_ref,omitempty"`
	Type           string `json:"type"`
	Status         string `json:"status"`
	StatusLabel    string `json:"status_label"`
	Department     string `json:"department"`
	DepartmentName string `json:"department_name,omitempty"`
	ReceivedAt     string `json:"received_at"`
	DispatchedAt   string `json:"dispatched_at,omitempty"`
	AcceptBy       string `json:"accept_by,omitempty"`
	ResolveBy      string `json:"resolve_by,omitempty"`
	Deadline       string `json:"deadline,omitempty"` // the resolve deadline in force (after an extension)
	AcceptedAt     string `json:"accepted_at,omitempty"`
	RepliedAt      string `json:"replied_at,omitempty"`
	Reply          string `json:"reply,omitempty"`
	ClosedAt       string `json:"closed_at,omitempty"`
	Satisfaction   string `json:"satisfaction,omitempty"`
	DuplicateOf    string `json:"duplicate_of,omitempty"`
	Overdue        bool   `json:"overdue"`
}

// DeptCaseView is a department's view of its own case (GET /v1/dept/cases/{id} and the
// answers of the actions). The complainant is shown in full, and only here: to the
// assigned department, never for an anonymous case or a report (举报). For those, the
// phones, ID-card numbers and names typed into the text, address, reply and event reasons
// and data are masked too (routing.MaskText).
type DeptCaseView struct {
	CaseStatusView
	Street        string               `json:"street,omitempty"`
	Items         []string             `json:"items"`
	Text          string               `json:"text"`
	Address       string               `json:"address,omitempty"`
	Anonymous     bool                 `json:"anonymous"`
	Complainant   *routing.Complainant `json:"complainant,omitempty"`
	Triage        bool                 `json:"triage"`
	Reasons       []string             `json:"reasons"`
	ExtensionDays int                  `json:"extension_days,omitempty"`
	ExtendedTo    string               `json:"extended_to,omitempty"`
	Events        []EventView          `json:"events,omitempty"`
}

// DeptCaseSummary is one row of GET /v1/dept/cases.
type DeptCaseSummary struct {
	CaseID      string `json:"case_id"`
	Type        string `json:"type"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	ReceivedAt  string `json:"received_at"`
	AcceptBy    string `json:"accept_by,omitempty"`
	Deadline    string `json:"deadline,omitempty"`
	Overdue     bool   `json:"overdue"`
	Excerpt     string `json:"excerpt"` // the first 60 characters of the text, masked as DeptCaseView
}

// EventView is one step of a case's audit trail.
type EventView struct {
	Seq         int               `json:"seq"`
	Action      string            `json:"action"`
	ActionLabel string            `json:"action_label"`
	Actor       string            `json:"actor"`
	At          string            `json:"at"`
	Reason      string            `json:"reason,omitempty"`
	From        string            `json:"from,omitempty"`
	To          string            `json:"to"`
	Data        map[string]string `json:"data,omitempty"`
}

func (s *Server) statusView(c *routing.Case) CaseStatusView {
	v := CaseStatusView{CaseID: c.ID, Channel: string(c.Channel), ExternalRef: c.ExternalRef,
		Type: string(c.Type), Status: string(c.Status), StatusLabel: routing.StatusLabel(c.Status),
		Department: c.Department, ReceivedAt: stamp(c.ReceivedAt), DispatchedAt: stamp(c.DispatchedAt),
		AcceptBy: stamp(c.AcceptBy), ResolveBy: stamp(c.ResolveBy), Deadline: stamp(c.Deadline()),
		AcceptedAt: stamp(c.AcceptedAt), RepliedAt: stamp(c.RepliedAt), Reply: c.Reply,
		ClosedAt: stamp(c.ClosedAt), Satisfaction: string(c.Satisfaction), DuplicateOf: c.DuplicateOf,
		Overdue: overdue(c, s.now())}
	if s.dir != nil {
		v.DepartmentName = s.dir.Name(c.Department)
	}
	return v
}

// deptView is the view of department dept; the complainant, and the personal data typed
// into the free text, only when dept may see who filed the case (routing.Case.DisclosedTo).
func (s *Server) deptView(c *routing.Case, dept string, events []routing.Event) DeptCaseView {
	shown := c
	if !c.DisclosedTo(dept) {
		shown = c.MaskedCopy()
	}
	v := DeptCaseView{CaseStatusView: s.statusView(shown), Street: c.Street, Items: nonNil(c.Items),
		Text: shown.Text, Address: shown.Address, Anonymous: c.Anonymous, Triage: c.Triage,
		Reasons: nonNil(c.Reasons), ExtensionDays: c.ExtensionDays, ExtendedTo: stamp(c.ExtendedTo)}
	if showComplainant(c, dept) {
		who := c.Complainant
		v.Complainant = &who
	}
	for _, e := range events {
		if shown != c {
			e = routing.MaskedEvent(e, c.Complainant.Name)
		}
		v.Events = append(v.Events, EventView{Seq: e.Seq, Action: string(e.Action),
			ActionLabel: routing.ActionLabel(e.Action), Actor: e.Actor.String(), At: stamp(e.At),
			Reason: e.Reason, From: string(e.FromStatus), To: string(e.ToStatus), Data: e.Data})
	}
	return v
}

// showComplainant: only the assigned department, never for anonymous cases or reports.
func showComplainant(c *routing.Case, dept string) bool {
	return c.DisclosedTo(dept) && (c.Complainant.Name != "" || c.Complainant.Phone != "")
}

// excerpt is the first n characters of text, cut after masking so that no cut number
// escapes the mask.
func excerpt(text string, n int) string {
	ex := []rune(text)
	if len(ex) > n {
		ex = append(ex[:n], '…')
	}
	return string(ex)
}

// summary is c's row for department dept, its excerpt masked unless dept may see who filed it.
func (s *Server) summary(c *routing.Case, dept string) DeptCaseSummary {
	text := c.Text
	if !c.DisclosedTo(dept) {
		text = routing.MaskText(text, c.Complainant.Name)
	}
	return DeptCaseSummary{CaseID: c.ID, Type: string(c.Type), Status: string(c.Status),
		StatusLabel: routing.StatusLabel(c.Status), ReceivedAt: stamp(c.ReceivedAt),
		AcceptBy: stamp(c.AcceptBy), Deadline: stamp(c.DueAt()), Overdue: overdue(c, s.now()),
		Excerpt: excerpt(text, 60)}
}

// overdue: someone still owes an answer and the deadline in force has passed.
func overdue(c *routing.Case, now time.Time) bool {
	due := c.DueAt()
	return !due.IsZero() && now.After(due)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
