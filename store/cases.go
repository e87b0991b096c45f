package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"

	"chengnuo/routing"
)

// DB implements routing.CaseStore and routing.DueCases.
var (
	_ routing.CaseStore = (*DB)(nil)
	_ routing.DueCases  = (*DB)(nil)
)

// WithTx runs fn in one write transaction (BEGIN IMMEDIATE on the single write
// connection): committed when fn returns nil, rolled back otherwise. ctx bounds the wait
// for the write connection; once begun, the transaction's statements are not cancelled
// (see uncancelled). A write the database cannot take now (full disk, read-only file)
// fails with ErrUnwritable in the chain.
func (db *DB) WithTx(ctx context.Context, fn func(tx routing.CaseTx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", classify(err))
	}
	defer conn.Close()
	run := context.WithoutCancel(ctx)
	tx, err := conn.BeginTx(run, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", classify(err))
	}
	defer tx.Rollback()
	if err := fn(&caseTx{tx: uncancelled{tx: tx, ctx: run}}); err != nil {
		return classify(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

// caseTx is routing.CaseTx on one *sql.Tx.
type caseTx struct{ tx sqlTx }

// queryer is what both a *sql.Tx and a *sql.DB offer for reads.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// NextCaseID allocates "BQ<YYYYMMDD>-<n>" for at's Asia/Shanghai day; n has at least four digits.
func (t *caseTx) NextCaseID(ctx context.Context, at time.Time) (string, error) {
	ids, err := t.NextCaseIDs(ctx, at, 1)
	if err != nil {
		return "", err
	}
	return ids[0], nil
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
	due_at, dup_key, version, fingerprint`

var (
	insertCaseSQL = `INSERT INTO cases (` + caseColumns + `) VALUES (` + placeholders(37, ", ") + `)`
	updateCaseSQL = `UPDATE cases SET (` + strings.TrimPrefix(caseColumns, "id, ") + `) = (` +
		placeholders(36, ", ") + `) WHERE id = ? AND version = ?`
)

func (t *caseTx) InsertCase(ctx context.Context, c *routing.Case) error {
	return t.InsertCases(ctx, []*routing.Case{c})
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
	return t.insertRows(ctx, eventRows, len(events), func(args []any, i int) ([]any, error) {
		e := &events[i]
		var data any
		if len(e.Data) > 0 {
			b, err := jsonObject(e.Data)
			if err != nil {
				return nil, fmt.Errorf("event %s/%d data: %w", e.CaseID, e.Seq, err)
			}
			data = b
		}
		return append(args, e.CaseID, e.Seq, string(e.Action), string(e.Actor.Role), e.Actor.Department,
			e.Actor.Name, formatTime(e.At), e.Reason, string(e.FromStatus), string(e.ToStatus), data), nil
	}, func(i int, err error) error {
		e := &events[i]
		if isUniqueViolation(err) {
			return routing.Errorf(routing.ECONFLICT, "案件 %s 的事件 %d 已存在", e.CaseID, e.Seq)
		}
		return fmt.Errorf("append event %s/%d: %w", e.CaseID, e.Seq, err)
	})
}

func (t *caseTx) Enqueue(ctx context.Context, msgs ...routing.OutboxMessage) error {
	return t.insertRows(ctx, outboxRows, len(msgs), func(args []any, i int) ([]any, error) {
		m := &msgs[i]
		status := m.Status
		if status == "" {
			status = routing.OutboxPending
		}
		return append(args, m.EventID, m.CaseID, m.Seq, m.Kind, m.Target, string(m.Payload),
			formatTime(m.CreatedAt), formatTime(m.NextAttemptAt), m.Attempts, status, m.LastError), nil
	}, func(i int, err error) error {
		if isUniqueViolation(err) {
			return routing.Errorf(routing.ECONFLICT, "投递事件 %s 已存在", msgs[i].EventID)
		}
		return fmt.Errorf("enqueue %s: %w", msgs[i].EventID, err)
	})
}

// caseArgs are c's column values in caseColumns order.
func caseArgs(c *routing.Case) ([]any, error) { return appendCaseArgs(make([]any, 0, 37), c) }

// appendCaseArgs appends c's column values in caseColumns order to args.
func appendCaseArgs(args []any, c *routing.Case) ([]any, error) {
	items, err := jsonStrings(c.Items)
	if err != nil {
		return nil, fmt.Errorf("case %s items: %w", c.ID, err)
	}
	reasons, err := jsonStrings(c.Reasons)
	if err != nil {
		return nil, fmt.Errorf("case %s reasons: %w", c.ID, err)
	}
	return append(args, c.ID, string(c.Channel), nullString(c.ExternalRef), string(c.Type), c.Text, c.Address,
		items, c.Department, c.Street, c.Triage, reasons, c.Confidence,
		c.Complainant.Name, c.Complainant.Phone, c.Anonymous, string(c.Status), formatTime(c.ReceivedAt),
		nullTime(c.DispatchedAt), nullTime(c.AcceptBy), nullTime(c.ResolveBy), c.CalendarCovered,
		nullTime(c.AcceptedAt), c.ExtensionDays, nullTime(c.ExtendedTo), nullTime(c.RepliedAt), c.Reply,
		nullTime(c.ClosedAt), string(c.Satisfaction), nullString(c.DuplicateOf), nullTime(c.RemindAt),
		nullTime(c.ReminderSentAt), nullTime(c.OverdueAt), nullTime(c.EscalatedAt), nullTime(c.DueAt()),
		routing.DuplicateKey(c.Items, c.Department), c.Version, c.Fingerprint), nil
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
		&c.Version, &c.Fingerprint)
	if err != nil {
		return nil, err
	}
	c.Channel, c.ExternalRef, c.Type = routing.Channel(channel), ref.String, routing.CaseType(typ)
	c.Status, c.Satisfaction, c.DuplicateOf = routing.Status(status), routing.Satisfaction(sat), dup.String
	if c.Items, err = decodeStrings(items); err != nil {
		return nil, fmt.Errorf("case %s items: %w", c.ID, err)
	}
	if c.Reasons, err = decodeStrings(reasons); err != nil {
		return nil, fmt.Errorf("case %s reasons: %w", c.ID, err)
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

// getCase reads one case with its ended rounds (Case.Rounds).
func getCase(ctx context.Context, q queryer, id string) (*routing.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, routing.Errorf(routing.ENOTFOUND, "案件 %s 不存在", id)
	} else if err != nil {
		return nil, fmt.Errorf("get case %s: %w", id, err)
	}
	if c.Rounds, err = caseRounds(ctx, q, id); err != nil {
		return nil, err
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

// jsonStrings is json.Marshal of ss (nil as []), byte for byte, without reflection when no
// string needs escaping (item ids and Chinese reasons never do).
func jsonStrings(ss []string) (string, error) {
	n := 2
	for _, s := range ss {
		if !plainJSON(s) {
			b, err := json.Marshal(nonNil(ss))
			return string(b), err
		}
		n += len(s) + 3
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String(), nil
}

// decodeStrings reads a JSON array of strings; an empty one is nil. What jsonStrings wrote
// without escapes is split as it is; anything else goes through encoding/json.
func decodeStrings(s string) ([]string, error) {
	if s == "[]" {
		return nil, nil
	}
	if len(s) >= 4 && strings.HasPrefix(s, `["`) && strings.HasSuffix(s, `"]`) && !strings.Contains(s, `\`) {
		parts := strings.Split(s[2:len(s)-2], `","`)
		plain := true
		for _, p := range parts {
			plain = plain && !strings.Contains(p, `"`)
		}
		if plain {
			return parts, nil
		}
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// jsonObject is json.Marshal of m (keys sorted), byte for byte, likewise.
func jsonObject(m map[string]string) (string, error) {
	keys := make([]string, 0, len(m))
	n := 2
	for k, v := range m {
		if !plainJSON(k) || !plainJSON(v) {
			b, err := json.Marshal(m)
			return string(b), err
		}
		keys = append(keys, k)
		n += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(k)
		b.WriteString(`":"`)
		b.WriteString(m[k])
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// plainJSON reports whether s is valid UTF-8 holding nothing encoding/json escapes:
// control characters, quote, backslash, <, >, & and U+2028, U+2029.
func plainJSON(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}
