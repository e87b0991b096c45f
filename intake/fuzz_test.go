package intake

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// fuzzContentTypes are the Content-Types a fuzzed request is sent with (index mod len).
var fuzzContentTypes = []string{"application/json", "application/json; charset=utf-8",
	"application/json; charset=GBK", "text/plain", ""}

// webhookCodes are the documented answers of POST /v1/hotline/tickets and
// /v1/portal/messages to a correctly signed request, with the error codes each may carry.
// 401 (signature), 408 (slow body) and 503 (busy, not configured, stopping) cannot happen
// here; 500 is never a correct answer to input.
var webhookCodes = map[int][]string{
	200: nil, 202: nil,
	400: {codeInvalidJSON, "invalid"},
	409: {"conflict"},
	413: {codeTooLarge},
	415: {codeMediaType},
}

// FuzzHotline posts arbitrary signed bodies to POST /v1/hotline/tickets: see fuzzWebhook.
// Run: go test ./intake -run '^$' -fuzz '^FuzzHotline$' -fuzztime 3m
func FuzzHotline(f *testing.F) {
	fuzzWebhook(f, "/v1/hotline/tickets", hotlineSecret)
}

// FuzzPortal is FuzzHotline for POST /v1/portal/messages.
func FuzzPortal(f *testing.F) {
	fuzzWebhook(f, "/v1/portal/messages", portalSecret)
}

// fuzzSeeds are good tickets and messages, repeats, reused numbers, bad bytes, duplicate
// names and wrong shapes; both targets get all of them.
func fuzzSeeds(f *testing.F) [][]byte {
	hot := mustJSON(f, ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	portal := mustJSON(f, portalMessage("M-1"))
	other := portalMessage("M-1")
	other["content"] = "户籍窗口要求开具无犯罪记录证明"
	return [][]byte{
		hot, hot, portal, portal,
		mustJSON(f, ticket(ticketNo(1), "户籍窗口要求开具无犯罪记录证明", "13998765432")), // same ticket_no, other ticket
		mustJSON(f, other), // same message_id, other message
		mustJSON(f, ticket(ticketNo(2), "社保局要求开具健在证明", "138-1234-5678")),
		rawTicket("BQ12345-X-\xff", ""), rawTicket("BQ12345-X-\xfe", ""), rawTicket(`BQ12345-X-\udcff`, ""),
		rawTicket("BQ12345-D", `,"anonymous":true`), rawTicket("BQ12345-E", `,"Anonymous":true`),
		rawTicket("BQ12345-F", `,"meta":{"a":{"b":1,"b":2}}`), rawTicket("BQ12345-G", `,"caller":null`),
		[]byte(`{"ticket_no":1}`), []byte(`[]`), []byte(`null`), []byte(``), []byte(`{"ticket_no":"a"}{}`),
		[]byte(strings.Replace(string(portal), `"title"`, `"title":"x","Title"`, 1)),
		[]byte(strings.Replace(string(portal), "M-1", "M-\xff", 1)),
		[]byte(`{"message_id":"M-2","posted_at":"2026-11-25T08:15:00+08:00","content":"社保","attachments":[{"url":"javascript:x"}]}`),
	}
}

// fuzzWebhook posts arbitrary signed bodies, with one of fuzzContentTypes, to the webhook
// at path and checks that the handler never panics, every answer is a documented status
// with a JSON body (an error body with a known code and a message for the errors), a 4xx
// stores nothing (no case, event or outbox row) and a 202 stores exactly one case.
func fuzzWebhook(f *testing.F, path string, secret []byte) {
	for i, s := range fuzzSeeds(f) {
		f.Add(uint8(i%2), s)
	}
	hot := mustJSON(f, ticket(ticketNo(3), "社保局要求开具健在证明", "13812345678"))
	f.Add(uint8(2), hot)
	f.Add(uint8(3), hot)
	f.Add(uint8(4), hot)

	e := newEnv(f)
	db, err := sql.Open("sqlite3", "file:"+e.path+"?_query_only=on")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	stored := func(t *testing.T) [3]int {
		var n [3]int
		for i, table := range []string{"cases", "case_events", "outbox"} {
			if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n[i]); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, ct uint8, body []byte) {
		before := stored(t)
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		if c := fuzzContentTypes[int(ct)%len(fuzzContentTypes)]; c != "" {
			req.Header.Set("Content-Type", c)
		}
		req.Header.Set(SignatureHeader, Sign(secret, testNow, body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)

		codes, ok := webhookCodes[w.Code]
		if !ok {
			t.Fatalf("undocumented status %d: %s", w.Code, w.Body)
		}
		if ctype := w.Header().Get("Content-Type"); ctype != "application/json; charset=utf-8" {
			t.Fatalf("status %d with Content-Type %q", w.Code, ctype)
		}
		var answer struct {
			CaseID string `json:"case_id"`
			Error  *struct{ Code, Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
			t.Fatalf("status %d, body not JSON: %q", w.Code, w.Body)
		}
		after := stored(t)
		if w.Code >= 400 {
			if answer.Error == nil || answer.Error.Message == "" || !slices.Contains(codes, answer.Error.Code) {
				t.Fatalf("status %d with error body %s", w.Code, w.Body)
			}
			if after != before {
				t.Fatalf("status %d stored something: cases/events/outbox %v -> %v", w.Code, before, after)
			}
			return
		}
		if answer.CaseID == "" || answer.Error != nil {
			t.Fatalf("status %d without a case: %s", w.Code, w.Body)
		}
		if created := after[0] - before[0]; (w.Code == 202) != (created == 1) || created > 1 {
			t.Fatalf("status %d and %d cases stored", w.Code, created)
		}
	})
}
