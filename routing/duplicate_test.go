package routing

import (
	"testing"
	"time"
)

func TestSimilarity(t *testing.T) {
	a := "派出所让我开亲属关系证明，说不开就不给办，这不是已经取消了吗？"
	tests := []struct {
		b        string
		min, max float64
	}{
		{a, 1, 1},
		{"派出所让我开亲属关系证明，说不开就不给办，这不是已经取消了吗", 1, 1}, // punctuation ignored
		{"派出所让我开亲属关系证明 说不开就不给办 这不是已经取消了吗?!", 1, 1},
		{"派出所让我开亲属关系证明，说不开就不给办，这个不是已经取消了吗？", 0.8, 0.99},
		{"社保局要求提供健在证明才能领养老金", 0, 0.1},
		{"", 0, 0},
	}
	for _, tt := range tests {
		if got := Similarity(a, tt.b); got < tt.min || got > tt.max {
			t.Errorf("Similarity(%q) = %.3f, want [%.2f, %.2f]", tt.b, got, tt.min, tt.max)
		}
	}
	if Similarity("", "") != 1 || Similarity("好", "好") != 1 || Similarity("好", "坏") != 0 {
		t.Error("short texts")
	}
}

func TestFindDuplicate(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, Shanghai)
	newCase := &Case{ID: "N", Text: "社保局要求开健在证明才能领养老金", Items: []string{"BQ-012"}, Department: "rsj",
		Complainant: Complainant{Phone: "13812341234"}, ReceivedAt: now}
	mk := func(id string, mod func(c *Case)) *Case {
		c := &Case{ID: id, Text: "完全不同的一段话，说的是别的事情", Items: []string{"BQ-012"}, Department: "rsj",
			Complainant: Complainant{Phone: "13812341234"}, Status: StatusAccepted, ReceivedAt: now.Add(-24 * time.Hour)}
		mod(c)
		return c
	}
	tests := []struct {
		name string
		cand *Case
		want bool
	}{
		{"same phone same item", mk("A", func(c *Case) {}), true},
		{"same phone, item shared second", mk("A", func(c *Case) { c.Items = []string{"BQ-001", "BQ-012"} }), true},
		{"same phone other item", mk("A", func(c *Case) { c.Items = []string{"BQ-001"} }), false},
		{"same text other phone", mk("A", func(c *Case) { c.Text, c.Complainant.Phone = newCase.Text+"。", "139" }), true},
		{"other text other phone", mk("A", func(c *Case) { c.Complainant.Phone = "139" }), false},
		{"closed", mk("A", func(c *Case) { c.Status = StatusClosed }), false},
		{"replied", mk("A", func(c *Case) { c.Status = StatusReplied }), false},
		{"itself a duplicate", mk("A", func(c *Case) { c.Status = StatusDuplicate }), false},
		{"31 days ago", mk("A", func(c *Case) { c.ReceivedAt = now.Add(-31 * 24 * time.Hour) }), false},
		{"29 days ago", mk("A", func(c *Case) { c.ReceivedAt = now.Add(-29 * 24 * time.Hour) }), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := FindDuplicate(newCase, []*Case{tt.cand})
			if (got != nil) != tt.want || (got != nil && why == "") {
				t.Fatalf("got %v %q, want %v", got, why, tt.want)
			}
		})
	}
	// No items on either side: same department needed.
	a := &Case{ID: "N", Text: "x", Department: "mzj", Complainant: Complainant{Phone: "1"}, ReceivedAt: now}
	b := &Case{ID: "B", Text: "y", Department: "mzj", Complainant: Complainant{Phone: "1"}, Status: StatusDispatched, ReceivedAt: now}
	c := &Case{ID: "C", Text: "y", Department: "rsj", Complainant: Complainant{Phone: "1"}, Status: StatusDispatched, ReceivedAt: now}
	if got, _ := FindDuplicate(a, []*Case{c, b}); got != b {
		t.Fatalf("no-item match: %v", got)
	}
	// The earliest matching case wins.
	early := mk("E", func(c *Case) { c.ReceivedAt = now.Add(-48 * time.Hour) })
	if got, _ := FindDuplicate(newCase, []*Case{mk("L", func(*Case) {}), early}); got != early {
		t.Fatalf("earliest: %v", got)
	}
	if DuplicateKey(nil, "mzj") != "dept:mzj" || DuplicateKey([]string{"BQ-1", "BQ-2"}, "mzj") != "item:BQ-1" {
		t.Fatal("DuplicateKey")
	}
}
