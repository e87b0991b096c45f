package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"chengnuo/knowledge"
)

// testDBs remembers the database of each test, so that the commands one test runs share it.
var testDBs sync.Map // *testing.T -> path

func dbFor(t *testing.T) string {
	t.Helper()
	if p, ok := testDBs.Load(t); ok {
		return p.(string)
	}
	p := filepath.Join(t.TempDir(), "chengnuo.db")
	testDBs.Store(t, p)
	t.Cleanup(func() { testDBs.Delete(t) })
	return p
}

// run executes the CLI as main does, with the test's own --db (unless args name one),
// and returns what it wrote to stdout.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if !slices.Contains(args, "--db") {
		args = append([]string{"--db", dbFor(t)}, args...)
	}
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(""))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// mustRun is run for commands that must succeed.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("chengnuo %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// askJSON runs `ask --json` and checks the output is exactly one object with the contract's keys.
func askJSON(t *testing.T, extra []string, question string) knowledge.Answer {
	t.Helper()
	out := mustRun(t, append(extra, "ask", "--json", question)...)
	dec := json.NewDecoder(strings.NewReader(out))
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("ask --json output is not a JSON object: %v\n%s", err, out)
	}
	var rest any
	if err := dec.Decode(&rest); err == nil {
		t.Fatalf("ask --json printed more than one JSON value:\n%s", out)
	}
	for _, k := range []string{"kind", "answer", "items", "topic", "list_version"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("ask --json: key %q missing in %s", k, out)
		}
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw["items"], &items); err != nil {
		t.Fatalf("items is not an array of objects: %v (%s)", err, raw["items"])
	}
	for i, it := range items {
		for _, k := range []string{"id", "certificate", "matter", "mode", "department", "score"} {
			if _, ok := it[k]; !ok {
				t.Errorf("items[%d]: key %q missing", i, k)
			}
		}
	}
	var ans knowledge.Answer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("decode answer: %v", err)
	}
	if ans.Items == nil {
		t.Errorf("items is null, want an array")
	}
	if len(ans.Items) > 5 {
		t.Errorf("%d items, want at most 5", len(ans.Items))
	}
	for i := 1; i < len(ans.Items); i++ {
		if ans.Items[i].Score > ans.Items[i-1].Score {
			t.Errorf("scores not best first: items[%d]=%v > items[%d]=%v", i, ans.Items[i].Score, i-1, ans.Items[i-1].Score)
		}
	}
	for i, it := range ans.Items {
		if it.ID == "" || it.Certificate == "" || it.Matter == "" || !it.Mode.Valid() || it.Department == "" {
			t.Errorf("items[%d] incomplete: %+v", i, it)
		}
	}
	if strings.TrimSpace(ans.Answer) == "" {
		t.Errorf("empty answer")
	}
	if n := utf8.RuneCountInString(ans.Answer); n >= 1000 {
		t.Errorf("answer has %d runes, want < 1000", n)
	}
	return ans
}

func TestAskJSONContract(t *testing.T) {
	cases := []struct {
		question string
		kind     knowledge.Kind
		firstID  string // item questions: expected first item (rows of testdata/examples.tsv)
	}{
		{"派出所说改户口本上的血型要医院证明，我原来的证明找不到了咋办", knowledge.KindItem, "BQ-002"},
		{"老身份证是15位的，银行让我开个证明证明新老号码是我本人", knowledge.KindItem, "BQ-012"},
		{"考一建报名要单位开工作年限证明吗", knowledge.KindItem, "BQ-053"},
		{"申请法律援助需要经济困难证明吗", knowledge.KindItem, "BQ-046"},
		{"啥叫告知承诺制", knowledge.KindPolicy, ""},
		{"区社保窗口非让我开死亡证明，我说能承诺他们不认，我要投诉", knowledge.KindComplaint, ""},
		{"明天灞桥下雨不", knowledge.KindUnknown, ""},
	}
	for _, c := range cases {
		t.Run(c.question, func(t *testing.T) {
			ans := askJSON(t, nil, c.question)
			if ans.Kind != c.kind {
				t.Fatalf("kind = %q, want %q (items %+v)", ans.Kind, c.kind, ans.Items)
			}
			if ans.ListVersion != knowledge.BuiltinVersion {
				t.Errorf("list_version = %q, want %q", ans.ListVersion, knowledge.BuiltinVersion)
			}
			switch c.kind {
			case knowledge.KindItem:
				if len(ans.Items) == 0 || ans.Items[0].ID != c.firstID {
					t.Errorf("first item = %+v, want %s", ans.Items, c.firstID)
				}
				if !strings.Contains(ans.Answer, c.firstID) {
					t.Errorf("answer does not name the item %s:\n%s", c.firstID, ans.Answer)
				}
				if ans.Topic != "" {
					t.Errorf("topic = %q for an item answer, want empty", ans.Topic)
				}
			case knowledge.KindPolicy:
				if ans.Topic == "" {
					t.Errorf("policy answer without topic")
				}
			case knowledge.KindComplaint:
				if !strings.Contains(ans.Answer, "投诉") {
					t.Errorf("complaint answer does not offer to file a complaint:\n%s", ans.Answer)
				}
			case knowledge.KindUnknown:
				if !strings.Contains(ans.Answer, "12345") {
					t.Errorf("unknown answer does not point to 12345:\n%s", ans.Answer)
				}
			}
		})
	}
}

