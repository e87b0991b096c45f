package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The floor acknowledges a ticket only once it is stored: after both phases every acked
// ticket is in its database, a resent ticket is acked again without a second row, and
// the rows survive closing and reopening the database.
func TestFloorStoresWhatItAcks(t *testing.T) {
	dir := t.TempDir()
	f, stop, addr, err := startFloor(testSecret, dir)
	if err != nil {
		t.Fatal(err)
	}
	tg := target{addr: addr, path: "/v1/hotline/tickets", secret: testSecret}
	g := &generator{prefix: "FL"}
	bodies := g.bodies(1, 500)
	if r := throughput(tg, bodies, 16); r.Acked != 500 || r.Errors != 0 {
		t.Fatalf("throughput: %+v", r)
	}
	if r := fixedRate(tg, g.bodies(10_000_000, 200), 1000, 8); r.Acked != 200 || r.Errors != 0 {
		t.Fatalf("fixed rate: %+v", r)
	}
	if r := throughput(tg, bodies[:50], 4); r.Acked != 50 || r.Errors != 0 { // the same tickets again
		t.Fatalf("resend: %+v", r)
	}
	if n, err := f.count(); err != nil || n != 700 {
		t.Fatalf("stored %d, %v; want 700", n, err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	again, err := openFloor(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.close()
	if n, err := again.count(); err != nil || n != 700 {
		t.Fatalf("after reopening: %d, %v; want 700", n, err)
	}
}

// A request the floor cannot verify or parse is refused and stores nothing.
func TestFloorRefusesBadRequests(t *testing.T) {
	f, stop, addr, err := startFloor(testSecret, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	bad := target{addr: addr, path: "/v1/hotline/tickets", secret: []byte("wrong secret")}
	if r := throughput(bad, (&generator{prefix: "X"}).bodies(1, 10), 2); r.Acked != 0 || r.Errors != 10 {
		t.Fatalf("wrong secret: %+v", r)
	}
	good := target{addr: addr, path: "/v1/hotline/tickets", secret: testSecret}
	if r := throughput(good, [][]byte{[]byte(`{"ticket_no":`)}, 1); r.Acked != 0 || r.Errors != 1 {
		t.Fatalf("bad json: %+v", r)
	}
	if n, err := f.count(); err != nil || n != 0 {
		t.Fatalf("stored %d, %v; want 0", n, err)
	}
}

// -bare-only -floor measures both in-process handlers, needs no server and leaves no
// database behind.
func TestRunFloorOnly(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	stdout := os.Stdout
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	os.Stdout = devnull
	defer func() { os.Stdout = stdout }()
	err = run(options{target: "http://127.0.0.1:1", bareOnly: true, floor: true, n: 200, conc: 4,
		rate: 500, rateConc: 4, duration: 200 * time.Millisecond, prefix: "RF"})
	if err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "loadgen-floor-*"))
	if len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// A ticket whose commit fails is not acknowledged: the floor answers only after its commit.
func TestFloorDoesNotAckFailedCommit(t *testing.T) {
	f, stop, addr, err := startFloor(testSecret, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := f.db.Exec(`DROP TABLE tickets`); err != nil {
		t.Fatal(err)
	}
	tg := target{addr: addr, path: "/v1/hotline/tickets", secret: testSecret}
	if r := throughput(tg, (&generator{prefix: "E"}).bodies(1, 20), 4); r.Acked != 0 || r.Errors != 20 {
		t.Fatalf("failed commits acked: %+v", r)
	}
}

// Once closed, the floor refuses tickets instead of panicking on its closed queue.
func TestFloorClosed(t *testing.T) {
	f, err := openFloor(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store("T-1", "{}"); err != nil {
		t.Fatal(err)
	}
	if err := f.close(); err != nil {
		t.Fatal(err)
	}
	if err := f.store("T-2", "{}"); err != errFloorClosed {
		t.Fatalf("store after close: %v", err)
	}
	if err := f.close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}
