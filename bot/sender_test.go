package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

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
