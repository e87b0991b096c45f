package bot

import (
	"time"
)

// Limits are the sending limits the Sender keeps (Telegram's, by default).
type Limits struct {
	PerSecond      int           // messages per second over all chats (default 30)
	ChatEvery      time.Duration // at most one message per chat this often (default 1 s)
	GroupPerMinute int           // messages per minute to one group, negative chat id (default 20)
}

// chatLimit is the in-memory sending state of one chat.
type chatLimit struct {
	every     slidingWindow // one per ChatEvery
	group     slidingWindow // GroupPerMinute per minute (groups only)
	paused    time.Time     // retry_after of the last 429
	throttled bool          // paused is a 429's
}

// readyAt is the earliest instant p may be sent: its own due time, its chat's 429 pause
// and rate windows, and the global pause and window. Callers hold s.mu.
func (s *Sender) readyAt(p QueuedPart, now time.Time) time.Time {
	c := s.chat(p.ChatID)
	at := latestOf(p.NextAttemptAt, c.paused, c.every.next(now), s.globalPause, s.global.next(now))
	if p.ChatID < 0 {
		at = latestOf(at, c.group.next(now))
	}
	return at
}

func (s *Sender) chat(id int64) *chatLimit {
	c := s.chats[id]
	if c == nil {
		c = &chatLimit{every: slidingWindow{n: 1, per: s.cfg.Limits.ChatEvery},
			group: slidingWindow{n: s.cfg.Limits.GroupPerMinute, per: time.Minute}}
		s.chats[id] = c
	}
	return c
}

// prune forgets chats whose limits no longer matter, so the map stays small.
func (s *Sender) prune(now time.Time, inflight map[int64]bool) {
	if len(s.chats) < 4096 {
		return
	}
	for id, c := range s.chats {
		if !inflight[id] && !c.paused.After(now) && c.every.idle(now) && c.group.idle(now) {
			delete(s.chats, id)
		}
	}
}

func latestOf(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// slidingWindow allows at most n events in any span of length per.
type slidingWindow struct {
	n   int
	per time.Duration
	at  []time.Time // events within the last per, oldest first
}

func (w *slidingWindow) expire(now time.Time) {
	i := 0
	for i < len(w.at) && !w.at[i].Add(w.per).After(now) {
		i++
	}
	w.at = w.at[i:]
}

// next is the earliest instant another event is allowed.
func (w *slidingWindow) next(now time.Time) time.Time {
	w.expire(now)
	if len(w.at) < w.n {
		return now
	}
	return w.at[len(w.at)-w.n].Add(w.per)
}

func (w *slidingWindow) take(now time.Time) { w.at = append(w.at, now) }

func (w *slidingWindow) idle(now time.Time) bool { w.expire(now); return len(w.at) == 0 }
