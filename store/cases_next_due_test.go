package store

import (
	"context"
	"testing"
	"time"

	"chengnuo/routing"
)

// TestCasesNextDueBefore: the next deadline is 签收 for a case awaiting acceptance and 办结 once
// accepted; the list covers both, earliest first, and leaves out what is due later or closed.
func TestCasesNextDueBefore(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	svc := newService(db, fixedNow(caseStart))
	dept := routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "李娜"}
	var ids []string
	for i := range 3 {
		c, _, err := svc.File(ctx, sampleCase(i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	// ids[0] stays dispatched: 签收 by 11-26 18:00. ids[1] is accepted: 办结 by 11-30 18:00.
	// ids[2] is accepted and answered: nobody owes it anything.
	for _, id := range ids[1:] {
		if _, err := svc.Accept(ctx, dept, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Reply(ctx, dept, ids[2], "已答复"); err != nil {
		t.Fatal(err)
	}
	list := func(f routing.CaseFilter) []string {
		t.Helper()
		cs, err := db.Cases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.ID)
		}
		return got
	}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, shanghai) }
	if got := list(routing.CaseFilter{NextDueBefore: day(27)}); len(got) != 1 || got[0] != ids[0] {
		t.Errorf("next due before 11-27: %v, want only %s (签收 due 11-26)", got, ids[0])
	}
	if got := list(routing.CaseFilter{DueBefore: day(27)}); len(got) != 0 {
		t.Errorf("resolve due before 11-27: %v, want none", got)
	}
	if got := list(routing.CaseFilter{NextDueBefore: time.Date(2026, 12, 1, 0, 0, 0, 0, shanghai)}); len(got) != 2 ||
		got[0] != ids[0] || got[1] != ids[1] {
		t.Errorf("next due before 12-01: %v, want %s (签收) then %s (办结)", got, ids[0], ids[1])
	}
	c, err := db.Case(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if at, kind := c.NextDeadline(); kind != routing.DeadlineAccept || !at.Equal(c.AcceptBy) {
		t.Errorf("next deadline of a dispatched case: %s %s", kind, at)
	}
}
