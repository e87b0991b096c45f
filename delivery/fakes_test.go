package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"chengnuo/delivery"
	"chengnuo/intake"
	"chengnuo/routing"
	"chengnuo/store"
)

var (
	t0       = time.Date(2026, 11, 25, 9, 30, 0, 0, routing.Shanghai) // a Wednesday
	operator = routing.Actor{Role: routing.RoleOperator, Name: "op1"}
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// stubClassifier routes by a keyword: 健在 → rsj, 亲属 → gafj, anything else → mzj. Each
// text gets an item of its own, so that no two test cases are taken for duplicates.
type stubClassifier struct{}

func (stubClassifier) Classify(text, address string) routing.Decision {
	h := fnv.New32a()
	h.Write([]byte(text))
	d := routing.Decision{Type: routing.TypeComplaint, Department: "mzj", Confidence: 0.9, Reasons: []string{"stub"},
		Items: []string{fmt.Sprintf("BQ-T%08x", h.Sum32())}}
	switch {
	case strings.Contains(text, "健在"):
		d.Department = "rsj"
	case strings.Contains(text, "亲属"):
		d.Department = "gafj"
	}
	return d
}

// env is a real SQLite store with cases filed through routing.Service, a fake clock and
// one fake endpoint per target.
type env struct {
	t         *testing.T
	ctx       context.Context
	path      string
	clk       *clock
	db        *store.DB
	svc       *routing.Service
	metrics   *delivery.Metrics
	endpoints map[string]*endpoint
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "chengnuo.db"),
		clk: &clock{t: t0}, endpoints: map[string]*endpoint{}}
	e.reopen()
	t.Cleanup(func() { e.db.Close() })
	return e
}

