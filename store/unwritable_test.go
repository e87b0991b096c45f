package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mattn/go-sqlite3"

	"chengnuo/routing"
)

// A read-only database (the write connection made query_only, as SQLite reports a file it
// may not write: SQLITE_READONLY) fails the probe and a filing with ErrUnwritable in the
// chain, stores nothing, and takes writes again once writable, without reopening.
func TestUnwritableReadOnly(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	svc := newService(db, fixedNow(caseStart))
	if err := db.ProbeWrite(ctx); err != nil {
		t.Fatalf("probe of a writable database: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA query_only = ON`); err != nil {
		t.Fatal(err)
	}
	err := db.ProbeWrite(ctx)
	var se sqlite3.Error
	if !errors.Is(err, ErrUnwritable) || !errors.As(err, &se) || se.Code != sqlite3.ErrReadonly {
		t.Fatalf("probe of a read-only database: %v, want ErrUnwritable over SQLITE_READONLY", err)
	}
	nc := sampleCase(1)
	if _, _, err := svc.File(ctx, nc); !errors.Is(err, ErrUnwritable) {
		t.Fatalf("filing on a read-only database: %v, want ErrUnwritable", err)
	}
	if _, err := db.CaseByRef(ctx, nc.Channel, nc.ExternalRef); routing.ErrorCode(err) != routing.ENOTFOUND {
		t.Fatalf("the refused case was stored: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA query_only = OFF`); err != nil {
		t.Fatal(err)
	}
	if err := db.ProbeWrite(ctx); err != nil {
		t.Fatalf("probe after recovery: %v", err)
	}
	if _, _, err := svc.File(ctx, nc); err != nil {
		t.Fatalf("filing after recovery: %v", err)
	}
}

// A full database (no page may be added: SQLITE_FULL, as on a full disk) fails a filing
// with ErrUnwritable; once there is room again the same case is filed, without reopening.
func TestUnwritableFull(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	svc := newService(db, fixedNow(caseStart))
	var pages int
	if err := db.write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	var failed routing.NewCase
	var err error
	for i := range 500 { // the first cases may fit in the pages there are
		failed = sampleCase(i)
		if _, _, err = svc.File(ctx, failed); err != nil {
			break
		}
	}
	var se sqlite3.Error
	if !errors.Is(err, ErrUnwritable) || !errors.As(err, &se) || se.Code != sqlite3.ErrFull {
		t.Fatalf("filing on a full database: %v, want ErrUnwritable over SQLITE_FULL", err)
	}
	if _, err := db.CaseByRef(ctx, failed.Channel, failed.ExternalRef); routing.ErrorCode(err) != routing.ENOTFOUND {
		t.Fatalf("the refused case was stored: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.File(ctx, failed); err != nil {
		t.Fatalf("filing after space came back: %v", err)
	}
}

// Errors that are not about writability keep their chain without ErrUnwritable.
func TestClassifyLeavesOtherErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("plain"), routing.Errorf(routing.EINVALID, "x"),
		sqlite3.Error{Code: sqlite3.ErrConstraint}, sqlite3.Error{Code: sqlite3.ErrBusy}} {
		if errors.Is(classify(err), ErrUnwritable) {
			t.Errorf("classify(%v) is unwritable", err)
		}
	}
	if err := classify(sqlite3.Error{Code: sqlite3.ErrIoErr}); !errors.Is(err, ErrUnwritable) {
		t.Errorf("an I/O error is not unwritable: %v", err)
	}
}
