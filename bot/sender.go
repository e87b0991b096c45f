package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Telegram's size limits.
const (
	MaxMessageUnits = 4096 // text of one message, in UTF-16 code units
	MaxCallbackData = 64   // callback_data, in bytes
)

// ErrInvalidMessage is wrapped by Sender.Send for a message Telegram would refuse whatever
// the retries (empty text, no chat, callback data over 64 bytes): a bug to fix, never
// something to truncate silently.
var ErrInvalidMessage = errors.New("invalid outgoing message")

// QueuedPart is one part of an outgoing message as the queue keeps it.
type QueuedPart struct {
	ID             int64
	Key            string // Outgoing.Key; "" for none
	Part, Parts    int    // 1-based
	ChatID         int64
	Text           string
	Buttons        [][]Button // last part only
	ReplyToID      int        // first part only
	ContactButton  string     // last part only
	RemoveKeyboard bool       // last part only
	Link           *CaseLink  // linked to the case when the last part is sent
	Attempts       int        // failed tries so far (429s do not count)
	NextAttemptAt  time.Time
	CreatedAt      time.Time
}

// CaseChat is one chat a case is linked to (see Outgoing.Link): its role there and, for a
// card, the card's message id.
type CaseChat struct {
	ChatID    int64
	MessageID int
	Role      string
}

// Queue is the durable outgoing queue; the store implements it. Times come from the
// sender's clock.
type Queue interface {
	// BotEnqueue stores the parts of one message at once, pending and due at now. It
	// reports false, storing nothing, when parts[0].Key is set and was queued before.
	BotEnqueue(ctx context.Context, parts []QueuedPart, now time.Time) (bool, error)
	// BotHeads returns the oldest pending part of each chat, due or not, earliest due
	// first, at most limit of them.
	BotHeads(ctx context.Context, limit int) ([]QueuedPart, error)
	// BotSent records the part as sent with Telegram's message id; for the last part of
	// a message with a Link it also links the message to the case, in the same transaction.
	BotSent(ctx context.Context, id int64, messageID int, at time.Time) error
	// BotRetry keeps the part pending, due at next; attempt says whether the try counts
	// as failed (a 429 does not).
	BotRetry(ctx context.Context, id int64, reason string, next time.Time, attempt bool) error
	// BotFailed gives the part up (a permanent refusal, or tries exhausted); it stays stored.
	BotFailed(ctx context.Context, id int64, reason string, at time.Time) error
	// BotMoveChat moves a chat's pending parts to another chat id (a group that became a
	// supergroup).
	BotMoveChat(ctx context.Context, from, to int64) error
}

// Limits are the sending limits the Sender keeps (Telegram's, by default).
type Limits struct {
	PerSecond      int           // messages per second over all chats (default 30)
	ChatEvery      time.Duration // at most one message per chat this often (default 1 s)
	GroupPerMinute int           // messages per minute to one group, negative chat id (default 20)
}

// Clock is the sender's time source; tests inject a fake one so that limits and backoff
// are checked without waiting.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SenderConfig configures a Sender; zero values take the defaults noted.
type SenderConfig struct {
	Limits      Limits
	Clock       Clock        // default: the system clock
	Logger      *slog.Logger // default slog.Default()
	Concurrency int          // sends in flight at once, each to a different chat (default 8)
	MaxAttempts int          // failed tries before a part is given up (default 30, about 2 hours)
	// Backoff is the wait after the n-th failed try (n ≥ 1); default 1 s doubling to
	// 5 min, ±20 %.
	Backoff func(n int) time.Duration
	// IdleCheck is how often an idle sender looks at the queue anyway, for messages queued
	// again by another process (BotRequeueFailed from the CLI); default 10 s, < 0 never.
	IdleCheck time.Duration
}

// Sender is chengnuo's one outgoing queue to Telegram. Send validates, splits and stores a
// message durably (SQLite through Queue) and returns; Run delivers in order per chat within
// Telegram's limits, pauses a chat (or everything) for a 429's retry_after, retries network
// faults and 5xx answers with backoff and gives up only on a permanent refusal or after
// MaxAttempts. Messages still queued at a restart are sent after it; sent ones are not.
type Sender struct {
	api   API
	queue Queue
	cfg   SenderConfig
	log   *slog.Logger

	notify   chan struct{} // a message was queued
	inflight atomic.Int64  // sends started whose outcome Run has not yet planned with

	mu          sync.Mutex
	chats       map[int64]*chatLimit
	global      slidingWindow
	globalPause time.Time
}

// chatLimit is the in-memory sending state of one chat.
type chatLimit struct {
	every     slidingWindow // one per ChatEvery
	group     slidingWindow // GroupPerMinute per minute (groups only)
	paused    time.Time     // retry_after of the last 429
	throttled bool          // paused is a 429's
}

// The dialogs send through the Sender.
var _ Messenger = (*Sender)(nil)