func TestAskPlainText(t *testing.T) {
	const q = "申请法律援助需要经济困难证明吗"
	ans := askJSON(t, nil, q)
	out := mustRun(t, "ask", q)
	if out != ans.Answer+"\n" {
		t.Errorf("plain ask = %q, want the answer text %q", out, ans.Answer+"\n")
	}
	// Words given as several arguments are one question.
	if out2 := mustRun(t, "ask", "申请法律援助", "需要经济困难证明吗"); !strings.Contains(out2, "BQ-046") {
		t.Errorf("ask with split arguments:\n%s", out2)
	}
}

func TestAskEmptyQuestion(t *testing.T) {
	for _, args := range [][]string{{"ask", ""}, {"ask", "  ", "\t"}, {"ask", "--json", " "}, {"ask"}} {
		out, err := run(t, args...)
		if err == nil {
			t.Errorf("chengnuo %q: no error (output %q)", args, out)
		}
	}
}

func TestSynonymsFlag(t *testing.T) {
	// 囍本本 is made up: only the extra table tells the matcher it means a marriage registration.
	const q = "领囍本本要带啥"
	path := filepath.Join(t.TempDir(), "extra.tsv")
	if err := os.WriteFile(path, []byte("# 测试用口语词\n囍本本\t结婚登记|户口簿\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	without := askJSON(t, nil, q)
	with := askJSON(t, []string{"--synonyms", path}, q)
	if with.Kind != knowledge.KindItem || len(with.Items) == 0 || with.Items[0].ID != "BQ-045" {
		t.Fatalf("with --synonyms: kind %s items %+v, want item BQ-045 first", with.Kind, with.Items)
	}
	if without.Kind == knowledge.KindItem && without.Items[0].ID == "BQ-045" {
		t.Errorf("without --synonyms the question is already answered with BQ-045: the test proves nothing")
	}
	if with.Answer == without.Answer {
		t.Errorf("--synonyms did not change the answer")
	}

	bad := filepath.Join(t.TempDir(), "bad.tsv")
	if err := os.WriteFile(bad, []byte("# ok\n囍本本 结婚登记\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "--synonyms", bad, "ask", q); err == nil || !strings.Contains(err.Error(), "第 2 行") {
		t.Errorf("malformed synonyms file: error %v, want one naming 第 2 行", err)
	}
	if _, err := run(t, "--synonyms", filepath.Join(t.TempDir(), "missing.tsv"), "ask", q); err == nil {
		t.Errorf("missing synonyms file: no error")
	}
}

func TestOneLine(t *testing.T) {
	cases := map[string]string{
		"plain":              "plain",
		"first\nsecond":      "first; second",
		"a\r\nb\n\n  c\t d ": "a ; b; ; c d",
		"items.csv 第 3 行: 证明名称为空\n": "items.csv 第 3 行: 证明名称为空;",
	}
	for in, want := range cases {
		got := oneLine(in)
		if got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
		if strings.ContainsAny(got, "\r\n\t") {
			t.Errorf("oneLine(%q) = %q is not one line", in, got)
		}
	}
	// A real multi-problem import error stays on one line too.
	err := fmt.Errorf("import: %w", errors.New("第 2 行: 证明名称为空\n第 3 行: 索要单位为空"))
	if got := oneLine(err.Error()); strings.Contains(got, "\n") || !strings.Contains(got, "第 3 行") {
		t.Errorf("oneLine(%q) = %q", err, got)
	}
}
