package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Default timeouts of TelegramAPI.
const (
	DefaultPollTimeout    = 30 * time.Second // long-poll wait of getUpdates
	DefaultRequestTimeout = 15 * time.Second // any other call
	// pollGrace is how much longer than the long-poll wait a getUpdates request may take
	// before it counts as stalled: the HTTP client timeout sits this far above the poll.
	pollGrace = 10 * time.Second
)

// allowedUpdates are the update kinds chengnuo handles; Telegram keeps the others back.
var allowedUpdates = []string{"message", "callback_query"}

// TelegramConfig configures TelegramAPI.
type TelegramConfig struct {
	Token string
	// Endpoint is the Bot API URL format with the token and method as %s, e.g.
	// "http://127.0.0.1:9000/bot%s/%s" (env CHENGNUO_TELEGRAM_API); empty: api.telegram.org.
	Endpoint string
	// PollTimeout is the longest long-poll wait GetUpdates asks for (default 30 s).
	PollTimeout time.Duration
	// RequestTimeout bounds every other call (default 15 s).
	RequestTimeout time.Duration
	// Client is the HTTP client; nil: one whose timeout is PollTimeout + 10 s. A given
	// client's Timeout, when set, must exceed PollTimeout.
	Client *http.Client
}

// TelegramAPI is API over github.com/go-telegram-bot-api/telegram-bot-api/v5. The
// library's types stop here: every method converts to and from the types of types.go.
// The library takes no context, so each call runs on a shallow copy of the BotAPI whose
// HTTP client attaches the call's context to the request.
type TelegramAPI struct {
	bot            *tgbotapi.BotAPI
	client         *http.Client
	token          string
	me             User
	pollTimeout    time.Duration
	requestTimeout time.Duration
}

var _ API = (*TelegramAPI)(nil)

// NewTelegramAPI checks the token with getMe and returns the ready API.
func NewTelegramAPI(ctx context.Context, cfg TelegramConfig) (*TelegramAPI, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = tgbotapi.APIEndpoint
	}
	if strings.Count(cfg.Endpoint, "%s") != 2 {
		return nil, fmt.Errorf("telegram: endpoint %q: want a format with two %%s (token, method)", cfg.Endpoint)
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.PollTimeout + pollGrace}
	}
	if cfg.Client.Timeout != 0 && cfg.Client.Timeout <= cfg.PollTimeout {
		return nil, fmt.Errorf("telegram: HTTP client timeout %s must exceed the long-poll timeout %s",
			cfg.Client.Timeout, cfg.PollTimeout)
	}
	t := &TelegramAPI{client: cfg.Client, token: cfg.Token, pollTimeout: cfg.PollTimeout,
		requestTimeout: cfg.RequestTimeout}

	ctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
	defer cancel()
	bot, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.Endpoint, ctxClient{ctx: ctx, c: cfg.Client})
	if err != nil {
		return nil, t.wrap("getMe", err)
	}
	bot.Client = cfg.Client
	t.bot = bot
	t.me = User{ID: bot.Self.ID, FirstName: bot.Self.FirstName, Username: bot.Self.UserName, IsBot: true}
	return t, nil
}

// Me is the bot's own account (from getMe).
func (t *TelegramAPI) Me() User { return t.me }

// ctxClient attaches a call's context to the library's requests, which it builds without one.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (d ctxClient) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r.WithContext(d.ctx)) }

// with returns a copy of the library's BotAPI whose requests carry ctx.
func (t *TelegramAPI) with(ctx context.Context) *tgbotapi.BotAPI {
	b := *t.bot
	b.Client = ctxClient{ctx: ctx, c: t.client}
	return &b
}

// wrap converts the library's errors to ours and keeps the bot token out of them: the
// net/http errors quote the request URL, which contains the token.
func (t *TelegramAPI) wrap(method string, err error) error {
	if err == nil {
		return nil
	}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return convertAPIError(method, *te)
	}
	var tv tgbotapi.Error
	if errors.As(err, &tv) {
		return convertAPIError(method, tv)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: strings.ReplaceAll(ue.URL, t.token, "<token>"), Err: ue.Err}
	}
	return fmt.Errorf("telegram %s: %w", method, err)
}

func convertAPIError(method string, e tgbotapi.Error) error {
	if e.Code == http.StatusTooManyRequests {
		wait := time.Duration(e.RetryAfter) * time.Second
		if wait <= 0 {
			wait = time.Second
		}
		return &RetryAfterError{Method: method, RetryAfter: wait, Message: e.Message}
	}
	return &APIError{Method: method, Code: e.Code, Message: e.Message, MigrateToChatID: e.MigrateToChatID}
}
