package store

import (
	"context"
	"fmt"
	"time"

	"chengnuo/routing"
)

const outboxColumns = `id, event_id, case_id, seq, kind, target, payload, created_at, next_attempt_at,
	attempts, status, last_error`

// OutboxPending returns pending messages due at or before now, oldest due first, for the
// delivery worker. Messages survive restarts: they stay pending until marked.
func (db *DB) OutboxPending(ctx context.Context, now time.Time, limit int) ([]routing.OutboxMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	return db.outbox(ctx, `SELECT `+outboxColumns+` FROM outbox INDEXED BY outbox_pending
		WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
		formatTime(now), limit)
}

// OutboxDead returns dead messages (tries exhausted), oldest first.
func (db *DB) OutboxDead(ctx context.Context, limit int) ([]routing.OutboxMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	return db.outbox(ctx, `SELECT `+outboxColumns+` FROM outbox INDEXED BY outbox_dead
		WHERE status = 'dead' ORDER BY id LIMIT ?`, limit)
}

// OutboxCounts returns how many messages are pending and dead (for metrics).
func (db *DB) OutboxCounts(ctx context.Context) (pending, dead int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM outbox INDEXED BY outbox_pending WHERE status = 'pending'),
		(SELECT COUNT(*) FROM outbox INDEXED BY outbox_dead WHERE status = 'dead')`).Scan(&pending, &dead)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox counts: %w", err)
	}
	return pending, dead, nil
}

// MarkDelivered records a successful delivery of message id.
func (db *DB) MarkDelivered(ctx context.Context, id int64) error {
	now := formatTime(db.now())
	return db.outboxUpdate(ctx, id, `UPDATE outbox SET status = 'delivered', attempts = attempts + 1,
		last_error = '', delivered_at = ? WHERE id = ? AND status = 'pending'`, now, id)
}

// MarkFailed records a failed try of message id: it is tried again at next, or, when dead
// is true (tries exhausted), moved to the dead letters until RequeueDead.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string, next time.Time, dead bool) error {
	status := routing.OutboxPending
	if dead {
		status = routing.OutboxDead
	}
	return db.outboxUpdate(ctx, id, `UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,
		next_attempt_at = ? WHERE id = ? AND status = 'pending'`, status, reason, formatTime(next), id)
}

// RequeueDead makes dead messages pending again, due now, with a fresh count of attempts:
// the ones with the given event ids, or all of them when none is given. It returns how many.
func (db *DB) RequeueDead(ctx context.Context, eventIDs ...string) (int, error) {
	return db.requeue(ctx, "dead", "attempts = 0, ", eventIDs)
}

// requeue makes messages in status pending again, due now (reset: extra SET clauses ending
// in ", "): those with the given event ids, or all of them when none is given.
func (db *DB) requeue(ctx context.Context, status, reset string, eventIDs []string) (int, error) {
	q := `UPDATE outbox SET status = 'pending', ` + reset + `next_attempt_at = ? WHERE status = ?`
	args := []any{formatTime(db.now()), status}
	if len(eventIDs) > 0 {
		q += ` AND event_id IN (` + placeholders(len(eventIDs), ", ") + `)`
		for _, id := range eventIDs {
			args = append(args, id)
		}
	}
	res, err := db.write.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("requeue %s deliveries: %w", status, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("requeue %s deliveries: %w", status, err)
	}
	return int(n), nil
}

func (db *DB) outboxUpdate(ctx context.Context, id int64, q string, args ...any) error {
	res, err := db.write.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("outbox %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("outbox %d: %w", id, err)
	} else if n == 0 {
		return routing.Errorf(routing.ENOTFOUND, "没有待投递的消息 %d", id)
	}
	return nil
}

func (db *DB) outbox(ctx context.Context, q string, args ...any) ([]routing.OutboxMessage, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []routing.OutboxMessage
	for rows.Next() {
		var m routing.OutboxMessage
		var payload, created, next string
		if err := rows.Scan(&m.ID, &m.EventID, &m.CaseID, &m.Seq, &m.Kind, &m.Target, &payload, &created,
			&next, &m.Attempts, &m.Status, &m.LastError); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		m.Payload = []byte(payload)
		if m.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("outbox %d: %w", m.ID, err)
		}
		if m.NextAttemptAt, err = parseTime(next); err != nil {
			return nil, fmt.Errorf("outbox %d: %w", m.ID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
