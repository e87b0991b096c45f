package routing

import "time"

// Case is chengnuo's record of one complaint or consultation, whatever its channel.
// Times are instants (stored in UTC); deadlines are computed by the SLA in working days.
//
// Overdue, escalated and reminded are flags with their own events, not states: a late
// case must still be accepted and answered, so the flags never block the lifecycle.
type Case struct {
	ID          string  // readable, allocated by the store: "BQ20261125-0001"
	Channel     Channel // where it came from
	ExternalRef string  // ticket_no, portal message id, "chat:message" for Telegram; "" for none
	Type        CaseType
	Text        string
	Address     string
	Items       []string // matched item ids (BQ-…), best first
	Department  string   // handling department code; CodeTriage while the triage desk holds it
	Street      string   // street office code (jd-…) or ""
	Triage      bool     // the classifier was unsure, or the department returned it
	Reasons     []string // why it went where it went, in words a clerk can read
	Confidence  float64
	Complainant Complainant // stored in full, shown masked (see mask.go)
	Anonymous   bool        // identity never leaves the service
	Status      Status

	ReceivedAt      time.Time // when the channel received it; the first deadlines count from here
	DispatchedAt    time.Time // last (re)dispatch; the return window counts from here
	AcceptBy        time.Time // 签收 deadline of the current round
	ResolveBy       time.Time // 办结 deadline of the current round, before any extension
	CalendarCovered bool      // false when a deadline fell outside the holiday calendar's years
	AcceptedAt      time.Time
	ExtensionDays   int       // working days requested this round; >0 means the one request is used
	ExtendedTo      time.Time // the granted later deadline, zero when none
	RepliedAt       time.Time
	Reply           string // the answer to the resident
	ClosedAt        time.Time
	Satisfaction    Satisfaction
	DuplicateOf     string // the open case this one repeats, while Status is duplicate

	// RemindAt is when the next reminder (催办) is due: before the accept deadline until the
	// case is accepted, then before the resolve deadline; zero once sent or when nobody owes
	// an answer. The remind action clears it, so each reminder fires once.
	RemindAt time.Time

	// Scheduler flags, each set once per round by its own event. A new deadline (re-dispatch,
	// granted extension, reopen) clears them so the new deadline is watched; history stays in events.
	ReminderSentAt time.Time
	OverdueAt      time.Time
	EscalatedAt    time.Time

	// Version is the Seq of the case's last event; the store saves a change only if the
	// stored version is still the one the change was computed from (optimistic concurrency).
	Version int

	// Rounds are the rounds of handling a reopen ended, oldest first (see Round); the fields
	// above hold the current one. Loaded with a case read by id (Store.Case), the report and the
	// export; the lists leave it empty.
	Rounds []Round

	// Fingerprint is NewCase.Fingerprint of the request that filed the case, "" when none
	// was given (the CLI, the bot, cases filed before fingerprints were kept).
	Fingerprint string
}

// Complainant is the person who filed the case.
type Complainant struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Satisfaction is the resident's rating at the callback (回访).
type Satisfaction string

// The three ratings 12345 records.
const (
	Satisfied       Satisfaction = "满意"
	FairlySatisfied Satisfaction = "基本满意"
	Unsatisfied     Satisfaction = "不满意"
)

// Valid reports whether s is one of the three ratings.
func (s Satisfaction) Valid() bool {
	return s == Satisfied || s == FairlySatisfied || s == Unsatisfied
}

// Statuses lists every status, in lifecycle order.
var Statuses = []Status{StatusReceived, StatusDispatched, StatusAccepted, StatusExtensionRequested,
	StatusReturned, StatusReplied, StatusClosed, StatusReopened, StatusDuplicate}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// OpenStatuses are the states in which someone still owes the resident an answer: a
// department (dispatched, accepted, extension requested, reopened) or the triage desk
// (returned). Only these are watched by the scheduler and linked to as duplicates.
var OpenStatuses = []Status{StatusDispatched, StatusAccepted, StatusExtensionRequested, StatusReopened, StatusReturned}

