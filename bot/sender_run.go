package bot

import (
	"context"
	"time"
)

// InFlight is the number of sends under way, counting a finished one until Run has
// planned its next round with the outcome (for metrics; tests wait for it to be 0).
func (s *Sender) InFlight() int { return int(s.inflight.Load()) }

// headsLimit bounds the heads read per round: far more chats than can be sent to in the
// time one round takes.
const headsLimit = 1000

// sendDone reports the end of one delivery to Run.
type sendDone struct{ chat int64 }

// Run delivers queued messages until ctx ends, then waits for the sends in flight (each
// bounded by the API's request timeout) so that their outcome is recorded.
func (s *Sender) Run(ctx context.Context) error {
	done := make(chan sendDone, s.cfg.Concurrency)
	inflight := map[int64]bool{}
	defer func() {
		for range len(inflight) {
			<-done
		}
	}()
	settled := 0 // finished sends taken into account by the next dispatch
	for {
		wake, err := s.dispatch(ctx, inflight, done)
		var timer <-chan time.Time
		switch {
		case err != nil:
			s.log.Error("bot: read outgoing queue", "err", err)
			timer = s.cfg.Clock.After(time.Second)
		case !wake.IsZero():
			timer = s.cfg.Clock.After(wake.Sub(s.cfg.Clock.Now()))
		case len(inflight) == 0 && s.cfg.IdleCheck > 0:
			timer = s.cfg.Clock.After(s.cfg.IdleCheck)
		}
		// Only now, with the timer set for the new plan, do the finished sends stop counting
		// as in flight: a fake clock that waits for InFlight() == 0 then never fires a timer
		// planned before a send's outcome was known.
		s.inflight.Add(-int64(settled))
		settled = 0
		select {
		case <-ctx.Done():
			return nil
		case <-s.notify:
		case r := <-done:
			delete(inflight, r.chat)
			settled++
		case <-timer:
		}
	}
}

// dispatch starts a send for every chat whose head is ready and returns when the next
// waiting head becomes ready (zero: only a queued message or a finished send can help).
func (s *Sender) dispatch(ctx context.Context, inflight map[int64]bool, done chan<- sendDone) (time.Time, error) {
	if len(inflight) >= s.cfg.Concurrency {
		return time.Time{}, nil
	}
	heads, err := s.queue.BotHeads(ctx, headsLimit)
	if err != nil {
		return time.Time{}, err
	}
	now := s.cfg.Clock.Now()
	var wake time.Time
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range heads {
		if inflight[p.ChatID] {
			continue
		}
		if len(inflight) >= s.cfg.Concurrency {
			break
		}
		if at := s.readyAt(p, now); at.After(now) {
			if wake.IsZero() || at.Before(wake) {
				wake = at
			}
			continue
		}
		c := s.chat(p.ChatID)
		c.every.take(now)
		if p.ChatID < 0 {
			c.group.take(now)
		}
		s.global.take(now)
		inflight[p.ChatID] = true
		s.inflight.Add(1)
		go func(p QueuedPart) {
			s.deliver(ctx, p)
			done <- sendDone{chat: p.ChatID}
		}(p)
	}
	s.prune(now, inflight)
	return wake, nil
}
