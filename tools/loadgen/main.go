// Command loadgen measures chengnuo's hotline intake on loopback: how many signed tickets per
// second are acknowledged (each one durably committed before its 202), and the latency at a
// fixed rate. With -bare it first measures, in the same run, a bare handler that only reads,
// verifies and parses the request, so the ratio shows chengnuo's own overhead. With -floor it
// also measures a durable floor (floor.go): the bare handler plus a group-committed SQLite
// insert of the raw ticket, which splits that overhead into what durable storage alone costs
// on this machine and what chengnuo's own work (classification, the case, its events and
// outbox, their indexes) adds.
//
// The load generator shares the CPU with the server, so it is kept cheap per request, like
// wrk: its own minimal HTTP/1.1 client over persistent connections (client.go), and every
// ticket body made before its phase's timer starts (tickets.go); only the signature is
// computed at send time, so its timestamp is fresh.
//
// Bounded: -n tickets at most in the throughput phase, -duration for the fixed-rate phase,
// 30 s per request; it refuses targets that are not loopback addresses.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"chengnuo/intake"
)

type options struct {
	target   string
	secret   string
	n        int
	conc     int
	rate     int
	rateConc int
	duration time.Duration
	bare     bool
	bareOnly bool
	floor    bool
	floorDir string
	prefix   string
}

