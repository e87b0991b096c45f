package bot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// UpdateHandler handles one update; *Handler (the dialogs) implements it. An error means
// the update could not be handled (the poller tries it again a few times, the webhook
// lets Telegram deliver it again).
type UpdateHandler interface {
	Handle(ctx context.Context, u Update) error
}

var _ UpdateHandler = (*Handler)(nil)

// UpdateHandlerFunc adapts a function to UpdateHandler.
type UpdateHandlerFunc func(ctx context.Context, u Update) error

// Handle calls f.
func (f UpdateHandlerFunc) Handle(ctx context.Context, u Update) error { return f(ctx, u) }

// OffsetStore keeps the update_id last handled, so that a restart neither repeats nor
// drops an update; the store implements it (bot_state). 0 means none yet.
type OffsetStore interface {
	LastUpdateID(ctx context.Context) (int, error)
	SaveUpdateID(ctx context.Context, id int) error
}

// PollerConfig configures a Poller; zero values take the defaults noted.
type PollerConfig struct {
	// Timeout is the long-poll wait asked of getUpdates (default 30 s); TelegramAPI's HTTP
	// timeout sits above it.
	Timeout time.Duration
	// IdlePause is waited after an empty answer that came back well before Timeout (a
	// server that does not long-poll, as the emulator), so the loop does not spin
	// (default 50 ms).
	IdlePause time.Duration
	// HandleTries is how often an update whose handler fails is tried before it is
	// logged and skipped, so one poisonous update cannot stop the bot (default 3).
	HandleTries int
	// HandleTimeout bounds one try of the handler (default 30 s).
	HandleTimeout time.Duration
	// Backoff is the wait after the n-th consecutive failed getUpdates (n ≥ 1); default
	// 1 s doubling to 1 min.
	Backoff func(n int) time.Duration
	Clock   Clock        // default: the system clock
	Logger  *slog.Logger // default slog.Default()
}

// Poller is chengnuo's own getUpdates loop (the library's GetUpdatesChan cannot be stopped
// cleanly): it long-polls with a context, hands each update to the handler in order, and
// saves its update_id only after the handler returned, so an update is handled once: a
// restart continues after the last saved id. Only a crash between handling an update and
// saving its id makes that one update come again.
type Poller struct {
	api     API
	offsets OffsetStore
	handler UpdateHandler
	cfg     PollerConfig
	log     *slog.Logger
}

// NewPoller returns a Poller; call Run.
func NewPoller(api API, offsets OffsetStore, h UpdateHandler, cfg PollerConfig) *Poller {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultPollTimeout
	}
	if cfg.IdlePause <= 0 {
		cfg.IdlePause = 50 * time.Millisecond
	}
	if cfg.HandleTries <= 0 {
		cfg.HandleTries = 3
	}
	if cfg.HandleTimeout <= 0 {
		cfg.HandleTimeout = 30 * time.Second
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(n int) time.Duration { return doubling(n, time.Minute) }
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Poller{api: api, offsets: offsets, handler: h, cfg: cfg, log: cfg.Logger}
}

// Run polls until ctx ends; it returns nil then. Errors of getUpdates (network faults,
// 5xx, 429, a webhook still set) are logged and retried with backoff.
func (p *Poller) Run(ctx context.Context) error {
	var last int
	for failures := 0; ; {
		var err error
		if last, err = p.offsets.LastUpdateID(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		failures++
		p.log.Error("bot: read last update id", "err", err)
		if !p.sleep(ctx, p.cfg.Backoff(failures)) {
			return nil
		}
	}
	p.log.Info("bot: polling for updates", "after_update_id", last)
	timeoutSec := max(int(p.cfg.Timeout/time.Second), 1)
	failures := 0
	for ctx.Err() == nil {
		offset := 0
		if last > 0 {
			offset = last + 1
		}
		started := p.cfg.Clock.Now()
		updates, err := p.api.GetUpdates(ctx, offset, timeoutSec)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			wait := p.cfg.Backoff(failures)
			if ra, ok := RetryAfter(err); ok {
				wait = max(wait, ra)
			}
			var ae *APIError
			if errors.As(err, &ae) && ae.Code == http.StatusConflict {
				p.log.Error("bot: getUpdates refused: a webhook is set or another instance polls with this token",
					"err", err, "retry_in", wait)
			} else {
				p.log.Warn("bot: getUpdates failed", "err", err, "failures", failures, "retry_in", wait)
			}
			if !p.sleep(ctx, wait) {
				return nil
			}
			continue
		}
		failures = 0
		for _, u := range updates {
			if !p.handle(ctx, u) {
				return nil
			}
			last = u.ID
			if err := p.offsets.SaveUpdateID(context.WithoutCancel(ctx), u.ID); err != nil {
				// The id stays known in memory; the next save covers it.
				p.log.Error("bot: save last update id", "update_id", u.ID, "err", err)
			}
		}
		if len(updates) == 0 && p.cfg.Clock.Now().Sub(started) < p.cfg.Timeout/2 {
			if !p.sleep(ctx, p.cfg.IdlePause) {
				return nil
			}
		}
	}
	return nil
}

// handle hands u to the handler, trying again on error. The handler runs on a context
// that outlives a shutdown (bounded by HandleTimeout), so an update being handled is
// finished and confirmed rather than half done. handle reports false when ctx ended before
// the update was handled: it is then not confirmed and comes again after the restart.
func (p *Poller) handle(ctx context.Context, u Update) bool {
	if u.Message == nil && u.Callback == nil {
		return true // a kind chengnuo does not handle: confirm it and go on
	}
	for try := 1; ; try++ {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.HandleTimeout)
		err := p.handler.Handle(hctx, u)
		cancel()
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if try >= p.cfg.HandleTries {
			p.log.Error("bot: update skipped after failed tries", "update_id", u.ID, "tries", try, "err", err)
			return true
		}
		p.log.Warn("bot: handle update failed, trying again", "update_id", u.ID, "try", try, "err", err)
		if !p.sleep(ctx, p.cfg.Backoff(try)) {
			return false
		}
	}
}

// sleep waits d or until ctx ends; it reports false when ctx ended.
func (p *Poller) sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-p.cfg.Clock.After(d):
		return true
	}
}
