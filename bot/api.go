package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
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

// SetWebhook implements API. The library's WebhookConfig (v5.5.1) has no secret_token,
// so the call is made with MakeRequest, the layer under Request. max_connections=1 makes
// Telegram deliver one update at a time, in order, which Webhook relies on.
func (t *TelegramAPI) SetWebhook(ctx context.Context, hookURL, secret string) error {
	if _, err := url.Parse(hookURL); err != nil || hookURL == "" {
		return fmt.Errorf("telegram setWebhook: bad url %q", hookURL)
	}
	if !validSecret(secret) {
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

// validSecret: Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in secret_token.
func validSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
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

// DecodeUpdate decodes an update as the Bot API sends it (a webhook body) into ours;
// botUsername (may be "") strips "@bot" from commands addressed to this bot.
func DecodeUpdate(body []byte, botUsername string) (Update, error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(body, &u); err != nil {
		return Update{}, fmt.Errorf("decode update: %w", err)
	}
	return convertUpdate(u, botUsername), nil
}

// convertUpdate turns the library's update into ours. Kinds chengnuo does not handle
// (edited messages, channel posts, inline messages) come back with neither Message nor
// Callback set: the poller still confirms them, handlers never see them.
func convertUpdate(u tgbotapi.Update, botUsername string) Update {
	out := Update{ID: u.UpdateID}
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		out.Message = convertMessage(u.Message, botUsername)
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		cb := &Callback{ID: cq.ID, Data: cq.Data, From: convertUser(cq.From)}
		if cq.Message != nil && cq.Message.Chat != nil {
			cb.ChatID = cq.Message.Chat.ID
			cb.ChatKind = kindOfChat(cq.Message.Chat.Type)
			cb.MessageID = cq.Message.MessageID
		}
		out.Callback = cb
	}
	return out
}

func convertMessage(m *tgbotapi.Message, botUsername string) *Message {
	msg := &Message{
		ID:       m.MessageID,
		ChatID:   m.Chat.ID,
		ChatKind: kindOfChat(m.Chat.Type),
		From:     convertUser(m.From),
		Text:     m.Text,
		Date:     int64(m.Date),
	}
	if msg.Text == "" {
		msg.Text = m.Caption
	}
	msg.Text = stripMention(msg.Text, botUsername)
	if m.ReplyToMessage != nil {
		msg.ReplyToID = m.ReplyToMessage.MessageID
	}
	switch {
	case m.ForwardFrom != nil:
		msg.Forwarded = true
		msg.ForwardFrom = strings.TrimSpace(m.ForwardFrom.FirstName + " " + m.ForwardFrom.LastName)
	case m.ForwardSenderName != "":
		msg.Forwarded, msg.ForwardFrom = true, m.ForwardSenderName
	case m.ForwardFromChat != nil:
		msg.Forwarded, msg.ForwardFrom = true, m.ForwardFromChat.Title
	case m.ForwardDate != 0:
		msg.Forwarded = true
	}
	if m.Contact != nil {
		msg.Contact = &Contact{Phone: m.Contact.PhoneNumber, UserID: m.Contact.UserID}
	}
	return msg
}

// stripMention turns "/overdue@our_bot args" into "/overdue args", so that dialogs see
// group commands addressed to this bot like private ones. Commands for other bots keep
// their suffix (and so are not ours).
func stripMention(text, botUsername string) string {
	if botUsername == "" || !strings.HasPrefix(text, "/") {
		return text
	}
	cmd, rest, _ := strings.Cut(text, " ")
	name, bot, ok := strings.Cut(cmd, "@")
	if !ok || !strings.EqualFold(bot, botUsername) {
		return text
	}
	if rest == "" {
		return name
	}
	return name + " " + rest
}

func convertUser(u *tgbotapi.User) User {
	if u == nil {
		return User{}
	}
	return User{ID: u.ID, FirstName: u.FirstName, Username: u.UserName, IsBot: u.IsBot}
}

func kindOfChat(t string) ChatKind {
	switch t {
	case "private":
		return ChatPrivate
	case "group", "supergroup":
		return ChatGroup
	default:
		return ChatChannel
	}
}
