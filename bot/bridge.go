package bot

import (
	"context"
	"log/slog"
	"time"

	"chengnuo/routing"
)

// OutboxFeed is the case outbox as the bridge reads it; the store implements it.
type OutboxFeed interface {
	// BotOutboxCursor returns the id of the last outbox row the bridge has passed (on
	// first use the store chooses where the feed starts).
	BotOutboxCursor(ctx context.Context) (int64, error)
	// BotOutboxAfter returns up to limit rows with an id above after, in id order, in
	// any status: the delivery worker may have delivered or skipped a department's row
	// that the bot shows in the department's group all the same.
	BotOutboxAfter(ctx context.Context, after int64, limit int) ([]routing.OutboxMessage, error)
	// BotOutboxAdvance saves the cursor and marks the pending rows among delivered as
	// delivered, in one transaction.
	BotOutboxAdvance(ctx context.Context, cursor int64, delivered []int64) error
}

// Notifier shows outbox messages in Telegram; *Handler implements it.
type Notifier interface {
	Delivers(target string) bool
	Notify(ctx context.Context, m routing.OutboxMessage) error
}

var _ Notifier = (*Handler)(nil)

// BridgeConfig configures a Bridge; zero values take the defaults noted.
type BridgeConfig struct {
	Interval time.Duration // how often the outbox is read without a nudge (default 200 ms)
	Batch    int           // rows read at once (default 100)
	// NotifyTries is how often a row whose Notify fails is tried before it is logged and
	// passed over, so that one bad row cannot hold up every later notification (default 5).
	NotifyTries int
	// Backoff is the wait after the n-th consecutive failure (n ≥ 1); default 1 s doubling
	// to 30 s.
	Backoff func(n int) time.Duration
	Clock   Clock        // default: the system clock
	Logger  *slog.Logger // default slog.Default()
}

// Bridge carries case events from the outbox to Telegram: it reads the outbox in id order
// after its cursor, hands the rows the notifier delivers (residents who filed in the bot,
// departments bound to a group) to Notify, then saves the cursor and marks the "telegram"
// rows delivered. Notify queues with the event id as key, so a crash between notifying
// and saving the cursor notifies again without a second message.
type Bridge struct {
	feed  OutboxFeed
	n     Notifier
	cfg   BridgeConfig
	log   *slog.Logger
	nudge chan struct{}

	cursor   int64
	failing  int64 // the row that failed last, and how often in a row
	failures int
}

// NewBridge returns a Bridge; call Run.
func NewBridge(feed OutboxFeed, n Notifier, cfg BridgeConfig) *Bridge {
	if cfg.Interval <= 0 {
		cfg.Interval = 200 * time.Millisecond
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 100
	}
	if cfg.NotifyTries <= 0 {
		cfg.NotifyTries = 5
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(n int) time.Duration { return doubling(n, 30*time.Second) }
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Bridge{feed: feed, n: n, cfg: cfg, log: cfg.Logger, nudge: make(chan struct{}, 1)}
}

// Nudge asks a running bridge to read the outbox now (after new events were written).
func (b *Bridge) Nudge() {
	select {
	case b.nudge <- struct{}{}:
	default:
	}
}

// Run carries events until ctx ends; it returns nil then.
func (b *Bridge) Run(ctx context.Context) error {
	for failures := 0; ; {
		var err error
		if b.cursor, err = b.feed.BotOutboxCursor(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		failures++
		b.log.Error("bot: read outbox cursor", "err", err)
		if !b.sleep(ctx, b.cfg.Backoff(failures), false) {
			return nil
		}
	}
	b.log.Info("bot: notifications follow the outbox", "after_id", b.cursor)
	for failures := 0; ; {
		more, err := b.pass(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := b.cfg.Interval
		if err != nil {
			failures++
			wait = b.cfg.Backoff(failures)
			b.log.Warn("bot: notifications held up", "after_id", b.cursor, "err", err, "retry_in", wait)
		} else if failures = 0; more {
			continue
		}
		if !b.sleep(ctx, wait, err == nil) {
			return nil
		}
	}
}

// pass reads one batch and notifies it; more says a full batch was read. It stops at a
// row whose Notify failed fewer than NotifyTries times, keeping the progress before it.
func (b *Bridge) pass(ctx context.Context) (more bool, err error) {
	rows, err := b.feed.BotOutboxAfter(ctx, b.cursor, b.cfg.Batch)
	if err != nil || len(rows) == 0 {
		return false, err
	}
	last := b.cursor
	var delivered []int64
	var notifyErr error
	for _, m := range rows {
		ok := true
		if b.n.Delivers(m.Target) {
			if ok, notifyErr = b.notify(ctx, m); notifyErr != nil {
				break
			}
		}
		if ok && m.Target == TargetTelegram && m.Status == routing.OutboxPending {
			delivered = append(delivered, m.ID)
		}
		last = m.ID
	}
	if last != b.cursor {
		if err := b.feed.BotOutboxAdvance(ctx, last, delivered); err != nil {
			return false, err // the rows are notified again: their keys keep them single
		}
		b.cursor = last
	}
	return notifyErr == nil && len(rows) == b.cfg.Batch, notifyErr
}

// notify notifies m; an error means "stop here and try m again later". After NotifyTries
// failures of the same row it is passed over: ok is false and the row stays pending, for
// the delivery metrics and the deliveries command to show.
func (b *Bridge) notify(ctx context.Context, m routing.OutboxMessage) (ok bool, err error) {
	err = b.n.Notify(ctx, m)
	if err == nil || ctx.Err() != nil {
		b.failing, b.failures = 0, 0
		return err == nil, err
	}
	if b.failing != m.ID {
		b.failing, b.failures = m.ID, 0
	}
	b.failures++
	if b.failures < b.cfg.NotifyTries {
		return false, err
	}
	b.log.Error("bot: notification given up", "event_id", m.EventID, "target", m.Target, "tries", b.failures, "err", err)
	b.failing, b.failures = 0, 0
	return false, nil
}

// sleep waits d, or less when nudged and nudgeable (a backoff is not cut short); it
// reports false when ctx ended.
func (b *Bridge) sleep(ctx context.Context, d time.Duration, nudgeable bool) bool {
	nudge := b.nudge
	if !nudgeable {
		nudge = nil
	}
	select {
	case <-ctx.Done():
		return false
	case <-nudge:
		return true
	case <-b.cfg.Clock.After(d):
		return true
	}
}
