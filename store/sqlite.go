// Package store keeps chengnuo's data in SQLite: list versions now, cases, events
// and the outbox later. It holds no business rules; callers pass domain types in
// and get domain types back.
//
// Connection handling is built for many small durable writes (the hotline webhook
// must acknowledge thousands of inserts a second): one write connection, so writers
// queue in Go instead of fighting over SQLite's lock, and a separate pool of
// read-only connections, so reads never wait behind writes (WAL lets readers see
// the last committed snapshot while a write is in progress).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// ErrNotFound is wrapped by errors for rows that do not exist.
var ErrNotFound = errors.New("not found")

// busyTimeoutMS bounds how long a connection waits for a lock held by another
// process (a CLI command beside the server) or by a WAL checkpoint.
const busyTimeoutMS = 5000

// Options tune Open. The zero value is the production default.
type Options struct {
	// Synchronous is the PRAGMA synchronous level: "NORMAL" (default), "FULL" or "EXTRA".
	// In WAL mode NORMAL is durable against a process crash: a committed transaction
	// is in the WAL file (the OS page cache) before COMMIT returns, so it survives
	// SIGKILL or a panic. Only a power loss or kernel crash can lose the last commits,
	// never corrupt the database. FULL also syncs the WAL on every commit, closing that
	// gap at the cost of one fsync per transaction.
	Synchronous string
	// ReadConns is the size of the read pool; zero means max(4, GOMAXPROCS).
	ReadConns int
}

// DB is a chengnuo database: a single-connection write pool and a read pool on one file.
type DB struct {
	write *sql.DB // exactly one connection; every transaction takes the write lock at BEGIN
	read  *sql.DB // query_only connections for reads that need no write lock
	path  string

	// Now is the clock used for stored timestamps; tests replace it.
	Now func() time.Time
}

// Open opens (creating if needed) the database file at path, applies pending
// migrations and returns the ready DB.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWithOptions(ctx, path, Options{})
}

// OpenWithOptions is Open with tuning options.
func OpenWithOptions(ctx context.Context, path string, opt Options) (*DB, error) {
	if path == "" || path == ":memory:" {
		// Each pooled connection would get its own empty in-memory database.
		return nil, fmt.Errorf("open database: a file path is required, got %q", path)
	}
	sync := strings.ToUpper(opt.Synchronous)
	switch sync {
	case "":
		sync = "NORMAL"
	case "NORMAL", "FULL", "EXTRA":
	default:
		return nil, fmt.Errorf("open database: synchronous %q: want NORMAL, FULL or EXTRA", opt.Synchronous)
	}
	readConns := opt.ReadConns
	if readConns <= 0 {
		readConns = max(4, runtime.GOMAXPROCS(0))
	}

	db := &DB{path: path, Now: time.Now}
	var err error
	db.write, err = sql.Open("sqlite3", WriteDSN(path, sync))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One connection, never recycled: writers queue in database/sql rather than
	// spin on SQLITE_BUSY, and the open connection keeps the WAL and its index alive.
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)

	// Migrate before opening readers, so the file exists and is already in WAL mode
	// (journal_mode=WAL is persistent, and a query_only connection cannot set it).
	if err := db.migrate(ctx, migrationFS()); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}

	db.read, err = sql.Open("sqlite3", readDSN(path))
	if err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.read.SetMaxOpenConns(readConns)
	db.read.SetMaxIdleConns(readConns)
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// WriteDSN is the DSN of the store's write connection to the file at path (synchronous:
// NORMAL, FULL or EXTRA); the load script's durable floor opens its database with it too,
// so that it shares the store's settings. WAL so readers do not block the writer;
// _txlock=immediate so a transaction takes the write lock at BEGIN and never fails with
// SQLITE_BUSY when upgrading a read lock mid-transaction (which busy_timeout cannot retry).
func WriteDSN(path, synchronous string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", strconv.Itoa(busyTimeoutMS))
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", synchronous)
	q.Set("_txlock", "immediate")
	q.Set("_stmt_cache_size", "128") // intake runs the same few statements thousands of times a second
	return fileURI(path) + "?" + q.Encode()
}

// readDSN: query_only rather than mode=ro, because a mode=ro connection cannot
// create the WAL index file when no writer has the database open.
func readDSN(path string) string {
	q := url.Values{}
	q.Set("_busy_timeout", strconv.Itoa(busyTimeoutMS))
	q.Set("_foreign_keys", "on")
	q.Set("_query_only", "on")
	q.Set("_stmt_cache_size", "64")
	return fileURI(path) + "?" + q.Encode()
}

// fileURI makes an SQLite "file:" URI; the driver passes the URI to SQLite whole,
// so characters that end or escape the path must be percent-encoded.
func fileURI(path string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(filepath.Clean(path))
}

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database %s: %w", db.path, err)
	}
	return nil
}

// Ping reports whether both pools answer; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping write pool: %w", err)
	}
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping read pool: %w", err)
	}
	return nil
}

// now returns the injected clock's time in UTC.
func (db *DB) now() time.Time {
	if db.Now == nil {
		return time.Now().UTC()
	}
	return db.Now().UTC()
}

// timeLayout is RFC 3339 with a fixed nine-digit fraction: time.RFC3339Nano drops
// trailing zeros, which would make text order differ from time order in SQL.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// formatTime is the stored form of instants: UTC text that sorts in time order.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
