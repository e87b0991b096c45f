package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"chengnuo/knowledge"
)

// fakeMessenger records what the dialogs send. SendFn, when set, is called first and may fail.
type fakeMessenger struct {
	mu      sync.Mutex
	sent    []Outgoing
	answers map[string][]string // callback id → toasts (must be exactly one each)
	edits   []edit
	SendFn  func(Outgoing) error
	nextID  int
}

type edit struct {
	chat int64
	msg  int
	rows [][]Button
}

func newMessenger() *fakeMessenger { return &fakeMessenger{answers: map[string][]string{}} }

func (f *fakeMessenger) Send(_ context.Context, m Outgoing) error {
	if err := checkOutgoing(m); err != nil {
		return err
	}
	if f.SendFn != nil {
		if err := f.SendFn(m); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	return nil
}

func (f *fakeMessenger) AnswerCallback(_ context.Context, id, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[id] = append(f.answers[id], text)
	return nil
}

func (f *fakeMessenger) EditButtons(_ context.Context, chat int64, msg int, rows [][]Button) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.edits = append(f.edits, edit{chat, msg, rows})
	return nil
}

// checkOutgoing holds a message to what Telegram accepts: some text, callback data of 1 to
// 64 bytes, and inline buttons never together with a reply keyboard (one reply_markup).
func checkOutgoing(m Outgoing) error {
	if strings.TrimSpace(m.Text) == "" || m.ChatID == 0 {
		return fmt.Errorf("empty message or no chat: %+v", m)
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if b.Text == "" || len(b.Data) == 0 || len(b.Data) > 64 {
				return fmt.Errorf("bad button %+v", b)
			}
		}
	}
	if len(m.Buttons) > 0 && (m.ContactButton != "" || m.RemoveKeyboard) {
		return fmt.Errorf("inline buttons with a reply keyboard: %+v", m)
	}
	return nil
}

// take returns and forgets what was sent so far.
func (f *fakeMessenger) take() []Outgoing {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.sent
	f.sent = nil
	return out
}

// fakeSessions is an in-memory Sessions.
type fakeSessions struct {
	mu       sync.Mutex
	sessions map[int64][2]string
	links    []link
	SaveFn   func(chat int64, state, data string) error
}

type link struct {
	caseID string
	chat   int64
	msg    int
	role   string
}

func newSessions() *fakeSessions { return &fakeSessions{sessions: map[int64][2]string{}} }

func (f *fakeSessions) BotSession(_ context.Context, chat int64) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sessions[chat]
	return s[0], s[1], nil
}

func (f *fakeSessions) SaveBotSession(_ context.Context, chat int64, state, data string) error {
	if f.SaveFn != nil {
		if err := f.SaveFn(chat, state, data); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[chat] = [2]string{state, data}
	return nil
}

func (f *fakeSessions) LinkCaseChat(_ context.Context, id string, chat int64, msg int, role string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links = append(f.links, link{id, chat, msg, role})
	return nil
}

func (f *fakeSessions) ChatCases(_ context.Context, chat int64) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, l := range f.links {
		if l.chat == chat && !slices.Contains(ids, l.caseID) {
			ids = append(ids, l.caseID)
		}
	}
	return ids, nil
}

func (f *fakeSessions) CaseByCardMessage(_ context.Context, chat int64, msg int) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range f.links {
		if l.chat == chat && l.msg == msg {
			return l.caseID, nil
		}
	}
	return "", nil
}

func (f *fakeSessions) state(chat int64) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sessions[chat][0]
}

// fakeAnswerer answers with AskFn, or a canned item answer.
type fakeAnswerer struct {
	AskFn func(q string) knowledge.Answer
}

func (f fakeAnswerer) Ask(q string) knowledge.Answer {
	if f.AskFn != nil {
		return f.AskFn(q)
	}
	if strings.Contains(q, "要求") && strings.Contains(q, "证明") {
		return knowledge.Answer{Kind: knowledge.KindComplaint, Answer: "这项证明已经取消。",
			Items: []knowledge.AnswerItem{{ID: "BQ-0002", Certificate: "无犯罪记录证明", Matter: "最低生活保障审核"}}}
	}
	if strings.Contains(q, "低保") {
		return knowledge.Answer{Kind: knowledge.KindItem, Answer: "【无犯罪记录证明】实行告知承诺制。",
			Items: []knowledge.AnswerItem{{ID: "BQ-0001", Certificate: "无犯罪记录证明", Matter: "最低生活保障审核"}}}
	}
	return knowledge.Answer{Kind: knowledge.KindUnknown, Answer: "没有找到相关证明事项。"}
}

