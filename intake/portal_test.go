package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"chengnuo/routing"
)

func portalMessage(id string) map[string]any {
	return map[string]any{"message_id": id, "posted_at": "2026-11-25T08:15:00+08:00",
		"title": "办社保被要求开证明", "content": "社保窗口要求我开具健在证明，请问是否合理？",
		"contact":   map[string]any{"name": "李四", "phone": "139-1234-5678", "email": "lisi@example.com"},
		"anonymous": false, "attachments": []map[string]any{
			{"url": "https://zwfw.example.gov.cn/files/a1.jpg", "name": "窗口告知单"},
			{"url": "http://zwfw.example.gov.cn/files/a2.pdf"}}}
}

// TestPortalContract: portal messages follow the hotline's rules with their own fields.
func TestPortalContract(t *testing.T) {
	e := newEnv(t)
	good := mustJSON(t, portalMessage("M-0001"))
	post := func(body []byte, secret []byte) (int, []byte) {
		return e.do(e.signed("/v1/portal/messages", secret, body))
	}
	status, first := post(good, portalSecret)
	var r IntakeResponse
	if err := json.Unmarshal(first, &r); status != 202 || err != nil || r.Department != "rsj" || r.Status != "dispatched" {
		t.Fatalf("first: %d %s", status, first)
	}
	if status, again := post(good, portalSecret); status != 200 || !bytes.Equal(again, first) {
		t.Errorf("repeat: %d %s", status, again)
	}
	c, err := e.svc.Case(context.Background(), routing.System, r.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != routing.ChannelPortal || c.ExternalRef != "M-0001" || c.Complainant.Phone != "13912345678" ||
		!strings.HasPrefix(c.Text, "【办社保被要求开证明】\n社保窗口") ||
		!strings.Contains(c.Text, "1. 窗口告知单 <https://zwfw.example.gov.cn/files/a1.jpg>") ||
		!strings.Contains(c.Text, "2. 附件 <http://zwfw.example.gov.cn/files/a2.pdf>") {
		t.Errorf("stored case: %+v", c)
	}

	// The same id on the hotline is another channel's ticket: a case of its own.
	e.fileTicket(ticket("M-0001", "社保局要求开具健在证明", ""))

	bad := func(mut func(m map[string]any)) []byte {
		m := portalMessage("M-0002")
		mut(m)
		return mustJSON(t, m)
	}
	many := make([]map[string]any, 11)
	for i := range many {
		many[i] = map[string]any{"url": fmt.Sprintf("https://x.example/%d", i)}
	}
	rows := []struct {
		name   string
		body   []byte
		secret []byte
		status int
	}{
		{"hotline secret", good, hotlineSecret, 401},
		{"missing message_id", bad(func(m map[string]any) { delete(m, "message_id") }), portalSecret, 400},
		{"bad posted_at", bad(func(m map[string]any) { m["posted_at"] = "yesterday" }), portalSecret, 400},
		{"empty content", bad(func(m map[string]any) { m["content"] = "" }), portalSecret, 400},
		{"title too long", bad(func(m map[string]any) { m["title"] = strings.Repeat("题", 201) }), portalSecret, 400},
		{"bad email", bad(func(m map[string]any) { m["contact"].(map[string]any)["email"] = "not-an-email" }), portalSecret, 400},
		{"ftp attachment", bad(func(m map[string]any) { m["attachments"] = []map[string]any{{"url": "ftp://x/a"}} }), portalSecret, 400},
		{"relative attachment", bad(func(m map[string]any) { m["attachments"] = []map[string]any{{"url": "/files/a"}} }), portalSecret, 400},
		{"11 attachments", bad(func(m map[string]any) { m["attachments"] = many }), portalSecret, 400},
		{"bad JSON", []byte(`{"message_id":`), portalSecret, 400},
	}
	for _, row := range rows {
		if status, b := post(row.body, row.secret); status != row.status {
			t.Errorf("%s: %d %s", row.name, status, b)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM cases WHERE channel = 'portal'`); n != 1 {
		t.Errorf("%d portal cases, want 1", n)
	}
}
