package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"chengnuo/routing"
)

// everyDay counts every day as a working day (close of business 18:00 Shanghai), so these
// tests do not depend on the holiday calendar.
type everyDay struct{}

func (everyDay) AddWorkingDays(from time.Time, n int) (time.Time, bool) {
	l := from.In(shanghai)
	return time.Date(l.Year(), l.Month(), l.Day()+n, 18, 0, 0, 0, shanghai), true
}

func (d everyDay) Deadlines(t routing.CaseType, from time.Time) routing.Deadlines {
	a, _ := d.AddWorkingDays(from, 1)
	r, _ := d.AddWorkingDays(from, 5)
	return routing.Deadlines{AcceptBy: a, ResolveBy: r, Covered: true}
}

func (d everyDay) ReturnBy(at time.Time) (time.Time, bool)      { return d.AddWorkingDays(at, 1) }
func (d everyDay) MaxExtensionBy(r time.Time) (time.Time, bool) { return d.AddWorkingDays(r, 10) }
func (everyDay) ReminderAt(from, deadline time.Time) time.Time {
	if r := deadline.Add(-24 * time.Hour); r.After(from) {
		return r
	}
	return from
}

var caseStart = time.Date(2026, 11, 25, 9, 30, 0, 0, shanghai)

func newService(db *DB, now func() time.Time) *routing.Service {
	return &routing.Service{Store: db, SLA: everyDay{}, Now: now}
}

func fixedNow(t time.Time) func() time.Time { return func() time.Time { return t } }

func sampleCase(i int) routing.NewCase {
	return routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: fmt.Sprintf("BQ12345-20261125-%06d", i),
		Type: routing.TypeComplaint, Department: "rsj", Text: fmt.Sprintf("第%d位群众反映社保局要求开具健在证明", i),
		Complainant: routing.Complainant{Name: "张三", Phone: fmt.Sprintf("138%08d", i)}}
}

// TestCaseRoundTrip: every field survives a write and a read.
func TestCaseRoundTrip(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	at := caseStart.UTC()
	c := &routing.Case{ID: "BQ20261125-0042", Channel: routing.ChannelPortal, ExternalRef: "M-1",
		Type: routing.TypeReport, Text: "举报内容", Address: "纺织城", Items: []string{"BQ-001", "BQ-002"},
		Department: "gafj", Street: "jd-fangzhicheng", Triage: true, Reasons: []string{"甲", "乙"}, Confidence: 0.625,
		Complainant: routing.Complainant{Name: "李四", Phone: "13912345678"}, Anonymous: true,
		Status: routing.StatusAccepted, ReceivedAt: at, DispatchedAt: at.Add(time.Minute),
		AcceptBy: at.Add(24 * time.Hour), ResolveBy: at.Add(5 * 24 * time.Hour), CalendarCovered: false,
		AcceptedAt: at.Add(time.Hour), ExtensionDays: 3, ExtendedTo: at.Add(8 * 24 * time.Hour),
		RepliedAt: at.Add(2 * time.Hour), Reply: "答复", ClosedAt: at.Add(3 * time.Hour),
		Satisfaction: routing.FairlySatisfied, DuplicateOf: "BQ20261125-0001", RemindAt: at.Add(7 * 24 * time.Hour),
		ReminderSentAt: at.Add(4 * time.Hour), OverdueAt: at.Add(5 * time.Hour), EscalatedAt: at.Add(6 * time.Hour),
		Version: 9}
	err := db.WithTx(ctx, func(tx routing.CaseTx) error { return tx.InsertCase(ctx, c) })
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
	}
	byRef, err := db.CaseByRef(ctx, routing.ChannelPortal, "M-1")
	if err != nil || byRef.ID != c.ID {
		t.Fatalf("by ref: %v %v", byRef, err)
	}
	if _, err := db.Case(ctx, "nope"); routing.ErrorCode(err) != routing.ENOTFOUND {
		t.Fatalf("missing: %v", err)
	}
	// A second insert of the same id or ref is a conflict.
	dup := *c
	dup.ID = "BQ20261125-0043"
	err = db.WithTx(ctx, func(tx routing.CaseTx) error { return tx.InsertCase(ctx, &dup) })
	if routing.ErrorCode(err) != routing.ECONFLICT {
		t.Fatalf("same ref: %v", err)
	}
	// A stale version is a conflict and changes nothing.
	stale := *got
	stale.Reply = "改写"
	err = db.WithTx(ctx, func(tx routing.CaseTx) error { return tx.UpdateCase(ctx, &stale, 8) })
	if routing.ErrorCode(err) != routing.ECONFLICT {
		t.Fatalf("stale update: %v", err)
	}
	if again, _ := db.Case(ctx, c.ID); again.Reply != "答复" {
		t.Fatalf("stale update applied")
	}
	err = db.WithTx(ctx, func(tx routing.CaseTx) error { return tx.UpdateCase(ctx, &routing.Case{ID: "nope"}, 1) })
	if routing.ErrorCode(err) != routing.ENOTFOUND {
		t.Fatalf("update missing: %v", err)
	}
}

