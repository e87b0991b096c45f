package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"chengnuo/knowledge"
	"chengnuo/routing"
)

// Chat ids of the end-to-end tests: every department's group is deptGroupBase - i (its
// index in the directory), the hotline operator chats privately.
const (
	deptGroupBase = -1000100
	operatorID    = 2001
)

// botServer is `chengnuo serve` with the bot on, talking to the emulator.
type botServer struct {
	em   *emulator
	db   string
	logs *lockedBuffer
	dept map[string]int64 // department code → its group's chat id
}

// e2eToken is the bot token of the end-to-end tests.
const e2eToken = "123456:e2e-token"

// startBotServer starts the emulator and the bot server on it (startServe).
func startBotServer(t *testing.T) *botServer {
	t.Helper()
	return startServe(t, startEmulator(t, e2eToken))
}

// startServe builds the real binary and runs `chengnuo serve` on a temp database with
// CHENGNUO_TELEGRAM_TOKEN and CHENGNUO_TELEGRAM_API pointing at the emulator, every
// department bound to a group and operatorID as operator. It waits for "telegram bot on";
// serve is stopped (SIGINT, checked to end cleanly) when the test ends.
func startServe(t *testing.T, em *emulator) *botServer {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "chengnuo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	s := &botServer{em: em, db: filepath.Join(dir, "chengnuo.db"), logs: &lockedBuffer{}, dept: map[string]int64{}}
	var conf strings.Builder
	for i, d := range routing.BuiltinDirectory().All() {
		s.dept[d.Code] = int64(deptGroupBase - i)
		fmt.Fprintf(&conf, "[department %s]\ntelegram_chat = %d\n\n", d.Code, s.dept[d.Code])
	}
	fmt.Fprintf(&conf, "[telegram]\noperators = %d\n", operatorID)
	confPath := filepath.Join(dir, "chengnuo.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--db", s.db, "--config", confPath, "--listen", addr, "--tick", "1s")
	cmd.Env = append(os.Environ(), "CHENGNUO_TELEGRAM_TOKEN="+em.Token, "CHENGNUO_TELEGRAM_API="+em.BotAPI())
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// SIGTERM: the graceful stop, the bot included, must end on its own.
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve did not stop cleanly: %v\n%s", err, s.logs.String())
			} else if !strings.Contains(s.logs.String(), "telegram bot stopped") {
				t.Errorf("serve stopped without stopping the bot:\n%s", s.logs.String())
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("serve did not stop within 30 s of SIGINT:\n%s", s.logs.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.logs.String(), "telegram bot on") {
		if time.Now().After(deadline) || cmd.ProcessState != nil {
			t.Fatalf("the bot did not start:\n%s", s.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

var caseIDRe = regexp.MustCompile(`BQ\d{8}-\d{4}`)

// caseIDIn returns the case id after label in text ("案件编号：BQ…").
func caseIDIn(t *testing.T, text, label string) string {
	t.Helper()
	i := strings.Index(text, label)
	if i < 0 {
		t.Fatalf("no %q in %q", label, text)
	}
	id := caseIDRe.FindString(text[i:])
	if id == "" {
		t.Fatalf("no case id after %q in %q", label, text)
	}
	return id
}

// TestTelegramEndToEnd runs the real binary against the emulator through what residents,
// departments and operators do: a resident asks and gets the item the ask logic finds,
// files a complaint and gets its case id; the department's group gets the card, presses
// 签收 and replies to the card; the resident is told the reply and rates it; an operator
// forwards a resident's message and gets a hotline case back, and pastes a ticket.
func TestTelegramEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and the Telegram emulator")
	}
	s := startBotServer(t)
	em := s.em
	resident := tgUser{ID: 1001, Chat: 1001, Name: "小李"}

	em.Say(resident, "/start", nil)
	em.Await(resident.Chat, "“证明事项告知承诺制”服务助手")

	// Asking: the answer is the ask logic's, on the item the list has for the question.
	const question = "办户口迁移还要开无犯罪证明吗"
	var want knowledge.Answer
	if err := json.Unmarshal([]byte(mustRun(t, "ask", "--json", question)), &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Items) == 0 || !strings.Contains(want.Items[0].Certificate, "无犯罪记录证明") {
		t.Fatalf("ask finds no 无犯罪记录证明 item for %q: %+v", question, want.Items)
	}
	em.Say(resident, question, nil)
	answer := em.Await(resident.Chat, want.Items[0].ID)
	if !strings.Contains(answer.Text, want.Answer) {
		t.Errorf("the bot's answer is not the ask logic's:\n%s\nwant it to contain:\n%s", answer.Text, want.Answer)
	}
	answer.button(t, "没有解决我的问题")

	// Complaining: 我要投诉 on the answer, five steps, the summary, 确认提交.
	em.Press(resident, answer.ID, answer.button(t, "我要投诉"))
	em.Await(resident.Chat, "【投诉登记 1/5】")
	em.Say(resident, "办理户口迁移", nil)
	em.Await(resident.Chat, "【投诉登记 2/5】")
	em.Say(resident, "派出所户籍窗口", nil)
	em.Await(resident.Chat, "【投诉登记 3/5】")
	em.Say(resident, "无犯罪记录证明", nil)
	em.Await(resident.Chat, "【投诉登记 4/5】")
	em.Say(resident, "纺织城街道", nil)
	em.Await(resident.Chat, "【投诉登记 5/5】")
	em.Say(resident, "13912345678", nil)
	em.Await(resident.Chat, "已记录您的联系电话")
	summary := em.Await(resident.Chat, "请核对您的投诉")
	for _, part := range []string{"办理户口迁移", "派出所户籍窗口", "无犯罪记录证明", "纺织城街道", "13912345678"} {
		if !strings.Contains(summary.Text, part) {
			t.Errorf("summary lacks %q:\n%s", part, summary.Text)
		}
	}
	em.Press(resident, summary.ID, summary.button(t, "确认提交"))
	filed := em.Await(resident.Chat, "您的投诉已登记")
	id := caseIDIn(t, filed.Text, "案件编号：")
	t.Logf("resident filed %s", id)

	// The department: its group gets the card, presses 签收, replies to the card.
	var c struct {
		Department string `json:"department"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--db", s.db, "cases", "show", "--json", id)), &c); err != nil {
		t.Fatal(err)
	}
	group, ok := s.dept[c.Department]
	if !ok {
		t.Fatalf("case %s went to %q, bound to no group", id, c.Department)
	}
	clerk := tgUser{ID: 3001, Chat: group, Group: true, Name: "王科员"}
	card := em.Await(group, "【新案件】"+id)
	for _, part := range []string{"139****5678", "签收时限", "答复时限", "派出所户籍窗口"} {
		if !strings.Contains(card.Text, part) {
			t.Errorf("card lacks %q:\n%s", part, card.Text)
		}
	}
	if strings.Contains(card.Text, "13912345678") {
		t.Errorf("card shows the full phone number:\n%s", card.Text)
	}
	em.Press(clerk, card.ID, card.button(t, "签收"))
	em.Await(group, "案件 "+id+" 已由 @user3001 签收")
	em.Await(resident.Chat, "您的案件 "+id+" 已由")

	const reply = "经核实，办理户口迁移无需提供无犯罪记录证明，已责令窗口整改，您可直接办理。"
	em.ReplyTo(clerk, card.ID, reply)
	em.Await(group, "案件 "+id+" 已答复")

	// The resident is told the reply and rates it; the case is closed.
	note := em.Await(resident.Chat, "您的案件 "+id+" 已有答复")
	if !strings.Contains(note.Text, reply) {
		t.Errorf("the notification lacks the reply:\n%s", note.Text)
	}
	em.Press(resident, note.ID, note.button(t, "满意"))
	em.Await(resident.Chat, "感谢您的评价（满意）")
	em.Await(group, "【办结】案件 "+id)
	em.Say(resident, "/status "+id, nil)
	em.Await(resident.Chat, "您的评价：满意")

	// The operator forwards a resident's message: asked for the type, address and contact,
	// the bot files a hotline case and answers with its id, department and deadlines.
	operator := tgUser{ID: operatorID, Chat: operatorID, Name: "话务员小张"}
	em.Say(operator, "我在纺织城街道办低保，社区居委会要求我开无犯罪记录证明，不开就不给办。", map[string]any{
		"forward_from": map[string]any{"id": 4242, "first_name": "赵", "last_name": "六", "is_bot": false},
		"forward_date": time.Now().Add(-time.Hour).Unix()})
	ask := em.Await(operator.Chat, "请选择工单类型")
	em.Press(operator, ask.ID, ask.button(t, "投诉"))
	em.Await(operator.Chat, "请输入事发地址")
	em.Say(operator, "纺织城街道", nil)
	contact := em.Await(operator.Chat, "请输入来电人联系电话")
	em.Press(operator, contact.ID, contact.button(t, "匿名"))
	opFiled := em.Await(operator.Chat, "已登记为热线案件")
	opID := caseIDIn(t, opFiled.Text, "案件编号：")
	for _, part := range []string{"类型：投诉", "承办单位：", "分派理由：", "签收时限：", "答复时限："} {
		if !strings.Contains(opFiled.Text, part) {
			t.Errorf("the operator's answer lacks %q:\n%s", part, opFiled.Text)
		}
	}
	if opID == id {
		t.Errorf("the forwarded message was filed as the resident's case %s", id)
	}
	em.Say(operator, "/case "+opID, nil)
	em.Await(operator.Chat, "案件编号："+opID)

	// A pasted ticket with every field is filed at once.
	em.Say(operator, "工单编号：12345-E2E-0001\n类型：投诉\n地址：灞桥街道\n来电人：钱七\n电话：13800001111\n"+
		"内容：社保窗口办理退休要求提供健在证明。", nil)
	pasted := em.Await(operator.Chat, "已登记为热线案件")
	t.Logf("operator filed %s (forwarded) and %s (pasted)", opID, caseIDIn(t, pasted.Text, "案件编号："))
}
