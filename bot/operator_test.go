package bot

import (
	"strings"
	"testing"

	"chengnuo/routing"
)

func TestOperatorForwardAsksForMissingFields(t *testing.T) {
	for _, chat := range []int64{opGroup, opUser} {
		t.Run(chatKindName(chat), func(t *testing.T) {
			r := newRig(t)
			out := r.send(&Message{ChatID: chat, From: User{ID: opUser, FirstName: "话务员"}, Forwarded: true,
				ForwardFrom: "赵六", Text: "我去办低保，街道非要我开无犯罪记录证明"})
			mustContain(t, texts(out), "工单类型")
			for i, ct := range routing.CaseTypes {
				if !hasButton(out, cbOpTypePfx+string(rune('0'+i))) {
					t.Errorf("no %s button", ct)
				}
			}
			from := User{ID: opUser, FirstName: "话务员"}
			press := func(data string) []Outgoing {
				cb := &Callback{ID: "cb" + data, ChatID: chat, ChatKind: chatKind(chat), MessageID: 5, From: from, Data: data}
				if err := r.h.Handle(t.Context(), Update{Callback: cb}); err != nil {
					t.Fatal(err)
				}
				if n := len(r.msg.answers[cb.ID]); n != 1 {
					t.Fatalf("%s answered %d times", data, n)
				}
				return r.msg.take()
			}
			mustContain(t, texts(press(cbOpTypePfx+"2")), "地址")
			out = r.send(&Message{ChatID: chat, From: from, Text: "纺织城街道"})
			mustContain(t, texts(out), "联系电话")
			out = r.send(&Message{ChatID: chat, From: from, Text: "13912345678"})
			if len(r.cases.filed) != 1 {
				t.Fatalf("filed %d", len(r.cases.filed))
			}
			nc := r.cases.filed[0]
			if nc.Channel != routing.ChannelHotline || nc.Type != routing.TypeComplaint || nc.Address != "纺织城街道" ||
				nc.Complainant != (routing.Complainant{Name: "赵六", Phone: "13912345678"}) ||
				nc.Actor.Role != routing.RoleOperator || !strings.HasPrefix(nc.ExternalRef, "tg:") {
				t.Errorf("filed %+v", nc)
			}
			mustContain(t, texts(out), "BQ20261125-0001", "区人社局", "关键词：低保", "签收时限", "答复时限")
			if r.sess.state(chat) != stateOperator || strings.Contains(r.sess.sessions[chat][1], "BQ") {
				t.Errorf("session %v", r.sess.sessions[chat])
			}
		})
	}
}

func chatKindName(chat int64) string {
	if chat < 0 {
		return "group"
	}
	return "private"
}

func TestOperatorPastedTicketFilesAtOnce(t *testing.T) {
	r := newRig(t)
	ticket := "工单编号：BQ12345-20261125-0009\n诉求类型：举报\n来电人：钱七\n联系电话：139 1234 5678\n" +
		"诉求地址：灞桥区席王街道\n诉求内容：某单位要求提供已取消的证明。\n群众希望尽快处理。"
	out := r.say(opGroup, ticket)
	if len(r.cases.filed) != 1 {
		t.Fatalf("asked instead of filing: %s", texts(out))
	}
	nc := r.cases.filed[0]
	if nc.ExternalRef != "BQ12345-20261125-0009" || nc.Type != routing.TypeReport || nc.Address != "灞桥区席王街道" ||
		nc.Complainant.Phone != "13912345678" || nc.Complainant.Name != "钱七" {
		t.Errorf("filed %+v", nc)
	}
	mustContain(t, nc.Text, "已取消的证明", "尽快处理")
	if strings.Contains(nc.Text, "工单编号") {
		t.Errorf("labels kept in text: %q", nc.Text)
	}
	mustContain(t, texts(out), "BQ20261125-0001", "举报")
	// The same ticket again is the same case.
	mustContain(t, texts(r.say(opGroup, ticket)), "之前已登记", "BQ20261125-0001")
	if len(r.cases.cases) != 1 {
		t.Errorf("%d cases", len(r.cases.cases))
	}
}

