package main

import (
	"fmt"
	"strings"
	"time"

	"chengnuo/routing"
)

// caseJSON is the JSON form of a case in `cases … --json`: the complainant and the numbers
// and names in the free text masked unless --reveal, instants in RFC 3339 Asia/Shanghai, empty ones left out.
type caseJSON struct {
	ID              string              `json:"id"`
	Created         *bool               `json:"created,omitempty"` // cases file only: false when the reference was filed before
	Channel         string              `json:"channel"`
	ExternalRef     string              `json:"external_ref,omitempty"`
	Type            string              `json:"type"`
	Status          string              `json:"status"`
	StatusLabel     string              `json:"status_label"`
	Department      string              `json:"department"`
	DepartmentName  string              `json:"department_name"`
	Street          string              `json:"street"`
	StreetName      string              `json:"street_name,omitempty"`
	Items           []string            `json:"items"`
	Triage          bool                `json:"triage"`
	Confidence      float64             `json:"confidence"`
	Reasons         []string            `json:"reasons"`
	Text            string              `json:"text"`
	Address         string              `json:"address,omitempty"`
	Complainant     routing.Complainant `json:"complainant"`
	Anonymous       bool                `json:"anonymous"`
	ReceivedAt      string              `json:"received_at"`
	DispatchedAt    string              `json:"dispatched_at,omitempty"`
	AcceptBy        string              `json:"accept_by,omitempty"`
	ResolveBy       string              `json:"resolve_by,omitempty"`
	ExtendedTo      string              `json:"extended_to,omitempty"`
	Deadline        string              `json:"deadline,omitempty"`           // the resolve deadline in force
	NextDeadline    string              `json:"next_deadline,omitempty"`      // open cases: the deadline waited for
	NextDeadlineFor string              `json:"next_deadline_kind,omitempty"` // accept (签收) or resolve (办结)
	CalendarCovered bool                `json:"calendar_covered"`
	ExtensionDays   int                 `json:"extension_days,omitempty"`
	AcceptedAt      string              `json:"accepted_at,omitempty"`
	RepliedAt       string              `json:"replied_at,omitempty"`
	Reply           string              `json:"reply,omitempty"`
	ClosedAt        string              `json:"closed_at,omitempty"`
	Satisfaction    string              `json:"satisfaction,omitempty"`
	DuplicateOf     string              `json:"duplicate_of,omitempty"`
	RemindAt        string              `json:"remind_at,omitempty"`
	ReminderSentAt  string              `json:"reminder_sent_at,omitempty"`
	OverdueAt       string              `json:"overdue_at,omitempty"`
	EscalatedAt     string              `json:"escalated_at,omitempty"`
	Overdue         bool                `json:"overdue"` // flagged, or open past its deadline now
	Escalated       bool                `json:"escalated"`
	Version         int                 `json:"version"`
	Events          []eventJSON         `json:"events,omitempty"` // cases show only
	Rounds          []roundJSON         `json:"rounds,omitempty"` // cases show only: every round, oldest first
}

// roundJSON is one round of handling in `cases show --json` (the last is the current one).
type roundJSON struct {
	N              int    `json:"n"`
	Department     string `json:"department"`
	DepartmentName string `json:"department_name"`
	DispatchedAt   string `json:"dispatched_at,omitempty"`
	AcceptBy       string `json:"accept_by,omitempty"`
	ResolveBy      string `json:"resolve_by,omitempty"`
	ExtendedTo     string `json:"extended_to,omitempty"`
	AcceptedAt     string `json:"accepted_at,omitempty"`
	AcceptedOnTime bool   `json:"accepted_on_time"`
	RepliedAt      string `json:"replied_at,omitempty"`
	AnsweredOnTime bool   `json:"answered_on_time"`
	Reply          string `json:"reply,omitempty"`
	ClosedAt       string `json:"closed_at,omitempty"`
	Satisfaction   string `json:"satisfaction,omitempty"`
	OverdueAt      string `json:"overdue_at,omitempty"`
	EscalatedAt    string `json:"escalated_at,omitempty"`
	ReopenedAt     string `json:"reopened_at,omitempty"`
}

