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
)

// chromiumPath is Debian's chromium (apt-get install -y chromium; .ci/run installs it).
const chromiumPath = "/usr/bin/chromium"

// TestConsoleBrowser drives the console in headless Chromium: sign in, see the queue,
// open a case, accept and answer it, see the state change, take a screenshot; a wrong
// token and another department's case are refused. Without chromium it fails.
func TestConsoleBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("headless Chromium is required at %s for the console browser test: "+
			"apt-get install -y --no-install-recommends chromium (%v)", chromiumPath, err)
	}
	e := newEnv(t)
	a1, a2, b1 := consoleCases(t, e)

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
	if ev := text("#events"); !strings.Contains(ev, "签收") || !strings.Contains(ev, "答复") || !strings.Contains(ev, "department:rsj/王五") {
		t.Errorf("events: %q", ev)
	}

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
