// Package delivery is the outbox worker: it posts the events that routing queued in the
// outbox to department webhooks and to the hotline and portal callbacks, signed, retried with
// backoff, and marked in the store so that nothing is lost across restarts.
//
// Rules, in short:
//   - one attempt is exactly one HTTP POST (the client makes no retries of its own), and is
//     recorded when it ends however long it took; body = the stored payload bytes, headers
//     Content-Type, X-Chengnuo-Signature (signed afresh on every try), X-Chengnuo-Event-Id (stable: receivers
//     de-duplicate on it) and X-Chengnuo-Event-Kind;
//   - 2xx delivered; 409 delivered too (the receiver says it already has this event id);
//     408, 425, 429, 5xx, timeouts and network errors are retried with exponential backoff and
//     full jitter, honouring Retry-After; any other answer is permanent: dead at once;
//   - MaxAttempts failed tries make a message dead; dead ones are replayed by RequeueDead
//     (`chengnuo deliveries retry`);
//   - a target without an endpoint is "skipped" (reason 未配置投递地址), not retried; targets in
//     Options.Leave (default "telegram") stay pending for their own consumer (the bot);
//   - the messages of one case to one target (a stream) go out one at a time, in order: a
//     message is sent only when no earlier one of its stream is pending. Dead and skipped
//     messages do not hold their stream up. Different receivers of one case are independent,
//     so a down hotline does not hold up the department.
//
// One worker per database: two workers on one file could send a message twice (receivers
// de-duplicate, but it is wasted work).
package delivery

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"chengnuo/routing"
)

// Outbox is what the worker needs of the store (store.DB has it).
type Outbox interface {
	// OutboxHeads returns due pending messages that head their stream (case, target).
	OutboxHeads(ctx context.Context, now time.Time, limit int, skipTargets ...string) ([]routing.OutboxMessage, error)
	// OutboxNext returns the oldest pending message of a stream, due or not; nil if none.
	OutboxNext(ctx context.Context, caseID, target string) (*routing.OutboxMessage, error)
	MarkDelivered(ctx context.Context, id int64) error
	MarkFailed(ctx context.Context, id int64, reason string, next time.Time, dead bool) error
	MarkSkipped(ctx context.Context, id int64, reason string) error
}

// Targets resolves an outbox target (a department code, "hotline" or "portal") to its
// endpoint and signing secret; ok false means none is configured. An empty secret sends
// the message unsigned.
type Targets func(target string) (url string, secret []byte, ok bool)

// Options tune a Worker; zero values take the defaults named.
type Options struct {
	Client  *resty.Client    // nil: a new one. New installs its hooks: give it a client of its own
	Now     func() time.Time // nil: time.Now
	Logger  *slog.Logger     // nil: slog.Default()
	Metrics *Metrics         // nil: none

	Batch       int // due messages read per poll: 100
	Concurrency int // deliveries in flight at once: 8
	PerTarget   int // in flight to one target at once, so one stalled receiver cannot take every slot: 4
	MaxAttempts int // failed tries before a message is dead: 12

	BackoffBase    time.Duration // first retry delay ceiling: 2 s; doubles per try (full jitter)
	BackoffMax     time.Duration // largest delay ceiling: 10 min
	MaxRetryAfter  time.Duration // a receiver's Retry-After is honoured up to this: 1 h
	RequestTimeout time.Duration // one attempt, which is exactly one HTTP request: 10 s
	// MarkTimeout bounds the store write recording an attempt's outcome; it starts when the
	// attempt ends, however long the receiver took: 5 s.
	MarkTimeout time.Duration
	// TargetPause: after a retryable failure a target gets no new try for this long (or its
	// Retry-After), then one try at a time until one succeeds: 2 s; negative: never paused.
	TargetPause   time.Duration
	PollInterval  time.Duration // how often Run looks for due messages: 200 ms
	NotifyGap     time.Duration // least time between two polls woken by Notify: 10 ms
	ShutdownGrace time.Duration // how long Run waits for in-flight requests at shutdown: RequestTimeout + 1 s
	// Leave lists targets the worker never touches (another consumer's): ["telegram"].
	Leave []string
	// SkipReason, when set, words why a target without an endpoint is skipped (for example,
	// that the department takes its cases in a Telegram group instead); "" or nil: the
	// plain ReasonNoEndpoint.
	SkipReason func(target string) string
	// Jitter returns a random duration in [0, d]; nil: uniform (full jitter).
	Jitter func(d time.Duration) time.Duration
}

