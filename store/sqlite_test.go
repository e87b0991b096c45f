package store

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// testClock returns a clock that starts at a fixed instant and advances one second per call.
func testClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 11, 25, 1, 30, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func openTestDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "chengnuo.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.Now = testClock()
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestOpenPragmas(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	for name, pool := range map[string]*sql.DB{"write": db.write, "read": db.read} {
		var mode string
		var fk, busy int
		if err := pool.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if mode != "wal" {
			t.Errorf("%s: journal_mode = %q, want wal", name, mode)
		}
		if err := pool.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fk != 1 {
			t.Errorf("%s: foreign_keys = %d, want 1", name, fk)
		}
		if err := pool.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if busy != busyTimeoutMS {
			t.Errorf("%s: busy_timeout = %d, want %d", name, busy, busyTimeoutMS)
		}
	}
	var sync int
	if err := db.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if sync != 1 { // NORMAL
		t.Errorf("write synchronous = %d, want 1 (NORMAL)", sync)
	}
	if got := db.write.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("write pool MaxOpenConnections = %d, want 1", got)
	}
	if got := db.read.Stats().MaxOpenConnections; got < 2 {
		t.Errorf("read pool MaxOpenConnections = %d, want several", got)
	}
	if err := db.Ping(ctx); err != nil {
		t.Error(err)
	}
}

func TestReadPoolRejectsWrites(t *testing.T) {
	db := openTestDB(t)
	_, err := db.read.ExecContext(context.Background(),
		`INSERT INTO list_versions (label, effective, imported_at, item_count) VALUES ('x', '2026-01-01', 'now', 0)`)
	if err == nil {
		t.Fatal("insert through the read pool succeeded, want a query_only error")
	}
}

func TestOpenOptionsSynchronousFull(t *testing.T) {
	ctx := context.Background()
	db, err := OpenWithOptions(ctx, filepath.Join(t.TempDir(), "full.db"), Options{Synchronous: "full", ReadConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sync int
	if err := db.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if sync != 2 {
		t.Errorf("synchronous = %d, want 2 (FULL)", sync)
	}
	if _, err := OpenWithOptions(ctx, filepath.Join(t.TempDir(), "bad.db"), Options{Synchronous: "OFF"}); err == nil {
		t.Error("Synchronous OFF accepted, want an error")
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	if _, err := Open(context.Background(), ":memory:"); err == nil {
		t.Fatal("Open(:memory:) succeeded, want an error")
	}
}

func TestOpenOddPath(t *testing.T) {
	// '?', '#' and '%' would end or escape the path of a file: URI if left raw.
	path := filepath.Join(t.TempDir(), "a?b#c%20d.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SaveList(context.Background(), smallList(), ""); err != nil {
		t.Fatal(err)
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.db")); len(matches) != 1 || matches[0] != path {
		t.Errorf("database files = %q, want [%q]", matches, path)
	}
}

type migrationRow struct{ name, appliedAt string }

func migrations(t *testing.T, db *DB) []migrationRow {
	t.Helper()
	rows, err := db.read.Query(`SELECT name, applied_at FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var r migrationRow
		if err := rows.Scan(&r.name, &r.appliedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrationsAppliedOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chengnuo.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first := migrations(t, db)
	embedded, _ := fs.Glob(migrationFS(), "*.sql")
	if len(first) != len(embedded) || first[0].name != "0001_items.sql" {
		t.Fatalf("after first open: %v, want %v", first, embedded)
	}
	if _, err := parseTime(first[0].appliedAt); err != nil {
		t.Errorf("applied_at %q: %v", first[0].appliedAt, err)
	}
	db.Close()

	// A second open would fail on CREATE TABLE if 0001 were re-run.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	second := migrations(t, db)
	if len(second) != len(first) || second[0] != first[0] {
		t.Errorf("after second open: %v, want %v", second, first)
	}
}

func TestMigrateNewFile(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	fsys := fstest.MapFS{
		// Garbage in place of an applied migration: it must not be read again.
		"0001_items.sql": {Data: []byte("this is not SQL")},
		"9999_extra.sql": {Data: []byte("CREATE TABLE extra (x INTEGER); INSERT INTO extra VALUES (1);")},
		"README.md":      {Data: []byte("not a migration")},
	}
	for range 2 {
		if err := db.migrate(ctx, fsys); err != nil {
			t.Fatal(err)
		}
	}
	got := migrations(t, db)
	if len(got) < 2 || got[0].name != "0001_items.sql" || got[len(got)-1].name != "9999_extra.sql" {
		t.Fatalf("migrations = %v, want 0001_items.sql … 9999_extra.sql", got)
	}
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM extra`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("extra has %d rows, want 1 (9999 applied exactly once)", n)
	}
}

func TestMigrateFailureRecordsNothing(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	fsys := fstest.MapFS{
		"0001_items.sql": {Data: []byte("-- applied")},
		"9999_bad.sql":   {Data: []byte("CREATE TABLE half (x INTEGER); SELECT nonsense FROM nowhere;")},
	}
	before := migrations(t, db)
	if err := db.migrate(ctx, fsys); err == nil {
		t.Fatal("bad migration applied, want an error")
	}
	if got := migrations(t, db); len(got) != len(before) {
		t.Errorf("migrations = %v, want %v (nothing recorded for 9999_bad.sql)", got, before)
	}
	var n int
	if err := db.read.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Error("table of the failed migration exists; the migration was not rolled back")
	}
}
