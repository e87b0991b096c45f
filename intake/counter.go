package intake

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"chengnuo/routing"
)

// CaseCounter counts cases for the gauges. It is called at most once per
// caseCountTTL, whatever the scrape rate, so two aggregate queries stay cheap.
type CaseCounter interface {
	CountCases(ctx context.Context, now time.Time) (routing.CaseCounts, error)
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
	last *routing.CaseCounts

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
