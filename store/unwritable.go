package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// ErrUnwritable is in the chain of the error of every write the database cannot take now:
// the disk is full (SQLITE_FULL), the file or its directory is read-only (SQLITE_READONLY),
// or the disk fails or is gone (SQLITE_IOERR, SQLITE_CANTOPEN). Such a failure is not the
// input's fault and may pass (space freed, disk remounted): callers answer "unavailable,
// retry later" instead of an internal error. Nothing is stored by the failed write.
var ErrUnwritable error = unwritableError{}

type unwritableError struct{}

func (unwritableError) Error() string { return "database cannot take writes now" }

// Unwritable marks the error for packages that must not import the store (intake looks for
// an error with this method in the chain).
func (unwritableError) Unwritable() bool { return true }

// classify adds ErrUnwritable to the chain of err when SQLite says it cannot write now.
func classify(err error) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code {
	case sqlite3.ErrFull, sqlite3.ErrReadonly, sqlite3.ErrIoErr, sqlite3.ErrCantOpen:
		return fmt.Errorf("%w: %w", ErrUnwritable, err)
	}
	return err
}

// ProbeWrite commits one small write (the one row of health_probe) and reports whether it
// went through: /healthz asks it, so that a database that answers reads but takes no
// writes (full disk, read-only file) is not reported healthy. Its error wraps ErrUnwritable
// when SQLite says it cannot write.
func (db *DB) ProbeWrite(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO health_probe (id, probed_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, formatTime(db.now()))
	if err != nil {
		return fmt.Errorf("probe write: %w", classify(err))
	}
	return nil
}
