package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"chengnuo/bot"
	"chengnuo/routing"
	"chengnuo/store"
)

// telegramBot is the Telegram bot as serve runs it: the transport, the outgoing queue, the
// dialogs, the outbox bridge and the source of updates (a poller, or a webhook served on
// serve's HTTP server). Its parts are built once Telegram has answered getMe.
type telegramBot struct {
	cfg     bot.TelegramConfig
	tg      routing.TelegramConfig
	deploy  *routing.Config
	db      *store.DB
	cases   bot.Cases
	answers bot.Answerer
	dir     *routing.Directory
	items   map[string]string // item id → certificate, for department cards
	nudge   func()            // wakes the delivery worker after an update changed cases
	log     *slog.Logger

	api   *bot.TelegramAPI         // set when the first getMe succeeded
	parts atomic.Pointer[botParts] // nil until built
}

type botParts struct {
	bridge  *bot.Bridge
	webhook *bot.Webhook // webhook mode only
}

// newTelegramBot wires the bot when CHENGNUO_TELEGRAM_TOKEN is set, nil without it (bot
// off). It asks Telegram for the bot once: a refused token or a bad CHENGNUO_TELEGRAM_API
// stops serve at once; an unreachable Telegram only delays the bot (run keeps trying).
func (g *globals) newTelegramBot(ctx context.Context, getenv func(string) string, deploy *routing.Config,
	db *store.DB, cases bot.Cases, nudge func(), log *slog.Logger) (*telegramBot, error) {
	token := getenv("CHENGNUO_TELEGRAM_TOKEN")
	if token == "" {
		return nil, nil
	}
	endpoint := getenv("CHENGNUO_TELEGRAM_API")
	if endpoint != "" && strings.Count(endpoint, "%s") != 2 {
		return nil, fmt.Errorf("CHENGNUO_TELEGRAM_API %q: want a URL format with two %%s (token, method), "+
			"e.g. http://127.0.0.1:9000/bot%%s/%%s", endpoint)
	}
	answers, err := g.answerer(ctx, db)
	if err != nil {
		return nil, err
	}
	list, err := db.ActiveList(ctx)
	if err != nil {
		return nil, err
	}
	items := make(map[string]string, len(list.Items))
	for _, it := range list.Items {
		items[it.ID] = it.Certificate
	}
	b := &telegramBot{cfg: bot.TelegramConfig{Token: token, Endpoint: endpoint}, tg: deploy.Telegram,
		deploy: deploy, db: db, cases: cases, answers: answers, dir: routing.BuiltinDirectory(),
		items: items, nudge: nudge, log: log}
	// The first try is short: an unreachable Telegram must not hold up serve's HTTP API.
	first, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	api, err := bot.NewTelegramAPI(first, b.cfg)
	switch {
	case err == nil:
		b.api = api
	case bot.Permanent(err):
		return nil, fmt.Errorf("telegram bot: Telegram refused the token (CHENGNUO_TELEGRAM_TOKEN): %w", err)
	default:
		log.Warn("telegram bot: Telegram not reachable yet, will keep trying", "err", err)
	}
	return b, nil
}

// Nudge tells the bot that the outbox has new rows (nil-safe: no bot, no-op).
func (b *telegramBot) Nudge() {
	if b == nil {
		return
	}
	if p := b.parts.Load(); p != nil {
		p.bridge.Nudge()
	}
}

// webhookMode reports whether Telegram pushes updates ([telegram] webhook_url) rather than
// the bot polling for them.
func (b *telegramBot) webhookMode() bool { return b.tg.WebhookURL != "" }

// mount serves the webhook path of [telegram] webhook_url beside next (serve's HTTP API).
func (b *telegramBot) mount(next http.Handler) http.Handler {
	if b == nil || !b.webhookMode() {
		return next
	}
	u, _ := url.Parse(b.tg.WebhookURL) // checked by the config
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != u.Path {
			next.ServeHTTP(w, r)
			return
		}
		p := b.parts.Load()
		if p == nil || p.webhook == nil {
			w.Header().Set("Retry-After", "5")
			http.Error(w, "bot starting", http.StatusServiceUnavailable) // Telegram delivers it again
			return
		}
		p.webhook.ServeHTTP(w, r)
	})
}

