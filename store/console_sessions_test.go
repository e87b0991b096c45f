package store

import (
	"context"
	"testing"
	"time"
)

// A session reads back until it ends; saving one drops those that have ended; deleting one
// ends it at once; and sessions outlive the connection that saved them.
func TestConsoleSessions(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	now := caseStart.UTC()
	if err := db.SaveConsoleSession(ctx, "a", `{"dept":"rsj"}`, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveConsoleSession(ctx, "b", `{"dept":"mzj"}`, now.Add(2*time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if data, ok, err := db.ConsoleSession(ctx, "a", now.Add(59*time.Minute)); err != nil || !ok || data != `{"dept":"rsj"}` {
		t.Fatalf("a before its end: %q %v %v", data, ok, err)
	}
	if _, ok, err := db.ConsoleSession(ctx, "a", now.Add(time.Hour)); err != nil || ok {
		t.Fatalf("a at its end: %v %v", ok, err)
	}
	if _, ok, err := db.ConsoleSession(ctx, "nobody", now); err != nil || ok {
		t.Fatalf("unknown key: %v %v", ok, err)
	}
	// Saving c after a has ended removes a's row; b has not ended and stays.
	if err := db.SaveConsoleSession(ctx, "c", `{"dept":"gafj"}`, now.Add(3*time.Hour), now.Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, err := db.read.QueryContext(ctx, `SELECT key FROM console_sessions ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if len(keys) != 2 || keys[0] != "b" || keys[1] != "c" {
		t.Fatalf("rows after the sweep: %v", keys)
	}
	if err := db.DeleteConsoleSession(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ConsoleSession(ctx, "b", now); ok {
		t.Fatal("b still there after delete")
	}
	if err := db.DeleteConsoleSession(ctx, "b"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	// A new connection (a restarted server) reads c.
	again, err := Open(ctx, db.path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if data, ok, err := again.ConsoleSession(ctx, "c", now.Add(2*time.Hour)); err != nil || !ok || data != `{"dept":"gafj"}` {
		t.Fatalf("c after reopening: %q %v %v", data, ok, err)
	}
}
