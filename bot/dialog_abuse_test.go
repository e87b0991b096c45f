package bot

import (
	"strings"
	"testing"
	"time"

	"chengnuo/knowledge"
)

func TestAbuseRateLimit(t *testing.T) {
	r := newRig(t)
	asked := 0
	r.h.answers = fakeAnswerer{AskFn: func(string) knowledge.Answer {
		asked++
		return knowledge.Answer{Kind: knowledge.KindUnknown, Answer: "不知道"}
	}}
	for i := 0; i < DefaultRateBurst; i++ {
		if out := r.say(aliceChat, "问题"); strings.Contains(texts(out), txtRateLimited) {
			t.Fatalf("limited at message %d", i+1)
		}
	}
	mustContain(t, texts(r.say(aliceChat, "问题")), txtRateLimited)
	if out := r.say(aliceChat, "问题"); len(out) != 0 {
		t.Errorf("told twice: %+v", out)
	}
	if asked != DefaultRateBurst {
		t.Errorf("answered %d questions", asked)
	}
	// Another user is not affected.
	if got := texts(r.say(bobChat, "问题")); !strings.Contains(got, "不知道") {
		t.Errorf("bob limited: %s", got)
	}
	// Button presses are answered, politely, while limited.
	toast, _ := r.press(aliceChat, 1, cbNotSolved)
	if toast != txtRateLimited {
		t.Errorf("callback toast %q", toast)
	}
	// Tokens come back with time: 3 seconds is one message at 20 per minute.
	r.clock = r.clock.Add(3 * time.Second)
	mustContain(t, texts(r.say(aliceChat, "问题")), "不知道")
	r.clock = r.clock.Add(time.Minute)
	for i := 0; i < DefaultRateBurst; i++ {
		if out := r.say(aliceChat, "问题"); strings.Contains(texts(out), txtRateLimited) {
			t.Fatalf("limited at message %d after a minute", i+1)
		}
	}
}

func TestAbuseGroupChatterIsNotLimited(t *testing.T) {
	r := newRig(t)
	for i := 0; i < 3*DefaultRateBurst; i++ {
		if out := r.say(rsjGroup, "大家好"); len(out) != 0 {
			t.Fatalf("group chatter answered: %+v", out)
		}
	}
	mustContain(t, texts(r.say(rsjGroup, "/help")), "/overdue")
	for i := 1; i < DefaultRateBurst; i++ {
		r.say(rsjGroup, "/help")
	}
	mustContain(t, texts(r.say(rsjGroup, "/help")), txtRateLimited)
}

func TestAbuseRateLimiterBucket(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewRateLimiter(2, time.Second, func() time.Time { return now })
	steps := []struct {
		advance       time.Duration
		allowed, warn bool
	}{
		{0, true, false}, {0, true, false}, {0, false, true}, {0, false, false},
		{500 * time.Millisecond, true, false}, {0, false, true},
		{10 * time.Second, true, false}, {0, true, false}, {0, false, true},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if a, w := l.Allow(1); a != s.allowed || w != s.warn {
			t.Errorf("step %d: allowed %v warn %v, want %v %v", i, a, w, s.allowed, s.warn)
		}
	}
	var nilLimiter *RateLimiter
	if a, _ := nilLimiter.Allow(1); !a {
		t.Error("nil limiter refuses")
	}
}

func TestAbuseSizeLimit(t *testing.T) {
	long := strings.Repeat("证", DefaultMaxTextRunes+1)
	tests := []struct {
		name  string
		chat  int64
		text  string
		reply bool
	}{
		{"resident", aliceChat, long, true},
		{"resident at the limit", aliceChat, strings.Repeat("证", DefaultMaxTextRunes), false},
		{"operator", opGroup, long, true},
		{"department chatter stays silent", rsjGroup, long, false},
		{"department command", rsjGroup, "/reply X " + long, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			asked := false
			r.h.answers = fakeAnswerer{AskFn: func(string) knowledge.Answer { asked = true; return knowledge.Answer{Answer: "答"} }}
			got := texts(r.say(tc.chat, tc.text))
			if tc.reply != strings.Contains(got, "太长") {
				t.Errorf("reply %q", got)
			}
			if tc.reply && (asked || len(r.cases.filed) > 0) {
				t.Error("an oversized message went on")
			}
		})
	}
	// Inside the complaint flow, a field has its own, smaller, limit.
	r := newRig(t)
	r.say(aliceChat, "我要投诉")
	mustContain(t, texts(r.say(aliceChat, strings.Repeat("办", maxFieldRunes+1))), "以内")
	if r.sess.state(aliceChat) != stepErrand {
		t.Errorf("state %q", r.sess.state(aliceChat))
	}
}

func TestAbuseUnknownCommandsAndOddMessages(t *testing.T) {
	tests := []struct {
		name string
		chat int64
		msg  Message
		want string // "" for silence
	}{
		{"resident unknown command", aliceChat, Message{Text: "/rm -rf"}, "不认识这个命令"},
		{"operator unknown command", opGroup, Message{Text: "/drop"}, "不认识这个命令"},
		{"department unknown command", rsjGroup, Message{Text: "/drop"}, "不认识这个命令"},
		{"resident sticker", aliceChat, Message{}, "/mycases"},
		{"bot sender ignored", aliceChat, Message{Text: "/start", From: User{ID: 1, IsBot: true}}, ""},
		{"channel ignored", -100, Message{Text: "/start", ChatKind: ChatChannel}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			m := tc.msg
			m.ChatID = tc.chat
			if m.From.ID == 0 {
				m.From = user(tc.chat)
			}
			got := texts(r.send(&m))
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAbuseConcurrentChatsKeepTheirOwnSessions(t *testing.T) {
	r := newRig(t)
	done := make(chan bool)
	for _, chat := range []int64{aliceChat, bobChat} {
		go func() {
			for i := 0; i < 5; i++ {
				_ = r.h.Handle(t.Context(), Update{Message: &Message{ID: i + 1, ChatID: chat, ChatKind: ChatPrivate,
					From: user(chat), Text: "我要投诉"}})
			}
			done <- true
		}()
	}
	<-done
	<-done
	if r.sess.state(aliceChat) != stepContact || r.sess.state(bobChat) != stepContact { // 我要投诉, then four answers
		t.Errorf("states %q %q", r.sess.state(aliceChat), r.sess.state(bobChat))
	}
	if len(r.h.locks) != 0 {
		t.Errorf("%d chat locks left", len(r.h.locks))
	}
}
