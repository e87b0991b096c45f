package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"chengnuo/delivery"
	"chengnuo/routing"
	"chengnuo/store"
)

// dlvClassifier sends every complaint to rsj.
type dlvClassifier struct{}

func (dlvClassifier) Classify(text, address string) routing.Decision {
	return routing.Decision{Type: routing.TypeComplaint, Department: "rsj", Confidence: 0.9, Reasons: []string{"test"}}
}

// (5) A delivery refused for good is dead after one try, listed by `deliveries list --status
// dead`, requeued by `deliveries retry` and delivered once the endpoint accepts it.
func TestDeliveriesDeadListRetry(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, dbFor(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := &routing.Service{Store: db, Classifier: dlvClassifier{}, SLA: routing.DefaultSLA(), Directory: routing.BuiltinDirectory()}
	c, _, err := svc.File(ctx, routing.NewCase{Channel: routing.ChannelCLI, ExternalRef: "T-1", Text: "社区要我开健在证明", // to rsj only
		Complainant: routing.Complainant{Phone: "13812341234"}})
	if err != nil {
		t.Fatal(err)
	}
	var accept atomic.Bool
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if !accept.Load() {
			http.Error(w, "unknown field 13812341234", http.StatusBadRequest) // a receiver echoing the caller
		}
	}))
	defer srv.Close()
	targets := func(target string) (string, []byte, bool) { return srv.URL, []byte("k"), target == "rsj" }
	w := delivery.New(db, targets, delivery.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}

	var dead []deliveryJSON
	decodeDeliveries(t, mustRun(t, "deliveries", "list", "--status", "dead", "--json"), &dead)
	if len(dead) != 1 || dead[0].CaseID != c.ID || dead[0].Target != "rsj" || dead[0].Kind != "dispatched" ||
		dead[0].Attempts != 1 || dead[0].LastError != "HTTP 400：unknown field 138****1234" || requests.Load() != 1 {
		t.Fatalf("dead deliveries %+v after %d requests", dead, requests.Load())
	}
	id := dead[0].EventID
	table := mustRun(t, "deliveries", "list", "--status", "dead")
	if strings.Contains(table, "13812341234") {
		t.Fatalf("deliveries list shows a receiver's echoed phone in full:\n%s", table)
	}
	for _, want := range []string{"事件编号", "最近错误", id, "HTTP 400"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	// An unknown id among known ones: an error naming it, and nothing requeued.
	if out, err := run(t, "deliveries", "retry", id, "BQ-nothing:1:rsj"); err == nil ||
		!strings.Contains(err.Error(), "BQ-nothing:1:rsj") || strings.Contains(err.Error(), "\n") {
		t.Errorf("retry with an unknown id: err %v, output %q; want a one-line error naming it", err, out)
	}
	decodeDeliveries(t, mustRun(t, "deliveries", "list", "--status", "dead", "--json"), &dead)
	if len(dead) != 1 {
		t.Fatalf("a refused retry requeued something: dead %+v", dead)
	}
	if out := mustRun(t, "deliveries", "retry", id); !strings.Contains(out, "已重新排队 1 条投递") {
		t.Errorf("retry printed %q", out)
	}
	var pending []deliveryJSON
	decodeDeliveries(t, mustRun(t, "deliveries", "list", "--status", "pending", "--json"), &pending)
	if len(pending) != 1 || pending[0].EventID != id || pending[0].Attempts != 0 || pending[0].NextAttemptAt == "" {
		t.Fatalf("pending after retry: %+v", pending)
	}

	accept.Store(true)
	if _, err := w.Once(ctx); err != nil {
		t.Fatal(err)
	}
	var delivered []deliveryJSON
	decodeDeliveries(t, mustRun(t, "deliveries", "list", "--status", "delivered", "--json"), &delivered)
	if len(delivered) != 1 || delivered[0].EventID != id || requests.Load() != 2 {
		t.Fatalf("delivered %+v after %d requests", delivered, requests.Load())
	}
	if out := mustRun(t, "deliveries", "retry", "--all-dead"); !strings.Contains(out, "已重新排队 0 条投递") {
		t.Errorf("retry --all-dead printed %q", out)
	}
	if out := mustRun(t, "deliveries", "list", "--status", "skipped"); !strings.Contains(out, "没有符合条件的投递") {
		t.Errorf("empty list printed %q", out)
	}
}

func TestDeliveriesBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"deliveries", "list", "--status", "lost"},
		{"deliveries", "list", "--limit", "0"},
		{"deliveries", "retry"},
		{"deliveries", "retry", "BQ-1:1:rsj", "--all-dead"},
		{"deliveries", "retry", "NOPE:1:x"},
	} {
		if out, err := run(t, args...); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err %v, output %q; want a one-line error", args, err, out)
		}
	}
}

// decodeDeliveries checks out is exactly one JSON array and decodes it into v.
func decodeDeliveries(t *testing.T, out string, v *[]deliveryJSON) {
	t.Helper()
	if !strings.HasPrefix(out, "[") {
		t.Fatalf("not a JSON array: %s", out)
	}
	if strings.Contains(out, "payload") || strings.Contains(out, "13812341234") {
		t.Fatalf("list shows the payload or a phone number: %s", out)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}
