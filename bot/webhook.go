package bot

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"chengnuo/routing"
)

// SecretHeader is the header in which Telegram repeats setWebhook's secret_token.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBody bounds a webhook body; Telegram's updates are a few kilobytes.
const maxUpdateBody = 1 << 20

// WebhookConfig configures a Webhook; zero values take the defaults noted.
type WebhookConfig struct {
	BotUsername   string        // strips "@bot" from commands addressed to this bot
	HandleTries   int           // deliveries of one update that fail before it is skipped (default 3)
	HandleTimeout time.Duration // bounds one handling (default 30 s)
	Logger        *slog.Logger  // default slog.Default()
}

// Webhook is the http.Handler Telegram pushes updates to after SetWebhook (webhook mode,
// the alternative to Poller). It checks the secret token in constant time (401 when it
// does not match), decodes the update and hands it to the same handler as the poller.
// SetWebhook asks for max_connections=1, so updates come one at a time and in order; one
// Telegram delivers again (because our 200 did not reach it) is recognised and not handled
// twice. A handler error answers 500, so Telegram delivers the update again, up to
// HandleTries times; then it is skipped, so one poisonous update cannot stop the bot.
type Webhook struct {
	secret  string
	sum     [sha256.Size]byte
	handler UpdateHandler
	offsets OffsetStore // may be nil
	cfg     WebhookConfig
	log     *slog.Logger

	mu       sync.Mutex
	loaded   bool
	handled  map[int]bool // recently handled update ids
	order    []int        // handled ids, oldest first, to forget the old ones
	failures map[int]int
}

// recentUpdates is how many handled update ids a Webhook remembers to spot repeats.
const recentUpdates = 1024

// NewWebhook returns the handler for webhook mode; offsets (may be nil) records the last
// handled update id, as in polling mode. The secret must be what SetWebhook was given:
// 1-256 characters of A-Z, a-z, 0-9, _ and -.
func NewWebhook(secret string, h UpdateHandler, offsets OffsetStore, cfg WebhookConfig) (*Webhook, error) {
	if !routing.ValidTelegramSecret(secret) {
		return nil, errors.New("webhook: secret must be 1-256 characters of A-Z a-z 0-9 _ -")
	}
	if cfg.HandleTries <= 0 {
		cfg.HandleTries = 3
	}
	if cfg.HandleTimeout <= 0 {
		cfg.HandleTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Webhook{secret: secret, sum: sha256.Sum256([]byte(secret)), handler: h, offsets: offsets,
		cfg: cfg, log: cfg.Logger, handled: map[int]bool{}, failures: map[int]int{}}, nil
}

// Register tells Telegram to push updates to url with this webhook's secret.
func (w *Webhook) Register(ctx context.Context, api API, url string) error {
	return api.SetWebhook(ctx, url, w.secret)
}

// ServeHTTP implements http.Handler.
func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		rw.Header().Set("Allow", http.MethodPost)
		http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Comparing digests keeps the comparison constant-time whatever the lengths.
	got := sha256.Sum256([]byte(r.Header.Get(SecretHeader)))
	if subtle.ConstantTimeCompare(got[:], w.sum[:]) != 1 {
		w.log.Warn("bot: webhook call with a wrong secret token", "remote", r.RemoteAddr)
		http.Error(rw, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxUpdateBody))
	if err != nil {
		http.Error(rw, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	u, err := DecodeUpdate(body, w.cfg.BotUsername)
	if err != nil {
		http.Error(rw, "bad update", http.StatusBadRequest)
		return
	}
	if err := w.handle(r.Context(), u); err != nil {
		http.Error(rw, "update not handled", http.StatusInternalServerError)
		return
	}
	rw.WriteHeader(http.StatusOK)
}

// handle hands u to the handler once: updates are handled one at a time, and one already
// handled (a repeat delivery) is acknowledged without handling it again.
func (w *Webhook) handle(ctx context.Context, u Update) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.load(ctx)
	if w.handled[u.ID] {
		return nil
	}
	if u.Message != nil || u.Callback != nil {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.HandleTimeout)
		err := w.handler.Handle(hctx, u)
		cancel()
		if err != nil {
			w.failures[u.ID]++
			if n := w.failures[u.ID]; n < w.cfg.HandleTries {
				w.log.Warn("bot: handle update failed; Telegram will deliver it again", "update_id", u.ID, "try", n, "err", err)
				return err
			}
			w.log.Error("bot: update skipped after failed tries", "update_id", u.ID, "tries", w.cfg.HandleTries, "err", err)
		}
	}
	delete(w.failures, u.ID)
	w.remember(u.ID)
	if w.offsets != nil {
		if err := w.offsets.SaveUpdateID(context.WithoutCancel(ctx), u.ID); err != nil {
			w.log.Error("bot: save last update id", "update_id", u.ID, "err", err)
		}
	}
	return nil
}

// load remembers the stored last update id once, so that a repeat of the update handled
// just before a restart is recognised too.
func (w *Webhook) load(ctx context.Context) {
	if w.loaded || w.offsets == nil {
		return
	}
	last, err := w.offsets.LastUpdateID(ctx)
	if err != nil {
		w.log.Error("bot: read last update id", "err", err)
		return
	}
	w.loaded = true
	if last > 0 {
		w.remember(last)
	}
}

func (w *Webhook) remember(id int) {
	if w.handled[id] {
		return
	}
	w.handled[id] = true
	w.order = append(w.order, id)
	if len(w.order) > recentUpdates {
		delete(w.handled, w.order[0])
		w.order = w.order[1:]
	}
}
