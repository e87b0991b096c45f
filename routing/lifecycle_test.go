package routing

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// The real SLA and classifier must plug straight into the service.
var (
	_ Deadliner      = SLA{}
	_ CaseClassifier = (*Classifier)(nil)
)

// dayDeadliner counts every day as a working day, closing at 18:00 Asia/Shanghai: simple
// enough to check dates by hand, so lifecycle tests do not depend on the holiday calendar.
type dayDeadliner struct{}

func (dayDeadliner) AddWorkingDays(from time.Time, n int) (time.Time, bool) {
	l := from.In(Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day()+n, 18, 0, 0, 0, Shanghai), true
}

func (d dayDeadliner) Deadlines(t CaseType, from time.Time) Deadlines {
	a, _ := d.AddWorkingDays(from, 1)
	r, _ := d.AddWorkingDays(from, DefaultResolveDays[t])
	return Deadlines{AcceptBy: a, ResolveBy: r, Covered: true}
}

func (d dayDeadliner) ReturnBy(at time.Time) (time.Time, bool) { return d.AddWorkingDays(at, 1) }

func (d dayDeadliner) MaxExtensionBy(r time.Time) (time.Time, bool) { return d.AddWorkingDays(r, 10) }

func (dayDeadliner) ReminderAt(from, deadline time.Time) time.Time {
	if r := deadline.Add(-24 * time.Hour); r.After(from) {
		return r
	}
	return from
}

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, Shanghai) // a Wednesday

// wantTransitions is the lifecycle written out by hand; the table must match it exactly.
const wantTransitions = `
received dispatch dispatched
received mark_duplicate duplicate
dispatched dispatch dispatched
dispatched accept accepted
dispatched return returned
dispatched mark_duplicate duplicate
dispatched remind dispatched
dispatched mark_overdue dispatched
dispatched escalate dispatched
accepted reply replied
accepted return returned
accepted request_extension extension_requested
accepted remind accepted
accepted mark_overdue accepted
accepted escalate accepted
extension_requested grant_extension accepted
extension_requested deny_extension accepted
extension_requested reply replied
extension_requested remind extension_requested
extension_requested mark_overdue extension_requested
extension_requested escalate extension_requested
returned dispatch dispatched
returned mark_duplicate duplicate
returned remind returned
returned mark_overdue returned
returned escalate returned
replied close closed
closed rate closed
closed reopen reopened
reopened accept accepted
reopened remind reopened
reopened mark_overdue reopened
reopened escalate reopened
duplicate undo_duplicate dispatched
received reveal_contact received
dispatched reveal_contact dispatched
accepted reveal_contact accepted
extension_requested reveal_contact extension_requested
returned reveal_contact returned
replied reveal_contact replied
closed reveal_contact closed
reopened reveal_contact reopened
duplicate reveal_contact duplicate
`

func parseWant(t *testing.T) map[Status]map[Action]Status {
	want := map[Status]map[Action]Status{}
	for _, line := range strings.Split(strings.TrimSpace(wantTransitions), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("bad line %q", line)
		}
		if want[Status(f[0])] == nil {
			want[Status(f[0])] = map[Action]Status{}
		}
		want[Status(f[0])][Action(f[1])] = Status(f[2])
	}
	return want
}

