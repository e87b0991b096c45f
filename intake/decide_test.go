package intake

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"chengnuo/routing"
)

// decisionSpy counts the cases that reach FileBatch already classified.
type decisionSpy struct {
	CaseService
	classify     func(routing.NewCase) routing.Decision // nil: not a Decider
	withDecision atomic.Int64
	total        atomic.Int64
}

func (s *decisionSpy) FileBatch(ctx context.Context, ncs []routing.NewCase) ([]routing.FileResult, error) {
	for _, nc := range ncs {
		s.total.Add(1)
		if nc.Decision != nil {
			s.withDecision.Add(1)
		}
	}
	return s.CaseService.FileBatch(ctx, ncs)
}

// decidingSpy is a decisionSpy that is also a Decider, as routing.Service is.
type decidingSpy struct{ *decisionSpy }

func (s decidingSpy) Classify(nc routing.NewCase) routing.Decision { return s.classify(nc) }

// TestClassifiedInHandler: with a Decider the webhook classifies before queueing and the
// batch files the decision it was handed; without one the batch classifies. Both answer
// the same.
func TestClassifiedInHandler(t *testing.T) {
	answers := map[bool]IntakeResponse{}
	for _, decider := range []bool{true, false} {
		spy := &decisionSpy{}
		e := newEnv(t, func(d *Deps) {
			spy.CaseService = d.Cases
			d.Cases = spy
			if decider {
				spy.classify = spy.CaseService.(*routing.Service).Classify
				d.Cases = decidingSpy{spy}
			}
		})
		for i, body := range [][]byte{mustJSON(t, ticket(ticketNo(1), "户籍窗口要求开证明", "13812345678")),
			mustJSON(t, ticket(ticketNo(2), "不知道该找谁", "13812345679"))} {
			status, b := e.do(e.signed("/v1/hotline/tickets", hotlineSecret, body))
			if status != 202 {
				t.Fatalf("decider %v ticket %d: %d %s", decider, i, status, b)
			}
			if i == 0 {
				var r IntakeResponse
				json.Unmarshal(b, &r)
				r.CaseID = ""
				answers[decider] = r
			}
		}
		want := int64(0)
		if decider {
			want = 2
		}
		if spy.total.Load() != 2 || spy.withDecision.Load() != want {
			t.Fatalf("decider %v: %d of %d cases came classified, want %d", decider, spy.withDecision.Load(), spy.total.Load(), want)
		}
	}
	if answers[true] != answers[false] || answers[true].Department != "gafj" {
		t.Fatalf("answers differ: with a Decider %+v, without %+v", answers[true], answers[false])
	}
}
