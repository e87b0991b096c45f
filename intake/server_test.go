package intake

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"chengnuo/store"
	"github.com/prometheus/client_golang/prometheus"
)

// TestHealthz: 200 while the database answers, 503 once it is closed.
func TestHealthz(t *testing.T) {
	e := newEnv(t)
	status, b := e.dept("GET", "/healthz", "", "")
	if status != 200 || strings.TrimSpace(string(b)) != `{"status":"ok"}` {
		t.Errorf("healthz: %d %s", status, b)
	}
	e.db.Close()
	if status, b := e.dept("GET", "/healthz", "", ""); status != 503 {
		t.Errorf("healthz with a closed database: %d %s", status, b)
	}
}

// TestMetricsAndPrivacy: /metrics has every metric, route labels are patterns, and no
// phone number or name appears in metrics or logs after intake and department work.
func TestMetricsAndPrivacy(t *testing.T) {
	pending := prometheus.NewGauge(prometheus.GaugeOpts{Name: "chengnuo_deliveries_pending", Help: "test"})
	e := newEnv(t, func(d *Deps) { d.Collectors = []prometheus.Collector{pending} })
	c := e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	m := portalMessage("M-1")
	e.do(e.signed("/v1/portal/messages", portalSecret, mustJSON(t, m)))
	e.dept("GET", "/v1/dept/cases/"+c.CaseID, tokRSJ, "")
	e.dept("POST", "/v1/dept/cases/"+c.CaseID+"/accept", tokRSJ, "")
	e.dept("GET", "/v1/nothing/here", "", "")
	e.getCase(c.CaseID, hotlineSecret, testNow)

	resp, err := http.Get(e.ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, want := range []string{
		`chengnuo_http_requests_total{route="POST /v1/hotline/tickets",status="202"} 1`,
		`chengnuo_http_requests_total{route="GET /v1/dept/cases/{id}",status="200"} 1`,
		`chengnuo_http_requests_total{route="POST /v1/dept/cases/{id}/accept",status="200"} 1`,
		`chengnuo_http_requests_total{route="unmatched",status="404"} 1`,
		`chengnuo_cases{status="dispatched"} 1`,
		`chengnuo_cases{status="accepted"} 1`,
		`chengnuo_cases_overdue 0`,
		`chengnuo_intake_seconds_count 2`,
		`chengnuo_batch_size_count`,
		`chengnuo_deliveries_pending 0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, c.CaseID) {
		t.Error("a case id became a label value")
	}
	checkNoPersonalData(t, "metrics", text)
	checkNoPersonalData(t, "logs", e.logs.String())
	if !strings.Contains(e.logs.String(), "138****5678") {
		t.Errorf("the debug log should carry the masked phone: %s", e.logs.String())
	}
}

// phoneDigits are the phones the tests file, in any spelling that keeps eight digits in a row.
var phoneDigits = regexp.MustCompile(`13812345678|13912345678|12345678|1234-5678`)

func checkNoPersonalData(t *testing.T, where, text string) {
	t.Helper()
	if m := phoneDigits.FindString(text); m != "" {
		t.Errorf("%s contain phone digits %q", where, m)
	}
	for _, name := range []string{"张三", "李四", "lisi@"} {
		if strings.Contains(text, name) {
			t.Errorf("%s contain %q", where, name)
		}
	}
}

// TestCasesOverdueGauge: an open case past its deadline counts as overdue.
func TestCasesOverdueGauge(t *testing.T) {
	e := newEnv(t)
	e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
	later := testNow.AddDate(0, 1, 0)
	counter, err := store.OpenCaseCounter(e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer counter.Close()
	got, err := counter.CountCases(context.Background(), later)
	if err != nil || got.Overdue != 1 || got.ByStatus["dispatched"] != 1 {
		t.Errorf("counts a month later: %+v %v", got, err)
	}
	if got, _ := counter.CountCases(context.Background(), testNow); got.Overdue != 0 {
		t.Errorf("counts now: %+v", got)
	}
}
