package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"chengnuo/knowledge"
	"chengnuo/routing"
)

func TestResidentConversation(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    []string
		buttons []string
		notWant []string
	}{
		{"start", "/start", []string{"证明事项", "清单样本", "/mycases", "投诉"}, nil, nil},
		{"help", "/help", []string{"/status"}, nil, nil},
		{"item question", "办低保要无犯罪证明吗", []string{"告知承诺制", "我要投诉"}, []string{cbComplain, cbNotSolved}, nil},
		{"complaint question", "窗口要求我开无犯罪证明", []string{"已经取消", "登记投诉"}, []string{cbComplain, cbNotSolved}, nil},
		{"unknown question", "今天天气怎么样", []string{"没有找到"}, []string{cbComplain, cbNotSolved}, nil},
		{"unknown command", "/frobnicate", []string{"不认识这个命令", "/mycases"}, nil, nil},
		{"cancel with nothing", "/cancel", []string{"没有正在进行"}, nil, nil},
		{"status without id", "/status", []string{"/status BQ"}, nil, nil},
		{"mycases empty", "/mycases", []string{"还没有"}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			out := r.say(aliceChat, tc.text)
			if len(out) == 0 {
				t.Fatal("no reply")
			}
			mustContain(t, texts(out), tc.want...)
			for _, b := range tc.buttons {
				if !hasButton(out, b) {
					t.Errorf("no button %q", b)
				}
			}
			for _, o := range out {
				if o.ChatID != aliceChat {
					t.Errorf("sent to chat %d", o.ChatID)
				}
				for _, row := range o.Buttons {
					for _, b := range row {
						if len(b.Data) > 64 {
							t.Errorf("callback data over 64 bytes: %q", b.Data)
						}
					}
				}
			}
		})
	}
}

func TestResidentNotSolvedOffersHotlineAndComplaint(t *testing.T) {
	r := newRig(t)
	r.say(aliceChat, "办低保要无犯罪证明吗")
	toast, out := r.press(aliceChat, 1, cbNotSolved)
	if toast != "" {
		t.Errorf("toast %q", toast)
	}
	mustContain(t, texts(out), "12345", "我要投诉")
	if !hasButton(out, cbComplain) {
		t.Error("no 我要投诉 button")
	}
}

// summaryMsg stands for the id of the summary message: the fake sender does not number
// what it sends, so a test presses buttons on ids of its choosing.
const summaryMsg = 555

// walkToConfirm runs the flow from 我要投诉 to the summary with typed answers.
func walkToConfirm(t *testing.T, r *rig, chat int64) []Outgoing {
	t.Helper()
	r.say(chat, "我要投诉")
	r.say(chat, "申请低保")
	r.say(chat, "某某街道便民服务中心")
	r.say(chat, "无犯罪记录证明")
	r.say(chat, "纺织城街道")
	return r.say(chat, "13812345678")
}

