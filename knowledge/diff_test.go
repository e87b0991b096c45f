package knowledge_test

import (
	"reflect"
	"testing"

	"chengnuo/knowledge"
)

func TestDiff(t *testing.T) {
	item := func(id, cert string, mode knowledge.Mode, aliases ...string) knowledge.Item {
		return knowledge.Item{ID: id, Certificate: cert, Matter: "办社保卡", Mode: mode, Department: "rsj",
			Verification: "核查", Aliases: aliases}
	}
	old := &knowledge.List{Version: "v1", Items: []knowledge.Item{
		item("10", "户口簿", knowledge.ModeCommitment, "户口本"),
		item("2", "身份证", knowledge.ModeRetained),
		item("3", "结婚证", knowledge.ModeCommitment),
		item("9", "离婚证", knowledge.ModeRetained),
	}}
	changed := item("10", "居民户口簿", knowledge.ModeAbolished, "户口本", "户口")
	changed.Verification = ""
	new := &knowledge.List{Version: "v2", Items: []knowledge.Item{
		item("11", "出生证明", knowledge.ModeCommitment),
		changed,
		item("3", "结婚证", knowledge.ModeCommitment), // unchanged
		item("4", "独生子女证", knowledge.ModeAbolished),
	}}

	d := knowledge.Diff(old, new)
	if got := ids(d.Added); !reflect.DeepEqual(got, []string{"4", "11"}) {
		t.Errorf("added %v, want [4 11] (numeric order)", got)
	}
	if got := ids(d.Removed); !reflect.DeepEqual(got, []string{"2", "9"}) {
		t.Errorf("removed %v, want [2 9]", got)
	}
	want := []knowledge.ItemChange{{ID: "10", Certificate: "居民户口簿", Fields: []knowledge.FieldChange{
		{Field: "certificate", Old: "户口簿", New: "居民户口簿"},
		{Field: "mode", Old: "commitment", New: "abolished"},
		{Field: "verification", Old: "核查", New: ""},
		{Field: "aliases", Old: "户口本", New: "户口本|户口"},
	}}}
	if !reflect.DeepEqual(d.Changed, want) {
		t.Errorf("changed:\n got %+v\nwant %+v", d.Changed, want)
	}

	tests := []struct {
		name     string
		old, new *knowledge.List
		added    int
		removed  int
	}{
		{"same list", old, old, 0, 0},
		{"from nothing", nil, new, 4, 0},
		{"to nothing", old, &knowledge.List{}, 0, 4},
		{"builtin to itself", knowledge.Builtin(), knowledge.Builtin(), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := knowledge.Diff(tt.old, tt.new)
			if len(d.Added) != tt.added || len(d.Removed) != tt.removed || len(d.Changed) != 0 {
				t.Errorf("added %d removed %d changed %d, want %d %d 0", len(d.Added), len(d.Removed), len(d.Changed), tt.added, tt.removed)
			}
			if d.Empty() != (tt.added+tt.removed == 0) {
				t.Errorf("Empty() = %v", d.Empty())
			}
		})
	}
}

func ids(items []knowledge.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}
