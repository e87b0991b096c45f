package intake

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"chengnuo/routing"
)

// chromiumPath is Debian's chromium (apt-get install -y chromium; .ci/run installs it).
const chromiumPath = "/usr/bin/chromium"

// TestConsoleBrowser drives the console in headless Chromium: sign in, see the queue,
// open a case, accept and answer it, see the state change; names instead of codes (street,
// channel, items with certificates, actors), 显示号码 and its event in the history, no
// button on an anonymous case, 超期 on a case answered late; take a screenshot; a wrong
// token and another department's case are refused. Without chromium it fails.
func TestConsoleBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("headless Chromium is required at %s for the console browser test: "+
			"apt-get install -y --no-install-recommends chromium (%v)", chromiumPath, err)
	}
	e := newEnv(t, withCertificates)
	a1, a2, b1 := consoleCases(t, e)
	// A case with a street and items, one answered after its deadline, one anonymous.
	named := fileNamed(t, e, routing.NewCase{ExternalRef: "T-N", Text: "社保中心要求开劳动合同证明",
		Complainant: routing.Complainant{Name: "张三", Phone: "13812345678"}}, "jd-hongqing", "BQ-036")
	late := fileNamed(t, e, routing.NewCase{Channel: routing.ChannelPortal, ExternalRef: "P-L", Text: "社保窗口要求开证明",
		Complainant: routing.Complainant{Name: "赵七", Phone: "13522223333"}}, "")
	anon := fileNamed(t, e, routing.NewCase{ExternalRef: "T-A", Text: "社保中心乱要证明（匿名）", Anonymous: true,
		Complainant: routing.Complainant{Name: "李四", Phone: "13911112222"}}, "")
	clerk := routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "李娜"}
	if _, err := e.svc.Accept(context.Background(), clerk, late); err != nil {
		t.Fatal(err)
	}
	start := e.now
	e.now = start.Add(10 * 24 * time.Hour) // past its 办结 deadline
	if _, err := e.svc.Reply(context.Background(), clerk, late, "已处理"); err != nil {
		t.Fatal(err)
	}
	e.now = start

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(412, 915), // a phone
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}

	// A wrong token is refused with 401 and leaves no session.
	run("login page", chromedp.Navigate(e.ts.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#token")),
		chromedp.SendKeys(chromedp.CSS("#token"), "wrong-token"), chromedp.SendKeys(chromedp.CSS("#clerk"), "王五"))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("#signin")))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 401 || !strings.Contains(text("#error"), "单位令牌无效") {
		t.Fatalf("wrong token: %d %q", resp.Status, text("#error"))
	}
	run("back to the queue", chromedp.Navigate(e.ts.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#token")))

	// Sign in with department A's token: the queue holds A's two cases, not B's.
	run("sign in", chromedp.SendKeys(chromedp.CSS("#token"), tokRSJ), chromedp.SendKeys(chromedp.CSS("#clerk"), "王五"),
		chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#open")))
	queue := text("#open")
	if !strings.Contains(queue, a1) || !strings.Contains(queue, a2) || strings.Contains(queue, b1) {
		t.Fatalf("queue: %q", queue)
	}

	// Open a case, accept it, answer it.
	run("open case", chromedp.Click(chromedp.CSS(`a[href="/console/cases/`+a1+`"]`)), chromedp.WaitVisible(chromedp.CSS("#status")))
	if s := text("#status"); !strings.Contains(s, "已派单") {
		t.Fatalf("status before accept: %q", s)
	}
	if c := text("#complainant"); !strings.Contains(c, "138****5678") {
		t.Errorf("complainant: %q", c)
	}
	run("accept", chromedp.Click(chromedp.CSS("#accept")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	if s := text("#status"); !strings.Contains(s, "已签收") {
		t.Fatalf("status after accept: %q", s)
	}
	run("reply", chromedp.SendKeys(chromedp.CSS("#reply"), "已取消该证明要求，请直接到窗口办理。"),
		chromedp.Click(chromedp.CSS("#send-reply")), chromedp.WaitVisible(chromedp.CSS("#reply-text")))
	if s := text("#status"); !strings.Contains(s, "已答复") {
		t.Fatalf("status after reply: %q", s)
	}
	if ev := text("#events"); !strings.Contains(ev, "签收") || !strings.Contains(ev, "答复") || !strings.Contains(ev, "区人力资源和社会保障局 王五") {
		t.Errorf("events: %q", ev)
	}

	// Names, not codes: street, channel, items with their certificates, actors.
	run("open the named case", chromedp.Navigate(e.ts.URL+"/console/cases/"+named), chromedp.WaitVisible(chromedp.CSS("#reveal")))
	if s := text("#street"); s != "洪庆街道办事处" {
		t.Errorf("street %q", s)
	}
	if s := text("#channel"); !strings.HasPrefix(s, "12345热线") {
		t.Errorf("channel %q", s)
	}
	if s := text("#department"); s != "区人力资源和社会保障局" {
		t.Errorf("department %q", s)
	}
	if s := text("#items"); !strings.Contains(s, "BQ-036 劳动合同证明") {
		t.Errorf("items %q", s)
	}
	if ev := text("#events"); !strings.Contains(ev, "系统") || strings.Contains(ev, "system") || strings.Contains(ev, "department:") {
		t.Errorf("actors in the history: %q", ev)
	}
	if c := text("#complainant"); !strings.Contains(c, "138****5678") || strings.Contains(c, "13812345678") {
		t.Errorf("complainant before the reveal: %q", c)
	}
	// 显示号码: the number, and the look in the history, stored.
	run("reveal", chromedp.Click(chromedp.CSS("#reveal")), chromedp.WaitVisible(chromedp.CSS("#phone")))
	if p := text("#phone"); p != "13812345678" {
		t.Errorf("revealed phone %q", p)
	}
	if ev := text("#events .ev-reveal_contact"); !strings.Contains(ev, "查看联系电话") || !strings.Contains(ev, "区人力资源和社会保障局 王五") {
		t.Errorf("reveal event on the page: %q", ev)
	}
	if evs, err := e.svc.Events(context.Background(), routing.System, named); err != nil ||
		evs[len(evs)-1].Action != routing.ActRevealContact || evs[len(evs)-1].Actor.Name != "王五" {
		t.Errorf("reveal event stored: %+v %v", evs, err)
	}
	run("open it again", chromedp.Navigate(e.ts.URL+"/console/cases/"+named), chromedp.WaitVisible(chromedp.CSS("#reveal")))
	if c := text("#complainant"); strings.Contains(c, "13812345678") {
		t.Errorf("the number stays shown when the case is opened again: %q", c)
	}
	// An anonymous case offers no 显示号码.
	run("open the anonymous case", chromedp.Navigate(e.ts.URL+"/console/cases/"+anon), chromedp.WaitVisible(chromedp.CSS("#complainant")))
	buttons, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#reveal").length`))
	if err != nil {
		t.Fatal(err)
	}
	if buttons != 0 || text("#complainant") != "匿名" {
		t.Errorf("anonymous case: %d 显示号码 buttons, complainant %q", buttons, text("#complainant"))
	}
	// Answered after its deadline: 超期, on the case and in the queue's answered list.
	run("open the late case", chromedp.Navigate(e.ts.URL+"/console/cases/"+late), chromedp.WaitVisible(chromedp.CSS("#late")))
	if s := text("#status"); !strings.Contains(s, "超期") || !strings.HasPrefix(text("#channel"), "政务服务网") {
		t.Errorf("late case: status %q channel %q", s, text("#channel"))
	}
	run("queue", chromedp.Navigate(e.ts.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#done")))
	if d := text("#done"); !strings.Contains(d, late) || !strings.Contains(d, "超期") {
		t.Errorf("answered list: %q", d)
	}
	run("back to the answered case", chromedp.Navigate(e.ts.URL+"/console/cases/"+a1), chromedp.WaitVisible(chromedp.CSS("#status")))

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := filepath.Join(t.TempDir(), "console-case.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() == 0 || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot %s is not a PNG (%d bytes)", shot, len(png))
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))

	// Department B's case by URL: 404.
	resp, err = chromedp.RunResponse(ctx, chromedp.Navigate(e.ts.URL+"/console/cases/"+b1))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 404 || !strings.Contains(text("#error"), "未找到案件") {
		t.Fatalf("other department's case: %d", resp.Status)
	}

	// Sign out: back to the login page, and the queue asks to sign in again.
	run("sign out", chromedp.Navigate(e.ts.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#logout")),
		chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#token")))
	run("after sign out", chromedp.Navigate(e.ts.URL+"/console/"), chromedp.WaitVisible(chromedp.CSS("#token")))
}
