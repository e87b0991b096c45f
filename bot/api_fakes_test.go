package bot

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tgFake is a fake Telegram Bot API speaking the real JSON (getMe, getUpdates, sendMessage,
// answerCallbackQuery, editMessageReplyMarkup, editMessageText, setWebhook, deleteWebhook).
// Fault, when set, may take over any call: a 429, a 500, a slow answer; setDown makes the
// client's connections fail (connection refused) until it is cleared.
type tgFake struct {
	t     *testing.T
	srv   *httptest.Server
	token string
	now   func() time.Time // stamps sent messages; the tests' clock

	// Fault is asked first; a non-nil reply is answered instead of the normal one.
	Fault func(method string, form url.Values) *tgReply
	// down refuses connections while set (setDown); refused counts the refusals.
	down       atomic.Bool
	refused    atomic.Int32
	transports []*http.Transport

	mu        sync.Mutex
	msgID     int
	sent      []tgSent
	calls     []tgCall
	updates   []string // raw update JSON, in update_id order
	updateIDs []int
	offsets   []int // the offset of every getUpdates
	arrived   chan struct{}
	closed    string // an address nothing listens on
}

// tgReply is an injected answer.
type tgReply struct {
	Status int
	Body   string
	Delay  time.Duration // answered after this (or when the client gives up)
}

// tgSent is a message the fake accepted.
type tgSent struct {
	ID      int
	Chat    int64
	Text    string
	Markup  string
	ReplyTo int
	At      time.Time
}

type tgCall struct {
	Method string
	Form   url.Values
	At     time.Time
}

const tgToken = "123456:TEST-token_secret"

func newTGFake(t *testing.T, now func() time.Time) *tgFake {
	t.Helper()
	if now == nil {
		now = time.Now
	}
	f := &tgFake{t: t, token: tgToken, now: now, msgID: 100, arrived: make(chan struct{}, 1)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.closed = l.Addr().String()
	l.Close()
	return f
}

// client is an HTTP client to the fake whose connections are refused while f.Down is set.
func (f *tgFake) client(timeout time.Duration) *http.Client {
	d := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if f.down.Load() {
			f.refused.Add(1)
			return d.DialContext(ctx, network, f.closed) // a real ECONNREFUSED
		}
		return d.DialContext(ctx, network, addr)
	}}
	f.t.Cleanup(tr.CloseIdleConnections)
	f.mu.Lock()
	f.transports = append(f.transports, tr)
	f.mu.Unlock()
	return &http.Client{Timeout: timeout, Transport: tr}
}

// setDown makes the network fail (connection refused) or recover; kept-alive connections
// are closed, so the next request dials.
func (f *tgFake) setDown(down bool) {
	f.down.Store(down)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tr := range f.transports {
		tr.CloseIdleConnections()
	}
}

// api returns a TelegramAPI talking to the fake.
func (f *tgFake) api(cfg TelegramConfig) *TelegramAPI {
	f.t.Helper()
	cfg.Token = f.token
	cfg.Endpoint = f.srv.URL + "/bot%s/%s"
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = time.Second
	}
	if cfg.Client == nil {
		cfg.Client = f.client(cfg.PollTimeout + 2*time.Second)
	}
	api, err := NewTelegramAPI(context.Background(), cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return api
}

// push queues a raw update for getUpdates.
func (f *tgFake) push(id int, kind, body string) {
	f.mu.Lock()
	f.updates = append(f.updates, fmt.Sprintf(`{"update_id":%d,%q:%s}`, id, kind, body))
	f.updateIDs = append(f.updateIDs, id)
	f.mu.Unlock()
	select {
	case f.arrived <- struct{}{}:
	default:
	}
}

func (f *tgFake) pushText(id int, chat int64, text string) {
	kind := "private"
	if chat < 0 {
		kind = "group"
	}
	f.push(id, "message", fmt.Sprintf(`{"message_id":%d,"date":1764000000,"text":%q,
		"from":{"id":7,"first_name":"张三"},"chat":{"id":%d,"type":%q}}`, id+1000, text, chat, kind))
}