// NewSender returns a Sender over api and queue; call Run to deliver.
func NewSender(api API, queue Queue, cfg SenderConfig) *Sender {
	if cfg.Limits.PerSecond <= 0 {
		cfg.Limits.PerSecond = 30
	}
	if cfg.Limits.ChatEvery <= 0 {
		cfg.Limits.ChatEvery = time.Second
	}
	if cfg.Limits.GroupPerMinute <= 0 {
		cfg.Limits.GroupPerMinute = 20
	}
	if cfg.Clock == nil {
		cfg.Clock = systemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 30
	}
	if cfg.Backoff == nil {
		cfg.Backoff = defaultBackoff
	}
	if cfg.IdleCheck == 0 {
		cfg.IdleCheck = 10 * time.Second
	}
	return &Sender{api: api, queue: queue, cfg: cfg, log: cfg.Logger,
		notify: make(chan struct{}, 1), chats: map[int64]*chatLimit{},
		global: slidingWindow{n: cfg.Limits.PerSecond, per: time.Second}}
}

func defaultBackoff(n int) time.Duration {
	d := time.Second << min(max(n-1, 0), 9)
	d = min(d, 5*time.Minute)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Send queues m durably and returns; Run sends it. A message whose Key was queued before
// is dropped (nil error). Text over 4,096 UTF-16 units is split at line breaks, the
// buttons going with the last part. An invalid message is an error wrapping
// ErrInvalidMessage.
func (s *Sender) Send(ctx context.Context, m Outgoing) error {
	parts, err := queuedParts(m)
	if err != nil {
		return err
	}
	fresh, err := s.queue.BotEnqueue(ctx, parts, s.cfg.Clock.Now())
	if err != nil {
		return fmt.Errorf("queue message for chat %d: %w", m.ChatID, err)
	}
	if !fresh {
		s.log.Debug("bot: duplicate message dropped", "key", m.Key, "chat", m.ChatID)
		return nil
	}
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return nil
}

// queuedParts validates m and splits it into the parts to queue.
func queuedParts(m Outgoing) ([]QueuedPart, error) {
	if m.ChatID == 0 {
		return nil, fmt.Errorf("%w: no chat", ErrInvalidMessage)
	}
	if err := checkButtons(m.Buttons); err != nil {
		return nil, err
	}
	if len(m.Buttons) > 0 && (m.ContactButton != "" || m.RemoveKeyboard) {
		return nil, fmt.Errorf("%w: inline buttons and a reply keyboard cannot go together", ErrInvalidMessage)
	}
	texts := SplitText(m.Text, MaxMessageUnits)
	if len(texts) == 0 {
		return nil, fmt.Errorf("%w: empty text", ErrInvalidMessage)
	}
	parts := make([]QueuedPart, len(texts))
	for i, t := range texts {
		parts[i] = QueuedPart{Key: m.Key, Part: i + 1, Parts: len(texts), ChatID: m.ChatID, Text: t}
	}
	parts[0].ReplyToID = m.ReplyToID
	last := &parts[len(parts)-1]
	last.Buttons, last.ContactButton, last.RemoveKeyboard = m.Buttons, m.ContactButton, m.RemoveKeyboard
	last.Link = m.Link
	return parts, nil
}

// checkButtons refuses buttons Telegram would refuse: no text, or callback data outside
// 1-64 bytes (never truncated: cut data would no longer say what to do).
func checkButtons(rows [][]Button) error {
	for _, row := range rows {
		for _, b := range row {
			if b.Text == "" {
				return fmt.Errorf("%w: button without text", ErrInvalidMessage)
			}
			if len(b.Data) == 0 || len(b.Data) > MaxCallbackData {
				return fmt.Errorf("%w: callback data %q is %d bytes, Telegram allows 1-%d",
					ErrInvalidMessage, b.Data, len(b.Data), MaxCallbackData)
			}
		}
	}
	return nil
}

// AnswerCallback answers a button press at once (not through the queue: Telegram wants
// the answer within seconds), retrying a short 429 or a transient fault a few times.
func (s *Sender) AnswerCallback(ctx context.Context, id, text string) error {
	return s.direct(ctx, func(ctx context.Context) error { return s.api.AnswerCallback(ctx, id, text) })
}

// EditButtons replaces a sent message's inline keyboard (no rows: removes it), at once.
func (s *Sender) EditButtons(ctx context.Context, chatID int64, messageID int, rows [][]Button) error {
	if err := checkButtons(rows); err != nil {
		return err
	}
	return s.direct(ctx, func(ctx context.Context) error { return s.api.EditButtons(ctx, chatID, messageID, rows) })
}

// EditText replaces a sent message's text and inline keyboard, at once.
func (s *Sender) EditText(ctx context.Context, chatID int64, messageID int, text string, rows [][]Button) error {
	if len(SplitText(text, MaxMessageUnits)) != 1 {
		return fmt.Errorf("%w: edited text must be 1-%d UTF-16 units", ErrInvalidMessage, MaxMessageUnits)
	}
	if err := checkButtons(rows); err != nil {
		return err
	}
	return s.direct(ctx, func(ctx context.Context) error { return s.api.EditText(ctx, chatID, messageID, text, rows) })
}

// direct runs an immediate call with up to three tries: a 429 asking for at most 5 s is
// waited out, a transient fault waited for 250 ms, 500 ms.
func (s *Sender) direct(ctx context.Context, call func(context.Context) error) error {
	var err error
	for try := 0; try < 3; try++ {
		if err = call(ctx); err == nil || Permanent(err) {
			return err
		}
		wait := 250 * time.Millisecond << try
		if ra, ok := RetryAfter(err); ok {
			if ra > 5*time.Second {
				return err
			}
			wait = ra
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-s.cfg.Clock.After(wait):
		}
	}
	return err
}

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

// deliver sends one part and records the outcome. The call and the record outlive a
// cancelled ctx (bounded by the API's timeout): stopping must not leave a message sent
// but still queued, to be sent again after the restart.
func (s *Sender) deliver(ctx context.Context, p QueuedPart) {
	ctx = context.WithoutCancel(ctx)
	msgID, err := s.api.Send(ctx, p.outgoing())
	now := s.cfg.Clock.Now()
	log := s.log.With("chat", p.ChatID, "queued", p.ID, "part", p.Part)
	var ae *APIError
	switch {
	case err == nil:
		err = s.queue.BotSent(ctx, p.ID, msgID, now)
	case isRetryAfter(err):
		ra, _ := RetryAfter(err)
		until := s.throttle(p.ChatID, now, ra)
		log.Warn("bot: telegram flood control, chat paused", "retry_after", ra, "until", until)
		err = s.queue.BotRetry(ctx, p.ID, err.Error(), until, false)
	case errors.As(err, &ae) && ae.MigrateToChatID != 0:
		log.Warn("bot: group became a supergroup; update the department's telegram_chat",
			"new_chat", ae.MigrateToChatID)
		err = s.queue.BotMoveChat(ctx, p.ChatID, ae.MigrateToChatID)
	case Permanent(err) || p.Attempts+1 >= s.cfg.MaxAttempts:
		log.Error("bot: message given up", "attempts", p.Attempts+1, "err", err)
		err = s.queue.BotFailed(ctx, p.ID, err.Error(), now)
	default:
		next := now.Add(s.cfg.Backoff(p.Attempts + 1))
		log.Warn("bot: send failed, will retry", "attempts", p.Attempts+1, "next", next, "err", err)
		err = s.queue.BotRetry(ctx, p.ID, err.Error(), next, true)
	}
	if err != nil {
		log.Error("bot: record delivery outcome", "err", err)
	}
}

func isRetryAfter(err error) bool { _, ok := RetryAfter(err); return ok }

// throttle pauses a chat for a 429's retry_after and returns the end of the pause. When
// another chat is already paused by a 429, the bot as a whole is over its limit: every
// chat waits.
func (s *Sender) throttle(chat int64, now time.Time, ra time.Duration) time.Time {
	until := now.Add(ra)
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, c := range s.chats {
		if id != chat && c.throttled && c.paused.After(now) {
			s.globalPause = latestOf(s.globalPause, until)
			s.log.Warn("bot: flood control on several chats, all sending paused", "until", s.globalPause)
			break
		}
	}
	c := s.chat(chat)
	c.paused, c.throttled = latestOf(c.paused, until), true
	return c.paused
}

func (p QueuedPart) outgoing() Outgoing {
	return Outgoing{ChatID: p.ChatID, Text: p.Text, Buttons: p.Buttons, ReplyToID: p.ReplyToID,
		ContactButton: p.ContactButton, RemoveKeyboard: p.RemoveKeyboard}
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

// SplitText splits text into parts of at most limit UTF-16 code units (how Telegram
// counts), at line breaks where it can; a line longer than a part is cut after a
// sentence's punctuation when one is near the end, else between characters (never inside
// a surrogate pair). Blank text gives no parts.
func SplitText(text string, limit int) []string {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	if utf16Units(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	curN := 0
	flush := func(s string) {
		if s = strings.TrimRight(s, "\r\n"); strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		n := utf16Units(line)
		if curN+n <= limit {
			cur.WriteString(line)
			curN += n
			continue
		}
		flush(cur.String())
		cur.Reset()
		for n > limit {
			var head string
			head, line = cutUnits(line, limit)
			flush(head)
			n = utf16Units(line)
		}
		cur.WriteString(line)
		curN = n
	}
	flush(cur.String())
	return parts
}

// cutUnits cuts s after at most limit UTF-16 units, preferring the end of a sentence,
// then a comma or space, in the last quarter of the cut.
func cutUnits(s string, limit int) (head, rest string) {
	units, cut, sentence, soft := 0, 0, 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > limit {
			break
		}
		units, i = units+w, i+size
		cut = i
		switch {
		case strings.ContainsRune("。！？；!?;", r):
			sentence = cut
		case strings.ContainsRune("，、, ", r):
			soft = cut
		}
	}
	for _, at := range []int{sentence, soft} {
		if at > 0 && utf16Units(s[:at]) >= limit*3/4 {
			return s[:at], s[at:]
		}
	}
	return s[:cut], s[cut:]
}

// utf16Units is the length of s in UTF-16 code units.
func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
