package bot

import (
	"sync"
	"time"
)

// RateLimiter is a token bucket per user: Burst messages at once, refilled at Burst per
// Per. The clock is injected so that tests never sleep.
type RateLimiter struct {
	Burst int
	Per   time.Duration
	Now   func() time.Time

	mu      sync.Mutex
	buckets map[int64]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
	warned bool // the user was told once since the bucket ran dry
}

// maxBuckets bounds memory: beyond it, full buckets (idle users) are dropped.
const maxBuckets = 10000

// NewRateLimiter returns a limiter of burst messages per per, read at now (nil: time.Now).
func NewRateLimiter(burst int, per time.Duration, now func() time.Time) *RateLimiter {
	if now == nil {
		now = time.Now
	}
	return &RateLimiter{Burst: burst, Per: per, Now: now, buckets: map[int64]*bucket{}}
}

// Allow takes one token of user's bucket. When none is left it reports allowed false, and
// warn true the first time since the bucket ran dry, so a flood gets one polite message.
func (l *RateLimiter) Allow(user int64) (allowed, warn bool) {
	if l == nil || l.Burst <= 0 || l.Per <= 0 {
		return true, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	b := l.buckets[user]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.prune(now)
		}
		b = &bucket{tokens: float64(l.Burst), last: now}
		l.buckets[user] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		b.warned = false
		return true, false
	}
	warn = !b.warned
	b.warned = true
	return false, warn
}

func (l *RateLimiter) refill(b *bucket, now time.Time) {
	if el := now.Sub(b.last); el > 0 {
		b.tokens += float64(l.Burst) * float64(el) / float64(l.Per)
		if b.tokens > float64(l.Burst) {
			b.tokens = float64(l.Burst)
		}
	}
	b.last = now
}

// prune drops the buckets that have refilled completely: their users are idle.
func (l *RateLimiter) prune(now time.Time) {
	for id, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.Burst) {
			delete(l.buckets, id)
		}
	}
}
