package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// GetUpdates implements API. The wait is capped at the configured poll timeout so the
// request always ends before the HTTP client gives up on it.
func (t *TelegramAPI) GetUpdates(ctx context.Context, offset, timeoutSec int) ([]Update, error) {
	maxSec := int(t.pollTimeout / time.Second)
	timeoutSec = max(0, min(timeoutSec, maxSec))
	ctx, cancel := context.WithTimeout(ctx, time.Duration(timeoutSec)*time.Second+pollGrace)
	defer cancel()
	cfg := tgbotapi.UpdateConfig{Offset: offset, Timeout: timeoutSec, AllowedUpdates: allowedUpdates}
	resp, err := t.with(ctx).Request(cfg)
	if err != nil {
		return nil, t.wrap("getUpdates", err)
	}
	var raw []tgbotapi.Update
	if err := json.Unmarshal(resp.Result, &raw); err != nil {
		return nil, fmt.Errorf("telegram getUpdates: decode result: %w", err)
	}
	out := make([]Update, 0, len(raw))
	for _, u := range raw {
		out = append(out, convertUpdate(u, t.me.Username))
	}
	return out, nil
}

// Send implements API. Once Telegram has said ok the message is sent: an unreadable
// result only costs the message id, never a second copy.
func (t *TelegramAPI) Send(ctx context.Context, m Outgoing) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, t.requestTimeout)
	defer cancel()
	msg := tgbotapi.NewMessage(m.ChatID, m.Text)
	msg.DisableWebPagePreview = true
	if m.ReplyToID != 0 {
		msg.ReplyToMessageID = m.ReplyToID
		msg.AllowSendingWithoutReply = true // the resident may have deleted the message
	}
	switch {
	case len(m.Buttons) > 0:
		msg.ReplyMarkup = inlineKeyboard(m.Buttons)
	case m.ContactButton != "":
		kb := tgbotapi.NewReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(m.ContactButton)))
		kb.OneTimeKeyboard, kb.ResizeKeyboard = true, true
		msg.ReplyMarkup = kb
	case m.RemoveKeyboard:
		msg.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
	}
	resp, err := t.with(ctx).Request(msg)
	if err != nil {
		return 0, t.wrap("sendMessage", err)
	}
	var sent struct {
		MessageID int `json:"message_id"`
	}
	_ = json.Unmarshal(resp.Result, &sent) // "null" from the emulator: id 0
	return sent.MessageID, nil
}

// AnswerCallback implements API (answerCallbackQuery returns true: Request, not Send).
func (t *TelegramAPI) AnswerCallback(ctx context.Context, id, text string) error {
	ctx, cancel := context.WithTimeout(ctx, t.requestTimeout)
	defer cancel()
	_, err := t.with(ctx).Request(tgbotapi.NewCallback(id, text))
	return t.wrap("answerCallbackQuery", err)
}

// EditButtons implements API. "message is not modified" counts as success: the
// keyboard already is what was asked for.
func (t *TelegramAPI) EditButtons(ctx context.Context, chatID int64, messageID int, rows [][]Button) error {
	ctx, cancel := context.WithTimeout(ctx, t.requestTimeout)
	defer cancel()
	_, err := t.with(ctx).Request(tgbotapi.NewEditMessageReplyMarkup(chatID, messageID, inlineKeyboard(rows)))
	return notModifiedOK(t.wrap("editMessageReplyMarkup", err))
}

// EditText implements API.
func (t *TelegramAPI) EditText(ctx context.Context, chatID int64, messageID int, text string, rows [][]Button) error {
	ctx, cancel := context.WithTimeout(ctx, t.requestTimeout)
	defer cancel()
	edit := tgbotapi.NewEditMessageText(chatID, messageID, text)
	edit.DisableWebPagePreview = true
	kb := inlineKeyboard(rows)
	edit.ReplyMarkup = &kb
	_, err := t.with(ctx).Request(edit)
	return notModifiedOK(t.wrap("editMessageText", err))
}

// inlineKeyboard converts button rows; no rows give an empty keyboard (which removes one).
func inlineKeyboard(rows [][]Button) tgbotapi.InlineKeyboardMarkup {
	kb := tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
	for _, row := range rows {
		r := make([]tgbotapi.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, r)
	}
	return kb
}

func notModifiedOK(err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == http.StatusBadRequest && strings.Contains(ae.Message, "message is not modified") {
		return nil
	}
	return err
}
