package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"chengnuo/bot"
	"chengnuo/routing"
)

func TestBotOutboxFeed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chengnuo.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = testClock()
	svc := newService(db, fixedNow(caseStart))
	dept := routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "李四"}

	// Before the bot ever ran: one case filed at the window (row 1, to rsj) and one filed in
	// the bot, accepted (rows 2 to rsj, 3 to telegram): the feed starts before the pending row 3.
	window := sampleCase(1)
	window.Channel = routing.ChannelCLI
	if _, _, err := svc.File(ctx, window); err != nil {
		t.Fatal(err)
	}
	tg := sampleCase(2)
	tg.Channel, tg.ExternalRef = routing.ChannelTelegram, "tg:42:7"
	c, _, err := svc.File(ctx, tg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accept(ctx, dept, c.ID); err != nil {
		t.Fatal(err)
	}
	if cur, err := db.BotOutboxCursor(ctx); err != nil || cur != 2 {
		t.Fatalf("first cursor = %d, %v; want 2 (before the pending telegram row)", cur, err)
	}
	rows, err := db.BotOutboxAfter(ctx, 0, 10)
	if err != nil || len(rows) != 3 {
		t.Fatalf("after 0: %d rows, %v", len(rows), err)
	}
	if rows[2].Target != bot.TargetTelegram || rows[2].Kind != "accepted" || rows[0].ID != 1 || rows[1].ID != 2 {
		t.Fatalf("rows %+v", rows)
	}
	if err := db.MarkDelivered(ctx, rows[1].ID); err != nil { // the worker's: any status is read
		t.Fatal(err)
	}
	if rows, err := db.BotOutboxAfter(ctx, 1, 1); err != nil || len(rows) != 1 || rows[0].ID != 2 ||
		rows[0].Status != routing.OutboxDelivered {
		t.Fatalf("after 1, limit 1: %+v, %v", rows, err)
	}

	// Advancing marks the bot's pending rows delivered, leaves others alone, keeps the cursor.
	if err := db.BotOutboxAdvance(ctx, 3, []int64{3, 2}); err != nil {
		t.Fatal(err)
	}
	if pending, _, err := db.OutboxCounts(ctx); err != nil || pending != 1 {
		t.Errorf("pending after advance = %d, %v; want 1 (the hotline case's row to rsj)", pending, err)
	}
	delivered, err := db.OutboxList(ctx, routing.OutboxDelivered, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, m := range delivered {
		ids = append(ids, m.ID)
		if m.ID == 2 && m.Attempts != 1 {
			t.Errorf("row 2 marked twice: %+v", m)
		}
	}
	if slices.Sort(ids); !slices.Equal(ids, []int64{2, 3}) {
		t.Errorf("delivered rows %v", ids)
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if cur, err := db.BotOutboxCursor(ctx); err != nil || cur != 3 {
		t.Errorf("cursor after reopen = %d, %v; want 3", cur, err)
	}
}

// A bot switched on in a deployment without rows of its own starts after the last row.
func TestBotOutboxCursorStartsAtTheEnd(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	if cur, err := db.BotOutboxCursor(ctx); err != nil || cur != 0 {
		t.Fatalf("empty outbox: cursor %d, %v", cur, err)
	}
	db2 := openTestDB(t)
	svc := newService(db2, fixedNow(caseStart))
	for i := range 3 {
		if _, _, err := svc.File(ctx, sampleCase(i)); err != nil {
			t.Fatal(err)
		}
	}
	if cur, err := db2.BotOutboxCursor(ctx); err != nil || cur != 6 { // each: to rsj and the hotline
		t.Fatalf("cursor %d, %v; want 6", cur, err)
	}
	if _, _, err := svc.File(ctx, sampleCase(9)); err != nil {
		t.Fatal(err)
	}
	if cur, err := db2.BotOutboxCursor(ctx); err != nil || cur != 6 {
		t.Errorf("cursor moved by itself to %d, %v", cur, err)
	}
}
