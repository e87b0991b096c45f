//go:build sqlite_fts5

package knowledge

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	_ "github.com/mattn/go-sqlite3"
)

// The FTS5 baseline answers questions the way a team would first try: a trigram full-text
// table over the item texts, ranked by bm25(). It measures what the matcher is worth.

// fts5Index is one SQLite file with an FTS5 table of the items.
type fts5Index struct {
	db    *sql.DB
	query *sql.Stmt
}

func openFTS5(t testing.TB, l *List) *fts5Index {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fts5.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=5000")
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE VIRTUAL TABLE items USING fts5(id UNINDEXED, certificate, matter, aliases, domain, tokenize='trigram')`); err != nil {
		t.Fatalf("create fts5 table: %v", err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	ins, err := tx.Prepare(`INSERT INTO items(id, certificate, matter, aliases, domain) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		t.Fatalf("prepare insert: %v", err)
	}
	for _, it := range l.Items {
		if _, err := ins.Exec(it.ID, it.Certificate, it.Matter, strings.Join(it.Aliases, " "), it.Domain); err != nil {
			t.Fatalf("insert item %s: %v", it.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
	q, err := db.Prepare(`SELECT id FROM items WHERE items MATCH ? ORDER BY bm25(items) LIMIT 5`)
	if err != nil {
		t.Fatalf("prepare query: %v", err)
	}
	t.Cleanup(func() { q.Close() })
	return &fts5Index{db: db, query: q}
}

// ftsExpr ORs together the quoted 3-character substrings of the question, punctuation
// removed: the trigram tokenizer matches nothing shorter. "" when the question is too short.
func ftsExpr(question string) string {
	var rs []rune
	for _, r := range question {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			rs = append(rs, r)
		}
	}
	seen := map[string]bool{}
	var parts []string
	for i := 0; i+3 <= len(rs); i++ {
		g := string(rs[i : i+3])
		if seen[g] {
			continue
		}
		seen[g] = true
		parts = append(parts, `"`+strings.ReplaceAll(g, `"`, `""`)+`"`)
	}
	return strings.Join(parts, " OR ")
}

// search returns the ids of the five best items for a question.
func (x *fts5Index) search(question string) ([]string, error) {
	expr := ftsExpr(question)
	if expr == "" {
		return nil, nil
	}
	rows, err := x.query.Query(expr)
	if err != nil {
		return nil, fmt.Errorf("fts5 match %q: %w", expr, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan fts5 row: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func BenchmarkFTS5Answer(b *testing.B) {
	qs := benchQuestions(b)
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			x := openFTS5(b, benchList(size.n))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := x.search(qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFTS5Top1 compares top-1 accuracy on item questions: the FTS5 baseline against the
// matcher, both over the built-in list. Only the matcher is held to a bar: not below FTS5.
func TestFTS5Top1(t *testing.T) {
	l := Builtin()
	x := openFTS5(t, l)
	m := NewMatcher(l, BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	t.Logf("%-22s %5s %12s %12s", "set (item rows)", "n", "FTS5 top-1", "Matcher top-1")
	for _, set := range []string{"examples.tsv", "questions_dev.tsv", "questions_holdout.tsv", "questions_blind.tsv", "questions_final.tsv", "questions_fresh.tsv"} {
		path := "../testdata/" + set
		if _, err := os.Stat(path); err != nil && set != "examples.tsv" {
			t.Logf("%-22s skipped: %v", set, err)
			continue
		}
		var n, ftsRight, ourRight int
		for _, r := range readEvalSet(t, path) {
			if r.Kind != KindItem {
				continue
			}
			n++
			ids, err := x.search(r.Question)
			if err != nil {
				t.Fatalf("%s line %d: %v", set, r.Line, err)
			}
			if len(ids) > 0 && slices.Contains(r.IDs, ids[0]) {
				ftsRight++
			}
			if res := m.Match(r.Question); len(res.Items) > 0 && slices.Contains(r.IDs, res.Items[0].Item.ID) {
				ourRight++
			}
		}
		if n == 0 {
			t.Errorf("%s: no item rows, nothing compared", set)
			continue
		}
		fts, ours := rate(ftsRight, n), rate(ourRight, n)
		t.Logf("%-22s %5d %6d=%.3f %6d=%.3f", set, n, ftsRight, fts, ourRight, ours)
		if ours < fts {
			t.Errorf("%s: matcher top-1 %.3f below FTS5 %.3f", set, ours, fts)
		}
	}
}
