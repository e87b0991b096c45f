package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"chengnuo/bot"
	"chengnuo/routing"
	"chengnuo/store"
)

func TestNewTelegramBotConfig(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "chengnuo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	g := &globals{}
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	log := quietLogger()

	if b, err := g.newTelegramBot(ctx, env(nil), routing.DefaultConfig(), db, nil, nil, log); b != nil || err != nil {
		t.Errorf("no token: %v, %v; want the bot off", b, err)
	}
	_, err = g.newTelegramBot(ctx, env(map[string]string{"CHENGNUO_TELEGRAM_TOKEN": "1:x",
		"CHENGNUO_TELEGRAM_API": "http://127.0.0.1:9/bot%s"}), routing.DefaultConfig(), db, nil, nil, log)
	if err == nil || !strings.Contains(err.Error(), "CHENGNUO_TELEGRAM_API") {
		t.Errorf("bad endpoint: %v", err)
	}

	// A token Telegram refuses stops serve; one it cannot check yet (5xx) does not.
	var status atomic.Int64
	status.Store(http.StatusUnauthorized)
	tg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := int(status.Load())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write([]byte(`{"ok":false,"error_code":` + strconv.Itoa(code) + `,"description":"nope"}`))
	}))
	defer tg.Close()
	vars := env(map[string]string{"CHENGNUO_TELEGRAM_TOKEN": "1:bad", "CHENGNUO_TELEGRAM_API": tg.URL + "/bot%s/%s"})
	_, err = g.newTelegramBot(ctx, vars, routing.DefaultConfig(), db, nil, nil, log)
	if err == nil || !strings.Contains(err.Error(), "refused the token") || strings.Contains(err.Error(), "1:bad") {
		t.Errorf("refused token: %v", err)
	}
	status.Store(http.StatusBadGateway)
	b, err := g.newTelegramBot(ctx, vars, routing.DefaultConfig(), db, nil, nil, log)
	if err != nil || b == nil || b.api != nil {
		t.Errorf("Telegram down: %v, %+v; want a bot that keeps trying", err, b)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// In webhook mode serve answers Telegram on the webhook_url's path (503 until the bot is
// built, so Telegram delivers again), and everything else as before.
func TestTelegramWebhookMount(t *testing.T) {
	b := &telegramBot{tg: routing.TelegramConfig{WebhookURL: "https://chengnuo.example/tg/hook", WebhookSecret: "s3cret"}}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := b.mount(api)
	do := func(path, secret string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(
			`{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5},"text":"hi"}}`))
		req.Header.Set(bot.SecretHeader, secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("/healthz", ""); rec.Code != http.StatusTeapot {
		t.Errorf("other path: %d", rec.Code)
	}
	if rec := do("/tg/hook", "s3cret"); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("before the bot is built: %d", rec.Code)
	}
	var got atomic.Int64
	wh, err := bot.NewWebhook("s3cret", bot.UpdateHandlerFunc(func(_ context.Context, u bot.Update) error {
		got.Store(int64(u.ID))
		return nil
	}), nil, bot.WebhookConfig{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	b.parts.Store(&botParts{webhook: wh})
	if rec := do("/tg/hook", "wrong"); rec.Code != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", rec.Code)
	}
	if rec := do("/tg/hook", "s3cret"); rec.Code != http.StatusOK || got.Load() != 7 {
		t.Errorf("update: %d, handled %d", rec.Code, got.Load())
	}
	rec := httptest.NewRecorder()
	(&telegramBot{}).mount(api).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/tg/hook", nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("polling mode serves a webhook path: %d", rec.Code)
	}
	var none *telegramBot
	none.Nudge() // no bot: a no-op
}