func TestOperatorTicketSteps(t *testing.T) {
	tests := []struct {
		name  string
		steps []string // typed answers after the forwarded text; "!x" presses button x
		anon  bool
		addr  string
		typ   routing.CaseType
	}{
		{"typed type, skipped address, anonymous", []string{"求助", "!" + cbOpSkip, "!" + cbOpAnon}, true, "", routing.TypeHelp},
		{"button type, typed skip words", []string{"!" + cbOpTypePfx + "4", "跳过", "跳过"}, false, "", routing.TypeSuggestion},
		{"bad type asked again", []string{"随便", "咨询", "某社区", "匿名"}, true, "某社区", routing.TypeConsultation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.say(opGroup, "居民反映社区要求开居住证明")
			for _, s := range tc.steps {
				if strings.HasPrefix(s, "!") {
					r.press(opGroup, 9, s[1:])
				} else {
					r.say(opGroup, s)
				}
			}
			if len(r.cases.filed) != 1 {
				t.Fatalf("filed %d", len(r.cases.filed))
			}
			nc := r.cases.filed[0]
			if nc.Anonymous != tc.anon || nc.Address != tc.addr || nc.Type != tc.typ {
				t.Errorf("filed %+v", nc)
			}
		})
	}
}

func TestOperatorCancelAndBusy(t *testing.T) {
	r := newRig(t)
	r.say(opGroup, "居民反映社区要求开居住证明")
	mustContain(t, texts(r.send(&Message{ChatID: opGroup, From: user(opGroup), Forwarded: true, Text: "另一条"})), "没有登记完")
	mustContain(t, texts(r.say(opGroup, "/cancel")), "已取消")
	mustContain(t, texts(r.say(opGroup, "/cancel")), "没有正在进行")
	r.say(opGroup, "居民反映社区要求开居住证明")
	toast, out := r.press(opGroup, 9, cbOpCancel)
	if toast != btnCancel || !strings.Contains(texts(out), "已取消") {
		t.Errorf("cancel button: %q %s", toast, texts(out))
	}
	toast, _ = r.press(opGroup, 9, cbOpTypePfx+"1")
	if toast != txtFlowExpired || len(r.cases.filed) != 0 {
		t.Errorf("stale type button: %q, %d filed", toast, len(r.cases.filed))
	}
}

func TestOperatorCaseView(t *testing.T) {
	r := newRig(t)
	id := r.fileCase("mzj") // a resident's case, any department
	out := texts(r.say(opGroup, "/case "+id))
	mustContain(t, out, id, "区民政局", "张*", "138****5678", "受理", "签收时限")
	if strings.Contains(out, "13812345678") {
		t.Errorf("full phone shown to operators:\n%s", out)
	}
	r.cases.set(id, func(c *routing.Case) {
		c.Status, c.Reply = routing.StatusReplied, "已电话联系13812345678，张三认可"
	})
	out = texts(r.say(opGroup, "/case "+id))
	mustContain(t, out, "已电话联系138****5678，张*认可")
	if strings.Contains(out, "13812345678") || strings.Contains(out, "张三") {
		t.Errorf("reply shown unmasked to operators:\n%s", out)
	}
	mustContain(t, texts(r.say(opGroup, "/case BQ20261125-9999")), "未找到")
	mustContain(t, texts(r.say(opGroup, "/case")), "用法")
	mustContain(t, texts(r.say(opGroup, "/mycases")), "不认识", "/case")
	mustContain(t, texts(r.say(opGroup, "/start")), "话务员")
	// /case is for operators only: in a resident's chat it is an unknown command.
	got := texts(r.say(bobChat, "/case "+id))
	if strings.Contains(got, "138****5678") || strings.Contains(got, "区民政局") {
		t.Errorf("resident reached /case: %s", got)
	}
}
