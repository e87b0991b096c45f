package routing_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"chengnuo/routing"
)

// memStore is an in-memory routing.CaseStore: each WithTx works on a copy that replaces
// the state only when fn succeeds, so rollback behaves as in SQL.
type memStore struct {
	mu          sync.Mutex
	st          memState
	failEnqueue bool // Enqueue fails: simulates a crash after the case insert
}

type memState struct {
	cases    map[string]routing.Case
	order    []string
	events   map[string][]routing.Event
	outbox   []routing.OutboxMessage
	counters map[string]int
}

func newMemStore() *memStore {
	return &memStore{st: memState{cases: map[string]routing.Case{}, events: map[string][]routing.Event{},
		counters: map[string]int{}}}
}

func (s memState) clone() memState {
	n := memState{cases: map[string]routing.Case{}, order: append([]string(nil), s.order...),
		events: map[string][]routing.Event{}, outbox: append([]routing.OutboxMessage(nil), s.outbox...),
		counters: map[string]int{}}
	for k, v := range s.cases {
		n.cases[k] = v
	}
	for k, v := range s.events {
		n.events[k] = append([]routing.Event(nil), v...)
	}
	for k, v := range s.counters {
		n.counters[k] = v
	}
	return n
}

func (s *memStore) WithTx(ctx context.Context, fn func(routing.CaseTx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &memTx{st: s.st.clone(), failEnqueue: s.failEnqueue}
	if err := fn(tx); err != nil {
		return err
	}
	s.st = tx.st
	return nil
}

func (s *memStore) snapshot() memState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.clone()
}

func (s *memStore) Case(ctx context.Context, id string) (*routing.Case, error) {
	st := s.snapshot()
	return (&memTx{st: st}).Case(ctx, id)
}

func (s *memStore) CaseByRef(ctx context.Context, ch routing.Channel, ref string) (*routing.Case, error) {
	st := s.snapshot()
	return (&memTx{st: st}).CaseByRef(ctx, ch, ref)
}

func (s *memStore) Cases(ctx context.Context, f routing.CaseFilter) ([]*routing.Case, error) {
	st := s.snapshot()
	var out []*routing.Case
	for i := len(st.order) - 1; i >= 0; i-- {
		c := st.cases[st.order[i]]
		if (f.Department == "" || c.Department == f.Department) && (f.Status == "" || c.Status == f.Status) &&
			(f.DueBefore.IsZero() || (!c.DueAt().IsZero() && c.DueAt().Before(f.DueBefore))) &&
			(f.NextDueBefore.IsZero() || (c.Status.Open() && nextDue(&c).Before(f.NextDueBefore))) {
			out = append(out, &c)
		}
	}
	if !f.DueBefore.IsZero() {
		sort.SliceStable(out, func(i, j int) bool { return out[i].DueAt().Before(out[j].DueAt()) })
	}
	if !f.NextDueBefore.IsZero() {
		sort.SliceStable(out, func(i, j int) bool { return nextDue(out[i]).Before(nextDue(out[j])) })
	}
	return out, nil
}

func (s *memStore) Events(ctx context.Context, id string) ([]routing.Event, error) {
	return s.snapshot().events[id], nil
}

func (s *memStore) Outbox() []routing.OutboxMessage { return s.snapshot().outbox }

type memTx struct {
	st          memState
	failEnqueue bool
}

func (t *memTx) NextCaseID(ctx context.Context, at time.Time) (string, error) {
	day := at.In(routing.Shanghai).Format("20060102")
	t.st.counters[day]++
	return fmt.Sprintf("BQ%s-%04d", day, t.st.counters[day]), nil
}

func (t *memTx) Case(ctx context.Context, id string) (*routing.Case, error) {
	c, ok := t.st.cases[id]
	if !ok {
		return nil, routing.Errorf(routing.ENOTFOUND, "案件 %s 不存在", id)
	}
	return &c, nil
}

func (t *memTx) CaseByRef(ctx context.Context, ch routing.Channel, ref string) (*routing.Case, error) {
	for _, c := range t.st.cases {
		if c.Channel == ch && c.ExternalRef == ref && ref != "" {
			return &c, nil
		}
	}
	return nil, routing.Errorf(routing.ENOTFOUND, "not found")
}

func (t *memTx) NextCaseIDs(ctx context.Context, at time.Time, n int) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		ids[i], _ = t.NextCaseID(ctx, at)
	}
	return ids, nil
}

func (t *memTx) CasesByRefs(ctx context.Context, ch routing.Channel, refs []string) (map[string]*routing.Case, error) {
	out := map[string]*routing.Case{}
	for _, ref := range refs {
		if c, err := t.CaseByRef(ctx, ch, ref); err == nil {
			out[ref] = c
		}
	}
	return out, nil
}

// DuplicateSets keeps the store's order: most recent first, the later filed first among equal times.
func (t *memTx) DuplicateSets(ctx context.Context, q routing.DuplicateSetQuery) (routing.DuplicateSets, error) {
	out := routing.DuplicateSets{ByPhone: map[string][]*routing.Case{}, ByKey: map[string][]*routing.Case{}}
	for i := len(t.st.order) - 1; i >= 0; i-- {
		c := t.st.cases[t.st.order[i]]
		if !c.Status.Open() || c.ReceivedAt.Before(q.Since) {
			continue
		}
		if p := c.Complainant.Phone; p != "" && slices.Contains(q.Phones, p) {
			out.ByPhone[p] = append(out.ByPhone[p], &c)
		}
		if k := routing.DuplicateKey(c.Items, c.Department); slices.Contains(q.Keys, k) {
			out.ByKey[k] = append(out.ByKey[k], &c)
		}
	}
	for _, m := range []map[string][]*routing.Case{out.ByPhone, out.ByKey} {
		for k, cs := range m {
			slices.SortStableFunc(cs, func(a, b *routing.Case) int { return b.ReceivedAt.Compare(a.ReceivedAt) })
			m[k] = cs[:min(len(cs), q.Limit)]
		}
	}
	return out, nil
}