// fixture is a case in status s that satisfies every guard of action a, and the command
// (with a permitted actor) that performs a on it.
func fixture(s Status, a Action) (Case, Command) {
	c := Case{ID: "BQ20261125-0007", Channel: ChannelHotline, ExternalRef: "T-7", Type: TypeComplaint,
		Text: "社保局要求开具健在证明", Items: []string{"BQ-012"}, Reasons: []string{"事项 BQ-012 属区人社局"},
		Department: "rsj", Status: s, ReceivedAt: t0, DispatchedAt: t0,
		AcceptBy: t0.Add(24 * time.Hour), ResolveBy: t0.Add(5 * 24 * time.Hour), CalendarCovered: true,
		RemindAt: t0.Add(4 * 24 * time.Hour), Version: 3,
		Complainant: Complainant{Name: "张三", Phone: "13812341234"}}
	at := t0.Add(2 * time.Hour)
	switch s {
	case StatusAccepted, StatusExtensionRequested, StatusReplied, StatusClosed:
		c.AcceptedAt = t0.Add(time.Hour)
	}
	switch s {
	case StatusExtensionRequested:
		c.ExtensionDays = 3
	case StatusReplied, StatusClosed:
		c.Reply, c.RepliedAt, c.RemindAt = "已按告知承诺制办理", t0.Add(3*time.Hour), time.Time{}
	case StatusDuplicate:
		c.DuplicateOf, c.RemindAt = "BQ20261125-0001", time.Time{}
	case StatusReturned:
		c.Department, c.Triage = CodeTriage, true
	}
	if s == StatusClosed {
		c.ClosedAt = t0.Add(4 * time.Hour)
		if a == ActReopen {
			c.Satisfaction = Unsatisfied
		}
	}
	if a == ActMarkOverdue {
		at = t0.Add(6 * 24 * time.Hour)
	}
	if a == ActRemind {
		at = c.RemindAt // a reminder fires when it is due, not before
	}
	cmd := Command{Action: a, At: at, Reason: "测试理由", Department: "mzj", Reply: "已答复",
		Days: 3, Satisfaction: Satisfied, DuplicateOf: "BQ20261125-0001"}
	cmd.Actor = Actor{Role: actionRoles[a][0], Name: "tester"}
	if cmd.Actor.Role == RoleDepartment {
		cmd.Actor.Department = c.Department
	}
	return c, cmd
}

func clone(c Case) Case {
	c.Items = append([]string(nil), c.Items...)
	c.Reasons = append([]string(nil), c.Reasons...)
	return c
}

// TestTransitionMatrix tries every action in every status: each allowed pair succeeds with
// the table's target status and one event; each refused pair is ECONFLICT and changes nothing.
func TestTransitionMatrix(t *testing.T) {
	want := parseWant(t)
	if !reflect.DeepEqual(Transitions, want) {
		t.Fatalf("transition table differs from the written lifecycle:\n got %v\nwant %v", Transitions, want)
	}
	life := Lifecycle{SLA: dayDeadliner{}}
	allowed, refused := 0, 0
	for _, s := range Statuses {
		for _, a := range Actions {
			t.Run(string(s)+"/"+string(a), func(t *testing.T) {
				c, cmd := fixture(s, a)
				before := clone(c)
				n, e, err := life.Apply(c, cmd)
				if !reflect.DeepEqual(c, before) {
					t.Fatalf("input case changed")
				}
				to, ok := want[s][a]
				if !ok {
					refused++
					if ErrorCode(err) != ECONFLICT {
						t.Fatalf("err = %v, want ECONFLICT", err)
					}
					if !reflect.DeepEqual(n, before) || e.Action != "" {
						t.Fatalf("refused transition returned a changed case or an event")
					}
					return
				}
				allowed++
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if n.Status != to || n.Version != c.Version+1 {
					t.Fatalf("status %s version %d, want %s %d", n.Status, n.Version, to, c.Version+1)
				}
				if e.CaseID != c.ID || e.Seq != n.Version || e.Action != a || e.FromStatus != s || e.ToStatus != to ||
					!e.At.Equal(cmd.At) || e.Actor != cmd.Actor || e.Reason != cmd.Reason {
					t.Fatalf("event %+v", e)
				}
			})
		}
	}
	if allowed+refused != len(Statuses)*len(Actions) || allowed != len(strings.Split(strings.TrimSpace(wantTransitions), "\n")) {
		t.Fatalf("allowed %d refused %d", allowed, refused)
	}
}

// TestEveryActionHasRolesAndLabel keeps the side tables complete.
func TestEveryActionHasRolesAndLabel(t *testing.T) {
	for _, a := range Actions {
		if len(actionRoles[a]) == 0 || ActionLabel(a) == string(a) {
			t.Errorf("%s: roles %v label %q", a, actionRoles[a], ActionLabel(a))
		}
	}
	for _, s := range Statuses {
		if StatusLabel(s) == string(s) || len(Transitions[s]) == 0 {
			t.Errorf("%s: label or transitions missing", s)
		}
	}
}

