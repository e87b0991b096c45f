package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"chengnuo/knowledge"
)

// VersionInfo describes one imported list version without its items.
type VersionInfo struct {
	Version    string // "v<id>"
	Label      string
	SourceFile string
	Effective  time.Time // midnight UTC of the effective date
	ImportedAt time.Time
	ItemCount  int
}

// dateLayout is the stored form of effective dates.
const dateLayout = "2006-01-02"

// shanghai is China Standard Time; a fixed zone (China has no daylight saving
// since 1991) avoids depending on the host's tzdata.
var shanghai = time.FixedZone("CST", 8*60*60)

// effectiveDate is the Asia/Shanghai calendar date of t. Midnight UTC (the way
// knowledge.Builtin writes dates) and midnight Shanghai both give the intended date.
func effectiveDate(t time.Time) string { return t.In(shanghai).Format(dateLayout) }

func versionName(id int64) string { return "v" + strconv.FormatInt(id, 10) }

// versionID parses "v<id>"; anything else names no stored version.
func versionID(version string) (int64, bool) {
	rest, ok := strings.CutPrefix(version, "v")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != rest {
		return 0, false
	}
	return id, true
}

// SaveList stores l as a new version in one transaction: the version row and all
// its items, or nothing. l.Version is ignored; the new version's name is returned.
func (db *DB) SaveList(ctx context.Context, l *knowledge.List, sourceFile string) (string, error) {
	if l == nil {
		return "", errors.New("save list: nil list")
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("save list: %w", err)
	}
	defer tx.Rollback()

	id, err := saveList(ctx, tx, l, sourceFile, db.now())
	if err != nil {
		return "", fmt.Errorf("save list: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("save list: commit: %w", err)
	}
	return versionName(id), nil
}

func saveList(ctx context.Context, tx *sql.Tx, l *knowledge.List, sourceFile string, now time.Time) (int64, error) {
	var src any // NULL when the list did not come from a file
	if sourceFile != "" {
		src = sourceFile
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO list_versions (label, effective, source_file, imported_at, item_count)
		VALUES (?, ?, ?, ?, ?)`, l.Label, effectiveDate(l.Effective), src, formatTime(now), len(l.Items))
	if err != nil {
		return 0, fmt.Errorf("insert version: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("insert version: %w", err)
	}

	// One prepared statement for all rows: the list has hundreds of items.
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO list_items (version_id, pos, id, certificate, matter, mode,
		department, issuer, basis, verification, domain, aliases, note, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, fmt.Errorf("prepare item insert: %w", err)
	}
	defer stmt.Close()
	for pos, it := range l.Items {
		for _, a := range it.Aliases {
			if strings.Contains(a, "|") {
				// "|" separates aliases in the column; such an alias would come back split.
				return 0, fmt.Errorf("item %s: alias %q contains \"|\"", it.ID, a)
			}
		}
		if _, err := stmt.ExecContext(ctx, id, pos, it.ID, it.Certificate, it.Matter, string(it.Mode),
			it.Department, it.Issuer, it.Basis, it.Verification, it.Domain, strings.Join(it.Aliases, "|"),
			it.Note, it.Source); err != nil {
			return 0, fmt.Errorf("item %d (%s): %w", pos+1, it.ID, err)
		}
	}
	return id, nil
}

// ListVersions returns the imported versions, newest first. The built-in list is not among them.
func (db *DB) ListVersions(ctx context.Context) ([]VersionInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, label, effective, COALESCE(source_file, ''), imported_at, item_count
		FROM list_versions ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	defer rows.Close()
	var out []VersionInfo
	for rows.Next() {
		var (
			v                   VersionInfo
			id                  int64
			effective, imported string
		)
		if err := rows.Scan(&id, &v.Label, &effective, &v.SourceFile, &imported, &v.ItemCount); err != nil {
			return nil, fmt.Errorf("list versions: %w", err)
		}
		v.Version = versionName(id)
		if v.Effective, err = time.Parse(dateLayout, effective); err != nil {
			return nil, fmt.Errorf("list versions: %s effective: %w", v.Version, err)
		}
		if v.ImportedAt, err = parseTime(imported); err != nil {
			return nil, fmt.Errorf("list versions: %s imported_at: %w", v.Version, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	return out, nil
}

// LoadList returns the named version with its items in published order.
// "builtin" is the embedded list; an unknown version wraps ErrNotFound.
func (db *DB) LoadList(ctx context.Context, version string) (*knowledge.List, error) {
	if version == knowledge.BuiltinVersion {
		return knowledge.Builtin(), nil
	}
	id, ok := versionID(version)
	if !ok {
		return nil, fmt.Errorf("load list %q: %w", version, ErrNotFound)
	}
	// One read transaction: the version row and its items come from the same snapshot.
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("load list %s: %w", version, err)
	}
	defer tx.Rollback()
	l, err := loadList(ctx, tx, id)
	if err != nil {
		return nil, fmt.Errorf("load list %s: %w", version, err)
	}
	return l, nil
}

// ActiveList returns the newest imported version, or knowledge.Builtin() when
// no list was ever imported.
func (db *DB) ActiveList(ctx context.Context) (*knowledge.List, error) {
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("active list: %w", err)
	}
	defer tx.Rollback()
	var id sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM list_versions`).Scan(&id); err != nil {
		return nil, fmt.Errorf("active list: %w", err)
	}
	if !id.Valid {
		return knowledge.Builtin(), nil
	}
	l, err := loadList(ctx, tx, id.Int64)
	if err != nil {
		return nil, fmt.Errorf("active list: %w", err)
	}
	return l, nil
}

func loadList(ctx context.Context, tx *sql.Tx, id int64) (*knowledge.List, error) {
	l := &knowledge.List{Version: versionName(id)}
	var effective string
	var count int
	err := tx.QueryRowContext(ctx, `SELECT label, effective, item_count FROM list_versions WHERE id = ?`, id).
		Scan(&l.Label, &effective, &count)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if l.Effective, err = time.Parse(dateLayout, effective); err != nil {
		return nil, fmt.Errorf("effective: %w", err)
	}

	rows, err := tx.QueryContext(ctx, `SELECT id, certificate, matter, mode, department, issuer, basis,
		verification, domain, aliases, note, source
		FROM list_items WHERE version_id = ? ORDER BY pos`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	l.Items = make([]knowledge.Item, 0, count)
	for rows.Next() {
		var it knowledge.Item
		var mode, aliases string
		if err := rows.Scan(&it.ID, &it.Certificate, &it.Matter, &mode, &it.Department, &it.Issuer, &it.Basis,
			&it.Verification, &it.Domain, &aliases, &it.Note, &it.Source); err != nil {
			return nil, err
		}
		it.Mode = knowledge.Mode(mode) // stored as given; never re-interpreted
		if aliases != "" {
			it.Aliases = strings.Split(aliases, "|")
		}
		l.Items = append(l.Items, it)
	}
	return l, rows.Err()
}
