package intake

import (
	"net/url"
	"strings"
	"testing"
)

// typedContent is a complaint into which the resident typed a mobile, an ID-card number, a
// landline and the own name (the caller of ticket() is 张三).
const typedContent = "我叫张三，电话13912345678，身份证61011119900101123X，" +
	"座机029-88886666，工单BQ12345-20261125-0001，2026-12-01前答复"

var typedSecrets = []string{"13912345678", "61011119900101123X", "88886666", "张三"}

func leakedSecret(body string) string {
	for _, s := range typedSecrets {
		if strings.Contains(body, s) {
			return s
		}
	}
	return ""
}

// TestDeptTypedDataWithheld: for an anonymous case and a report the department API (list
// excerpt, case, events) never shows what was typed into the text or the reply; for an
// ordinary case the assigned department reads the text as written.
func TestDeptTypedDataWithheld(t *testing.T) {
	e := newEnv(t)
	plain := ticket(ticketNo(1), "社保局要求开具健在证明。"+typedContent, "13812345678")
	anon := ticket(ticketNo(2), "社保窗口要求开具无工作证明，窗口人员态度很差。"+typedContent, "13812345679")
	anon["anonymous"] = true
	report := ticket(ticketNo(3), "举报社保中心工作人员收取好处费后才给办理养老金认证。"+typedContent, "13812345670")
	report["type"] = "举报"
	ids := map[string]string{}
	for name, body := range map[string]map[string]any{"plain": plain, "anonymous": anon, "report": report} {
		r := e.fileTicket(body)
		if r.Department != "rsj" {
			t.Fatalf("%s routed to %s", name, r.Department)
		}
		ids[name] = r.CaseID
	}
	_, list := e.dept("GET", "/v1/dept/cases?limit=10", tokRSJ, "")
	for name, id := range ids {
		for _, path := range []string{"/accept", "/reply"} {
			body := ""
			if path == "/reply" {
				body = `{"reply":"已电话联系13912345678，张三表示认可"}`
			}
			if st, b := e.dept("POST", "/v1/dept/cases/"+id+path, tokRSJ, body); st != 200 {
				t.Fatalf("%s %s: %d %s", name, path, st, b)
			}
		}
	}
	for _, name := range []string{"anonymous", "report"} {
		st, b := e.dept("GET", "/v1/dept/cases/"+ids[name], tokRSJ, "")
		if st != 200 {
			t.Fatalf("%s: %d %s", name, st, b)
		}
		if s := leakedSecret(string(b)); s != "" {
			t.Errorf("%s case shows %q: %s", name, s, b)
		}
		if !strings.Contains(string(b), "139****5678") || !strings.Contains(string(b), "BQ12345-20261125-0001") {
			t.Errorf("%s case lost the masked text: %s", name, b)
		}
	}
	// The list's excerpts: only the ordinary case's holds the numbers.
	if strings.Count(string(list), "13912345678") != 1 || strings.Count(string(list), "139****5678") != 2 {
		t.Errorf("list excerpts: %s", list)
	}
	if _, b := e.dept("GET", "/v1/dept/cases/"+ids["plain"], tokRSJ, ""); !strings.Contains(string(b), typedContent) {
		t.Errorf("the assigned department lost the text of an ordinary case: %s", b)
	}
}

// TestConsoleTypedDataMasked: the console shows the typed numbers and name masked, in the
// queue and on the case page, even for an ordinary case.
func TestConsoleTypedDataMasked(t *testing.T) {
	e := newEnv(t)
	r := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明。"+typedContent, "13812345678"))
	u := newConsoleUser(e)
	if st, _, b := u.signIn(tokRSJ); st != 200 {
		t.Fatalf("sign in: %d %s", st, b)
	}
	_, _, queue := u.get("/console/")
	if s := leakedSecret(queue); s != "" || !strings.Contains(queue, r.CaseID) {
		t.Errorf("queue shows %q:\n%s", s, queue)
	}
	u.post("/console/cases/"+r.CaseID+"/accept", url.Values{"csrf": {u.csrf}}, e.ts.URL)
	if st, _, b := u.post("/console/cases/"+r.CaseID+"/reply",
		url.Values{"csrf": {u.csrf}, "reply": {"已电话联系13912345678，张三表示认可"}}, e.ts.URL); st != 200 {
		t.Fatalf("reply: %d %s", st, b)
	}
	_, _, page := u.get("/console/cases/" + r.CaseID)
	if s := leakedSecret(page); s != "" {
		t.Errorf("case page shows %q:\n%s", s, page)
	}
	for _, want := range []string{"139****5678", "610***********123X", "029-****6666", "BQ12345-20261125-0001", "2026-12-01"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
}

// TestReplyTooLong: a reply over routing.MaxReplyRunes is refused, 400 with the limit in the
// message, by the department API and by the console, and nothing is stored.
func TestReplyTooLong(t *testing.T) {
	e := newEnv(t)
	r := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	if st, b := e.dept("POST", "/v1/dept/cases/"+r.CaseID+"/accept", tokRSJ, ""); st != 200 {
		t.Fatalf("accept: %d %s", st, b)
	}
	long := strings.Repeat("答", 20_000)
	st, b := e.dept("POST", "/v1/dept/cases/"+r.CaseID+"/reply", tokRSJ, `{"reply":"`+long+`"}`)
	if st != 400 || errorCode(t, b) != "invalid" || !strings.Contains(string(b), "最多 10000 字") {
		t.Errorf("API reply of 20,000 characters: %d %.300s", st, b)
	}
	u := newConsoleUser(e)
	u.signIn(tokRSJ)
	st, _, page := u.post("/console/cases/"+r.CaseID+"/reply", url.Values{"csrf": {u.csrf}, "reply": {long[:3*(10_001)]}}, e.ts.URL)
	if st != 400 || !strings.Contains(page, "最多 10000 字") {
		t.Errorf("console reply of 10,001 characters: %d", st)
	}
	if n := e.count(`SELECT count(*) FROM cases WHERE reply <> ''`); n != 0 {
		t.Errorf("%d replies stored", n)
	}
}