// TestRoles: every action refused for the roles not listed, with EFORBIDDEN and no change.
func TestRoles(t *testing.T) {
	life := Lifecycle{SLA: dayDeadliner{}}
	roles := []Role{RoleSystem, RoleOperator, RoleDepartment, RoleResident}
	for _, a := range Actions {
		for _, r := range roles {
			var s Status
			for _, st := range Statuses {
				if _, ok := Transitions[st][a]; ok {
					s = st
					break
				}
			}
			c, cmd := fixture(s, a)
			cmd.Actor = Actor{Role: r, Department: c.Department}
			_, _, err := life.Apply(c, cmd)
			permitted := false
			for _, p := range actionRoles[a] {
				permitted = permitted || p == r
			}
			if permitted && err != nil {
				t.Errorf("%s by %s: %v", a, r, err)
			}
			if !permitted && ErrorCode(err) != EFORBIDDEN {
				t.Errorf("%s by %s: err %v, want EFORBIDDEN", a, r, err)
			}
		}
	}
}

// TestGuards: refusals inside an allowed (status, action) pair.
func TestGuards(t *testing.T) {
	life := Lifecycle{SLA: dayDeadliner{}}
	day := 24 * time.Hour
	tests := []struct {
		name   string
		status Status
		action Action
		edit   func(c *Case, cmd *Command)
		code   string
	}{
		{"department acts on another's case", StatusDispatched, ActAccept,
			func(c *Case, cmd *Command) { cmd.Actor.Department = "mzj" }, EFORBIDDEN},
		{"department without code", StatusDispatched, ActAccept,
			func(c *Case, cmd *Command) { cmd.Actor.Department = "" }, EFORBIDDEN},
		{"return after the window", StatusDispatched, ActReturn,
			func(c *Case, cmd *Command) { cmd.At = t0.Add(2 * day) }, ECONFLICT},
		{"return without reason", StatusDispatched, ActReturn,
			func(c *Case, cmd *Command) { cmd.Reason = " " }, EINVALID},
		{"second extension", StatusAccepted, ActRequestExtension,
			func(c *Case, cmd *Command) { c.ExtensionDays = 2 }, ECONFLICT},
		{"extension after the deadline", StatusAccepted, ActRequestExtension,
			func(c *Case, cmd *Command) { cmd.At = c.ResolveBy }, ECONFLICT},
		{"extension too long", StatusAccepted, ActRequestExtension,
			func(c *Case, cmd *Command) { cmd.Days = 11 }, EINVALID},
		{"extension of no days", StatusAccepted, ActRequestExtension,
			func(c *Case, cmd *Command) { cmd.Days = 0 }, EINVALID},
		{"extension without reason", StatusAccepted, ActRequestExtension,
			func(c *Case, cmd *Command) { cmd.Reason = "" }, EINVALID},
		{"empty reply", StatusAccepted, ActReply,
			func(c *Case, cmd *Command) { cmd.Reply = "  " }, EINVALID},
		{"reply too long", StatusAccepted, ActReply,
			func(c *Case, cmd *Command) { cmd.Reply = strings.Repeat("答", MaxReplyRunes+1) }, EINVALID},
		{"dispatch without department", StatusReturned, ActDispatch,
			func(c *Case, cmd *Command) { cmd.Department = "" }, EINVALID},
		{"dispatch to the same department", StatusDispatched, ActDispatch,
			func(c *Case, cmd *Command) { cmd.Department = c.Department }, EINVALID},
		{"unknown satisfaction", StatusClosed, ActRate,
			func(c *Case, cmd *Command) { cmd.Satisfaction = "还行" }, EINVALID},
		{"rated twice", StatusClosed, ActRate,
			func(c *Case, cmd *Command) { c.Satisfaction = Satisfied }, ECONFLICT},
		{"reopen a satisfied case", StatusClosed, ActReopen,
			func(c *Case, cmd *Command) { c.Satisfaction = FairlySatisfied }, ECONFLICT},
		{"duplicate of itself", StatusDispatched, ActMarkDuplicate,
			func(c *Case, cmd *Command) { cmd.DuplicateOf = c.ID }, EINVALID},
		{"remind twice", StatusAccepted, ActRemind,
			func(c *Case, cmd *Command) { c.RemindAt, c.ReminderSentAt = time.Time{}, t0 }, ECONFLICT},
		{"overdue before the deadline", StatusAccepted, ActMarkOverdue,
			func(c *Case, cmd *Command) { cmd.At = c.ResolveBy.Add(-time.Minute) }, ECONFLICT},
		{"reveal an anonymous caller", StatusAccepted, ActRevealContact,
			func(c *Case, cmd *Command) { c.Anonymous = true }, EFORBIDDEN},
		{"reveal the caller of a report", StatusAccepted, ActRevealContact,
			func(c *Case, cmd *Command) { c.Type = TypeReport }, EFORBIDDEN},
		{"reveal another department's caller", StatusAccepted, ActRevealContact,
			func(c *Case, cmd *Command) { cmd.Actor.Department = "mzj" }, EFORBIDDEN},
		{"reveal without a phone", StatusAccepted, ActRevealContact,
			func(c *Case, cmd *Command) { c.Complainant.Phone = "" }, ECONFLICT},
		{"overdue twice", StatusAccepted, ActMarkOverdue,
			func(c *Case, cmd *Command) { c.OverdueAt = c.ResolveBy }, ECONFLICT},
		{"escalate twice", StatusAccepted, ActEscalate,
			func(c *Case, cmd *Command) { c.EscalatedAt = c.ResolveBy }, ECONFLICT},
		{"unknown action", StatusAccepted, Action("delete"), func(c *Case, cmd *Command) {}, EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.action
			if _, known := actionRoles[a]; !known {
				a = ActAccept
			}
			c, cmd := fixture(tt.status, a)
			cmd.Action = tt.action
			tt.edit(&c, &cmd)
			before := clone(c)
			n, _, err := life.Apply(c, cmd)
			if ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			if ErrorMessage(err) == "" || ErrorMessage(err) == "内部错误" {
				t.Fatalf("message %q", ErrorMessage(err))
			}
			if !reflect.DeepEqual(n, before) {
				t.Fatalf("refused transition changed the case")
			}
		})
	}
}

