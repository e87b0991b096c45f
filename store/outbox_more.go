package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"chengnuo/routing"
)

// OutboxSkipped is the state of a message the delivery worker has no endpoint for (no
// webhook or callback URL configured): kept, visible and replayable, but not retried.
const OutboxSkipped = "skipped"

// sameStream restricts outbox p to the messages of o's case and target. The case's rows
// are found through the unique index on event_id, whose values start "<case>:" (see
// routing.OutboxFor), so the range scan reads only that case's few rows: ";" follows ":".
const sameStream = `p.event_id >= o.case_id || ':' AND p.event_id < o.case_id || ';'
	AND p.case_id = o.case_id AND p.target = o.target`

// OutboxHeads returns pending messages due at or before now that head their stream (the
// messages of one case to one target): no earlier message of the stream is still pending.
// Delivering only heads keeps each receiver's view of a case in order. Messages whose target
// is in skipTargets are left alone (another consumer's, or a target already busy).
func (db *DB) OutboxHeads(ctx context.Context, now time.Time, limit int, skipTargets ...string) ([]routing.OutboxMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	args := []any{formatTime(now)}
	skip := ""
	if len(skipTargets) > 0 {
		skip = ` AND o.target NOT IN (` + placeholders(len(skipTargets), ", ") + `)`
		for _, t := range skipTargets {
			args = append(args, t)
		}
	}
	args = append(args, limit)
	return db.outbox(ctx, `SELECT `+prefixed("o", outboxColumns)+` FROM outbox AS o INDEXED BY outbox_pending
		WHERE o.status = 'pending' AND o.next_attempt_at <= ?`+skip+`
		AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE `+sameStream+` AND p.status = 'pending' AND p.id < o.id)
		ORDER BY o.next_attempt_at, o.id LIMIT ?`, args...)
}

// OutboxNext returns the oldest pending message of case caseID to target, due or not;
// nil when the stream has none.
func (db *DB) OutboxNext(ctx context.Context, caseID, target string) (*routing.OutboxMessage, error) {
	msgs, err := db.outbox(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE event_id >= ? AND event_id < ? AND case_id = ? AND target = ? AND status = 'pending'
		ORDER BY id LIMIT 1`, caseID+":", caseID+";", caseID, target)
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	return &msgs[0], nil
}

// MarkSkipped records that pending message id has no endpoint to go to: it leaves the
// queue (it would never succeed) until RequeueSkipped, with reason as its last error.
func (db *DB) MarkSkipped(ctx context.Context, id int64, reason string) error {
	return db.outboxUpdate(ctx, id, `UPDATE outbox SET status = 'skipped', last_error = ?
		WHERE id = ? AND status = 'pending'`, reason, id)
}

// MarkSkippedMany marks pending messages skipped with one statement; it returns how many.
func (db *DB) MarkSkippedMany(ctx context.Context, ids []int64, reason string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	res, err := db.write.ExecContext(ctx, `UPDATE outbox SET status = 'skipped', last_error = ?
		WHERE status = 'pending' AND id IN (`+placeholders(len(ids), ", ")+`)`, idArgs(reason, ids)...)
	if err != nil {
		return 0, fmt.Errorf("mark deliveries skipped: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RequeueSkipped makes skipped messages pending again, due now: the ones with the given
// event ids, or all of them when none is given. It returns how many.
func (db *DB) RequeueSkipped(ctx context.Context, eventIDs ...string) (int, error) {
	return db.requeue(ctx, "skipped", "", eventIDs)
}

// OutboxList returns up to limit messages in status ("" for any). Queues (pending, dead,
// skipped) come oldest first, so the longest-waiting show; delivered and "" newest first.
func (db *DB) OutboxList(ctx context.Context, status string, limit int) ([]routing.OutboxMessage, error) {
	if limit <= 0 {
		limit = 50
	}
	switch status {
	case "":
		return db.outbox(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY id DESC LIMIT ?`, limit)
	case routing.OutboxDelivered:
		return db.outbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE status = ?
			ORDER BY id DESC LIMIT ?`, status, limit)
	case routing.OutboxPending:
		return db.outbox(ctx, `SELECT `+outboxColumns+` FROM outbox INDEXED BY outbox_pending
			WHERE status = 'pending' ORDER BY next_attempt_at, id LIMIT ?`, limit)
	case routing.OutboxDead, OutboxSkipped:
		return db.outbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE status = ?
			ORDER BY id LIMIT ?`, status, limit)
	}
	return nil, routing.Errorf(routing.EINVALID, "未知投递状态 %q（应为 pending、delivered、dead 或 skipped）", status)
}

// prefixed qualifies each column of a column list with table alias a.
func prefixed(a, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = a + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// MarkDeliveredMany records one successful try of each of the messages ids in one statement
// and returns those it marked: a message no longer pending (requeued, or settled by another
// worker) is left alone and absent, as MarkDelivered would refuse it.
func (db *DB) MarkDeliveredMany(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.write.QueryContext(ctx, `UPDATE outbox SET status = 'delivered', attempts = attempts + 1,
		last_error = '', delivered_at = ? WHERE status = 'pending' AND id IN (`+placeholders(len(ids), ", ")+`)
		RETURNING id`, idArgs(formatTime(db.now()), ids)...)
	if err != nil {
		return nil, fmt.Errorf("mark deliveries delivered: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("mark deliveries delivered: %w", err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mark deliveries delivered: %w", err)
	}
	return out, nil
}

// idArgs is the arguments of a statement that takes first, then the list ids.
func idArgs(first any, ids []int64) []any {
	args := make([]any, 0, 1+len(ids))
	args = append(args, first)
	for _, id := range ids {
		args = append(args, id)
	}
	return args
}
