package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"chengnuo/bot"
)

// The Telegram bot's storage: the last handled update (bot.OffsetStore), the durable
// outgoing queue (bot.Queue), dialog sessions and case ↔ chat links (bot.Sessions).
var (
	_ bot.OffsetStore = (*DB)(nil)
	_ bot.Queue       = (*DB)(nil)
	_ bot.Sessions    = (*DB)(nil)
)

const keyLastUpdate = "last_update_id"

// LastUpdateID returns the update_id last handled by the bot, 0 when none.
func (db *DB) LastUpdateID(ctx context.Context) (int, error) {
	var id int
	err := db.read.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM bot_state WHERE key = ?`,
		keyLastUpdate).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last update id: %w", err)
	}
	return id, nil
}

// SaveUpdateID records id as the update_id last handled.
func (db *DB) SaveUpdateID(ctx context.Context, id int) error {
	if _, err := db.write.ExecContext(ctx, `INSERT INTO bot_state (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, keyLastUpdate, id); err != nil {
		return fmt.Errorf("save update id %d: %w", id, err)
	}
	return nil
}

type storedButton struct {
	Text string `json:"text"`
	Data string `json:"data"`
}

func encodeButtons(rows [][]bot.Button) (string, error) {
	if len(rows) == 0 {
		return "", nil
	}
	out := make([][]storedButton, len(rows))
	for i, row := range rows {
		out[i] = make([]storedButton, len(row))
		for j, b := range row {
			out[i][j] = storedButton(b)
		}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeButtons(s string) ([][]bot.Button, error) {
	if s == "" {
		return nil, nil
	}
	var in [][]storedButton
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	rows := make([][]bot.Button, len(in))
	for i, row := range in {
		rows[i] = make([]bot.Button, len(row))
		for j, b := range row {
			rows[i][j] = bot.Button(b)
		}
	}
	return rows, nil
}

// BotEnqueue stores the parts of one outgoing message in one transaction, pending and
// due at now. It reports false, storing nothing, when the message's key was queued before
// (whether since sent, failed or still pending).
func (db *DB) BotEnqueue(ctx context.Context, parts []bot.QueuedPart, now time.Time) (bool, error) {
	if len(parts) == 0 {
		return false, errors.New("queue message: no parts")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("queue message: %w", err)
	}
	defer tx.Rollback()
	at := formatTime(now)
	for _, p := range parts {
		buttons, err := encodeButtons(p.Buttons)
		if err != nil {
			return false, fmt.Errorf("queue message: buttons: %w", err)
		}
		var key any
		if p.Key != "" {
			key = p.Key
		}
		var caseID, role string
		if p.Link != nil {
			caseID, role = p.Link.CaseID, p.Link.Role
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO bot_outbox (key, part, parts, chat_id, text, buttons,
			reply_to, contact_button, remove_keyboard, case_id, role, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			key, p.Part, p.Parts, p.ChatID, p.Text, buttons, p.ReplyToID, p.ContactButton, p.RemoveKeyboard,
			caseID, role, at, at)
		if err != nil {
			return false, fmt.Errorf("queue message: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return false, fmt.Errorf("queue message: %w", err)
		} else if n == 0 {
			return false, nil // the key is taken: a duplicate
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("queue message: %w", err)
	}
	return true, nil
}

const botOutboxColumns = `id, COALESCE(key, ''), part, parts, chat_id, text, buttons, reply_to, contact_button,
	remove_keyboard, case_id, role, attempts, next_attempt_at, created_at`

// BotHeads returns the oldest pending part of each chat, due or not, earliest due first.
func (db *DB) BotHeads(ctx context.Context, limit int) ([]bot.QueuedPart, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+botOutboxColumns+` FROM bot_outbox
		WHERE id IN (SELECT MIN(id) FROM bot_outbox INDEXED BY bot_outbox_pending WHERE status = 'pending' GROUP BY chat_id)
		ORDER BY next_attempt_at, id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("outgoing queue: %w", err)
	}
	defer rows.Close()
	var out []bot.QueuedPart
	for rows.Next() {
		var p bot.QueuedPart
		var buttons, caseID, role, next, created string
		if err := rows.Scan(&p.ID, &p.Key, &p.Part, &p.Parts, &p.ChatID, &p.Text, &buttons, &p.ReplyToID,
			&p.ContactButton, &p.RemoveKeyboard, &caseID, &role, &p.Attempts, &next, &created); err != nil {
			return nil, fmt.Errorf("outgoing queue: %w", err)
		}
		if p.Buttons, err = decodeButtons(buttons); err != nil {
			return nil, fmt.Errorf("outgoing queue %d: buttons: %w", p.ID, err)
		}
		if caseID != "" {
			p.Link = &bot.CaseLink{CaseID: caseID, Role: role}
		}
		if p.NextAttemptAt, err = parseTime(next); err != nil {
			return nil, fmt.Errorf("outgoing queue %d: %w", p.ID, err)
		}
		if p.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("outgoing queue %d: %w", p.ID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// BotSent records a part as sent with Telegram's message id. The last part of a message
// with a case link is linked to the case (LinkCaseChat) in the same transaction.
func (db *DB) BotSent(ctx context.Context, id int64, messageID int, at time.Time) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outgoing %d sent: %w", id, err)
	}
	defer tx.Rollback()
	var chat int64
	var part, parts int
	var caseID, role string
	err = tx.QueryRowContext(ctx, `UPDATE bot_outbox SET status = 'sent', message_id = ?, sent_at = ?,
		last_error = '' WHERE id = ? AND status = 'pending' RETURNING chat_id, part, parts, case_id, role`,
		messageID, formatTime(at), id).Scan(&chat, &part, &parts, &caseID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("outgoing %d sent: no such pending message: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("outgoing %d sent: %w", id, err)
	}
	if caseID != "" && part == parts {
		if err := linkCaseChat(ctx, tx, caseID, chat, messageID, role, at); err != nil {
			return fmt.Errorf("outgoing %d sent: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("outgoing %d sent: %w", id, err)
	}
	return nil
}

// BotRetry keeps a part pending, due at next; attempt counts the try as failed.
func (db *DB) BotRetry(ctx context.Context, id int64, reason string, next time.Time, attempt bool) error {
	inc := 0
	if attempt {
		inc = 1
	}
	return db.botUpdate(ctx, id, `UPDATE bot_outbox SET attempts = attempts + ?, last_error = ?,
		next_attempt_at = ? WHERE id = ? AND status = 'pending'`, inc, reason, formatTime(next), id)
}

// BotFailed gives a part up; it stays stored (BotRequeueFailed queues it again).
func (db *DB) BotFailed(ctx context.Context, id int64, reason string, at time.Time) error {
	return db.botUpdate(ctx, id, `UPDATE bot_outbox SET status = 'failed', attempts = attempts + 1,
		last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'`, reason, formatTime(at), id)
}

func (db *DB) botUpdate(ctx context.Context, id int64, q string, args ...any) error {
	res, err := db.write.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("outgoing %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("outgoing %d: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("outgoing %d: no such pending message: %w", id, ErrNotFound)
	}
	return nil
}

// BotMoveChat moves a chat's pending parts to another chat id (a group that Telegram
// turned into a supergroup has a new id).
func (db *DB) BotMoveChat(ctx context.Context, from, to int64) error {
	if _, err := db.write.ExecContext(ctx, `UPDATE bot_outbox SET chat_id = ? WHERE chat_id = ? AND status = 'pending'`,
		to, from); err != nil {
		return fmt.Errorf("move outgoing messages from chat %d to %d: %w", from, to, err)
	}
	return nil
}

// BotOutboxCounts returns how many outgoing parts are pending and failed (for metrics).
func (db *DB) BotOutboxCounts(ctx context.Context) (pending, failed int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM bot_outbox INDEXED BY bot_outbox_pending WHERE status = 'pending'),
		(SELECT COUNT(*) FROM bot_outbox INDEXED BY bot_outbox_failed WHERE status = 'failed')`).Scan(&pending, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("outgoing counts: %w", err)
	}
	return pending, failed, nil
}

// BotRequeueFailed makes every failed part pending again, due at now, with a fresh count
// of tries (after the cause was fixed: the bot unblocked, the chat id corrected). The
// running sender picks them up on its next round.
func (db *DB) BotRequeueFailed(ctx context.Context, now time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE bot_outbox SET status = 'pending', attempts = 0,
		next_attempt_at = ? WHERE status = 'failed'`, formatTime(now))
	if err != nil {
		return 0, fmt.Errorf("requeue failed outgoing messages: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// BotPruneSent deletes sent parts older than before; their keys can be sent again after.
func (db *DB) BotPruneSent(ctx context.Context, before time.Time) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM bot_outbox WHERE status = 'sent' AND sent_at < ?`,
		formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("prune sent outgoing messages: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// BotSession returns a chat's dialog state; a chat without one reads as "", "" and nil.
func (db *DB) BotSession(ctx context.Context, chatID int64) (state, data string, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT state, data FROM bot_sessions WHERE chat_id = ?`, chatID).
		Scan(&state, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("bot session of chat %d: %w", chatID, err)
	}
	return state, data, nil
}

// SaveBotSession stores a chat's dialog state; an empty state and data delete it.
func (db *DB) SaveBotSession(ctx context.Context, chatID int64, state, data string) error {
	var err error
	if state == "" && data == "" {
		_, err = db.write.ExecContext(ctx, `DELETE FROM bot_sessions WHERE chat_id = ?`, chatID)
	} else {
		_, err = db.write.ExecContext(ctx, `INSERT INTO bot_sessions (chat_id, state, data, updated_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state,
			data = excluded.data, updated_at = excluded.updated_at`, chatID, state, data, formatTime(db.now()))
	}
	if err != nil {
		return fmt.Errorf("save bot session of chat %d: %w", chatID, err)
	}
	return nil
}

// LinkCaseChat records that a case belongs to a chat in a role (the resident who filed it,
// the department group holding its card, the operator chat that filed it). Linking again
// moves the link to the newer card; messageID 0 keeps the card already linked.
func (db *DB) LinkCaseChat(ctx context.Context, caseID string, chatID int64, messageID int, role string) error {
	if err := linkCaseChat(ctx, db.write, caseID, chatID, messageID, role, db.now()); err != nil {
		return err
	}
	return nil
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func linkCaseChat(ctx context.Context, ex execer, caseID string, chatID int64, messageID int, role string, at time.Time) error {
	if caseID == "" || chatID == 0 {
		return fmt.Errorf("link case %q to chat %d: case and chat are required", caseID, chatID)
	}
	if _, err := ex.ExecContext(ctx, `INSERT INTO bot_case_chats (case_id, chat_id, message_id, role, linked_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, chat_id, role) DO UPDATE SET
		message_id = CASE WHEN excluded.message_id <> 0 THEN excluded.message_id ELSE message_id END`,
		caseID, chatID, messageID, role, formatTime(at)); err != nil {
		return fmt.Errorf("link case %s to chat %d: %w", caseID, chatID, err)
	}
	return nil
}

// CaseChats returns the chats a case is linked to, in the order they were linked.
func (db *DB) CaseChats(ctx context.Context, caseID string) ([]bot.CaseChat, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT chat_id, message_id, role FROM bot_case_chats
		WHERE case_id = ? ORDER BY linked_at, chat_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("chats of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []bot.CaseChat
	for rows.Next() {
		var c bot.CaseChat
		if err := rows.Scan(&c.ChatID, &c.MessageID, &c.Role); err != nil {
			return nil, fmt.Errorf("chats of case %s: %w", caseID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChatCases returns the cases linked to a chat, the most recently linked first.
func (db *DB) ChatCases(ctx context.Context, chatID int64) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT case_id FROM bot_case_chats WHERE chat_id = ?
		GROUP BY case_id ORDER BY MAX(linked_at) DESC, case_id DESC`, chatID)
	if err != nil {
		return nil, fmt.Errorf("cases of chat %d: %w", chatID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("cases of chat %d: %w", chatID, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// CaseByCardMessage returns the case whose card is message messageID of the chat, "" (and
// a nil error) when the message is no case's card.
func (db *DB) CaseByCardMessage(ctx context.Context, chatID int64, messageID int) (string, error) {
	if messageID == 0 {
		return "", nil
	}
	var id string
	err := db.read.QueryRowContext(ctx, `SELECT case_id FROM bot_case_chats
		WHERE chat_id = ? AND message_id = ? ORDER BY linked_at DESC LIMIT 1`, chatID, messageID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("case of card %d in chat %d: %w", messageID, chatID, err)
	}
	return id, nil
}
