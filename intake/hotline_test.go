package intake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHotlineContract: every response code of POST /v1/hotline/tickets (DESIGN.md contract).
func TestHotlineContract(t *testing.T) {
	e := newEnv(t)
	good := mustJSON(t, ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	with := func(k string, v any) []byte {
		m := ticket(ticketNo(2), "社保局要求开具健在证明", "13812345678")
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return mustJSON(t, m)
	}
	type row struct {
		name   string
		body   []byte
		ct     string                   // "" : application/json
		sign   func([]byte) string      // nil: good signature
		status int                      // expected
		code   string                   // expected error code, "" for success
		check  func(*testing.T, []byte) // optional
	}
	var first []byte
	rows := []row{
		{name: "accepted", body: good, status: 202, check: func(t *testing.T, b []byte) {
			first = b
			var r IntakeResponse
			json.Unmarshal(b, &r)
			if r.CaseID == "" || r.Department != "rsj" || r.Status != "dispatched" ||
				r.AcceptBy != "2026-11-26T18:00:00+08:00" || r.ResolveBy != "2026-12-02T18:00:00+08:00" {
				t.Errorf("answer %s", b)
			}
		}},
		{name: "repeat is 200 with the same body", body: good, status: 200, check: func(t *testing.T, b []byte) {
			if !bytes.Equal(b, first) {
				t.Errorf("repeat answered %s, first %s", b, first)
			}
		}},
		{name: "charset allowed, unknown fields ignored", ct: "application/json; charset=utf-8",
			body: with("platform_extra", map[string]any{"x": 1}), status: 202},
		{name: "bad JSON", body: []byte(`{"ticket_no": "x",`), status: 400, code: "invalid_json"},
		{name: "wrong JSON type", body: with("anonymous", "yes"), status: 400, code: "invalid_json"},
		{name: "trailing data", body: append(append([]byte{}, good...), []byte(`{}`)...), status: 400, code: "invalid_json"},
		{name: "missing ticket_no", body: with("ticket_no", nil), status: 400, code: "invalid"},
		{name: "ticket_no too long", body: with("ticket_no", strings.Repeat("X", 65)), status: 400, code: "invalid"},
		{name: "ticket_no with space", body: with("ticket_no", "BQ 1"), status: 400, code: "invalid"},
		{name: "missing received_at", body: with("received_at", nil), status: 400, code: "invalid"},
		{name: "bad received_at", body: with("received_at", "2026-11-25 09:30"), status: 400, code: "invalid"},
		{name: "received_at in the future", body: with("received_at", "2026-11-27T09:30:00+08:00"), status: 400, code: "invalid"},
		{name: "bad type", body: with("type", "表扬"), status: 400, code: "invalid"},
		{name: "empty content", body: with("content", "  "), status: 400, code: "invalid"},
		{name: "content too long", body: with("content", strings.Repeat("证", 10_001)), status: 400, code: "invalid"},
		{name: "bad phone", body: with("caller", map[string]any{"name": "张三", "phone": "138abc"}), status: 400, code: "invalid"},
		{name: "short phone", body: with("caller", map[string]any{"name": "张三", "phone": "1381234"}), status: 400, code: "invalid"},
		{name: "landline without area code", body: with("caller", map[string]any{"name": "张三", "phone": "88886666"}), status: 400, code: "invalid"},
		{name: "missing signature", body: good, sign: func([]byte) string { return "" }, status: 401, code: "unauthorized"},
		{name: "wrong secret", body: good, sign: func(b []byte) string { return Sign([]byte("nope"), testNow, b) },
			status: 401, code: "unauthorized"},
		{name: "stale signature", body: good, sign: func(b []byte) string { return Sign(hotlineSecret, testNow.Add(-301*time.Second), b) },
			status: 401, code: "unauthorized"},
		{name: "signature of another body", body: good, sign: func([]byte) string { return Sign(hotlineSecret, testNow, []byte("{}")) },
			status: 401, code: "unauthorized"},
		{name: "signed with the portal secret", body: good, sign: func(b []byte) string { return Sign(portalSecret, testNow, b) },
			status: 401, code: "unauthorized"},
		{name: "over 1 MiB", body: bytes.Repeat([]byte(" "), MaxBodyBytes+1), status: 413, code: "payload_too_large"},
		{name: "text/plain", body: good, ct: "text/plain", status: 415, code: "unsupported_media_type"},
		{name: "no content type", body: good, ct: "-", status: 415, code: "unsupported_media_type"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			req := e.signed("/v1/hotline/tickets", hotlineSecret, r.body)
			switch r.ct {
			case "":
			case "-":
				req.Header.Del("Content-Type")
			default:
				req.Header.Set("Content-Type", r.ct)
			}
			if r.sign != nil {
				req.Header.Set(SignatureHeader, r.sign(r.body))
			}
			status, b := e.do(req)
			if status != r.status {
				t.Fatalf("status %d, want %d: %s", status, r.status, b)
			}
			if r.code != "" {
				if got := errorCode(t, b); got != r.code {
					t.Errorf("code %q, want %q", got, r.code)
				}
			}
			if r.check != nil {
				r.check(t, b)
			}
		})
	}
	// Only the two accepted tickets were stored, each whole: case, two events and the outbox
	// rows: the first dispatched (to rsj and to the hotline), the second, from the same phone
	// about the same, linked as its duplicate (to the hotline).
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 2 {
		t.Errorf("%d cases stored, want 2", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM case_events`); n != 4 {
		t.Errorf("%d events stored, want 4", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox`); n != 3 {
		t.Errorf("%d outbox rows, want 3", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox WHERE target = 'hotline' AND kind IN ('dispatched', 'duplicate')`); n != 2 {
		t.Errorf("%d dispatched/duplicate rows for the hotline, want 2", n)
	}
	if e.notified.Load() == 0 {
		t.Error("Notify was never called")
	}
}

// countingReader counts what the handler read from an endless body.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	c.n += int64(len(p))
	return len(p), nil
}

// TestHotlineOversizeReadsNoMore: a body without Content-Length is read through
// http.MaxBytesReader and never past the limit; a declared oversize body is not read at all.
func TestHotlineOversizeReadsNoMore(t *testing.T) {
	e := newEnv(t)
	h := e.srv.Handler()
	for _, declared := range []bool{false, true} {
		body := &countingReader{}
		req := httptest.NewRequest(http.MethodPost, "/v1/hotline/tickets", io.LimitReader(body, 8<<20))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(SignatureHeader, Sign(hotlineSecret, testNow, nil))
		req.ContentLength = -1
		if declared {
			req.ContentLength = 8 << 20
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("declared=%v: status %d, want 413", declared, w.Code)
		}
		if limit := int64(MaxBodyBytes + 1); body.n > limit || (declared && body.n != 0) {
			t.Errorf("declared=%v: read %d bytes, limit %d", declared, body.n, limit)
		}
	}
}

// TestHotlineConcurrentSameTicket: 100 concurrent posts of one ticket_no make one case;
// one request gets 202, the other 99 get 200, all with the same case_id.
func TestHotlineConcurrentSameTicket(t *testing.T) {
	e := newEnv(t)
	body := mustJSON(t, ticket(ticketNo(7), "社保局要求开具健在证明", "13812345678"))
	const n = 100
	var wg sync.WaitGroup
	statuses := make([]int, n)
	answers := make([]IntakeResponse, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := e.ts.Client().Do(e.signed("/v1/hotline/tickets", hotlineSecret, body))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			json.NewDecoder(resp.Body).Decode(&answers[i])
		}()
	}
	close(start)
	wg.Wait()
	created := 0
	for i := range n {
		switch statuses[i] {
		case http.StatusAccepted:
			created++
		case http.StatusOK:
		default:
			t.Fatalf("request %d: status %d", i, statuses[i])
		}
		if answers[i] != answers[0] {
			t.Errorf("request %d answered %+v, request 0 %+v", i, answers[i], answers[0])
		}
	}
	if created != 1 {
		t.Errorf("%d requests got 202, want 1", created)
	}
	if c := e.count(`SELECT COUNT(*) FROM cases WHERE external_ref = ?`, ticketNo(7)); c != 1 {
		t.Errorf("%d cases for the ticket, want 1", c)
	}
	if c := e.count(`SELECT COUNT(*) FROM outbox`); c != 2 { // dispatched: to the department and the hotline
		t.Errorf("%d outbox rows, want 2", c)
	}
}

// TestHotlineDuplicateLinked: a second ticket from the same phone on the same topic is
// stored as its own case, linked to the open one; the answer says so.
func TestHotlineDuplicateLinked(t *testing.T) {
	e := newEnv(t)
	first := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	second := e.fileTicket(ticket(ticketNo(2), "社保局又要求开具健在证明", "13812345678"))
	if second.Status != "duplicate" || second.DuplicateOf != first.CaseID || second.CaseID == first.CaseID {
		t.Errorf("second ticket answered %+v, first %+v", second, first)
	}
}

// TestHotlineSecretMissing: no secret, 503 not_configured, and a warning at start.
func TestHotlineSecretMissing(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.HotlineSecret = nil })
	status, b := e.do(e.signed("/v1/hotline/tickets", nil, mustJSON(t, ticket(ticketNo(1), "社保", "138"))))
	if status != http.StatusServiceUnavailable || errorCode(t, b) != "not_configured" {
		t.Errorf("status %d %s", status, b)
	}
	if !strings.Contains(e.logs.String(), "CHENGNUO_HOTLINE_SECRET not set") {
		t.Errorf("no warning at start: %s", e.logs.String())
	}
}

// TestHotlineClassifierDecidesType: an empty type is the classifier's to decide.
func TestHotlineClassifierDecidesType(t *testing.T) {
	e := newEnv(t)
	m := ticket(ticketNo(3), "户籍窗口要求开无犯罪记录证明", "")
	m["type"] = ""
	r := e.fileTicket(m)
	if r.Department != "gafj" {
		t.Errorf("answer %+v", r)
	}
}
