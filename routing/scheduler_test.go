package routing_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"chengnuo/routing"
	"chengnuo/store"
)

// schedEnv is a real SQLite store, the real SLA and a fake clock; reopen simulates a restart.
type schedEnv struct {
	t    *testing.T
	ctx  context.Context
	path string
	clk  *clock
	db   *store.DB
	svc  *routing.Service
	s    *routing.Scheduler
}

func newSchedEnv(t *testing.T, at time.Time) *schedEnv {
	e := &schedEnv{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "chengnuo.db"), clk: &clock{t: at}}
	e.reopen()
	t.Cleanup(func() { e.db.Close() })
	return e
}

// reopen closes the database and builds a new service and scheduler over it, as a restart does.
func (e *schedEnv) reopen() {
	if e.db != nil {
		e.db.Close()
	}
	db, err := store.Open(e.ctx, e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	e.svc = &routing.Service{Store: db, Classifier: keywordClassifier{}, SLA: routing.DefaultSLA(),
		Directory: routing.BuiltinDirectory(), Now: e.clk.Now}
	e.s = &routing.Scheduler{Service: e.svc, Due: db, Now: e.clk.Now, Batch: 2}
}

func (e *schedEnv) tick(at time.Time, want routing.TickResult) {
	e.t.Helper()
	e.clk.Set(at)
	got, err := e.s.Tick(e.ctx)
	if err != nil {
		e.t.Fatalf("tick at %s: %v", at, err)
	}
	if got != want {
		e.t.Fatalf("tick at %s = %+v, want %+v", at.Format(time.DateTime), got, want)
	}
}

func sh(month time.Month, day, hour, min int) time.Time {
	return time.Date(2026, month, day, hour, min, 0, 0, routing.Shanghai)
}

// TestSchedulerFiresOnceAcrossRestarts follows one 投诉 filed Wednesday 2026-11-25 09:30:
// accept by Thu 11-26 18:00, resolve by Wed 12-02 18:00 (5 working days). The reminder
// before acceptance is due Wed 18:00, the one before the resolve deadline Tue 12-01 18:00;
// at 12-02 18:00 the case is overdue and escalated. Each fires exactly once, restarts included.
func TestSchedulerFiresOnceAcrossRestarts(t *testing.T) {
	e := newSchedEnv(t, sh(11, 25, 9, 30))
	c, _, err := e.svc.File(e.ctx, routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: "T-1",
		Text: "社区不给开健在证明，社保窗口非要，我要投诉", Complainant: routing.Complainant{Phone: "13812341234"}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.AcceptBy.Equal(sh(11, 26, 18, 0)) || !c.ResolveBy.Equal(sh(12, 2, 18, 0)) {
		t.Fatalf("deadlines %s / %s", c.AcceptBy, c.ResolveBy)
	}
	e.tick(sh(11, 25, 17, 59), routing.TickResult{})
	e.tick(sh(11, 25, 18, 0), routing.TickResult{Reminded: 1})
	e.tick(sh(11, 25, 18, 1), routing.TickResult{})
	e.reopen()
	e.tick(sh(11, 25, 20, 0), routing.TickResult{})

	e.clk.Set(sh(11, 26, 10, 0))
	if _, err := e.svc.Accept(e.ctx, routing.Actor{Role: routing.RoleDepartment, Department: "rsj"}, c.ID); err != nil {
		t.Fatal(err)
	}
	e.tick(sh(12, 1, 17, 59), routing.TickResult{})
	e.reopen()
	e.tick(sh(12, 1, 18, 0), routing.TickResult{Reminded: 1})
	e.tick(sh(12, 1, 18, 30), routing.TickResult{})

	e.tick(sh(12, 2, 17, 59), routing.TickResult{})
	e.tick(sh(12, 2, 18, 0), routing.TickResult{Overdue: 1, Escalated: 1})
	e.tick(sh(12, 2, 18, 1), routing.TickResult{})
	e.reopen()
	e.tick(sh(12, 3, 9, 0), routing.TickResult{})

	got, err := e.db.Case(e.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.OverdueAt.IsZero() || got.EscalatedAt.IsZero() || got.Status != routing.StatusAccepted {
		t.Fatalf("after escalation: status %s overdue %v escalated %v", got.Status, got.OverdueAt, got.EscalatedAt)
	}
	// The late case can still be answered.
	e.clk.Set(sh(12, 3, 10, 0))
	if _, err := e.svc.Reply(e.ctx, routing.Actor{Role: routing.RoleDepartment, Department: "rsj"}, c.ID, "已核实，社区不再开具健在证明，已为您办理认证。"); err != nil {
		t.Fatalf("reply after escalation: %v", err)
	}

	msgs, err := e.db.OutboxPending(e.ctx, sh(12, 31, 0, 0), 1000)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range msgs {
		if m.CaseID != c.ID {
			continue
		}
		count[m.Kind+"->"+m.Target]++
		if m.Kind == "escalated" {
			var p routing.Payload
			if err := json.Unmarshal(m.Payload, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.History) < 4 || p.History[0].Action != routing.ActReceive {
				t.Fatalf("escalation to %s carries history %+v", m.Target, p.History)
			}
		}
	}
	want := map[string]int{"reminder->rsj": 2, "overdue->rsj": 1, "escalated->rsj": 1, "escalated->zfb": 1}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("outbox %s = %d, want %d (all: %v)", k, count[k], n, count)
		}
	}
}

// TestSchedulerBatches: more due cases than one query returns are all handled, once each.
func TestSchedulerBatches(t *testing.T) {
	e := newSchedEnv(t, sh(11, 25, 9, 0))
	// Different people and words, so that none is linked to another as a duplicate.
	texts := []string{
		"社保窗口要我妈的健在证明，社区早就不开了",
		"纺织城这边领养老金，工作人员非要健在证明才给认证",
		"老父亲九十岁行动不便，认证时又被要求交健在证明，跑了三趟",
		"健在证明到底谁开？街道说社区开，社区说不归他们",
		"去年视频认证过了，今年柜台还让补健在证明，太麻烦",
		"外地退休回灞桥住，社保所说没有健在证明就停发",
		"帮邻居老太太问：养老金资格认证还需不需要健在证明",
	}
	for i, text := range texts {
		e.clk.Set(sh(11, 25, 9, i))
		if _, _, err := e.svc.File(e.ctx, routing.NewCase{Channel: routing.ChannelPortal, ExternalRef: "P-" + string(rune('a'+i)),
			Text: text, Complainant: routing.Complainant{Phone: "1390000000" + string(rune('0'+i))}}); err != nil {
			t.Fatal(err)
		}
	}
	e.tick(sh(11, 25, 18, 0), routing.TickResult{Reminded: 7}) // Batch is 2: four queries
	e.tick(sh(11, 25, 18, 5), routing.TickResult{})
	e.tick(sh(12, 2, 18, 0), routing.TickResult{Reminded: 7, Overdue: 7, Escalated: 7})
	e.reopen()
	e.tick(sh(12, 2, 18, 5), routing.TickResult{})
}
