package routing

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The personal data a resident typed into the text of TestPayloadMasksTypedData's cases.
const (
	typedText  = "我叫张三，电话138-1234-1234，身份证610111199001011234，座机029-88886666，工单BQ12345-20261125-0001，2026-12-01前答复"
	typedReply = "已电话联系13812341234，张三表示认可"
)

// TestPayloadMasksTypedData: a department that may see who filed the case gets the text as
// written; for an anonymous case or a report, and for every other receiver (supervision),
// phones, the ID number and the name are masked in text, reply, reason, data and history.
func TestPayloadMasksTypedData(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, Shanghai)
	mk := func(anon bool, typ CaseType) *Case {
		return &Case{ID: "BQ20261125-0001", Channel: ChannelHotline, ExternalRef: "BQ12345-20261125-0001",
			Type: typ, Text: typedText, Department: "rsj", Status: StatusDispatched, Anonymous: anon,
			Reply: typedReply, Complainant: Complainant{Name: "张三", Phone: "13812341234"}}
	}
	leaks := func(body string) bool {
		for _, s := range []string{"1234-1234", "13812341234", "610111199001011234", "88886666", "张三"} {
			if strings.Contains(body, s) {
				return true
			}
		}
		return false
	}
	escalate := Event{Seq: 5, Action: ActEscalate, At: at, Reason: "来电人张三13812341234多次催问",
		Data: map[string]string{"to_department": CodeSupervision}}
	history := []Event{{Seq: 1, Action: ActReceive, At: at, Reason: "来电人张三13812341234"}, escalate}
	for _, tc := range []struct {
		name     string
		c        *Case
		disclose bool
	}{
		{"complaint", mk(false, TypeComplaint), true},
		{"anonymous", mk(true, TypeComplaint), false},
		{"report", mk(false, TypeReport), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msgs := withHistory(tc.c, OutboxFor(tc.c, escalate), history)
			if len(msgs) != 2 || msgs[0].Target != "rsj" || msgs[1].Target != CodeSupervision {
				t.Fatalf("messages %+v", msgs)
			}
			for _, m := range msgs {
				var p Payload
				if err := json.Unmarshal(m.Payload, &p); err != nil {
					t.Fatal(err)
				}
				body := string(m.Payload)
				if tc.disclose && m.Target == "rsj" {
					if p.Text != typedText || p.Reply != typedReply || p.Complainant == nil {
						t.Errorf("the assigned department lost the text or caller: %s", body)
					}
					continue
				}
				if leaks(body) || p.Complainant != nil {
					t.Errorf("%s gets personal data: %s", m.Target, body)
				}
				for _, keep := range []string{"BQ12345-20261125-0001", "2026-12-01", "138-****-1234", "029-****6666", "张*"} {
					if !strings.Contains(p.Text, keep) {
						t.Errorf("%s: text lost %q: %s", m.Target, keep, p.Text)
					}
				}
				if len(p.History) != 2 || strings.Contains(p.History[0].Reason, "13812341234") {
					t.Errorf("%s: history %+v", m.Target, p.History)
				}
			}
		})
	}
}

// TestChannelKinds: a hotline or portal case's callback gets exactly the kinds ChannelKinds
// lists (dispatched and returned included); a case filed in Telegram gets neither of those two.
func TestChannelKinds(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, Shanghai)
	for _, ch := range []Channel{ChannelHotline, ChannelPortal, ChannelTelegram} {
		c := &Case{ID: "BQ20261125-0001", Channel: ch, ExternalRef: "R-1", Type: TypeComplaint, Department: "rsj",
			Status: StatusDispatched}
		got := map[string]bool{}
		for _, a := range Actions {
			for _, m := range OutboxFor(c, Event{Seq: 2, Action: a, At: at}) {
				if m.Target == string(ch) {
					got[m.Kind] = true
				}
			}
		}
		for _, k := range ChannelKinds {
			tgOnly := k == "dispatched" || k == "returned"
			if want := ch != ChannelTelegram || !tgOnly; got[k] != want {
				t.Errorf("%s: kind %s to the channel: %v, want %v", ch, k, got[k], want)
			}
			delete(got, k)
		}
		for k := range got {
			t.Errorf("%s: kind %s goes to the channel but is not in ChannelKinds", ch, k)
		}
	}
}
