package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
)

// tgClock is a fake clock that never really waits: After moves the time forward by d and
// fires, so limits and backoff show in the timestamps the fake server records and a test
// of a 5-second pause takes milliseconds. With a gate, a timer fires only once the gate
// opens (no send in flight), so time never moves under a request on its way, and a timer
// superseded by a later After never fires (the sender waits on its latest only).
type tgClock struct {
	mu     sync.Mutex
	now    time.Time
	gen    int
	gate   func() bool
	frozen bool // After never fires: time stands still, as for a process about to crash
}

func newTGClock() *tgClock { return &tgClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)} }

func (c *tgClock) freeze(f bool) {
	c.mu.Lock()
	c.frozen = f
	c.mu.Unlock()
}

func (c *tgClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *tgClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return nil
	}
	c.gen++
	gen, target := c.gen, c.now.Add(max(d, 0))
	ch := make(chan time.Time, 1)
	fire := func() {
		if target.After(c.now) {
			c.now = target
		}
		ch <- c.now
	}
	if c.gate == nil {
		fire()
		return ch
	}
	go func() {
		for {
			c.mu.Lock()
			if c.gen != gen {
				c.mu.Unlock()
				return
			}
			if c.gate() {
				fire()
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			time.Sleep(20 * time.Microsecond)
		}
	}()
	return ch
}

// tgQueue is an in-memory Queue with the store's semantics (store/bot.go implements the
// durable one, tested in store/bot_test.go). A test "restarts" by giving it to a new Sender.
type tgQueue struct {
	mu     sync.Mutex
	rows   []*tgRow
	nextID int64
	keys   map[string]bool
}

type tgRow struct {
	QueuedPart
	status string
	msgID  int
	err    string
}

func (q *tgQueue) BotEnqueue(_ context.Context, parts []QueuedPart, now time.Time) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.keys == nil {
		q.keys = map[string]bool{}
	}
	if k := parts[0].Key; k != "" {
		if q.keys[k] {
			return false, nil
		}
		q.keys[k] = true
	}
	for _, p := range parts {
		q.nextID++
		p.ID, p.NextAttemptAt, p.CreatedAt = q.nextID, now, now
		q.rows = append(q.rows, &tgRow{QueuedPart: p, status: "pending"})
	}
	return true, nil
}

func (q *tgQueue) BotHeads(_ context.Context, limit int) ([]QueuedPart, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	seen := map[int64]bool{}
	var out []QueuedPart
	for _, r := range q.rows {
		if r.status == "pending" && !seen[r.ChatID] {
			seen[r.ChatID] = true
			out = append(out, r.QueuedPart)
		}
	}
	slices.SortStableFunc(out, func(a, b QueuedPart) int { return a.NextAttemptAt.Compare(b.NextAttemptAt) })
	return out[:min(len(out), limit)], nil
}

func (q *tgQueue) row(id int64) (*tgRow, error) {
	for _, r := range q.rows {
		if r.ID == id && r.status == "pending" {
			return r, nil
		}
	}
	return nil, fmt.Errorf("no pending %d", id)
}

func (q *tgQueue) BotSent(_ context.Context, id int64, msgID int, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	r, err := q.row(id)
	if err == nil {
		r.status, r.msgID = "sent", msgID
	}
	return err
}

func (q *tgQueue) BotRetry(_ context.Context, id int64, reason string, next time.Time, attempt bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	r, err := q.row(id)
	if err == nil {
		r.err, r.NextAttemptAt = reason, next
		if attempt {
			r.Attempts++
		}
	}
	return err
}

func (q *tgQueue) BotFailed(_ context.Context, id int64, reason string, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	r, err := q.row(id)
	if err == nil {
		r.status, r.err = "failed", reason
		r.Attempts++
	}
	return err
}

func (q *tgQueue) BotMoveChat(_ context.Context, from, to int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range q.rows {
		if r.ChatID == from && r.status == "pending" {
			r.ChatID = to
		}
	}
	return nil
}

func (q *tgQueue) count(status string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, r := range q.rows {
		if r.status == status {
			n++
		}
	}
	return n
}

var quietLog = slog.New(slog.DiscardHandler)

// senderRig is a Sender on a fake clock, an in-memory queue and a real TelegramAPI
// talking to the fake Bot API.
type senderRig struct {
	t      *testing.T
	clock  *tgClock
	fake   *tgFake
	api    *TelegramAPI
	queue  *tgQueue
	sender *Sender
	stop   func()
}

