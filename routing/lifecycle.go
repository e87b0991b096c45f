package routing

// The case lifecycle (DESIGN.md "Routing"), as the table Transitions below:
//
//	received ─dispatch→ dispatched ─accept→ accepted ─reply→ replied ─close→ closed
//	received, dispatched, returned ─mark_duplicate→ duplicate ─undo_duplicate→ dispatched
//	dispatched, accepted ─return→ returned (triage desk) ─dispatch→ dispatched
//	dispatched ─dispatch→ dispatched (reassigned before acceptance)
//	accepted ─request_extension→ extension_requested ─grant/deny_extension→ accepted
//	extension_requested ─reply→ replied
//	closed ─rate→ closed;  closed (不满意) ─reopen→ reopened ─accept→ accepted
//	any ─reveal_contact→ the same (the assigned department looked at the phone: audit only)
//
// A reopen ends the round of handling: the round (deadlines, acceptance, reply, rating, flags)
// is kept in Case.Rounds before the case starts the next one (round.go).
//
// Reminder (催办), overdue (超期) and escalation (督办) are flags, not states: each is an
// event that sets a time on the case and keeps its status, allowed in every open status
// (OpenStatuses) and refused once set. A late case must still be accepted and answered,
// so a flag never blocks the lifecycle. A new deadline (re-dispatch, reopen, undone
// duplicate, granted extension) clears the flags so the new deadline is watched in turn.
//
// Guards beyond the table: a department acts only on its own cases (EFORBIDDEN); return
// only until SLA.ReturnBy(DispatchedAt); one extension request per round, before the
// deadline in force, ending no later than SLA.MaxExtensionBy(ResolveBy); reopen only after
// 不满意; one rating per round; overdue only once the deadline has passed.

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Action is one kind of transition of a case.
type Action string

// The actions of the lifecycle. ActReceive only creates a case; the others are in the table.
const (
	ActReceive          Action = "receive"
	ActDispatch         Action = "dispatch"          // 派单 / 转办, also re-dispatch by the triage desk
	ActAccept           Action = "accept"            // 签收
	ActReply            Action = "reply"             // 答复
	ActReturn           Action = "return"            // 退回: back to the triage desk
	ActRequestExtension Action = "request_extension" // 延期申请
	ActGrantExtension   Action = "grant_extension"
	ActDenyExtension    Action = "deny_extension"
	ActClose            Action = "close" // 办结
	ActRate             Action = "rate"  // 回访 satisfaction
	ActReopen           Action = "reopen"
	ActMarkDuplicate    Action = "mark_duplicate" // 合并
	ActUndoDuplicate    Action = "undo_duplicate"
	ActRemind           Action = "remind"       // 催办 (flag)
	ActMarkOverdue      Action = "mark_overdue" // 超期 (flag)
	ActEscalate         Action = "escalate"     // 督办 (flag)
	// ActRevealContact records that the assigned department looked at the complainant's phone
	// (to call back): an audit entry that keeps the status, allowed in every status, refused
	// for an anonymous case or a 举报 and for any other department.
	ActRevealContact Action = "reveal_contact"
)

// Actions lists every action of the transition table.
var Actions = []Action{ActDispatch, ActAccept, ActReply, ActReturn, ActRequestExtension,
	ActGrantExtension, ActDenyExtension, ActClose, ActRate, ActReopen, ActMarkDuplicate,
	ActUndoDuplicate, ActRemind, ActMarkOverdue, ActEscalate, ActRevealContact}

// Transition is one allowed row of the table: Action in From leads to To.
type Transition struct {
	From   Status
	Action Action
	To     Status
}

// flagActions set a flag and keep the status; they are allowed in every open status.
var flagActions = []Action{ActRemind, ActMarkOverdue, ActEscalate}

// Transitions is the lifecycle table. Anything not listed is refused with ECONFLICT.
var Transitions = buildTransitions()