// run runs the bot until ctx ends and every part has stopped: the sender has recorded its
// sends in flight, the poller has finished the update in hand.
func (b *telegramBot) run(ctx context.Context) {
	if b.api == nil && !b.connect(ctx) {
		return
	}
	api := b.api
	sender := bot.NewSender(api, b.db, bot.SenderConfig{Logger: b.log})
	operators := map[int64]bool{}
	for _, id := range b.tg.Operators {
		operators[id] = true
	}
	h := bot.NewHandler(sender, b.db, b.cases, b.answers, bot.Options{
		Departments: bot.DepartmentChats(b.deploy), Operators: operators,
		DeptName: b.dir.Name, ItemName: func(id string) string { return b.items[id] },
		BotUsername: api.Me().Username, Logger: b.log})
	bridge := bot.NewBridge(b.db, h, bot.BridgeConfig{Logger: b.log})
	// After an update the outbox may hold new rows (a case filed, accepted, answered): the
	// bridge and the delivery worker look at once instead of at their next tick.
	updates := bot.UpdateHandlerFunc(func(ctx context.Context, u bot.Update) error {
		err := h.Handle(ctx, u)
		bridge.Nudge()
		if b.nudge != nil {
			b.nudge()
		}
		return err
	})
	parts := &botParts{bridge: bridge}

	var wg sync.WaitGroup
	start := func(f func(context.Context) error) {
		wg.Add(1)
		go func() { defer wg.Done(); _ = f(ctx) }()
	}
	start(sender.Run)
	start(bridge.Run)
	mode := "polling"
	if b.webhookMode() {
		mode = "webhook"
		wh, err := bot.NewWebhook(b.tg.WebhookSecret, updates, b.db,
			bot.WebhookConfig{BotUsername: api.Me().Username, Logger: b.log})
		if err != nil { // the config checked the secret
			b.log.Error("telegram bot: webhook", "err", err)
		} else {
			parts.webhook = wh
			start(func(ctx context.Context) error { b.register(ctx, api, wh); return nil })
		}
	} else {
		// A webhook left from an earlier webhook deployment would refuse getUpdates (409).
		if err := api.DeleteWebhook(ctx); err != nil {
			b.log.Warn("telegram bot: deleteWebhook", "err", err)
		}
		start(bot.NewPoller(api, b.db, updates, bot.PollerConfig{Logger: b.log}).Run)
	}
	b.parts.Store(parts)
	b.log.Info("telegram bot on", "bot", api.Me().Username, "mode", mode,
		"department_groups", len(bot.DepartmentChats(b.deploy)), "operators", len(operators))
	wg.Wait()
	b.log.Info("telegram bot stopped")
}

// connect asks Telegram for the bot until it answers (true) or refuses the token or ctx
// ends (false).
func (b *telegramBot) connect(ctx context.Context) bool {
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(min(time.Second<<min(n-1, 6), time.Minute)):
		}
		api, err := bot.NewTelegramAPI(ctx, b.cfg)
		if err == nil {
			b.api = api
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if bot.Permanent(err) {
			b.log.Error("telegram bot off: Telegram refused the token", "err", err)
			return false
		}
		b.log.Warn("telegram bot: Telegram not reachable", "err", err, "tries", n)
	}
}

// register sets the webhook, trying again until Telegram accepts it or ctx ends.
func (b *telegramBot) register(ctx context.Context, api bot.API, wh *bot.Webhook) {
	for n := 1; ; n++ {
		err := wh.Register(ctx, api, b.tg.WebhookURL)
		if err == nil {
			b.log.Info("telegram bot: webhook set", "url", b.tg.WebhookURL)
			return
		}
		if ctx.Err() != nil || errors.Is(err, context.Canceled) {
			return
		}
		wait := min(time.Second<<min(n-1, 6), time.Minute)
		if ra, ok := bot.RetryAfter(err); ok {
			wait = max(wait, ra)
		}
		b.log.Error("telegram bot: setWebhook failed", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