func newSenderRig(t *testing.T, cfg SenderConfig) *senderRig {
	t.Helper()
	r := &senderRig{t: t, clock: newTGClock(), queue: &tgQueue{}}
	r.fake = newTGFake(t, r.clock.Now)
	r.api = r.fake.api(TelegramConfig{PollTimeout: time.Second, RequestTimeout: 300 * time.Millisecond})
	cfg.Clock = r.clock
	cfg.IdleCheck = -1 // the fake clock would run idle checks at full speed
	if cfg.Logger == nil {
		cfg.Logger = quietLog
	}
	r.sender = NewSender(r.api, r.queue, cfg)
	r.clock.gate = func() bool { return r.sender.InFlight() == 0 }
	return r
}

// start runs the sender until the test ends (or stop).
func (r *senderRig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.sender.Run(ctx); err != nil {
			r.t.Error(err)
		}
	}()
	r.stop = func() { cancel(); <-done }
	r.t.Cleanup(r.stop)
}

func (r *senderRig) send(m Outgoing) {
	r.t.Helper()
	if err := r.sender.Send(context.Background(), m); err != nil {
		r.t.Fatal(err)
	}
}

// waitSent waits (in real time, briefly) until the fake has accepted n messages.
func (r *senderRig) waitSent(n int) []tgSent {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := r.fake.messages()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("fake got %d messages, want %d; queue pending %d failed %d", len(got), n,
				r.queue.count("pending"), r.queue.count("failed"))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func byChat(msgs []tgSent, chat int64) []tgSent {
	var out []tgSent
	for _, m := range msgs {
		if m.Chat == chat {
			out = append(out, m)
		}
	}
	return out
}

func sentTexts(msgs []tgSent) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Text
	}
	return out
}

func TestSenderPerChatAndGroupLimits(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	for i := range 5 {
		r.send(Outgoing{ChatID: 7, Text: fmt.Sprintf("私聊 %d", i)})
	}
	for i := range 22 {
		r.send(Outgoing{ChatID: -100, Text: fmt.Sprintf("群 %d", i)})
	}
	r.start()
	got := r.waitSent(27)

	private := byChat(got, 7)
	if want := []string{"私聊 0", "私聊 1", "私聊 2", "私聊 3", "私聊 4"}; !slices.Equal(sentTexts(private), want) {
		t.Errorf("private chat order = %v", sentTexts(private))
	}
	for i := 1; i < len(private); i++ {
		if gap := private[i].At.Sub(private[i-1].At); gap < time.Second {
			t.Errorf("private messages %d and %d only %s apart", i-1, i, gap)
		}
	}
	group := byChat(got, -100)
	for i := 1; i < len(group); i++ {
		if gap := group[i].At.Sub(group[i-1].At); gap < time.Second {
			t.Errorf("group messages %d and %d only %s apart", i-1, i, gap)
		}
	}
	for i := 20; i < len(group); i++ {
		if span := group[i].At.Sub(group[i-20].At); span < time.Minute {
			t.Errorf("21 group messages within %s (20 a minute allowed)", span)
		}
	}
}

func TestSenderGlobalLimit(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	for i := range 100 {
		r.send(Outgoing{ChatID: int64(1000 + i), Text: "通知"})
	}
	r.start()
	got := r.waitSent(100)
	for i := range got {
		n := 0
		for j := i; j < len(got) && got[j].At.Sub(got[i].At) < time.Second; j++ {
			n++
		}
		if n > 30 {
			t.Fatalf("%d messages within one second from message %d", n, i)
		}
	}
	if span := got[99].At.Sub(got[0].At); span < 3*time.Second {
		t.Errorf("100 messages in %s: the 30/s limit was not kept", span)
	}
}

