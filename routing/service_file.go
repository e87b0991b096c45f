package routing

import (
	"context"
	"fmt"
	"time"
)

// FileBatch files several cases in one transaction (group commit for a busy intake): one
// commit for all. An invalid input gets its own FileResult.Err and does not stop the others;
// a storage error rolls back the whole batch and is returned.
//
// The outcome is the same as filing the cases one by one in order: a reference repeated
// within the batch files once, and a case may be linked as a duplicate of an earlier case
// of the same batch. A repeated reference whose NewCase.Fingerprint differs from the one
// filed under it (stored, or earlier in the batch) gets ECONFLICT and files nothing. The work is set-based: one query for the references, one counter
// update for the ids, one query each for the duplicate candidates by phone and by topic,
// and multi-row inserts of the cases, their events and their outbox messages.
func (s *Service) FileBatch(ctx context.Context, ncs []NewCase) ([]FileResult, error) {
	now := s.now()
	out := make([]FileResult, len(ncs))
	todo := make([]int, 0, len(ncs))
	for i := range ncs {
		if err := s.validate(&ncs[i], now); err != nil {
			out[i].Err = err
			continue
		}
		todo = append(todo, i)
	}
	// Tickets seen before are answered inside the transaction (fileInTx looks every
	// reference up under the write lock anyway). A separate lookup on the read pool first
	// would spare a repeated batch the write lock, but it cost every new batch a read
	// transaction while holding intake's one writer: about a tenth of a group commit.
	rest := todo
	if len(rest) == 0 {
		return out, nil
	}
	decisions := make([]Decision, len(ncs))
	for _, i := range rest {
		decisions[i] = s.decide(&ncs[i])
	}
	err := s.Store.WithTx(ctx, func(tx CaseTx) error {
		return s.fileInTx(ctx, tx, ncs, rest, decisions, now, out)
	})
	if err != nil {
		return nil, fmt.Errorf("file case: %w", err)
	}
	return out, nil
}

// refKey is a (channel, external ref) pair: the idempotency key.
type refKey struct {
	ch  Channel
	ref string
}

// casesByRefs looks up the references of ncs[idx] with one call of lookup per channel.
func casesByRefs(ctx context.Context, lookup func(context.Context, Channel, []string) (map[string]*Case, error),
	ncs []NewCase, idx []int) (map[refKey]*Case, error) {
	refs := map[Channel][]string{}
	for _, i := range idx {
		if nc := &ncs[i]; nc.ExternalRef != "" {
			refs[nc.Channel] = append(refs[nc.Channel], nc.ExternalRef)
		}
	}
	out := map[refKey]*Case{}
	for ch, rs := range refs {
		found, err := lookup(ctx, ch, rs)
		if err != nil {
			return nil, err
		}
		for ref, c := range found {
			out[refKey{ch, ref}] = c
		}
	}
	return out, nil
}

// fingerprintsDiffer reports whether a repeated reference carries another request than
// the one filed under it; a side without a fingerprint cannot tell, and counts as the same.
func fingerprintsDiffer(a, b string) bool { return a != "" && b != "" && a != b }

// errRefReused refuses a request whose reference was filed before with other content.
func errRefReused(nc *NewCase) error {
	return Errorf(ECONFLICT, "外部编号 %s 已用于内容不同的另一件，未登记", nc.ExternalRef)
}

// fileInTx stores the cases ncs[idx] inside tx and fills their results in out.
func (s *Service) fileInTx(ctx context.Context, tx CaseTx, ncs []NewCase, idx []int, decisions []Decision,
	now time.Time, out []FileResult) error {
	// Filed meanwhile (another batch, a concurrent request), or earlier in this batch.
	stored, err := casesByRefs(ctx, tx.CasesByRefs, ncs, idx)
	if err != nil {
		return err
	}
	creator := map[refKey]int{} // reference → position in create of the case filing it
	create := make([]int, 0, len(idx))
	repeats := map[int]int{} // input index → position in create of the case it repeats
	for _, i := range idx {
		nc := &ncs[i]
		k := refKey{nc.Channel, nc.ExternalRef}
		if nc.ExternalRef != "" {
			if c := stored[k]; c != nil {
				if fingerprintsDiffer(nc.Fingerprint, c.Fingerprint) {
					out[i] = FileResult{Err: errRefReused(nc)}
				} else {
					out[i] = FileResult{Case: c}
				}
				continue
			}
			if p, ok := creator[k]; ok {
				if fingerprintsDiffer(nc.Fingerprint, ncs[create[p]].Fingerprint) {
					out[i] = FileResult{Err: errRefReused(nc)}
				} else {
					repeats[i] = p
				}
				continue
			}
			creator[k] = len(create)
		}
		create = append(create, i)
	}
	if len(create) == 0 {
		return nil
	}
	ids, err := tx.NextCaseIDs(ctx, now, len(create))
	if err != nil {
		return err
	}
	life := s.life()
	received := make([]Case, len(create))
	receipts := make([]Event, len(create))
	for p, i := range create {
		received[p], receipts[p] = life.Receive(ids[p], ncs[i], decisions[i], now)
	}
	sets, err := tx.DuplicateSets(ctx, setQuery(received))
	if err != nil {
		return err
	}
	dups := newBatchDuplicates(sets, duplicateCandidates)
	filed := make([]*Case, len(create))
	events := make([]Event, 0, 2*len(create)) // in the order filing one by one writes them
	var msgs []OutboxMessage
	for p := range create {
		c := &received[p]
		cmd := Command{Action: ActDispatch, Actor: System, At: now, Department: c.Department}
		if dup, why := dups.find(c); dup != nil {
			cmd = Command{Action: ActMarkDuplicate, Actor: System, At: now, DuplicateOf: dup.ID, Reason: why}
		}
		n, second, err := life.Apply(*c, cmd)
		if err != nil {
			return err
		}
		filed[p] = &n
		dups.add(&n)
		events = append(events, receipts[p], second)
		msgs = append(msgs, OutboxFor(&n, second)...)
	}
	if err := tx.InsertCases(ctx, filed); err != nil {
		return err
	}
	if err := tx.AppendEvents(ctx, events...); err != nil {
		return err
	}
	if err := tx.Enqueue(ctx, msgs...); err != nil {
		return err
	}
	for p, i := range create {
		out[i] = FileResult{Case: filed[p], Created: true}
	}
	for i, p := range repeats {
		c := *filed[p]
		out[i] = FileResult{Case: &c}
	}
	return nil
}
