package store

import (
	"context"
	"os"
	"testing"
	"time"

	"chengnuo/routing"
)

// TestCheckpointer: with the background checkpointer running, committed pages reach the
// database file without the writer checkpointing (its threshold is raised), and stopping
// hands checkpoints back to the writer.
func TestCheckpointer(t *testing.T) {
	db := openTestDB(t)
	svc := newService(db, fixedNow(caseStart))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- db.RunCheckpointer(ctx, 5*time.Millisecond, nil) }()

	waitFor(t, func() bool { return autocheckpoint(t, db) == fallbackAutocheckpoint })
	var limit int64
	if err := db.write.QueryRow("PRAGMA journal_size_limit").Scan(&limit); err != nil || limit != walSizeLimit {
		t.Errorf("writer journal_size_limit = %d, %v; want %d", limit, err, walSizeLimit)
	}
	before := fileSize(t, db.path)
	for i := range 40 {
		ncs := make([]routing.NewCase, 50)
		for j := range ncs {
			ncs[j] = sampleCase(i*50 + j)
			ncs[j].Department = "rsj"
		}
		if _, err := svc.FileBatch(context.Background(), ncs); err != nil {
			t.Fatal(err)
		}
	}
	// 2,000 cases are several times the default 1,000-page threshold's worth of WAL: the
	// writer did not checkpoint them (its threshold is 16,384 pages), so the growth of the
	// database file is the checkpointer's work.
	waitFor(t, func() bool { return fileSize(t, db.path) > before+1<<20 })
	var n int
	if err := db.read.QueryRow("SELECT COUNT(*) FROM cases").Scan(&n); err != nil || n != 2000 {
		t.Fatalf("cases = %d, %v; want 2000", n, err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := autocheckpoint(t, db); got != 1000 {
		t.Errorf("after stopping, writer wal_autocheckpoint = %d, want 1000", got)
	}
}

func autocheckpoint(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.write.QueryRow("PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
