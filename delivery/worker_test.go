package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"chengnuo/delivery"
	"chengnuo/routing"
)

// (1) The department's endpoint is down (connection refused), then comes back: every event
// arrives exactly once and is marked delivered. While it is down the target is paused and
// then probed one message at a time, so the backlog does not burn its tries.
func TestEndpointDownThenUp(t *testing.T) {
	e := newEnv(t)
	ep := e.endpoint("rsj")
	ep.down()
	for i := range 5 {
		e.file(fmt.Sprintf("T-%d", i), "社区不给开健在证明")
	}
	w := e.worker(func(o *delivery.Options) { o.TargetPause = time.Second })

	e.once(w)
	tried := 0
	for _, m := range e.list(routing.OutboxPending) {
		if m.Attempts == 0 {
			continue
		}
		tried++
		if !strings.HasPrefix(m.LastError, "请求失败") || !m.NextAttemptAt.Equal(t0.Add(time.Second)) {
			t.Errorf("%s: last error %q, next %s", m.EventID, m.LastError, m.NextAttemptAt)
		}
	}
	if tried != 4 { // PerTarget 4 in flight, then the target is paused
		t.Errorf("%d messages tried while the endpoint was down, want 4", tried)
	}
	e.clk.Add(time.Second)
	e.once(w) // pause over: one probe, which fails
	if got := attemptsSum(e.list(routing.OutboxPending)); got != 5 {
		t.Errorf("%d tries after the probe, want 5", got)
	}

	ep.up()
	e.clk.Add(time.Minute)
	e.once(w)
	e.allDelivered()
	if got := metricValue(t, e.metrics, "chengnuo_deliveries_total", "dispatched", delivery.ResultDelivered); got != 5 {
		t.Errorf("delivered counter = %v, want 5", got)
	}
	if got := metricValue(t, e.metrics, "chengnuo_deliveries_total", "dispatched", delivery.ResultFailed); got != 5 {
		t.Errorf("failed counter = %v, want 5", got)
	}
	if got := metricValue(t, e.metrics, "chengnuo_deliveries_pending", "", ""); got != 0 {
		t.Errorf("pending gauge = %v, want 0", got)
	}
}

// (2) The endpoint answers 500 a few times, then 200: retried with exponential backoff,
// delivered once. Each try is exactly one request (no quick retries inside a try), so the
// receiver sees as many requests as the store counts tries; out of tries it is dead.
func TestServerErrorsThenOK(t *testing.T) {
	e := newEnv(t)
	ep := e.endpoint("rsj")
	ep.Respond = func(_ context.Context, n int, _ received) (int, http.Header, string) {
		if n <= 2 {
			return http.StatusInternalServerError, nil, "upstream 13812341234\n down"
		}
		return http.StatusOK, nil, "ok"
	}
	e.file("T-1", "健在证明")
	id := e.list("")[0].EventID
	w := e.worker(nil) // the default client: no retries of its own

	e.once(w)
	m := e.msg(id)
	if n := len(ep.got()); n != 1 {
		t.Errorf("%d requests in the first try, want 1", n)
	}
	if m.Status != routing.OutboxPending || m.Attempts != 1 || !m.NextAttemptAt.Equal(t0.Add(time.Second)) ||
		m.LastError != "HTTP 500：upstream 138****1234 down" {
		t.Errorf("after a failed try: %s attempts %d next %s error %q", m.Status, m.Attempts, m.NextAttemptAt, m.LastError)
	}
	e.clk.Add(999 * time.Millisecond)
	e.once(w)
	if n := len(ep.got()); n != 1 {
		t.Errorf("retried before its backoff: %d requests", n)
	}
	e.clk.Add(time.Millisecond)
	e.once(w)
	if m := e.msg(id); m.Attempts != 2 || len(ep.got()) != 2 || !m.NextAttemptAt.Equal(e.clk.Now().Add(2*time.Second)) {
		t.Errorf("after the second try: %d attempts, %d requests, next %s", m.Attempts, len(ep.got()), m.NextAttemptAt)
	}
	e.clk.Add(2 * time.Second)
	e.once(w)
	if m := e.msg(id); m.Status != routing.OutboxDelivered || m.Attempts != 3 || len(ep.got()) != 3 {
		t.Errorf("after recovery: %s, %d attempts, %d requests", m.Status, m.Attempts, len(ep.got()))
	}
	e.allDelivered()

	t.Run("out of tries", func(t *testing.T) {
		e := newEnv(t)
		ep := e.endpoint("rsj")
		ep.Respond = func(context.Context, int, received) (int, http.Header, string) {
			return http.StatusBadGateway, nil, "bad gateway"
		}
		e.file("T-1", "健在证明")
		id := e.list("")[0].EventID
		w := e.worker(func(o *delivery.Options) { o.MaxAttempts = 3 })
		for i, wait := range []time.Duration{time.Second, 2 * time.Second} { // the ceiling doubles
			e.once(w)
			if m := e.msg(id); !m.NextAttemptAt.Equal(e.clk.Now().Add(wait)) || m.Attempts != i+1 {
				t.Fatalf("try %d: next %s, attempts %d", i+1, m.NextAttemptAt, m.Attempts)
			}
			e.clk.Add(wait)
		}
		e.once(w)
		m := e.msg(id)
		if m.Status != routing.OutboxDead || m.LastError != "HTTP 502：bad gateway（已尝试 3 次）" {
			t.Fatalf("after 3 tries: %s %q", m.Status, m.LastError)
		}
		if n, err := e.db.RequeueDead(e.ctx, id); err != nil || n != 1 {
			t.Fatalf("requeue: %d, %v", n, err)
		}
		if m := e.msg(id); m.Status != routing.OutboxPending || m.Attempts != 0 {
			t.Fatalf("requeued: %s, %d attempts", m.Status, m.Attempts)
		}
	})
}

