package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"chengnuo/routing"
)

// Case returns the case with the given id from the read pool, or ENOTFOUND.
func (db *DB) Case(ctx context.Context, id string) (*routing.Case, error) {
	return getCase(ctx, db.read, id)
}

// CaseByRef returns the case filed from ch with external reference ref, or ENOTFOUND.
func (db *DB) CaseByRef(ctx context.Context, ch routing.Channel, ref string) (*routing.Case, error) {
	return getCaseByRef(ctx, db.read, ch, ref)
}

// Cases lists cases matching f: by default newest first; with DueBefore, open cases whose
// deadline in force is before it, earliest deadline first; with NextDueBefore, open cases whose
// next deadline (签收 or 办结) is before it, earliest first.
func (db *DB) Cases(ctx context.Context, f routing.CaseFilter) ([]*routing.Case, error) {
	var where []string
	var args []any
	if f.Department != "" {
		where, args = append(where, "department = ?"), append(args, f.Department)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	order := "rowid DESC"
	if !f.DueBefore.IsZero() {
		where, args = append(where, "due_at IS NOT NULL", "due_at < ?"), append(args, formatTime(f.DueBefore))
		order = "due_at, rowid"
	}
	if !f.NextDueBefore.IsZero() {
		where, args = append(where, "due_at IS NOT NULL", "("+nextDueSQL+") < ?"), append(args, formatTime(f.NextDueBefore))
		order = nextDueSQL + ", rowid"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	args = append(args, limit, max(f.Offset, 0))
	cs, err := queryCases(ctx, db.read, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return cs, nil
}

// nextDueSQL is routing.Case.NextDeadline of an open row: the accept deadline while the case
// awaits acceptance (dispatched or reopened, not accepted), else the deadline in force (due_at).
const nextDueSQL = `CASE WHEN status IN ('dispatched', 'reopened') AND accepted_at IS NULL AND accept_by IS NOT NULL
	THEN accept_by ELSE due_at END`

// Events returns a case's events in Seq order.
func (db *DB) Events(ctx context.Context, caseID string) ([]routing.Event, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT case_id, seq, action, actor_role, actor_department,
		actor_name, at, reason, from_status, to_status, data FROM case_events WHERE case_id = ? ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []routing.Event
	for rows.Next() {
		var e routing.Event
		var action, role, at, from, to string
		var data sql.NullString
		if err := rows.Scan(&e.CaseID, &e.Seq, &action, &role, &e.Actor.Department, &e.Actor.Name, &at,
			&e.Reason, &from, &to, &data); err != nil {
			return nil, fmt.Errorf("events of %s: %w", caseID, err)
		}
		e.Action, e.Actor.Role = routing.Action(action), routing.Role(role)
		e.FromStatus, e.ToStatus = routing.Status(from), routing.Status(to)
		if e.At, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("events of %s: %w", caseID, err)
		}
		if data.Valid {
			if err := json.Unmarshal([]byte(data.String), &e.Data); err != nil {
				return nil, fmt.Errorf("events of %s/%d data: %w", caseID, e.Seq, err)
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events of %s: %w", caseID, err)
	}
	return out, nil
}

// The scheduler queries. Each WHERE repeats its partial index's condition word for word,
// so SQLite uses the index (see TestDueQueriesUseIndexes) and reads only due rows.

// DueForReminder returns open cases whose next reminder is due at or before now.
func (db *DB) DueForReminder(ctx context.Context, now time.Time, limit int) ([]*routing.Case, error) {
	return db.due(ctx, "reminder", `SELECT `+caseColumns+` FROM cases INDEXED BY cases_remind
		WHERE remind_at IS NOT NULL AND remind_at <= ? ORDER BY remind_at LIMIT ?`, now, limit)
}

// DueOverdue returns open cases not yet marked overdue whose deadline in force is at or before now.
func (db *DB) DueOverdue(ctx context.Context, now time.Time, limit int) ([]*routing.Case, error) {
	return db.due(ctx, "overdue", `SELECT `+caseColumns+` FROM cases INDEXED BY cases_due
		WHERE `+dueFlagsSQL+` AND overdue_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?`, now, limit)
}

// DueEscalation returns open cases not yet escalated whose deadline in force is at or before before.
func (db *DB) DueEscalation(ctx context.Context, before time.Time, limit int) ([]*routing.Case, error) {
	return db.due(ctx, "escalation", `SELECT `+caseColumns+` FROM cases INDEXED BY cases_due
		WHERE `+dueFlagsSQL+` AND escalated_at IS NULL AND due_at <= ? ORDER BY due_at LIMIT ?`, before, limit)
}

// dueFlagsSQL is the condition of the cases_due index (migration 0006), word for word.
const dueFlagsSQL = `due_at IS NOT NULL AND (overdue_at IS NULL OR escalated_at IS NULL)`

func (db *DB) due(ctx context.Context, what, q string, at time.Time, limit int) ([]*routing.Case, error) {
	if limit <= 0 {
		limit = 100
	}
	cs, err := queryCases(ctx, db.read, q, formatTime(at), limit)
	if err != nil {
		return nil, fmt.Errorf("due for %s: %w", what, err)
	}
	return cs, nil
}

// duplicateCandidates answers q with two index range scans: same phone, same topic key.
func duplicateCandidates(ctx context.Context, q queryer, dq routing.DuplicateQuery) ([]*routing.Case, error) {
	limit := dq.Limit
	if limit <= 0 {
		limit = 50
	}
	since := formatTime(dq.Since)
	open := openStatusSQL()
	var out []*routing.Case
	seen := map[string]bool{}
	add := func(cs []*routing.Case) {
		for _, c := range cs {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	if dq.Phone != "" {
		cs, err := queryCandidates(ctx, q, `SELECT `+candidateColumns+` FROM cases INDEXED BY cases_phone
			WHERE phone <> '' AND phone = ? AND received_at >= ? AND status IN (`+open+`)
			ORDER BY received_at DESC LIMIT ?`, dq.Phone, since, limit)
		if err != nil {
			return nil, fmt.Errorf("duplicate candidates by phone: %w", err)
		}
		add(cs)
	}
	if dq.Key != "" {
		cs, err := queryCandidates(ctx, q, `SELECT `+candidateColumns+` FROM cases INDEXED BY cases_dup_key
			WHERE dup_key = ? AND received_at >= ? AND status IN (`+open+`)
			ORDER BY received_at DESC LIMIT ?`, dq.Key, since, limit)
		if err != nil {
			return nil, fmt.Errorf("duplicate candidates by topic: %w", err)
		}
		add(cs)
	}
	return out, nil
}

// candidateColumns are what routing.FindDuplicate reads; candidates carry only these.
const candidateColumns = `id, status, received_at, department, items, phone, text`

func queryCandidates(ctx context.Context, q queryer, query string, args ...any) ([]*routing.Case, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*routing.Case
	for rows.Next() {
		var c routing.Case
		var status, received, items string
		if err := rows.Scan(&c.ID, &status, &received, &c.Department, &items, &c.Complainant.Phone, &c.Text); err != nil {
			return nil, err
		}
		if err := fillCandidate(&c, status, received, items); err != nil {
			return nil, err
		}
		out = append(out, &c)
	}
	return out, rows.Err()
}

// fillCandidate sets the candidate columns read as text.
func fillCandidate(c *routing.Case, status, received, items string) error {
	c.Status = routing.Status(status)
	var err error
	if c.ReceivedAt, err = parseTime(received); err != nil {
		return fmt.Errorf("case %s received_at: %w", c.ID, err)
	}
	if c.Items, err = decodeStrings(items); err != nil {
		return fmt.Errorf("case %s items: %w", c.ID, err)
	}
	return nil
}

// openStatusSQL is routing.OpenStatuses as an SQL list of literals.
func openStatusSQL() string {
	quoted := make([]string, len(routing.OpenStatuses))
	for i, s := range routing.OpenStatuses {
		quoted[i] = "'" + string(s) + "'"
	}
	return strings.Join(quoted, ", ")
}

func queryCases(ctx context.Context, q queryer, query string, args ...any) ([]*routing.Case, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*routing.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
