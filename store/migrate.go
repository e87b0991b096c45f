package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed migrations/*.sql
var embeddedMigrations embed.FS

// migrationFS returns the embedded migrations with the directory stripped.
func migrationFS() fs.FS {
	sub, err := fs.Sub(embeddedMigrations, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// migrate applies every *.sql file of fsys not yet recorded in schema_migrations,
// in name order, each in its own transaction together with its record, so that a
// failed migration leaves neither half its changes nor a record behind.
// Applied files are never re-run, so they must never be edited: add a new file.
func (db *DB) migrate(ctx context.Context, fsys fs.FS) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateFile(ctx, fsys, name); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, fsys fs.FS, name string) error {
	// The write pool begins IMMEDIATE, so the check below and the apply are atomic
	// even when two processes open a fresh database at the same moment.
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(fsys, path.Clean(name))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
		name, formatTime(db.now())); err != nil {
		return err
	}
	return tx.Commit()
}
