package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"chengnuo/bot"
)

func TestBotUpdateOffset(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chengnuo.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := db.LastUpdateID(ctx); err != nil || id != 0 {
		t.Fatalf("fresh LastUpdateID = %d, %v", id, err)
	}
	for _, id := range []int{5, 6, 900000001} {
		if err := db.SaveUpdateID(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if id, err := db.LastUpdateID(ctx); err != nil || id != 900000001 {
		t.Errorf("after reopen LastUpdateID = %d, %v", id, err)
	}
}

func part(chat int64, text, key string, n, of int) bot.QueuedPart {
	return bot.QueuedPart{ChatID: chat, Text: text, Key: key, Part: n, Parts: of}
}

func TestBotOutboxQueue(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

	card := []bot.QueuedPart{part(-100, "案件卡片（1/2）", "BQ1:1:dept", 1, 2), part(-100, "（2/2）", "BQ1:1:dept", 2, 2)}
	card[0].ReplyToID = 5
	card[1].Buttons = [][]bot.Button{{{Text: "签收", Data: "acc:BQ1"}, {Text: "退回", Data: "ret:BQ1"}}}
	card[1].Link = &bot.CaseLink{CaseID: "BQ1", Role: bot.RoleDepartmentChat}
	if ok, err := db.BotEnqueue(ctx, card, t0); err != nil || !ok {
		t.Fatalf("enqueue card: %v, %v", ok, err)
	}
	if ok, err := db.BotEnqueue(ctx, card, t0); err != nil || ok {
		t.Fatalf("same key again: %v, %v (want a duplicate)", ok, err)
	}
	for _, p := range []bot.QueuedPart{part(7, "您好", "", 1, 1), part(7, "第二条", "", 1, 1), part(8, "别人", "", 1, 1)} {
		if ok, err := db.BotEnqueue(ctx, []bot.QueuedPart{p}, t0.Add(time.Second)); err != nil || !ok {
			t.Fatal(ok, err)
		}
	}

	heads, err := db.BotHeads(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(heads) != 3 || heads[0].ChatID != -100 || heads[0].Part != 1 || heads[0].ReplyToID != 5 ||
		heads[1].Text != "您好" || heads[2].ChatID != 8 || !heads[0].NextAttemptAt.Equal(t0) {
		t.Fatalf("heads = %+v", heads)
	}

	// A 429 on chat 7 pushes its head back without counting a try; a failure counts one.
	if err := db.BotRetry(ctx, heads[1].ID, "429", t0.Add(time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if err := db.BotRetry(ctx, heads[2].ID, "timeout", t0.Add(time.Minute), true); err != nil {
		t.Fatal(err)
	}
	if err := db.BotSent(ctx, heads[0].ID, 41, t0); err != nil {
		t.Fatal(err)
	}
	heads, _ = db.BotHeads(ctx, 10)
	if len(heads) != 3 || heads[0].Text != "（2/2）" || len(heads[0].Buttons) != 1 || heads[0].Buttons[0][1].Data != "ret:BQ1" ||
		heads[0].Link == nil || heads[1].ChatID != 8 || heads[1].Attempts != 1 || heads[2].Text != "您好" || heads[2].Attempts != 0 {
		t.Fatalf("heads after retries = %+v", heads)
	}
	if id, _ := db.CaseByCardMessage(ctx, -100, 41); id != "" {
		t.Errorf("case linked before its last part was sent")
	}
	if err := db.BotSent(ctx, heads[0].ID, 42, t0); err != nil {
		t.Fatal(err)
	}
	if id, err := db.CaseByCardMessage(ctx, -100, 42); err != nil || id != "BQ1" {
		t.Errorf("CaseByCardMessage = %q, %v; want the card linked when sent", id, err)
	}
	if err := db.BotSent(ctx, heads[0].ID, 42, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("sent twice: %v", err)
	}

	if err := db.BotFailed(ctx, heads[1].ID, "blocked", t0); err != nil {
		t.Fatal(err)
	}
	if p, f, err := db.BotOutboxCounts(ctx); err != nil || p != 2 || f != 1 {
		t.Errorf("counts = %d pending %d failed, %v", p, f, err)
	}
	if n, err := db.BotRequeueFailed(ctx, t0); err != nil || n != 1 {
		t.Errorf("requeue = %d, %v", n, err)
	}
	if err := db.BotMoveChat(ctx, 7, -1007); err != nil {
		t.Fatal(err)
	}
	heads, _ = db.BotHeads(ctx, 10)
	var chats []int64
	for _, h := range heads {
		chats = append(chats, h.ChatID)
	}
	slices.Sort(chats)
	if !slices.Equal(chats, []int64{-1007, 8}) {
		t.Errorf("chats after move = %v", chats)
	}
	if n, err := db.BotPruneSent(ctx, t0.Add(time.Second)); err != nil || n != 2 {
		t.Errorf("pruned %d, %v", n, err)
	}
}

func TestBotSessionsAndCaseChats(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	if s, d, err := db.BotSession(ctx, 7); s != "" || d != "" || err != nil {
		t.Fatalf("no session = %q %q %v", s, d, err)
	}
	if err := db.SaveBotSession(ctx, 7, "complaint:office", `{"item":"BQ-001"}`); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveBotSession(ctx, 7, "complaint:street", `{"item":"BQ-001","office":"户籍窗口"}`); err != nil {
		t.Fatal(err)
	}
	if s, d, _ := db.BotSession(ctx, 7); s != "complaint:street" || d != `{"item":"BQ-001","office":"户籍窗口"}` {
		t.Errorf("session = %q %q", s, d)
	}
	if err := db.SaveBotSession(ctx, 7, "", ""); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := db.BotSession(ctx, 7); s != "" {
		t.Errorf("cleared session = %q", s)
	}

	links := []struct {
		caseID string
		chat   int64
		msg    int
		role   string
	}{
		{"BQ1", 7, 0, bot.RoleResidentChat},
		{"BQ1", -100, 50, bot.RoleDepartmentChat},
		{"BQ2", 7, 0, bot.RoleResidentChat},
		{"BQ1", -100, 0, bot.RoleDepartmentChat}, // linking again without a card keeps it
	}
	for _, l := range links {
		if err := db.LinkCaseChat(ctx, l.caseID, l.chat, l.msg, l.role); err != nil {
			t.Fatal(err)
		}
	}
	if ids, err := db.ChatCases(ctx, 7); err != nil || !slices.Equal(ids, []string{"BQ2", "BQ1"}) {
		t.Errorf("ChatCases = %v, %v; want newest first", ids, err)
	}
	if ids, _ := db.ChatCases(ctx, 9); len(ids) != 0 {
		t.Errorf("another chat sees %v", ids)
	}
	chats, err := db.CaseChats(ctx, "BQ1")
	if err != nil || len(chats) != 2 || chats[1] != (bot.CaseChat{ChatID: -100, MessageID: 50, Role: bot.RoleDepartmentChat}) {
		t.Errorf("CaseChats = %+v, %v", chats, err)
	}
	if id, err := db.CaseByCardMessage(ctx, -100, 50); id != "BQ1" || err != nil {
		t.Errorf("card 50 = %q, %v", id, err)
	}
	if id, err := db.CaseByCardMessage(ctx, -100, 51); id != "" || err != nil {
		t.Errorf("unknown card = %q, %v", id, err)
	}
	if err := db.LinkCaseChat(ctx, "BQ1", -100, 60, bot.RoleDepartmentChat); err != nil {
		t.Fatal(err)
	}
	if id, _ := db.CaseByCardMessage(ctx, -100, 60); id != "BQ1" {
		t.Errorf("new card not linked")
	}
}

// flakyTelegram is a bot.API whose sends fail while down.
type flakyTelegram struct {
	mu     sync.Mutex
	down   bool
	tries  int
	sent   []string
	id     int
	chatOf map[int]int64 // message id → chat
}

func (f *flakyTelegram) Send(_ context.Context, m bot.Outgoing) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.down {
		return 0, errors.New("dial tcp: connection refused")
	}
	f.id++
	f.sent = append(f.sent, m.Text)
	if f.chatOf == nil {
		f.chatOf = map[int]int64{}
	}
	f.chatOf[f.id] = m.ChatID
	return f.id, nil
}

func (f *flakyTelegram) texts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent)
}

func (f *flakyTelegram) GetUpdates(context.Context, int, int) ([]bot.Update, error) { return nil, nil }
func (f *flakyTelegram) AnswerCallback(context.Context, string, string) error       { return nil }
func (f *flakyTelegram) EditButtons(context.Context, int64, int, [][]bot.Button) error {
	return nil
}
func (f *flakyTelegram) EditText(context.Context, int64, int, string, [][]bot.Button) error {
	return nil
}
func (f *flakyTelegram) SetWebhook(context.Context, string, string) error { return nil }
func (f *flakyTelegram) DeleteWebhook(context.Context) error              { return nil }

// TestBotSenderRestart runs the real sender on the real queue: messages queued while
// Telegram cannot be reached survive a restart and are sent after it, once, in order.
func TestBotSenderRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chengnuo.db")
	tg := &flakyTelegram{down: true}
	cfg := bot.SenderConfig{Limits: bot.Limits{PerSecond: 1000, ChatEvery: time.Millisecond},
		Backoff: func(int) time.Duration { return time.Millisecond }, MaxAttempts: 1 << 20}

	run := func(db *DB, until func() bool) {
		t.Helper()
		s := bot.NewSender(tg, db, cfg)
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- s.Run(rctx) }()
		deadline := time.Now().Add(5 * time.Second)
		for !until() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	pending := func(db *DB) int { p, _, _ := db.BotOutboxCounts(ctx); return p }

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s := bot.NewSender(tg, db, cfg)
	for _, m := range []bot.Outgoing{
		{ChatID: 7, Text: "您的投诉已受理", Key: "BQ1:1:resident"},
		{ChatID: 7, Text: "您的投诉已受理", Key: "BQ1:1:resident"},
		{ChatID: -100, Text: "新案件 BQ1", Key: "BQ1:1:dept", Link: &bot.CaseLink{CaseID: "BQ1", Role: bot.RoleDepartmentChat}},
		{ChatID: 7, Text: "部门已签收", Key: "BQ1:2:resident"},
	} {
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	tries := func() int { tg.mu.Lock(); defer tg.mu.Unlock(); return tg.tries }
	run(db, func() bool { return tries() >= 10 }) // Telegram unreachable the whole time
	if n := pending(db); n != 3 {
		t.Fatalf("%d pending while down, want 3", n)
	}
	db.Close()

	tg.mu.Lock()
	tg.down = false
	tg.mu.Unlock()
	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	run(db, func() bool { return pending(db) == 0 })
	got := tg.texts()
	var resident []string
	for _, text := range got {
		if text != "新案件 BQ1" {
			resident = append(resident, text)
		}
	}
	if len(got) != 3 || !slices.Equal(resident, []string{"您的投诉已受理", "部门已签收"}) {
		t.Fatalf("after restart sent %v", got)
	}
	for id, chat := range tg.chatOf {
		if chat != -100 {
			continue
		}
		if c, err := db.CaseByCardMessage(ctx, -100, id); c != "BQ1" || err != nil {
			t.Errorf("card %d: case %q, %v; want linked when sent", id, c, err)
		}
	}
	db.Close()

	if db, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s = bot.NewSender(tg, db, cfg)
	if err := s.Send(ctx, bot.Outgoing{ChatID: 7, Text: "您的投诉已受理", Key: "BQ1:1:resident"}); err != nil {
		t.Fatal(err)
	}
	run(db, func() bool { time.Sleep(20 * time.Millisecond); return true })
	if got := tg.texts(); len(got) != 3 {
		t.Errorf("a third start sent again: %v", got)
	}
}
