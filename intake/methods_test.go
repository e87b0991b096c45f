package intake

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWrongMethod: a known path asked with another method answered 404 as if it did not
// exist; it is 405 with the methods in Allow, and an unknown path stays 404.
func TestWrongMethod(t *testing.T) {
	e := newEnv(t)
	rows := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v1/hotline/tickets", 405, "POST"},
		{"PUT", "/v1/portal/messages", 405, "POST"},
		{"DELETE", "/v1/dept/cases/BQ20261125-0001", 405, "GET, HEAD"},
		{"GET", "/v1/dept/cases/BQ20261125-0001/accept", 405, "POST"},
		{"POST", "/healthz", 405, "GET, HEAD"},
		{"POST", "/v1/cases/BQ20261125-0001", 405, "GET, HEAD"},
		{"GET", "/v1/nothing/here", 404, ""},
		{"POST", "/v1/hotline/tickets/extra", 404, ""},
	}
	for _, r := range rows {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			req, _ := http.NewRequest(r.method, e.ts.URL+r.path, nil)
			resp, err := e.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != r.status || resp.Header.Get("Allow") != r.allow {
				t.Fatalf("%d Allow %q, want %d %q: %s", resp.StatusCode, resp.Header.Get("Allow"), r.status, r.allow, b)
			}
			want := map[int]string{405: codeMethod, 404: "not_found"}[r.status]
			if got := errorCode(t, b); got != want {
				t.Errorf("code %q, want %q", got, want)
			}
		})
	}
	// The console answers with its page, also 405 with Allow.
	resp, err := e.ts.Client().Get(e.ts.URL + "/console/logout")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Errorf("console GET /console/logout: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

// timeoutBody fails like a connection whose read deadline passed in the middle of the body.
type timeoutBody struct{ sent bool }

func (b *timeoutBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, `{"ticket_no":"BQ`), nil
	}
	return 0, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
}

func (b *timeoutBody) Close() error { return nil }

// TestSlowBody: a body still arriving when the server's read deadline passes was answered
// 400 like a malformed one; it is 408 request_timeout, on the webhooks and the API.
func TestSlowBody(t *testing.T) {
	e := newEnv(t)
	r := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	for _, path := range []string{"/v1/hotline/tickets", "/v1/portal/messages", "/v1/dept/cases/" + r.CaseID + "/reply"} {
		req := httptest.NewRequest("POST", path, &timeoutBody{})
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tokRSJ)
		w := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusRequestTimeout || errorCode(t, w.Body.Bytes()) != codeTimeout {
			t.Errorf("%s: %d %s", path, w.Code, w.Body)
		}
	}
	// A body cut off (not slow) stays 400.
	req := httptest.NewRequest("POST", "/v1/hotline/tickets", io.MultiReader(strings.NewReader("{"),
		errReader{errors.New("connection reset")}))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusBadRequest {
		t.Errorf("cut-off body: %d %s", w.Code, w.Body)
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestSlowBodyOverTheWire: the same through a real connection and http.Server's
// ReadTimeout (short here; HTTPServer sets 30 s): the client sends half its body and
// stalls, and gets 408 with the JSON error.
func TestSlowBodyOverTheWire(t *testing.T) {
	e := newEnv(t)
	ts := httptest.NewUnstartedServer(e.srv.Handler())
	ts.Config.ReadTimeout = 300 * time.Millisecond
	ts.Start()
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := rawTicket(ticketNo(1), "")
	head := "POST /v1/hotline/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := conn.Write(append([]byte(head), body[:len(body)/2]...)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second)) // a bound on failure, not a timing check
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || errorCode(t, b) != codeTimeout {
		t.Errorf("stalled body: %d %s", resp.StatusCode, b)
	}
}
