package intake

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"chengnuo/routing"
)

// fileNamed files a case for rsj with the given street, items and caller, as the classifier
// would have decided them.
func fileNamed(t *testing.T, e *env, nc routing.NewCase, street string, items ...string) string {
	t.Helper()
	if nc.Channel == "" {
		nc.Channel = routing.ChannelHotline
	}
	nc.Decision = &routing.Decision{Type: nc.Type, Department: "rsj", Street: street, Items: items, Confidence: 0.9,
		Reasons: []string{"测试规则"}}
	if nc.Type == "" {
		nc.Decision.Type = routing.TypeComplaint
	}
	c, _, err := e.svc.File(context.Background(), nc)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func withCertificates(d *Deps) {
	d.Certificate = func(_ context.Context, id string) string {
		return map[string]string{"BQ-060": "亲属关系证明", "BQ-036": "劳动合同证明"}[id]
	}
}

// TestConsoleRevealAudited: 显示号码 shows the full number on that answer only, after storing an
// event in the history; an anonymous case and a 举报 offer no button, and a forged request is
// refused without an event.
func TestConsoleRevealAudited(t *testing.T) {
	e := newEnv(t, withCertificates)
	id := fileNamed(t, e, routing.NewCase{ExternalRef: "T-1", Text: "社保中心要求开劳动合同证明",
		Complainant: routing.Complainant{Name: "张三", Phone: "13812345678"}}, "jd-hongqing", "BQ-036", "BQ-060")
	anon := fileNamed(t, e, routing.NewCase{ExternalRef: "T-2", Text: "社保中心要求开证明（匿名）", Anonymous: true,
		Complainant: routing.Complainant{Name: "李四", Phone: "13911112222"}}, "")
	report := fileNamed(t, e, routing.NewCase{ExternalRef: "T-3", Type: routing.TypeReport, Text: "举报社保窗口乱要证明",
		Complainant: routing.Complainant{Name: "王六", Phone: "13733334444"}}, "")

	u := newConsoleUser(e)
	if st, _, _ := u.signIn(tokRSJ); st != 200 {
		t.Fatalf("sign in: %d", st)
	}
	st, _, body := u.get("/console/cases/" + id)
	for _, want := range []string{"12345热线", "洪庆街道办事处", "区人力资源和社会保障局", "BQ-036 劳动合同证明",
		"BQ-060 亲属关系证明", "138****5678", `id="reveal"`, "系统"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	for _, bad := range []string{"jd-hongqing", "hotline", "system:chengnuo", "13812345678"} {
		if strings.Contains(body, bad) {
			t.Errorf("case page shows %q", bad)
		}
	}
	if st != 200 {
		t.Fatalf("case page: %d", st)
	}
	st, _, body = u.post("/console/cases/"+id+"/reveal", url.Values{"csrf": {u.csrf}}, "")
	if st != 200 || !strings.Contains(body, `<strong id="phone">13812345678</strong>`) || strings.Contains(body, `id="reveal"`) {
		t.Fatalf("reveal: %d %s", st, body)
	}
	evs, err := e.svc.Events(context.Background(), routing.System, id)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Action != routing.ActRevealContact || last.Actor.Department != "rsj" || last.Actor.Name != "王五" ||
		strings.Contains(last.Reason+last.Data["field"], "1381234") {
		t.Fatalf("reveal event %+v", last)
	}
	if !strings.Contains(body, "查看联系电话") || !strings.Contains(body, "区人力资源和社会保障局 王五") {
		t.Errorf("the reveal is not in the history on the page")
	}
	// A reload shows the number masked again, and the history keeps the look.
	_, _, body = u.get("/console/cases/" + id)
	if strings.Contains(body, "13812345678") || !strings.Contains(body, "查看联系电话") {
		t.Errorf("after a reload: number shown or look forgotten")
	}
	for _, other := range []string{anon, report} {
		_, _, body = u.get("/console/cases/" + other)
		if strings.Contains(body, `id="reveal"`) {
			t.Errorf("%s offers 显示号码", other)
		}
		st, _, body = u.post("/console/cases/"+other+"/reveal", url.Values{"csrf": {u.csrf}}, "")
		if st != http.StatusForbidden || strings.Contains(body, "13911112222") || strings.Contains(body, "13733334444") {
			t.Errorf("forged reveal of %s: %d", other, st)
		}
		evs, _ := e.svc.Events(context.Background(), routing.System, other)
		if evs[len(evs)-1].Action == routing.ActRevealContact {
			t.Errorf("a refused reveal of %s was recorded", other)
		}
	}
}