func TestResidentComplaintFlowWithSuggestionsAndContact(t *testing.T) {
	r := newRig(t)
	r.say(aliceChat, "窗口要求我开无犯罪证明")
	_, out := r.press(aliceChat, 1, cbComplain)
	mustContain(t, texts(out), "1/5", "办理什么")
	if !hasButton(out, cbSuggested) || !strings.Contains(out[0].Buttons[0][0].Text, "最低生活保障审核") {
		t.Fatalf("errand step lacks the suggestion: %+v", out)
	}
	_, out = r.press(aliceChat, 2, cbSuggested)
	mustContain(t, texts(out), "2/5")
	out = r.say(aliceChat, "区某窗口")
	mustContain(t, texts(out), "3/5")
	if !hasButton(out, cbSuggested) {
		t.Fatal("certificate step lacks the suggestion")
	}
	_, out = r.press(aliceChat, 3, cbSuggested)
	mustContain(t, texts(out), "4/5")
	_, out = r.press(aliceChat, 4, cbSkip)
	mustContain(t, texts(out), "5/5")
	var contactKeyboard bool
	for _, o := range out {
		contactKeyboard = contactKeyboard || o.ContactButton != ""
	}
	if !contactKeyboard {
		t.Error("contact step offers no share-my-number keyboard")
	}
	out = r.send(&Message{ChatID: aliceChat, From: user(aliceChat), Contact: &Contact{Phone: "+86 138-1234-5678", UserID: aliceChat}})
	if !out[0].RemoveKeyboard {
		t.Error("the contact keyboard is not removed after the contact step")
	}
	sum := texts(out)
	mustContain(t, sum, "最低生活保障审核", "区某窗口", "无犯罪记录证明", "13812345678", "窗口要求我开无犯罪证明")
	if !hasButton(out, cbConfirm) || !hasButton(out, cbEdit) || !hasButton(out, cbCancel) {
		t.Fatal("summary lacks 确认提交 / 修改 / 取消")
	}

	toast, out := r.press(aliceChat, summaryMsg, cbConfirm)
	if toast != "" {
		t.Errorf("toast %q", toast)
	}
	if len(r.cases.filed) != 1 {
		t.Fatalf("filed %d cases", len(r.cases.filed))
	}
	nc := r.cases.filed[0]
	if nc.Channel != routing.ChannelTelegram || nc.ExternalRef != fmt.Sprintf("tg:%d:%d", aliceChat, summaryMsg) ||
		nc.Type != routing.TypeComplaint || nc.Complainant.Phone != "13812345678" || nc.Anonymous ||
		nc.Actor.Role != routing.RoleResident {
		t.Errorf("filed %+v", nc)
	}
	mustContain(t, nc.Text, "最低生活保障审核", "区某窗口", "无犯罪记录证明")
	mustContain(t, texts(out), "BQ20261125-0001", "区人社局", "签收时限", "答复时限", "2026年11月26日")
	if ids, _ := r.sess.ChatCases(context.Background(), aliceChat); len(ids) != 1 || ids[0] != "BQ20261125-0001" {
		t.Errorf("chat cases %v", ids)
	}
	if r.sess.state(aliceChat) != "" {
		t.Errorf("session left in %q", r.sess.state(aliceChat))
	}
	// The summary's buttons went; pressing again is stale and files nothing.
	toast, _ = r.press(aliceChat, summaryMsg, cbConfirm)
	if toast != txtFlowExpired || len(r.cases.filed) != 1 {
		t.Errorf("second confirm: toast %q, %d filed", toast, len(r.cases.filed))
	}
}

func TestResidentConfirmIsIdempotent(t *testing.T) {
	r := newRig(t)
	d := draft{Errand: "入学", Office: "某小学", Cert: "居住证明"}
	ctx := context.Background()
	if err := r.h.fileComplaint(ctx, aliceChat, 9, user(aliceChat), d); err != nil {
		t.Fatal(err)
	}
	if err := r.h.fileComplaint(ctx, aliceChat, 9, user(aliceChat), d); err != nil {
		t.Fatal(err)
	}
	out := r.msg.take()
	if len(r.cases.cases) != 1 {
		t.Fatalf("%d cases for one summary", len(r.cases.cases))
	}
	mustContain(t, out[1].Text, "之前已经登记", "BQ20261125-0001")
}