// Chats and users of the tests.
const (
	aliceChat int64 = 1001 // a resident
	bobChat   int64 = 1002 // another resident
	rsjGroup  int64 = -5001
	mzjGroup  int64 = -5002
	opGroup   int64 = -6001
	opUser    int64 = 7001 // an operator in a private chat
	strayChat int64 = -9999
	clerkID   int64 = 3001
)

var testNow = time.Date(2026, 11, 25, 9, 30, 0, 0, shanghai)

// rig is a Handler over fakes.
type rig struct {
	t     *testing.T
	h     *Handler
	msg   *fakeMessenger
	sess  *fakeSessions
	cases *fakeCases
	clock time.Time
	seq   int
}

func newRig(t *testing.T) *rig {
	r := &rig{t: t, msg: newMessenger(), sess: newSessions(), cases: newCases(testNow), clock: testNow, seq: 100}
	r.h = NewHandler(r.msg, r.sess, r.cases, fakeAnswerer{}, Options{
		Departments: map[int64]string{rsjGroup: "rsj", mzjGroup: "mzj"},
		Operators:   map[int64]bool{opGroup: true, opUser: true},
		DeptName: func(code string) string {
			return map[string]string{"rsj": "区人社局", "mzj": "区民政局", "jyj": "区教育局"}[code]
		},
		Now:    func() time.Time { return r.clock },
		Logger: slog.New(slog.DiscardHandler),
	})
	return r
}

func chatKind(chat int64) ChatKind {
	if chat < 0 {
		return ChatGroup
	}
	return ChatPrivate
}

func user(chat int64) User {
	if chat < 0 {
		return User{ID: clerkID, FirstName: "王五", Username: "wangwu"}
	}
	return User{ID: chat, FirstName: "居民"}
}

// say sends text from chat's usual user and returns what the bot sent back.
func (r *rig) say(chat int64, text string) []Outgoing {
	return r.send(&Message{ChatID: chat, ChatKind: chatKind(chat), From: user(chat), Text: text})
}

func (r *rig) send(m *Message) []Outgoing {
	r.t.Helper()
	r.seq++
	if m.ID == 0 {
		m.ID = r.seq
	}
	if m.ChatKind == "" {
		m.ChatKind = chatKind(m.ChatID)
	}
	if err := r.h.Handle(context.Background(), Update{ID: r.seq, Message: m}); err != nil {
		r.t.Fatalf("handle %q: %v", m.Text, err)
	}
	return r.msg.take()
}

// press presses a button with data on message msgID of chat and returns the toast.
func (r *rig) press(chat int64, msgID int, data string) (string, []Outgoing) {
	r.t.Helper()
	r.seq++
	id := fmt.Sprintf("cb%d", r.seq)
	cb := &Callback{ID: id, ChatID: chat, ChatKind: chatKind(chat), MessageID: msgID, From: user(chat), Data: data}
	if err := r.h.Handle(context.Background(), Update{ID: r.seq, Callback: cb}); err != nil {
		r.t.Fatalf("press %q: %v", data, err)
	}
	got := r.msg.answers[id]
	if len(got) != 1 {
		r.t.Fatalf("press %q: callback answered %d times, want 1", data, len(got))
	}
	return got[0], r.msg.take()
}

// texts joins the texts of sent messages.
func texts(out []Outgoing) string {
	var b strings.Builder
	for _, o := range out {
		b.WriteString(o.Text)
		b.WriteString("\n")
	}
	return b.String()
}

// hasButton reports whether any message carries a button with data.
func hasButton(out []Outgoing, data string) bool {
	for _, o := range out {
		for _, row := range o.Buttons {
			for _, b := range row {
				if b.Data == data {
					return true
				}
			}
		}
	}
	return false
}

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("reply lacks %q:\n%s", w, got)
		}
	}
}
