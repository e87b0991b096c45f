package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// fallbackAutocheckpoint is the WAL size, in pages, at which the committing writer
// checkpoints by itself while a background checkpointer runs: only if the checkpointer
// falls far behind (or stops) does a commit pay for a checkpoint again.
const fallbackAutocheckpoint = 16384

// RunCheckpointer copies the WAL back into the database file every interval on its own
// connection, until ctx ends. Without it the committing writer runs each checkpoint
// itself (SQLite's automatic checkpoint every 1,000 pages), so one commit in a few pays
// for copying and syncing megabytes while every request of its batch waits. A PASSIVE
// checkpoint never blocks the writer or the readers; once it has copied the whole WAL,
// the next transaction starts the WAL over from its beginning, so the file stays small.
func (db *DB) RunCheckpointer(ctx context.Context, interval time.Duration, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	conn, err := sql.Open("sqlite3", checkpointDSN(db.path))
	if err != nil {
		return fmt.Errorf("open checkpointer %s: %w", db.path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := db.write.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", fallbackAutocheckpoint)); err != nil {
		return fmt.Errorf("checkpointer: raise the writer's autocheckpoint: %w", err)
	}
	defer func() {
		// Give the writer back its own checkpoints when we stop (db may be closing).
		_, _ = db.write.ExecContext(context.Background(), "PRAGMA wal_autocheckpoint = 1000")
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if _, _, err := checkpoint(ctx, conn); err != nil && ctx.Err() == nil {
			log.Warn("wal checkpoint failed", "err", err)
		}
	}
}

// checkpoint runs one PASSIVE checkpoint: frames is the WAL's length, copied how many of
// them are now in the database file.
func checkpoint(ctx context.Context, conn *sql.DB) (frames, copied int, err error) {
	var busy int
	err = conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, copied, err
}

// checkpointDSN opens a connection that only checkpoints: no write lock at BEGIN, same
// sync level as the writer's default so the copied pages reach the disk.
func checkpointDSN(path string) string {
	return fileURI(path) + "?_busy_timeout=5000&_synchronous=NORMAL"
}
