package routing_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"chengnuo/routing"
	"chengnuo/store"
)

// harness is one CaseStore implementation the service scenarios run against.
type harness struct {
	name string
	open func(t *testing.T) (routing.CaseStore, func() []routing.OutboxMessage)
}

var harnesses = []harness{
	{"fake", func(t *testing.T) (routing.CaseStore, func() []routing.OutboxMessage) {
		s := newMemStore()
		return s, s.Outbox
	}},
	{"sqlite", func(t *testing.T) (routing.CaseStore, func() []routing.OutboxMessage) {
		db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "chengnuo.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, func() []routing.OutboxMessage {
			msgs, err := db.OutboxPending(context.Background(), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 10000)
			if err != nil {
				t.Fatal(err)
			}
			return msgs
		}
	}},
}

// failingStore makes Enqueue fail when fail is set: a failure after the case insert.
type failingStore struct {
	routing.CaseStore
	fail bool
}

type failingTx struct{ routing.CaseTx }

func (failingTx) Enqueue(context.Context, ...routing.OutboxMessage) error {
	return errors.New("enqueue: disk I/O error (simulated)")
}

func (s *failingStore) WithTx(ctx context.Context, fn func(routing.CaseTx) error) error {
	return s.CaseStore.WithTx(ctx, func(tx routing.CaseTx) error {
		if s.fail {
			tx = failingTx{tx}
		}
		return fn(tx)
	})
}

// env is one scenario's service, clock and store.
type env struct {
	t      *testing.T
	ctx    context.Context
	svc    *routing.Service
	clk    *clock
	store  *failingStore
	outbox func() []routing.OutboxMessage
}

var (
	start    = time.Date(2026, 11, 25, 9, 30, 0, 0, routing.Shanghai) // Wednesday
	operator = routing.Actor{Role: routing.RoleOperator, Name: "op1"}
	rsj      = routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "clerk"}
	mzj      = routing.Actor{Role: routing.RoleDepartment, Department: "mzj", Name: "clerk"}
)

func cob(days int) time.Time { return time.Date(2026, 11, 25+days, 18, 0, 0, 0, routing.Shanghai) }

func newEnv(t *testing.T, h harness) *env {
	cs, outbox := h.open(t)
	clk := &clock{t: start}
	fs := &failingStore{CaseStore: cs}
	svc := &routing.Service{Store: fs, Classifier: keywordClassifier{}, SLA: everyDay{},
		Directory: routing.BuiltinDirectory(), Now: clk.Now}
	return &env{t: t, ctx: context.Background(), svc: svc, clk: clk, store: fs, outbox: outbox}
}

func (e *env) file(ref, text, phone string) *routing.Case {
	e.t.Helper()
	c, created, err := e.svc.File(e.ctx, routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: ref,
		Text: text, Complainant: routing.Complainant{Name: "张三", Phone: phone}})
	if err != nil || !created {
		e.t.Fatalf("file %s: created %v err %v", ref, created, err)
	}
	return c
}

func (e *env) must(c *routing.Case, err error) *routing.Case {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) wantCode(err error, code string) {
	e.t.Helper()
	if routing.ErrorCode(err) != code {
		e.t.Fatalf("err = %v, want %s", err, code)
	}
}

func (e *env) get(id string) *routing.Case {
	e.t.Helper()
	return e.must(e.svc.Case(e.ctx, operator, id))
}

func (e *env) kinds() []string {
	var out []string
	for _, m := range e.outbox() {
		out = append(out, m.Kind+">"+m.Target)
	}
	return out
}

