package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests talk to telegram-test-api, an npm emulator of the Bot API, pinned
// in testdata/telegram/package.json. The tests start it themselves (node server.js on a
// free port) and stop it at the end. It also has a client side: /sendMessage and
// /sendCallback post a user's message or button press as an update for the bot,
// /getUpdates returns the bot's unread messages to one chat, /getUpdatesHistory everything.

// emulatorDir is testdata/telegram, seen from this package.
var emulatorDir = filepath.Join("..", "..", "testdata", "telegram")

// tgUser is a Telegram user (or group) the test plays.
type tgUser struct {
	ID    int64  // user id
	Chat  int64  // chat id: the user's own for a private chat, negative for a group
	Group bool   // the chat is a group
	Name  string // first name
}

// botMsg is a message the bot sent, as the emulator stored it.
type botMsg struct {
	ID      int
	Chat    int64
	Text    string
	ReplyTo int
	Buttons []tgButton // inline buttons, all rows
	Time    int64      // emulator clock, ms
}

type tgButton struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

// button returns the callback data of the button whose text contains text.
func (m botMsg) button(t *testing.T, text string) string {
	t.Helper()
	for _, b := range m.Buttons {
		if strings.Contains(b.Text, text) {
			return b.Data
		}
	}
	t.Fatalf("no button %q on the bot's message %q (buttons %+v)", text, m.Text, m.Buttons)
	return ""
}

// emulator is a running telegram-test-api and the client side of it.
type emulator struct {
	t     *testing.T
	URL   string // http://127.0.0.1:PORT
	Token string

	mu    sync.Mutex
	inbox map[int64][]botMsg // fetched from /getUpdates, not yet awaited
}

