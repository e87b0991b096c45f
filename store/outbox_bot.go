package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"chengnuo/bot"
	"chengnuo/routing"
)

// The bot reads the case outbox as a feed (bot.Bridge): every row in id order, whatever
// the delivery worker made of it, after a cursor kept in bot_state.
var _ bot.OutboxFeed = (*DB)(nil)

const keyOutboxCursor = "outbox_cursor"

// BotOutboxCursor returns the id of the last outbox row the bot has passed. On the first
// call it starts the feed: before the oldest row still waiting for the bot (target
// "telegram", pending), else after the last row, so that a bot switched on in a running
// deployment does not flood department groups with the cards of every past case.
func (db *DB) BotOutboxCursor(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM bot_state WHERE key = ?`,
		keyOutboxCursor).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("bot outbox cursor: %w", err)
	}
	err = db.write.QueryRowContext(ctx, `INSERT INTO bot_state (key, value)
		SELECT ?, COALESCE(
			(SELECT MIN(id) - 1 FROM outbox INDEXED BY outbox_pending WHERE status = 'pending' AND target = ?),
			(SELECT MAX(id) FROM outbox), 0) WHERE true
		ON CONFLICT (key) DO UPDATE SET value = value
		RETURNING CAST(value AS INTEGER)`, keyOutboxCursor, bot.TargetTelegram).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("start bot outbox cursor: %w", err)
	}
	return id, nil
}

// BotOutboxAfter returns up to limit outbox rows with an id above after, in id order, in
// any status.
func (db *DB) BotOutboxAfter(ctx context.Context, after int64, limit int) ([]routing.OutboxMessage, error) {
	if limit <= 0 {
		limit = 100
	}
	return db.outbox(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

// BotOutboxAdvance moves the bot's cursor to cursor and, in the same transaction, marks
// the rows delivered that the bot has taken over (its own "telegram" rows, now in its
// queue), so delivery metrics do not count them pending for ever. Rows no longer pending
// are left as they are.
func (db *DB) BotOutboxAdvance(ctx context.Context, cursor int64, delivered []int64) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("advance bot outbox cursor to %d: %w", cursor, err)
	}
	defer tx.Rollback()
	now := formatTime(db.now())
	for _, id := range delivered {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'delivered', attempts = attempts + 1,
			last_error = '', delivered_at = ? WHERE id = ? AND status = 'pending'`, now, id); err != nil {
			return fmt.Errorf("outbox %d delivered to the bot: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bot_state (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, keyOutboxCursor, cursor); err != nil {
		return fmt.Errorf("advance bot outbox cursor to %d: %w", cursor, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("advance bot outbox cursor to %d: %w", cursor, err)
	}
	return nil
}
