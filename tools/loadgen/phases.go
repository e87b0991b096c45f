package main

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// target is where and how tickets are posted.
type target struct {
	addr   string // loopback host:port
	path   string // "/v1/hotline/tickets", under the target's base path
	secret []byte
}

// result is one phase's figures.
type result struct {
	Target     string  `json:"target"`
	Phase      string  `json:"phase"`
	Sent       int     `json:"sent"`
	Acked      int     `json:"acked"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"acked_per_second"`
	P50Millis  float64 `json:"p50_ms"`
	P99Millis  float64 `json:"p99_ms"`
	MaxMillis  float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
}

// tally counts a phase's errors and keeps the first one's text.
type tally struct {
	n     atomic.Int64
	first atomic.Value
}

func (t *tally) add(err error) {
	t.n.Add(1)
	t.first.CompareAndSwap(nil, err.Error())
}

func (t *tally) fill(r *result) {
	r.Errors = int(t.n.Load())
	if v := t.first.Load(); v != nil {
		r.FirstError = v.(string)
	}
}

// connect makes n clients and opens their connections before a phase's timer starts. A
// failed dial is not counted here: the client's first post dials again and counts it.
func connect(t target, n int) []*client {
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = newClient(t.addr, t.path, t.secret)
		cs[i].dial()
	}
	return cs
}

// throughput sends the bodies over conc connections, each as soon as that connection's
// previous answer is read.
func throughput(t target, bodies [][]byte, conc int) result {
	clients := connect(t, conc)
	lat := make([][]time.Duration, conc)
	var next atomic.Int64
	var errs tally
	var wg sync.WaitGroup
	start := time.Now()
	for w, c := range clients {
		lat[w] = make([]time.Duration, 0, len(bodies)/conc+1)
		wg.Go(func() {
			defer c.close()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				t0 := time.Now()
				if err := c.post(bodies[i]); err != nil {
					errs.add(err)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	all := slices.Concat(lat...)
	r := summarize(all, el)
	r.Sent, r.Acked = len(bodies), len(all)
	errs.fill(&r)
	return r
}

// fixedRate releases the bodies at rate a second, open loop, to a pool of conns
// connections. Latency counts from the moment a ticket was due, not from when a connection
// took it, so a stalled server cannot hide its queueing (coordinated omission): a ticket
// that finds every connection busy waits, and its wait is counted; it is never dropped.
func fixedRate(t target, bodies [][]byte, rate, conns int) result {
	total := len(bodies)
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, total)
	ok := make([]bool, total)
	clients := connect(t, conns)
	due := make(chan int, total) // room for all: the scheduler never blocks
	var errs tally
	var wg sync.WaitGroup
	start := time.Now()
	for _, c := range clients {
		wg.Go(func() {
			defer c.close()
			for i := range due {
				if err := c.post(bodies[i]); err != nil {
					errs.add(err)
					continue
				}
				lat[i], ok[i] = time.Since(start.Add(time.Duration(i)*interval)), true
			}
		})
	}
	// The scheduler: sleep until the next ticket is due, then release every ticket due by
	// now (a sleep can overrun; the late ones are still timed from their due times).
	for i := 0; i < total; {
		sleepUntil(start.Add(time.Duration(i) * interval))
		for now := time.Since(start); i < total && time.Duration(i)*interval <= now; i++ {
			due <- i
		}
	}
	close(due)
	wg.Wait()
	el := time.Since(start)
	got := make([]time.Duration, 0, total)
	for i := range lat {
		if ok[i] {
			got = append(got, lat[i])
		}
	}
	r := summarize(got, el)
	r.Sent, r.Acked = total, len(got)
	errs.fill(&r)
	return r
}

// summarize fills a result's rate and percentiles from the acked tickets' latencies.
func summarize(lat []time.Duration, el time.Duration) result {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	r := result{Seconds: el.Seconds(), P50Millis: pct(0.50), P99Millis: pct(0.99)}
	if len(lat) > 0 {
		r.MaxMillis = float64(lat[len(lat)-1].Microseconds()) / 1000
		r.PerSecond = float64(len(lat)) / el.Seconds()
	}
	return r
}
