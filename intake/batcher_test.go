package intake

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"chengnuo/routing"
)

// gatedFiler holds every FileBatch until the gate opens and records the batch sizes.
type gatedFiler struct {
	CaseService
	gate    chan struct{}
	entered chan struct{} // one value per FileBatch call, before the gate
	mu      sync.Mutex
	sizes   []int
}

func (g *gatedFiler) FileBatch(ctx context.Context, ncs []routing.NewCase) ([]routing.FileResult, error) {
	g.entered <- struct{}{}
	<-g.gate
	g.mu.Lock()
	g.sizes = append(g.sizes, len(ncs))
	g.mu.Unlock()
	return g.CaseService.FileBatch(ctx, ncs)
}

// gatedEnv is an env whose batch workers (one unless opt says otherwise) wait at the gate.
func gatedEnv(t *testing.T, opt BatchOptions) (*env, *gatedFiler) {
	g := &gatedFiler{gate: make(chan struct{}), entered: make(chan struct{}, 1000)}
	e := newEnv(t, func(d *Deps) {
		g.CaseService = d.Cases
		d.Cases = g
		if opt.Workers == 0 {
			opt.Workers = 1
		}
		d.Batch = opt
	})
	t.Cleanup(func() {
		select {
		case <-g.gate:
		default:
			close(g.gate)
		}
	})
	return e, g
}

type answer struct {
	status int
	body   []byte
}

// postAsync posts a ticket in the background; the answer arrives on the channel.
func (e *env) postAsync(ctx context.Context, body []byte) <-chan answer {
	ch := make(chan answer, 1)
	req := e.signed("/v1/hotline/tickets", hotlineSecret, body).WithContext(ctx)
	go func() {
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			ch <- answer{status: -1}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		ch <- answer{status: resp.StatusCode, body: b}
	}()
	return ch
}

// waitQueued waits until n jobs wait in the queue (the worker holds the rest at the gate).
func waitQueued(t *testing.T, e *env, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(e.srv.batch.queue) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs queued, want %d", len(e.srv.batch.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestBatchDuplicatesInOneBatch: the same ticket_no twenty times in one transaction makes
// one case; one request gets 202, the others 200.
func TestBatchDuplicatesInOneBatch(t *testing.T) {
	e, g := gatedEnv(t, BatchOptions{})
	first := e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(1), "社保局要求开具健在证明", "")))
	<-g.entered // the worker took it and waits at the gate
	body := mustJSON(t, ticket(ticketNo(2), "户籍窗口要求开具无犯罪记录证明", "13812345678"))
	var answers []<-chan answer
	for range 20 {
		answers = append(answers, e.postAsync(context.Background(), body))
	}
	waitQueued(t, e, 20)
	close(g.gate)
	if a := <-first; a.status != 202 {
		t.Fatalf("first: %d", a.status)
	}
	created := 0
	for _, ch := range answers {
		switch a := <-ch; a.status {
		case 202:
			created++
		case 200:
		default:
			t.Fatalf("status %d", a.status)
		}
	}
	if created != 1 {
		t.Errorf("%d created, want 1", created)
	}
	if g.sizes[len(g.sizes)-1] != 20 {
		t.Errorf("batch sizes %v, want the last to be 20", g.sizes)
	}
	if n := e.count(`SELECT COUNT(*) FROM cases WHERE external_ref = ?`, ticketNo(2)); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

// TestBatchQueueFull: a full queue answers 503 busy with Retry-After and stores nothing;
// the queued tickets are still filed.
func TestBatchQueueFull(t *testing.T) {
	e, g := gatedEnv(t, BatchOptions{Queue: 2})
	var queued []<-chan answer
	queued = append(queued, e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(1), "社保", ""))))
	<-g.entered
	for i := 2; i <= 3; i++ {
		queued = append(queued, e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(i), "社保", ""))))
	}
	waitQueued(t, e, 2)
	resp, err := e.ts.Client().Do(e.signed("/v1/hotline/tickets", hotlineSecret, mustJSON(t, ticket(ticketNo(4), "社保", ""))))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("full queue: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	close(g.gate)
	for _, ch := range queued {
		if a := <-ch; a.status != 202 {
			t.Errorf("queued ticket: %d", a.status)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 3 {
		t.Errorf("%d cases, want 3", n)
	}
}

// TestBatchClientGoneStillCommitted: a client that hangs up after its ticket was queued
// gets no answer, but the ticket is committed, and its retry is answered 200.
func TestBatchClientGoneStillCommitted(t *testing.T) {
	e, g := gatedEnv(t, BatchOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	body := mustJSON(t, ticket(ticketNo(1), "社保局要求开具健在证明", ""))
	gone := e.postAsync(ctx, body)
	<-g.entered
	cancel()
	if a := <-gone; a.status != -1 {
		t.Fatalf("cancelled request answered %d", a.status)
	}
	close(g.gate)
	if a := <-e.postAsync(context.Background(), body); a.status != 200 {
		t.Errorf("retry: %d", a.status)
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

// TestBatchCloseDrains: Close refuses new tickets (503) and files every queued one first.
func TestBatchCloseDrains(t *testing.T) {
	e, g := gatedEnv(t, BatchOptions{})
	queued := []<-chan answer{e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(1), "社保", "")))}
	<-g.entered
	for i := 2; i <= 5; i++ {
		queued = append(queued, e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(i), "社保", ""))))
	}
	waitQueued(t, e, 4)
	closed := make(chan error, 1)
	go func() { closed <- e.srv.Close(context.Background()) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.srv.batch.mu.RLock()
		c := e.srv.batch.closed
		e.srv.batch.mu.RUnlock()
		if c || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if a := <-e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(9), "社保", ""))); a.status != 503 {
		t.Errorf("after Close: %d", a.status)
	}
	close(g.gate)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for _, ch := range queued {
		if a := <-ch; a.status != 202 {
			t.Errorf("queued ticket: %d", a.status)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 5 {
		t.Errorf("%d cases, want 5", n)
	}
}

// TestFileBatchDuplicateRefs: routing.Service.FileBatch itself files one case for a
// ticket_no that appears twice in one slice (the batcher relies on it).
func TestFileBatchDuplicateRefs(t *testing.T) {
	e := newEnv(t)
	nc := routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: "T-1", Text: "社保局要求开具健在证明",
		ReceivedAt: testNow}
	res, err := e.svc.FileBatch(context.Background(), []routing.NewCase{nc, nc})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Created || res[1].Created || res[0].Case.ID != res[1].Case.ID {
		t.Errorf("results %+v %+v", res[0], res[1])
	}
}

