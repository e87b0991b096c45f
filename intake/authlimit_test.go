package intake

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// deptFrom sends a department API request from the client address remote, straight to the
// handler (httptest's own connections all come from 127.0.0.1).
func (e *env) deptFrom(remote, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/v1/dept/cases", nil)
	req.RemoteAddr = remote
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// Wrong department tokens from one address: the first authBurst are 401, then 429 with
// Retry-After, for the right token too (guessing on gains nothing); another client with its
// token is not affected; a success costs nothing; one failure more is allowed per authEvery;
// the limit is logged once per address and window, however many requests it refuses.
func TestGuessingDepartmentTokens(t *testing.T) {
	e := newEnv(t)
	const attacker, clerk = "203.0.113.9:40000", "198.51.100.4:50000"
	for range 50 { // the right token, many times: costs nothing
		if rec := e.deptFrom(attacker, tokRSJ); rec.Code != http.StatusOK {
			t.Fatalf("right token: %d %s", rec.Code, rec.Body)
		}
	}
	for i := range authBurst {
		if rec := e.deptFrom(attacker, fmt.Sprintf("guess-%04d-0123456789", i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401 within the burst", i+1, rec.Code)
		}
	}
	for i, tok := range []string{"guess-next-0123456789", "", tokRSJ} {
		rec := e.deptFrom(attacker, tok)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "6" ||
			errorCode(t, rec.Body.Bytes()) != codeTooMany {
			t.Errorf("request %d after the burst: %d Retry-After %q %s", i, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
	}
	if rec := e.deptFrom(clerk, tokGAFJ); rec.Code != http.StatusOK {
		t.Errorf("another client's right token: %d %s", rec.Code, rec.Body)
	}
	if rec := e.deptFrom(clerk, "typo-0123456789abcdef"); rec.Code != http.StatusUnauthorized {
		t.Errorf("another client's first typo: %d, want 401", rec.Code)
	}
	for range 200 {
		e.deptFrom(attacker, "flood-0123456789abcdef")
	}
	if n := strings.Count(e.logs.String(), "authentication failures limited"); n != 1 {
		t.Errorf("%d log lines for one address within a window, want 1", n)
	}
	if strings.Contains(e.logs.String(), "flood-") || strings.Contains(e.logs.String(), "guess-") {
		t.Error("a presented token reached the log")
	}

	e.now = e.now.Add(authEvery)
	if rec := e.deptFrom(attacker, "guess-later-0123456789"); rec.Code != http.StatusUnauthorized {
		t.Errorf("one failure more after %s: %d, want 401", authEvery, rec.Code)
	}
	if rec := e.deptFrom(attacker, "guess-later2-0123456789"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("the second failure after %s: %d, want 429", authEvery, rec.Code)
	}
	e.now = e.now.Add(authLogWindow) // the budget is whole again, and a new window begins
	for range authBurst + 5 {
		e.deptFrom(attacker, "flood-0123456789abcdef")
	}
	if n := strings.Count(e.logs.String(), "authentication failures limited"); n != 2 {
		t.Errorf("%d log lines after a second window, want 2", n)
	}
}

// Concurrent guesses cannot slip past the burst: each failure is reserved before the token
// is checked.
func TestGuessingConcurrently(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			rec := e.deptFrom("203.0.113.9:1", fmt.Sprintf("guess-%04d-0123456789", i))
			mu.Lock()
			codes[rec.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[http.StatusUnauthorized] != authBurst || codes[http.StatusTooManyRequests] != 200-authBurst {
		t.Errorf("answers %v, want %d × 401 and the rest 429", codes, authBurst)
	}
}

// Console sign-ins and signed case lookups share the address's budget.
func TestGuessingConsoleAndCaseLookup(t *testing.T) {
	e := newEnv(t)
	u := newConsoleUser(e)
	for i := range authBurst / 2 {
		if st, _, _ := u.signIn(fmt.Sprintf("guess-%04d-0123456789", i)); st != http.StatusUnauthorized {
			t.Fatalf("sign-in %d: %d, want 401", i+1, st)
		}
	}
	for i := range authBurst - authBurst/2 {
		if st, _ := e.getCase("BQ20261125-0001", []byte(fmt.Sprintf("guess-%d", i)), testNow); st != http.StatusUnauthorized {
			t.Fatalf("lookup %d: %d, want 401", i+1, st)
		}
	}
	if st, _ := e.getCase("BQ20261125-0001", []byte("guess-x"), testNow); st != http.StatusTooManyRequests {
		t.Errorf("lookup after the burst: %d, want 429", st)
	}
	u.get("/console/login")
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/console/login",
		strings.NewReader(url.Values{"csrf": {u.csrf}, "token": {tokRSJ}, "clerk": {"王五"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.ts.URL)
	resp, err := u.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("sign-in after the burst: %d Retry-After %q, want 429 with it", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e.now = e.now.Add(authEvery)
	if st, path, _ := u.signIn(tokRSJ); st != http.StatusOK || path != "/console/" {
		t.Errorf("sign-in with the right token once the wait is over: %d %s", st, path)
	}
}

// The limiter's memory stays bounded: idle addresses (budget whole again) are dropped first,
// and a flood of fresh addresses cannot grow the map past its bound.
func TestAuthLimiterEviction(t *testing.T) {
	now := testNow
	l := newAuthLimiter(func() time.Time { return now }, discardLogger())
	fail := func(addr string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = addr
		l.begin(req) // a failure: not given back
	}
	for i := range authMaxClients + 500 {
		fail(fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255))
	}
	if n := len(l.clients); n > authMaxClients {
		t.Errorf("%d addresses remembered, bound %d", n, authMaxClients)
	}
	now = now.Add(time.Hour) // every budget whole again
	fail("192.0.2.1:1")
	if n := len(l.clients); n != 1 {
		t.Errorf("%d addresses after the idle ones were dropped, want 1", n)
	}
}

func TestClientAddr(t *testing.T) {
	for remote, want := range map[string]string{
		"203.0.113.9:443":            "203.0.113.9",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:1":   "2001:db8:1:2::/64",
		"[::ffff:203.0.113.9]:443":   "203.0.113.9",
		"not-an-address":             "not-an-address",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		if got := clientAddr(r); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", remote, got, want)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
