package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"chengnuo/routing"
)

// DB implements routing.CaseStore and routing.DueCases.
var (
	_ routing.CaseStore = (*DB)(nil)
	_ routing.DueCases  = (*DB)(nil)
)

// WithTx runs fn in one write transaction (BEGIN IMMEDIATE on the single write
// connection): committed when fn returns nil, rolled back otherwise.
func (db *DB) WithTx(ctx context.Context, fn func(tx routing.CaseTx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(&caseTx{tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// caseTx is routing.CaseTx on one *sql.Tx.
type caseTx struct{ tx *sql.Tx }

// queryer is what both a *sql.Tx and a *sql.DB offer for reads.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// NextCaseID allocates "BQ<YYYYMMDD>-<n>" for at's Asia/Shanghai day; n has at least four digits.
// Plain UPDATE and SELECT: with go-sqlite3 an upsert with RETURNING costs several times more.
func (t *caseTx) NextCaseID(ctx context.Context, at time.Time) (string, error) {
	day := at.In(shanghai).Format("20060102")
	res, err := t.tx.ExecContext(ctx, `UPDATE case_counters SET n = n + 1 WHERE day = ?`, day)
	if err != nil {
		return "", fmt.Errorf("allocate case id: %w", err)
	}
	var n int64
	if changed, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("allocate case id: %w", err)
	} else if changed == 0 {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO case_counters (day, n) VALUES (?, 1)`, day); err != nil {
			return "", fmt.Errorf("allocate case id: %w", err)
		}
		n = 1
	} else if err := t.tx.QueryRowContext(ctx, `SELECT n FROM case_counters WHERE day = ?`, day).Scan(&n); err != nil {
		return "", fmt.Errorf("allocate case id: %w", err)
	}
	return fmt.Sprintf("BQ%s-%04d", day, n), nil
}

func (t *caseTx) Case(ctx context.Context, id string) (*routing.Case, error) {
	return getCase(ctx, t.tx, id)
}

func (t *caseTx) CaseByRef(ctx context.Context, ch routing.Channel, ref string) (*routing.Case, error) {
	return getCaseByRef(ctx, t.tx, ch, ref)
}

func (t *caseTx) DuplicateCandidates(ctx context.Context, q routing.DuplicateQuery) ([]*routing.Case, error) {
	return duplicateCandidates(ctx, t.tx, q)
}

// caseColumns are the columns of cases in the order caseArgs writes and scanCase reads them.
const caseColumns = `id, channel, external_ref, type, text, address, items, department, street, triage,
	reasons, confidence, name, phone, anonymous, status, received_at, dispatched_at, accept_by,
	resolve_by, calendar_covered, accepted_at, extension_days, extended_to, replied_at, reply,
	closed_at, satisfaction, duplicate_of, remind_at, reminder_sent_at, overdue_at, escalated_at,
	due_at, dup_key, version`

var (
	insertCaseSQL = `INSERT INTO cases (` + caseColumns + `) VALUES (?` + strings.Repeat(", ?", 35) + `)`
	updateCaseSQL = `UPDATE cases SET (` + strings.TrimPrefix(caseColumns, "id, ") + `) = (?` +
		strings.Repeat(", ?", 34) + `) WHERE id = ? AND version = ?`
)

func (t *caseTx) InsertCase(ctx context.Context, c *routing.Case) error {
	args, err := caseArgs(c)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, insertCaseSQL, args...); err != nil {
		if isUniqueViolation(err) {
			return routing.Errorf(routing.ECONFLICT, "案件 %s 或外部编号 %s 已存在", c.ID, c.ExternalRef)
		}
		return fmt.Errorf("insert case %s: %w", c.ID, err)
	}
	return nil
}

func (t *caseTx) UpdateCase(ctx context.Context, c *routing.Case, prevVersion int) error {
	args, err := caseArgs(c)
	if err != nil {
		return err
	}
	args = append(args[1:], c.ID, prevVersion)
	res, err := t.tx.ExecContext(ctx, updateCaseSQL, args...)
	if err != nil {
		if isUniqueViolation(err) {
			return routing.Errorf(routing.ECONFLICT, "外部编号 %s 已存在", c.ExternalRef)
		}
		return fmt.Errorf("update case %s: %w", c.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update case %s: %w", c.ID, err)
	} else if n == 0 {
		if _, err := getCase(ctx, t.tx, c.ID); err != nil {
			return err
		}
		return routing.Errorf(routing.ECONFLICT, "案件 %s 已被他人修改，请刷新后重试", c.ID)
	}
	return nil
}

func (t *caseTx) AppendEvents(ctx context.Context, events ...routing.Event) error {
	for _, e := range events {
		var data any
		if len(e.Data) > 0 {
			b, err := json.Marshal(e.Data)
			if err != nil {
				return fmt.Errorf("event %s/%d data: %w", e.CaseID, e.Seq, err)
			}
			data = string(b)
		}
		_, err := t.tx.ExecContext(ctx, `INSERT INTO case_events (case_id, seq, action, actor_role,
			actor_department, actor_name, at, reason, from_status, to_status, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.CaseID, e.Seq, string(e.Action), string(e.Actor.Role), e.Actor.Department, e.Actor.Name,
			formatTime(e.At), e.Reason, string(e.FromStatus), string(e.ToStatus), data)
		if err != nil {
			if isUniqueViolation(err) {
				return routing.Errorf(routing.ECONFLICT, "案件 %s 的事件 %d 已存在", e.CaseID, e.Seq)
			}
			return fmt.Errorf("append event %s/%d: %w", e.CaseID, e.Seq, err)
		}
	}
	return nil
}

func (t *caseTx) Enqueue(ctx context.Context, msgs ...routing.OutboxMessage) error {
	for _, m := range msgs {
		status := m.Status
		if status == "" {
			status = routing.OutboxPending
		}
		_, err := t.tx.ExecContext(ctx, `INSERT INTO outbox (event_id, case_id, seq, kind, target, payload,
			created_at, next_attempt_at, attempts, status, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.EventID, m.CaseID, m.Seq, m.Kind, m.Target, string(m.Payload), formatTime(m.CreatedAt),
			formatTime(m.NextAttemptAt), m.Attempts, status, m.LastError)
		if err != nil {
			if isUniqueViolation(err) {
				return routing.Errorf(routing.ECONFLICT, "投递事件 %s 已存在", m.EventID)
			}
			return fmt.Errorf("enqueue %s: %w", m.EventID, err)
		}
	}
	return nil
}

// caseArgs are c's column values in caseColumns order.
func caseArgs(c *routing.Case) ([]any, error) {
	items, err := json.Marshal(nonNil(c.Items))
	if err != nil {
		return nil, fmt.Errorf("case %s items: %w", c.ID, err)
	}
	reasons, err := json.Marshal(nonNil(c.Reasons))
	if err != nil {
		return nil, fmt.Errorf("case %s reasons: %w", c.ID, err)
	}
	return []any{c.ID, string(c.Channel), nullString(c.ExternalRef), string(c.Type), c.Text, c.Address,
		string(items), c.Department, c.Street, c.Triage, string(reasons), c.Confidence,
		c.Complainant.Name, c.Complainant.Phone, c.Anonymous, string(c.Status), formatTime(c.ReceivedAt),
		nullTime(c.DispatchedAt), nullTime(c.AcceptBy), nullTime(c.ResolveBy), c.CalendarCovered,
		nullTime(c.AcceptedAt), c.ExtensionDays, nullTime(c.ExtendedTo), nullTime(c.RepliedAt), c.Reply,
		nullTime(c.ClosedAt), string(c.Satisfaction), nullString(c.DuplicateOf), nullTime(c.RemindAt),
		nullTime(c.ReminderSentAt), nullTime(c.OverdueAt), nullTime(c.EscalatedAt), nullTime(c.DueAt()),
		routing.DuplicateKey(c.Items, c.Department), c.Version}, nil
}

// scanCase reads one row of caseColumns.
func scanCase(row interface{ Scan(...any) error }) (*routing.Case, error) {
	var (
		c                                                           routing.Case
		ref, dup                                                    sql.NullString
		items, reasons, received, channel, typ, status, sat, dupKey string
		tm                                                          [13]sql.NullString
	)
	err := row.Scan(&c.ID, &channel, &ref, &typ, &c.Text, &c.Address, &items, &c.Department, &c.Street,
		&c.Triage, &reasons, &c.Confidence, &c.Complainant.Name, &c.Complainant.Phone, &c.Anonymous,
		&status, &received, &tm[0], &tm[1], &tm[2], &c.CalendarCovered, &tm[3], &c.ExtensionDays,
		&tm[4], &tm[5], &c.Reply, &tm[6], &sat, &dup, &tm[7], &tm[8], &tm[9], &tm[10], &tm[11], &dupKey,
		&c.Version)
	if err != nil {
		return nil, err
	}
	c.Channel, c.ExternalRef, c.Type = routing.Channel(channel), ref.String, routing.CaseType(typ)
	c.Status, c.Satisfaction, c.DuplicateOf = routing.Status(status), routing.Satisfaction(sat), dup.String
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return nil, fmt.Errorf("case %s items: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(reasons), &c.Reasons); err != nil {
		return nil, fmt.Errorf("case %s reasons: %w", c.ID, err)
	}
	if len(c.Items) == 0 {
		c.Items = nil
	}
	if len(c.Reasons) == 0 {
		c.Reasons = nil
	}
	if c.ReceivedAt, err = parseTime(received); err != nil {
		return nil, fmt.Errorf("case %s received_at: %w", c.ID, err)
	}
	dst := []*time.Time{&c.DispatchedAt, &c.AcceptBy, &c.ResolveBy, &c.AcceptedAt, &c.ExtendedTo,
		&c.RepliedAt, &c.ClosedAt, &c.RemindAt, &c.ReminderSentAt, &c.OverdueAt, &c.EscalatedAt}
	for i, p := range dst {
		if !tm[i].Valid {
			continue
		}
		if *p, err = parseTime(tm[i].String); err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
	}
	// tm[11] is due_at, derived from the other columns.
	return &c, nil
}

func getCase(ctx context.Context, q queryer, id string) (*routing.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, routing.Errorf(routing.ENOTFOUND, "案件 %s 不存在", id)
	} else if err != nil {
		return nil, fmt.Errorf("get case %s: %w", id, err)
	}
	return c, nil
}

// getCaseByRef looks the id up first: nearly every lookup is of a new ticket, and a
// one-column query is cheaper to prepare and run than the full row.
func getCaseByRef(ctx context.Context, q queryer, ch routing.Channel, ref string) (*routing.Case, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM cases WHERE channel = ? AND external_ref = ?`, string(ch), ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, routing.Errorf(routing.ENOTFOUND, "%s 编号 %s 的案件不存在", ch, ref)
	} else if err != nil {
		return nil, fmt.Errorf("get case by ref %s/%s: %w", ch, ref, err)
	}
	return getCase(ctx, q, id)
}

func isUniqueViolation(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique ||
		se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
