package bot

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tgOffsets is an in-memory OffsetStore; a "restart" hands it to a new Poller (the SQLite
// one is tested in store/bot_test.go).
type tgOffsets struct {
	mu    sync.Mutex
	last  int
	saves []int
}

func (o *tgOffsets) LastUpdateID(context.Context) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last, nil
}

func (o *tgOffsets) SaveUpdateID(_ context.Context, id int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.last = id
	o.saves = append(o.saves, id)
	return nil
}

func (o *tgOffsets) get() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// seenUpdates records the update ids a handler saw.
type seenUpdates struct {
	mu  sync.Mutex
	ids []int
}

func (h *seenUpdates) add(id int) {
	h.mu.Lock()
	h.ids = append(h.ids, id)
	h.mu.Unlock()
}

func (h *seenUpdates) list() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.ids)
}

// runPoller runs p until the test ends or ctx is cancelled; the returned func waits for Run.
func runPoller(t *testing.T, ctx context.Context, p *Poller) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := p.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return func() { <-done }
}

func tgWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func pollerCfg(clock Clock) PollerConfig {
	return PollerConfig{Timeout: time.Second, Clock: clock, Logger: quietLog}
}

func TestPollerRestartNeitherRepeatsNorDrops(t *testing.T) {
	f := newTGFake(t, nil)
	api := f.api(TelegramConfig{PollTimeout: time.Second})
	offsets := &tgOffsets{}
	for id := 1; id <= 3; id++ {
		f.pushText(id, 7, "问题")
	}

	// First run: the process stops right after handling update 3, before the next
	// getUpdates could confirm 1-3 to the server.
	var seen seenUpdates
	ctx, cancel := context.WithCancel(context.Background())
	h := UpdateHandlerFunc(func(_ context.Context, u Update) error {
		seen.add(u.ID)
		if u.ID == 3 {
			cancel()
		}
		return nil
	})
	runPoller(t, ctx, NewPoller(api, offsets, h, pollerCfg(newTGClock())))()
	if got := seen.list(); !slices.Equal(got, []int{1, 2, 3}) || offsets.get() != 3 {
		t.Fatalf("first run seenUpdates %v, saved %d", got, offsets.get())
	}

	// Second run: the process dies while handling update 5 (the handler fails as the
	// context ends): 4 is saved, 5 is not, so 5 must come again.
	f.pushText(4, 7, "四")
	f.pushText(5, -100, "五")
	ctx, cancel = context.WithCancel(context.Background())
	h = UpdateHandlerFunc(func(_ context.Context, u Update) error {
		if u.ID == 5 {
			cancel()
			return errors.New("killed mid-update")
		}
		seen.add(u.ID)
		return nil
	})
	runPoller(t, ctx, NewPoller(api, offsets, h, pollerCfg(newTGClock())))()
	if got := seen.list(); !slices.Equal(got, []int{1, 2, 3, 4}) || offsets.get() != 4 {
		t.Fatalf("second run: seenUpdates %v, saved %d", got, offsets.get())
	}

	// Third run: continues after the saved id.
	f.pushText(6, 7, "六")
	h = UpdateHandlerFunc(func(_ context.Context, u Update) error { seen.add(u.ID); return nil })
	runPoller(t, context.Background(), NewPoller(api, offsets, h, pollerCfg(newTGClock())))
	tgWaitFor(t, "updates 5 and 6", func() bool { return len(seen.list()) == 6 })
	if got := seen.list(); !slices.Equal(got, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("seenUpdates %v, want each update once, in order", got)
	}
	f.mu.Lock()
	firstOffsets := slices.Clone(f.offsets)
	f.mu.Unlock()
	if !slices.Contains(firstOffsets, 4) || !slices.Contains(firstOffsets, 5) {
		t.Errorf("getUpdates offsets %v: a restart must ask for the update after the saved one", firstOffsets)
	}
}

func TestPollerHandlerFailures(t *testing.T) {
	f := newTGFake(t, nil)
	api := f.api(TelegramConfig{PollTimeout: time.Second})
	for id := 1; id <= 4; id++ {
		f.pushText(id, 7, "x")
	}
	var seen seenUpdates
	var flaky atomic.Int32
	h := UpdateHandlerFunc(func(_ context.Context, u Update) error {
		seen.add(u.ID)
		switch {
		case u.ID == 2 && flaky.Add(1) == 1:
			return errors.New("database busy") // fails once, then works
		case u.ID == 3:
			return errors.New("poison") // always fails: skipped after 3 tries
		}
		return nil
	})
	offsets := &tgOffsets{}
	runPoller(t, context.Background(), NewPoller(api, offsets, h, pollerCfg(newTGClock())))
	tgWaitFor(t, "update 4", func() bool { return offsets.get() == 4 })
	if got := seen.list(); !slices.Equal(got, []int{1, 2, 2, 3, 3, 3, 4}) {
		t.Errorf("handler calls %v", got)
	}
}

