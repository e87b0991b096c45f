package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"chengnuo/routing"
)

// fakeFeed is an in-memory OutboxFeed; AdvanceErr, when set, fails the next advance.
type fakeFeed struct {
	mu         sync.Mutex
	rows       []routing.OutboxMessage
	cursor     int64
	delivered  []int64
	AdvanceErr error
}

func (f *fakeFeed) BotOutboxCursor(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cursor, nil
}

func (f *fakeFeed) BotOutboxAfter(_ context.Context, after int64, limit int) ([]routing.OutboxMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []routing.OutboxMessage
	for _, m := range f.rows {
		if m.ID > after && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *fakeFeed) BotOutboxAdvance(_ context.Context, cursor int64, delivered []int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.AdvanceErr; err != nil {
		f.AdvanceErr = nil
		return err
	}
	f.cursor = cursor
	f.delivered = append(f.delivered, delivered...)
	return nil
}

func (f *fakeFeed) add(target, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := int64(len(f.rows) + 1)
	f.rows = append(f.rows, routing.OutboxMessage{ID: id, EventID: "BQ1:" + string(rune('0'+id)) + ":" + target,
		Target: target, Status: status})
}

// fakeNotifier delivers "telegram" and "gafj"; Fail fails the rows whose id it holds.
type fakeNotifier struct {
	mu       sync.Mutex
	notified []int64
	Fail     map[int64]bool
	seen     chan int64
}

func (f *fakeNotifier) Delivers(target string) bool {
	return target == TargetTelegram || target == "gafj"
}

func (f *fakeNotifier) Notify(_ context.Context, m routing.OutboxMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Fail[m.ID] {
		return errors.New("queue busy")
	}
	f.notified = append(f.notified, m.ID)
	if f.seen != nil {
		f.seen <- m.ID
	}
	return nil
}

func (f *fakeNotifier) ids() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.notified)
}

func newTestBridge(feed *fakeFeed, n *fakeNotifier, batch int) *Bridge {
	return NewBridge(feed, n, BridgeConfig{Batch: batch, NotifyTries: 3, Interval: time.Hour,
		Backoff: func(int) time.Duration { return time.Hour }, Logger: quietLog})
}

func TestBridgeNotifiesInOrderAndMarksTelegramRows(t *testing.T) {
	feed := &fakeFeed{}
	feed.add("gafj", routing.OutboxPending)           // 1: a bound group's card, left to the worker
	feed.add(TargetTelegram, routing.OutboxPending)   // 2: a resident's note: delivered by the bot
	feed.add("rsj", routing.OutboxPending)            // 3: not the bot's
	feed.add("gafj", "skipped")                       // 4: no webhook: still shown in the group
	feed.add(TargetTelegram, routing.OutboxDelivered) // 5: already marked (an earlier run)
	feed.add("hotline", routing.OutboxDead)           // 6: not the bot's
	feed.add(TargetTelegram, routing.OutboxPending)   // 7
	n := &fakeNotifier{}
	b := newTestBridge(feed, n, 100)
	more, err := b.pass(context.Background())
	if err != nil || more {
		t.Fatalf("pass: more %v, err %v", more, err)
	}
	if got, want := n.ids(), []int64{1, 2, 4, 5, 7}; !slices.Equal(got, want) {
		t.Errorf("notified %v, want %v", got, want)
	}
	if !slices.Equal(feed.delivered, []int64{2, 7}) || feed.cursor != 7 || b.cursor != 7 {
		t.Errorf("delivered %v, cursor %d/%d; want [2 7] and 7", feed.delivered, feed.cursor, b.cursor)
	}
	if more, err := b.pass(context.Background()); err != nil || more || len(n.ids()) != 5 {
		t.Errorf("second pass notified again: %v %v %v", more, err, n.ids())
	}
}

func TestBridgeBatches(t *testing.T) {
	feed := &fakeFeed{}
	for range 5 {
		feed.add(TargetTelegram, routing.OutboxPending)
	}
	n := &fakeNotifier{}
	b := newTestBridge(feed, n, 2)
	var passes []bool
	for range 3 {
		more, err := b.pass(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		passes = append(passes, more)
	}
	if !slices.Equal(passes, []bool{true, true, false}) || feed.cursor != 5 || len(n.ids()) != 5 {
		t.Errorf("more %v, cursor %d, notified %v", passes, feed.cursor, n.ids())
	}
}

// A failing row holds up the rows after it (order per case matters), keeping the progress
// before it; after NotifyTries it is passed over so that it cannot block the bot for ever.
func TestBridgeFailingRow(t *testing.T) {
	feed := &fakeFeed{}
	for range 3 {
		feed.add(TargetTelegram, routing.OutboxPending)
	}
	n := &fakeNotifier{Fail: map[int64]bool{2: true}}
	b := newTestBridge(feed, n, 100)
	ctx := context.Background()
	for try := 1; try < 3; try++ {
		if _, err := b.pass(ctx); err == nil {
			t.Fatalf("try %d: no error for a failing row", try)
		}
		if feed.cursor != 1 || !slices.Equal(feed.delivered, []int64{1}) {
			t.Fatalf("try %d: cursor %d, delivered %v; want progress up to row 1", try, feed.cursor, feed.delivered)
		}
	}
	if _, err := b.pass(ctx); err != nil {
		t.Fatalf("third try: %v, want the row passed over", err)
	}
	if feed.cursor != 3 || !slices.Equal(n.ids(), []int64{1, 3}) || !slices.Equal(feed.delivered, []int64{1, 3}) {
		t.Errorf("cursor %d, notified %v, delivered %v", feed.cursor, n.ids(), feed.delivered)
	}

	// A failure that clears in time loses nothing.
	feed.add(TargetTelegram, routing.OutboxPending)
	n.Fail = map[int64]bool{4: true}
	if _, err := b.pass(ctx); err == nil {
		t.Fatal("no error")
	}
	n.mu.Lock()
	n.Fail = nil
	n.mu.Unlock()
	if _, err := b.pass(ctx); err != nil || feed.cursor != 4 || !slices.Contains(n.ids(), 4) {
		t.Errorf("after recovery: %v, cursor %d, notified %v", err, feed.cursor, n.ids())
	}
}

// When the cursor cannot be saved, the rows come again: Notify's keys keep the messages
// single (the Sender drops a key queued before), the bridge only has to notify again.
func TestBridgeCursorNotSaved(t *testing.T) {
	feed := &fakeFeed{AdvanceErr: errors.New("database is locked")}
	feed.add(TargetTelegram, routing.OutboxPending)
	n := &fakeNotifier{}
	b := newTestBridge(feed, n, 100)
	if _, err := b.pass(context.Background()); err == nil {
		t.Fatal("advance error not reported")
	}
	if _, err := b.pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.ids(), []int64{1, 1}) || feed.cursor != 1 || !slices.Equal(feed.delivered, []int64{1}) {
		t.Errorf("notified %v, cursor %d, delivered %v", n.ids(), feed.cursor, feed.delivered)
	}
}

// Run follows the outbox when nudged (its interval here is an hour) and stops with ctx.
func TestBridgeRunNudged(t *testing.T) {
	feed := &fakeFeed{}
	n := &fakeNotifier{seen: make(chan int64, 10)}
	b := newTestBridge(feed, n, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	for i := int64(1); i <= 2; i++ {
		feed.add(TargetTelegram, routing.OutboxPending)
		b.Nudge()
		select {
		case id := <-n.seen:
			if id != i {
				t.Fatalf("notified %d, want %d", id, i)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("row %d not notified after a nudge", i)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
}
