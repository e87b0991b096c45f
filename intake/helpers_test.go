package intake

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"chengnuo/routing"
	"chengnuo/store"
)

// testNow is a Wednesday morning in Xi'an; the whole test world runs on it.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, shanghai)

var (
	hotlineSecret = []byte("hotline-secret")
	portalSecret  = []byte("portal-secret")
	deptTokens    = map[string]string{"tok-rsj-0123456789": "rsj", "tok-gafj-0123456789": "gafj"}
)

const (
	tokRSJ  = "tok-rsj-0123456789"
	tokGAFJ = "tok-gafj-0123456789"
)

// stubClassifier routes on one keyword per department, so tests know where a case goes.
type stubClassifier struct{}

func (stubClassifier) Classify(text, address string) routing.Decision {
	d := routing.Decision{Type: routing.TypeComplaint, Confidence: 0.9, Reasons: []string{"测试规则"}}
	switch {
	case strings.Contains(text, "社保"):
		d.Department = "rsj"
	case strings.Contains(text, "户籍"):
		d.Department = "gafj"
	default:
		d.Department, d.Triage, d.Confidence = routing.CodeTriage, true, 0.1
	}
	return d
}

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a server on a real SQLite file with a real routing.Service.
type env struct {
	t        testing.TB
	path     string
	db       *store.DB
	svc      *routing.Service
	srv      *Server
	ts       *httptest.Server
	logs     *syncBuffer
	notified atomic.Int64
	now      time.Time
}

func newEnv(t testing.TB, mutate ...func(*Deps)) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "chengnuo.db"), logs: &syncBuffer{}, now: testNow}
	db, err := store.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return e.now }
	db.Now = clock
	e.db = db
	e.svc = &routing.Service{Store: db, Classifier: stubClassifier{}, SLA: routing.DefaultSLA(),
		Directory: routing.BuiltinDirectory(), Now: clock}
	counter, err := store.OpenCaseCounter(e.path)
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Cases: e.svc, DB: db, HotlineSecret: hotlineSecret, PortalSecret: portalSecret,
		DeptTokens: deptTokens, Directory: routing.BuiltinDirectory(), Counter: counter, ConsoleSessions: db, Now: clock,
		Logger:     slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registerer: prometheus.NewRegistry(), Notify: func() { e.notified.Add(1) }}
	d.Gatherer = d.Registerer.(prometheus.Gatherer)
	for _, m := range mutate {
		m(&d)
	}
	e.srv, err = New(d)
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(func() {
		e.ts.Close()
		e.srv.Close(context.Background())
		counter.Close()
		db.Close()
	})
	return e
}

// ticket is a valid hotline body; fields can be overridden by the caller's map.
func ticket(no, content, phone string) map[string]any {
	return map[string]any{"ticket_no": no, "received_at": "2026-11-25T09:30:00+08:00", "type": "投诉",
		"content": content, "caller": map[string]any{"name": "张三", "phone": phone},
		"address": "灞桥区纺织城", "anonymous": false}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signed builds a POST of body signed with secret at the env's time.
func (e *env) signed(path string, secret, body []byte) *http.Request {
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(secret, e.now, body))
	return req
}

// do sends req and returns the status and the body.
func (e *env) do(req *http.Request) (int, []byte) {
	e.t.Helper()
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// fileTicket posts a hotline ticket and requires 202; it returns the answer.
func (e *env) fileTicket(body map[string]any) IntakeResponse {
	e.t.Helper()
	code, b := e.do(e.signed("/v1/hotline/tickets", hotlineSecret, mustJSON(e.t, body)))
	if code != http.StatusAccepted {
		e.t.Fatalf("file ticket: %d %s", code, b)
	}
	var r IntakeResponse
	if err := json.Unmarshal(b, &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// dept sends a department API request with token.
func (e *env) dept(method, path, token, body string) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(req)
}

// count runs a COUNT query on the database file.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+e.path+"?_query_only=on")
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// errorCode extracts {"error": {"code"}} from an answer.
func errorCode(t testing.TB, b []byte) string {
	t.Helper()
	var r struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("not an error body: %s", b)
	}
	if r.Error.Message == "" {
		t.Fatalf("error without a message: %s", b)
	}
	return r.Error.Code
}

func ticketNo(i int) string { return fmt.Sprintf("BQ12345-20261125-%04d", i) }
