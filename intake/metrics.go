package intake

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics. Labels hold route patterns, status codes
// and case states only: never a raw path (ids), a phone number or a name.
type metrics struct {
	requests      *prometheus.CounterVec
	intakeSeconds prometheus.Histogram
	batchSize     prometheus.Histogram
	rejected      prometheus.Counter
	gatherer      prometheus.Gatherer
}

func newMetrics(d Deps, now func() time.Time) (*metrics, error) {
	reg, gat := d.Registerer, d.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		reg = r
		if gat == nil {
			gat = r
		} else {
			gat = prometheus.Gatherers{gat, r}
		}
	}
	if gat == nil {
		g, ok := reg.(prometheus.Gatherer)
		if !ok {
			return nil, errors.New("intake: Registerer is not a Gatherer; set Deps.Gatherer")
		}
		gat = g
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chengnuo_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "status"}),
		intakeSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "chengnuo_intake_seconds",
			Help:    "Time from a webhook request's arrival until its case is durably committed.",
			Buckets: []float64{.0005, .001, .002, .004, .008, .016, .032, .064, .128, .256, .512, 1, 2},
		}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "chengnuo_batch_size",
			Help:    "Cases filed per group-commit transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
		}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "chengnuo_intake_rejected_total",
			Help: "Webhook requests refused with 503 because the intake queue was full.",
		}),
		gatherer: gat,
	}
	cs := []prometheus.Collector{m.requests, m.intakeSeconds, m.batchSize, m.rejected}
	if d.Counter != nil {
		cs = append(cs, newCaseCollector(d.Counter, now, d.Logger))
	}
	for _, c := range append(cs, d.Collectors...) {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("intake: register metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{})
}

// instrument counts every request by the pattern that matched it (r.Pattern, set by the
// ServeMux on the same request), so ids in paths never become label values.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" || route == "/" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.code())).Inc()
	})
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
