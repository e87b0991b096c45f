package store

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"chengnuo/routing"
)

// The batch side of routing.CaseTx: a group-committed batch of cases is looked up, numbered,
// matched and inserted with a handful of statements instead of eight per case. Statements
// with a variable number of rows or values come in power-of-two sizes, so that the few texts
// stay in the connection's statement cache.

// maxListSize bounds the values of one IN list or VALUES table; longer lists are split.
const maxListSize = 256

// listSize is the statement size for n values: n rounded up to a power of two.
func listSize(n int) int {
	if n <= 1 {
		return 1
	}
	return 1 << bits.Len(uint(n-1))
}

// placeholders returns "?, ?, …" (n of them) with sep between: ", " or "), (".
func placeholders(n int, sep string) string {
	return "?" + strings.Repeat(sep+"?", n-1)
}

func (t *caseTx) CasesByRefs(ctx context.Context, ch routing.Channel, refs []string) (map[string]*routing.Case, error) {
	return casesByRefs(ctx, t.tx, ch, refs)
}

// casesByRefs is one search of cases_ref per reference, in one statement per 256 references.
// The list is padded with its last reference to a power-of-two size.
func casesByRefs(ctx context.Context, q queryer, ch routing.Channel, refs []string) (map[string]*routing.Case, error) {
	out := map[string]*routing.Case{}
	for len(refs) > 0 {
		part := refs[:min(len(refs), maxListSize)]
		refs = refs[len(part):]
		size := listSize(len(part))
		args := make([]any, 0, size+1)
		args = append(args, string(ch))
		for i := range size {
			args = append(args, part[min(i, len(part)-1)])
		}
		cs, err := queryCases(ctx, q, `SELECT `+caseColumns+` FROM cases INDEXED BY cases_ref
			WHERE channel = ? AND external_ref IN (`+placeholders(size, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("get cases by ref %s: %w", ch, err)
		}
		for _, c := range cs {
			out[c.ExternalRef] = c
		}
	}
	return out, nil
}

// NextCaseIDs allocates n consecutive ids of at's Asia/Shanghai day with one counter update.
// Plain UPDATE and SELECT: with go-sqlite3 an upsert with RETURNING costs several times more.
func (t *caseTx) NextCaseIDs(ctx context.Context, at time.Time, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	day := at.In(shanghai).Format("20060102")
	res, err := t.tx.ExecContext(ctx, `UPDATE case_counters SET n = n + ? WHERE day = ?`, n, day)
	if err != nil {
		return nil, fmt.Errorf("allocate case id: %w", err)
	}
	var last int64
	if changed, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("allocate case id: %w", err)
	} else if changed == 0 {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO case_counters (day, n) VALUES (?, ?)`, day, n); err != nil {
			return nil, fmt.Errorf("allocate case id: %w", err)
		}
		last = int64(n)
	} else if err := t.tx.QueryRowContext(ctx, `SELECT n FROM case_counters WHERE day = ?`, day).Scan(&last); err != nil {
		return nil, fmt.Errorf("allocate case id: %w", err)
	}
	ids := make([]string, n)
	prefix := "BQ" + day + "-"
	for k := range ids {
		seq := strconv.FormatInt(last-int64(n)+1+int64(k), 10)
		if len(seq) < 4 {
			seq = "000"[:4-len(seq)] + seq
		}
		ids[k] = prefix + seq
	}
	return ids, nil
}

// DuplicateSets answers every phone and topic key of a batch with two statements (one per
// 256 values): for each value the same index range scan as duplicateCandidates, run as a
// correlated subquery over a VALUES table padded with empty strings (no phone or key is empty).
func (t *caseTx) DuplicateSets(ctx context.Context, q routing.DuplicateSetQuery) (routing.DuplicateSets, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	var out routing.DuplicateSets
	var err error
	if out.ByPhone, err = candidateSets(ctx, t.tx, phoneSetSQL, q.Phones, q.Since, limit); err != nil {
		return out, fmt.Errorf("duplicate candidates by phone: %w", err)
	}
	if out.ByKey, err = candidateSets(ctx, t.tx, keySetSQL, q.Keys, q.Since, limit); err != nil {
		return out, fmt.Errorf("duplicate candidates by topic: %w", err)
	}
	return out, nil
}

// phoneSetSQL and keySetSQL take the VALUES table and the limit (%s, %d), then since; the
// inner queries are those of duplicateCandidates. The limit is a literal: with a parameter
// there, SQLite runs the correlated subquery many times slower.
var (
	phoneSetSQL = `SELECT k.column1, c.rowid, ` + prefixed("c", candidateColumns) + ` FROM (VALUES %s) AS k
		JOIN cases AS c ON c.rowid IN (SELECT rowid FROM cases INDEXED BY cases_phone
			WHERE phone <> '' AND phone = k.column1 AND received_at >= ? AND status IN (` + openStatusSQL() + `)
			ORDER BY received_at DESC LIMIT %d)`
	keySetSQL = `SELECT k.column1, c.rowid, ` + prefixed("c", candidateColumns) + ` FROM (VALUES %s) AS k
		JOIN cases AS c ON c.rowid IN (SELECT rowid FROM cases INDEXED BY cases_dup_key
			WHERE dup_key = k.column1 AND received_at >= ? AND status IN (` + openStatusSQL() + `)
			ORDER BY received_at DESC LIMIT %d)`
)

// candidateSets runs query for values and returns each value's candidates in index order:
// most recent first, the later inserted (higher rowid) first among equal times.
func candidateSets(ctx context.Context, q queryer, query string, values []string, since time.Time,
	limit int) (map[string][]*routing.Case, error) {
	out := map[string][]*routing.Case{}
	type row struct {
		rowid    int64
		received string
		c        *routing.Case
	}
	rows := map[string][]row{}
	sinceText := formatTime(since)
	for len(values) > 0 {
		part := values[:min(len(values), maxListSize)]
		values = values[len(part):]
		size := listSize(len(part))
		args := make([]any, 0, size+2)
		for i := range size {
			v := ""
			if i < len(part) {
				v = part[i]
			}
			args = append(args, v)
		}
		args = append(args, sinceText)
		rs, err := q.QueryContext(ctx, fmt.Sprintf(query, "("+placeholders(size, "), (")+")", limit), args...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var key, received, items string
			var r row
			var c routing.Case
			var status string
			if err := rs.Scan(&key, &r.rowid, &c.ID, &status, &received, &c.Department, &items,
				&c.Complainant.Phone, &c.Text); err != nil {
				rs.Close()
				return nil, err
			}
			if err := fillCandidate(&c, status, received, items); err != nil {
				rs.Close()
				return nil, err
			}
			r.received, r.c = received, &c
			rows[key] = append(rows[key], r)
		}
		if err := rs.Close(); err != nil {
			return nil, err
		}
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	for key, rs := range rows {
		// received_at is fixed-width text (timeLayout): text order is time order.
		slices.SortFunc(rs, func(a, b row) int {
			if c := strings.Compare(b.received, a.received); c != 0 {
				return c
			}
			return cmp.Compare(b.rowid, a.rowid)
		})
		cs := make([]*routing.Case, len(rs))
		for i, r := range rs {
			cs[i] = r.c
		}
		out[key] = cs
	}
	return out, nil
}

// InsertCases inserts cs with multi-row INSERT statements.
func (t *caseTx) InsertCases(ctx context.Context, cs []*routing.Case) error {
	return t.insertRows(ctx, caseRows, len(cs), func(args []any, i int) ([]any, error) {
		return appendCaseArgs(args, cs[i])
	}, func(i int, err error) error {
		if isUniqueViolation(err) {
			return routing.Errorf(routing.ECONFLICT, "案件 %s 或外部编号 %s 已存在", cs[i].ID, cs[i].ExternalRef)
		}
		return fmt.Errorf("insert case %s: %w", cs[i].ID, err)
	})
}

// rowsInsert is a multi-row INSERT of one table in power-of-two sizes up to maxRows.
type rowsInsert struct {
	width int
	sql   map[int]string // by number of rows
	max   int
}

func newRowsInsert(table, columns string, maxRows int) *rowsInsert {
	width := strings.Count(columns, ",") + 1
	ri := &rowsInsert{width: width, sql: map[int]string{}, max: maxRows}
	row := "(" + placeholders(width, ", ") + ")"
	for n := 1; n <= maxRows; n *= 2 {
		ri.sql[n] = `INSERT INTO ` + table + ` (` + columns + `) VALUES ` + row + strings.Repeat(", "+row, n-1)
	}
	return ri
}

// chunk is the rows of the next statement for rest rows to go: the largest power of two.
func (ri *rowsInsert) chunk(rest int) int {
	return 1 << (bits.Len(uint(min(rest, ri.max))) - 1)
}

var (
	caseRows  = newRowsInsert("cases", caseColumns, 64) // 37 values a row
	eventRows = newRowsInsert("case_events", `case_id, seq, action, actor_role, actor_department, actor_name,
		at, reason, from_status, to_status, data`, 128)
	outboxRows = newRowsInsert("outbox", `event_id, case_id, seq, kind, target, payload, created_at,
		next_attempt_at, attempts, status, last_error`, 128)
)

// insertRows inserts n rows whose values appendArgs appends. A failed multi-row statement
// changes nothing; on a constraint violation its rows are replayed one at a time, so that
// the result and fail's message are those of inserting row by row.
func (t *caseTx) insertRows(ctx context.Context, ri *rowsInsert, n int,
	appendArgs func(args []any, i int) ([]any, error), fail func(i int, err error) error) error {
	args := make([]any, 0, ri.width*min(n, ri.max))
	for start := 0; start < n; {
		size := ri.chunk(n - start)
		args = args[:0]
		var err error
		for i := start; i < start+size; i++ {
			if args, err = appendArgs(args, i); err != nil {
				return err
			}
		}
		if _, err := t.tx.ExecContext(ctx, ri.sql[size], args...); err != nil {
			if size > 1 && isUniqueViolation(err) {
				for i := start; i < start+size; i++ {
					one, aerr := appendArgs(args[:0], i)
					if aerr != nil {
						return aerr
					}
					if _, err := t.tx.ExecContext(ctx, ri.sql[1], one...); err != nil {
						return fail(i, err)
					}
				}
			}
			return fail(start, err)
		}
		start += size
	}
	return nil
}
