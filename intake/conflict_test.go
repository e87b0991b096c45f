package intake

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestSameTicketNoOtherTicket: a ticket_no repeated with another body was answered 200 with
// the first case, as if it were a retry, and the second ticket was lost. A repeat that means
// the same (key order, spacing, escapes, the phone's dashes, unknown fields) is still 200
// with the stored case; one whose content, caller or type differ is 409 conflict and
// stores nothing.
func TestSameTicketNoOtherTicket(t *testing.T) {
	e := newEnv(t)
	no := ticketNo(1)
	base := func() map[string]any { return ticket(no, "社保局要求开具健在证明", "13812345678") }
	first := e.fileTicket(base())
	same := map[string][]byte{
		"byte-identical": mustJSON(t, base()),
		"keys reordered, spaced, escaped": []byte(`{ "caller" : {"phone":"138-1234-5678", "name":" 张三 "},` +
			` "content":"  \u793e保局要求开具健在证明 ", "type":"投诉", "anonymous":false, "address":"灞桥区纺织城",` +
			` "received_at":"2026-11-25T01:30:00Z", "ticket_no":"` + no + `", "platform_extra":[1,2]}`),
	}
	for name, body := range same {
		t.Run(name, func(t *testing.T) {
			status, b := e.do(e.signed("/v1/hotline/tickets", hotlineSecret, body))
			var r IntakeResponse
			if json.Unmarshal(b, &r); status != http.StatusOK || r.CaseID != first.CaseID {
				t.Fatalf("status %d %s, want 200 with %s", status, b, first.CaseID)
			}
		})
	}
	other := map[string]func(m map[string]any){
		"other content": func(m map[string]any) { m["content"] = "户籍窗口要求开具无犯罪记录证明" },
		"other phone":   func(m map[string]any) { m["caller"] = map[string]any{"name": "张三", "phone": "13998765432"} },
		"other name":    func(m map[string]any) { m["caller"] = map[string]any{"name": "李四", "phone": "13812345678"} },
		"other type":    func(m map[string]any) { m["type"] = "举报" },
		"no type":       func(m map[string]any) { m["type"] = "" },
		"anonymous":     func(m map[string]any) { m["anonymous"] = true },
		"other address": func(m map[string]any) { m["address"] = "灞桥区席王街道" },
	}
	for name, change := range other {
		t.Run(name, func(t *testing.T) {
			m := base()
			change(m)
			status, b := e.do(e.signed("/v1/hotline/tickets", hotlineSecret, mustJSON(t, m)))
			if status != http.StatusConflict {
				t.Fatalf("status %d, want 409: %s", status, b)
			}
			if code, msg := errorBody(t, b); code != "conflict" || !strings.Contains(msg, "ticket_no") ||
				strings.Contains(string(b), first.CaseID) {
				t.Errorf("answer %s", b)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM case_events`); n != 2 {
		t.Errorf("%d events, want 2", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM outbox`); n != 2 { // dispatched: to the department and the hotline
		t.Errorf("%d outbox rows, want 2", n)
	}
}

// TestSameMessageIDOtherMessage: the portal's message_id likewise.
func TestSameMessageIDOtherMessage(t *testing.T) {
	e := newEnv(t)
	post := func(m map[string]any) (int, []byte) {
		return e.do(e.signed("/v1/portal/messages", portalSecret, mustJSON(t, m)))
	}
	if status, b := post(portalMessage("M-1")); status != 202 {
		t.Fatalf("first: %d %s", status, b)
	}
	if status, b := post(portalMessage("M-1")); status != 200 {
		t.Fatalf("repeat: %d %s", status, b)
	}
	changes := map[string]func(m map[string]any){
		"other title": func(m map[string]any) { m["title"] = "另一个标题" },
		"title moved into content": func(m map[string]any) {
			m["content"] = "【" + m["title"].(string) + "】\n" + m["content"].(string)
			delete(m, "title")
		},
		"other attachment": func(m map[string]any) {
			m["attachments"] = []map[string]any{{"url": "https://zwfw.example.gov.cn/files/other.jpg"}}
		},
		"other email": func(m map[string]any) {
			m["contact"] = map[string]any{"name": "李四", "phone": "139-1234-5678", "email": "other@example.com"}
		},
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			m := portalMessage("M-1")
			change(m)
			status, b := post(m)
			if code, msg := errorBody(t, b); status != 409 || code != "conflict" || !strings.Contains(msg, "message_id") {
				t.Errorf("%d %s", status, b)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM cases`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

// TestSameTicketNoInOneBatch: two tickets under one ticket_no in the same group commit:
// the first is filed (202), the second is 409 and stored nowhere; a true repeat in the same
// batch is 200 with the first's case.
func TestSameTicketNoInOneBatch(t *testing.T) {
	e, g := gatedEnv(t, BatchOptions{})
	hold := e.postAsync(context.Background(), mustJSON(t, ticket(ticketNo(9), "社保局要求开具健在证明", "")))
	<-g.entered // the worker holds this batch at the gate; the next three queue behind it
	a := ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678")
	b := ticket(ticketNo(1), "户籍窗口要求开具无犯罪记录证明", "13998765432")
	var answers []<-chan answer
	for i, body := range []map[string]any{a, b, a} {
		answers = append(answers, e.postAsync(context.Background(), mustJSON(t, body)))
		waitQueued(t, e, i+1) // in this order
	}
	close(g.gate)
	if r := <-hold; r.status != 202 {
		t.Fatalf("held ticket: %d", r.status)
	}
	got := []answer{<-answers[0], <-answers[1], <-answers[2]}
	if got[0].status != 202 || got[1].status != 409 || got[2].status != 200 {
		t.Fatalf("statuses %d %d %d, want 202 409 200: %s", got[0].status, got[1].status, got[2].status, got[1].body)
	}
	if errorCode(t, got[1].body) != "conflict" {
		t.Errorf("second: %s", got[1].body)
	}
	var r0, r2 IntakeResponse
	json.Unmarshal(got[0].body, &r0)
	json.Unmarshal(got[2].body, &r2)
	if r0.CaseID == "" || r0.CaseID != r2.CaseID {
		t.Errorf("repeat answered %s, first %s", got[2].body, got[0].body)
	}
	if g.sizes[len(g.sizes)-1] != 3 {
		t.Errorf("batch sizes %v, want the last to be 3", g.sizes)
	}
	if n := e.count(`SELECT COUNT(*) FROM cases WHERE external_ref = ?`, ticketNo(1)); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM cases WHERE phone = ?`, "13998765432"); n != 0 {
		t.Errorf("the conflicting ticket was stored")
	}
}