func TestResidentCancelAtEveryStep(t *testing.T) {
	// answers[i] takes the flow from step i to step i+1.
	answers := []string{"申请低保", "某窗口", "无犯罪记录证明", "跳过", "匿名"}
	steps := []string{stepErrand, stepOffice, stepCert, stepPlace, stepContact, stepConfirm}
	for i, step := range steps {
		for _, how := range []string{"command", "button"} {
			t.Run(step+"/"+how, func(t *testing.T) {
				r := newRig(t)
				r.say(aliceChat, "我要投诉")
				for _, a := range answers[:i] {
					r.say(aliceChat, a)
				}
				if got := r.sess.state(aliceChat); got != step {
					t.Fatalf("at %q, want %q", got, step)
				}
				var out []Outgoing
				if how == "command" {
					out = r.say(aliceChat, "/cancel")
				} else {
					var toast string
					toast, out = r.press(aliceChat, 7, cbCancel)
					if toast != btnCancel {
						t.Errorf("toast %q", toast)
					}
				}
				mustContain(t, texts(out), "已取消")
				if !out[len(out)-1].RemoveKeyboard {
					t.Error("cancel leaves the contact keyboard")
				}
				if st := r.sess.state(aliceChat); st != "" {
					t.Errorf("state %q after cancel", st)
				}
				if len(r.cases.filed) != 0 {
					t.Error("a cancelled complaint was filed")
				}
				// Back to questions.
				mustContain(t, texts(r.say(aliceChat, "办低保要无犯罪证明吗")), "告知承诺制")
			})
		}
	}
}

func TestResidentContactChoices(t *testing.T) {
	tests := []struct {
		name      string
		input     func(r *rig) []Outgoing
		phone     string
		anonymous bool
	}{
		{"typed number", func(r *rig) []Outgoing { return r.say(aliceChat, "029-8888 6666") }, "02988886666", false},
		{"anonymous button", func(r *rig) []Outgoing { _, o := r.press(aliceChat, 8, cbAnonymous); return o }, "", true},
		{"anonymous typed", func(r *rig) []Outgoing { return r.say(aliceChat, "匿名") }, "", true},
		{"no phone", func(r *rig) []Outgoing { _, o := r.press(aliceChat, 8, cbSkip); return o }, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.say(aliceChat, "我要投诉")
			for _, a := range []string{"申请低保", "某窗口", "无犯罪记录证明", "跳过"} {
				r.say(aliceChat, a)
			}
			tc.input(r)
			if r.sess.state(aliceChat) != stepConfirm {
				t.Fatalf("state %q", r.sess.state(aliceChat))
			}
			r.press(aliceChat, summaryMsg, cbConfirm)
			nc := r.cases.filed[0]
			if nc.Complainant.Phone != tc.phone || nc.Anonymous != tc.anonymous {
				t.Errorf("phone %q anonymous %v", nc.Complainant.Phone, nc.Anonymous)
			}
			if tc.anonymous && nc.Complainant != (routing.Complainant{}) {
				t.Errorf("anonymous case carries %+v", nc.Complainant)
			}
		})
	}
	t.Run("bad number asks again", func(t *testing.T) {
		r := newRig(t)
		r.say(aliceChat, "我要投诉")
		for _, a := range []string{"申请低保", "某窗口", "无犯罪记录证明", "跳过"} {
			r.say(aliceChat, a)
		}
		for _, bad := range []string{"打我电话", "1381234", "88886666"} { // words, too short, no area code
			mustContain(t, texts(r.say(aliceChat, bad)), "号码看起来不对", "029-88886666")
			if r.sess.state(aliceChat) != stepContact {
				t.Errorf("after %q: state %q", bad, r.sess.state(aliceChat))
			}
		}
	})
}

func TestResidentEditBeforeConfirm(t *testing.T) {
	r := newRig(t)
	walkToConfirm(t, r, aliceChat)
	_, out := r.press(aliceChat, summaryMsg, cbEdit)
	if !hasButton(out, cbEdit+":o") {
		t.Fatal("no field choice")
	}
	_, out = r.press(aliceChat, summaryMsg+1, cbEdit+":o")
	mustContain(t, texts(out), "哪个单位")
	out = r.say(aliceChat, "区教育局某窗口")
	mustContain(t, texts(out), "请核对", "区教育局某窗口", "纺织城街道", "13812345678")
	if r.sess.state(aliceChat) != stepConfirm {
		t.Errorf("state %q", r.sess.state(aliceChat))
	}
	// A stale button of an earlier step does nothing.
	toast, _ := r.press(aliceChat, 3, cbSkip)
	if toast != txtFlowExpired {
		t.Errorf("stale button toast %q", toast)
	}
}

