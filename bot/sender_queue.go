package bot

import (
	"context"
	"time"
)

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

func (p QueuedPart) outgoing() Outgoing {
	return Outgoing{ChatID: p.ChatID, Text: p.Text, Buttons: p.Buttons, ReplyToID: p.ReplyToID,
		ContactButton: p.ContactButton, RemoveKeyboard: p.RemoveKeyboard}
}
