package intake

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// getCase sends GET /v1/cases/{id} signed over the path with secret at time at.
func (e *env) getCase(id string, secret []byte, at time.Time) (int, []byte) {
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/v1/cases/"+id, nil)
	if secret != nil {
		req.Header.Set(SignatureHeader, Sign(secret, at, []byte("/v1/cases/"+id)))
	}
	return e.do(req)
}

// TestChannelCaseView: the hotline reads status, deadlines and the reply of its own case,
// never the caller; the portal cannot read hotline cases; bad signatures are 401.
func TestChannelCaseView(t *testing.T) {
	e := newEnv(t)
	c := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	status, b := e.getCase(c.CaseID, hotlineSecret, testNow)
	var v CaseStatusView
	if err := json.Unmarshal(b, &v); status != 200 || err != nil {
		t.Fatalf("%d %s", status, b)
	}
	if v.Status != "dispatched" || v.Department != "rsj" || v.ResolveBy != c.ResolveBy || v.ExternalRef != ticketNo(1) {
		t.Errorf("view %s", b)
	}
	e.dept("POST", "/v1/dept/cases/"+c.CaseID+"/accept", tokRSJ, "")
	e.dept("POST", "/v1/dept/cases/"+c.CaseID+"/reply", tokRSJ, `{"reply":"无需提交健在证明"}`)
	status, b = e.getCase(c.CaseID, hotlineSecret, testNow)
	if status != 200 || !strings.Contains(string(b), `"reply":"无需提交健在证明"`) || !strings.Contains(string(b), `"status":"replied"`) {
		t.Errorf("after reply: %d %s", status, b)
	}
	for _, leak := range []string{"13812345678", "5678", "张三", "complainant", `"text":`} {
		if strings.Contains(string(b), leak) {
			t.Errorf("view shows %q: %s", leak, b)
		}
	}

	checks := []struct {
		name   string
		id     string
		secret []byte
		at     time.Time
		status int
	}{
		{"portal secret, hotline case", c.CaseID, portalSecret, testNow, 404},
		{"unknown case", "BQ20261125-9999", hotlineSecret, testNow, 404},
		{"unsigned", c.CaseID, nil, testNow, 401},
		{"wrong secret", c.CaseID, []byte("x"), testNow, 401},
		{"stale", c.CaseID, hotlineSecret, testNow.Add(-10 * time.Minute), 401},
	}
	for _, ch := range checks {
		if status, b := e.getCase(ch.id, ch.secret, ch.at); status != ch.status {
			t.Errorf("%s: %d %s", ch.name, status, b)
		}
	}
	// A signature for one case does not open another.
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/v1/cases/"+c.CaseID, nil)
	req.Header.Set(SignatureHeader, Sign(hotlineSecret, testNow, []byte("/v1/cases/BQ20261125-0002")))
	if status, _ := e.do(req); status != 401 {
		t.Errorf("signature of another path: %d", status)
	}
}
