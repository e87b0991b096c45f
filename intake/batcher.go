package intake

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"chengnuo/routing"
)

// BatchOptions tune group commit: webhook requests hand their case to a few workers. A
// worker collects a batch for as long as another worker's batch holds the database's one
// writer, and files it with one transaction (one commit for many tickets) the moment the
// writer is free, then answers every request of the batch. So a quiet server commits each
// ticket at once, and a busy one commits in batches as large as the tickets that arrived
// during the previous commit. Zero values take the defaults.
type BatchOptions struct {
	// MaxSize is the most cases filed in one transaction (default 256).
	MaxSize int
	// Queue bounds the cases waiting for a worker (default 8,192). When it is full the
	// webhook answers 503 busy with Retry-After: 1 (backpressure) and stores nothing.
	Queue int
	// Workers is how many batches are in hand at once: 1, or 2 (the default and the most),
	// one committing while the other gathers the next. Only one batch can commit at a
	// time, so more workers would only split the arrivals into smaller batches.
	Workers int
	// Timeout bounds a batch's wait for the database's write connection (default 30 s).
	// Once its transaction has begun it runs to the end (see store.WithTx).
	Timeout time.Duration
}

func (o BatchOptions) withDefaults() BatchOptions {
	if o.MaxSize <= 0 {
		o.MaxSize = 256
	}
	if o.Queue <= 0 {
		o.Queue = 8192
	}
	if o.Workers <= 0 || o.Workers > 2 {
		o.Workers = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	return o
}

// job is one request waiting for its case to be committed.
type job struct {
	nc    routing.NewCase
	start time.Time // when the request arrived: intake latency runs until the commit
	done  chan jobResult
}

type jobResult struct {
	res routing.FileResult
	err *apiError
}

// batcher is the group-commit queue. Once a request's case is queued it is filed whatever
// happens to the request: a client that disconnects still gets its ticket stored (and its
// retry answered 200). Nothing is acknowledged before FileBatch has committed.
type batcher struct {
	filer    CaseFiler
	opt      BatchOptions
	now      func() time.Time
	log      *slog.Logger
	metrics  *metrics
	notify   func()
	queue    chan *job
	mu       sync.RWMutex // guards closed against sends on the closed queue
	closed   bool
	inflight sync.WaitGroup
	writer   chan struct{} // the one writer: held by the worker whose batch is committing
	stopped  chan struct{}
	health   *writeHealth // nil: commits are not reported to /healthz
}

func newBatcher(f CaseFiler, opt BatchOptions, now func() time.Time, log *slog.Logger, m *metrics, notify func()) *batcher {
	opt = opt.withDefaults()
	b := &batcher{filer: f, opt: opt, now: now, log: log, metrics: m, notify: notify,
		queue: make(chan *job, opt.Queue), writer: make(chan struct{}, 1), stopped: make(chan struct{})}
	b.inflight.Add(opt.Workers)
	for range opt.Workers {
		go b.run()
	}
	go func() { b.inflight.Wait(); close(b.stopped) }()
	return b
}

var (
	errBusy   = errorf(http.StatusServiceUnavailable, codeBusy, "系统繁忙，请稍后重试")
	errClosed = errorf(http.StatusServiceUnavailable, codeUnavailable, "服务正在停止，请稍后重试")
)

// submit queues nc and waits until its batch is committed (or failed). A request whose
// context has already ended is not queued; once queued, the outcome is awaited whatever
// the context does, so the answer is never sent before the commit.
func (b *batcher) submit(ctx context.Context, nc routing.NewCase, start time.Time) (routing.FileResult, *apiError) {
	if ctx.Err() != nil {
		return routing.FileResult{}, errClosed
	}
	j := &job{nc: nc, start: start, done: make(chan jobResult, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return routing.FileResult{}, errClosed
	}
	select {
	case b.queue <- j:
	default:
		b.mu.RUnlock()
		b.metrics.rejected.Inc()
		return routing.FileResult{}, errBusy
	}
	b.mu.RUnlock()
	r := <-j.done
	return r.res, r.err
}

// close stops taking cases, lets the workers drain the queue and waits for them or ctx.
func (b *batcher) close(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	select {
	case <-b.stopped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batcher) run() {
	defer b.inflight.Done()
	batch := make([]*job, 0, b.opt.MaxSize)
	ncs := make([]routing.NewCase, 0, b.opt.MaxSize)
	for {
		j, ok := <-b.queue
		if !ok {
			return
		}
		batch = b.fill(append(batch[:0], j))
		b.commitHeld(batch, ncs[:0])
		clear(batch) // let the jobs go
	}
}

// fill adds queued jobs to batch until it holds the writer: while another batch commits
// (ours would wait for it anyway), every ticket that arrives joins this batch. It returns
// holding the writer; a full batch just waits for it.
func (b *batcher) fill(batch []*job) []*job {
drain: // first whatever is queued already
	for len(batch) < b.opt.MaxSize {
		select {
		case j, ok := <-b.queue:
			if !ok {
				break drain
			}
			batch = append(batch, j)
		default:
			break drain
		}
	}
	for len(batch) < b.opt.MaxSize {
		select {
		case b.writer <- struct{}{}:
			return batch
		case j, ok := <-b.queue:
			if !ok { // closing: commit what we have
				b.writer <- struct{}{}
				return batch
			}
			batch = append(batch, j)
		}
	}
	b.writer <- struct{}{}
	return batch
}

// commitHeld commits a batch whose worker holds the writer, and hands the writer on.
func (b *batcher) commitHeld(batch []*job, ncs []routing.NewCase) {
	defer func() { <-b.writer }()
	b.commit(batch, ncs)
}

// commit files the batch in one transaction and answers every job. If the transaction
// fails, each case is retried alone, so that one bad input cannot fail the others.
func (b *batcher) commit(batch []*job, ncs []routing.NewCase) {
	for _, j := range batch {
		ncs = append(ncs, j.nc)
	}
	b.metrics.batchSize.Observe(float64(len(batch)))
	res, err := b.fileBatch(ncs)
	// A database that takes no writes fails every case alike: answer them all at once
	// instead of failing each again alone.
	if err != nil && len(batch) > 1 && !isUnwritable(err) {
		b.log.Warn("group commit failed; filing the batch one by one", "size", len(batch), "err", err)
		created := 0
		for _, j := range batch {
			one, err := b.fileBatch([]routing.NewCase{j.nc})
			if err == nil && one[0].Created {
				created++
			}
			b.answer(j, one, err)
		}
		b.notifyIf(created)
		return
	}
	created := 0
	for i, j := range batch {
		if err == nil && res[i].Created {
			created++
		}
		b.answer(j, res[i:min(i+1, len(res))], err)
	}
	b.notifyIf(created)
}

func (b *batcher) fileBatch(ncs []routing.NewCase) ([]routing.FileResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), b.opt.Timeout)
	defer cancel()
	res, err := b.filer.FileBatch(ctx, ncs)
	if err == nil && len(res) != len(ncs) {
		err = errors.New("intake: FileBatch returned a result count unlike its input")
	}
	if b.health != nil {
		b.health.observe(err)
	}
	return res, err
}

// answer sends one job its outcome: res is its one-element result, or err the batch's.
func (b *batcher) answer(j *job, res []routing.FileResult, err error) {
	var out jobResult
	switch {
	case err != nil:
		b.log.Error("filing a case failed", "channel", j.nc.Channel, "err", err)
		out.err = unwritableOr(err, errInternal)
	case res[0].Err != nil:
		out.err = routingError(res[0].Err, j.nc.Channel)
	case res[0].Case == nil:
		out.err = errInternal
	default:
		out.res = res[0]
		b.metrics.intakeSeconds.Observe(time.Since(j.start).Seconds())
		if res[0].Created {
			b.log.Debug("case filed", "case_id", res[0].Case.ID, "channel", j.nc.Channel,
				"department", res[0].Case.Department, "status", res[0].Case.Status,
				"phone", routing.MaskPhone(j.nc.Complainant.Phone))
		}
	}
	j.done <- out
}

// errRefReused answers 409 a ticket whose ticket_no (message_id) was filed before with
// other content, caller or type: nothing is stored, the platform learns it reused a number.
func errRefReused(ch routing.Channel) *apiError {
	if ch == routing.ChannelPortal {
		return errorf(http.StatusConflict, routing.ECONFLICT,
			"message_id 已用于内容、联系人或类型不同的另一条留言，本次未登记；新留言请使用新的编号")
	}
	return errorf(http.StatusConflict, routing.ECONFLICT,
		"ticket_no 已用于内容、来电人或类型不同的另一张工单，本次未登记；新工单请使用新的编号")
}

func (b *batcher) notifyIf(created int) {
	if created > 0 && b.notify != nil {
		b.notify()
	}
}

// routingError maps a routing error to an answer; for the webhooks EINVALID is the
// caller's fault, and ECONFLICT its reuse of a ticket_no/message_id for another ticket.
func routingError(err error, ch routing.Channel) *apiError {
	switch routing.ErrorCode(err) {
	case routing.EINVALID:
		return invalid(routing.ErrorMessage(err))
	case routing.ECONFLICT:
		return errRefReused(ch)
	default:
		return errInternal
	}
}
