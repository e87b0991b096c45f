package intake

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"chengnuo/routing"
)

// TestDeptIsolation: token A cannot list, read, accept, reply to, return or extend
// department B's case; every attempt is 404 like a missing case, and B's case is unchanged.
func TestDeptIsolation(t *testing.T) {
	e := newEnv(t)
	own := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	other := e.fileTicket(ticket(ticketNo(2), "户籍窗口要求开具无犯罪记录证明", "13987654321"))
	if own.Department != "rsj" || other.Department != "gafj" {
		t.Fatalf("routing: %+v %+v", own, other)
	}
	before, err := e.svc.Case(context.Background(), routing.System, other.CaseID)
	if err != nil {
		t.Fatal(err)
	}

	status, b := e.dept("GET", "/v1/dept/cases", tokRSJ, "")
	if status != 200 || strings.Contains(string(b), other.CaseID) || !strings.Contains(string(b), own.CaseID) {
		t.Errorf("list: %d %s", status, b)
	}
	_, missing := e.dept("GET", "/v1/dept/cases/BQ20261125-9999", tokRSJ, "")
	attempts := []struct{ method, path, body string }{
		{"GET", "/v1/dept/cases/" + other.CaseID, ""},
		{"POST", "/v1/dept/cases/" + other.CaseID + "/accept", ""},
		{"POST", "/v1/dept/cases/" + other.CaseID + "/reply", `{"reply":"已办理"}`},
		{"POST", "/v1/dept/cases/" + other.CaseID + "/return", `{"reason":"不属于本单位"}`},
		{"POST", "/v1/dept/cases/" + other.CaseID + "/extension", `{"days":3,"reason":"需核实"}`},
	}
	for _, a := range attempts {
		status, b := e.dept(a.method, a.path, tokRSJ, a.body)
		if status != http.StatusNotFound || errorCode(t, b) != "not_found" {
			t.Errorf("%s %s: %d %s", a.method, a.path, status, b)
		}
		// Same words as for a case that does not exist, with only the id changed.
		if strings.ReplaceAll(string(b), other.CaseID, "X") != strings.ReplaceAll(string(missing), "BQ20261125-9999", "X") {
			t.Errorf("%s %s: %s differs from a missing case's %s", a.method, a.path, b, missing)
		}
		if strings.Contains(string(b), "13987654321") {
			t.Errorf("%s leaked the phone", a.path)
		}
	}
	after, err := e.svc.Case(context.Background(), routing.System, other.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != before.Status || after.Version != before.Version || after.Department != "gafj" {
		t.Errorf("other department's case changed: %+v", after)
	}

	for _, tok := range []string{"", "wrong-token", tokRSJ + "x"} {
		if status, b := e.dept("GET", "/v1/dept/cases", tok, ""); status != 401 || errorCode(t, b) != "unauthorized" {
			t.Errorf("token %q: %d %s", tok, status, b)
		}
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/v1/dept/cases", nil)
	req.Header.Set("Authorization", "Basic "+tokRSJ)
	if status, _ := e.do(req); status != 401 {
		t.Errorf("basic auth: %d", status)
	}
}

// TestDeptLifecycle: the assigned department reads its case with the caller's phone and
// the events, accepts, extends and replies; the hotline then sees the reply.
func TestDeptLifecycle(t *testing.T) {
	e := newEnv(t)
	c := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	status, b := e.dept("GET", "/v1/dept/cases/"+c.CaseID, tokRSJ, "")
	var v DeptCaseView
	if err := json.Unmarshal(b, &v); status != 200 || err != nil {
		t.Fatalf("read: %d %s", status, b)
	}
	if v.Complainant == nil || v.Complainant.Phone != "13812345678" || v.Complainant.Name != "张三" ||
		len(v.Events) != 2 || v.Text != "社保局要求开具健在证明" || v.DepartmentName == "" {
		t.Errorf("view: %s", b)
	}

	steps := []struct {
		action, body string
		status       int
		want         string
	}{
		{"reply", `{"reply":"x"}`, 409, ""}, // not accepted yet
		{"accept", "", 200, "accepted"},
		{"accept", "", 409, ""},
		{"extension", `{"days":"3"}`, 400, ""},
		{"extension", `{"days":99,"reason":"需核实"}`, 400, ""},
		{"extension", `{"days":3,"reason":"需向市局核实"}`, 200, "extension_requested"},
		{"reply", `{"reply":"已告知窗口按告知承诺制办理，无需提交健在证明。"}`, 200, "replied"},
		{"reply", `not json`, 400, ""},
	}
	for _, s := range steps {
		status, b := e.dept("POST", "/v1/dept/cases/"+c.CaseID+"/"+s.action, tokRSJ, s.body)
		if status != s.status {
			t.Fatalf("%s %s: %d %s", s.action, s.body, status, b)
		}
		if s.want != "" {
			var v DeptCaseView
			json.Unmarshal(b, &v)
			if v.Status != s.want {
				t.Errorf("%s: status %q, want %q", s.action, v.Status, s.want)
			}
		}
	}
	status, b = e.dept("GET", "/v1/dept/cases/"+c.CaseID, tokRSJ, "")
	if status != 200 || !strings.Contains(string(b), `"action":"reply"`) {
		t.Errorf("events after reply: %s", b)
	}
}

// TestDeptReturn: a returned case goes to the triage desk; the department no longer sees it.
func TestDeptReturn(t *testing.T) {
	e := newEnv(t)
	c := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	status, b := e.dept("POST", "/v1/dept/cases/"+c.CaseID+"/return", tokRSJ, `{"reason":""}`)
	if status != 400 {
		t.Errorf("return without reason: %d %s", status, b)
	}
	status, b = e.dept("POST", "/v1/dept/cases/"+c.CaseID+"/return", tokRSJ, `{"reason":"该事项由公安分局办理"}`)
	if status != 200 || strings.Contains(string(b), "13812345678") || !strings.Contains(string(b), `"department":"xzspj"`) {
		t.Errorf("return: %d %s", status, b)
	}
	if status, _ := e.dept("GET", "/v1/dept/cases/"+c.CaseID, tokRSJ, ""); status != 404 {
		t.Errorf("returned case still visible: %d", status)
	}
}

// TestDeptHidesProtectedCallers: anonymous cases and reports never show the caller.
func TestDeptHidesProtectedCallers(t *testing.T) {
	e := newEnv(t)
	anon := ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678")
	anon["anonymous"] = true
	report := ticket(ticketNo(2), "举报社保窗口工作人员索要证明", "13912345678")
	report["type"] = "举报"
	for _, m := range []map[string]any{anon, report} {
		c := e.fileTicket(m)
		status, b := e.dept("GET", "/v1/dept/cases/"+c.CaseID, tokRSJ, "")
		if status != 200 || strings.Contains(string(b), "complainant") || strings.Contains(string(b), "12345678") ||
			strings.Contains(string(b), "张三") {
			t.Errorf("%v: %d %s", m["ticket_no"], status, b)
		}
	}
}

// TestDeptList: filters, deadline order and parameter errors.
func TestDeptList(t *testing.T) {
	e := newEnv(t)
	consult := ticket(ticketNo(1), "社保卡补办需要什么证明", "13800000001")
	consult["type"] = "咨询" // resolve in 3 working days
	complaint := ticket(ticketNo(2), "社保局要求开具健在证明", "13800000002")
	a := e.fileTicket(complaint)
	b := e.fileTicket(consult)
	e.dept("POST", "/v1/dept/cases/"+a.CaseID+"/accept", tokRSJ, "")

	list := func(q string) (int, []DeptCaseSummary) {
		status, body := e.dept("GET", "/v1/dept/cases"+q, tokRSJ, "")
		var r struct{ Cases []DeptCaseSummary }
		json.Unmarshal(body, &r)
		return status, r.Cases
	}
	if _, cs := list(""); len(cs) != 2 || cs[0].CaseID != b.CaseID || cs[1].CaseID != a.CaseID {
		t.Errorf("default list not by deadline: %+v", cs)
	}
	if _, cs := list("?status=accepted"); len(cs) != 1 || cs[0].CaseID != a.CaseID {
		t.Errorf("status filter: %+v", cs)
	}
	if _, cs := list("?due_before=2026-11-30"); len(cs) != 1 || cs[0].CaseID != b.CaseID {
		t.Errorf("due_before filter: %+v", cs)
	}
	if _, cs := list("?limit=1&offset=1"); len(cs) != 1 || cs[0].CaseID != a.CaseID {
		t.Errorf("paging: %+v", cs)
	}
	for _, q := range []string{"?status=nope", "?due_before=tomorrow", "?limit=0", "?limit=501", "?offset=-1"} {
		if status, _ := list(q); status != 400 {
			t.Errorf("%s: %d", q, status)
		}
	}
}
