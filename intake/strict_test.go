package intake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// errorBody extracts {"error": {"code", "message"}} from an answer.
func errorBody(t *testing.T, b []byte) (code, message string) {
	t.Helper()
	var r struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(b, &r); err != nil || r.Error.Code == "" || r.Error.Message == "" {
		t.Fatalf("not an error body: %s", b)
	}
	return r.Error.Code, r.Error.Message
}

// rawTicket is a hotline body written by hand, so that it may hold any bytes.
func rawTicket(ticketNo, extra string) []byte {
	return []byte(`{"ticket_no":"` + ticketNo + `","received_at":"2026-11-25T09:30:00+08:00","type":"投诉",` +
		`"content":"社保局要求开具健在证明","caller":{"name":"张三","phone":"13812345678"},` +
		`"address":"灞桥区纺织城","anonymous":false` + extra + `}`)
}

// TestInvalidUTF8Refused: two tickets whose ticket_no differ only in invalid bytes used to
// decode to the same U+FFFD ticket_no, and the second was answered 200 with the first's case
// and never stored. Every body that is not valid UTF-8 is now refused whole, wherever the
// invalid bytes are, and nothing is stored.
func TestInvalidUTF8Refused(t *testing.T) {
	e := newEnv(t)
	bodies := map[string][]byte{
		"ticket_no ending in \\xff": rawTicket("BQ12345-X-\xff", ""),
		"ticket_no ending in \\xfe": []byte(strings.Replace(string(rawTicket("BQ12345-X-\xfe", "")),
			"13812345678", "13998765432", 1)),
		"lone surrogate escape":            rawTicket(`BQ12345-X-\udcff`, ""),
		"invalid byte in content":          []byte(strings.Replace(string(rawTicket("BQ12345-Y", "")), "健在", "健\xc3在", 1)),
		"invalid byte in an unknown field": rawTicket("BQ12345-Z", ",\"platform_extra\":\"\xc0\xaf\""),
		"overlong encoding in a name":      rawTicket("BQ12345-W\xc0\xaf", ""),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			status, b := e.do(e.signed("/v1/hotline/tickets", hotlineSecret, body))
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", status, b)
			}
			if code, msg := errorBody(t, b); code != codeInvalidJSON || !strings.Contains(msg, "UTF-8") {
				t.Errorf("answer %s", b)
			}
		})
	}
	portal := []byte(strings.Replace(string(mustJSON(t, portalMessage("M-0001"))), "M-0001", "M-\xff", 1))
	if status, b := e.do(e.signed("/v1/portal/messages", portalSecret, portal)); status != 400 || errorCode(t, b) != codeInvalidJSON {
		t.Errorf("portal: %d %s", status, b)
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 0 {
		t.Errorf("%d cases stored, want none", n)
	}

	// The department API refuses it too, and the case is left as it was.
	r := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	if status, b := e.dept("POST", "/v1/dept/cases/"+r.CaseID+"/return", tokRSJ, "{\"reason\":\"不归我局\xff\"}"); status != 400 ||
		errorCode(t, b) != codeInvalidJSON {
		t.Errorf("dept API: %d %s", status, b)
	}
	if n := e.count(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, r.CaseID); n != 2 {
		t.Errorf("%d events, want the 2 of filing", n)
	}
}