func buildTransitions() map[Status]map[Action]Status {
	rows := []Transition{
		{StatusReceived, ActDispatch, StatusDispatched},
		{StatusReceived, ActMarkDuplicate, StatusDuplicate},

		{StatusDispatched, ActDispatch, StatusDispatched}, // reassign before acceptance
		{StatusDispatched, ActAccept, StatusAccepted},
		{StatusDispatched, ActReturn, StatusReturned},
		{StatusDispatched, ActMarkDuplicate, StatusDuplicate},

		{StatusAccepted, ActReply, StatusReplied},
		{StatusAccepted, ActReturn, StatusReturned}, // still within the return window
		{StatusAccepted, ActRequestExtension, StatusExtensionRequested},

		{StatusExtensionRequested, ActGrantExtension, StatusAccepted},
		{StatusExtensionRequested, ActDenyExtension, StatusAccepted},
		{StatusExtensionRequested, ActReply, StatusReplied}, // answering makes the request moot

		{StatusReturned, ActDispatch, StatusDispatched},
		{StatusReturned, ActMarkDuplicate, StatusDuplicate},

		{StatusReplied, ActClose, StatusClosed},

		{StatusClosed, ActRate, StatusClosed},
		{StatusClosed, ActReopen, StatusReopened}, // only after 不满意

		{StatusReopened, ActAccept, StatusAccepted},

		{StatusDuplicate, ActUndoDuplicate, StatusDispatched},
	}
	for _, s := range OpenStatuses {
		for _, a := range flagActions {
			rows = append(rows, Transition{s, a, s})
		}
	}
	for _, s := range Statuses {
		rows = append(rows, Transition{s, ActRevealContact, s})
	}
	t := map[Status]map[Action]Status{}
	for _, r := range rows {
		if t[r.From] == nil {
			t[r.From] = map[Action]Status{}
		}
		t[r.From][r.Action] = r.To
	}
	return t
}

// actionRoles says who may perform each action. A department acts only on its own cases;
// an operator may accept, reply, return and request an extension on a department's behalf.
var actionRoles = map[Action][]Role{
	ActDispatch:         {RoleOperator, RoleSystem},
	ActAccept:           {RoleDepartment, RoleOperator},
	ActReply:            {RoleDepartment, RoleOperator},
	ActReturn:           {RoleDepartment, RoleOperator},
	ActRequestExtension: {RoleDepartment, RoleOperator},
	ActGrantExtension:   {RoleOperator},
	ActDenyExtension:    {RoleOperator},
	ActClose:            {RoleOperator, RoleSystem},
	ActRate:             {RoleOperator, RoleSystem, RoleResident},
	ActReopen:           {RoleOperator, RoleSystem},
	ActMarkDuplicate:    {RoleOperator, RoleSystem},
	ActUndoDuplicate:    {RoleOperator},
	ActRemind:           {RoleSystem},
	ActMarkOverdue:      {RoleSystem},
	ActEscalate:         {RoleSystem, RoleOperator},
	ActRevealContact:    {RoleDepartment},
}

// Deadliner computes the dates the lifecycle needs. routing.SLA implements it.
type Deadliner interface {
	// Deadlines returns the accept and resolve deadlines of a case of type t dispatched at from.
	Deadlines(t CaseType, from time.Time) Deadlines
	// ReturnBy is the last moment a case dispatched at dispatchedAt may be returned.
	ReturnBy(dispatchedAt time.Time) (time.Time, bool)
	// AddWorkingDays returns the close of business n working days after from.
	AddWorkingDays(from time.Time, n int) (time.Time, bool)
	// MaxExtensionBy is the latest deadline one extension of resolveBy may grant.
	MaxExtensionBy(resolveBy time.Time) (time.Time, bool)
	// ReminderAt is when to remind about deadline for a round that started at from.
	ReminderAt(from, deadline time.Time) time.Time
}

// MaxReplyRunes caps a reply (答复) on every path (CLI, department API, console, Telegram), as
// intake caps a ticket's content: 10,000 characters.
const MaxReplyRunes = 10_000

// Command asks for one transition. Only the fields its action needs are read.
type Command struct {
	Action       Action
	Actor        Actor
	At           time.Time
	Reason       string
	Department   string       // dispatch: the department to assign
	Reply        string       // reply: the answer to the resident
	Days         int          // request_extension: working days asked for
	Satisfaction Satisfaction // rate
	DuplicateOf  string       // mark_duplicate: the open case this one repeats
}