// reopen closes the database and opens it again, as a restart does.
func (e *env) reopen() {
	if e.db != nil {
		e.db.Close()
	}
	db, err := store.Open(e.ctx, e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	db.Now = e.clk.Now
	e.db = db
	e.svc = &routing.Service{Store: db, Classifier: stubClassifier{}, SLA: routing.DefaultSLA(),
		Directory: routing.BuiltinDirectory(), Now: e.clk.Now}
	e.metrics = delivery.NewMetrics(db)
}

// file files a case at the window (channel cli: its steps go to the department only); the
// text picks the department (see stubClassifier).
func (e *env) file(ref, text string) *routing.Case {
	e.t.Helper()
	return e.fileOn(routing.ChannelCLI, ref, text)
}

// fileHotline files a hotline case: its steps also go to the hotline's callback.
func (e *env) fileHotline(ref, text string) *routing.Case {
	e.t.Helper()
	return e.fileOn(routing.ChannelHotline, ref, text)
}

func (e *env) fileOn(ch routing.Channel, ref, text string) *routing.Case {
	e.t.Helper()
	c, _, err := e.svc.File(e.ctx, routing.NewCase{Channel: ch, ExternalRef: ref, Text: text + "（" + ref + "）",
		Complainant: routing.Complainant{Name: "张三", Phone: "13812341234"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// worker builds a worker with fast test settings: no jitter (the delay is the ceiling), no
// target pause; tune overrides them.
func (e *env) worker(tune func(*delivery.Options)) *delivery.Worker {
	opt := delivery.Options{Now: e.clk.Now, Metrics: e.metrics, RequestTimeout: 500 * time.Millisecond,
		BackoffBase: time.Second, BackoffMax: 8 * time.Second, TargetPause: -1, PollInterval: 10 * time.Millisecond,
		ShutdownGrace: 2 * time.Second, Jitter: func(d time.Duration) time.Duration { return d },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if tune != nil {
		tune(&opt)
	}
	return delivery.New(e.db, e.targets, opt)
}

func (e *env) targets(target string) (string, []byte, bool) {
	ep, ok := e.endpoints[target]
	if !ok {
		return "", nil, false
	}
	return ep.url(), ep.secret, true
}

// endpoint starts a fake receiver for target.
func (e *env) endpoint(target string) *endpoint {
	ep := newEndpoint(e.t, []byte("secret-"+target), e.clk.Now)
	e.endpoints[target] = ep
	return ep
}

func (e *env) once(w *delivery.Worker) {
	e.t.Helper()
	if _, err := w.Once(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// list returns the outbox messages in status, in id order.
func (e *env) list(status string) []routing.OutboxMessage {
	e.t.Helper()
	msgs, err := e.db.OutboxList(e.ctx, status, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	return msgs
}

// msg returns the outbox message with event id id.
func (e *env) msg(id string) routing.OutboxMessage {
	e.t.Helper()
	for _, m := range e.list("") {
		if m.EventID == id {
			return m
		}
	}
	e.t.Fatalf("no outbox message %s", id)
	return routing.OutboxMessage{}
}

// allDelivered checks every outbox message is delivered and was accepted exactly once by
// its receiver.
func (e *env) allDelivered() {
	e.t.Helper()
	all := e.list("")
	if len(all) == 0 {
		e.t.Fatal("no outbox messages")
	}
	for _, m := range all {
		if m.Status != routing.OutboxDelivered {
			e.t.Errorf("%s: status %s (%s), want delivered", m.EventID, m.Status, m.LastError)
		}
		if ep := e.endpoints[m.Target]; ep != nil {
			if n := ep.acceptedCount(m.EventID); n != 1 {
				e.t.Errorf("%s accepted %d times, want once", m.EventID, n)
			}
		}
	}
}

// waitFor polls cond for up to 3 s (tests of Run, which runs on real time).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// received is one request as the fake receiver saw it.
type received struct {
	EventID, Kind, Signature, ContentType string
	Body                                  []byte
	Payload                               routing.Payload
	SigErr                                error // intake.Verify's verdict at the receiver's clock
}

// endpoint is a fake department webhook or channel callback. Respond (nil: 200) decides the
// answer to the n-th request for one event id; it may block (a stall) until ctx ends.
// accepted counts the 2xx answers per event id: a receiver de-duplicating on the event id
// would process a repeat once, but the tests expect the worker never to send one.
type endpoint struct {
	t       *testing.T
	secret  []byte
	now     func() time.Time
	Respond func(ctx context.Context, n int, r received) (status int, header http.Header, body string)

	mu       sync.Mutex
	requests []received
	accepted map[string]int
	inflight int
	srv      *httptest.Server
	addr     string
}

func newEndpoint(t *testing.T, secret []byte, now func() time.Time) *endpoint {
	ep := &endpoint{t: t, secret: secret, now: now, accepted: map[string]int{}}
	ep.srv = httptest.NewServer(http.HandlerFunc(ep.serve))
	ep.addr = ep.srv.Listener.Addr().String()
	t.Cleanup(func() { ep.down() })
	return ep
}

func (ep *endpoint) url() string { return "http://" + ep.addr + "/hook" }

// down closes the listener: connections are refused until up.
func (ep *endpoint) down() {
	ep.mu.Lock()
	srv := ep.srv
	ep.srv = nil
	ep.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

// up listens again on the same address.
func (ep *endpoint) up() {
	var l net.Listener
	var err error
	for range 50 {
		if l, err = net.Listen("tcp", ep.addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		ep.t.Fatalf("listen again on %s: %v", ep.addr, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(ep.serve))
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	ep.mu.Lock()
	ep.srv = srv
	ep.mu.Unlock()
}

func (ep *endpoint) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := received{EventID: r.Header.Get(delivery.EventIDHeader), Kind: r.Header.Get(delivery.EventKindHeader),
		Signature: r.Header.Get(intake.SignatureHeader), ContentType: r.Header.Get("Content-Type"), Body: body}
	rec.SigErr = intake.Verify(ep.secret, rec.Signature, body, ep.now())
	if err := json.Unmarshal(body, &rec.Payload); err != nil {
		ep.t.Errorf("receiver: body is not a payload: %v", err)
	}
	ep.mu.Lock()
	ep.requests = append(ep.requests, rec)
	n := 0
	for _, q := range ep.requests {
		if q.EventID == rec.EventID {
			n++
		}
	}
	ep.inflight++
	respond := ep.Respond
	ep.mu.Unlock()
	defer func() { ep.mu.Lock(); ep.inflight--; ep.mu.Unlock() }()

	if rec.SigErr != nil {
		http.Error(w, rec.SigErr.Error(), http.StatusUnauthorized)
		return
	}
	status, header, text := http.StatusOK, http.Header(nil), `{"ok":true}`
	if respond != nil {
		status, header, text = respond(r.Context(), n, rec)
	}
	if r.Context().Err() != nil {
		return // the sender gave up: nothing was taken
	}
	if status >= 200 && status < 300 {
		ep.mu.Lock()
		ep.accepted[rec.EventID]++
		ep.mu.Unlock()
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	io.WriteString(w, text)
}

func (ep *endpoint) acceptedCount(id string) int {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.accepted[id]
}

func (ep *endpoint) got() []received {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return append([]received(nil), ep.requests...)
}

func (ep *endpoint) busy() int {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.inflight
}
