package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"chengnuo/routing"
)

// BenchmarkFileCase files one case per operation, one transaction each: the whole intake
// path below HTTP (idempotency lookup, id, duplicate query, case, two events, outbox row).
// Cases spread over eight departments, with distinct phones and texts.
func BenchmarkFileCase(b *testing.B) { benchFile(b, 1) }

// BenchmarkFileBatch files 64 cases per transaction, as a group-committing intake would.
func BenchmarkFileBatch(b *testing.B) { benchFile(b, 64) }

func benchFile(b *testing.B, batch int) {
	db := openTestDB(b)
	svc := newService(db, fixedNow(caseStart))
	ctx := context.Background()
	depts := []string{"rsj", "mzj", "gafj", "wjj", "scjgj", "jyj", "zjj", "ybj"}
	ncs := make([]routing.NewCase, batch)
	b.ResetTimer()
	for i := range b.N {
		for j := range ncs {
			ncs[j] = sampleCase(i*batch + j)
			ncs[j].Department = depts[(i*batch+j)%len(depts)]
		}
		if _, err := svc.FileBatch(ctx, ncs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "cases/s")
}

// BenchmarkDueQuery finds due work among 1,000,000 stored cases: 94% closed, the rest open
// with deadlines spread over 25 days around now, most past ones already marked.
func BenchmarkDueQuery(b *testing.B) {
	const total = 1_000_000
	db := openTestDB(b)
	ctx := context.Background()
	now := caseStart.UTC()
	t0 := time.Now()
	if err := bulkCases(ctx, db, total, now); err != nil {
		b.Fatal(err)
	}
	b.Logf("inserted %d cases in %v", total, time.Since(t0).Round(time.Millisecond))
	queries := []struct {
		name string
		run  func() ([]*routing.Case, error)
	}{
		{"reminder", func() ([]*routing.Case, error) { return db.DueForReminder(ctx, now, 100) }},
		{"overdue", func() ([]*routing.Case, error) { return db.DueOverdue(ctx, now, 100) }},
		{"escalation", func() ([]*routing.Case, error) { return db.DueEscalation(ctx, now, 100) }},
		{"department_due_list", func() ([]*routing.Case, error) {
			return db.Cases(ctx, routing.CaseFilter{Department: "rsj", DueBefore: now.Add(48 * time.Hour)})
		}},
		{"all_due_list", func() ([]*routing.Case, error) {
			return db.Cases(ctx, routing.CaseFilter{DueBefore: now.Add(48 * time.Hour)})
		}},
		{"department_status_list", func() ([]*routing.Case, error) {
			return db.Cases(ctx, routing.CaseFilter{Department: "rsj", Status: routing.StatusAccepted})
		}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			var n int
			for range b.N {
				cs, err := q.run()
				if err != nil {
					b.Fatal(err)
				}
				n = len(cs)
			}
			if n == 0 {
				b.Fatal("nothing due: the benchmark data is wrong")
			}
			b.ReportMetric(float64(n), "cases/op")
		})
	}
}

// bulkCases inserts total cases in transactions of 100,000 with one prepared statement.
func bulkCases(ctx context.Context, db *DB, total int, now time.Time) error {
	rng := rand.New(rand.NewPCG(1, 2))
	depts := []string{"rsj", "mzj", "gafj", "wjj", "scjgj", "jyj", "zjj", "ybj", "xzspj", "jd-shilipu"}
	const perTx = 100_000
	for start := 0; start < total; start += perTx {
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, insertCaseSQL)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i := start; i < min(start+perTx, total); i++ {
			received := now.Add(-time.Duration(total-i) * 5 * time.Second) // about 58 days
			c := routing.Case{ID: fmt.Sprintf("BQ%08d-%06d", 20260000+i/100_000, i), Channel: routing.ChannelHotline,
				ExternalRef: fmt.Sprintf("T%07d", i), Type: routing.TypeComplaint, Text: "要求开具证明",
				Items: []string{fmt.Sprintf("BQ-%03d", i%120)}, Department: depts[i%len(depts)],
				Complainant: routing.Complainant{Phone: fmt.Sprintf("138%08d", rng.IntN(300_000))},
				ReceivedAt:  received, DispatchedAt: received, CalendarCovered: true, Version: 6,
				AcceptBy: received.Add(24 * time.Hour), ResolveBy: received.Add(7 * 24 * time.Hour)}
			if rng.IntN(100) < 94 {
				c.Status, c.ClosedAt, c.RepliedAt = routing.StatusClosed, received.Add(72*time.Hour), received.Add(48*time.Hour)
			} else {
				c.Status = routing.StatusAccepted
				c.ResolveBy = now.Add(time.Duration(rng.IntN(25*24)-10*24) * time.Hour)
				if past := !c.ResolveBy.After(now); past && rng.IntN(10) > 0 {
					c.OverdueAt, c.EscalatedAt, c.ReminderSentAt = c.ResolveBy, c.ResolveBy, c.ResolveBy.Add(-24*time.Hour)
				} else if r := c.ResolveBy.Add(-24 * time.Hour); r.Before(now) && rng.IntN(10) > 0 {
					c.ReminderSentAt = r
				} else {
					c.RemindAt = r
				}
			}
			args, err := caseArgs(&c)
			if err != nil {
				tx.Rollback()
				return err
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				tx.Rollback()
				return err
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	_, err := db.write.ExecContext(ctx, `ANALYZE`)
	return err
}