func (o *Options) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Batch, 100)
	def(&o.Concurrency, 8)
	def(&o.PerTarget, 4)
	def(&o.MaxAttempts, 12)
	dur(&o.BackoffBase, 2*time.Second)
	dur(&o.BackoffMax, 10*time.Minute)
	dur(&o.MaxRetryAfter, time.Hour)
	dur(&o.RequestTimeout, 10*time.Second)
	dur(&o.MarkTimeout, 5*time.Second)
	if o.TargetPause == 0 {
		o.TargetPause = 2 * time.Second
	}
	dur(&o.PollInterval, 200*time.Millisecond)
	dur(&o.NotifyGap, 10*time.Millisecond)
	dur(&o.ShutdownGrace, o.RequestTimeout+time.Second)
	if o.Leave == nil {
		o.Leave = []string{string(routing.ChannelTelegram)}
	}
	if o.Jitter == nil {
		o.Jitter = func(d time.Duration) time.Duration {
			if d <= 0 {
				return 0
			}
			return time.Duration(rand.Int64N(int64(d) + 1))
		}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// stream is the messages of one case to one target, delivered in order.
type stream struct{ caseID, target string }

// Worker delivers outbox messages. Build it with New; run it with Run (or Once in tests).
type Worker struct {
	ob      Outbox
	targets Targets
	client  *resty.Client
	opt     Options
	log     *slog.Logger
	notify  chan struct{}
	slot    chan struct{} // a stream ended: its slot is free, poll at once
	marks   *marks        // nil: one write per delivered message

	mu       sync.Mutex
	busy     map[stream]bool
	ended    map[stream]bool      // streams that ended since the current poll read the store
	inFlight map[string]int       // target → streams being delivered
	failing  map[string]time.Time // targets whose last try failed → paused until
	wg       sync.WaitGroup
}

// New returns a worker over ob that finds endpoints with targets.
func New(ob Outbox, targets Targets, opt Options) *Worker {
	opt.defaults()
	w := &Worker{ob: ob, targets: targets, opt: opt, log: opt.Logger.With("component", "delivery"),
		notify: make(chan struct{}, 1), slot: make(chan struct{}, 1),
		busy: map[stream]bool{}, ended: map[stream]bool{}, inFlight: map[string]int{},
		failing: map[string]time.Time{}}
	w.client = w.configure(opt.Client)
	if md, ok := ob.(manyDeliverer); ok {
		w.marks = &marks{ob: md, timeout: opt.MarkTimeout}
	}
	return w
}

// slotFree wakes Run at once (not after NotifyGap) when a stream ends, so that a backlog
// drains as fast as the receivers answer.
func (w *Worker) slotFree() {
	select {
	case w.slot <- struct{}{}:
	default:
	}
}

// Notify asks a running worker to look for due messages now (the intake calls it after
// enqueueing); it never blocks.
func (w *Worker) Notify() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

func (w *Worker) now() time.Time { return w.opt.Now() }

// Run delivers until ctx is cancelled: it polls every PollInterval and whenever notified.
// On cancel it takes no new message and waits up to ShutdownGrace for the requests in
// flight, then aborts them (an aborted message stays pending and is sent after restart).
func (w *Worker) Run(ctx context.Context) error {
	reqCtx, abort := context.WithCancel(context.WithoutCancel(ctx))
	defer abort()
	tick := time.NewTicker(w.opt.PollInterval)
	defer tick.Stop()
	for {
		polled := time.Now()
		if _, err := w.dispatch(ctx, reqCtx); err != nil && ctx.Err() == nil {
			w.log.Warn("delivery poll failed", "err", err)
		}
		select {
		case <-ctx.Done():
			w.shutdown(abort)
			return nil
		case <-tick.C:
		case <-w.slot:
		case <-w.notify:
			// Under busy intake every group commit notifies: one poll per NotifyGap serves
			// them all, instead of one outbox query per commit.
			if !sleepCtx(ctx, w.opt.NotifyGap-time.Since(polled)) {
				w.shutdown(abort)
				return nil
			}
		}
	}
}

// sleepCtx waits d (nothing when d <= 0) and reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	return ctx.Err() == nil
}

func (w *Worker) shutdown(abort context.CancelFunc) {
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(w.opt.ShutdownGrace):
		w.log.Warn("delivery shutdown: aborting requests in flight", "grace", w.opt.ShutdownGrace)
		abort()
		<-done
	}
}

// Once delivers what is due now and waits for it: every due stream is followed until it is
// empty or its head must wait. It returns how many streams it started. Tests and one-shot
// commands use it; a server uses Run (never both at once on one worker).
func (w *Worker) Once(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := w.dispatch(ctx, ctx)
		w.wg.Wait()
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// dispatch starts a goroutine for each due stream head it has room for, and returns how
// many it started. Requests run under reqCtx, which outlives ctx during shutdown.
func (w *Worker) dispatch(ctx, reqCtx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, nil
	}
	now := w.now()
	w.mu.Lock()
	clear(w.ended)
	free := w.opt.Concurrency - len(w.busy)
	skip := append([]string(nil), w.opt.Leave...)
	for t, n := range w.inFlight {
		if n >= w.limit(t, now) {
			skip = append(skip, t)
		}
	}
	for t, until := range w.failing {
		if now.Before(until) {
			skip = append(skip, t)
		}
	}
	busy := len(w.busy)
	w.mu.Unlock()
	if free <= 0 {
		return 0, nil
	}
	// Heads of busy streams may fill part of the batch: read that many more.
	heads, err := w.ob.OutboxHeads(ctx, now, w.opt.Batch+busy, skip...)
	if err != nil {
		return 0, err
	}
	heads, skipped, err := w.skipUnconfigured(ctx, heads)
	if err != nil {
		return 0, err
	}
	if skipped > 0 {
		return skipped, nil // the next messages of those streams are heads now: read again
	}
	started := 0
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range heads {
		if len(w.busy) >= w.opt.Concurrency {
			break
		}
		s := stream{m.CaseID, m.Target}
		// A stream that ended after the read may have settled m meanwhile: m is stale.
		if w.busy[s] || w.ended[s] || w.inFlight[m.Target] >= w.limit(m.Target, now) {
			continue
		}
		w.busy[s] = true
		w.inFlight[m.Target]++
		w.wg.Add(1)
		started++
		go w.follow(ctx, reqCtx, m)
	}
	return started, nil
}