func main() {
	var o options
	flag.StringVar(&o.target, "target", "http://127.0.0.1:8080", "chengnuo serve base URL (loopback only)")
	flag.StringVar(&o.secret, "secret", os.Getenv("CHENGNUO_HOTLINE_SECRET"), "hotline HMAC secret")
	flag.IntVar(&o.n, "n", 60000, "tickets in the throughput phase (upper bound)")
	flag.IntVar(&o.conc, "c", 64, "concurrent connections in the throughput phase")
	flag.IntVar(&o.rate, "rate", 2000, "tickets per second in the fixed-rate phase")
	flag.IntVar(&o.rateConc, "rate-c", 256, "connections in the fixed-rate phase (a ticket due while all are busy waits, timed)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of the fixed-rate phase")
	flag.BoolVar(&o.bare, "bare", false, "measure a bare parse-and-verify handler first, in this process")
	flag.BoolVar(&o.bareOnly, "bare-only", false, "measure only the in-process handlers: bare, and the floor with -floor (no chengnuo serve needed)")
	flag.BoolVar(&o.floor, "floor", false, "also measure, in this process, a durable floor: the bare handler plus a group-committed SQLite insert")
	flag.StringVar(&o.floorDir, "floor-dir", "", "where the floor's temporary database goes (default: the system temp dir); put it on chengnuo's --db filesystem")
	flag.StringVar(&o.prefix, "prefix", fmt.Sprintf("LOAD%d", time.Now().Unix()), "ticket_no prefix (unique per run)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	t, err := parseTarget(o.target)
	if err != nil {
		return err
	}
	if o.secret == "" && o.bareOnly {
		o.secret = "loadgen-bare" // the bare handler is ours: any secret will do
	}
	if o.secret == "" {
		return fmt.Errorf("no secret: set -secret or CHENGNUO_HOTLINE_SECRET")
	}
	if o.n < 1 || o.conc < 1 || o.rate < 1 || o.rateConc < 1 || o.duration <= 0 {
		return fmt.Errorf("-n, -c, -rate, -rate-c and -duration must be positive")
	}
	t.secret = []byte(o.secret)
	var results []result
	if o.bare || o.bareOnly {
		srv, addr, err := startBare(t.secret)
		if err != nil {
			return err
		}
		bt := target{addr: addr, path: "/v1/hotline/tickets", secret: t.secret}
		results = append(results, measure(o, "bare handler (read+verify+parse)", bt, o.prefix+"B")...)
		srv.Close()
	}
	if o.floor {
		rs, err := measureFloor(o, t.secret)
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	if !o.bareOnly {
		results = append(results, measure(o, "chengnuo serve (durable commit)", t, o.prefix+"S")...)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

// parseTarget accepts only plain-HTTP loopback base URLs.
func parseTarget(s string) (target, error) {
	u, err := url.Parse(s)
	if err != nil {
		return target{}, err
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return target{}, fmt.Errorf("target %s is not a loopback address", s)
	}
	if u.Scheme != "http" {
		return target{}, fmt.Errorf("target %s: only http:// is supported", s)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	return target{addr: net.JoinHostPort(host, port), path: strings.TrimSuffix(u.EscapedPath(), "/") + "/v1/hotline/tickets"}, nil
}

// measure runs both phases against one target; each phase's bodies are made before its
// timer starts.
func measure(o options, name string, t target, prefix string) []result {
	g := &generator{prefix: prefix}
	max := throughput(t, g.bodies(1, o.n), o.conc)
	max.Target, max.Phase = name, fmt.Sprintf("max throughput, %d connections", o.conc)
	fixed := fixedRate(t, g.bodies(10_000_000, int(float64(o.rate)*o.duration.Seconds())), o.rate, o.rateConc)
	fixed.Target, fixed.Phase = name, fmt.Sprintf("fixed rate %d/s for %s", o.rate, o.duration)
	for _, r := range []result{max, fixed} {
		fmt.Fprintf(os.Stderr, "%-34s %-30s acked %7d in %6.2fs = %8.0f/s  p50 %6.2fms p99 %6.2fms errors %d\n",
			name, r.Phase, r.Acked, r.Seconds, r.PerSecond, r.P50Millis, r.P99Millis, r.Errors)
	}
	return []result{max, fixed}
}

// measureFloor measures the durable floor with its database in a temporary directory, and
// checks that it stored every ticket it acknowledged.
func measureFloor(o options, secret []byte) ([]result, error) {
	dir, err := os.MkdirTemp(o.floorDir, "loadgen-floor-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	f, stop, addr, err := startFloor(secret, dir)
	if err != nil {
		return nil, err
	}
	ft := target{addr: addr, path: "/v1/hotline/tickets", secret: secret}
	rs := measure(o, "durable floor (bare+SQLite commit)", ft, o.prefix+"F")
	stored, err := f.count()
	if serr := stop(); err == nil {
		err = serr
	}
	if err != nil {
		return nil, fmt.Errorf("floor: %w", err)
	}
	acked := 0
	for _, r := range rs {
		acked += r.Acked
	}
	// A sanity check of the whole run: it cannot tell a ticket acknowledged before its
	// commit (floor_test.go pins that), only one never stored at all.
	if stored < acked {
		return nil, fmt.Errorf("floor: %d tickets acknowledged but only %d stored", acked, stored)
	}
	return rs, nil
}

// startBare serves a handler that does only what any webhook must: read the body within the
// size limit, verify the signature and parse the JSON, then answer 202.
func startBare(secret []byte) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: bareHandler(secret)}
	go srv.Serve(ln)
	return srv, ln.Addr().String(), nil
}

func bareHandler(secret []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, _, ok := readTicket(w, r, secret)
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"case_id":"%s","status":"dispatched"}`, t.TicketNo)
	})
}

// bareTicket is every field of a hotline ticket, as the bare handler parses it.
type bareTicket struct {
	TicketNo   string `json:"ticket_no"`
	ReceivedAt string `json:"received_at"`
	Type       string `json:"type"`
	Content    string `json:"content"`
	Caller     struct{ Name, Phone string }
	Address    string `json:"address"`
	Anonymous  bool   `json:"anonymous"`
}

// readTicket is the work of the bare handler, which the floor does too: read the body within
// the size limit, verify its signature and parse it. On failure it has answered the request.
func readTicket(w http.ResponseWriter, r *http.Request, secret []byte) (bareTicket, []byte, bool) {
	var t bareTicket
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return t, nil, false
	}
	if err := intake.Verify(secret, r.Header.Get(intake.SignatureHeader), body, time.Now()); err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return t, nil, false
	}
	if err := json.Unmarshal(body, &t); err != nil || t.TicketNo == "" {
		http.Error(w, "bad json", http.StatusBadRequest)
		return t, nil, false
	}
	return t, body, true
}
