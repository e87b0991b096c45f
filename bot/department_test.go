package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"chengnuo/routing"
)

// notify runs the outbox messages that action on case id produces (as the service would
// write them) through Notify, and returns what was sent.
func (r *rig) notify(id string, action routing.Action, reason string) []Outgoing {
	r.t.Helper()
	r.cases.mu.Lock()
	c := *r.cases.cases[id]
	r.cases.mu.Unlock()
	c.Version++
	msgs := routing.OutboxFor(&c, routing.Event{CaseID: id, Seq: c.Version, Action: action, At: r.clock, Reason: reason,
		Actor: routing.System, ToStatus: c.Status})
	for _, m := range msgs {
		if err := r.h.Notify(context.Background(), m); err != nil {
			r.t.Fatalf("notify %s: %v", m.EventID, err)
		}
	}
	return r.msg.take()
}

// fileCase files a hotline case straight into the fake service, for department tests.
func (r *rig) fileCase(dept string) string {
	r.t.Helper()
	r.cases.DeptFn = func(routing.NewCase) string { return dept }
	r.seq++
	c, _, err := r.cases.File(context.Background(), routing.NewCase{Channel: routing.ChannelTelegram,
		ExternalRef: fmt.Sprintf("tg:%d:%d", aliceChat, r.seq), Text: "办低保时街道要求开无犯罪记录证明，电话13812345678，我叫张三",
		Complainant: routing.Complainant{Name: "张三", Phone: "13812345678"}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.sess.LinkCaseChat(context.Background(), c.ID, aliceChat, r.seq, RoleResidentChat)
	return c.ID
}

const cardMsg = 4242

// card delivers the dispatch card of id to its group and links it as the sender would.
func (r *rig) card(id string) Outgoing {
	r.t.Helper()
	out := r.notify(id, routing.ActDispatch, "")
	if len(out) != 1 {
		r.t.Fatalf("dispatch sent %d messages", len(out))
	}
	if l := out[0].Link; l != nil {
		r.sess.LinkCaseChat(context.Background(), l.CaseID, out[0].ChatID, cardMsg, l.Role)
	}
	return out[0]
}

// TestDepartmentNoticeMasksReason: a reason shown in a group (a return) has the numbers
// typed into it masked.
func TestDepartmentNoticeMasksReason(t *testing.T) {
	r := newRig(t)
	id := r.fileCase("rsj")
	out := r.notify(id, routing.ActReturn, "来电人13812345678所述事项不属本单位")
	if len(out) != 1 || !strings.Contains(out[0].Text, "138****5678") || strings.Contains(out[0].Text, "13812345678") {
		t.Errorf("notice: %+v", out)
	}
}

func TestDepartmentCard(t *testing.T) {
	r := newRig(t)
	id := r.fileCase("rsj")
	card := r.card(id)
	if card.ChatID != rsjGroup || card.Key != id+":3:rsj" {
		t.Errorf("card to %d key %q", card.ChatID, card.Key)
	}
	mustContain(t, card.Text, id, "投诉", "138****5678", "签收时限", "答复时限", "BQ-0001", "关键词：低保", "办低保",
		"电话138****5678，我叫张*")
	if strings.Contains(card.Text, "13812345678") || strings.Contains(card.Text, "张三") {
		t.Errorf("card shows the full phone or name, typed into the text or not:\n%s", card.Text)
	}
	if !hasButton([]Outgoing{card}, "a:"+id) || !hasButton([]Outgoing{card}, "r:"+id) {
		t.Errorf("card buttons %+v", card.Buttons)
	}
	if card.Link == nil || card.Link.CaseID != id || card.Link.Role != RoleDepartmentChat {
		t.Errorf("card link %+v", card.Link)
	}
	// A case of a department without a group shows nowhere; nor in another group.
	other := r.fileCase("jyj")
	if out := r.notify(other, routing.ActDispatch, ""); len(out) != 0 {
		t.Errorf("unbound department's card sent: %+v", out)
	}
}

func TestDepartmentAcceptReplyAndStaleButtons(t *testing.T) {
	r := newRig(t)
	id := r.fileCase("rsj")
	r.card(id)

	// Replying before accepting is refused with a hint.
	out := r.send(&Message{ChatID: rsjGroup, From: user(rsjGroup), Text: "已处理", ReplyToID: cardMsg})
	mustContain(t, texts(out), "请先点击卡片上的“签收”")

	toast, out := r.press(rsjGroup, cardMsg, "a:"+id)
	if toast != txtAccepted {
		t.Errorf("toast %q", toast)
	}
	if r.cases.status(id) != routing.StatusAccepted || !strings.Contains(r.cases.calls[len(r.cases.calls)-1], "department:rsj/@wangwu") {
		t.Errorf("status %s calls %v", r.cases.status(id), r.cases.calls)
	}
	mustContain(t, texts(out), id, "@wangwu", "签收")
	if e := r.msg.edits[len(r.msg.edits)-1]; e.chat != rsjGroup || e.msg != cardMsg || e.rows != nil {
		t.Errorf("card buttons not removed: %+v", e)
	}

	// The resident hears of it.
	out = r.notify(id, routing.ActAccept, "")
	if len(out) != 1 || out[0].ChatID != aliceChat {
		t.Fatalf("accepted notification %+v", out)
	}
	mustContain(t, out[0].Text, id, "区人社局", "签收")

	// Stale buttons: the case moved on.
	for _, data := range []string{"a:" + id, "r:" + id} {
		edits := len(r.msg.edits)
		toast, _ = r.press(rsjGroup, cardMsg, data)
		if data == "a:"+id && toast != txtStateChanged {
			t.Errorf("%s toast %q", data, toast)
		}
		if data == "a:"+id && len(r.msg.edits) == edits {
			t.Errorf("%s: buttons not removed", data)
		}
	}

	// A Telegram reply to the card answers the case.
	out = r.send(&Message{ChatID: rsjGroup, From: user(rsjGroup), Text: "经核实，已告知窗口不再索要该证明。", ReplyToID: cardMsg})
	mustContain(t, texts(out), id, "已答复")
	if r.cases.status(id) != routing.StatusReplied {
		t.Fatalf("status %s", r.cases.status(id))
	}
	out = r.notify(id, routing.ActReply, "")
	mustContain(t, texts(out), "经核实", "评价")
	if !hasButton(out, cbRatePfx+id+":3") {
		t.Error("no rating buttons after the reply")
	}
	// Once replied, the card's buttons are stale.
	toast, _ = r.press(rsjGroup, cardMsg, "r:"+id)
	if toast != txtStateChanged {
		t.Errorf("return after reply toast %q", toast)
	}
	out = r.send(&Message{ChatID: rsjGroup, From: user(rsjGroup), Text: "再答复一次", ReplyToID: cardMsg})
	mustContain(t, texts(out), "不能再答复")
}

func TestDepartmentReturn(t *testing.T) {
	t.Run("with a reason", func(t *testing.T) {
		r := newRig(t)
		id := r.fileCase("rsj")
		r.card(id)
		toast, out := r.press(rsjGroup, cardMsg, "r:"+id)
		if toast != txtReturnAsk {
			t.Errorf("toast %q", toast)
		}
		mustContain(t, texts(out), "退回", id, "理由")
		if out[0].ReplyToID != cardMsg {
			t.Error("prompt does not reply to the card")
		}
		// Another clerk's chatter is not the reason.
		other := &Message{ChatID: rsjGroup, From: User{ID: 3999, FirstName: "李四"}, Text: "收到"}
		if out := r.send(other); len(out) != 0 || r.cases.status(id) != routing.StatusDispatched {
			t.Errorf("another clerk's message acted: %+v", out)
		}
		out = r.send(&Message{ChatID: rsjGroup, From: user(rsjGroup), Text: "该事项属于区民政局职责", ReplyToID: 99})
		mustContain(t, texts(out), "已退回", "区民政局职责")
		if r.cases.status(id) != routing.StatusReturned {
			t.Errorf("status %s", r.cases.status(id))
		}
		removed := false
		for _, e := range r.msg.edits {
			removed = removed || (e.msg == cardMsg && e.rows == nil)
		}
		if !removed {
			t.Error("card buttons kept after return")
		}
		if out := r.say(rsjGroup, "好的"); len(out) != 0 {
			t.Errorf("pending return not cleared: %+v", out)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		r := newRig(t)
		id := r.fileCase("rsj")
		r.card(id)
		r.press(rsjGroup, cardMsg, "r:"+id)
		mustContain(t, texts(r.say(rsjGroup, "/cancel")), "已取消退回")
		if out := r.say(rsjGroup, "随便说说"); len(out) != 0 || r.cases.status(id) != routing.StatusDispatched {
			t.Errorf("after cancel: %+v, %s", out, r.cases.status(id))
		}
	})
	t.Run("case moved on meanwhile", func(t *testing.T) {
		r := newRig(t)
		id := r.fileCase("rsj")
		r.card(id)
		r.press(rsjGroup, cardMsg, "r:"+id)
		r.cases.set(id, func(c *routing.Case) { c.Status = routing.StatusReplied })
		mustContain(t, texts(r.say(rsjGroup, "不归我们管")), txtStateChanged)
	})
}

func TestDepartmentOnlyItsOwnGroup(t *testing.T) {
	r := newRig(t)
	id := r.fileCase("rsj")
	r.card(id)
	tests := []struct {
		name  string
		chat  int64
		kind  ChatKind
		data  string
		toast string
	}{
		{"another department's group", mzjGroup, ChatGroup, "a:" + id, txtNotOurs},
		{"another department's group returns", mzjGroup, ChatGroup, "r:" + id, txtNotOurs},
		{"clerk's private chat", clerkID, ChatPrivate, "a:" + id, txtFlowExpired},
		{"unbound group", strayChat, ChatGroup, "a:" + id, txtUnboundGroup},
		{"forged id", rsjGroup, ChatGroup, "a:BQ20261125-9999", txtNotOurs},
		{"garbage", rsjGroup, ChatGroup, "zz", txtFlowExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.seq++
			cbID := "x" + tc.name
			err := r.h.Handle(context.Background(), Update{Callback: &Callback{ID: cbID, ChatID: tc.chat, ChatKind: tc.kind,
				MessageID: cardMsg, From: User{ID: clerkID, Username: "wangwu"}, Data: tc.data}})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.msg.answers[cbID]; len(got) != 1 || got[0] != tc.toast {
				t.Errorf("answers %q, want one %q", got, tc.toast)
			}
			if r.cases.status(id) != routing.StatusDispatched {
				t.Fatalf("status %s", r.cases.status(id))
			}
			r.msg.take()
		})
	}
	// A reply to the card from another group does not reach the case.
	out := r.send(&Message{ChatID: mzjGroup, From: user(mzjGroup), Text: "已处理", ReplyToID: cardMsg})
	if len(out) != 0 || r.cases.status(id) != routing.StatusDispatched {
		t.Errorf("other group's reply acted: %+v", out)
	}
	out = r.say(mzjGroup, "/reply "+id+" 已处理")
	mustContain(t, texts(out), txtNotOursMsg)
}

type fakeMembers struct {
	IsMemberFn func(chat, user int64) bool
}

func (f fakeMembers) IsMember(_ context.Context, chat, user int64) bool {
	return f.IsMemberFn(chat, user)
}

func TestDepartmentMembership(t *testing.T) {
	r := newRig(t)
	r.h.opt.Members = fakeMembers{IsMemberFn: func(chat, user int64) bool { return user != clerkID }}
	id := r.fileCase("rsj")
	r.card(id)
	toast, _ := r.press(rsjGroup, cardMsg, "a:"+id)
	if toast != txtNotMember || r.cases.status(id) != routing.StatusDispatched {
		t.Errorf("non-member accepted: %q %s", toast, r.cases.status(id))
	}
}

func TestDepartmentCommands(t *testing.T) {
	r := newRig(t)
	id := r.fileCase("rsj")
	r.card(id)
	mustContain(t, texts(r.say(rsjGroup, "/help")), "区人社局", "/overdue")
	mustContain(t, texts(r.say(rsjGroup, "/overdue")), "没有超期")
	mustContain(t, texts(r.say(rsjGroup, "/nope")), "不认识", "/overdue")
	r.h.opt.BotUsername = "chengnuo_bot"
	if out := r.say(rsjGroup, "/help@otherbot"); len(out) != 0 {
		t.Errorf("answered another bot's command: %+v", out)
	}
	mustContain(t, texts(r.say(rsjGroup, "/help@Chengnuo_Bot")), "/overdue")

	r.clock = testNow.Add(30 * time.Hour) // past the accept deadline
	mustContain(t, texts(r.say(rsjGroup, "/overdue")), id, "未按时签收")
	r.press(rsjGroup, cardMsg, "a:"+id)
	r.clock = testNow.Add(6 * 24 * time.Hour)
	mustContain(t, texts(r.say(rsjGroup, "/overdue")), id, "未按时答复")
	// mzj has none of rsj's cases.
	mustContain(t, texts(r.say(mzjGroup, "/overdue")), "没有超期")

	mustContain(t, texts(r.say(rsjGroup, "/reply")), "用法")
	mustContain(t, texts(r.say(rsjGroup, "/reply "+id+" 已经协调窗口改正")), "已答复")
	if r.cases.status(id) != routing.StatusReplied {
		t.Errorf("status %s", r.cases.status(id))
	}
}

func TestDepartmentNoticesAppearInGroup(t *testing.T) {
	r := newRig(t)
	id := r.fileCase("rsj")
	tests := []struct {
		action routing.Action
		status routing.Status
		want   []string
	}{
		{routing.ActRemind, routing.StatusDispatched, []string{"催办", id, "签收", "2026年11月26日"}},
		{routing.ActMarkOverdue, routing.StatusAccepted, []string{"超期", id, "答复"}},
		{routing.ActEscalate, routing.StatusAccepted, []string{"督办", id}},
		{routing.ActGrantExtension, routing.StatusAccepted, []string{"延期", id}},
		{routing.ActClose, routing.StatusClosed, []string{"办结", id}},
		{routing.ActReopen, routing.StatusReopened, []string{"重办", id, "签收时限"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.action), func(t *testing.T) {
			r.cases.set(id, func(c *routing.Case) { c.Status = tc.status })
			var inGroup []Outgoing
			for _, o := range r.notify(id, tc.action, "") {
				if o.ChatID == rsjGroup {
					inGroup = append(inGroup, o)
				}
			}
			if len(inGroup) != 1 {
				t.Fatalf("group got %d messages", len(inGroup))
			}
			mustContain(t, inGroup[0].Text, tc.want...)
			if tc.action == routing.ActReopen && (!hasButton(inGroup, "a:"+id) || hasButton(inGroup, "r:"+id)) {
				t.Errorf("reopened card buttons %+v", inGroup[0].Buttons)
			}
		})
	}
}

func TestDepartmentUnboundGroup(t *testing.T) {
	r := newRig(t)
	mustContain(t, texts(r.say(strayChat, "大家好")), "尚未绑定")
	if out := r.say(strayChat, "今天开会"); len(out) != 0 {
		t.Errorf("chatter answered twice: %+v", out)
	}
	mustContain(t, texts(r.say(strayChat, "/start")), "尚未绑定")
}