// TestLifecycleDates checks the dates each transition sets, with the every-day calendar.
func TestLifecycleDates(t *testing.T) {
	life := Lifecycle{SLA: dayDeadliner{}}
	cob := func(days int) time.Time { return time.Date(2026, 11, 25+days, 18, 0, 0, 0, Shanghai) }
	c, e := life.Receive("BQ20261125-0001", NewCase{Channel: ChannelHotline, ExternalRef: "T1", ReceivedAt: t0,
		Text: "x", Actor: System}, Decision{Type: TypeComplaint, Department: "rsj"}, t0.Add(time.Minute))
	if e.Seq != 1 || e.Action != ActReceive || c.Status != StatusReceived || c.Version != 1 {
		t.Fatalf("receive: %+v %+v", c, e)
	}
	step := func(cmd Command) Event {
		t.Helper()
		var err error
		var ev Event
		if c, ev, err = life.Apply(c, cmd); err != nil {
			t.Fatalf("%s: %v", cmd.Action, err)
		}
		return ev
	}
	op := Actor{Role: RoleOperator, Name: "op"}
	dept := Actor{Role: RoleDepartment, Department: "rsj"}
	step(Command{Action: ActDispatch, Actor: System, At: t0.Add(time.Minute), Department: "rsj"})
	if !c.AcceptBy.Equal(cob(1)) || !c.ResolveBy.Equal(cob(5)) || !c.RemindAt.Equal(cob(0)) {
		t.Fatalf("dispatch deadlines: %v %v remind %v", c.AcceptBy, c.ResolveBy, c.RemindAt)
	}
	step(Command{Action: ActAccept, Actor: dept, At: t0.Add(time.Hour)})
	if !c.RemindAt.Equal(cob(4)) || !c.DueAt().Equal(cob(5)) {
		t.Fatalf("accept: remind %v due %v", c.RemindAt, c.DueAt())
	}
	step(Command{Action: ActRemind, Actor: System, At: cob(4)})
	if !c.RemindAt.IsZero() || !c.ReminderSentAt.Equal(cob(4)) {
		t.Fatalf("remind: %v %v", c.RemindAt, c.ReminderSentAt)
	}
	ev := step(Command{Action: ActRequestExtension, Actor: dept, At: cob(4), Days: 3, Reason: "需要核查"})
	if ev.Data["extended_to"] != cob(8).Format(time.RFC3339) {
		t.Fatalf("request data %v", ev.Data)
	}
	step(Command{Action: ActGrantExtension, Actor: op, At: cob(5).Add(time.Hour)})
	if !c.ExtendedTo.Equal(cob(8)) || !c.DueAt().Equal(cob(8)) || !c.RemindAt.Equal(cob(7)) || !c.ReminderSentAt.IsZero() {
		t.Fatalf("grant: to %v remind %v", c.ExtendedTo, c.RemindAt)
	}
	step(Command{Action: ActMarkOverdue, Actor: System, At: cob(8)})
	step(Command{Action: ActReply, Actor: dept, At: cob(8).Add(time.Hour), Reply: "已办理"})
	if !c.DueAt().IsZero() || !c.RemindAt.IsZero() || c.OverdueAt.IsZero() {
		t.Fatalf("reply: due %v remind %v overdue %v", c.DueAt(), c.RemindAt, c.OverdueAt)
	}
	step(Command{Action: ActClose, Actor: op, At: cob(9)})
	step(Command{Action: ActRate, Actor: op, At: cob(9), Satisfaction: Unsatisfied})
	ev = step(Command{Action: ActReopen, Actor: op, At: cob(10), Reason: "群众不满意"})
	if c.Status != StatusReopened || !c.ResolveBy.Equal(cob(15)) || !c.ExtendedTo.IsZero() ||
		!c.OverdueAt.IsZero() || c.Satisfaction != "" || c.Reply != "" || c.ExtensionDays != 0 ||
		ev.Data["satisfaction"] != string(Unsatisfied) {
		t.Fatalf("reopen: %+v", c)
	}
	if c.Version != 11 {
		t.Fatalf("version %d, want 11 (one per event)", c.Version)
	}
	// The round the reopen ended is kept whole: late (answered after the extended deadline),
	// accepted on time, rated 不满意.
	if len(c.Rounds) != 1 || ev.Data["round"] != "2" {
		t.Fatalf("rounds %+v, event data %v", c.Rounds, ev.Data)
	}
	r := c.Rounds[0]
	if r.N != 1 || r.Department != "rsj" || r.Reply != "已办理" || r.Satisfaction != Unsatisfied ||
		!r.ExtendedTo.Equal(cob(8)) || !r.AcceptedOnTime() || r.AnsweredOnTime() || !r.AnsweredLate() ||
		r.OverdueAt.IsZero() || !r.ClosedAt.Equal(cob(9)) || !r.ReopenedAt.Equal(cob(10)) || !r.AcceptBy.Equal(cob(1)) {
		t.Fatalf("round 1 %+v", r)
	}
	if f := c.FirstRound(); f != r || len(c.AllRounds()) != 2 || c.AllRounds()[1].N != 2 {
		t.Fatalf("first round %+v, all %+v", f, c.AllRounds())
	}
	// Apply never writes the slices of the case it was given: a second reopen of the same
	// earlier state (as a retry would compute it) does not change the first result.
	before := c
	step(Command{Action: ActAccept, Actor: dept, At: cob(11)})
	step(Command{Action: ActReply, Actor: dept, At: cob(11), Reply: "再次答复"})
	step(Command{Action: ActClose, Actor: op, At: cob(11)})
	step(Command{Action: ActRate, Actor: op, At: cob(11), Satisfaction: Unsatisfied})
	closed := c
	a, _, err := life.Apply(closed, Command{Action: ActReopen, Actor: op, At: cob(12)})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := life.Apply(closed, Command{Action: ActReopen, Actor: op, At: cob(13)})
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Rounds) != 1 || len(closed.Rounds) != 1 || len(a.Rounds) != 2 || !a.Rounds[1].ReopenedAt.Equal(cob(12)) ||
		!b.Rounds[1].ReopenedAt.Equal(cob(13)) {
		t.Fatalf("rounds shared between results: %+v / %+v", a.Rounds, b.Rounds)
	}
}

func TestStatusesAreComplete(t *testing.T) {
	var got []string
	for _, s := range Statuses {
		got = append(got, string(s))
	}
	sort.Strings(got)
	if len(got) != 9 {
		t.Fatalf("statuses %v", got)
	}
}

// TestReplyLimit: a reply of exactly MaxReplyRunes characters is stored; one more is refused
// with the limit in the message.
func TestReplyLimit(t *testing.T) {
	life := Lifecycle{SLA: dayDeadliner{}}
	c, cmd := fixture(StatusAccepted, ActReply)
	cmd.Reply = strings.Repeat("答", MaxReplyRunes)
	if _, _, err := life.Apply(c, cmd); err != nil {
		t.Fatalf("reply of %d characters: %v", MaxReplyRunes, err)
	}
	cmd.Reply += "复"
	_, _, err := life.Apply(c, cmd)
	if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "最多 10000 字") {
		t.Errorf("reply of %d characters: %v", MaxReplyRunes+1, err)
	}
}
