package delivery

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"chengnuo/routing"
)

// gatedMarks is a store whose first write waits at the gate; it records each write's ids.
type gatedMarks struct {
	gate  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	calls [][]int64
}

func (g *gatedMarks) MarkDeliveredMany(_ context.Context, ids []int64) (map[int64]bool, error) {
	g.once.Do(func() { <-g.gate })
	g.mu.Lock()
	g.calls = append(g.calls, slices.Clone(ids))
	g.mu.Unlock()
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = id != 13 // 13 is no longer pending
	}
	return out, nil
}

// TestMarksShareWrites: the marks that arrive while one write runs go in the next, one
// write for all of them; each caller learns its own outcome.
func TestMarksShareWrites(t *testing.T) {
	g := &gatedMarks{gate: make(chan struct{})}
	k := &marks{ob: g}
	ctx := context.Background()
	errs := make(map[int64]chan error)
	for _, id := range []int64{1, 11, 12, 13} {
		errs[id] = make(chan error, 1)
	}
	go func() { errs[1] <- k.delivered(ctx, 1) }()
	waitUntil(t, func() bool { k.mu.Lock(); defer k.mu.Unlock(); return k.busy && len(k.queue) == 0 })
	for _, id := range []int64{11, 12, 13} {
		go func() { errs[id] <- k.delivered(ctx, id) }()
	}
	waitUntil(t, func() bool { k.mu.Lock(); defer k.mu.Unlock(); return len(k.queue) == 3 })
	close(g.gate)
	for _, id := range []int64{1, 11, 12} {
		if err := <-errs[id]; err != nil {
			t.Errorf("mark %d: %v", id, err)
		}
	}
	if err := <-errs[13]; routing.ErrorCode(err) != routing.ENOTFOUND {
		t.Errorf("mark 13 (not pending): %v, want ENOTFOUND", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.calls) != 2 || len(g.calls[0]) != 1 || len(g.calls[1]) != 3 {
		t.Errorf("writes %v, want [[1] [three ids]]", g.calls)
	}
	if k.busy || len(k.queue) != 0 {
		t.Errorf("after the writes: busy %v, queue %v", k.busy, k.queue)
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); !ok(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
	}
}

// ctxMarks fails a write whose context has ended, as the store does.
type ctxMarks struct{}

func (ctxMarks) MarkDeliveredMany(ctx context.Context, ids []int64) (map[int64]bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// TestMarksTimeoutPerWrite: each write has its own time, so a leader whose own deadline has
// passed (it kept writing for later arrivals) still records the marks it writes.
func TestMarksTimeoutPerWrite(t *testing.T) {
	k := &marks{ob: ctxMarks{}, timeout: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if err := k.delivered(ctx, 1); err != nil {
		t.Errorf("mark under a spent deadline: %v", err)
	}
}
