package routing_test

import (
	"testing"
	"time"

	"chengnuo/routing"
)

// batchScenarios are FileBatch rules that only a batch can break: links to and repeats of
// cases filed earlier in the same transaction, and decisions handed in by the channel.
var batchScenarios = []struct {
	name string
	run  func(e *env)
}{
	{"duplicates and repeats within one batch", func(e *env) {
		stored := e.file("S1", "派出所要亲属关系证明才给办户口", "13900000001")
		e.clk.Add(time.Hour)
		hot := func(ref, text, phone string) routing.NewCase {
			return routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: ref, Text: text,
				Complainant: routing.Complainant{Phone: phone}}
		}
		res, err := e.svc.FileBatch(e.ctx, []routing.NewCase{
			hot("A", "社保局要求开健在证明才能领养老金", "13812341234"),
			hot("A", "社保局要求开健在证明才能领养老金", "13812341234"),  // the same ticket again
			hot("B", "健在证明的事还是没人管，再次反映", "13812341234"),  // same caller, same item
			hot("C", "社保局要求开健在证明才能领养老金！", "13700000000"), // nearly the same text
			hot("D", "派出所又要我开亲属关系证明", "13900000001"),     // repeats the stored case
			hot("S1", "重复推送", "13900000001"),             // a stored ticket again
			hot("E", "社保局要求开健在证明", ""),                   // same item, other text, no phone
		})
		if err != nil {
			e.t.Fatal(err)
		}
		a := res[0].Case
		if !res[0].Created || a.Status != routing.StatusDispatched {
			e.t.Fatalf("A %+v", res[0])
		}
		if res[1].Created || res[1].Case.ID != a.ID {
			e.t.Fatalf("repeated A %+v", res[1])
		}
		for i, want := range map[int]string{2: a.ID, 3: a.ID, 4: stored.ID} {
			if c := res[i].Case; !res[i].Created || c.Status != routing.StatusDuplicate || c.DuplicateOf != want {
				e.t.Fatalf("ticket %d: %s %s dup_of %q, want a duplicate of %s", i, c.ID, c.Status, c.DuplicateOf, want)
			}
		}
		if res[5].Created || res[5].Case.ID != stored.ID {
			e.t.Fatalf("repeated S1 %+v", res[5])
		}
		if !res[6].Created || res[6].Case.Status != routing.StatusDispatched {
			e.t.Fatalf("E %+v", res[6])
		}
		ids := []string{stored.ID, a.ID, res[2].Case.ID, res[3].Case.ID, res[4].Case.ID, res[6].Case.ID}
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				e.t.Fatalf("ids out of filing order: %v", ids)
			}
		}
		if got := e.kinds(); !eq(got, []string{"dispatched>gafj", "dispatched>hotline", "dispatched>rsj",
			"dispatched>hotline", "duplicate>hotline", "duplicate>hotline", "duplicate>hotline", "dispatched>rsj",
			"dispatched>hotline"}) {
			e.t.Fatalf("outbox %v", got)
		}
		if got := e.eventActions(res[2].Case.ID); !eq(got, []string{"receive", "mark_duplicate"}) {
			e.t.Fatalf("events of B %v", got)
		}
	}},
	{"a reference reused for another request", func(e *env) {
		fp := func(ref, text, print string) routing.NewCase {
			return routing.NewCase{Channel: routing.ChannelHotline, ExternalRef: ref, Text: text, Fingerprint: print}
		}
		first, _, err := e.svc.File(e.ctx, fp("R1", "社保局要求开健在证明", "f-one"))
		if err != nil || first.Fingerprint != "f-one" {
			e.t.Fatalf("R1 %+v %v", first, err)
		}
		if got := e.get(first.ID); got.Fingerprint != "f-one" {
			e.t.Fatalf("stored fingerprint %q", got.Fingerprint)
		}
		legacy := e.file("L1", "派出所要亲属关系证明", "") // filed without a fingerprint
		res, err := e.svc.FileBatch(e.ctx, []routing.NewCase{
			fp("R1", "社保局要求开健在证明", "f-one"),      // 0: the same request again
			fp("R1", "派出所要亲属关系证明", "f-two"),      // 1: another request, stored number
			fp("N1", "社保局要求开健在证明，新的", "f-three"), // 2: new
			fp("N1", "完全不同的内容", "f-four"),        // 3: another request, number of 2
			fp("N1", "社保局要求开健在证明，新的", "f-three"), // 4: a repeat of 2
			fp("R1", "社保局要求开健在证明", ""),           // 5: no fingerprint: a repeat
			fp("L1", "别的内容", "f-five"),           // 6: stored without one: a repeat
		})
		if err != nil {
			e.t.Fatal(err)
		}
		if res[0].Err != nil || res[0].Created || res[0].Case.ID != first.ID {
			e.t.Fatalf("repeat of R1 %+v", res[0])
		}
		for _, i := range []int{1, 3} {
			if e.wantCode(res[i].Err, routing.ECONFLICT); res[i].Case != nil || res[i].Created {
				e.t.Fatalf("ticket %d: %+v", i, res[i])
			}
		}
		if !res[2].Created || res[4].Created || res[4].Case.ID != res[2].Case.ID || res[4].Err != nil {
			e.t.Fatalf("N1 %+v, its repeat %+v", res[2], res[4])
		}
		if res[5].Err != nil || res[5].Case.ID != first.ID || res[6].Err != nil || res[6].Case.ID != legacy.ID {
			e.t.Fatalf("without fingerprints %+v %+v", res[5], res[6])
		}
		cs, err := e.svc.Cases(e.ctx, operator, routing.CaseFilter{})
		if err != nil || len(cs) != 3 {
			e.t.Fatalf("%d cases stored, want 3 (%v)", len(cs), err)
		}
	}},
	{"decision handed in", func(e *env) {
		nc := routing.NewCase{Channel: routing.ChannelPortal, ExternalRef: "P1", Text: "  社保局要求开健在证明  "}
		d := e.svc.Classify(nc)
		if d.Department != "rsj" || len(d.Items) != 1 {
			e.t.Fatalf("Classify %+v", d)
		}
		nc.Decision = &d
		c, created, err := e.svc.File(e.ctx, nc)
		if err != nil || !created || c.Department != "rsj" || c.Items[0] != "BQ-012" {
			e.t.Fatalf("filed %+v %v %v", c, created, err)
		}
		// The handed-in decision is used as it is: the channel classified with this service.
		other := routing.Decision{Type: routing.TypeConsultation, Department: "mzj", Reasons: []string{"预先分类"}}
		c, _, err = e.svc.File(e.ctx, routing.NewCase{Channel: routing.ChannelPortal, ExternalRef: "P2",
			Text: "社保局要求开健在证明", Decision: &other})
		if err != nil || c.Department != "mzj" || c.Type != routing.TypeConsultation || c.Reasons[0] != "预先分类" {
			e.t.Fatalf("filed %+v %v", c, err)
		}
	}},
	{"a failure after the inserts stores none of the batch", func(e *env) {
		e.store.fail = true
		_, err := e.svc.FileBatch(e.ctx, []routing.NewCase{
			{Channel: routing.ChannelHotline, ExternalRef: "F1", Text: "社保局要求开健在证明"},
			{Channel: routing.ChannelHotline, ExternalRef: "F2", Text: "派出所要亲属关系证明"},
		})
		if err == nil {
			e.t.Fatal("no error")
		}
		e.store.fail = false
		cs, err := e.svc.Cases(e.ctx, operator, routing.CaseFilter{})
		if err != nil || len(cs) != 0 || len(e.outbox()) != 0 {
			e.t.Fatalf("after rollback: %d cases, %d outbox (%v)", len(cs), len(e.outbox()), err)
		}
		c := e.file("F1", "社保局要求开健在证明", "")
		if c.ID != "BQ20261125-0001" {
			e.t.Fatalf("id after rollback %s", c.ID)
		}
	}},
}

func TestFileBatch(t *testing.T) {
	for _, h := range harnesses {
		t.Run(h.name, func(t *testing.T) {
			for _, sc := range batchScenarios {
				t.Run(sc.name, func(t *testing.T) { sc.run(newEnv(t, h)) })
			}
		})
	}
}