func TestResidentIsolation(t *testing.T) {
	r := newRig(t)
	walkToConfirm(t, r, aliceChat)
	r.press(aliceChat, summaryMsg, cbConfirm)
	id := "BQ20261125-0001"
	r.cases.set(id, func(c *routing.Case) { c.Status, c.Reply = routing.StatusReplied, "已处理" })

	own := texts(r.say(aliceChat, "/status "+strings.ToLower(id)))
	mustContain(t, own, id, "已答复", "已处理")

	for _, probe := range []string{"/status " + id, "/status BQ20261125-9999", "/status ../../etc"} {
		got := texts(r.say(bobChat, probe))
		if !strings.Contains(got, txtNotFound) || strings.Contains(got, "已处理") || strings.Contains(got, "区人社局") {
			t.Errorf("bob %q → %q", probe, got)
		}
	}
	mustContain(t, texts(r.say(bobChat, "/mycases")), "还没有")
	toast, out := r.press(bobChat, 1, cbRatePfx+id+":3")
	if toast != txtNotFound || len(out) != 0 || r.cases.status(id) != routing.StatusReplied {
		t.Errorf("bob rated alice's case: toast %q, status %s", toast, r.cases.status(id))
	}
	// Typing the id as a question goes to the answerer, never to the case.
	if got := texts(r.say(bobChat, id)); strings.Contains(got, "已处理") {
		t.Errorf("case text leaked: %q", got)
	}
	mustContain(t, texts(r.say(aliceChat, "/mycases")), id, "已答复")
}

func TestResidentRating(t *testing.T) {
	tests := []struct {
		code   string
		status routing.Status
		want   []string
		calls  []string
	}{
		{"1", routing.StatusClosed, []string{"满意", "办结"}, []string{"close", "rate"}},
		{"2", routing.StatusClosed, []string{"基本满意"}, []string{"close", "rate"}},
		{"3", routing.StatusReopened, []string{"不满意", "重新交由区人社局"}, []string{"close", "rate", "reopen"}},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			r := newRig(t)
			walkToConfirm(t, r, aliceChat)
			r.press(aliceChat, summaryMsg, cbConfirm)
			id := "BQ20261125-0001"
			r.cases.set(id, func(c *routing.Case) { c.Status, c.Reply = routing.StatusReplied, "已处理" })
			toast, out := r.press(aliceChat, 900, cbRatePfx+id+":"+tc.code)
			if toast != txtThanks {
				t.Errorf("toast %q", toast)
			}
			mustContain(t, texts(out), tc.want...)
			if got := r.cases.status(id); got != tc.status {
				t.Errorf("status %s, want %s", got, tc.status)
			}
			var names []string
			for _, c := range r.cases.calls {
				names = append(names, strings.Fields(c)[0])
			}
			if strings.Join(names, ",") != strings.Join(tc.calls, ",") {
				t.Errorf("calls %v, want %v", r.cases.calls, tc.calls)
			}
			if !strings.Contains(strings.Join(r.cases.calls, ";"), "rate "+id+" resident/tg:1001") {
				t.Errorf("not rated as the resident: %v", r.cases.calls)
			}
			removed := false
			for _, e := range r.msg.edits {
				removed = removed || (e.msg == 900 && e.rows == nil)
			}
			if !removed {
				t.Error("rating buttons not removed")
			}
			if tc.code != "3" {
				toast, _ = r.press(aliceChat, 900, cbRatePfx+id+":1")
				if toast != txtAlreadyRated {
					t.Errorf("second rating toast %q", toast)
				}
			}
		})
	}
}

