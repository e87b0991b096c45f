package store

import (
	"context"
	"testing"

	"chengnuo/routing"
)

// TestMarkDeliveredMany: one statement marks the pending messages delivered (one more try,
// no error, a delivery time) and reports them; a message no longer pending is left alone.
func TestMarkDeliveredMany(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	svc := newService(db, fixedNow(caseStart))
	for i := range 3 {
		nc := sampleCase(i)
		nc.Channel = routing.ChannelCLI // one message each, to rsj
		if _, _, err := svc.File(ctx, nc); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := db.OutboxPending(ctx, caseStart, 10)
	if err != nil || len(pending) != 3 {
		t.Fatalf("pending %v %v", pending, err)
	}
	dead := pending[2]
	if err := db.MarkFailed(ctx, dead.ID, "拒收", caseStart, true); err != nil {
		t.Fatal(err)
	}
	got, err := db.MarkDeliveredMany(ctx, []int64{pending[0].ID, pending[1].ID, dead.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[pending[0].ID] || !got[pending[1].ID] {
		t.Fatalf("marked %v, want the two pending", got)
	}
	for _, m := range pending[:2] {
		var status, lastErr string
		var attempts int
		var at *string
		if err := db.read.QueryRow(`SELECT status, attempts, last_error, delivered_at FROM outbox WHERE id = ?`, m.ID).
			Scan(&status, &attempts, &lastErr, &at); err != nil {
			t.Fatal(err)
		}
		if status != routing.OutboxDelivered || attempts != m.Attempts+1 || lastErr != "" || at == nil {
			t.Errorf("%s: %s, %d tries, %q, delivered at %v", m.EventID, status, attempts, lastErr, at)
		} else if when, err := parseTime(*at); err != nil || when.Before(caseStart) {
			t.Errorf("%s delivered at %s (%v)", m.EventID, *at, err)
		}
	}
	if d, _ := db.OutboxDead(ctx, 10); len(d) != 1 || d[0].ID != dead.ID {
		t.Errorf("the dead letter changed: %+v", d)
	}
	if got, err := db.MarkDeliveredMany(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("no ids: %v %v", got, err)
	}
}