// TestCaseIDsPerShanghaiDay: ids count per Asia/Shanghai day.
func TestCaseIDsPerShanghaiDay(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	late := time.Date(2026, 11, 25, 23, 59, 0, 0, shanghai)
	var ids []string
	err := db.WithTx(ctx, func(tx routing.CaseTx) error {
		for _, at := range []time.Time{late, late, late.Add(time.Minute), late.Add(2 * time.Minute)} {
			id, err := tx.NextCaseID(ctx, at)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	want := []string{"BQ20261125-0001", "BQ20261125-0002", "BQ20261126-0001", "BQ20261126-0002"}
	if err != nil || !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids %v (%v), want %v", ids, err, want)
	}
}

// TestConcurrentFileSameRef: 50 goroutines file the same ticket; exactly one case results.
func TestConcurrentFileSameRef(t *testing.T) {
	db := openTestDB(t)
	svc := newService(db, fixedNow(caseStart))
	ctx := context.Background()
	const n = 50
	var wg sync.WaitGroup
	ids := make([]string, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, ok, err := svc.File(ctx, sampleCase(7))
			if err == nil {
				ids[i], created[i] = c.ID, ok
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	nCreated := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("ids differ: %s %s", ids[0], ids[i])
		}
		if created[i] {
			nCreated++
		}
	}
	var cases, events, outbox int
	if err := db.read.QueryRow(`SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM case_events),
		(SELECT COUNT(*) FROM outbox)`).Scan(&cases, &events, &outbox); err != nil {
		t.Fatal(err)
	}
	if nCreated != 1 || cases != 1 || events != 2 || outbox != 2 { // dispatched: to rsj and the hotline
		t.Fatalf("created %d, rows: cases %d events %d outbox %d", nCreated, cases, events, outbox)
	}
}

// TestQueriesUseIndexes: the scheduler, duplicate, intake and outbox queries are index
// searches, never a scan of the cases table.
func TestQueriesUseIndexes(t *testing.T) {
	db := openTestDB(t)
	now := formatTime(caseStart)
	open := openStatusSQL()
	queries := map[string]struct {
		q     string
		index string
		args  []any
	}{
		"reminder": {`SELECT id FROM cases WHERE remind_at IS NOT NULL AND remind_at <= ? ORDER BY remind_at LIMIT 100`,
			"cases_remind", []any{now}},
		"overdue": {`SELECT id FROM cases WHERE ` + dueFlagsSQL + ` AND overdue_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT 100`,
			"cases_due", []any{now}},
		"escalation": {`SELECT id FROM cases WHERE ` + dueFlagsSQL + ` AND escalated_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT 100`,
			"cases_due", []any{now}},
		"phone": {`SELECT id FROM cases WHERE phone <> '' AND phone = ? AND received_at >= ? AND status IN (` + open +
			`) ORDER BY received_at DESC LIMIT 50`, "cases_phone", []any{"138", now}},
		"topic": {`SELECT id FROM cases WHERE dup_key = ? AND received_at >= ? AND status IN (` + open +
			`) ORDER BY received_at DESC LIMIT 50`, "cases_dup_key", []any{"item:BQ-1", now}},
		"ref": {`SELECT id FROM cases WHERE channel = ? AND external_ref = ?`, "cases_ref", []any{"hotline", "T"}},
		"department due": {`SELECT id FROM cases WHERE department = ? AND due_at IS NOT NULL AND due_at < ? ORDER BY due_at, rowid LIMIT 100`,
			"cases_department_due", []any{"rsj", now}},
		"department status": {`SELECT id FROM cases WHERE department = ? AND status = ? ORDER BY rowid DESC LIMIT 100`,
			"cases_department", []any{"rsj", "dispatched"}},
		"outbox": {`SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 100`,
			"outbox_pending", []any{now}},
	}
	for name, q := range queries {
		rows, err := db.read.Query(`EXPLAIN QUERY PLAN `+q.q, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if !strings.Contains(joined, "INDEX "+q.index) || strings.Contains(joined, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want a search of %s without sorting", name, joined, q.index)
		}
	}
}

// TestDueQueries: each query returns exactly the cases due, and a case leaves the query
// once its step is recorded (so a restarted scheduler does not repeat it).
func TestDueQueries(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	clk := caseStart
	svc := newService(db, func() time.Time { return clk })
	var ids []string
	for i := range 3 {
		c, _, err := svc.File(ctx, sampleCase(i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	dept := routing.Actor{Role: routing.RoleDepartment, Department: "rsj"}
	if _, err := svc.Accept(ctx, dept, ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accept(ctx, dept, ids[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, dept, ids[2], "已答复"); err != nil {
		t.Fatal(err)
	}
	idsOf := func(cs []*routing.Case, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	// Case 0 awaits acceptance: its reminder is due the evening it was dispatched; case 1
	// was accepted: its reminder is a day before the resolve deadline; case 2 is answered.
	if got := idsOf(db.DueForReminder(ctx, caseStart, 10)); len(got) != 0 {
		t.Fatalf("reminders at start: %v", got)
	}
	evening := time.Date(2026, 11, 25, 18, 0, 0, 0, shanghai)
	if got := idsOf(db.DueForReminder(ctx, evening, 10)); !reflect.DeepEqual(got, ids[:1]) {
		t.Fatalf("reminders in the evening: %v", got)
	}
	clk = evening
	if _, err := svc.Remind(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if got := idsOf(db.DueForReminder(ctx, evening, 10)); len(got) != 0 {
		t.Fatalf("reminder repeats: %v", got)
	}
	deadline := time.Date(2026, 11, 30, 18, 0, 0, 0, shanghai)
	// Both owe an answer: the accepted case, and the one never accepted (its accept reminder
	// was sent; the next is before the resolve deadline). The answered case owes nothing.
	if got := idsOf(db.DueForReminder(ctx, deadline, 10)); !reflect.DeepEqual(got, ids[:2]) {
		t.Fatalf("resolve reminders: %v", got)
	}
	if got := idsOf(db.DueOverdue(ctx, deadline.Add(-time.Second), 10)); len(got) != 0 {
		t.Fatalf("overdue before the deadline: %v", got)
	}
	if got := idsOf(db.DueOverdue(ctx, deadline, 10)); !reflect.DeepEqual(got, ids[:2]) {
		t.Fatalf("overdue at the deadline: %v", got)
	}
	clk = deadline
	if _, err := svc.MarkOverdue(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if got := idsOf(db.DueOverdue(ctx, deadline, 10)); !reflect.DeepEqual(got, ids[1:2]) {
		t.Fatalf("overdue after marking: %v", got)
	}
	if got := idsOf(db.DueEscalation(ctx, deadline, 1)); !reflect.DeepEqual(got, ids[:1]) {
		t.Fatalf("escalation limit 1: %v", got)
	}
	if _, err := svc.Escalate(ctx, routing.System, ids[0], "超期"); err != nil {
		t.Fatal(err)
	}
	if got := idsOf(db.DueEscalation(ctx, deadline, 10)); !reflect.DeepEqual(got, ids[1:2]) {
		t.Fatalf("escalation after escalating: %v", got)
	}
	// Lists.
	if got := idsOf(db.Cases(ctx, routing.CaseFilter{Department: "rsj", DueBefore: deadline.Add(time.Second)})); !reflect.DeepEqual(got, ids[:2]) {
		t.Fatalf("due list: %v", got)
	}
	if got := idsOf(db.Cases(ctx, routing.CaseFilter{Status: routing.StatusReplied})); !reflect.DeepEqual(got, ids[2:]) {
		t.Fatalf("status list: %v", got)
	}
	if got := idsOf(db.Cases(ctx, routing.CaseFilter{Limit: 2, Offset: 1})); !reflect.DeepEqual(got, []string{ids[1], ids[0]}) {
		t.Fatalf("paged list: %v", got)
	}
	evs, err := db.Events(ctx, ids[0])
	if err != nil || len(evs) != 5 || evs[4].Action != routing.ActEscalate || evs[4].Data["to_department"] != "zfb" ||
		evs[0].Actor != routing.System || evs[1].ToStatus != routing.StatusDispatched {
		t.Fatalf("events %+v (%v)", evs, err)
	}
}

// TestOutbox: pending → failed and retried later → dead → requeued → delivered.
func TestOutbox(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	svc := newService(db, fixedNow(caseStart))
	if _, _, err := svc.File(ctx, sampleCase(1)); err != nil {
		t.Fatal(err)
	}
	pending, err := db.OutboxPending(ctx, caseStart, 10)
	if err != nil || len(pending) != 2 || pending[1].Target != "hotline" || pending[1].Kind != "dispatched" {
		t.Fatalf("pending %v %v", pending, err)
	}
	if err := db.MarkDelivered(ctx, pending[1].ID); err != nil { // the hotline's copy
		t.Fatal(err)
	}
	m := pending[0]
	if m.Kind != "dispatched" || m.Target != "rsj" || m.EventID != m.CaseID+":2:rsj" || m.Status != routing.OutboxPending ||
		!strings.Contains(string(m.Payload), `"kind":"dispatched"`) {
		t.Fatalf("message %+v", m)
	}
	later := caseStart.Add(time.Minute)
	if err := db.MarkFailed(ctx, m.ID, "HTTP 503", later, false); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.OutboxPending(ctx, caseStart, 10); len(p) != 0 {
		t.Fatalf("retried before its time: %v", p)
	}
	p, _ := db.OutboxPending(ctx, later, 10)
	if len(p) != 1 || p[0].Attempts != 1 || p[0].LastError != "HTTP 503" {
		t.Fatalf("after failure: %+v", p)
	}
	if err := db.MarkFailed(ctx, m.ID, "HTTP 500", later, true); err != nil {
		t.Fatal(err)
	}
	if pend, dead, err := db.OutboxCounts(ctx); err != nil || pend != 0 || dead != 1 {
		t.Fatalf("counts %d %d %v", pend, dead, err)
	}
	if d, _ := db.OutboxDead(ctx, 10); len(d) != 1 || d[0].Status != routing.OutboxDead {
		t.Fatalf("dead %+v", d)
	}
	if err := db.MarkDelivered(ctx, m.ID); routing.ErrorCode(err) != routing.ENOTFOUND {
		t.Fatalf("delivered a dead message: %v", err)
	}
	if n, err := db.RequeueDead(ctx, "no-such-event"); err != nil || n != 0 {
		t.Fatalf("requeue other: %d %v", n, err)
	}
	if n, err := db.RequeueDead(ctx, m.EventID); err != nil || n != 1 {
		t.Fatalf("requeue: %d %v", n, err)
	}
	if err := db.MarkDelivered(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if pend, dead, _ := db.OutboxCounts(ctx); pend != 0 || dead != 0 {
		t.Fatalf("counts after delivery %d %d", pend, dead)
	}
}