func TestSender429PausesOnlyThatChat(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	var throttledAt time.Time
	var once sync.Once
	r.fake.Fault = func(method string, form url.Values) *tgReply {
		var rep *tgReply
		if method == "sendMessage" && form.Get("chat_id") == "7" {
			once.Do(func() { throttledAt, rep = r.clock.Now(), tg429(5) })
		}
		return rep
	}
	for i := range 3 {
		r.send(Outgoing{ChatID: 7, Text: fmt.Sprintf("A%d", i)})
		r.send(Outgoing{ChatID: 8, Text: fmt.Sprintf("B%d", i)})
	}
	r.start()
	got := r.waitSent(6)
	a, b := byChat(got, 7), byChat(got, 8)
	if !slices.Equal(sentTexts(a), []string{"A0", "A1", "A2"}) || !slices.Equal(sentTexts(b), []string{"B0", "B1", "B2"}) {
		t.Fatalf("order: A %v, B %v", sentTexts(a), sentTexts(b))
	}
	if wait := a[0].At.Sub(throttledAt); wait < 5*time.Second {
		t.Errorf("chat 7 sent again %s after a 429 asking for 5s", wait)
	}
	if !b[2].At.Before(a[0].At) {
		t.Errorf("chat 8 waited for chat 7's pause: B2 at %s, A0 at %s", b[2].At, a[0].At)
	}
}

func TestSender429OnSeveralChatsPausesAll(t *testing.T) {
	r := newSenderRig(t, SenderConfig{Concurrency: 1})
	var mu sync.Mutex
	throttled := map[string]time.Time{}
	r.fake.Fault = func(method string, form url.Values) *tgReply {
		chat := form.Get("chat_id")
		mu.Lock()
		defer mu.Unlock()
		if method == "sendMessage" && (chat == "7" || chat == "8") && throttled[chat].IsZero() {
			throttled[chat] = r.clock.Now()
			return tg429(10)
		}
		return nil
	}
	r.send(Outgoing{ChatID: 7, Text: "A"})
	r.send(Outgoing{ChatID: 8, Text: "B"})
	r.send(Outgoing{ChatID: 9, Text: "C"})
	r.start()
	got := r.waitSent(3)
	c := byChat(got, 9)
	if wait := c[0].At.Sub(throttled["8"]); wait < 10*time.Second {
		t.Errorf("chat 9 sent %s after the second chat's 429: the bot-wide pause was not kept", wait)
	}
}

func TestSenderNetworkFaultsLoseNothing(t *testing.T) {
	// The fake clock runs retries at full speed while the network is down: no give-up here.
	r := newSenderRig(t, SenderConfig{MaxAttempts: 1 << 30})
	r.fake.setDown(true)
	var fails atomic.Int32
	r.fake.Fault = func(method string, _ url.Values) *tgReply {
		if method == "sendMessage" && fails.Add(1) <= 2 {
			return &tgReply{Status: 500, Body: `{"ok":false,"error_code":500,"description":"Internal Server Error"}`}
		}
		return nil
	}
	for i := range 4 {
		r.send(Outgoing{ChatID: 7, Text: fmt.Sprintf("回复 %d", i)})
	}
	r.send(Outgoing{ChatID: 8, Text: "另一位"})
	r.start()
	deadline := time.Now().Add(5 * time.Second)
	for r.fake.refused.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if r.fake.refused.Load() < 4 {
		t.Fatalf("only %d connection attempts while down", r.fake.refused.Load())
	}
	r.fake.setDown(false)
	got := r.waitSent(5)
	time.Sleep(20 * time.Millisecond) // nothing more may arrive
	got = r.fake.messages()
	if want := []string{"回复 0", "回复 1", "回复 2", "回复 3"}; !slices.Equal(sentTexts(byChat(got, 7)), want) {
		t.Errorf("chat 7 got %v, want %v once each, in order", sentTexts(byChat(got, 7)), want)
	}
	if len(got) != 5 || r.queue.count("sent") != 5 || r.queue.count("pending") != 0 {
		t.Errorf("sent %d, queue sent %d pending %d", len(got), r.queue.count("sent"), r.queue.count("pending"))
	}
}

func TestSenderSlowResponseIsRetried(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	var calls atomic.Int32
	r.fake.Fault = func(method string, _ url.Values) *tgReply {
		if method == "sendMessage" && calls.Add(1) == 1 {
			return &tgReply{Status: 200, Body: `{"ok":true,"result":{"message_id":1}}`, Delay: 5 * time.Second}
		}
		return nil
	}
	r.send(Outgoing{ChatID: 7, Text: "慢"})
	r.start()
	got := r.waitSent(1)
	if got[0].Text != "慢" || calls.Load() != 2 {
		t.Errorf("got %v after %d calls", sentTexts(got), calls.Load())
	}
}

