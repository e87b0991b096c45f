package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The department console's sessions (intake.ConsoleSessionStore). The store keeps what intake
// hands it, by a key intake derives from the session id; it never sees the id itself.

// SaveConsoleSession stores a session until expires, replacing one with the same key, and
// drops every session that has ended by now.
func (db *DB) SaveConsoleSession(ctx context.Context, key, data string, expires, now time.Time) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save console session: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE expires_at <= ?`, formatTime(now)); err != nil {
		return fmt.Errorf("save console session: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO console_sessions (key, data, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
		key, data, formatTime(expires)); err != nil {
		return fmt.Errorf("save console session: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save console session: %w", err)
	}
	return nil
}

// ConsoleSession returns a session that has not ended by now; ok is false for none.
func (db *DB) ConsoleSession(ctx context.Context, key string, now time.Time) (data string, ok bool, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT data FROM console_sessions WHERE key = ? AND expires_at > ?`,
		key, formatTime(now)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("console session: %w", err)
	}
	return data, true, nil
}

// DeleteConsoleSession ends a session (signing out); a missing one is no error.
func (db *DB) DeleteConsoleSession(ctx context.Context, key string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM console_sessions WHERE key = ?`, key); err != nil {
		return fmt.Errorf("delete console session: %w", err)
	}
	return nil
}
