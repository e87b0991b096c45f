package store

import (
	"context"
	"database/sql"
)

// sqlTx is what caseTx needs of a transaction.
type sqlTx interface {
	queryer
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// uncancelled runs a transaction's statements under one context without a Done channel,
// whatever context each call passes. go-sqlite3 runs every statement, and every row step
// of a query, of a cancellable context on a goroutine of its own and waits for it; under
// load, each of those hand-offs queues behind the HTTP goroutines, and a group commit of
// twenty statements took ten times its CPU time. A begun transaction therefore runs to its
// end (SQLite's busy_timeout still bounds any wait for a lock); the context bounds only
// the wait for the write connection (see WithTx).
type uncancelled struct {
	tx  *sql.Tx
	ctx context.Context
}

func (u uncancelled) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	return u.tx.ExecContext(u.ctx, query, args...)
}

func (u uncancelled) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	return u.tx.QueryContext(u.ctx, query, args...)
}

func (u uncancelled) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	return u.tx.QueryRowContext(u.ctx, query, args...)
}