func TestSenderPermanentErrorGivesUpThatMessageOnly(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	r.fake.Fault = func(method string, form url.Values) *tgReply {
		if form.Get("text") == "坏" {
			return &tgReply{Status: 403, Body: `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`}
		}
		return nil
	}
	r.send(Outgoing{ChatID: 7, Text: "坏"})
	r.send(Outgoing{ChatID: 7, Text: "好"})
	r.start()
	got := r.waitSent(1)
	if got[0].Text != "好" || r.queue.count("failed") != 1 || len(r.fake.callsOf("sendMessage")) != 2 {
		t.Errorf("got %v, failed %d, calls %d", sentTexts(got), r.queue.count("failed"), len(r.fake.callsOf("sendMessage")))
	}
}

func TestSenderMaxAttempts(t *testing.T) {
	r := newSenderRig(t, SenderConfig{MaxAttempts: 3})
	r.fake.Fault = func(method string, _ url.Values) *tgReply {
		if method == "sendMessage" {
			return &tgReply{Status: 502, Body: "bad gateway"}
		}
		return nil
	}
	r.send(Outgoing{ChatID: 7, Text: "x"})
	r.start()
	deadline := time.Now().Add(5 * time.Second)
	for r.queue.count("failed") == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := len(r.fake.callsOf("sendMessage")); n != 3 || r.queue.count("failed") != 1 {
		t.Errorf("%d tries, %d failed; want 3 tries, then given up (kept as failed)", n, r.queue.count("failed"))
	}
}

func TestSenderMigratedGroup(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	r.fake.Fault = func(method string, form url.Values) *tgReply {
		if form.Get("chat_id") == "-100" {
			return &tgReply{Status: 400, Body: `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009}}`}
		}
		return nil
	}
	r.send(Outgoing{ChatID: -100, Text: "卡片"})
	r.start()
	if got := r.waitSent(1); got[0].Chat != -1009 {
		t.Errorf("sent to %d, want the supergroup -1009", got[0].Chat)
	}
}

func TestSenderSplitsLongChineseText(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	var b strings.Builder
	for i := 0; b.Len() < 3*10000; i++ {
		fmt.Fprintf(&b, "第%d条：证明事项告知承诺制，申请人书面承诺已符合条件即可办理😀。\n", i)
	}
	text := strings.TrimSuffix(b.String(), "\n")
	if n := len([]rune(text)); n < 10000 {
		t.Fatalf("text has %d characters", n)
	}
	buttons := [][]Button{{{Text: "满意", Data: "rate:BQ20261125-0001:1"}}}
	r.send(Outgoing{ChatID: 7, Text: text, Buttons: buttons})
	r.start()
	want := SplitText(text, MaxMessageUnits)
	if len(want) < 3 {
		t.Fatalf("split into %d parts", len(want))
	}
	got := r.waitSent(len(want))
	if strings.Join(sentTexts(got), "\n") != text {
		t.Error("the parts, in order, do not make the text")
	}
	for i, m := range got {
		if n := len(utf16.Encode([]rune(m.Text))); n > MaxMessageUnits {
			t.Errorf("part %d has %d UTF-16 units", i, n)
		}
		if (m.Markup != "") != (i == len(got)-1) {
			t.Errorf("part %d markup %q: buttons belong on the last part only", i, m.Markup)
		}
	}
}

func TestSplitText(t *testing.T) {
	emoji := strings.Repeat("😀", 3000) // 6,000 UTF-16 units on one line
	cases := []struct {
		name string
		text string
	}{
		{"short", "你好"},
		{"exact", strings.Repeat("证", MaxMessageUnits)},
		{"one long line", strings.Repeat("告知承诺制", 2000)},
		{"surrogates", emoji},
		{"sentences", strings.Repeat("申请人可以选择告知承诺，也可以提交证明。", 500)},
		{"lines", strings.Repeat("一行文字\n", 3000)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parts := SplitText(tc.text, MaxMessageUnits)
			var all string
			for i, p := range parts {
				if n := len(utf16.Encode([]rune(p))); n > MaxMessageUnits || n == 0 {
					t.Errorf("part %d: %d units", i, n)
				}
				if strings.ContainsRune(p, '\uFFFD') {
					t.Errorf("part %d: a character was cut", i)
				}
				all += p
			}
			if strings.ReplaceAll(all, "\n", "") != strings.ReplaceAll(tc.text, "\n", "") {
				t.Error("text lost or changed")
			}
		})
	}
	if SplitText(" \n ", MaxMessageUnits) != nil {
		t.Error("blank text gave parts")
	}
	if parts := SplitText(strings.Repeat("申请人可以选择告知承诺，也可以提交证明。", 500), MaxMessageUnits); !strings.HasSuffix(parts[0], "。") {
		t.Errorf("long line not cut after a sentence: …%s", string([]rune(parts[0])[len([]rune(parts[0]))-5:]))
	}
}