func (f *tgFake) messages() []tgSent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tgSent(nil), f.sent...)
}

func (f *tgFake) callsOf(method string) []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []url.Values
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c.Form)
		}
	}
	return out
}

func (f *tgFake) callTimes(method string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c.At)
		}
	}
	return out
}

func (f *tgFake) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/bot")
	token, method, ok := strings.Cut(path, "/")
	if err := r.ParseForm(); err != nil || !ok {
		tgWrite(w, 400, `{"ok":false,"error_code":400,"description":"Bad Request"}`)
		return
	}
	if token != f.token {
		tgWrite(w, 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, tgCall{Method: method, Form: r.PostForm, At: f.now()})
	f.mu.Unlock()
	if f.Fault != nil {
		if rep := f.Fault(method, r.PostForm); rep != nil {
			if rep.Delay > 0 {
				select {
				case <-time.After(rep.Delay):
				case <-r.Context().Done():
					return
				}
			}
			tgWrite(w, rep.Status, rep.Body)
			return
		}
	}
	switch method {
	case "getMe":
		tgWrite(w, 200, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"承诺","username":"chengnuo_bot"}}`)
	case "getUpdates":
		f.getUpdates(w, r)
	case "sendMessage":
		chat, _ := strconv.ParseInt(r.PostForm.Get("chat_id"), 10, 64)
		reply, _ := strconv.Atoi(r.PostForm.Get("reply_to_message_id"))
		f.mu.Lock()
		f.msgID++
		id := f.msgID
		f.sent = append(f.sent, tgSent{ID: id, Chat: chat, Text: r.PostForm.Get("text"),
			Markup: r.PostForm.Get("reply_markup"), ReplyTo: reply, At: f.now()})
		f.mu.Unlock()
		tgWrite(w, 200, fmt.Sprintf(`{"ok":true,"result":{"message_id":%d,"date":1764000000,"chat":{"id":%d,"type":"private"}}}`, id, chat))
	case "answerCallbackQuery", "editMessageReplyMarkup", "editMessageText", "setWebhook", "deleteWebhook":
		tgWrite(w, 200, `{"ok":true,"result":true}`)
	default:
		tgWrite(w, 404, `{"ok":false,"error_code":404,"description":"Not Found"}`)
	}
}

// getUpdates confirms the updates below offset and returns the rest, long-polling up to
// timeout seconds when there are none.
func (f *tgFake) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.PostForm.Get("offset"))
	timeout, _ := strconv.Atoi(r.PostForm.Get("timeout"))
	deadline := time.After(time.Duration(timeout) * time.Second)
	f.mu.Lock()
	f.offsets = append(f.offsets, offset)
	f.mu.Unlock()
	for {
		f.mu.Lock()
		var out []string
		keepU, keepID := f.updates[:0:0], f.updateIDs[:0:0]
		for i, id := range f.updateIDs {
			if offset > 0 && id < offset {
				continue // confirmed: gone for good, as on Telegram
			}
			keepU, keepID = append(keepU, f.updates[i]), append(keepID, id)
			out = append(out, f.updates[i])
		}
		f.updates, f.updateIDs = keepU, keepID
		f.mu.Unlock()
		if len(out) > 0 || timeout == 0 {
			tgWrite(w, 200, `{"ok":true,"result":[`+strings.Join(out, ",")+`]}`)
			return
		}
		select {
		case <-f.arrived:
		case <-deadline:
			timeout = 0
		case <-r.Context().Done():
			return
		}
	}
}

func tgWrite(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

func tg429(retryAfter int) *tgReply {
	return &tgReply{Status: 429, Body: fmt.Sprintf(`{"ok":false,"error_code":429,
		"description":"Too Many Requests: retry after %d","parameters":{"retry_after":%d}}`, retryAfter, retryAfter)}
}
