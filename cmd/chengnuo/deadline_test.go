package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runDeadline runs `chengnuo deadline ARGS` and returns stdout; it needs no database.
func runDeadline(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(append([]string{"--db", filepath.Join(t.TempDir(), "unused.db"), "deadline"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func writeDeadlineFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDeadlineJSON(t *testing.T) {
	cases := []struct {
		name, typ, from           string
		wantFrom, accept, resolve string
		covered                   bool
	}{
		{"春节 2026 make-up Saturday", "投诉", "2026-02-13T10:00:00+08:00",
			"2026-02-13T10:00:00+08:00", "2026-02-14T18:00:00+08:00", "2026-02-27T18:00:00+08:00", true},
		{"UTC input echoed in +08:00", "咨询", "2026-02-27T16:30:00Z",
			"2026-02-28T00:30:00+08:00", "2026-03-02T18:00:00+08:00", "2026-03-04T18:00:00+08:00", true},
		{"received at 23:59", "求助", "2026-02-27T23:59:00+08:00",
			"2026-02-27T23:59:00+08:00", "2026-02-28T18:00:00+08:00", "2026-03-05T18:00:00+08:00", true},
		{"received exactly at 18:00", "建议", "2026-09-30T18:00:00+08:00",
			"2026-09-30T18:00:00+08:00", "2026-10-08T18:00:00+08:00", "2026-10-27T18:00:00+08:00", true},
		{"English type name, local time without offset", "report", "2026-09-30T15:00",
			"2026-09-30T15:00:00+08:00", "2026-10-08T18:00:00+08:00", "2026-10-27T18:00:00+08:00", true},
		{"beyond the covered range", "投诉", "2028-01-31T10:00:00+08:00",
			"2028-01-31T10:00:00+08:00", "2028-02-01T18:00:00+08:00", "2028-02-07T18:00:00+08:00", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runDeadline(t, "--json", "--type", c.typ, "--from", c.from)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(strings.NewReader(out))
			var raw map[string]any
			if err := dec.Decode(&raw); err != nil {
				t.Fatalf("not a JSON object: %v\n%s", err, out)
			}
			if dec.More() {
				t.Fatalf("more than one JSON value:\n%s", out)
			}
			typ := c.typ
			if typ == "report" {
				typ = "举报"
			}
			want := map[string]any{"type": typ, "from": c.wantFrom, "accept_by": c.accept,
				"resolve_by": c.resolve, "calendar_covered": c.covered}
			if len(raw) != len(want) {
				t.Errorf("keys %v, want exactly %v", raw, want)
			}
			for k, v := range want {
				if raw[k] != v {
					t.Errorf("%s = %#v, want %#v", k, raw[k], v)
				}
			}
		})
	}
}

func TestDeadlineConfig(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "chengnuo.conf")
	writeDeadlineFile(t, filepath.Join(dir, "holidays.tsv"), "2028-01-03\toff\t元旦（测试）\n")
	writeDeadlineFile(t, conf, "[sla]\nclose_of_business = 17:30\nresolve.投诉 = 4\n[calendar]\noverride_file = holidays.tsv\n")
	out, err := runDeadline(t, "--json", "--type", "投诉", "--from", "2027-12-30T10:00:00+08:00", "--config", conf)
	if err != nil {
		t.Fatal(err)
	}
	// 12/31 (1), 1/3 off by the override, 1/4 (2), 1/5 (3), 1/6 (4); close at 17:30.
	want := `{"type":"投诉","from":"2027-12-30T10:00:00+08:00","accept_by":"2027-12-31T17:30:00+08:00","resolve_by":"2028-01-06T17:30:00+08:00","calendar_covered":true}` + "\n"
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestDeadlineTable(t *testing.T) {
	out, err := runDeadline(t, "--type", "投诉", "--from", "2026-02-13T10:00:00+08:00")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"签收期限", "2026-02-14 18:00 周六（调休上班）", "办结期限", "2026-02-27 18:00 周五（5 个工作日）",
		"办结催办", "2026-02-26 18:00 周四"} {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
	out, err = runDeadline(t, "--type", "咨询", "--from", "2028-03-01T09:00:00+08:00")
	if err != nil || !strings.Contains(out, "未收录 2028 年") {
		t.Errorf("an uncovered year must be said in the table: %v\n%s", err, out)
	}
}

func TestDeadlineErrors(t *testing.T) {
	dir := t.TempDir()
	badConf := filepath.Join(dir, "bad.conf")
	writeDeadlineFile(t, badConf, "[department xyz]\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad type", []string{"--json", "--type", "表扬", "--from", "2026-02-13T10:00:00+08:00"}, `--type "表扬" 不是案件类型`},
		{"missing type", []string{"--json", "--from", "2026-02-13T10:00:00+08:00"}, "缺少 --type"},
		{"bad time", []string{"--json", "--type", "投诉", "--from", "2026-02-30T10:00:00+08:00"}, `--from "2026-02-30T10:00:00+08:00" 不是 RFC3339 时间`},
		{"not a time", []string{"--json", "--type", "投诉", "--from", "tomorrow"}, `--from "tomorrow"`},
		{"bad config", []string{"--json", "--type", "投诉", "--from", "2026-02-13T10:00:00+08:00", "--config", badConf}, badConf + ` 第 1 行: 未知部门代码 "xyz"`},
		{"missing config", []string{"--type", "投诉", "--config", filepath.Join(dir, "none.conf")}, "none.conf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runDeadline(t, c.args...)
			if err == nil {
				t.Fatalf("no error; printed %s", out)
			}
			if msg := oneLine(err.Error()); !strings.Contains(msg, c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line containing %q", err.Error(), c.want)
			}
			if out != "" {
				t.Errorf("printed %q on error", out)
			}
		})
	}
}
