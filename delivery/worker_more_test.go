package delivery_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"chengnuo/delivery"
	"chengnuo/routing"
)

// (5) A permanent refusal (400) is dead after one try of one request, with the
// status and a masked body snippet as the reason; requeued, it is delivered once accepted.
func TestPermanentRefusalIsDeadThenReplayed(t *testing.T) {
	e := newEnv(t)
	ep := e.endpoint("rsj")
	var accept atomic.Bool
	ep.Respond = func(context.Context, int, received) (int, http.Header, string) {
		if accept.Load() {
			return http.StatusAccepted, nil, ""
		}
		return http.StatusBadRequest, nil, `{"error":"字段 phone 13812341234 不合规"}`
	}
	e.file("T-1", "健在证明")
	w := e.worker(nil)
	e.once(w)
	dead := e.list(routing.OutboxDead)
	if len(dead) != 1 || dead[0].Attempts != 1 || len(ep.got()) != 1 {
		t.Fatalf("dead %+v after %d requests", dead, len(ep.got()))
	}
	if want := `HTTP 400：{"error":"字段 phone 138****1234 不合规"}`; dead[0].LastError != want {
		t.Errorf("reason %q, want %q", dead[0].LastError, want)
	}
	if got := metricValue(t, e.metrics, "chengnuo_deliveries_dead", "", ""); got != 1 {
		t.Errorf("dead gauge = %v", got)
	}
	if got := metricValue(t, e.metrics, "chengnuo_deliveries_total", "dispatched", delivery.ResultDead); got != 1 {
		t.Errorf("dead counter = %v", got)
	}
	if n, err := e.db.RequeueDead(e.ctx, dead[0].EventID); err != nil || n != 1 {
		t.Fatalf("requeue: %d, %v", n, err)
	}
	accept.Store(true)
	e.once(w)
	e.allDelivered()
}

// Each kind of answer and what it means.
func TestStatusVerdicts(t *testing.T) {
	cases := []struct {
		status int
		want   string // outbox status after one Once
	}{
		{http.StatusOK, routing.OutboxDelivered},
		{http.StatusNoContent, routing.OutboxDelivered},
		{http.StatusConflict, routing.OutboxDelivered}, // the receiver already has this event id
		{http.StatusMovedPermanently, routing.OutboxDead},
		{http.StatusUnauthorized, routing.OutboxDead},
		{http.StatusNotFound, routing.OutboxDead},
		{http.StatusRequestEntityTooLarge, routing.OutboxDead},
		{http.StatusRequestTimeout, routing.OutboxPending},
		{http.StatusTooEarly, routing.OutboxPending},
		{http.StatusTooManyRequests, routing.OutboxPending},
		{http.StatusInternalServerError, routing.OutboxPending},
		{http.StatusGatewayTimeout, routing.OutboxPending},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.status), func(t *testing.T) {
			e := newEnv(t)
			ep := e.endpoint("rsj")
			ep.Respond = func(context.Context, int, received) (int, http.Header, string) {
				return c.status, http.Header{"Location": {ep.url() + "/elsewhere"}}, ""
			}
			e.file("T-1", "健在证明")
			e.once(e.worker(nil))
			if m := e.list("")[0]; m.Status != c.want || m.Attempts != 1 || len(ep.got()) != 1 {
				t.Errorf("%d: %s after %d attempts, %d requests; want %s", c.status, m.Status, m.Attempts, len(ep.got()), c.want)
			}
		})
	}
}

