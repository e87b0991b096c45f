package routing

import (
	"slices"
	"time"
)

// Round is one round of handling (办理轮次): from a dispatch to the reply, the close and the
// resident's rating. A reopen (重办) ends the round and starts the next; the case's own fields
// hold the current round, Case.Rounds the ones a reopen ended, so that what a department did
// in a round (on time or late, rated 不满意) is never lost when the case is handled again.
type Round struct {
	N            int    // 1-based
	Department   string // the department that handled it
	DispatchedAt time.Time
	AcceptBy     time.Time
	ResolveBy    time.Time
	ExtendedTo   time.Time // the granted extension, zero when none
	AcceptedAt   time.Time
	RepliedAt    time.Time
	Reply        string
	ClosedAt     time.Time
	Satisfaction Satisfaction
	OverdueAt    time.Time
	EscalatedAt  time.Time
	ReopenedAt   time.Time // when a reopen ended it; zero for the current round
}

// Deadline is the round's resolve deadline in force: the granted extension, else ResolveBy.
func (r Round) Deadline() time.Time {
	if !r.ExtendedTo.IsZero() {
		return r.ExtendedTo
	}
	return r.ResolveBy
}

// AcceptedOnTime reports whether the round was accepted (签收) by its accept deadline.
func (r Round) AcceptedOnTime() bool {
	return !r.AcceptedAt.IsZero() && !r.AcceptBy.IsZero() && !r.AcceptedAt.After(r.AcceptBy)
}

// AnsweredOnTime reports whether the round was answered (答复) by its deadline in force.
func (r Round) AnsweredOnTime() bool {
	dl := r.Deadline()
	return !r.RepliedAt.IsZero() && !dl.IsZero() && !r.RepliedAt.After(dl)
}

// AnsweredLate reports whether the round's answer came after its deadline in force (超期答复).
func (r Round) AnsweredLate() bool {
	dl := r.Deadline()
	return !r.RepliedAt.IsZero() && !dl.IsZero() && r.RepliedAt.After(dl)
}

// CurrentRound is the round the case is in now, from its own fields.
func (c *Case) CurrentRound() Round {
	return Round{N: len(c.Rounds) + 1, Department: c.Department, DispatchedAt: c.DispatchedAt,
		AcceptBy: c.AcceptBy, ResolveBy: c.ResolveBy, ExtendedTo: c.ExtendedTo, AcceptedAt: c.AcceptedAt,
		RepliedAt: c.RepliedAt, Reply: c.Reply, ClosedAt: c.ClosedAt, Satisfaction: c.Satisfaction,
		OverdueAt: c.OverdueAt, EscalatedAt: c.EscalatedAt}
}

// AllRounds is every round of the case, oldest first: the ended ones and the current one.
func (c *Case) AllRounds() []Round {
	return append(slices.Clone(c.Rounds), c.CurrentRound())
}

// FirstRound is the case's first round: what the department did before any reopen.
func (c *Case) FirstRound() Round {
	if len(c.Rounds) > 0 {
		return c.Rounds[0]
	}
	return c.CurrentRound()
}

// endRound keeps the current round of n in n.Rounds, ended by a reopen at at. n.Rounds is
// copied first: Apply never writes the slices of the case it was given.
func endRound(n *Case, at time.Time) {
	r := n.CurrentRound()
	r.ReopenedAt = at
	n.Rounds = append(slices.Clip(n.Rounds), r)
}
