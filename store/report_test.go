package store

import (
	"context"
	"testing"
	"time"

	"chengnuo/routing"
)

// TestReportData: only cases received in [start, end) come back (both Shanghai dates included
// by the caller's range), with their return/extension/reopen events and no others.
func TestReportData(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, shanghai) }
	mk := func(id string, rec time.Time) *routing.Case {
		return &routing.Case{ID: id, Channel: routing.ChannelHotline, Type: routing.TypeComplaint, Text: "t",
			Department: "rsj", Status: routing.StatusDispatched, ReceivedAt: rec, DispatchedAt: rec,
			ResolveBy: rec.Add(72 * time.Hour), Version: 2}
	}
	cases := []*routing.Case{mk("IN1", at(10, 1, 0, 0)), mk("IN2", at(10, 9, 23, 59)),
		mk("OUT1", at(9, 30, 23, 59)), mk("OUT2", at(10, 10, 0, 0))}
	ev := func(id string, seq int, a routing.Action) routing.Event {
		return routing.Event{CaseID: id, Seq: seq, Action: a, At: at(10, 10, 9, 0), ToStatus: routing.StatusDispatched,
			Actor: routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "王五"}}
	}
	events := []routing.Event{ev("IN1", 1, routing.ActReceive), ev("IN1", 2, routing.ActReturn),
		ev("IN1", 3, routing.ActDispatch), ev("IN2", 1, routing.ActReopen), ev("IN2", 2, routing.ActGrantExtension),
		ev("OUT1", 1, routing.ActReturn), ev("OUT2", 1, routing.ActReopen)}
	err := db.WithTx(ctx, func(tx routing.CaseTx) error {
		if err := tx.InsertCases(ctx, cases); err != nil {
			return err
		}
		return tx.AppendEvents(ctx, events...)
	})
	if err != nil {
		t.Fatal(err)
	}
	start, end := routing.ReportRange(at(10, 1, 12, 0), at(10, 9, 12, 0))
	cs, evs, err := db.ReportData(ctx, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].ID != "IN1" || cs[1].ID != "IN2" {
		t.Fatalf("cases %v", ids(cs))
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.CaseID+"/"+string(e.Action)+"/"+e.Actor.Department)
	}
	want := []string{"IN1/return/rsj", "IN2/reopen/rsj", "IN2/grant_extension/rsj"}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
	r := routing.BuildReport(cs, evs, routing.ReportOptions{From: start, To: at(10, 9, 0, 0), Now: at(10, 12, 9, 0)})
	if d := r.Departments[0]; d.Received != 2 || d.Returned != 1 || d.Reopened != 1 || d.Extended != 1 || d.Overdue != 1 {
		t.Errorf("report row %+v", d)
	}
}

func ids(cs []*routing.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
