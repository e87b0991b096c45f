package store

import (
	"context"
	"fmt"

	"chengnuo/routing"
)

// OutboxHas reports whether an event id is already in the outbox.
func (db *DB) OutboxHas(ctx context.Context, eventID string) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE event_id = ?`, eventID).Scan(&n); err != nil {
		return false, fmt.Errorf("outbox has %s: %w", eventID, err)
	}
	return n > 0, nil
}

// EnqueueOnce adds messages that belong to no case transaction (the weekly bulletin); a
// message whose event id is already queued is left alone, so repeating is harmless.
// It returns how many were added.
func (db *DB) EnqueueOnce(ctx context.Context, msgs ...routing.OutboxMessage) (int, error) {
	added := 0
	for _, m := range msgs {
		res, err := db.write.ExecContext(ctx, `INSERT OR IGNORE INTO outbox (event_id, case_id, seq, kind, target,
			payload, created_at, next_attempt_at, attempts, status, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 'pending', '')`,
			m.EventID, m.CaseID, m.Seq, m.Kind, m.Target, string(m.Payload), formatTime(m.CreatedAt), formatTime(m.NextAttemptAt))
		if err != nil {
			return added, fmt.Errorf("enqueue %s: %w", m.EventID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
		}
	}
	return added, nil
}