// roundsJSON is every round of c as shown (c already masked by shown when it must be).
func (e *caseEnv) roundsJSON(c *routing.Case) []roundJSON {
	rs := c.AllRounds()
	out := make([]roundJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, roundJSON{N: r.N, Department: r.Department, DepartmentName: e.dir.Name(r.Department),
			DispatchedAt: rfc(r.DispatchedAt), AcceptBy: rfc(r.AcceptBy), ResolveBy: rfc(r.ResolveBy),
			ExtendedTo: rfc(r.ExtendedTo), AcceptedAt: rfc(r.AcceptedAt), AcceptedOnTime: r.AcceptedOnTime(),
			RepliedAt: rfc(r.RepliedAt), AnsweredOnTime: r.AnsweredOnTime(), Reply: r.Reply, ClosedAt: rfc(r.ClosedAt),
			Satisfaction: string(r.Satisfaction), OverdueAt: rfc(r.OverdueAt), EscalatedAt: rfc(r.EscalatedAt),
			ReopenedAt: rfc(r.ReopenedAt)})
	}
	return out
}

// onTime is how a step of a round went: "（按时）", "（超时）", or "" when the step is not done.
func onTime(done, ok bool) string {
	switch {
	case !done:
		return ""
	case ok:
		return "（按时）"
	default:
		return "（超时）"
	}
}

// roundSummary is one ended round in words, for the export and cases show:
// "第1轮 区人社局：签收 2026-11-25 10:30（按时）；答复 2026-11-26 09:00（按时）；满意度 不满意；重办 2026-11-27 10:00".
func (e *caseEnv) roundSummary(r routing.Round, withReply bool) string {
	parts := []string{}
	if !r.AcceptedAt.IsZero() {
		parts = append(parts, "签收 "+clock(r.AcceptedAt)+onTime(true, r.AcceptedOnTime()))
	} else {
		parts = append(parts, "未签收")
	}
	if !r.RepliedAt.IsZero() {
		parts = append(parts, "答复 "+clock(r.RepliedAt)+onTime(true, r.AnsweredOnTime()))
	} else {
		parts = append(parts, "未答复")
	}
	if !r.ExtendedTo.IsZero() {
		parts = append(parts, "延期至 "+clock(r.ExtendedTo))
	}
	if !r.EscalatedAt.IsZero() {
		parts = append(parts, "督办")
	}
	if r.Satisfaction != "" {
		parts = append(parts, "满意度 "+string(r.Satisfaction))
	}
	if !r.ReopenedAt.IsZero() {
		parts = append(parts, "重办 "+clock(r.ReopenedAt))
	}
	if withReply && r.Reply != "" {
		parts = append(parts, "答复内容："+flat(r.Reply))
	}
	return fmt.Sprintf("第%d轮 %s：%s", r.N, shortDept(e.dir, r.Department), strings.Join(parts, "；"))
}

// eventJSON is one audit event in `cases show --json`.
type eventJSON struct {
	Seq         int               `json:"seq"`
	At          string            `json:"at"`
	Action      string            `json:"action"`
	ActionLabel string            `json:"action_label"`
	Actor       routing.Actor     `json:"actor"`
	FromStatus  string            `json:"from_status,omitempty"`
	ToStatus    string            `json:"to_status"`
	Reason      string            `json:"reason,omitempty"`
	Data        map[string]string `json:"data,omitempty"`
}