// poisonFiler fails every batch that holds a text containing "POISON", as a storage error
// caused by one input would.
type poisonFiler struct{ CaseService }

func (p poisonFiler) FileBatch(ctx context.Context, ncs []routing.NewCase) ([]routing.FileResult, error) {
	for _, nc := range ncs {
		if strings.Contains(nc.Text, "POISON") {
			return nil, errors.New("storage failed")
		}
	}
	return p.CaseService.FileBatch(ctx, ncs)
}

// TestBatchFailureIsolated: when a batch's transaction fails, its cases are filed one by
// one, so only the bad one gets 500 and the rest are stored.
func TestBatchFailureIsolated(t *testing.T) {
	g := &gatedFiler{gate: make(chan struct{}), entered: make(chan struct{}, 1000)}
	e := newEnv(t, func(d *Deps) {
		g.CaseService = poisonFiler{d.Cases}
		d.Cases = g
		d.Batch = BatchOptions{Workers: 1}
	})
	first := e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(1), "社保", "")))
	<-g.entered
	var rest []<-chan answer
	for i := 2; i <= 5; i++ {
		text := "社保局要求开具证明"
		if i == 3 {
			text = "POISON"
		}
		rest = append(rest, e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(i), text, ""))))
	}
	waitQueued(t, e, 4)
	close(g.gate)
	if a := <-first; a.status != 202 {
		t.Errorf("first: %d", a.status)
	}
	for i, ch := range rest {
		want := 202
		if i == 1 {
			want = 500
		}
		if a := <-ch; a.status != want {
			t.Errorf("ticket %d: %d %s, want %d", i+2, a.status, a.body, want)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 4 {
		t.Errorf("%d cases, want 4", n)
	}
	if !strings.Contains(e.logs.String(), "group commit failed") {
		t.Error("the failed batch was not logged")
	}
}

// TestBatchGathersWhileWriterBusy: with two workers, the tickets that arrive while one
// batch holds the writer all join the other worker's batch, which commits once the writer
// is free: one batch of twelve, not twelve commits. Nothing is answered before its commit.
func TestBatchGathersWhileWriterBusy(t *testing.T) {
	e, g := gatedEnv(t, BatchOptions{Workers: 2})
	first := e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(1), "社保局要求开具健在证明", "")))
	<-g.entered // the first batch holds the writer, waiting at the gate
	var rest []<-chan answer
	for i := 2; i <= 13; i++ {
		rest = append(rest, e.postAsync(context.Background(),
			mustJSON(t, ticket(ticketNo(i), "户籍窗口要求开具无犯罪记录证明", ""))))
	}
	// The second worker takes them off the queue into its batch; it may not commit yet.
	waitQueued(t, e, 0)
	time.Sleep(20 * time.Millisecond) // give a wrong implementation the chance to commit early
	select {
	case <-g.entered:
		t.Fatal("a second batch started while the writer was held")
	default:
	}
	for _, ch := range rest {
		select {
		case a := <-ch:
			t.Fatalf("answered %d before the commit", a.status)
		default:
		}
	}
	close(g.gate)
	if a := <-first; a.status != 202 {
		t.Fatalf("first: %d", a.status)
	}
	for i, ch := range rest {
		if a := <-ch; a.status != 202 {
			t.Fatalf("ticket %d: %d", i+2, a.status)
		}
	}
	g.mu.Lock()
	sizes := append([]int(nil), g.sizes...)
	g.mu.Unlock()
	if len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 12 {
		t.Errorf("batch sizes %v, want [1 12]", sizes)
	}
}
