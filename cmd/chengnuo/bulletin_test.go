package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chengnuo/routing"
	"chengnuo/store"
)

// TestWeeklyBulletinOnce: the past week's 通报 is queued for zfb on Monday from 09:00 on,
// exactly once, restarts included, and carries the report and a readable summary.
func TestWeeklyBulletinOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "chengnuo.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	filed := time.Date(2026, 11, 18, 10, 0, 0, 0, routing.Shanghai) // Wednesday of the reported week
	svc := &routing.Service{Store: db, SLA: routing.DefaultSLA(), Directory: routing.BuiltinDirectory(),
		Now: func() time.Time { return filed }}
	for i, dept := range []string{"rsj", "gafj", "rsj"} {
		if _, _, err := svc.File(ctx, routing.NewCase{Channel: routing.ChannelCLI, Type: routing.TypeComplaint,
			Department: dept, Text: "第" + string(rune('一'+i)) + "件：窗口要求开证明，不认承诺书",
			Complainant: routing.Complainant{Phone: "1380000000" + string(rune('1'+i))}}); err != nil {
			t.Fatal(err)
		}
	}
	cal, dir := routing.BuiltinCalendar(), routing.BuiltinDirectory()
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, routing.Shanghai)
	if queued, err := bulletin(ctx, db, cal, dir, monday.Add(8*time.Hour+59*time.Minute)); err != nil || queued {
		t.Fatalf("before 09:00: queued %v err %v", queued, err)
	}
	if queued, err := bulletin(ctx, db, cal, dir, monday.Add(9*time.Hour)); err != nil || !queued {
		t.Fatalf("at 09:00: queued %v err %v", queued, err)
	}
	if queued, err := bulletin(ctx, db, cal, dir, monday.Add(15*time.Hour)); err != nil || queued {
		t.Fatalf("second time: queued %v err %v", queued, err)
	}
	db.Close()
	db, err = store.Open(ctx, path) // a restart
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if queued, err := bulletin(ctx, db, cal, dir, monday.AddDate(0, 0, 2)); err != nil || queued {
		t.Fatalf("after restart: queued %v err %v", queued, err)
	}
	msgs, err := db.OutboxPending(ctx, monday.AddDate(0, 0, 7), 100)
	if err != nil {
		t.Fatal(err)
	}
	var found int
	for _, m := range msgs {
		if m.Kind != "bulletin" {
			continue
		}
		found++
		var p routing.Payload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		var rep struct {
			From, To    string
			Departments []struct {
				Code     string
				Received int
			}
		}
		if err := json.Unmarshal(p.Report, &rep); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, d := range rep.Departments {
			got[d.Code] = d.Received
		}
		if m.Target != "zfb" || rep.From != "2026-11-16" || rep.To != "2026-11-22" || got["rsj"] != 2 || got["gafj"] != 1 {
			t.Errorf("bulletin to %s: %+v", m.Target, rep)
		}
		if !strings.Contains(p.Text, "通报") || strings.Contains(p.Text, "13800000001") {
			t.Errorf("summary text: %q", p.Text)
		}
	}
	if found != 1 {
		t.Fatalf("%d bulletins queued, want 1", found)
	}
}