// startEmulator starts the emulator for token and stops it when the test ends. Without
// testdata/telegram/node_modules the test fails, saying how to install it.
func startEmulator(t *testing.T, token string) *emulator {
	t.Helper()
	if _, err := os.Stat(filepath.Join(emulatorDir, "node_modules", "telegram-test-api", "package.json")); err != nil {
		t.Fatalf("the Telegram emulator is not installed (%v): run `npm ci --prefix testdata/telegram` "+
			"in the repository root (Node.js 20), then run the tests again", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node not found (%v): the Telegram end-to-end tests need Node.js 20", err)
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("node", "server.js")
	cmd.Dir = emulatorDir
	cmd.Env = append(os.Environ(), "TELEGRAM_TEST_PORT="+port)
	stdin, err := cmd.StdinPipe() // closed at the end: the emulator exits with its stdin
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "ready" {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("the emulator exited before it was ready:\n%s", stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the emulator was not ready within 30 s:\n%s", stderr.String())
	}
	return &emulator{t: t, URL: "http://" + addr, Token: token, inbox: map[int64][]botMsg{}}
}

// BotAPI is the CHENGNUO_TELEGRAM_API format of this emulator.
func (e *emulator) BotAPI() string { return e.URL + "/bot%s/%s" }

func (e *emulator) post(path string, body any) json.RawMessage {
	e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.Post(e.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		e.t.Fatalf("emulator %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || !out.OK {
		e.t.Fatalf("emulator %s: %s %s", path, resp.Status, raw)
	}
	return out.Result
}

func (u tgUser) from() map[string]any {
	return map[string]any{"id": u.ID, "first_name": u.Name, "username": fmt.Sprintf("user%d", u.ID), "is_bot": false}
}

func (u tgUser) chat() map[string]any {
	if u.Group {
		return map[string]any{"id": u.Chat, "type": "group", "title": u.Name}
	}
	return map[string]any{"id": u.Chat, "type": "private", "first_name": u.Name}
}

// Say sends text from u in u's chat; extra fields (reply_to_message, forward_from…) are
// merged into the message.
func (e *emulator) Say(u tgUser, text string, extra map[string]any) {
	e.t.Helper()
	msg := map[string]any{"botToken": e.Token, "from": u.from(), "chat": u.chat(),
		"date": time.Now().Unix(), "text": text}
	for k, v := range extra {
		msg[k] = v
	}
	e.post("/sendMessage", msg)
}

// ReplyTo sends text from u as a Telegram reply to the bot's message id.
func (e *emulator) ReplyTo(u tgUser, id int, text string) {
	e.t.Helper()
	e.Say(u, text, map[string]any{"reply_to_message": map[string]any{"message_id": id, "chat": u.chat(),
		"date": time.Now().Unix(), "from": map[string]any{"id": 666, "is_bot": true, "first_name": "Bot"}}})
}

// Press presses the inline button with data on the bot's message id, as u.
func (e *emulator) Press(u tgUser, id int, data string) {
	e.t.Helper()
	e.post("/sendCallback", map[string]any{"botToken": e.Token, "from": u.from(), "data": data,
		"date": time.Now().Unix(), "message": map[string]any{"message_id": id, "chat": u.chat(),
			"date": time.Now().Unix()}})
}

// storedMsg is a message as /getUpdates and /getUpdatesHistory return it: the bot's have
// message.chat_id (the sendMessage form), users' have message.chat.
type storedMsg struct {
	Time      int64 `json:"time"`
	MessageID int   `json:"messageId"`
	UpdateID  int   `json:"updateId"`
	Message   *struct {
		ChatID      json.RawMessage     `json:"chat_id"`
		Chat        *struct{ ID int64 } `json:"chat"`
		Text        string              `json:"text"`
		ReplyTo     json.RawMessage     `json:"reply_to_message_id"`
		ReplyMarkup *struct {
			InlineKeyboard [][]tgButton `json:"inline_keyboard"`
		} `json:"reply_markup"`
	} `json:"message"`
	CallbackQuery json.RawMessage `json:"callbackQuery"`
}

// fromBot converts a bot message; ok is false for users' updates.
func (s storedMsg) fromBot() (botMsg, bool) {
	if s.Message == nil || len(s.Message.ChatID) == 0 {
		return botMsg{}, false
	}
	m := botMsg{ID: s.MessageID, Chat: jsonInt(s.Message.ChatID), Text: s.Message.Text,
		ReplyTo: int(jsonInt(s.Message.ReplyTo)), Time: s.Time}
	if rm := s.Message.ReplyMarkup; rm != nil {
		for _, row := range rm.InlineKeyboard {
			m.Buttons = append(m.Buttons, row...)
		}
	}
	return m, true
}

// jsonInt reads a number the form encoding may have turned into a string.
func jsonInt(raw json.RawMessage) int64 {
	s := strings.Trim(string(raw), `"`)
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// fetch moves the bot's unread messages to chat into the inbox.
func (e *emulator) fetch(chat int64) {
	e.t.Helper()
	var got []storedMsg
	if err := json.Unmarshal(e.post("/getUpdates", map[string]any{"token": e.Token, "chatId": chat}), &got); err != nil {
		e.t.Fatalf("emulator getUpdates: %v", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range got {
		if m, ok := s.fromBot(); ok {
			e.inbox[chat] = append(e.inbox[chat], m)
		}
	}
}

// Await waits for the bot's next message to chat containing want and returns it; the
// chat's earlier messages without want are dropped (they were read). It fails the test,
// listing what did arrive, when none comes within 20 s.
func (e *emulator) Await(chat int64, want string) botMsg {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var seen []string
	for {
		e.fetch(chat)
		e.mu.Lock()
		box := e.inbox[chat]
		for i, m := range box {
			if strings.Contains(m.Text, want) {
				e.inbox[chat] = box[i+1:]
				e.mu.Unlock()
				return m
			}
			seen = append(seen, m.Text)
		}
		e.inbox[chat] = nil
		e.mu.Unlock()
		if time.Now().After(deadline) {
			e.t.Fatalf("chat %d: no message from the bot containing %q within 20 s; it sent:\n%s",
				chat, want, strings.Join(seen, "\n---\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// History returns every message the emulator holds for the token, oldest first.
func (e *emulator) History() []storedMsg {
	e.t.Helper()
	var out []storedMsg
	if err := json.Unmarshal(e.post("/getUpdatesHistory", map[string]any{"token": e.Token}), &out); err != nil {
		e.t.Fatalf("emulator history: %v", err)
	}
	return out
}

// lockedBuffer is a bytes.Buffer safe for a process writing and a test reading.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
