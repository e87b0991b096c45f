package routing

import (
	"sync"
	"time"
)

// DuplicateSetQuery asks the store for the duplicate candidates of a whole batch at once:
// for each phone and each topic key, what DuplicateQuery asks for one case (the open cases
// received at or after Since, most recent first, at most Limit). Since is the earliest of
// the batch's; each case then keeps the candidates of its own window.
type DuplicateSetQuery struct {
	Phones []string
	Keys   []string
	Since  time.Time
	Limit  int
}

// DuplicateSets answers a DuplicateSetQuery. Each list is in the order of the store's index:
// most recent first and, among cases received at the same instant, the later filed first.
// Phones and keys with no candidate may be absent.
type DuplicateSets struct {
	ByPhone map[string][]*Case
	ByKey   map[string][]*Case
}

// batchDuplicates finds the duplicates of a batch's cases in filing order, exactly as if
// each case had queried the store after the ones before it were stored: the stored
// candidates come from one DuplicateSets, and the batch's earlier open cases are merged in
// where the store's index would have placed them (they were filed last).
type batchDuplicates struct {
	stored  DuplicateSets
	limit   int
	byPhone map[string][]*Case // the batch's open cases so far, most recent first, at most limit
	byKey   map[string][]*Case
	grams   map[string][]uint64 // bigram sets by case id, this batch's
	cands   []*Case             // reused between cases
}

func newBatchDuplicates(stored DuplicateSets, limit int) *batchDuplicates {
	return &batchDuplicates{stored: stored, limit: limit, byPhone: map[string][]*Case{},
		byKey: map[string][]*Case{}, grams: map[string][]uint64{}}
}

// setQuery is the one store query for the candidates of all of cs.
func setQuery(cs []Case) DuplicateSetQuery {
	q := DuplicateSetQuery{Limit: duplicateCandidates}
	phones, keys := map[string]bool{}, map[string]bool{}
	for i := range cs {
		dq := duplicateQuery(&cs[i])
		if dq.Phone != "" && !phones[dq.Phone] {
			phones[dq.Phone] = true
			q.Phones = append(q.Phones, dq.Phone)
		}
		if dq.Key != "" && !keys[dq.Key] {
			keys[dq.Key] = true
			q.Keys = append(q.Keys, dq.Key)
		}
		if i == 0 || dq.Since.Before(q.Since) {
			q.Since = dq.Since
		}
	}
	return q
}

// find returns the case c repeats and why, or nil: FindDuplicate over the candidates the
// store would have answered duplicateQuery(c) with at this point of the batch.
func (b *batchDuplicates) find(c *Case) (*Case, string) {
	q := duplicateQuery(c)
	b.cands = b.cands[:0]
	if q.Phone != "" {
		b.cands = b.merge(b.cands, b.stored.ByPhone[q.Phone], b.byPhone[q.Phone], q.Since)
	}
	if q.Key != "" {
		b.cands = b.merge(b.cands, b.stored.ByKey[q.Key], b.byKey[q.Key], q.Since)
	}
	return findDuplicate(c, b.cands, b.gramsOf)
}

// merge appends to dst the first limit cases of stored and batch together in index order
// (the batch's come first among equal times: filed later), skipping those already in dst
// as the store's answer does; like the store's LIMIT, skipped ones count.
func (b *batchDuplicates) merge(dst, stored, batch []*Case, since time.Time) []*Case {
	i, j := 0, 0
	for range b.limit {
		okS := i < len(stored) && !stored[i].ReceivedAt.Before(since)
		okB := j < len(batch) && !batch[j].ReceivedAt.Before(since)
		var next *Case
		switch {
		case okB && (!okS || !batch[j].ReceivedAt.Before(stored[i].ReceivedAt)):
			next = batch[j]
			j++
		case okS:
			next = stored[i]
			i++
		default:
			return dst
		}
		if !containsID(dst, next.ID) {
			dst = append(dst, next)
		}
	}
	return dst
}

func containsID(cs []*Case, id string) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}

// add makes c, as stored, a candidate for the batch's later cases (if it is open).
func (b *batchDuplicates) add(c *Case) {
	if !c.Status.Open() {
		return
	}
	q := duplicateQuery(c)
	if q.Phone != "" {
		b.byPhone[q.Phone] = b.insert(b.byPhone[q.Phone], c)
	}
	if q.Key != "" {
		b.byKey[q.Key] = b.insert(b.byKey[q.Key], c)
	}
}

// insert puts c into list (most recent first) before the cases received at or before it,
// keeping at most limit: a later case's candidates are a prefix of the list.
func (b *batchDuplicates) insert(list []*Case, c *Case) []*Case {
	at := len(list)
	for k, o := range list {
		if !o.ReceivedAt.After(c.ReceivedAt) {
			at = k
			break
		}
	}
	if at >= b.limit {
		return list
	}
	list = append(list, nil)
	copy(list[at+1:], list[at:])
	list[at] = c
	if len(list) > b.limit {
		list = list[:b.limit]
	}
	return list
}

// gramsOf returns the bigram set of o's text. The same open cases of a busy topic are the
// candidates of case after case, batch after batch: their sets come from the batch's map,
// else from textGramsMemo, and are computed only when neither has them.
func (b *batchDuplicates) gramsOf(o *Case) []uint64 {
	if g, ok := b.grams[o.ID]; ok {
		return g
	}
	g := textGramsMemo.get(o.Text)
	b.grams[o.ID] = g
	return g
}

// gramMemo remembers textGrams by text (so it holds whatever store the text came from),
// in two generations: when the young one is full it becomes the old one and the previous
// old one is dropped, which bounds memory and keeps what is still asked for.
type gramMemo struct {
	mu         sync.Mutex
	size       int
	young, old map[string][]uint64
}

var textGramsMemo = &gramMemo{size: 4096}

func (m *gramMemo) get(text string) []uint64 {
	m.mu.Lock()
	g, ok := m.young[text]
	if !ok {
		if g, ok = m.old[text]; ok {
			m.putLocked(text, g)
		}
	}
	m.mu.Unlock()
	if ok {
		return g
	}
	g = textGrams(text)
	m.mu.Lock()
	m.putLocked(text, g)
	m.mu.Unlock()
	return g
}

func (m *gramMemo) putLocked(text string, g []uint64) {
	if len(m.young) >= m.size || m.young == nil {
		m.old, m.young = m.young, make(map[string][]uint64, m.size)
	}
	m.young[text] = g
}