// Lifecycle applies the transition table, with dates from the SLA.
type Lifecycle struct {
	SLA Deadliner
}

// Allowed reports whether action is allowed in status by the table (roles and guards aside).
func Allowed(s Status, a Action) (Status, bool) {
	to, ok := Transitions[s][a]
	return to, ok
}

// Receive creates the case in status received from what the channel handed in and the
// classifier decided. id is allocated by the store. The returned event has Seq 1.
func (l Lifecycle) Receive(id string, nc NewCase, d Decision, at time.Time) (Case, Event) {
	received := nc.ReceivedAt
	if received.IsZero() {
		received = at
	}
	c := Case{
		ID: id, Channel: nc.Channel, ExternalRef: nc.ExternalRef, Type: d.Type,
		Text: nc.Text, Address: nc.Address, Items: d.Items, Department: d.Department,
		Street: d.Street, Triage: d.Triage, Reasons: d.Reasons, Confidence: d.Confidence,
		Complainant: nc.Complainant, Anonymous: nc.Anonymous, Status: StatusReceived,
		ReceivedAt: received.UTC(), CalendarCovered: true, Version: 1, Fingerprint: nc.Fingerprint,
	}
	e := Event{CaseID: id, Seq: 1, Action: ActReceive, Actor: nc.Actor, At: at.UTC(),
		ToStatus: StatusReceived, Data: map[string]string{"channel": string(nc.Channel), "type": string(d.Type)}}
	if nc.ExternalRef != "" {
		e.Data["external_ref"] = nc.ExternalRef
	}
	return c, e
}

// Apply performs cmd on c and returns the changed case (Version one higher) and its event.
// A refused command returns an *Error (EFORBIDDEN, ECONFLICT or EINVALID) and changes
// nothing: c is passed by value and its slices are never written.
func (l Lifecycle) Apply(c Case, cmd Command) (Case, Event, error) {
	if err := authorize(c, cmd.Actor, cmd.Action); err != nil {
		return c, Event{}, err
	}
	to, ok := Allowed(c.Status, cmd.Action)
	if !ok {
		return c, Event{}, Errorf(ECONFLICT, "案件 %s 当前状态为%s，不能%s", c.ID, StatusLabel(c.Status), ActionLabel(cmd.Action))
	}
	at := cmd.At.UTC()
	n := c // the copy we change
	e := Event{CaseID: c.ID, Seq: c.Version + 1, Action: cmd.Action, Actor: cmd.Actor, At: at,
		Reason: strings.TrimSpace(cmd.Reason), FromStatus: c.Status, ToStatus: to, Data: map[string]string{}}
	if err := l.apply(&n, &e, cmd, at); err != nil {
		return c, Event{}, err
	}
	n.Status = to
	n.Version = e.Seq
	if !n.Status.Open() {
		n.RemindAt = time.Time{} // nobody owes an answer: nothing to remind about
	}
	if len(e.Data) == 0 {
		e.Data = nil
	}
	return n, e, nil
}

func authorize(c Case, a Actor, act Action) error {
	roles, known := actionRoles[act]
	if !known {
		return Errorf(EINVALID, "未知操作 %q", act)
	}
	permitted := false
	for _, r := range roles {
		permitted = permitted || r == a.Role
	}
	if !permitted {
		return Errorf(EFORBIDDEN, "无权%s案件 %s", ActionLabel(act), c.ID)
	}
	if a.Role == RoleDepartment && (a.Department == "" || a.Department != c.Department) {
		return Errorf(EFORBIDDEN, "案件 %s 不属于本单位", c.ID)
	}
	return nil
}