// (6) Every try is signed afresh (intake.Verify accepts it at the receiver's clock), and
// the event id and kind headers are the stored ones, stable across tries.
func TestSignatureAndStableEventID(t *testing.T) {
	e := newEnv(t)
	ep := e.endpoint("rsj")
	ep.Respond = func(_ context.Context, n int, _ received) (int, http.Header, string) {
		if n == 1 {
			return http.StatusInternalServerError, nil, ""
		}
		return http.StatusOK, nil, ""
	}
	e.file("T-1", "健在证明")
	m := e.list("")[0]
	w := e.worker(func(o *delivery.Options) { o.BackoffBase = 90 * time.Second })
	e.once(w)
	e.clk.Add(90 * time.Second)
	e.once(w)
	got := ep.got()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	for i, r := range got {
		if r.SigErr != nil {
			t.Errorf("try %d: signature %q: %v", i+1, r.Signature, r.SigErr)
		}
		if r.EventID != m.EventID || r.Payload.EventID != m.EventID || r.Kind != m.Kind || r.Kind != "dispatched" {
			t.Errorf("try %d: event id %q kind %q, want %q %q", i+1, r.EventID, r.Kind, m.EventID, m.Kind)
		}
		if r.ContentType != "application/json" || !bytes.Equal(r.Body, m.Payload) {
			t.Errorf("try %d: content type %q, body differs from the stored payload: %v", i+1, r.ContentType, !bytes.Equal(r.Body, m.Payload))
		}
		wantTS := "t=" + strconv.FormatInt(t0.Add(time.Duration(i)*90*time.Second).Unix(), 10) + ","
		if !strings.HasPrefix(r.Signature, wantTS) {
			t.Errorf("try %d: signature %q, want a fresh timestamp %s", i+1, r.Signature, wantTS)
		}
	}
	e.allDelivered()
}

// (7) The messages of a case to one receiver arrive in order even when each fails once,
// while several cases go out concurrently.
func TestPerCaseOrder(t *testing.T) {
	e := newEnv(t)
	dept, hotline := e.endpoint("rsj"), e.endpoint("hotline")
	hotline.Respond = func(_ context.Context, n int, _ received) (int, http.Header, string) {
		if n == 1 {
			return http.StatusServiceUnavailable, nil, "busy"
		}
		return http.StatusOK, nil, ""
	}
	clerk := routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "clerk"}
	var ids []string
	for i := range 6 {
		c := e.fileHotline("T-"+strconv.Itoa(i), "健在证明")
		for _, step := range []func() (*routing.Case, error){
			func() (*routing.Case, error) { return e.svc.Accept(e.ctx, clerk, c.ID) },
			func() (*routing.Case, error) {
				return e.svc.Reply(e.ctx, clerk, c.ID, "已协调窗口，不再索要")
			},
			func() (*routing.Case, error) { return e.svc.Close(e.ctx, operator, c.ID) },
		} {
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, c.ID)
	}
	w := e.worker(func(o *delivery.Options) { o.Concurrency = 4 })
	e.once(w)
	for _, r := range hotline.got() {
		if r.Kind != "dispatched" {
			t.Fatalf("hotline got %s (%s) before the case's dispatched event went through", r.Kind, r.EventID)
		}
	}
	for range 4 {
		e.clk.Add(time.Minute)
		e.once(w)
	}
	e.allDelivered()
	for _, ep := range []*endpoint{dept, hotline} {
		last := map[string]int{}
		for _, r := range ep.got() {
			if r.Payload.Seq < last[r.Payload.CaseID] {
				t.Errorf("%s: seq %d arrived after seq %d", r.Payload.CaseID, r.Payload.Seq, last[r.Payload.CaseID])
			}
			last[r.Payload.CaseID] = r.Payload.Seq
		}
	}
	for _, id := range ids {
		if kinds := kindsOf(e.streams(id, "hotline")); kinds != "dispatched accepted replied closed" {
			t.Errorf("%s hotline stream: %s", id, kinds)
		}
	}
}

func kindsOf(msgs []routing.OutboxMessage) string {
	var k []string
	for _, m := range msgs {
		k = append(k, m.Kind)
	}
	return strings.Join(k, " ")
}