// TestDuplicateKeysRefused: encoding/json kept the last of two equal names, so that
// "anonymous":true,"anonymous":false was stored as not anonymous. A name given twice in one
// object, at any depth and in any case for the known fields, is refused with its name.
func TestDuplicateKeysRefused(t *testing.T) {
	e := newEnv(t)
	rows := []struct{ name, extra, field string }{
		{"anonymous twice", `,"anonymous":true`, "anonymous"},
		{"anonymous in another case", `,"Anonymous":true`, "Anonymous"},
		{"content twice", `,"content":"另一件事"`, "content"},
		{"unknown field twice", `,"x_extra":1,"x_extra":2`, "x_extra"},
		{"nested in an unknown object", `,"meta":{"a":1,"b":{"c":1,"c":2}}`, "meta.b.c"},
	}
	for i, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			status, b := e.do(e.signed("/v1/hotline/tickets", hotlineSecret, rawTicket(ticketNo(i), r.extra)))
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", status, b)
			}
			if code, msg := errorBody(t, b); code != codeInvalidJSON || !strings.Contains(msg, r.field) {
				t.Errorf("answer %s, want the name %s", b, r.field)
			}
		})
	}
	// Nested known objects: the caller's phone, an attachment's url.
	caller := strings.Replace(string(rawTicket(ticketNo(9), "")), `"phone":"13812345678"`,
		`"phone":"13812345678","phone":"13998765432"`, 1)
	if status, b := e.do(e.signed("/v1/hotline/tickets", hotlineSecret, []byte(caller))); status != 400 ||
		!strings.Contains(string(b), "caller.phone") {
		t.Errorf("caller.phone twice: %d %s", status, b)
	}
	portal := strings.Replace(string(mustJSON(t, portalMessage("M-0001"))), `"url":"https://zwfw.example.gov.cn/files/a1.jpg"`,
		`"url":"https://zwfw.example.gov.cn/files/a1.jpg","url":"https://evil.example/x"`, 1)
	if status, b := e.do(e.signed("/v1/portal/messages", portalSecret, []byte(portal))); status != 400 ||
		!strings.Contains(string(b), "attachments[0].url") {
		t.Errorf("attachment url twice: %d %s", status, b)
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 0 {
		t.Errorf("%d cases stored, want none", n)
	}
	r := e.fileTicket(ticket(ticketNo(20), "社保局要求开具健在证明", "13812345678"))
	if status, b := e.dept("POST", "/v1/dept/cases/"+r.CaseID+"/return", tokRSJ, `{"reason":"不归我局","reason":"x"}`); status != 400 ||
		!strings.Contains(string(b), "reason") {
		t.Errorf("dept API: %d %s", status, b)
	}
}

// TestCharsetRefused: a body declared in another charset was read as UTF-8 all the same.
// Only UTF-8 (in any case) or no charset is accepted; anything else is 415 and stores nothing.
func TestCharsetRefused(t *testing.T) {
	e := newEnv(t)
	rows := []struct {
		ct     string
		status int
	}{
		{"application/json; charset=gbk", 415},
		{"application/json; charset=GB18030", 415},
		{"application/json; charset=iso-8859-1", 415},
		{"application/json; charset=utf-16", 415},
		{"application/json; charset=UTF-8", 202},
		{`application/json; charset="utf-8"`, 202},
		{"application/json;charset=Utf-8", 202},
		{"application/json", 202},
	}
	for i, r := range rows {
		t.Run(r.ct, func(t *testing.T) {
			req := e.signed("/v1/hotline/tickets", hotlineSecret, rawTicket(ticketNo(i), ""))
			req.Header.Set("Content-Type", r.ct)
			status, b := e.do(req)
			if status != r.status {
				t.Fatalf("status %d, want %d: %s", status, r.status, b)
			}
			if r.status == 415 && errorCode(t, b) != codeMediaType {
				t.Errorf("answer %s", b)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 4 {
		t.Errorf("%d cases stored, want the 4 in UTF-8", n)
	}
	req := e.signed("/v1/portal/messages", portalSecret, mustJSON(t, portalMessage("M-0001")))
	req.Header.Set("Content-Type", "application/json; charset=gbk")
	if status, b := e.do(req); status != 415 || errorCode(t, b) != codeMediaType {
		t.Errorf("portal: %d %s", status, b)
	}
	r := e.fileTicket(ticket(ticketNo(30), "社保局要求开具健在证明", "13812345678"))
	req, _ = http.NewRequest("POST", e.ts.URL+"/v1/dept/cases/"+r.CaseID+"/return", strings.NewReader(`{"reason":"不归我局"}`))
	req.Header.Set("Authorization", "Bearer "+tokRSJ)
	req.Header.Set("Content-Type", "application/json; charset=gbk")
	if status, b := e.do(req); status != 415 || errorCode(t, b) != codeMediaType {
		t.Errorf("dept API: %d %s", status, b)
	}
}

// TestConsoleFormInvalidUTF8: the console's forms are not JSON, but a percent-encoded
// invalid byte (%FF) reached the case as it came. Such a form is refused and changes nothing.
func TestConsoleFormInvalidUTF8(t *testing.T) {
	e := newEnv(t)
	a1, _, _ := consoleCases(t, e)
	u := newConsoleUser(e)
	u.signIn(tokRSJ)
	u.get("/console/cases/" + a1)
	st, _, body := u.post("/console/cases/"+a1+"/return", url.Values{"csrf": {u.csrf}, "reason": {"不属于本单位\xff"}}, "")
	if st != http.StatusBadRequest || !strings.Contains(body, "UTF-8") {
		t.Fatalf("return with \\xff: %d %s", st, body)
	}
	if n := e.count(`SELECT COUNT(*) FROM case_events WHERE case_id = ?`, a1); n != 2 {
		t.Errorf("%d events, want the 2 of filing", n)
	}
}
