package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"chengnuo/routing"
)

func TestReportCommand(t *testing.T) {
	fileCase(t)
	fileCase(t)
	today := time.Now().In(routing.Shanghai).Format("2006-01-02")
	out := mustRun(t, "report", "--json", "--from", today, "--to", today)
	var top map[string]json.RawMessage
	decodeOne(t, out, &top)
	var keys []string
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if strings.Join(keys, ",") != "departments,from,items,to" {
		t.Fatalf("keys %v\n%s", keys, out)
	}
	var r struct {
		From, To    string
		Departments []map[string]any
	}
	decodeOne(t, out, &r)
	want := []string{"accepted_on_time", "answered_on_time", "code", "escalated", "extended", "median_working_days", "name",
		"overdue", "received", "reopened", "returned", "satisfaction", "unsatisfied"}
	if r.From != today || r.To != today || len(r.Departments) != 1 {
		t.Fatalf("report %s", out)
	}
	d := r.Departments[0]
	var dk []string
	for k := range d {
		dk = append(dk, k)
	}
	slices.Sort(dk)
	if !slices.Equal(dk, want) || d["code"] != "rsj" || d["received"] != 2.0 {
		t.Errorf("department %v", d)
	}
	if same := mustRun(t, "report", "--format", "json", "--from", today, "--to", today); same != out {
		t.Errorf("--format json differs from --json")
	}

	html := mustRun(t, "report", "--from", today, "--to", today, "--format", "html")
	if !strings.Contains(html, "<svg") || !strings.Contains(html, "人力资源和社会保障局") {
		t.Errorf("html lacks svg or department")
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link"} {
		if strings.Contains(html, bad) {
			t.Errorf("html contains %q", bad)
		}
	}
	for _, f := range []string{"md", "csv"} {
		p := filepath.Join(t.TempDir(), "r."+f)
		mustRun(t, "report", "--from", today, "--to", today, "--format", f, "--out", p)
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), "西安市灞桥区人力资源和社会保障局") {
			t.Errorf("%s: %v\n%s", f, err, b)
		}
	}
}

func TestReportWeekly(t *testing.T) {
	out := mustRun(t, "report", "--weekly", "--json", "--now", "2026-11-25T10:00:00+08:00") // a Wednesday
	var r struct{ From, To string }
	decodeOne(t, out, &r)
	if r.From != "2026-11-16" || r.To != "2026-11-22" {
		t.Errorf("weekly %s..%s, want 2026-11-16..2026-11-22", r.From, r.To)
	}
	out = mustRun(t, "report", "--weekly", "--json", "--now", "2026-11-23") // a Monday
	decodeOne(t, out, &r)
	if r.From != "2026-11-16" || r.To != "2026-11-22" {
		t.Errorf("weekly on Monday %s..%s", r.From, r.To)
	}
	md := mustRun(t, "report", "--weekly", "--format", "md", "--now", "2026-11-29") // a Sunday
	if !strings.Contains(md, "通报（2026-11-16 至 2026-11-22）") {
		t.Errorf("weekly md title:\n%s", md)
	}
	if !strings.Contains(md, routing.EmptyReportNote) || strings.Contains(md, "## ") {
		t.Errorf("a week without cases must say so, not end on empty headings:\n%s", md)
	}
}

func TestReportBadInput(t *testing.T) {
	mustFail(t, "report")
	mustFail(t, "report", "--from", "2026-11-30", "--to", "2026-11-01")
	mustFail(t, "report", "--from", "2026/11/01", "--to", "2026-11-30")
	mustFail(t, "report", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "pdf")
	mustFail(t, "report", "--weekly", "--from", "2026-11-01")
}
