package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"chengnuo/knowledge"
)

func smallList() *knowledge.List {
	return &knowledge.List{
		Label:     "测试清单",
		Effective: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Items: []knowledge.Item{
			{ID: "T-2", Certificate: "户籍证明", Matter: "落户", Mode: knowledge.ModeCommitment, Department: "gaj",
				Aliases: []string{"户口证明", "户口本"}},
			{ID: "T-1", Certificate: "无犯罪记录证明", Matter: "从业资格", Mode: knowledge.ModeRetained, Department: "gaj",
				Issuer: "公安机关", Basis: "某条例", Verification: "部门核查", Domain: "公安", Note: "n", Source: "s"},
		},
	}
}

// sameItems compares every field the way items.tsv writes it, and the alias slices
// (nil and empty are the same: the list has no aliases either way).
func sameItems(t *testing.T, got, want []knowledge.Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i := range want {
		for _, f := range knowledge.ItemFields {
			if g, w := got[i].Field(f), want[i].Field(f); g != w {
				t.Errorf("item %d (%s) %s = %q, want %q", i, want[i].ID, f, g, w)
			}
		}
		if !slices.Equal(got[i].Aliases, want[i].Aliases) {
			t.Errorf("item %d (%s) aliases = %q, want %q", i, want[i].ID, got[i].Aliases, want[i].Aliases)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	in := knowledge.Builtin()
	if len(in.Items) == 0 {
		t.Fatal("builtin list is empty")
	}
	version, err := db.SaveList(ctx, in, "items.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if version != "v1" {
		t.Errorf("version = %q, want v1", version)
	}
	got, err := db.LoadList(ctx, version)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != version || got.Label != in.Label || !got.Effective.Equal(in.Effective) {
		t.Errorf("list = {%q %q %v}, want {%q %q %v}", got.Version, got.Label, got.Effective,
			version, in.Label, in.Effective)
	}
	if got.Effective.Location() != time.UTC {
		t.Errorf("effective location = %v, want UTC", got.Effective.Location())
	}
	sameItems(t, got.Items, in.Items)

	// Order is the published order, not id order.
	rev := smallList()
	v2, err := db.SaveList(ctx, rev, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err = db.LoadList(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	sameItems(t, got.Items, rev.Items)
}

func TestEffectiveDateShanghai(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	l := smallList()
	// Midnight in Shanghai is still the previous day in UTC; the stored date is Shanghai's.
	l.Effective = time.Date(2026, 7, 1, 0, 0, 0, 0, shanghai)
	v, err := db.SaveList(ctx, l, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.LoadList(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC); !got.Effective.Equal(want) {
		t.Errorf("effective = %v, want %v", got.Effective, want)
	}
}

func TestLoadBuiltinAndUnknown(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	l, err := db.LoadList(ctx, knowledge.BuiltinVersion)
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != knowledge.BuiltinVersion || len(l.Items) != len(knowledge.Builtin().Items) {
		t.Errorf("LoadList(builtin) = %q with %d items", l.Version, len(l.Items))
	}
	for _, v := range []string{"v1", "v99", "v0", "v01", "x", "", "1"} {
		if _, err := db.LoadList(ctx, v); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadList(%q) err = %v, want ErrNotFound", v, err)
		}
	}
}

func TestActiveList(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	l, err := db.ActiveList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != knowledge.BuiltinVersion {
		t.Errorf("active with no imports = %q, want builtin", l.Version)
	}
	if _, err := db.SaveList(ctx, knowledge.Builtin(), "a.tsv"); err != nil {
		t.Fatal(err)
	}
	second := smallList()
	v2, err := db.SaveList(ctx, second, "b.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	l, err = db.ActiveList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != v2 || l.Label != second.Label {
		t.Errorf("active = %q %q, want %q %q", l.Version, l.Label, v2, second.Label)
	}
	sameItems(t, l.Items, second.Items)
}

func TestListVersions(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	vs, err := db.ListVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Fatalf("versions before import = %v, want none", vs)
	}
	builtin := knowledge.Builtin()
	if _, err := db.SaveList(ctx, builtin, "items.tsv"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveList(ctx, smallList(), ""); err != nil {
		t.Fatal(err)
	}
	vs, err = db.ListVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 {
		t.Fatalf("got %d versions, want 2", len(vs))
	}
	newer, older := vs[0], vs[1]
	if newer.Version != "v2" || newer.ItemCount != 2 || newer.SourceFile != "" || newer.Label != "测试清单" ||
		!newer.Effective.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("newest = %+v", newer)
	}
	if older.Version != "v1" || older.ItemCount != len(builtin.Items) || older.SourceFile != "items.tsv" ||
		!older.Effective.Equal(builtin.Effective) {
		t.Errorf("oldest = %+v", older)
	}
	if !newer.ImportedAt.After(older.ImportedAt) || newer.ImportedAt.Location() != time.UTC {
		t.Errorf("imported_at newer %v, older %v: want newer later, in UTC", newer.ImportedAt, older.ImportedAt)
	}
}

func TestSaveListAtomic(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	l := smallList()
	l.Items = append(l.Items, l.Items[0]) // duplicate id: primary key violation on the third row
	if _, err := db.SaveList(ctx, l, "bad.tsv"); err == nil {
		t.Fatal("SaveList with a duplicate id succeeded")
	}
	bad := smallList()
	bad.Items[1].Aliases = []string{"a|b"}
	if _, err := db.SaveList(ctx, bad, "bad.tsv"); err == nil {
		t.Fatal(`SaveList with an alias containing "|" succeeded`)
	}
	var versions, items int
	if err := db.read.QueryRow(`SELECT (SELECT COUNT(*) FROM list_versions), (SELECT COUNT(*) FROM list_items)`).
		Scan(&versions, &items); err != nil {
		t.Fatal(err)
	}
	if versions != 0 || items != 0 {
		t.Errorf("after failed saves: %d versions, %d items; want nothing stored", versions, items)
	}
	// The single write connection is usable again, and the rolled-back saves used up no version name.
	if v, err := db.SaveList(ctx, smallList(), ""); err != nil {
		t.Fatal(err)
	} else if v != "v1" {
		t.Errorf("version after failed saves = %q, want v1", v)
	}
}

func TestSaveListConcurrent(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			l := knowledge.Builtin()
			l.Label = fmt.Sprintf("list %d", i)
			_, errs[i] = db.SaveList(ctx, l, "")
			// Readers run beside the writers; WAL keeps them from blocking each other.
			if _, err := db.ActiveList(ctx); err != nil && errs[i] == nil {
				errs[i] = err
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
	vs, err := db.ListVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != n {
		t.Fatalf("got %d versions, want %d", len(vs), n)
	}
	want := len(knowledge.Builtin().Items)
	for _, v := range vs {
		if v.ItemCount != want {
			t.Errorf("%s: %d items, want %d", v.Version, v.ItemCount, want)
		}
	}
}

func BenchmarkSaveList(b *testing.B) {
	db := openTestDB(b)
	ctx := context.Background()
	l := knowledge.Builtin()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.SaveList(ctx, l, "items.tsv"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(l.Items)), "items/op")
}
