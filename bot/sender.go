package bot

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is the sender's time source; tests inject a fake one so that limits and backoff
// are checked without waiting.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SenderConfig configures a Sender; zero values take the defaults noted.
type SenderConfig struct {
	Limits      Limits
	Clock       Clock        // default: the system clock
	Logger      *slog.Logger // default slog.Default()
	Concurrency int          // sends in flight at once, each to a different chat (default 8)
	MaxAttempts int          // failed tries before a part is given up (default 30, about 2 hours)
	// Backoff is the wait after the n-th failed try (n ≥ 1); default 1 s doubling to
	// 5 min, ±20 %.
	Backoff func(n int) time.Duration
	// IdleCheck is how often an idle sender looks at the queue anyway, for messages queued
	// again by another process (BotRequeueFailed from the CLI); default 10 s, < 0 never.
	IdleCheck time.Duration
}

// Sender is chengnuo's one outgoing queue to Telegram. Send validates, splits and stores a
// message durably (SQLite through Queue) and returns; Run delivers in order per chat within
// Telegram's limits, pauses a chat (or everything) for a 429's retry_after, retries network
// faults and 5xx answers with backoff and gives up only on a permanent refusal or after
// MaxAttempts. Messages still queued at a restart are sent after it; sent ones are not.
type Sender struct {
	api   API
	queue Queue
	cfg   SenderConfig
	log   *slog.Logger

	notify   chan struct{} // a message was queued
	inflight atomic.Int64  // sends started whose outcome Run has not yet planned with

	mu          sync.Mutex
	chats       map[int64]*chatLimit
	global      slidingWindow
	globalPause time.Time
}

// The dialogs send through the Sender.
var _ Messenger = (*Sender)(nil)

// NewSender returns a Sender over api and queue; call Run to deliver.
func NewSender(api API, queue Queue, cfg SenderConfig) *Sender {
	if cfg.Limits.PerSecond <= 0 {
		cfg.Limits.PerSecond = 30
	}
	if cfg.Limits.ChatEvery <= 0 {
		cfg.Limits.ChatEvery = time.Second
	}
	if cfg.Limits.GroupPerMinute <= 0 {
		cfg.Limits.GroupPerMinute = 20
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 30
	}
	if cfg.Backoff == nil {
		cfg.Backoff = defaultBackoff
	}
	if cfg.IdleCheck == 0 {
		cfg.IdleCheck = 10 * time.Second
	}
	return &Sender{api: api, queue: queue, cfg: cfg, log: cfg.Logger,
		notify: make(chan struct{}, 1), chats: map[int64]*chatLimit{},
		global: slidingWindow{n: cfg.Limits.PerSecond, per: time.Second}}
}

func defaultBackoff(n int) time.Duration {
	d := doubling(n, 5*time.Minute)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// doubling is the wait after the n-th consecutive failure (n ≥ 1): 1 s, doubling each time,
// at most limit. It is the backoff of the sender (with jitter), the bridge and the poller.
func doubling(n int, limit time.Duration) time.Duration {
	return min(time.Second<<min(max(n-1, 0), 20), limit)
}

// Send queues m durably and returns; Run sends it. A message whose Key was queued before
// is dropped (nil error). Text over 4,096 UTF-16 units is split at line breaks, the
// buttons going with the last part. An invalid message is an error wrapping
// ErrInvalidMessage.
func (s *Sender) Send(ctx context.Context, m Outgoing) error {
	parts, err := queuedParts(m)
	if err != nil {
		return err
	}
	fresh, err := s.queue.BotEnqueue(ctx, parts, s.cfg.Clock.Now())
	if err != nil {
		return fmt.Errorf("queue message for chat %d: %w", m.ChatID, err)
	}
	if !fresh {
		s.log.Debug("bot: duplicate message dropped", "key", m.Key, "chat", m.ChatID)
		return nil
	}
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return nil
}
