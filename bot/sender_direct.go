package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

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
