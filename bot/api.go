package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// API is the part of the Telegram Bot API chengnuo uses, in chengnuo's own types. It is
// declared here, by its user, so dialogs, the poller and the sender are testable with a
// fake; TelegramAPI is the real one.
type API interface {
	// GetUpdates long-polls for updates with update_id >= offset (0: all unconfirmed),
	// waiting up to timeoutSec seconds when there are none.
	GetUpdates(ctx context.Context, offset, timeoutSec int) ([]Update, error)
	// Send sends one message of at most 4,096 UTF-16 units (Sender splits longer text)
	// and returns its message id (0 when the server does not say, as the emulator).
	Send(ctx context.Context, m Outgoing) (messageID int, err error)
	// AnswerCallback answers a callback query (stops the button's spinner); text, if
	// any, is shown to the user as a notification.
	AnswerCallback(ctx context.Context, id, text string) error
	// EditButtons replaces a message's inline keyboard; no rows removes it.
	EditButtons(ctx context.Context, chatID int64, messageID int, rows [][]Button) error
	// EditText replaces a message's text and inline keyboard (no rows: none).
	EditText(ctx context.Context, chatID int64, messageID int, text string, rows [][]Button) error
	// SetWebhook makes Telegram push updates to url with secret in the
	// X-Telegram-Bot-Api-Secret-Token header; DeleteWebhook goes back to getUpdates.
	SetWebhook(ctx context.Context, url, secret string) error
	DeleteWebhook(ctx context.Context) error
}

// RetryAfterError is Telegram's flood control (error 429): nothing more may be sent to
// that chat (or, when the bot as a whole is over its limit, at all) for RetryAfter.
type RetryAfterError struct {
	Method     string
	RetryAfter time.Duration
	Message    string
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("telegram %s: %s (retry after %s)", e.Method, e.Message, e.RetryAfter)
}

// APIError is a refusal by Telegram other than flood control: 4xx errors are permanent
// (the same request will fail again), 5xx errors are transient.
type APIError struct {
	Method          string
	Code            int // Telegram's error_code, which mirrors the HTTP status
	Message         string
	MigrateToChatID int64 // set when a group became a supergroup with this id
}

func (e *APIError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Message)
}

// Permanent reports whether err says the same request will never succeed (a 4xx refusal
// such as a blocked bot or a missing chat), so retrying it is pointless. Network faults,
// timeouts, 5xx answers, unreadable answers and 429s are not permanent.
func Permanent(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code >= 400 && ae.Code < 500 && ae.Code != http.StatusTooManyRequests
}

// RetryAfter returns the wait Telegram asked for when err is a 429, and false otherwise.
func RetryAfter(err error) (time.Duration, bool) {
	var re *RetryAfterError
	if errors.As(err, &re) {
		return re.RetryAfter, true
	}
	return 0, false
}
