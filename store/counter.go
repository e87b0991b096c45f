package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"chengnuo/routing"
)

// CaseCounter counts the cases of a chengnuo database for the metrics gauges, on its own
// query-only connection (as the read pool's), so that scrapes never take one from intake.
type CaseCounter struct{ db *sql.DB }

// OpenCaseCounter opens a query-only connection to the database file at path, which Open
// must already have created.
func OpenCaseCounter(path string) (*CaseCounter, error) {
	db, err := sql.Open("sqlite3", readDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open case counter %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return &CaseCounter{db: db}, nil
}

// CountCases counts cases by status, and open cases whose deadline in force is before now,
// with two aggregate queries answered from indexes.
func (c *CaseCounter) CountCases(ctx context.Context, now time.Time) (routing.CaseCounts, error) {
	out := routing.CaseCounts{ByStatus: map[routing.Status]int{}}
	rows, err := c.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM cases GROUP BY status`)
	if err != nil {
		return out, fmt.Errorf("count cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return out, fmt.Errorf("count cases: %w", err)
		}
		out.ByStatus[routing.Status(s)] = n
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("count cases: %w", err)
	}
	err = c.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE due_at IS NOT NULL AND due_at < ?`,
		formatTime(now)).Scan(&out.Overdue)
	if err != nil {
		return out, fmt.Errorf("count overdue cases: %w", err)
	}
	return out, nil
}

// Close closes the connection.
func (c *CaseCounter) Close() error { return c.db.Close() }
