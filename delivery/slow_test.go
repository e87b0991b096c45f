package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"chengnuo/delivery"
	"chengnuo/routing"
)

// A slow receiver. In production the mark that records a try has 5 s and a request 10 s; a
// receiver answering 200 after 6 s used to get its event again and again (the mark's time
// ran out during the POST, so the try was never recorded), and one stalling 30 s never had
// a try counted nor became dead. The test keeps the proportions that matter with short
// timeouts: the late answer comes after MarkTimeout but within RequestTimeout, the stall
// lasts beyond RequestTimeout. Once runs under a deadline, so that a worker re-sending for
// ever ends the test with the count of copies instead of hanging it.
func TestSlowReceiver(t *testing.T) {
	cases := []struct {
		name     string
		answer   time.Duration // how long the receiver takes (until the sender gives up at most)
		request  time.Duration // RequestTimeout
		tries    int           // Once runs (a clock step between them)
		status   string        // every event's status at the end
		copies   int           // requests each event id receives
		attempts int
	}{
		{"answers 200 after the mark timeout (6 s)", 300 * time.Millisecond, 2 * time.Second, 1, routing.OutboxDelivered, 1, 1},
		{"stalls beyond the request timeout (30 s)", 30 * time.Second, 200 * time.Millisecond, 3, routing.OutboxDead, 3, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			ep := e.endpoint("rsj")
			ep.Respond = func(ctx context.Context, _ int, _ received) (int, http.Header, string) {
				select {
				case <-ctx.Done(): // the sender gave up
				case <-time.After(c.answer):
				}
				return http.StatusOK, nil, "ok"
			}
			for _, ref := range []string{"T-1", "T-2", "T-3"} {
				e.file(ref, "健在证明")
			}
			w := e.worker(func(o *delivery.Options) {
				o.MarkTimeout = 100 * time.Millisecond
				o.RequestTimeout = c.request
				o.MaxAttempts = 3
			})
			for range c.tries {
				ctx, cancel := context.WithTimeout(e.ctx, 3*time.Second)
				if _, err := w.Once(ctx); err != nil {
					t.Fatal(err)
				}
				cancel()
				e.clk.Add(time.Hour) // past any backoff
			}

			copies := map[string]int{}
			for _, r := range ep.got() {
				copies[r.EventID]++
			}
			msgs := e.list("")
			var figures []string
			for _, m := range msgs {
				if m.Target != "rsj" {
					continue
				}
				figures = append(figures, fmt.Sprintf("%s=%d", m.EventID, copies[m.EventID]))
				if m.Status != c.status || m.Attempts != c.attempts || copies[m.EventID] != c.copies {
					t.Errorf("%s: %s after %d counted tries, %d copies received; want %s, %d, %d (%s)",
						m.EventID, m.Status, m.Attempts, copies[m.EventID], c.status, c.attempts, c.copies, m.LastError)
				}
				if c.status == routing.OutboxDead && !strings.Contains(m.LastError, "超时") {
					t.Errorf("%s: dead with %q, want the timeout named", m.EventID, m.LastError)
				}
			}
			sort.Strings(figures)
			if len(figures) != 3 {
				t.Fatalf("%d events to rsj, want 3", len(figures))
			}
			t.Logf("copies per event id: %s", strings.Join(figures, " "))
		})
	}
}