// apply checks the action's guards and changes n and e; it runs on a copy.
func (l Lifecycle) apply(n *Case, e *Event, cmd Command, at time.Time) error {
	switch cmd.Action {
	case ActDispatch:
		dept := strings.TrimSpace(cmd.Department)
		if dept == "" {
			return Errorf(EINVALID, "派单须指定承办单位")
		}
		if n.Status == StatusDispatched && dept == n.Department {
			return Errorf(EINVALID, "案件 %s 已派给该单位", n.ID)
		}
		from := at
		if n.Status == StatusReceived {
			from = n.ReceivedAt // the first deadlines count from receipt
		} else {
			n.Triage = false // a person chose the department
		}
		e.Data["from_department"] = n.Department
		n.Department = dept
		l.startRound(n, from, at)
		e.Data["department"] = dept
		e.Data["accept_by"] = stamp(n.AcceptBy)
		e.Data["resolve_by"] = stamp(n.ResolveBy)
	case ActAccept:
		n.AcceptedAt = at
		n.RemindAt = l.SLA.ReminderAt(at, n.Deadline()).UTC()
	case ActReply:
		reply := strings.TrimSpace(cmd.Reply)
		if reply == "" {
			return Errorf(EINVALID, "答复内容不能为空")
		}
		if n := utf8.RuneCountInString(reply); n > MaxReplyRunes {
			return Errorf(EINVALID, "答复内容过长：%d 字，最多 %d 字", n, MaxReplyRunes)
		}
		n.Reply, n.RepliedAt = reply, at
		e.Data["reply"] = reply
	case ActReturn:
		if e.Reason == "" {
			return Errorf(EINVALID, "退回须说明理由")
		}
		if by, _ := l.SLA.ReturnBy(n.DispatchedAt); at.After(by) {
			return Errorf(ECONFLICT, "已超过退回时限（%s），不能退回", local(by))
		}
		e.Data["from_department"] = n.Department
		n.Department, n.Triage = CodeTriage, true
		n.AcceptedAt, n.RemindAt = time.Time{}, time.Time{}
	case ActRequestExtension:
		if n.ExtensionDays > 0 {
			return Errorf(ECONFLICT, "案件 %s 已申请过延期，每轮只能申请一次", n.ID)
		}
		if e.Reason == "" {
			return Errorf(EINVALID, "延期须说明理由")
		}
		if cmd.Days <= 0 {
			return Errorf(EINVALID, "延期天数须为正数")
		}
		if !at.Before(n.Deadline()) {
			return Errorf(ECONFLICT, "已超过办理期限（%s），不能申请延期", local(n.Deadline()))
		}
		to, _ := l.SLA.AddWorkingDays(n.Deadline(), cmd.Days)
		if limit, _ := l.SLA.MaxExtensionBy(n.ResolveBy); to.After(limit) {
			return Errorf(EINVALID, "延期不能超过 %s", local(limit))
		}
		n.ExtensionDays = cmd.Days
		e.Data["days"] = strconv.Itoa(cmd.Days)
		e.Data["extended_to"] = stamp(to)
	case ActGrantExtension:
		to, covered := l.SLA.AddWorkingDays(n.Deadline(), n.ExtensionDays)
		n.ExtendedTo = to.UTC()
		n.CalendarCovered = n.CalendarCovered && covered
		n.RemindAt = l.SLA.ReminderAt(at, to).UTC()
		n.ReminderSentAt, n.OverdueAt, n.EscalatedAt = time.Time{}, time.Time{}, time.Time{}
		e.Data["days"] = strconv.Itoa(n.ExtensionDays)
		e.Data["extended_to"] = stamp(to)
	case ActDenyExtension:
		e.Data["days"] = strconv.Itoa(n.ExtensionDays)
	case ActClose:
		n.ClosedAt = at
	case ActRate:
		if !cmd.Satisfaction.Valid() {
			return Errorf(EINVALID, "满意度须为 满意、基本满意 或 不满意，收到 %q", cmd.Satisfaction)
		}
		if n.Satisfaction != "" {
			return Errorf(ECONFLICT, "案件 %s 已评价（%s）", n.ID, n.Satisfaction)
		}
		n.Satisfaction = cmd.Satisfaction
		e.Data["satisfaction"] = string(cmd.Satisfaction)
	case ActReopen:
		if n.Satisfaction != Unsatisfied {
			return Errorf(ECONFLICT, "只有评价为不满意的案件可以重办")
		}
		e.Data["satisfaction"] = string(n.Satisfaction)
		endRound(n, at)
		e.Data["round"] = strconv.Itoa(len(n.Rounds) + 1)
		n.Reply, n.RepliedAt, n.ClosedAt, n.Satisfaction = "", time.Time{}, time.Time{}, ""
		l.startRound(n, at, at)
		e.Data["accept_by"] = stamp(n.AcceptBy)
		e.Data["resolve_by"] = stamp(n.ResolveBy)
	case ActMarkDuplicate:
		of := strings.TrimSpace(cmd.DuplicateOf)
		if of == "" || of == n.ID {
			return Errorf(EINVALID, "须指定被合并的另一案件")
		}
		n.DuplicateOf = of
		n.RemindAt = time.Time{}
		e.Data["duplicate_of"] = of
	case ActUndoDuplicate:
		e.Data["duplicate_of"] = n.DuplicateOf
		n.DuplicateOf = ""
		l.startRound(n, at, at)
		e.Data["department"] = n.Department
		e.Data["accept_by"] = stamp(n.AcceptBy)
		e.Data["resolve_by"] = stamp(n.ResolveBy)
	case ActRemind:
		if n.RemindAt.IsZero() {
			return Errorf(ECONFLICT, "案件 %s 没有待发送的催办", n.ID)
		}
		if at.Before(n.RemindAt) {
			return Errorf(ECONFLICT, "案件 %s 尚未到催办时间（%s）", n.ID, local(n.RemindAt))
		}
		e.Data["remind_at"] = stamp(n.RemindAt)
		n.ReminderSentAt, n.RemindAt = at, time.Time{}
		if n.AcceptedAt.IsZero() && (n.Status == StatusDispatched || n.Status == StatusReopened) {
			e.Data["deadline"], e.Data["kind"] = stamp(n.AcceptBy), "accept"
			// Not yet accepted: the answer is still owed, so remind again before the resolve deadline.
			if next := l.SLA.ReminderAt(at, n.Deadline()); next.After(at) {
				n.RemindAt = next.UTC()
			}
		} else {
			e.Data["deadline"], e.Data["kind"] = stamp(n.Deadline()), "resolve"
		}
	case ActMarkOverdue:
		if !n.OverdueAt.IsZero() {
			return Errorf(ECONFLICT, "案件 %s 已标记超期", n.ID)
		}
		if at.Before(n.Deadline()) {
			return Errorf(ECONFLICT, "案件 %s 尚未到期（%s）", n.ID, local(n.Deadline()))
		}
		n.OverdueAt = at
		e.Data["deadline"] = stamp(n.Deadline())
	case ActRevealContact:
		if !n.DisclosedTo(cmd.Actor.Department) {
			return Errorf(EFORBIDDEN, "匿名或举报案件不能显示联系电话")
		}
		if n.Complainant.Phone == "" {
			return Errorf(ECONFLICT, "案件 %s 没有留联系电话", n.ID)
		}
		e.Data["field"] = "phone" // which datum was shown; never the datum itself
	case ActEscalate:
		if !n.EscalatedAt.IsZero() {
			return Errorf(ECONFLICT, "案件 %s 已督办", n.ID)
		}
		n.EscalatedAt = at
		e.Data["to_department"] = CodeSupervision
		e.Data["deadline"] = stamp(n.Deadline())
	default:
		return Errorf(EINVALID, "未知操作 %q", cmd.Action)
	}
	return nil
}

// startRound gives the case new deadlines counted from from, as a (re)dispatch, a reopen or
// an undone duplicate does; the previous round's acceptance, extension and flags are cleared
// (they stay in the events).
func (l Lifecycle) startRound(n *Case, from, at time.Time) {
	d := l.SLA.Deadlines(n.Type, from)
	n.DispatchedAt = at
	n.AcceptBy, n.ResolveBy, n.CalendarCovered = d.AcceptBy.UTC(), d.ResolveBy.UTC(), d.Covered
	n.AcceptedAt, n.ExtensionDays, n.ExtendedTo = time.Time{}, 0, time.Time{}
	n.ReminderSentAt, n.OverdueAt, n.EscalatedAt = time.Time{}, time.Time{}, time.Time{}
	n.RemindAt = l.SLA.ReminderAt(at, n.AcceptBy).UTC()
}

// stamp is the form of instants in event data: RFC 3339 in Asia/Shanghai.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Shanghai).Format(time.RFC3339)
}

// local is the form of instants in messages for people.
func local(t time.Time) string { return t.In(Shanghai).Format("2006-01-02 15:04") }
