package intake

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"chengnuo/routing"
)

// restarted starts another server on e's database, as serve does after a restart, with
// tokens as its department tokens.
func restarted(t *testing.T, e *env, tokens map[string]string) *httptest.Server {
	t.Helper()
	srv, err := New(Deps{Cases: e.svc, DB: e.db, DeptTokens: tokens, Directory: routing.BuiltinDirectory(),
		ConsoleSessions: e.db, Now: func() time.Time { return e.now }, Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
		Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close(context.Background()) })
	return ts
}

// queueWith fetches the queue with the session cookie and says where it landed.
func queueWith(t *testing.T, ts *httptest.Server, cookie string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+"/console/", nil)
	req.AddCookie(&http.Cookie{Name: consoleCookie, Value: cookie})
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Request.URL.Path
}

// A clerk stays signed in across a restart; the database holds neither the session id nor
// the department token; a restart with that department's token changed ends the session.
func TestConsoleSessionSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	u := newConsoleUser(e)
	u.signIn(tokRSJ)
	cookie := u.sessionCookie()
	if cookie == "" {
		t.Fatal("no session cookie")
	}
	if path := queueWith(t, restarted(t, e, deptTokens), cookie); path != "/console/" {
		t.Fatalf("after a restart the queue sent the clerk to %s", path)
	}

	db, err := sql.Open("sqlite3", "file:"+e.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var key, data string
	if err := db.QueryRow(`SELECT key, data FROM console_sessions`).Scan(&key, &data); err != nil {
		t.Fatal(err)
	}
	if key != sessionKey(cookie) || strings.Contains(key+data, cookie) || strings.Contains(data, tokRSJ) {
		t.Fatalf("stored session gives away its id or token: key %s data %s", key, data)
	}

	rotated := map[string]string{}
	for tok, dept := range deptTokens {
		if dept == "rsj" {
			tok = "tok-rsj-rotated"
		}
		rotated[tok] = dept
	}
	if path := queueWith(t, restarted(t, e, rotated), cookie); path != "/console/login" {
		t.Fatalf("session outlived its department token: landed on %s", path)
	}
}

// Without a session store the console keeps sessions in memory: signing in and out works
// and nothing reaches the database.
func TestConsoleMemorySessions(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.ConsoleSessions = nil })
	u := newConsoleUser(e)
	if _, path, _ := u.signIn(tokRSJ); path != "/console/" {
		t.Fatalf("sign-in landed on %s", path)
	}
	db, err := sql.Open("sqlite3", "file:"+e.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM console_sessions`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a memory session reached the database: %d %v", n, err)
	}
	if _, path, _ := u.post("/console/logout", map[string][]string{"csrf": {u.csrf}}, ""); path != "/console/login" {
		t.Fatalf("sign-out landed on %s", path)
	}
	if _, path, _ := u.get("/console/"); path != "/console/login" {
		t.Fatalf("signed out, the queue still served: %s", path)
	}
}
