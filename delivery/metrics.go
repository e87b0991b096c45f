package delivery

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Results of a delivery attempt, the "result" label of chengnuo_deliveries_total.
const (
	ResultDelivered = "delivered"
	ResultFailed    = "failed" // retryable failure: tried again later
	ResultDead      = "dead"   // refused for good, or out of tries
	ResultSkipped   = "skipped"
)

// Counter is what the gauges need of the store (store.DB has it).
type Counter interface {
	OutboxCounts(ctx context.Context) (pending, dead int, err error)
}

// Metrics is a prometheus.Collector for the worker: register it with the server's registry
// and pass it in Options.Metrics. Labels carry only the event kind and the result, never
// anything about the resident.
//
//	chengnuo_deliveries_total{kind, result}   counter: attempts by outcome
//	chengnuo_deliveries_pending               gauge: messages waiting (read at scrape time)
//	chengnuo_deliveries_dead                  gauge: dead letters (read at scrape time)
type Metrics struct {
	attempts *prometheus.CounterVec
	pending  *prometheus.Desc
	dead     *prometheus.Desc
	counts   Counter
}

// NewMetrics returns the worker's metrics; counts (may be nil) feeds the two gauges.
func NewMetrics(counts Counter) *Metrics {
	return &Metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chengnuo_deliveries_total",
			Help: "Outbox delivery attempts by event kind and result (delivered, failed, dead, skipped).",
		}, []string{"kind", "result"}),
		pending: prometheus.NewDesc("chengnuo_deliveries_pending", "Outbox messages waiting for delivery.", nil, nil),
		dead:    prometheus.NewDesc("chengnuo_deliveries_dead", "Outbox messages in the dead letter state.", nil, nil),
		counts:  counts,
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.attempts.Describe(ch)
	if m.counts != nil {
		ch <- m.pending
		ch <- m.dead
	}
}

// Collect implements prometheus.Collector. A store error leaves the gauges out of this
// scrape (logged) rather than failing the whole /metrics page.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.attempts.Collect(ch)
	if m.counts == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pending, dead, err := m.counts.OutboxCounts(ctx)
	if err != nil {
		slog.Warn("delivery metrics: outbox counts", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(m.pending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(m.dead, prometheus.GaugeValue, float64(dead))
}

func (m *Metrics) observe(kind, result string) {
	if m != nil {
		m.attempts.WithLabelValues(kind, result).Inc()
	}
}