// (3) 429 or 503 with Retry-After (seconds or an HTTP date): the next try is not before
// the time the receiver named, and nothing retries it within the try.
func TestRetryAfter(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header func(now time.Time) string
		wait   time.Duration
	}{
		{"429 seconds", http.StatusTooManyRequests, func(time.Time) string { return "2" }, 2 * time.Second},
		{"503 http date", http.StatusServiceUnavailable, func(now time.Time) string {
			return now.Add(5 * time.Second).UTC().Format(http.TimeFormat)
		}, 5 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			ep := e.endpoint("rsj")
			ep.Respond = func(_ context.Context, n int, _ received) (int, http.Header, string) {
				if n == 1 {
					return c.status, http.Header{"Retry-After": {c.header(e.clk.Now())}}, "slow down"
				}
				return http.StatusOK, nil, "ok"
			}
			e.file("T-1", "健在证明")
			id := e.list("")[0].EventID
			w := e.worker(func(o *delivery.Options) {
				o.BackoffBase = 100 * time.Millisecond
				o.TargetPause = 10 * time.Millisecond
			})
			e.once(w)
			m := e.msg(id)
			if len(ep.got()) != 1 || m.Attempts != 1 || !m.NextAttemptAt.Equal(t0.Add(c.wait)) {
				t.Fatalf("after %d: %d requests, attempts %d, next %s (want %s)", c.status, len(ep.got()), m.Attempts,
					m.NextAttemptAt, t0.Add(c.wait))
			}
			e.clk.Add(c.wait - time.Millisecond)
			e.once(w)
			if n := len(ep.got()); n != 1 {
				t.Fatalf("tried again %s early", time.Millisecond)
			}
			e.clk.Add(time.Millisecond)
			e.once(w)
			if n := len(ep.got()); n != 2 {
				t.Fatalf("%d requests, want 2", n)
			}
			e.allDelivered()
		})
	}
}

// (4) An endpoint that stalls: the request times out, the worker goes on with other cases
// meanwhile, and delivers the stalled one once the endpoint answers.
func TestStalledEndpoint(t *testing.T) {
	e := newEnv(t)
	stalled := e.endpoint("rsj")
	stalled.Respond = func(ctx context.Context, n int, _ received) (int, http.Header, string) {
		if n == 1 { // the first request hangs until the sender gives up
			<-ctx.Done()
			return http.StatusServiceUnavailable, nil, ""
		}
		return http.StatusOK, nil, "ok"
	}
	fine := e.endpoint("gafj")
	w := e.worker(func(o *delivery.Options) { o.RequestTimeout = 600 * time.Millisecond })
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	a := e.file("T-1", "健在证明")
	aID := e.streams(a.ID, "rsj")[0].EventID
	w.Notify()
	waitFor(t, "the request to the stalled endpoint", func() bool { return stalled.busy() == 1 })
	b := e.file("T-2", "亲属关系证明")
	bID := e.streams(b.ID, "gafj")[0].EventID
	w.Notify()
	waitFor(t, "the other case delivered", func() bool { return fine.acceptedCount(bID) == 1 })
	if stalled.busy() != 1 {
		t.Error("the other case was delivered only after the stalled request ended")
	}
	waitFor(t, "the stalled try to time out", func() bool { return e.msg(aID).Attempts == 1 })
	if m := e.msg(aID); m.Status != routing.OutboxPending || !strings.Contains(m.LastError, "超时") {
		t.Errorf("stalled message: %s %q", m.Status, m.LastError)
	}
	e.clk.Add(time.Second)
	w.Notify()
	waitFor(t, "the stalled case delivered", func() bool { return e.msg(aID).Status == routing.OutboxDelivered })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.allDelivered()
}

// streams returns the outbox messages of case id to target, in order.
func (e *env) streams(id, target string) []routing.OutboxMessage {
	var out []routing.OutboxMessage
	for _, m := range e.list("") {
		if m.CaseID == id && m.Target == target {
			out = append([]routing.OutboxMessage{m}, out...) // list("") is newest first
		}
	}
	return out
}

func attemptsSum(msgs []routing.OutboxMessage) int {
	n := 0
	for _, m := range msgs {
		n += m.Attempts
	}
	return n
}

// metricValue gathers m and returns the value of metric name with the given kind and
// result labels ("" for a metric without labels).
func metricValue(t *testing.T, m *delivery.Metrics, name, kind, result string) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, mm := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range mm.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] != kind || labels["result"] != result {
				continue
			}
			if c := mm.GetCounter(); c != nil {
				return c.GetValue()
			}
			return mm.GetGauge().GetValue()
		}
	}
	return 0
}