func TestResidentRatingBeforeReplyIsStale(t *testing.T) {
	r := newRig(t)
	walkToConfirm(t, r, aliceChat)
	r.press(aliceChat, summaryMsg, cbConfirm)
	toast, _ := r.press(aliceChat, 901, cbRatePfx+"BQ20261125-0001:1")
	if toast != txtStateChanged {
		t.Errorf("toast %q", toast)
	}
}

func TestResidentComplaintFromComplaintAnswerKeepsQuestion(t *testing.T) {
	r := newRig(t)
	r.h.answers = fakeAnswerer{AskFn: func(q string) knowledge.Answer {
		return knowledge.Answer{Kind: knowledge.KindComplaint, Answer: "这不应该。"}
	}}
	out := r.say(aliceChat, "社区非要我开居住证明")
	mustContain(t, texts(out), "登记投诉")
	r.press(aliceChat, 1, cbComplain)
	for _, a := range []string{"办居住证", "社区", "居住证明", "跳过", "匿名"} {
		r.say(aliceChat, a)
	}
	r.press(aliceChat, summaryMsg, cbConfirm)
	mustContain(t, r.cases.filed[0].Text, "社区非要我开居住证明")
}

func TestResidentFileFailureKeepsDraft(t *testing.T) {
	r := newRig(t)
	walkToConfirm(t, r, aliceChat)
	r.cases.FileErr = fmt.Errorf("disk on fire")
	_, out := r.press(aliceChat, summaryMsg, cbConfirm)
	mustContain(t, texts(out), "没有成功")
	if r.sess.state(aliceChat) != stepConfirm {
		t.Errorf("draft lost: %q", r.sess.state(aliceChat))
	}
	r.cases.FileErr = nil
	_, out = r.press(aliceChat, summaryMsg, cbConfirm)
	mustContain(t, texts(out), "BQ20261125-0001")
}

// TestResidentCommandsKeepTheDraft: /mycases, /status, /help and /complain in the middle of the
// complaint form answer the command, say the draft is kept and ask the current step again; the
// form then goes on with every earlier answer.
func TestResidentCommandsKeepTheDraft(t *testing.T) {
	r := newRig(t)
	walkToConfirm(t, r, aliceChat)
	r.press(aliceChat, summaryMsg, cbConfirm) // one case filed, so /mycases has something to list
	if len(r.cases.filed) != 1 {
		t.Fatalf("filed %d cases", len(r.cases.filed))
	}

	r.say(aliceChat, "我要投诉")
	r.say(aliceChat, "办理失业登记")
	for _, cmd := range []string{"/mycases", "/status BQ20261125-0001", "/help", "/complain"} {
		out := r.say(aliceChat, cmd)
		all := texts(out)
		mustContain(t, all, txtDraftKept, "2/5")
		if cmd == "/mycases" {
			mustContain(t, all, "BQ20261125-0001")
		}
		if cmd == "/status BQ20261125-0001" {
			mustContain(t, all, "区人社局")
		}
		if st := r.sess.state(aliceChat); st != stepOffice {
			t.Fatalf("after %s the form is at %q, want %q", cmd, st, stepOffice)
		}
	}
	r.say(aliceChat, "区就业服务中心")
	r.say(aliceChat, "劳动合同证明")
	r.say(aliceChat, "纺织城街道")
	out := r.say(aliceChat, "13812345678")
	mustContain(t, texts(out), "办理失业登记", "区就业服务中心", "劳动合同证明")
	r.press(aliceChat, summaryMsg+1, cbConfirm)
	if len(r.cases.filed) != 2 {
		t.Fatalf("the kept draft was not filed: %d cases", len(r.cases.filed))
	}
	mustContain(t, r.cases.filed[1].Text, "办理失业登记", "区就业服务中心", "劳动合同证明")

	// Outside the form the commands add nothing.
	out = r.say(aliceChat, "/mycases")
	if strings.Contains(texts(out), txtDraftKept) {
		t.Errorf("no form open, yet told a draft is kept: %s", texts(out))
	}
}