func (e *env) eventActions(id string) []string {
	e.t.Helper()
	evs, err := e.svc.Events(e.ctx, operator, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for i, ev := range evs {
		if ev.Seq != i+1 {
			e.t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
		out = append(out, string(ev.Action))
	}
	return out
}

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var scenarios = []struct {
	name string
	run  func(e *env)
}{
	{"file accept reply close rate reopen", func(e *env) {
		c := e.file("T1", "社保局要求开健在证明才能领养老金", "13812341234")
		if c.ID != "BQ20261125-0001" || c.Status != routing.StatusDispatched || c.Department != "rsj" ||
			!c.AcceptBy.Equal(cob(1)) || !c.ResolveBy.Equal(cob(5)) || c.Version != 2 {
			e.t.Fatalf("filed %+v", c)
		}
		e.clk.Add(time.Hour)
		e.must(e.svc.Accept(e.ctx, rsj, c.ID))
		e.must(e.svc.Reply(e.ctx, rsj, c.ID, "已告知可用告知承诺制办理，无需健在证明"))
		e.must(e.svc.Close(e.ctx, operator, c.ID))
		e.must(e.svc.Rate(e.ctx, operator, c.ID, routing.Unsatisfied))
		e.clk.Set(cob(2))
		r := e.must(e.svc.Reopen(e.ctx, operator, c.ID, "群众不满意"))
		if r.Status != routing.StatusReopened || r.Department != "rsj" || !r.ResolveBy.Equal(cob(7)) ||
			r.Satisfaction != "" || r.Reply != "" {
			e.t.Fatalf("reopened %+v", r)
		}
		if got := e.get(c.ID); got.Version != 7 || got.Status != routing.StatusReopened {
			e.t.Fatalf("stored %+v", got)
		}
		want := []string{"receive", "dispatch", "accept", "reply", "close", "rate", "reopen"}
		if got := e.eventActions(c.ID); !eq(got, want) {
			e.t.Fatalf("events %v", got)
		}
		wantOut := []string{"dispatched>rsj", "dispatched>hotline", "accepted>hotline", "replied>hotline", "closed>rsj", "closed>hotline",
			"reopened>rsj", "reopened>hotline"}
		if got := e.kinds(); !eq(got, wantOut) {
			e.t.Fatalf("outbox %v", got)
		}
		first := e.outbox()[0]
		var p routing.Payload
		if err := json.Unmarshal(first.Payload, &p); err != nil || p.Complainant == nil ||
			p.Complainant.Phone != "13812341234" || p.EventID != first.EventID || first.EventID != c.ID+":2:rsj" {
			e.t.Fatalf("payload %s (%v)", first.Payload, err)
		}
		// After acceptance in the new round the case can be answered again.
		e.must(e.svc.Accept(e.ctx, rsj, c.ID))
	}},
	{"return then redispatch", func(e *env) {
		c := e.file("T1", "社保局要求开健在证明", "13812341234")
		e.clk.Add(2 * time.Hour)
		_, err := e.svc.Return(e.ctx, rsj, c.ID, "")
		e.wantCode(err, routing.EINVALID)
		r := e.must(e.svc.Return(e.ctx, rsj, c.ID, "不属于本单位职责"))
		if r.Status != routing.StatusReturned || r.Department != routing.CodeTriage || !r.Triage {
			e.t.Fatalf("returned %+v", r)
		}
		_, err = e.svc.Case(e.ctx, rsj, c.ID)
		e.wantCode(err, routing.EFORBIDDEN) // no longer theirs
		_, err = e.svc.Redispatch(e.ctx, operator, c.ID, "nosuch", "")
		e.wantCode(err, routing.EINVALID)
		e.clk.Set(cob(1).Add(time.Hour))
		d := e.must(e.svc.Redispatch(e.ctx, operator, c.ID, "mzj", "民政职责"))
		if d.Status != routing.StatusDispatched || d.Department != "mzj" || d.Triage || !d.ResolveBy.Equal(cob(6)) {
			e.t.Fatalf("redispatched %+v", d)
		}
		e.must(e.svc.Accept(e.ctx, mzj, c.ID))

		// Outside the return window: refused, nothing changes.
		c2 := e.file("T2", "社保局要求开健在证明，第二件", "13900000000")
		e.clk.Set(cob(3))
		_, err = e.svc.Return(e.ctx, rsj, c2.ID, "不属于本单位职责")
		e.wantCode(err, routing.ECONFLICT)
		if got := e.get(c2.ID); got.Version != c2.Version || got.Status != routing.StatusDispatched {
			e.t.Fatalf("refused return changed %+v", got)
		}
	}},
	{"one extension before the deadline", func(e *env) {
		c := e.file("T1", "社保局要求开健在证明", "13812341234")
		e.must(e.svc.Accept(e.ctx, rsj, c.ID))
		_, err := e.svc.RequestExtension(e.ctx, rsj, c.ID, 11, "需要调查")
		e.wantCode(err, routing.EINVALID)
		e.must(e.svc.RequestExtension(e.ctx, rsj, c.ID, 3, "需要调查"))
		_, err = e.svc.RequestExtension(e.ctx, rsj, c.ID, 3, "再申请")
		e.wantCode(err, routing.ECONFLICT)
		_, err = e.svc.DecideExtension(e.ctx, rsj, c.ID, true, "")
		e.wantCode(err, routing.EFORBIDDEN) // a department cannot grant its own
		g := e.must(e.svc.DecideExtension(e.ctx, operator, c.ID, true, "同意"))
		if g.Status != routing.StatusAccepted || !g.ExtendedTo.Equal(cob(8)) || !g.Deadline().Equal(cob(8)) {
			e.t.Fatalf("granted %+v", g)
		}
		_, err = e.svc.RequestExtension(e.ctx, rsj, c.ID, 1, "再申请")
		e.wantCode(err, routing.ECONFLICT) // once only
		if got := e.kinds(); got[len(got)-2] != "extended>rsj" || got[len(got)-1] != "extended>hotline" {
			e.t.Fatalf("outbox %v", got)
		}

		late := e.file("T2", "社保局又要健在证明", "13900000000")
		e.must(e.svc.Accept(e.ctx, rsj, late.ID))
		e.clk.Set(late.ResolveBy)
		_, err = e.svc.RequestExtension(e.ctx, rsj, late.ID, 2, "来不及")
		e.wantCode(err, routing.ECONFLICT)
		// Late is still answerable: overdue is a flag, not a state.
		e.must(e.svc.MarkOverdue(e.ctx, late.ID))
		e.must(e.svc.Reply(e.ctx, rsj, late.ID, "已处理"))
	}},
	{"department isolation", func(e *env) {
		c := e.file("T1", "社保局要求开健在证明", "13812341234")
		_, err := e.svc.Accept(e.ctx, mzj, c.ID)
		e.wantCode(err, routing.EFORBIDDEN)
		_, err = e.svc.Case(e.ctx, mzj, c.ID)
		e.wantCode(err, routing.EFORBIDDEN)
		_, err = e.svc.Events(e.ctx, mzj, c.ID)
		e.wantCode(err, routing.EFORBIDDEN)
		list, err := e.svc.Cases(e.ctx, mzj, routing.CaseFilter{Department: "rsj"})
		if err != nil || len(list) != 0 {
			e.t.Fatalf("mzj sees %d cases (%v)", len(list), err)
		}
		list, err = e.svc.Cases(e.ctx, rsj, routing.CaseFilter{Status: routing.StatusDispatched})
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			e.t.Fatalf("rsj list %v %v", list, err)
		}
		resident := routing.Actor{Role: routing.RoleResident}
		_, err = e.svc.Case(e.ctx, resident, c.ID)
		e.wantCode(err, routing.EFORBIDDEN)
		_, err = e.svc.Cases(e.ctx, resident, routing.CaseFilter{})
		e.wantCode(err, routing.EFORBIDDEN)
		_, err = e.svc.Accept(e.ctx, rsj, "BQ20990101-0001")
		e.wantCode(err, routing.ENOTFOUND)
		if got := e.get(c.ID); got.Status != routing.StatusDispatched || got.Version != 2 {
			e.t.Fatalf("changed %+v", got)
		}
	}},
	{"idempotent file", func(e *env) {
		c := e.file("T1", "社保局要求开健在证明", "13812341234")
		again, created, err := e.svc.File(e.ctx, routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: "T1",
			Text: "另一段文字", Complainant: routing.Complainant{Phone: "1"}})
		if err != nil || created || again.ID != c.ID {
			e.t.Fatalf("again: %v %v %v", again, created, err)
		}
		other, created, err := e.svc.File(e.ctx, routing.NewCase{Channel: routing.ChannelPortal, ExternalRef: "T1",
			Text: "咨询告知承诺制怎么办"})
		if err != nil || !created || other.ID == c.ID || other.ID != "BQ20261125-0002" {
			e.t.Fatalf("portal: %v %v %v", other, created, err)
		}
		if n := len(e.eventActions(c.ID)); n != 2 {
			e.t.Fatalf("%d events", n)
		}
		if n := len(e.outbox()); n != 4 { // each dispatched: to rsj and to its channel
			e.t.Fatalf("%d outbox rows", n)
		}
	}},
	{"batch", func(e *env) {
		res, err := e.svc.FileBatch(e.ctx, []routing.NewCase{
			{Channel: routing.ChannelHotline, ExternalRef: "B1", Text: "社保局要求开健在证明"},
			{Channel: routing.ChannelHotline, ExternalRef: "B2", Text: "  "},
			{Channel: routing.ChannelHotline, ExternalRef: "B1", Text: "重复推送"},
			{Channel: "fax", ExternalRef: "B3", Text: "x"},
			{Channel: routing.ChannelCLI, Type: routing.TypeSuggestion, Department: "sfj", Text: "建议扩大清单"},
		})
		if err != nil {
			e.t.Fatal(err)
		}
		if !res[0].Created || res[0].Err != nil || routing.ErrorCode(res[1].Err) != routing.EINVALID ||
			res[2].Created || res[2].Case.ID != res[0].Case.ID || routing.ErrorCode(res[3].Err) != routing.EINVALID ||
			!res[4].Created || res[4].Case.Department != "sfj" || res[4].Case.Type != routing.TypeSuggestion {
			e.t.Fatalf("results %+v", res)
		}
	}},
	{"duplicate by phone, undo", func(e *env) {
		a := e.file("T1", "社保局要求开健在证明才能领养老金", "13812341234")
		e.clk.Add(24 * time.Hour)
		b := e.file("T2", "我又打电话了，健在证明的事没人管", "13812341234")
		if b.Status != routing.StatusDuplicate || b.DuplicateOf != a.ID {
			e.t.Fatalf("b %+v", b)
		}
		if got := e.kinds(); !eq(got, []string{"dispatched>rsj", "dispatched>hotline", "duplicate>hotline"}) {
			e.t.Fatalf("outbox %v", got)
		}
		// Same phone, another item: a new case.
		c := e.file("T3", "派出所要亲属关系证明", "13812341234")
		if c.Status != routing.StatusDispatched {
			e.t.Fatalf("c %+v", c)
		}
		_, err := e.svc.UndoDuplicate(e.ctx, rsj, b.ID, "")
		e.wantCode(err, routing.EFORBIDDEN)
		u := e.must(e.svc.UndoDuplicate(e.ctx, operator, b.ID, "不是同一诉求"))
		if u.Status != routing.StatusDispatched || u.DuplicateOf != "" || u.Department != "rsj" || !u.ResolveBy.Equal(cob(6)) {
			e.t.Fatalf("undone %+v", u)
		}
		// Once a's answer is given, a repeat is a new case.
		e.must(e.svc.Accept(e.ctx, rsj, a.ID))
		e.must(e.svc.Reply(e.ctx, rsj, a.ID, "已处理"))
		e.must(e.svc.Accept(e.ctx, rsj, u.ID))
		e.must(e.svc.Reply(e.ctx, rsj, u.ID, "已处理"))
		d := e.file("T4", "健在证明还是要", "13812341234")
		if d.Status != routing.StatusDispatched {
			e.t.Fatalf("d %+v", d)
		}
	}},
	{"duplicate by text", func(e *env) {
		a := e.file("T1", "派出所让我开亲属关系证明，说不开就不给办，这不是已经取消了吗？", "13800000001")
		b := e.file("T2", "派出所让我开亲属关系证明, 说不开就不给办, 这不是已经取消了吗!", "13800000002")
		if b.Status != routing.StatusDuplicate || b.DuplicateOf != a.ID {
			e.t.Fatalf("b %+v", b)
		}
		c := e.file("T3", "亲属关系证明到底还要不要开，派出所说法不一", "13800000003")
		if c.Status != routing.StatusDispatched {
			e.t.Fatalf("c %+v", c)
		}
		// An operator links by hand, and cannot link to a case no one is handling.
		m := e.must(e.svc.MarkDuplicate(e.ctx, operator, c.ID, a.ID, "同一事项"))
		if m.Status != routing.StatusDuplicate || m.DuplicateOf != a.ID {
			e.t.Fatalf("m %+v", m)
		}
		x := e.file("T4", "社保局要求开健在证明", "13800000004")
		_, err := e.svc.MarkDuplicate(e.ctx, operator, x.ID, b.ID, "")
		e.wantCode(err, routing.ECONFLICT)
		_, err = e.svc.MarkDuplicate(e.ctx, operator, x.ID, "BQ00000000-0000", "")
		e.wantCode(err, routing.EINVALID)
	}},
	{"nothing stored when the outbox write fails", func(e *env) {
		e.store.fail = true
		_, _, err := e.svc.File(e.ctx, routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: "T1",
			Text: "社保局要求开健在证明", Complainant: routing.Complainant{Phone: "13812341234"}})
		e.wantCode(err, routing.EINTERNAL)
		_, err = e.store.CaseByRef(e.ctx, routing.ChannelHotline, "T1")
		e.wantCode(err, routing.ENOTFOUND)
		if list, _ := e.svc.Cases(e.ctx, operator, routing.CaseFilter{}); len(list) != 0 {
			e.t.Fatalf("%d cases stored", len(list))
		}
		if evs, _ := e.store.Events(e.ctx, "BQ20261125-0001"); len(evs) != 0 || len(e.outbox()) != 0 {
			e.t.Fatalf("events %d outbox %d", len(evs), len(e.outbox()))
		}
		e.store.fail = false
		c := e.file("T1", "社保局要求开健在证明", "13812341234")
		if c.ID != "BQ20261125-0001" { // the id counter rolled back too
			e.t.Fatalf("id %s", c.ID)
		}
		e.store.fail = true
		_, err = e.svc.Accept(e.ctx, rsj, c.ID)
		e.wantCode(err, routing.EINTERNAL)
		if got := e.get(c.ID); got.Status != routing.StatusDispatched || got.Version != 2 || len(e.eventActions(c.ID)) != 2 {
			e.t.Fatalf("half-applied accept: %+v", got)
		}
	}},
	{"scheduler flags fire once", func(e *env) {
		c := e.file("T1", "社保局要求开健在证明", "13812341234")
		_, err := e.svc.MarkOverdue(e.ctx, c.ID)
		e.wantCode(err, routing.ECONFLICT) // not due yet
		e.clk.Set(cob(0))
		e.must(e.svc.Remind(e.ctx, c.ID))
		_, err = e.svc.Remind(e.ctx, c.ID)
		e.wantCode(err, routing.ECONFLICT)
		e.clk.Set(cob(5))
		e.must(e.svc.MarkOverdue(e.ctx, c.ID))
		_, err = e.svc.MarkOverdue(e.ctx, c.ID)
		e.wantCode(err, routing.ECONFLICT)
		e.must(e.svc.Escalate(e.ctx, routing.System, c.ID, "超期未办"))
		_, err = e.svc.Escalate(e.ctx, routing.System, c.ID, "")
		e.wantCode(err, routing.ECONFLICT)
		if got := e.kinds(); !eq(got, []string{"dispatched>rsj", "dispatched>hotline", "reminder>rsj", "overdue>rsj", "escalated>rsj", "escalated>zfb"}) {
			e.t.Fatalf("outbox %v", got)
		}
		// A late case is still accepted and answered.
		e.must(e.svc.Accept(e.ctx, rsj, c.ID))
		e.must(e.svc.Reply(e.ctx, rsj, c.ID, "已处理"))
	}},
	{"privacy of anonymous callers and reports", func(e *env) {
		for i, nc := range []routing.NewCase{
			{Channel: routing.ChannelHotline, ExternalRef: "A1", Text: "社保局要求开健在证明", Anonymous: true,
				Complainant: routing.Complainant{Name: "王五", Phone: "13811112222"}},
			{Channel: routing.ChannelHotline, ExternalRef: "A2", Type: routing.TypeReport, Text: "举报派出所索要亲属关系证明",
				Complainant: routing.Complainant{Name: "赵六", Phone: "13833334444"}},
		} {
			if _, _, err := e.svc.File(e.ctx, nc); err != nil {
				e.t.Fatal(err)
			}
			m := e.outbox()[i]
			var p routing.Payload
			if err := json.Unmarshal(m.Payload, &p); err != nil || p.Complainant != nil {
				e.t.Fatalf("%s payload leaks the caller: %s", nc.ExternalRef, m.Payload)
			}
		}
	}},
}

// TestServiceWithRealSLA: the calendar's SLA plugs in as it is.
func TestServiceWithRealSLA(t *testing.T) {
	svc := &routing.Service{Store: newMemStore(), SLA: routing.DefaultSLA(), Now: func() time.Time { return start }}
	c, _, err := svc.File(context.Background(), routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: "T1",
		Type: routing.TypeComplaint, Department: "rsj", Text: "社保局要求开健在证明"})
	if err != nil {
		t.Fatal(err)
	}
	// Received Wednesday 2026-11-25: accept by Thursday 18:00; five working days (26, 27, 30, 1, 2).
	if !c.AcceptBy.Equal(cob(1)) || !c.ResolveBy.Equal(time.Date(2026, 12, 2, 18, 0, 0, 0, routing.Shanghai)) || !c.CalendarCovered {
		t.Fatalf("deadlines %v %v covered %v", c.AcceptBy, c.ResolveBy, c.CalendarCovered)
	}
}

func TestService(t *testing.T) {
	for _, h := range harnesses {
		t.Run(h.name, func(t *testing.T) {
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) { sc.run(newEnv(t, h)) })
			}
		})
	}
}
