package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"chengnuo/routing"
)

// roundColumns are the columns of case_rounds in the order AppendRounds writes and scanRound reads.
const roundColumns = `case_id, n, department, dispatched_at, accept_by, resolve_by, extended_to, accepted_at,
	replied_at, reply, closed_at, satisfaction, overdue_at, escalated_at, reopened_at`

// AppendRounds stores the rounds a reopen ended (routing.CaseTx).
func (t *caseTx) AppendRounds(ctx context.Context, caseID string, rounds ...routing.Round) error {
	for _, r := range rounds {
		_, err := t.tx.ExecContext(ctx, `INSERT INTO case_rounds (`+roundColumns+`) VALUES (`+placeholders(15, ", ")+`)`,
			caseID, r.N, r.Department, nullTime(r.DispatchedAt), nullTime(r.AcceptBy), nullTime(r.ResolveBy),
			nullTime(r.ExtendedTo), nullTime(r.AcceptedAt), nullTime(r.RepliedAt), r.Reply, nullTime(r.ClosedAt),
			string(r.Satisfaction), nullTime(r.OverdueAt), nullTime(r.EscalatedAt), formatTime(r.ReopenedAt))
		if isUniqueViolation(err) {
			return routing.Errorf(routing.ECONFLICT, "案件 %s 的第 %d 轮办理记录已存在", caseID, r.N)
		} else if err != nil {
			return fmt.Errorf("append round %s/%d: %w", caseID, r.N, err)
		}
	}
	return nil
}

// scanRound reads one row of roundColumns; it returns the case id too.
func scanRound(row interface{ Scan(...any) error }) (string, routing.Round, error) {
	var (
		id, sat, reopened string
		r                 routing.Round
		tm                [9]sql.NullString
	)
	if err := row.Scan(&id, &r.N, &r.Department, &tm[0], &tm[1], &tm[2], &tm[3], &tm[4], &tm[5], &r.Reply,
		&tm[6], &sat, &tm[7], &tm[8], &reopened); err != nil {
		return "", r, err
	}
	r.Satisfaction = routing.Satisfaction(sat)
	dst := []*time.Time{&r.DispatchedAt, &r.AcceptBy, &r.ResolveBy, &r.ExtendedTo, &r.AcceptedAt, &r.RepliedAt,
		&r.ClosedAt, &r.OverdueAt, &r.EscalatedAt}
	var err error
	for i, p := range dst {
		if !tm[i].Valid {
			continue
		}
		if *p, err = parseTime(tm[i].String); err != nil {
			return "", r, fmt.Errorf("round %s/%d: %w", id, r.N, err)
		}
	}
	if r.ReopenedAt, err = parseTime(reopened); err != nil {
		return "", r, fmt.Errorf("round %s/%d reopened_at: %w", id, r.N, err)
	}
	return id, r, nil
}

// caseRounds returns the ended rounds of one case, oldest first (nil when none).
func caseRounds(ctx context.Context, q queryer, id string) ([]routing.Round, error) {
	m, err := collectRounds(q.QueryContext(ctx, `SELECT `+roundColumns+` FROM case_rounds WHERE case_id = ? ORDER BY n`, id))
	if err != nil {
		return nil, fmt.Errorf("rounds of %s: %w", id, err)
	}
	return m[id], nil
}

// roundsReceived returns the ended rounds of the cases received in [start, end), by case id.
func roundsReceived(ctx context.Context, q queryer, start, end time.Time) (map[string][]routing.Round, error) {
	m, err := collectRounds(q.QueryContext(ctx, `SELECT `+qualified("r", roundColumns)+` FROM cases c
		JOIN case_rounds r ON r.case_id = c.id WHERE c.received_at >= ? AND c.received_at < ? ORDER BY r.case_id, r.n`,
		formatTime(start), formatTime(end)))
	if err != nil {
		return nil, fmt.Errorf("rounds received %s – %s: %w", formatTime(start), formatTime(end), err)
	}
	return m, nil
}

func collectRounds(rows *sql.Rows, err error) (map[string][]routing.Round, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string][]routing.Round{}
	for rows.Next() {
		id, r, err := scanRound(rows)
		if err != nil {
			return nil, err
		}
		m[id] = append(m[id], r)
	}
	return m, rows.Err()
}

// qualified prefixes each column of a comma-separated list with alias: "r.case_id, r.n, …".
func qualified(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
