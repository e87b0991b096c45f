package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// tgClock is a fake clock that never really waits: After moves the time forward by d and
// fires, so limits and backoff show in the timestamps the fake server records and a test
// of a 5-second pause takes milliseconds. With a gate, a timer fires only once the gate
// opens (no send in flight), so time never moves under a request on its way, and a timer
// superseded by a later After never fires (the sender waits on its latest only).
type tgClock struct {
	mu     sync.Mutex
	now    time.Time
	gen    int
	gate   func() bool
	frozen bool // After never fires: time stands still, as for a process about to crash
}

func newTGClock() *tgClock { return &tgClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)} }

func (c *tgClock) freeze(f bool) {
	c.mu.Lock()
	c.frozen = f
	c.mu.Unlock()
}

func (c *tgClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *tgClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return nil
	}
	c.gen++
	gen, target := c.gen, c.now.Add(max(d, 0))
	ch := make(chan time.Time, 1)
	fire := func() {
		if target.After(c.now) {
			c.now = target
		}
		ch <- c.now
	}
	if c.gate == nil {
		fire()
		return ch
	}
	go func() {
		for {
			c.mu.Lock()
			if c.gen != gen {
				c.mu.Unlock()
				return
			}
			if c.gate() {
				fire()
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			time.Sleep(20 * time.Microsecond)
		}
	}()
	return ch
}

// tgQueue is an in-memory Queue with the store's semantics (store/bot.go implements the
// durable one, tested in store/bot_test.go). A test "restarts" by giving it to a new Sender.
type tgQueue struct {
	mu     sync.Mutex
	rows   []*tgRow
	nextID int64
	keys   map[string]bool
}

type tgRow struct {
	QueuedPart
	status string
	msgID  int
	err    string
}

func (q *tgQueue) BotEnqueue(_ context.Context, parts []QueuedPart, now time.Time) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.keys == nil {
		q.keys = map[string]bool{}
	}
	if k := parts[0].Key; k != "" {
		if q.keys[k] {
			return false, nil
		}
		q.keys[k] = true
	}
	for _, p := range parts {
		q.nextID++
		p.ID, p.NextAttemptAt, p.CreatedAt = q.nextID, now, now
		q.rows = append(q.rows, &tgRow{QueuedPart: p, status: "pending"})
	}
	return true, nil
}

func (q *tgQueue) BotHeads(_ context.Context, limit int) ([]QueuedPart, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	seen := map[int64]bool{}
	var out []QueuedPart
	for _, r := range q.rows {
		if r.status == "pending" && !seen[r.ChatID] {
			seen[r.ChatID] = true
			out = append(out, r.QueuedPart)
		}
	}
	slices.SortStableFunc(out, func(a, b QueuedPart) int { return a.NextAttemptAt.Compare(b.NextAttemptAt) })
	return out[:min(len(out), limit)], nil
}

func (q *tgQueue) row(id int64) (*tgRow, error) {
	for _, r := range q.rows {
		if r.ID == id && r.status == "pending" {
			return r, nil
		}
	}
	return nil, fmt.Errorf("no pending %d", id)
}

func (q *tgQueue) BotSent(_ context.Context, id int64, msgID int, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	r, err := q.row(id)
	if err == nil {
		r.status, r.msgID = "sent", msgID
	}
	return err
}

func (q *tgQueue) BotRetry(_ context.Context, id int64, reason string, next time.Time, attempt bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	r, err := q.row(id)
	if err == nil {
		r.err, r.NextAttemptAt = reason, next
		if attempt {
			r.Attempts++
		}
	}
	return err
}

func (q *tgQueue) BotFailed(_ context.Context, id int64, reason string, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	r, err := q.row(id)
	if err == nil {
		r.status, r.err = "failed", reason
		r.Attempts++
	}
	return err
}

func (q *tgQueue) BotMoveChat(_ context.Context, from, to int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range q.rows {
		if r.ChatID == from && r.status == "pending" {
			r.ChatID = to
		}
	}
	return nil
}

func (q *tgQueue) count(status string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, r := range q.rows {
		if r.status == status {
			n++
		}
	}
	return n
}

var quietLog = slog.New(slog.DiscardHandler)

// senderRig is a Sender on a fake clock, an in-memory queue and a real TelegramAPI
// talking to the fake Bot API.
type senderRig struct {
	t      *testing.T
	clock  *tgClock
	fake   *tgFake
	api    *TelegramAPI
	queue  *tgQueue
	sender *Sender
	stop   func()
}

func newSenderRig(t *testing.T, cfg SenderConfig) *senderRig {
	t.Helper()
	r := &senderRig{t: t, clock: newTGClock(), queue: &tgQueue{}}
	r.fake = newTGFake(t, r.clock.Now)
	r.api = r.fake.api(TelegramConfig{PollTimeout: time.Second, RequestTimeout: 300 * time.Millisecond})
	cfg.Clock = r.clock
	cfg.IdleCheck = -1 // the fake clock would run idle checks at full speed
	if cfg.Logger == nil {
		cfg.Logger = quietLog
	}
	r.sender = NewSender(r.api, r.queue, cfg)
	r.clock.gate = func() bool { return r.sender.InFlight() == 0 }
	return r
}

// start runs the sender until the test ends (or stop).
func (r *senderRig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.sender.Run(ctx); err != nil {
			r.t.Error(err)
		}
	}()
	r.stop = func() { cancel(); <-done }
	r.t.Cleanup(r.stop)
}

func (r *senderRig) send(m Outgoing) {
	r.t.Helper()
	if err := r.sender.Send(context.Background(), m); err != nil {
		r.t.Fatal(err)
	}
}

// waitSent waits (in real time, briefly) until the fake has accepted n messages.
func (r *senderRig) waitSent(n int) []tgSent {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := r.fake.messages()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("fake got %d messages, want %d; queue pending %d failed %d", len(got), n,
				r.queue.count("pending"), r.queue.count("failed"))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func byChat(msgs []tgSent, chat int64) []tgSent {
	var out []tgSent
	for _, m := range msgs {
		if m.Chat == chat {
			out = append(out, m)
		}
	}
	return out
}

func sentTexts(msgs []tgSent) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Text
	}
	return out
}
