package intake

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"chengnuo/routing"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleUser is a browser stand-in: a cookie jar that follows redirects.
type consoleUser struct {
	e    *env
	c    *http.Client
	csrf string
}

func newConsoleUser(e *env) *consoleUser {
	jar, _ := cookiejar.New(nil)
	return &consoleUser{e: e, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// get fetches path and returns status, final path and body; it remembers the page's CSRF token.
func (u *consoleUser) get(path string) (int, string, string) {
	u.e.t.Helper()
	resp, err := u.c.Get(u.e.ts.URL + path)
	return u.read(resp, err)
}

func (u *consoleUser) read(resp *http.Response, err error) (int, string, string) {
	u.e.t.Helper()
	if err != nil {
		u.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(b); m != nil {
		u.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Request.URL.Path, string(b)
}

// post submits a form; origin "" sends none.
func (u *consoleUser) post(path string, form url.Values, origin string) (int, string, string) {
	u.e.t.Helper()
	req, err := http.NewRequest("POST", u.e.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		u.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := u.c.Do(req)
	return u.read(resp, err)
}

// signIn goes through the login page with token.
func (u *consoleUser) signIn(token string) (int, string, string) {
	u.e.t.Helper()
	if st, _, _ := u.get("/console/login"); st != 200 {
		u.e.t.Fatalf("login page: %d", st)
	}
	return u.post("/console/login", url.Values{"csrf": {u.csrf}, "token": {token}, "clerk": {"王五"}}, u.e.ts.URL)
}

func (u *consoleUser) sessionCookie() string {
	base, _ := url.Parse(u.e.ts.URL + "/console/")
	for _, c := range u.c.Jar.Cookies(base) {
		if c.Name == consoleCookie {
			return c.Value
		}
	}
	return ""
}

func consoleCases(t *testing.T, e *env) (a1, a2, b1 string) {
	t.Helper()
	r1 := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	r2 := e.fileTicket(ticket(ticketNo(2), "社保窗口要求开具无工作证明", "13911112222"))
	r3 := e.fileTicket(ticket(ticketNo(3), "户籍窗口要求开具无犯罪记录证明", "13987654321"))
	if r1.Department != "rsj" || r2.Department != "rsj" || r3.Department != "gafj" {
		t.Fatalf("routing: %+v %+v %+v", r1, r2, r3)
	}
	return r1.CaseID, r2.CaseID, r3.CaseID
}

// TestConsoleSignInAndIsolation: the queue shows the department's cases only, the phone
// masked; another department's case is 404; a wrong token gets no session.
func TestConsoleSignInAndIsolation(t *testing.T) {
	e := newEnv(t)
	a1, a2, b1 := consoleCases(t, e)

	bad := newConsoleUser(e)
	st, _, body := bad.signIn("wrong-token")
	if st != http.StatusUnauthorized || !strings.Contains(body, "单位令牌无效") || bad.sessionCookie() != "" {
		t.Fatalf("wrong token: %d cookie=%q %s", st, bad.sessionCookie(), body)
	}
	if _, path, _ := bad.get("/console/"); path != "/console/login" {
		t.Errorf("wrong token reached %s", path)
	}

	u := newConsoleUser(e)
	st, path, body := u.signIn(tokRSJ)
	if st != 200 || path != "/console/" || !strings.Contains(body, a1) || !strings.Contains(body, a2) || strings.Contains(body, b1) {
		t.Fatalf("queue: %d %s %s", st, path, body)
	}
	st, _, body = u.get("/console/cases/" + a1)
	if st != 200 || !strings.Contains(body, "138****5678") || strings.Contains(body, "13812345678") || !strings.Contains(body, "张*") {
		t.Errorf("case page: %d %s", st, body)
	}
	st, _, body = u.get("/console/cases/" + b1)
	if st != http.StatusNotFound || strings.Contains(body, "13987654321") || strings.Contains(body, "户籍") {
		t.Errorf("other department's case: %d %s", st, body)
	}
	_, _, missing := u.get("/console/cases/BQ20261125-9999")
	if strings.ReplaceAll(body, b1, "X") != strings.ReplaceAll(missing, "BQ20261125-9999", "X") {
		t.Errorf("another department's case reads differently from a missing one")
	}
	for _, act := range []string{"accept", "reply", "return", "extension"} {
		st, _, _ := u.post("/console/cases/"+b1+"/"+act, url.Values{"csrf": {u.csrf}, "reply": {"x"}, "reason": {"x"}, "days": {"3"}}, "")
		if st != http.StatusNotFound {
			t.Errorf("%s on another department's case: %d", act, st)
		}
	}
	if c, _ := e.svc.Case(context.Background(), routing.System, b1); c.Status != routing.StatusDispatched {
		t.Errorf("other case changed: %s", c.Status)
	}

	resp, err := u.c.Get(e.ts.URL + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") ||
		resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers: %v", resp.Header)
	}
}

// TestConsoleSessionCookie: HttpOnly, SameSite=Strict, scoped to /console/.
func TestConsoleSessionCookie(t *testing.T) {
	e := newEnv(t)
	u := newConsoleUser(e)
	u.get("/console/login")
	form := url.Values{"csrf": {u.csrf}, "token": {tokRSJ}, "clerk": {"王五"}}
	req, _ := http.NewRequest("POST", e.ts.URL+"/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := *u.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var got *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == consoleCookie {
			got = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || got == nil || !got.HttpOnly || got.SameSite != http.SameSiteStrictMode ||
		got.Path != "/console/" || len(got.Value) < 40 {
		t.Fatalf("sign-in: %d %+v", resp.StatusCode, got)
	}
}

// TestConsoleCSRF: every POST without the session's token, with a wrong one, or from
// another origin is 403 and changes nothing; the right token works.
func TestConsoleCSRF(t *testing.T) {
	e := newEnv(t)
	a1, _, _ := consoleCases(t, e)

	// The sign-in form itself: no pre-session cookie / wrong token / foreign origin.
	raw := newConsoleUser(e)
	if st, _, _ := raw.post("/console/login", url.Values{"token": {tokRSJ}, "clerk": {"王五"}}, ""); st != http.StatusForbidden {
		t.Errorf("login without csrf: %d", st)
	}
	raw.get("/console/login")
	if st, _, _ := raw.post("/console/login", url.Values{"csrf": {"nope"}, "token": {tokRSJ}, "clerk": {"王五"}}, ""); st != http.StatusForbidden {
		t.Errorf("login with a wrong csrf: %d", st)
	}
	raw.get("/console/login")
	if st, _, _ := raw.post("/console/login", url.Values{"csrf": {raw.csrf}, "token": {tokRSJ}, "clerk": {"王五"}}, "https://evil.example"); st != http.StatusForbidden {
		t.Errorf("login from another origin: %d", st)
	}
	if raw.sessionCookie() != "" {
		t.Errorf("a refused login left a session")
	}

	u := newConsoleUser(e)
	if st, _, _ := u.signIn(tokRSJ); st != 200 {
		t.Fatalf("sign in: %d", st)
	}
	u.get("/console/cases/" + a1)
	good := u.csrf
	for name, tc := range map[string]struct {
		form   url.Values
		origin string
	}{
		"missing":        {url.Values{}, ""},
		"wrong":          {url.Values{"csrf": {good + "x"}}, ""},
		"empty":          {url.Values{"csrf": {""}}, ""},
		"other session":  {url.Values{"csrf": {raw.csrf}}, ""},
		"foreign origin": {url.Values{"csrf": {good}}, "https://evil.example"},
	} {
		if st, _, _ := u.post("/console/cases/"+a1+"/accept", tc.form, tc.origin); st != http.StatusForbidden {
			t.Errorf("%s: %d", name, st)
		}
	}
	// Referer from another site, without Origin.
	req, _ := http.NewRequest("POST", e.ts.URL+"/console/cases/"+a1+"/accept", strings.NewReader(url.Values{"csrf": {good}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", "https://evil.example/page")
	if st, _, _ := u.read(u.c.Do(req)); st != http.StatusForbidden {
		t.Errorf("foreign referer: %d", st)
	}
	if c, _ := e.svc.Case(context.Background(), routing.System, a1); c.Status != routing.StatusDispatched {
		t.Fatalf("a refused POST changed the case: %s", c.Status)
	}
	if st, _, _ := u.post("/console/logout", url.Values{}, ""); st != http.StatusForbidden {
		t.Errorf("logout without csrf: %d", st)
	}

	st, _, body := u.post("/console/cases/"+a1+"/accept", url.Values{"csrf": {good}}, e.ts.URL)
	if st != 200 || !strings.Contains(body, "已签收") {
		t.Fatalf("accept: %d %s", st, body)
	}
	st, _, body = u.post("/console/cases/"+a1+"/extension", url.Values{"csrf": {good}, "days": {"3"}, "reason": {"需向档案馆调取材料"}}, "")
	if st != 200 || !strings.Contains(body, "延期申请中") {
		t.Fatalf("extension: %d %s", st, body)
	}
	st, _, body = u.post("/console/cases/"+a1+"/reply", url.Values{"csrf": {good}, "reply": {""}}, "")
	if st != http.StatusBadRequest {
		t.Errorf("empty reply: %d %s", st, body)
	}
	st, _, body = u.post("/console/cases/"+a1+"/reply", url.Values{"csrf": {good}, "reply": {"已取消该证明要求，可直接办理。"}}, "")
	if st != 200 || !strings.Contains(body, "已答复") {
		t.Fatalf("reply: %d %s", st, body)
	}
	evs, _ := e.svc.Events(context.Background(), routing.System, a1)
	if last := evs[len(evs)-1]; last.Actor.String() != "department:rsj/王五" {
		t.Errorf("audit actor: %s", last.Actor)
	}
}

// TestConsoleReturn: returning a case sends it to triage and off the queue.
func TestConsoleReturn(t *testing.T) {
	e := newEnv(t)
	a1, _, _ := consoleCases(t, e)
	u := newConsoleUser(e)
	u.signIn(tokRSJ)
	st, path, body := u.post("/console/cases/"+a1+"/return", url.Values{"csrf": {u.csrf}, "reason": {"不属于本单位职责"}}, "")
	if st != 200 || path != "/console/" || strings.Contains(body, a1) {
		t.Fatalf("return: %d %s %s", st, path, body)
	}
	if st, _, _ := u.get("/console/cases/" + a1); st != http.StatusNotFound {
		t.Errorf("returned case still readable: %d", st)
	}
}

// TestConsoleSessionExpiry: after the session's lifetime the queue asks to sign in again
// and POSTs are refused.
func TestConsoleSessionExpiry(t *testing.T) {
	e := newEnv(t)
	a1, _, _ := consoleCases(t, e)
	u := newConsoleUser(e)
	u.signIn(tokRSJ)
	u.get("/console/cases/" + a1)
	e.now = e.now.Add(consoleSessionTTL - time.Minute)
	if _, path, _ := u.get("/console/"); path != "/console/" {
		t.Fatalf("session ended early: %s", path)
	}
	e.now = e.now.Add(2 * time.Minute)
	if _, path, _ := u.get("/console/"); path != "/console/login" {
		t.Errorf("expired session still served the queue: %s", path)
	}
	if st, _, _ := u.post("/console/cases/"+a1+"/accept", url.Values{"csrf": {u.csrf}}, ""); st != http.StatusForbidden {
		t.Errorf("expired session POST: %d", st)
	}
}

// TestConsoleSignOut: signing out ends the session on the server, so the old cookie is dead.
func TestConsoleSignOut(t *testing.T) {
	e := newEnv(t)
	u := newConsoleUser(e)
	u.signIn(tokRSJ)
	old := u.sessionCookie()
	if old == "" {
		t.Fatal("no session cookie")
	}
	st, path, _ := u.post("/console/logout", url.Values{"csrf": {u.csrf}}, "")
	if st != 200 || path != "/console/login" || u.sessionCookie() != "" {
		t.Fatalf("logout: %d %s cookie=%q", st, path, u.sessionCookie())
	}
	replay := newConsoleUser(e)
	base, _ := url.Parse(e.ts.URL + "/console/")
	replay.c.Jar.SetCookies(base, []*http.Cookie{{Name: consoleCookie, Value: old, Path: "/console/"}})
	if _, path, _ := replay.get("/console/"); path != "/console/login" {
		t.Errorf("old cookie still works: %s", path)
	}
}
