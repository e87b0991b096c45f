package bot

import (
	"context"
	"errors"
	"time"
)

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