// Open reports whether s is one of OpenStatuses.
func (s Status) Open() bool {
	for _, v := range OpenStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Deadline is the resolve deadline in force: the granted extension, else ResolveBy.
func (c *Case) Deadline() time.Time {
	if !c.ExtendedTo.IsZero() {
		return c.ExtendedTo
	}
	return c.ResolveBy
}

// DueAt is the deadline the scheduler watches: Deadline while the case is open, zero
// once nobody owes an answer (replied, closed, duplicate). The store indexes it.
func (c *Case) DueAt() time.Time {
	if !c.Status.Open() {
		return time.Time{}
	}
	return c.Deadline()
}

// DeadlineKind names which deadline is next for an open case.
type DeadlineKind string

// The two deadlines of a round.
const (
	DeadlineAccept  DeadlineKind = "accept"  // 签收
	DeadlineResolve DeadlineKind = "resolve" // 办结 (the granted extension when there is one)
)

// Label is the Chinese name of the deadline: 签收 or 办结.
func (k DeadlineKind) Label() string {
	switch k {
	case DeadlineAccept:
		return "签收"
	case DeadlineResolve:
		return "办结"
	}
	return string(k)
}

// AwaitsAcceptance reports whether the case waits for its department to accept it (签收): it
// was dispatched or reopened and nobody has accepted this round yet.
func (c *Case) AwaitsAcceptance() bool {
	return (c.Status == StatusDispatched || c.Status == StatusReopened) && c.AcceptedAt.IsZero()
}

// NextDeadline is the next deadline someone owes the case: the 签收 deadline while it awaits
// acceptance, else the resolve deadline in force; zero once nobody owes an answer.
func (c *Case) NextDeadline() (time.Time, DeadlineKind) {
	if !c.Status.Open() {
		return time.Time{}, ""
	}
	if c.AwaitsAcceptance() && !c.AcceptBy.IsZero() {
		return c.AcceptBy, DeadlineAccept
	}
	return c.Deadline(), DeadlineResolve
}

// VisibleTo reports whether actor may see the case: a department only its own, a resident
// none through the service (the bot checks that a case is the chat's own and reads it as
// System), operators and the system all.
func (c *Case) VisibleTo(a Actor) bool {
	switch a.Role {
	case RoleDepartment:
		return a.Department != "" && a.Department == c.Department
	case RoleOperator, RoleSystem:
		return true
	default:
		return false
	}
}

// NewCase is what a channel hands in to file a case.
type NewCase struct {
	Channel     Channel
	ExternalRef string    // idempotency key within the channel; "" files unconditionally
	ReceivedAt  time.Time // zero: now
	Type        CaseType  // optional; overrides the classifier's type
	Department  string    // optional; with Type set, the classifier is not consulted
	Text        string
	Address     string
	Complainant Complainant
	Anonymous   bool
	Actor       Actor // who files: RoleSystem for webhooks, RoleOperator at the CLI

	// Decision, when set, is what Service.Classify returned for this NewCase; filing uses it
	// instead of classifying again. Nil: filing classifies.
	Decision *Decision

	// Fingerprint, when set, is a digest of the channel's request as it means it (the
	// webhooks: the normalised fields). A repeat of ExternalRef with another fingerprint
	// than the stored case's is not a repeat but another ticket under a reused number:
	// FileResult.Err is ECONFLICT and nothing is stored. "" (or a stored case without one)
	// keeps the plain idempotency: the repeat is answered with the stored case.
	Fingerprint string
}

// Event is one transition of one case, kept forever (audit).
type Event struct {
	CaseID     string
	Seq        int // 1, 2, … within the case; equals the case's Version after the event
	Action     Action
	Actor      Actor
	At         time.Time
	Reason     string
	FromStatus Status // "" for the receive event
	ToStatus   Status
	Data       map[string]string // action details: department, days, satisfaction, reply, …
}

// Role is what kind of actor performs a transition.
type Role string

// The roles of actors.
const (
	RoleSystem     Role = "system"     // intake and the scheduler
	RoleOperator   Role = "operator"   // 12345 operator or the triage desk (分拨)
	RoleDepartment Role = "department" // a handling department; only on its own cases
	RoleResident   Role = "resident"   // the complainant (rating through the bot)
)

// Actor is who performs a transition.
type Actor struct {
	Role       Role   `json:"role"`
	Department string `json:"department,omitempty"` // for RoleDepartment: its code
	Name       string `json:"name,omitempty"`       // clerk id or name for the audit trail
}

// String names the actor for the audit trail: "department:rsj/王五", "system:chengnuo".
func (a Actor) String() string {
	s := string(a.Role)
	if a.Department != "" {
		s += ":" + a.Department
	}
	if a.Name != "" {
		s += "/" + a.Name
	}
	return s
}

// System is the actor for intake and the scheduler.
var System = Actor{Role: RoleSystem, Name: "chengnuo"}

var statusLabels = map[Status]string{
	StatusReceived: "已受理", StatusDispatched: "已派单", StatusAccepted: "已签收",
	StatusExtensionRequested: "延期申请中", StatusReturned: "已退回", StatusReplied: "已答复",
	StatusClosed: "已办结", StatusReopened: "重办", StatusDuplicate: "已合并",
}

// StatusLabel is the Chinese name of a status, for messages and tables.
func StatusLabel(s Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

var actionLabels = map[Action]string{
	ActReceive: "受理", ActDispatch: "派单", ActAccept: "签收", ActReply: "答复", ActReturn: "退回",
	ActRequestExtension: "申请延期", ActGrantExtension: "批准延期", ActDenyExtension: "驳回延期",
	ActClose: "办结", ActRate: "评价", ActReopen: "重办", ActMarkDuplicate: "合并",
	ActUndoDuplicate: "撤销合并", ActRemind: "催办", ActMarkOverdue: "标记超期", ActEscalate: "督办",
	ActRevealContact: "查看联系电话",
}

// ActionLabel is the Chinese name of an action, for messages and tables.
func ActionLabel(a Action) string {
	if l, ok := actionLabels[a]; ok {
		return l
	}
	return string(a)
}
