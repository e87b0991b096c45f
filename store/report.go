package store

import (
	"context"
	"fmt"
	"time"

	"chengnuo/routing"
)

// ReportData returns what routing.BuildReport needs for the cases received in [start, end):
// the cases with their ended rounds, and their return, grant_extension, reopen and escalate events
// (without data). Three queries in one read transaction, so all see the same snapshot; none per case.
func (db *DB) ReportData(ctx context.Context, start, end time.Time) ([]*routing.Case, []routing.Event, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("report: %w", err)
	}
	defer tx.Rollback()
	s, e := formatTime(start), formatTime(end)
	cs, err := queryCases(ctx, tx, `SELECT `+caseColumns+` FROM cases
		WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id`, s, e)
	if err != nil {
		return nil, nil, fmt.Errorf("report cases: %w", err)
	}
	rounds, err := roundsReceived(ctx, tx, start, end)
	if err != nil {
		return nil, nil, fmt.Errorf("report: %w", err)
	}
	for _, c := range cs {
		c.Rounds = rounds[c.ID]
	}
	rows, err := tx.QueryContext(ctx, `SELECT ev.case_id, ev.seq, ev.action, ev.actor_role, ev.actor_department,
		ev.actor_name, ev.at, ev.from_status, ev.to_status
		FROM cases c JOIN case_events ev ON ev.case_id = c.id
		WHERE c.received_at >= ? AND c.received_at < ? AND ev.action IN (?, ?, ?, ?)
		ORDER BY ev.case_id, ev.seq`, s, e,
		string(routing.ActReturn), string(routing.ActGrantExtension), string(routing.ActReopen), string(routing.ActEscalate))
	if err != nil {
		return nil, nil, fmt.Errorf("report events: %w", err)
	}
	defer rows.Close()
	var evs []routing.Event
	for rows.Next() {
		var ev routing.Event
		var action, role, at, from, to string
		if err := rows.Scan(&ev.CaseID, &ev.Seq, &action, &role, &ev.Actor.Department, &ev.Actor.Name, &at,
			&from, &to); err != nil {
			return nil, nil, fmt.Errorf("report events: %w", err)
		}
		ev.Action, ev.Actor.Role = routing.Action(action), routing.Role(role)
		ev.FromStatus, ev.ToStatus = routing.Status(from), routing.Status(to)
		if ev.At, err = parseTime(at); err != nil {
			return nil, nil, fmt.Errorf("report events of %s: %w", ev.CaseID, err)
		}
		evs = append(evs, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("report events: %w", err)
	}
	return cs, evs, nil
}
