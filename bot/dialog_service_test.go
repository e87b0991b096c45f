package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"chengnuo/bot"
	"chengnuo/knowledge"
	"chengnuo/routing"
	"chengnuo/store"
)

// The dialogs against the real case service and the real session store (SQLite in a temp
// dir): the dialogs' reading of the lifecycle (rate only closed cases, reopen by the system,
// ECONFLICT on a stale card) and of the session contract are checked against the real thing.
// An external test package: store imports bot.

// mzjClassifier sends every case to the civil affairs bureau, with a reason.
type mzjClassifier struct{}

func (mzjClassifier) Classify(text, address string) routing.Decision {
	return routing.Decision{Type: routing.TypeComplaint, Department: "mzj", Confidence: 0.9,
		Items: []string{"BQ-0001"}, Reasons: []string{"关键词“低保”属区民政局"}}
}

type cannedAnswerer struct{}

func (cannedAnswerer) Ask(q string) knowledge.Answer {
	return knowledge.Answer{Kind: knowledge.KindItem, Answer: "【无犯罪记录证明】实行告知承诺制。"}
}

// recorder is a Messenger that numbers what it sends, like Telegram, and keeps it.
type recorder struct {
	mu      sync.Mutex
	next    int
	sent    []sent
	answers map[string]int
}

type sent struct {
	bot.Outgoing
	id int
}

func (r *recorder) Send(_ context.Context, m bot.Outgoing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	r.sent = append(r.sent, sent{m, 9000 + r.next})
	return nil
}

func (r *recorder) AnswerCallback(_ context.Context, id, _ string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers[id]++
	return nil
}

func (r *recorder) EditButtons(context.Context, int64, int, [][]bot.Button) error { return nil }

func (r *recorder) take() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

func joined(out []sent) string {
	var b strings.Builder
	for _, o := range out {
		b.WriteString(o.Text + "\n")
	}
	return b.String()
}

func buttonData(out []sent, prefix string) string {
	for _, o := range out {
		for _, row := range o.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, prefix) {
					return b.Data
				}
			}
		}
	}
	return ""
}

func TestDialogRealService(t *testing.T) {
	const (
		alice int64 = 1001
		bob   int64 = 1002
		group int64 = -5002
		ops   int64 = -6001
	)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 25, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	dir := routing.BuiltinDirectory()
	svc := &routing.Service{Store: db, Classifier: mzjClassifier{}, SLA: routing.DefaultSLA(), Directory: dir,
		Now: func() time.Time { return now }}
	rec := &recorder{answers: map[string]int{}}
	h := bot.NewHandler(rec, db, svc, cannedAnswerer{}, bot.Options{
		Departments: map[int64]string{group: "mzj"}, Operators: map[int64]bool{ops: true},
		DeptName: dir.Name, Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})

	seq := 0
	say := func(chat int64, from int64, text string, replyTo int) []sent {
		t.Helper()
		seq++
		kind := bot.ChatPrivate
		if chat < 0 {
			kind = bot.ChatGroup
		}
		err := h.Handle(ctx, bot.Update{ID: seq, Message: &bot.Message{ID: seq, ChatID: chat, ChatKind: kind,
			From: bot.User{ID: from, FirstName: "用户", Username: fmt.Sprint("u", from)}, Text: text, ReplyToID: replyTo}})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		return rec.take()
	}
	press := func(chat, from int64, msgID int, data string) []sent {
		t.Helper()
		seq++
		kind := bot.ChatPrivate
		if chat < 0 {
			kind = bot.ChatGroup
		}
		id := fmt.Sprint("cb", seq)
		err := h.Handle(ctx, bot.Update{ID: seq, Callback: &bot.Callback{ID: id, ChatID: chat, ChatKind: kind,
			MessageID: msgID, From: bot.User{ID: from, Username: fmt.Sprint("u", from)}, Data: data}})
		if err != nil || rec.answers[id] != 1 {
			t.Fatalf("press %q: %v, answered %d times", data, err, rec.answers[id])
		}
		return rec.take()
	}
	// drain delivers the pending outbox as serve's wiring does, and links cards as the
	// sender does once Telegram numbered them.
	drain := func() []sent {
		t.Helper()
		pending, err := db.OutboxPending(ctx, now.Add(365*24*time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pending {
			if h.Delivers(m.Target) {
				if err := h.Notify(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.MarkDelivered(ctx, m.ID); err != nil {
				t.Fatal(err)
			}
		}
		out := rec.take()
		for _, o := range out {
			if o.Link != nil {
				if err := db.LinkCaseChat(ctx, o.Link.CaseID, o.ChatID, o.id, o.Link.Role); err != nil {
					t.Fatal(err)
				}
			}
		}
		return out
	}

	say(alice, alice, "办低保要无犯罪证明吗", 0)
	for _, a := range []string{"我要投诉", "申请低保", "某街道便民服务中心", "无犯罪记录证明", "跳过", "13812345678"} {
		say(alice, alice, a, 0)
	}
	out := press(alice, alice, 555, "ok")
	mustHave(t, joined(out), "案件编号：BQ20261125-", "灞桥区民政局")
	ids, err := db.ChatCases(ctx, alice)
	if err != nil || len(ids) != 1 {
		t.Fatalf("chat cases %v %v", ids, err)
	}
	id := ids[0]

	cards := drain()
	if len(cards) != 1 || cards[0].ChatID != group {
		t.Fatalf("dispatch delivered %+v", cards)
	}
	card := cards[0]
	mustHave(t, card.Text, id, "138****5678", "关键词“低保”属区民政局")

	press(group, 3001, card.id, "a:"+id)
	c, _ := svc.Case(ctx, routing.System, id)
	if c.Status != routing.StatusAccepted {
		t.Fatalf("status %s", c.Status)
	}
	if out := press(group, 3001, card.id, "a:"+id); len(out) != 0 {
		t.Errorf("stale accept sent %+v", out)
	}
	mustHave(t, joined(drain()), "灞桥区民政局签收")

	mustHave(t, joined(say(bob, bob, "/status "+id, 0)), "未找到该案件")
	mustHave(t, joined(say(alice, alice, "/status "+id, 0)), id, "已签收")

	mustHave(t, joined(say(group, 3001, "已责成窗口改正，不再索要该证明。", card.id)), "已答复")
	note := drain()
	mustHave(t, joined(note), "已责成窗口改正")
	rate := buttonData(note, "rt:"+id+":3")
	if rate == "" {
		t.Fatal("no rating buttons")
	}
	if out := press(bob, bob, note[0].id, rate); len(out) != 0 {
		t.Errorf("bob rated: %+v", out)
	}
	mustHave(t, joined(press(alice, alice, note[0].id, rate)), "重新交由")
	c, _ = svc.Case(ctx, routing.System, id)
	if c.Status != routing.StatusReopened {
		t.Errorf("status after 不满意: %s", c.Status)
	}
	events, _ := svc.Events(ctx, routing.System, id)
	var acts []string
	for _, e := range events {
		acts = append(acts, string(e.Action)+"/"+string(e.Actor.Role))
	}
	if got := strings.Join(acts, " "); !strings.Contains(got, "close/system rate/resident reopen/system") {
		t.Errorf("events %s", got)
	}
	out = drain()
	if buttonData(out, "a:"+id) == "" {
		t.Errorf("no reopened card: %s", joined(out))
	}
	mustHave(t, joined(say(ops, 7001, "/case "+id, 0)), id, "138****5678", "重办")
}

func mustHave(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("lacks %q:\n%s", w, got)
		}
	}
}