// (8) A worker stopped with messages pending; a new worker on the reopened database
// delivers them all, each once.
func TestPendingSurviveRestart(t *testing.T) {
	e := newEnv(t)
	ep := e.endpoint("rsj")
	ep.down()
	for i := range 3 {
		e.file("T-"+strconv.Itoa(i), "健在证明")
	}
	w := e.worker(nil)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	waitFor(t, "every message tried once", func() bool { return attemptsSum(e.list(routing.OutboxPending)) == 3 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	e.reopen()
	ep.up()
	e.clk.Add(time.Minute)
	e.once(e.worker(nil))
	e.allDelivered()
}

// Shutdown takes no new work but lets the request in flight finish and records it.
func TestShutdownFinishesInFlight(t *testing.T) {
	e := newEnv(t)
	ep := e.endpoint("rsj")
	ep.Respond = func(context.Context, int, received) (int, http.Header, string) {
		time.Sleep(150 * time.Millisecond)
		return http.StatusOK, nil, ""
	}
	e.file("T-1", "健在证明")
	w := e.worker(nil)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	waitFor(t, "the request in flight", func() bool { return ep.busy() == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.allDelivered()
}

// No endpoint: skipped (not retried), replayable; telegram messages are left for the bot.
func TestSkippedAndLeftForTheBot(t *testing.T) {
	e := newEnv(t)
	e.endpoint("rsj")
	e.file("T-1", "孩子上学要开证明") // mzj: no endpoint configured
	c, _, err := e.svc.File(e.ctx, routing.NewCase{Channel: routing.ChannelTelegram, ExternalRef: "chat-42", Text: "健在证明"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Accept(e.ctx, routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "c"}, c.ID); err != nil {
		t.Fatal(err)
	}
	w := e.worker(nil)
	e.once(w)
	skipped := e.list(delivery.StatusSkipped)
	if len(skipped) != 1 || skipped[0].Target != "mzj" || skipped[0].LastError != delivery.ReasonNoEndpoint {
		t.Fatalf("skipped: %+v", skipped)
	}
	if tg := e.streams(c.ID, "telegram"); len(tg) != 1 || tg[0].Status != routing.OutboxPending || tg[0].Attempts != 0 {
		t.Fatalf("telegram message: %+v", tg)
	}
	if got := metricValue(t, e.metrics, "chengnuo_deliveries_total", "dispatched", delivery.ResultSkipped); got != 1 {
		t.Errorf("skipped counter = %v", got)
	}
	if n, err := e.db.RequeueSkipped(e.ctx); err != nil || n != 1 {
		t.Fatalf("requeue skipped: %d, %v", n, err)
	}
	e.endpoint("mzj")
	e.once(w)
	for _, m := range e.list("") {
		if want := routing.OutboxDelivered; m.Target == "telegram" {
			want = routing.OutboxPending
			if m.Status != want {
				t.Errorf("%s: %s, want %s", m.EventID, m.Status, want)
			}
		} else if m.Status != want {
			t.Errorf("%s: %s, want %s", m.EventID, m.Status, want)
		}
	}
}

func TestConfigTargets(t *testing.T) {
	cfg := routing.DefaultConfig()
	cfg.Departments["rsj"] = routing.DeptConfig{WebhookURL: "https://rsj.example/hook", WebhookSecret: "k1"}
	cfg.Departments["mzj"] = routing.DeptConfig{TelegramChat: -100}
	cfg.Hotline.CallbackURL = "https://12345.example/cb"
	env := map[string]string{delivery.EnvHotlineSecret: "hk", delivery.EnvPortalSecret: "pk"}
	targets := delivery.ConfigTargets(cfg, func(k string) string { return env[k] })
	cases := []struct {
		target, url, secret string
		ok                  bool
	}{
		{"rsj", "https://rsj.example/hook", "k1", true},
		{"hotline", "https://12345.example/cb", "hk", true},
		{"mzj", "", "", false},
		{"portal", "", "", false},
		{"telegram", "", "", false},
		{"gafj", "", "", false},
	}
	for _, c := range cases {
		url, secret, ok := targets(c.target)
		if url != c.url || string(secret) != c.secret || ok != c.ok {
			t.Errorf("%s → %q %q %v, want %q %q %v", c.target, url, secret, ok, c.url, c.secret, c.ok)
		}
	}
}

// A backlog larger than a target's slots drains as the receiver answers: a stream that ends
// frees its slot and wakes the worker at once, without waiting for the poll interval or the
// gap that merges intake's notifications (both an hour here).
func TestBacklogDrainsAsSlotsFree(t *testing.T) {
	e := newEnv(t)
	e.endpoint("rsj")
	for i := range 12 {
		e.file("T-"+strconv.Itoa(i), "健在证明")
	}
	w := e.worker(func(o *delivery.Options) {
		o.PerTarget, o.PollInterval, o.NotifyGap = 2, time.Hour, time.Hour
	})
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	waitFor(t, "all twelve delivered", func() bool { return len(e.list(routing.OutboxPending)) == 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.allDelivered()
}

// SkipReason words the skip per target; other targets keep the plain reason.
func TestSkipReasonPerTarget(t *testing.T) {
	e := newEnv(t)
	e.file("T-1", "孩子上学要开证明")  // mzj: no endpoint
	e.file("T-2", "社区不给开健在证明") // rsj: no endpoint either
	w := e.worker(func(o *delivery.Options) {
		o.SkipReason = func(target string) string {
			if target == "mzj" {
				return "经群接收"
			}
			return ""
		}
	})
	e.once(w)
	got := map[string]string{}
	for _, m := range e.list(delivery.StatusSkipped) {
		got[m.Target] = m.LastError
	}
	if got["mzj"] != "经群接收" || got["rsj"] != delivery.ReasonNoEndpoint {
		t.Fatalf("skip reasons by target: %v", got)
	}
}

// (9) The hotline's and the portal's callback get every step of their own cases, the
// dispatch and the return included; a case filed at the window sends them nothing.
func TestChannelsGetDispatchedAndReturned(t *testing.T) {
	e := newEnv(t)
	e.endpoint("rsj")
	e.endpoint("mzj")
	e.endpoint(routing.CodeTriage)
	hotline, portal := e.endpoint("hotline"), e.endpoint("portal")
	clerk := routing.Actor{Role: routing.RoleDepartment, Department: "rsj", Name: "clerk"}
	h := e.fileHotline("T-1", "健在证明")
	p := e.fileOn(routing.ChannelPortal, "P-1", "健在证明")
	e.file("W-1", "健在证明") // window case: no channel
	for _, id := range []string{h.ID, p.ID} {
		if _, err := e.svc.Return(e.ctx, clerk, id, "该事项属区民政局"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Redispatch(e.ctx, operator, id, "mzj", "改派民政"); err != nil {
			t.Fatal(err)
		}
	}
	w := e.worker(nil)
	for range 4 {
		e.once(w)
		e.clk.Add(time.Minute)
	}
	e.allDelivered()
	for _, tc := range []struct {
		ep   *endpoint
		id   string
		name string
	}{{hotline, h.ID, "hotline"}, {portal, p.ID, "portal"}} {
		var kinds []string
		for _, r := range tc.ep.got() {
			if r.Payload.CaseID != tc.id {
				t.Errorf("%s got another channel's case %s", tc.name, r.Payload.CaseID)
			}
			if r.SigErr != nil {
				t.Errorf("%s: %s not signed: %v", tc.name, r.EventID, r.SigErr)
			}
			if r.Payload.Text != "" || r.Payload.Complainant != nil {
				t.Errorf("%s: %s carries the text or the caller", tc.name, r.EventID)
			}
			kinds = append(kinds, r.Kind)
		}
		if got := strings.Join(kinds, " "); got != "dispatched returned dispatched" {
			t.Errorf("%s callback got %q, want dispatched returned dispatched", tc.name, got)
		}
		if last := tc.ep.got(); len(last) == 3 && (last[2].Payload.Department != "mzj" || last[1].Payload.Reason != "该事项属区民政局") {
			t.Errorf("%s: returned reason %q, redispatched to %q", tc.name, last[1].Payload.Reason, last[2].Payload.Department)
		}
	}
}
