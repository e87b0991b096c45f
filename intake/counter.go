package intake

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver, as store registers it
	"github.com/prometheus/client_golang/prometheus"

	"chengnuo/routing"
)

// CaseCounts are the numbers behind the chengnuo_cases and chengnuo_cases_overdue gauges.
type CaseCounts struct {
	ByStatus map[routing.Status]int
	Overdue  int // open cases whose deadline in force has passed
}

// CaseCounter counts cases for the gauges. It is called at most once per
// caseCountTTL, whatever the scrape rate, so two aggregate queries stay cheap.
type CaseCounter interface {
	CountCases(ctx context.Context, now time.Time) (CaseCounts, error)
}

// caseCountTTL is how long one count answers scrapes.
const caseCountTTL = 5 * time.Second

// caseCollector exports the counts as gauges, cached for caseCountTTL (wall clock).
type caseCollector struct {
	counter CaseCounter
	now     func() time.Time
	log     *slog.Logger

	mu   sync.Mutex
	at   time.Time
	last *CaseCounts

	statusDesc  *prometheus.Desc
	overdueDesc *prometheus.Desc
}

func newCaseCollector(c CaseCounter, now func() time.Time, log *slog.Logger) *caseCollector {
	if log == nil {
		log = slog.Default()
	}
	return &caseCollector{counter: c, now: now, log: log,
		statusDesc:  prometheus.NewDesc("chengnuo_cases", "Cases by status.", []string{"status"}, nil),
		overdueDesc: prometheus.NewDesc("chengnuo_cases_overdue", "Open cases past their deadline in force.", nil, nil)}
}

// Describe implements prometheus.Collector.
func (c *caseCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.statusDesc
	ch <- c.overdueDesc
}

// Collect implements prometheus.Collector. A failed count keeps the last good one; with
// none yet, the gauges are left out of that scrape.
func (c *caseCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	if c.last == nil || time.Since(c.at) >= caseCountTTL {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		counts, err := c.counter.CountCases(ctx, c.now())
		cancel()
		if err != nil {
			c.log.Warn("metrics: counting cases failed", "err", err)
		} else {
			c.last, c.at = &counts, time.Now()
		}
	}
	last := c.last
	c.mu.Unlock()
	if last == nil {
		return
	}
	for _, s := range routing.Statuses {
		ch <- prometheus.MustNewConstMetric(c.statusDesc, prometheus.GaugeValue, float64(last.ByStatus[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(c.overdueDesc, prometheus.GaugeValue, float64(last.Overdue))
}

// SQLiteCounter counts the cases of a chengnuo SQLite database on its own read-only
// connection (the store's pools stay free for intake). It reads the cases table's
// status and due_at columns, which the store keeps for its own indexes.
type SQLiteCounter struct{ db *sql.DB }

// OpenSQLiteCounter opens a query-only connection to the database file at path, which
// store.Open must already have created.
func OpenSQLiteCounter(path string) (*SQLiteCounter, error) {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	db, err := sql.Open("sqlite3", "file:"+r.Replace(filepath.Clean(path))+"?_busy_timeout=5000&_query_only=on")
	if err != nil {
		return nil, fmt.Errorf("open case counter %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return &SQLiteCounter{db: db}, nil
}

// storeTimeLayout is how the store writes instants (UTC, nine-digit fraction) so that
// text order is time order.
const storeTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// CountCases implements CaseCounter with two aggregate queries answered from indexes.
func (c *SQLiteCounter) CountCases(ctx context.Context, now time.Time) (CaseCounts, error) {
	out := CaseCounts{ByStatus: map[routing.Status]int{}}
	rows, err := c.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM cases GROUP BY status`)
	if err != nil {
		return out, fmt.Errorf("count cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return out, fmt.Errorf("count cases: %w", err)
		}
		out.ByStatus[routing.Status(s)] = n
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("count cases: %w", err)
	}
	err = c.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE due_at IS NOT NULL AND due_at < ?`,
		now.UTC().Format(storeTimeLayout)).Scan(&out.Overdue)
	if err != nil {
		return out, fmt.Errorf("count overdue cases: %w", err)
	}
	return out, nil
}

// Close closes the connection.
func (c *SQLiteCounter) Close() error { return c.db.Close() }