// toJSON converts c for output at time now.
func (e *caseEnv) toJSON(c *routing.Case, now time.Time) caseJSON {
	s := e.shown(c)
	j := caseJSON{
		ID: c.ID, Channel: string(c.Channel), ExternalRef: c.ExternalRef, Type: string(c.Type),
		Status: string(c.Status), StatusLabel: routing.StatusLabel(c.Status),
		Department: c.Department, DepartmentName: e.dir.Name(c.Department), Street: c.Street,
		Items: nonNilStrings(c.Items), Triage: c.Triage, Confidence: c.Confidence, Reasons: nonNilStrings(c.Reasons),
		Text: s.Text, Address: s.Address, Complainant: s.Complainant, Anonymous: c.Anonymous,
		ReceivedAt: rfc(c.ReceivedAt), DispatchedAt: rfc(c.DispatchedAt), AcceptBy: rfc(c.AcceptBy),
		ResolveBy: rfc(c.ResolveBy), ExtendedTo: rfc(c.ExtendedTo), Deadline: rfc(c.Deadline()),
		CalendarCovered: c.CalendarCovered, ExtensionDays: c.ExtensionDays, AcceptedAt: rfc(c.AcceptedAt),
		RepliedAt: rfc(c.RepliedAt), Reply: s.Reply, ClosedAt: rfc(c.ClosedAt), Satisfaction: string(c.Satisfaction),
		DuplicateOf: c.DuplicateOf, RemindAt: rfc(c.RemindAt), ReminderSentAt: rfc(c.ReminderSentAt),
		OverdueAt: rfc(c.OverdueAt), EscalatedAt: rfc(c.EscalatedAt),
		Overdue: isOverdue(c, now), Escalated: !c.EscalatedAt.IsZero(), Version: c.Version,
	}
	if c.Street != "" {
		j.StreetName = e.dir.Name(c.Street)
	}
	if at, kind := c.NextDeadline(); !at.IsZero() {
		j.NextDeadline, j.NextDeadlineFor = rfc(at), string(kind)
	}
	return j
}

func toEventJSON(ev routing.Event) eventJSON {
	return eventJSON{Seq: ev.Seq, At: rfc(ev.At), Action: string(ev.Action), ActionLabel: routing.ActionLabel(ev.Action),
		Actor: ev.Actor, FromStatus: string(ev.FromStatus), ToStatus: string(ev.ToStatus), Reason: ev.Reason, Data: ev.Data}
}

// isOverdue: flagged by the scheduler, or still open past the deadline in force.
func isOverdue(c *routing.Case, now time.Time) bool {
	if !c.OverdueAt.IsZero() {
		return true
	}
	due := c.DueAt()
	return !due.IsZero() && now.After(due)
}

// caseFlags is the 超期/督办 cell of a table.
func caseFlags(c *routing.Case, now time.Time) string {
	var f []string
	if isOverdue(c, now) {
		f = append(f, "超期")
	}
	if !c.EscalatedAt.IsZero() {
		f = append(f, "督办")
	}
	return strings.Join(f, "、")
}

// complainantCell is "张* 138****1234", masked unless reveal; "匿名" marks an anonymous case.
func complainantCell(c *routing.Case, reveal bool) string {
	who := c.Complainant
	if !reveal {
		who = who.Masked()
	}
	var parts []string
	for _, s := range []string{who.Name, who.Phone} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if c.Anonymous {
		parts = append(parts, "（匿名）")
	}
	return strings.Join(parts, " ")
}

// shortDept drops the city and district from a department's name for narrow table cells:
// "西安市灞桥区人力资源和社会保障局" → "人力资源和社会保障局".
func shortDept(dir *routing.Directory, code string) string {
	name := dir.Name(code)
	for _, p := range []string{"国家税务总局西安市灞桥区", "西安市灞桥区", "灞桥区", "西安市"} {
		if s, ok := strings.CutPrefix(name, p); ok && s != "" {
			return s
		}
	}
	return name
}

// deptLabel is "西安市灞桥区人力资源和社会保障局（rsj）".
func deptLabel(dir *routing.Directory, code string) string {
	if code == "" {
		return ""
	}
	return dir.Name(code) + "（" + code + "）"
}

// rfc is the JSON form of an instant; "" for none.
func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(routing.Shanghai).Format(time.RFC3339)
}

// clock is the form of an instant for people: "2026-11-26 18:00"; "" for none.
func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(routing.Shanghai).Format("2006-01-02 15:04")
}

// flat keeps free text on one line of a table.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
