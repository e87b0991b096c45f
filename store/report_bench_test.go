package store

import (
	"context"
	"testing"
	"time"

	"chengnuo/routing"
)

// BenchmarkReport100k loads the cases and events of a range holding 100,000 cases from SQLite
// and builds the report over them, as `chengnuo report` does (the HTML rendering is measured
// in routing's BenchmarkReport100k).
func BenchmarkReport100k(b *testing.B) {
	db := openTestDB(b)
	ctx := context.Background()
	depts := []string{"rsj", "mzj", "gafj", "wjj", "scjgj", "jyj", "zjj", "ybj"}
	const n, batch = 100_000, 500
	for i := 0; i < n; i += batch {
		at := caseStart.Add(time.Duration(i) * 6 * time.Second) // spread over about a week
		svc := newService(db, fixedNow(at))
		ncs := make([]routing.NewCase, batch)
		for j := range ncs {
			ncs[j] = sampleCase(i + j)
			ncs[j].Department = depts[(i+j)%len(depts)]
		}
		if _, err := svc.FileBatch(ctx, ncs); err != nil {
			b.Fatal(err)
		}
	}
	lo, hi := caseStart.Add(-time.Hour), caseStart.Add(30*24*time.Hour)
	b.ResetTimer()
	for range b.N {
		cs, evs, err := db.ReportData(ctx, lo, hi)
		if err != nil {
			b.Fatal(err)
		}
		r := routing.BuildReport(cs, evs, routing.ReportOptions{From: lo, To: hi, Now: hi, Directory: routing.BuiltinDirectory()})
		if r.Total != n {
			b.Fatalf("report over %d cases, want %d", r.Total, n)
		}
	}
}