func (t *memTx) InsertCases(ctx context.Context, cs []*routing.Case) error {
	for _, c := range cs {
		if err := t.InsertCase(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

func (t *memTx) DuplicateCandidates(ctx context.Context, q routing.DuplicateQuery) ([]*routing.Case, error) {
	var out []*routing.Case
	for _, c := range t.st.cases {
		if c.Status.Open() && !c.ReceivedAt.Before(q.Since) &&
			((q.Phone != "" && c.Complainant.Phone == q.Phone) || routing.DuplicateKey(c.Items, c.Department) == q.Key) {
			out = append(out, &c)
		}
	}
	return out, nil
}

func (t *memTx) InsertCase(ctx context.Context, c *routing.Case) error {
	if _, ok := t.st.cases[c.ID]; ok {
		return routing.Errorf(routing.ECONFLICT, "exists")
	}
	if c.ExternalRef != "" {
		if _, err := t.CaseByRef(ctx, c.Channel, c.ExternalRef); err == nil {
			return routing.Errorf(routing.ECONFLICT, "ref exists")
		}
	}
	t.st.cases[c.ID] = *c
	t.st.order = append(t.st.order, c.ID)
	return nil
}

func (t *memTx) UpdateCase(ctx context.Context, c *routing.Case, prev int) error {
	old, ok := t.st.cases[c.ID]
	if !ok {
		return routing.Errorf(routing.ENOTFOUND, "not found")
	}
	if old.Version != prev {
		return routing.Errorf(routing.ECONFLICT, "version")
	}
	n := *c
	n.Rounds = old.Rounds // rounds are stored by AppendRounds only, as in SQL
	t.st.cases[c.ID] = n
	return nil
}

func (t *memTx) AppendRounds(ctx context.Context, id string, rounds ...routing.Round) error {
	c, ok := t.st.cases[id]
	if !ok {
		return routing.Errorf(routing.ENOTFOUND, "not found")
	}
	for _, r := range rounds {
		if r.N != len(c.Rounds)+1 {
			return routing.Errorf(routing.ECONFLICT, "round %d of %s exists or is out of order", r.N, id)
		}
		c.Rounds = append(slices.Clip(c.Rounds), r)
	}
	t.st.cases[id] = c
	return nil
}

func (t *memTx) AppendEvents(ctx context.Context, events ...routing.Event) error {
	for _, e := range events {
		evs := t.st.events[e.CaseID]
		if len(evs) > 0 && evs[len(evs)-1].Seq >= e.Seq {
			return routing.Errorf(routing.ECONFLICT, "seq")
		}
		t.st.events[e.CaseID] = append(evs, e)
	}
	return nil
}

func (t *memTx) Enqueue(ctx context.Context, msgs ...routing.OutboxMessage) error {
	if t.failEnqueue {
		return fmt.Errorf("enqueue: disk I/O error (simulated)")
	}
	for _, m := range msgs {
		m.ID = int64(len(t.st.outbox) + 1)
		t.st.outbox = append(t.st.outbox, m)
	}
	return nil
}

// keywordClassifier stands in for the real classifier: a few fixed keywords.
type keywordClassifier struct{}

func (keywordClassifier) Classify(text, address string) routing.Decision {
	switch {
	case strings.Contains(text, "健在"):
		return routing.Decision{Type: routing.TypeComplaint, Department: "rsj", Items: []string{"BQ-012"},
			Confidence: 0.9, Reasons: []string{"事项 BQ-012 属区人社局"}}
	case strings.Contains(text, "亲属关系"):
		return routing.Decision{Type: routing.TypeComplaint, Department: "gafj", Items: []string{"BQ-003"},
			Confidence: 0.9, Reasons: []string{"事项 BQ-003 属公安分局"}}
	case strings.Contains(text, "咨询"):
		return routing.Decision{Type: routing.TypeConsultation, Department: "xzspj", Confidence: 0.8,
			Reasons: []string{"咨询类"}}
	}
	return routing.Decision{Type: routing.TypeComplaint, Department: routing.CodeTriage, Triage: true,
		Reasons: []string{"无法判断承办单位，转分拨"}}
}

// everyDay counts every day as a working day (close of business 18:00 Shanghai).
type everyDay struct{}

func (everyDay) AddWorkingDays(from time.Time, n int) (time.Time, bool) {
	l := from.In(routing.Shanghai)
	return time.Date(l.Year(), l.Month(), l.Day()+n, 18, 0, 0, 0, routing.Shanghai), true
}

func (d everyDay) Deadlines(t routing.CaseType, from time.Time) routing.Deadlines {
	a, _ := d.AddWorkingDays(from, 1)
	r, _ := d.AddWorkingDays(from, routing.DefaultResolveDays[t])
	return routing.Deadlines{AcceptBy: a, ResolveBy: r, Covered: true}
}

func (d everyDay) ReturnBy(at time.Time) (time.Time, bool) { return d.AddWorkingDays(at, 1) }

func (d everyDay) MaxExtensionBy(r time.Time) (time.Time, bool) { return d.AddWorkingDays(r, 10) }

func (everyDay) ReminderAt(from, deadline time.Time) time.Time {
	if r := deadline.Add(-24 * time.Hour); r.After(from) {
		return r
	}
	return from
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func nextDue(c *routing.Case) time.Time { t, _ := c.NextDeadline(); return t }
