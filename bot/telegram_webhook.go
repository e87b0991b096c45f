package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"chengnuo/routing"
)

// SetWebhook implements API. The library's WebhookConfig (v5.5.1) has no secret_token,
// so the call is made with MakeRequest, the layer under Request. max_connections=1 makes
// Telegram deliver one update at a time, in order, which Webhook relies on.
func (t *TelegramAPI) SetWebhook(ctx context.Context, hookURL, secret string) error {
	if _, err := url.Parse(hookURL); err != nil || hookURL == "" {
		return fmt.Errorf("telegram setWebhook: bad url %q", hookURL)
	}
	if !routing.ValidTelegramSecret(secret) {
		return errors.New("telegram setWebhook: secret must be 1-256 characters of A-Z a-z 0-9 _ -")
	}
	ctx, cancel := context.WithTimeout(ctx, t.requestTimeout)
	defer cancel()
	allowed, _ := json.Marshal(allowedUpdates)
	_, err := t.with(ctx).MakeRequest("setWebhook", tgbotapi.Params{
		"url": hookURL, "secret_token": secret, "max_connections": "1",
		"allowed_updates": string(allowed),
	})
	return t.wrap("setWebhook", err)
}

// DeleteWebhook implements API; pending updates are kept for getUpdates.
func (t *TelegramAPI) DeleteWebhook(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, t.requestTimeout)
	defer cancel()
	_, err := t.with(ctx).Request(tgbotapi.DeleteWebhookConfig{})
	return t.wrap("deleteWebhook", err)
}
