package store

import (
	"context"
	"fmt"
	"time"

	"chengnuo/routing"
)

// CasesReceived calls fn for every case received in [from, to), oldest first (received_at,
// then rowid), with its ended rounds, from one query read row by row (the rounds, few, read first
// in the same read transaction), so an export of any size holds one case at a
// time. fn's error stops the scan and is returned as is.
//
// The cases table has no index led by received_at, so SQLite scans it once and sorts the rows
// in range; an export over a few hundred thousand cases stays well under a second.
func (db *DB) CasesReceived(ctx context.Context, from, to time.Time, fn func(*routing.Case) error) error {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cases received: %w", err)
	}
	defer tx.Rollback()
	rounds, err := roundsReceived(ctx, tx, from, to) // few cases are reopened: held in memory
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases
		WHERE received_at >= ? AND received_at < ? ORDER BY received_at, rowid`, formatTime(from), formatTime(to))
	if err != nil {
		return fmt.Errorf("cases received %s – %s: %w", formatTime(from), formatTime(to), err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return fmt.Errorf("cases received: %w", err)
		}
		c.Rounds = rounds[c.ID]
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cases received: %w", err)
	}
	return nil
}