// manySkipper marks many messages skipped in one statement (*store.DB).
type manySkipper interface {
	MarkSkippedMany(ctx context.Context, ids []int64, reason string) (int, error)
}

// skipUnconfigured settles, in one write, every head whose target has no endpoint, so that
// a deployment without webhooks does not spend a transaction per event on it; it returns the
// other heads. Stores without MarkSkippedMany leave this to attempt, one message at a time.
func (w *Worker) skipUnconfigured(ctx context.Context, heads []routing.OutboxMessage) ([]routing.OutboxMessage, int, error) {
	ms, ok := w.ob.(manySkipper)
	if !ok {
		return heads, 0, nil
	}
	ids := map[string][]int64{} // by reason
	var kinds []string
	rest := heads[:0:0]
	targets := map[string]bool{}
	for _, m := range heads {
		if _, _, ok := w.targets(m.Target); ok {
			rest = append(rest, m)
			continue
		}
		w.mu.Lock()
		busy := w.busy[stream{m.CaseID, m.Target}]
		w.mu.Unlock()
		if !busy {
			r := w.skipReason(m.Target)
			ids[r] = append(ids[r], m.ID)
			kinds = append(kinds, m.Kind)
			targets[m.Target] = true
		}
	}
	if len(ids) == 0 {
		return heads, 0, nil
	}
	n := 0
	for reason, some := range ids {
		k, err := ms.MarkSkippedMany(ctx, some, reason)
		if err != nil {
			return nil, 0, err
		}
		n += k
	}
	for _, k := range kinds {
		w.opt.Metrics.observe(k, ResultSkipped)
	}
	for t := range targets {
		w.log.Debug("deliveries skipped: no endpoint configured", "target", t)
	}
	return rest, n, nil
}

// skipReason is the last error recorded for a message skipped for want of an endpoint.
func (w *Worker) skipReason(target string) string {
	if w.opt.SkipReason != nil {
		if r := w.opt.SkipReason(target); r != "" {
			return r
		}
	}
	return ReasonNoEndpoint
}

// limit is how many streams of target may be in flight: PerTarget, or one while the target
// is failing (a probe), none while it is paused. Called with w.mu held.
func (w *Worker) limit(target string, now time.Time) int {
	until, ok := w.failing[target]
	switch {
	case !ok:
		return w.opt.PerTarget
	case now.Before(until):
		return 0
	default:
		return 1
	}
}

// follow delivers m and then the next messages of its stream while they are due and the
// previous one is settled (delivered, dead or skipped).
func (w *Worker) follow(ctx, reqCtx context.Context, m routing.OutboxMessage) {
	s := stream{m.CaseID, m.Target}
	defer func() {
		w.mu.Lock()
		delete(w.busy, s)
		w.ended[s] = true
		if w.inFlight[s.target]--; w.inFlight[s.target] <= 0 {
			delete(w.inFlight, s.target)
		}
		w.mu.Unlock()
		w.wg.Done()
		w.slotFree() // a slot is free: look again
	}()
	for ctx.Err() == nil { // after shutdown began, no new message
		if !w.attempt(reqCtx, m) {
			return
		}
		next, err := w.ob.OutboxNext(reqCtx, s.caseID, s.target)
		if err != nil {
			w.log.Warn("delivery: next message of stream", "case", s.caseID, "target", s.target, "err", err)
			return
		}
		if next == nil || next.NextAttemptAt.After(w.now()) {
			return
		}
		m = *next
	}
}

// targetFailed pauses target after a retryable failure: for TargetPause, or longer when
// the receiver asked (Retry-After).
func (w *Worker) targetFailed(target string, retryAfter time.Duration) {
	if w.opt.TargetPause < 0 {
		return
	}
	w.mu.Lock()
	w.failing[target] = w.now().Add(max(w.opt.TargetPause, retryAfter))
	w.mu.Unlock()
}

func (w *Worker) targetOK(target string) {
	w.mu.Lock()
	delete(w.failing, target)
	w.mu.Unlock()
}
