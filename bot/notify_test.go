package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"chengnuo/routing"
)

func TestNotifyResident(t *testing.T) {
	tests := []struct {
		action  routing.Action
		status  routing.Status
		reply   string
		rated   routing.Satisfaction
		want    []string
		buttons bool
		none    bool
	}{
		{routing.ActAccept, routing.StatusAccepted, "", "", []string{"已由区教育局签收", "答复"}, false, false},
		{routing.ActGrantExtension, routing.StatusAccepted, "", "", []string{"延期", "新的答复时限"}, false, false},
		{routing.ActReply, routing.StatusReplied, "窗口已改正", "", []string{"已有答复", "窗口已改正", "评价"}, true, false},
		{routing.ActClose, routing.StatusClosed, "窗口已改正", "", []string{"已办结", "评价"}, true, false},
		{routing.ActClose, routing.StatusClosed, "窗口已改正", routing.Satisfied, nil, false, true},
		{routing.ActReopen, routing.StatusReopened, "", "", []string{"重新交由区教育局办理"}, false, false},
		{routing.ActMarkDuplicate, routing.StatusDuplicate, "", "", []string{"合并"}, false, false},
		// Department-only steps never reach the resident.
		{routing.ActDispatch, routing.StatusDispatched, "", "", nil, false, true},
		{routing.ActRemind, routing.StatusDispatched, "", "", nil, false, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.action)+string(tc.rated), func(t *testing.T) {
			r := newRig(t)
			r.cases.DeptFn = func(routing.NewCase) string { return "jyj" } // no group: only the resident
			c, _, _ := r.cases.File(context.Background(), routing.NewCase{Channel: routing.ChannelTelegram,
				ExternalRef: "tg:1001:5", Text: "投诉"})
			r.cases.set(c.ID, func(x *routing.Case) { x.Status, x.Reply, x.Satisfaction = tc.status, tc.reply, tc.rated })
			out := r.notify(c.ID, tc.action, "")
			if tc.none {
				if len(out) != 0 {
					t.Errorf("sent %+v", out)
				}
				return
			}
			if len(out) != 1 || out[0].ChatID != aliceChat || out[0].Key == "" {
				t.Fatalf("sent %+v", out)
			}
			mustContain(t, out[0].Text, append(tc.want, c.ID)...)
			if got := hasButton(out, cbRatePfx+c.ID+":1"); got != tc.buttons {
				t.Errorf("rating buttons %v", got)
			}
		})
	}
}

func TestNotifyIgnoresWhatIsNotOurs(t *testing.T) {
	r := newRig(t)
	payload := func(p routing.Payload) json.RawMessage { b, _ := json.Marshal(p); return b }
	tests := []struct {
		name string
		m    routing.OutboxMessage
	}{
		{"hotline target", routing.OutboxMessage{EventID: "x:1:hotline", Target: "hotline", Payload: payload(routing.Payload{Kind: "accepted"})}},
		{"department without group", routing.OutboxMessage{EventID: "x:1:jyj", Target: "jyj", Payload: payload(routing.Payload{Kind: "reminder"})}},
		{"telegram without chat", routing.OutboxMessage{EventID: "x:1:telegram", Target: "telegram", Payload: payload(routing.Payload{Kind: "accepted", ExternalRef: "chat:1"})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := r.h.Notify(context.Background(), tc.m); err != nil {
				t.Fatal(err)
			}
			if out := r.msg.take(); len(out) != 0 {
				t.Errorf("sent %+v", out)
			}
		})
	}
	if err := r.h.Notify(context.Background(), routing.OutboxMessage{Target: "telegram", Payload: json.RawMessage("{")}); err == nil {
		t.Error("bad payload accepted")
	}
	if !r.h.Delivers("telegram") || !r.h.Delivers("rsj") || r.h.Delivers("jyj") || r.h.Delivers("hotline") {
		t.Error("Delivers")
	}
}

func TestNotifySendFailureIsReturnedForRetry(t *testing.T) {
	r := newRig(t)
	id := r.fileCase("rsj")
	r.msg.SendFn = func(Outgoing) error { return errors.New("telegram down") }
	c := *r.cases.cases[id]
	for _, m := range routing.OutboxFor(&c, routing.Event{CaseID: id, Seq: 3, Action: routing.ActDispatch, At: testNow}) {
		if err := r.h.Notify(context.Background(), m); err == nil {
			t.Error("send failure swallowed")
		}
	}
}

func TestNotifyDepartmentChats(t *testing.T) {
	cfg := routing.DefaultConfig()
	cfg.Departments["rsj"] = routing.DeptConfig{TelegramChat: -1}
	cfg.Departments["mzj"] = routing.DeptConfig{WebhookURL: "https://x"}
	got := DepartmentChats(cfg)
	if len(got) != 1 || got[-1] != "rsj" {
		t.Errorf("DepartmentChats %v", got)
	}
	if len(DepartmentChats(nil)) != 0 {
		t.Error("nil config")
	}
}

// TestNotifyBulletin: the weekly 通报 queued for a department goes to its group as text.
func TestNotifyBulletin(t *testing.T) {
	r := newRig(t)
	body, _ := json.Marshal(routing.Payload{Kind: KindBulletin, Text: "证明事项告知承诺制督查情况通报\n区人社局 收件 2"})
	m := routing.OutboxMessage{EventID: "bulletin:2026-11-16:rsj", Kind: KindBulletin, Target: "rsj", Payload: body}
	if err := r.h.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	out := r.msg.take()
	if len(out) != 1 || !strings.Contains(out[0].Text, "督查情况通报") || out[0].Key != m.EventID || len(out[0].Buttons) != 0 {
		t.Fatalf("sent %+v", out)
	}
}