func TestPollerNetworkFaultsAnd429(t *testing.T) {
	clock := newTGClock()
	f := newTGFake(t, clock.Now)
	api := f.api(TelegramConfig{PollTimeout: time.Second})
	f.setDown(true)
	var throttledAt time.Time
	var once sync.Once
	f.Fault = func(method string, _ url.Values) *tgReply {
		var rep *tgReply
		if method == "getUpdates" {
			once.Do(func() { throttledAt, rep = clock.Now(), tg429(7) })
		}
		return rep
	}
	f.pushText(1, 7, "一")
	f.pushText(2, 7, "二")
	var seen seenUpdates
	offsets := &tgOffsets{}
	h := UpdateHandlerFunc(func(_ context.Context, u Update) error { seen.add(u.ID); return nil })
	runPoller(t, context.Background(), NewPoller(api, offsets, h, pollerCfg(clock)))
	tgWaitFor(t, "refused connections", func() bool { return f.refused.Load() >= 3 })
	f.setDown(false)
	tgWaitFor(t, "both updates", func() bool { return offsets.get() == 2 })
	if got := seen.list(); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("seenUpdates %v", got)
	}
	calls := f.callTimes("getUpdates")
	if len(calls) < 2 || calls[1].Sub(throttledAt) < 7*time.Second {
		t.Errorf("getUpdates again %s after a 429 asking for 7s", calls[1].Sub(throttledAt))
	}
}

func TestPollerStalledRequestTimesOut(t *testing.T) {
	f := newTGFake(t, nil)
	// No long poll (PollTimeout under a second), HTTP timeout 300 ms.
	api := f.api(TelegramConfig{PollTimeout: 100 * time.Millisecond, Client: nil})
	api.client.Timeout = 300 * time.Millisecond
	var calls atomic.Int32
	f.Fault = func(method string, _ url.Values) *tgReply {
		if method == "getUpdates" && calls.Add(1) == 1 {
			return &tgReply{Status: 200, Body: `{"ok":true,"result":[]}`, Delay: 10 * time.Second}
		}
		return nil
	}
	f.pushText(1, 7, "一")
	offsets := &tgOffsets{}
	h := UpdateHandlerFunc(func(context.Context, Update) error { return nil })
	start := time.Now()
	runPoller(t, context.Background(), NewPoller(api, offsets, h, pollerCfg(newTGClock())))
	tgWaitFor(t, "the update after a stalled poll", func() bool { return offsets.get() == 1 })
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("recovered after %s", d)
	}
}

func TestPollerConfirmsUnhandledKinds(t *testing.T) {
	f := newTGFake(t, nil)
	api := f.api(TelegramConfig{PollTimeout: time.Second})
	f.push(1, "edited_message", `{"message_id":5,"date":1,"text":"x","chat":{"id":7,"type":"private"}}`)
	f.pushText(2, 7, "二")
	var seen seenUpdates
	offsets := &tgOffsets{}
	h := UpdateHandlerFunc(func(_ context.Context, u Update) error { seen.add(u.ID); return nil })
	runPoller(t, context.Background(), NewPoller(api, offsets, h, pollerCfg(newTGClock())))
	tgWaitFor(t, "update 2", func() bool { return offsets.get() == 2 })
	if got := seen.list(); !slices.Equal(got, []int{2}) {
		t.Errorf("handler saw %v, want only the message", got)
	}
}

func TestPollerStopsDuringLongPoll(t *testing.T) {
	f := newTGFake(t, nil)
	api := f.api(TelegramConfig{PollTimeout: 30 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	p := NewPoller(api, &tgOffsets{}, UpdateHandlerFunc(func(context.Context, Update) error { return nil }),
		PollerConfig{Logger: quietLog})
	wait := runPoller(t, ctx, p)
	tgWaitFor(t, "a long poll", func() bool { return len(f.callsOf("getUpdates")) > 0 })
	start := time.Now()
	cancel()
	wait()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run returned %s after cancel", d)
	}
	if got := f.callsOf("getUpdates")[0].Get("timeout"); got != "30" {
		t.Errorf("long-poll timeout %s, want 30", got)
	}
}
