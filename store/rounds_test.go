package store

import (
	"context"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"chengnuo/routing"
)

// stepClock is a service clock the test moves by hand.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// reopenTwice files a case and takes it through two rounds ended by 不满意 and a reopen: the
// first accepted and answered on time with an extension, the second answered late.
func reopenTwice(t *testing.T, db *DB) *routing.Case {
	t.Helper()
	ctx := context.Background()
	clk := &stepClock{t: caseStart}
	svc := newService(db, clk.now)
	op := routing.Actor{Role: routing.RoleOperator, Name: "op"}
	dept := routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "李娜"}
	c, _, err := svc.File(ctx, sampleCase(1))
	if err != nil {
		t.Fatal(err)
	}
	step := func(d time.Duration, f func() (*routing.Case, error)) {
		t.Helper()
		clk.add(d)
		if _, err := f(); err != nil {
			t.Fatal(err)
		}
	}
	id := c.ID
	step(time.Hour, func() (*routing.Case, error) { return svc.Accept(ctx, dept, id) })
	step(time.Hour, func() (*routing.Case, error) { return svc.RequestExtension(ctx, dept, id, 2, "调档") })
	step(time.Hour, func() (*routing.Case, error) { return svc.DecideExtension(ctx, op, id, true, "") })
	step(time.Hour, func() (*routing.Case, error) { return svc.Reply(ctx, dept, id, "第一次答复") })
	step(time.Hour, func() (*routing.Case, error) { return svc.Close(ctx, op, id) })
	step(time.Hour, func() (*routing.Case, error) { return svc.Rate(ctx, op, id, routing.Unsatisfied) })
	step(time.Hour, func() (*routing.Case, error) { return svc.Reopen(ctx, op, id, "问题未解决") })
	step(time.Hour, func() (*routing.Case, error) { return svc.Accept(ctx, dept, id) })
	step(10*24*time.Hour, func() (*routing.Case, error) { return svc.Reply(ctx, dept, id, "第二次答复") })
	step(time.Hour, func() (*routing.Case, error) { return svc.Close(ctx, op, id) })
	step(time.Hour, func() (*routing.Case, error) { return svc.Rate(ctx, op, id, routing.Unsatisfied) })
	step(time.Hour, func() (*routing.Case, error) { return svc.Reopen(ctx, op, id, "仍未解决") })
	got, err := db.Case(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestRoundsKept: a reopen keeps the round it ends; a case read by id, the report data and the
// export all carry the ended rounds, and a round is never stored twice.
func TestRoundsKept(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	c := reopenTwice(t, db)
	if len(c.Rounds) != 2 {
		t.Fatalf("rounds %+v, want 2", c.Rounds)
	}
	r1, r2 := c.Rounds[0], c.Rounds[1]
	if r1.N != 1 || r1.Department != "rsj" || r1.Reply != "第一次答复" || r1.Satisfaction != routing.Unsatisfied ||
		!r1.AcceptedOnTime() || !r1.AnsweredOnTime() || r1.ExtendedTo.IsZero() || r1.ClosedAt.IsZero() ||
		r1.ReopenedAt.IsZero() || !r1.DispatchedAt.Equal(caseStart) {
		t.Errorf("round 1 %+v", r1)
	}
	if r2.N != 2 || r2.Reply != "第二次答复" || !r2.AcceptedOnTime() || !r2.AnsweredLate() || !r2.DispatchedAt.Equal(r1.ReopenedAt) {
		t.Errorf("round 2 %+v", r2)
	}
	if c.Reply != "" || !c.RepliedAt.IsZero() || c.Status != routing.StatusReopened || c.CurrentRound().N != 3 {
		t.Errorf("current round %+v", c.CurrentRound())
	}
	cs, _, err := db.ReportData(ctx, caseStart.Add(-time.Hour), caseStart.Add(time.Hour))
	if err != nil || len(cs) != 1 || !reflect.DeepEqual(cs[0].Rounds, c.Rounds) {
		t.Errorf("report data rounds %+v, %v", cs, err)
	}
	var exported []routing.Round
	if err := db.CasesReceived(ctx, caseStart.Add(-time.Hour), caseStart.Add(time.Hour), func(c *routing.Case) error {
		exported = c.Rounds
		return nil
	}); err != nil || !reflect.DeepEqual(exported, c.Rounds) {
		t.Errorf("export rounds %+v, %v", exported, err)
	}
	err = db.WithTx(ctx, func(tx routing.CaseTx) error { return tx.AppendRounds(ctx, c.ID, r1) })
	if routing.ErrorCode(err) != routing.ECONFLICT {
		t.Errorf("round 1 stored twice: %v", err)
	}
}

// TestRoundsBackfill: a database whose cases were reopened before case_rounds existed gets
// their ended rounds rebuilt from the audit trail by the migration, as the service keeps them.
func TestRoundsBackfill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chengnuo.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = testClock()
	want := reopenTwice(t, db).Rounds
	// As the database was before migration 0009: no table, no record of it.
	if _, err := db.write.ExecContext(ctx, `DROP TABLE case_rounds;
		DELETE FROM schema_migrations WHERE name = '0009_case_rounds.sql'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, _, err := db.ReportData(ctx, caseStart.Add(-time.Hour), caseStart.Add(time.Hour))
	if err != nil || len(cs) != 1 {
		t.Fatalf("report data %v, %v", cs, err)
	}
	if !reflect.DeepEqual(cs[0].Rounds, want) {
		t.Errorf("backfilled rounds\n%+v\nwant\n%+v", cs[0].Rounds, want)
	}
}
