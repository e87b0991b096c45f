package knowledge

import (
	"cmp"
	"slices"
)

// FieldChange is one field whose text differs between two versions of an item.
type FieldChange struct {
	Field, Old, New string
}

// ItemChange lists the changed fields of an item present in both versions.
type ItemChange struct {
	ID          string
	Certificate string // as in the new version
	Fields      []FieldChange
}

// ListDiff is what changed from one list version to the next.
type ListDiff struct {
	Added   []Item
	Removed []Item
	Changed []ItemChange
}

// Empty reports whether the two lists hold the same items.
func (d ListDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// Diff compares two list versions. Items are matched by ID; fields are compared in
// ItemFields order by their text form (Item.Field). Every part is sorted by ID,
// numbers inside IDs in numeric order ("2" before "10"). A nil list counts as empty.
func Diff(old, new *List) ListDiff {
	oldByID, newByID := indexByID(old), indexByID(new)
	var d ListDiff
	for id, it := range newByID {
		prev, ok := oldByID[id]
		if !ok {
			d.Added = append(d.Added, *it)
			continue
		}
		var fields []FieldChange
		for _, f := range ItemFields {
			if o, n := prev.Field(f), it.Field(f); o != n {
				fields = append(fields, FieldChange{Field: f, Old: o, New: n})
			}
		}
		if len(fields) > 0 {
			d.Changed = append(d.Changed, ItemChange{ID: id, Certificate: it.Certificate, Fields: fields})
		}
	}
	for id, it := range oldByID {
		if _, ok := newByID[id]; !ok {
			d.Removed = append(d.Removed, *it)
		}
	}
	byItemID := func(a, b Item) int { return compareIDs(a.ID, b.ID) }
	slices.SortFunc(d.Added, byItemID)
	slices.SortFunc(d.Removed, byItemID)
	slices.SortFunc(d.Changed, func(a, b ItemChange) int { return compareIDs(a.ID, b.ID) })
	return d
}

func indexByID(l *List) map[string]*Item {
	m := map[string]*Item{}
	if l == nil {
		return m
	}
	for i := range l.Items {
		m[l.Items[i].ID] = &l.Items[i]
	}
	return m
}

// compareIDs orders IDs naturally: runs of digits compare by value, so "BQ-9" < "BQ-10".
// Equal values ("01", "1") fall back to plain string order.
func compareIDs(a, b string) int {
	return cmp.Or(naturalIDCompare(a, b), cmp.Compare(a, b))
}

func naturalIDCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := idDigitRun(a), idDigitRun(b)
		if da > 0 && db > 0 {
			na, nb := idTrimZeros(a[:da]), idTrimZeros(b[:db])
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), cmp.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func idDigitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func idTrimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}
