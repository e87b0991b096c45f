package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// walSizeLimit is what a restarted WAL file is truncated back to (PRAGMA journal_size_limit):
// while readers are busy the WAL cannot start over and grows past a checkpoint; once it
// can, it does not keep that size on disk.
const walSizeLimit = 64 << 20

// checkpointWarnEvery bounds how often a failing checkpoint is logged.
const checkpointWarnEvery = time.Minute

// fallbackAutocheckpoint is the WAL size, in pages, at which the committing writer
// checkpoints by itself while a background checkpointer runs: only if the checkpointer
// falls far behind (or stops) does a commit pay for a checkpoint again.
const fallbackAutocheckpoint = 16384

// RunCheckpointer copies the WAL back into the database file every interval on its own
// connection, until ctx ends. Without it the committing writer runs each checkpoint
// itself (SQLite's automatic checkpoint every 1,000 pages), so one commit in a few pays
// for copying and syncing megabytes while every request of its batch waits. A PASSIVE
// checkpoint never blocks the writer or the readers.
//
// The WAL starts over from its beginning only when a transaction begins with every frame
// copied and no reader in the WAL. Under a steady stream of commits a background pass never
// finds that moment (commits land while it copies), so the WAL grows to
// fallbackAutocheckpoint pages and a commit's own checkpoint starts it over: measured, a
// stall of 10–50 ms about every 1–2 s at 2,000 tickets/s. Forcing the moment costs more:
// a RESTART checkpoint from here, or a second pass while holding the writer, each syncs
// twice with the writer waiting, and stalled it every half second.
func (db *DB) RunCheckpointer(ctx context.Context, interval time.Duration, log *slog.Logger) error {
	return RunWALCheckpointer(ctx, db.path, db.write, interval, log)
}

// RunWALCheckpointer is RunCheckpointer for any WAL-mode SQLite file at path whose writes
// all go through writer, a pool of one connection (the load script's durable floor uses it,
// so that it differs from chengnuo in its work, not in its storage settings).
func RunWALCheckpointer(ctx context.Context, path string, writer *sql.DB, interval time.Duration, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	conn, err := sql.Open("sqlite3", checkpointDSN(path))
	if err != nil {
		return fmt.Errorf("open checkpointer %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	// Only once checkpoints are known to work does the writer leave them to us.
	if err := checkpoint(ctx, conn); err != nil {
		return fmt.Errorf("checkpointer %s: %w", path, err)
	}
	for _, pragma := range []string{fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimit),
		fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", fallbackAutocheckpoint)} {
		if _, err := writer.ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("checkpointer: %s: %w", pragma, err)
		}
	}
	defer func() {
		// Give the writer back its own checkpoints when we stop (db may be closing).
		_, _ = writer.ExecContext(context.Background(), "PRAGMA wal_autocheckpoint = 1000")
	}()
	t := time.NewTicker(interval)
	defer t.Stop()
	var warned time.Time
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := checkpoint(ctx, conn); err != nil && ctx.Err() == nil {
			// The writer still checkpoints at its fallback size, so nothing is lost; say so
			// once a minute rather than twenty times a second.
			failures++
			if time.Since(warned) >= checkpointWarnEvery {
				log.Warn("wal checkpoint failed", "err", err, "failures", failures)
				warned, failures = time.Now(), 0
			}
		}
	}
}

// checkpoint runs one PASSIVE checkpoint: it copies what it can without waiting for
// anyone, and never fails for want of progress.
func checkpoint(ctx context.Context, conn *sql.DB) error {
	var busy, frames, copied int
	return conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
}

// checkpointDSN opens a connection that only checkpoints: no write lock at BEGIN, same
// sync level as the writer's default so the copied pages reach the disk.
func checkpointDSN(path string) string {
	return fileURI(path) + "?_busy_timeout=" + strconv.Itoa(busyTimeoutMS) + "&_synchronous=NORMAL"
}