func TestSenderValidates(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	ctx := context.Background()
	bad := []Outgoing{
		{ChatID: 7, Text: "x", Buttons: [][]Button{{{Text: "满意", Data: strings.Repeat("案", 22)}}}}, // 66 bytes
		{ChatID: 7, Text: "x", Buttons: [][]Button{{{Text: "满意", Data: ""}}}},
		{ChatID: 7, Text: "  \n"},
		{Text: "x"},
		{ChatID: 7, Text: "x", Buttons: [][]Button{{{Text: "a", Data: "a"}}}, ContactButton: "分享手机号"},
	}
	for i, m := range bad {
		if err := r.sender.Send(ctx, m); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("message %d: err = %v, want ErrInvalidMessage", i, err)
		}
	}
	if err := r.sender.EditButtons(ctx, 7, 1, [][]Button{{{Text: "a", Data: strings.Repeat("x", 65)}}}); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("EditButtons with 65 bytes of data: %v", err)
	}
	if err := r.sender.Send(ctx, Outgoing{ChatID: 7, Text: "x", Buttons: [][]Button{{{Text: "a", Data: strings.Repeat("x", 64)}}}}); err != nil {
		t.Errorf("64 bytes of callback data refused: %v", err)
	}
	if n := r.queue.count("pending"); n != 1 {
		t.Errorf("%d messages queued, want only the valid one", n)
	}
}

func TestSenderDeduplicatesAndSurvivesRestart(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	r.fake.setDown(true)
	r.clock.freeze(true)
	r.send(Outgoing{ChatID: 7, Text: "已受理", Key: "BQ1:1:resident"})
	r.send(Outgoing{ChatID: 7, Text: "已受理", Key: "BQ1:1:resident"}) // the same event again
	r.send(Outgoing{ChatID: 7, Text: "已签收", Key: "BQ1:2:resident", Link: &CaseLink{CaseID: "BQ1", Role: RoleResidentChat}})
	r.start()
	for r.fake.refused.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	r.stop() // the process ends with both still queued
	if n := r.queue.count("pending"); n != 2 {
		t.Fatalf("%d pending after the crash, want 2", n)
	}

	r.fake.setDown(false)
	r.clock.freeze(false)
	r.sender = NewSender(r.api, r.queue, SenderConfig{Clock: r.clock, Logger: quietLog, IdleCheck: -1}) // restart
	r.start()
	got := r.waitSent(2)
	r.stop()
	if !slices.Equal(sentTexts(got), []string{"已受理", "已签收"}) {
		t.Errorf("after restart sent %v", sentTexts(got))
	}

	r.sender = NewSender(r.api, r.queue, SenderConfig{Clock: r.clock, Logger: quietLog, IdleCheck: -1}) // and again
	r.start()
	r.send(Outgoing{ChatID: 7, Text: "已受理", Key: "BQ1:1:resident"}) // re-queued event: dropped
	r.send(Outgoing{ChatID: 7, Text: "新消息"})
	got = r.waitSent(3)
	time.Sleep(20 * time.Millisecond)
	if got = r.fake.messages(); !slices.Equal(sentTexts(got), []string{"已受理", "已签收", "新消息"}) {
		t.Errorf("after the second restart: %v (delivered ones resent?)", sentTexts(got))
	}
}

func TestSenderDirectCallsRetry(t *testing.T) {
	r := newSenderRig(t, SenderConfig{})
	var calls atomic.Int32
	r.fake.Fault = func(method string, _ url.Values) *tgReply {
		if method == "answerCallbackQuery" && calls.Add(1) == 1 {
			return tg429(1)
		}
		return nil
	}
	start := r.clock.Now()
	if err := r.sender.AnswerCallback(context.Background(), "cb", ""); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || r.clock.Now().Sub(start) < time.Second {
		t.Errorf("%d calls, waited %s", calls.Load(), r.clock.Now().Sub(start))
	}
	r.fake.Fault = func(string, url.Values) *tgReply {
		return &tgReply{Status: 400, Body: `{"ok":false,"error_code":400,"description":"Bad Request: query is too old"}`}
	}
	if err := r.sender.AnswerCallback(context.Background(), "cb", ""); !Permanent(err) {
		t.Errorf("too old: %v", err)
	}
}
