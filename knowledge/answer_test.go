package knowledge

import (
	"strings"
	"testing"
	"unicode/utf8"

	"chengnuo/routing"
)

// answerTestAnswerer answers over the built-in list with department names from the built-in directory.
func answerTestAnswerer(t testing.TB) (*Answerer, *routing.Directory) {
	t.Helper()
	dir := routing.BuiltinDirectory()
	m := NewMatcher(Builtin(), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	return &Answerer{Matcher: m, DeptName: dir.Name}, dir
}

// maintainerRemarks are note fragments written for list maintainers; residents never see them.
var maintainerRemarks = []string{"【改配】", "原出处", "样例改配"}

func TestAnswerEveryItem(t *testing.T) {
	a, dir := answerTestAnswerer(t)
	list := a.Matcher.List()
	if len(list.Items) == 0 {
		t.Fatal("built-in list is empty")
	}
	for i := range list.Items {
		it := &list.Items[i]
		t.Run(it.ID, func(t *testing.T) {
			text := a.itemText(it, nil)
			if n := utf8.RuneCountInString(text); n >= MaxAnswerRunes {
				t.Errorf("%d runes, want < %d", n, MaxAnswerRunes)
			}
			for _, s := range []string{it.Certificate, it.Matter, it.ID} {
				if !strings.Contains(text, s) {
					t.Errorf("answer does not contain %q:\n%s", s, text)
				}
			}
			for _, r := range maintainerRemarks {
				if strings.Contains(text, r) {
					t.Errorf("answer contains the maintainers' remark %q:\n%s", r, text)
				}
			}
			dept, ok := dir.Get(it.Department)
			if !ok {
				t.Fatalf("department %q not in the directory", it.Department)
			}
			want := []string{dept.Name}
			switch it.Mode {
			case ModeCommitment:
				want = append(want, "承诺", "承诺不实", it.Verification)
				if it.Verification == "" {
					t.Errorf("commitment item without verification")
				}
			case ModeAbolished:
				want = append(want, "不得", "投诉", "12345")
			case ModeRetained:
				want = append(want, "仍需提交")
				if strings.Contains(it.Note, "保留理由") {
					r := retainedReason(it.Note)
					if strings.TrimSpace(r) == "" {
						t.Errorf("note has 保留理由 but no reason is extracted: %q", it.Note)
					}
					want = append(want, r)
				}
				if strings.Contains(text, "您可以签署书面承诺") {
					t.Errorf("retained item's answer offers a commitment:\n%s", text)
				}
			default:
				t.Fatalf("mode %q", it.Mode)
			}
			for _, s := range want {
				if !strings.Contains(text, s) {
					t.Errorf("%s answer does not contain %q:\n%s", it.Mode, s, text)
				}
			}
		})
	}
}

// TestAnswerAsk checks Ask fills the contract for each kind and clips the text.
func TestAnswerAsk(t *testing.T) {
	a, _ := answerTestAnswerer(t)
	cases := []struct {
		q    string
		kind Kind
		want []string
	}{
		{"考一建报名要单位开工作年限证明吗", KindItem, []string{"BQ-053"}},
		{"啥叫告知承诺制", KindPolicy, nil},
		{"区社保窗口非让我开死亡证明，我说能承诺他们不认，我要投诉", KindComplaint, []string{"投诉", "12345"}},
		{"明天灞桥下雨不", KindUnknown, []string{"12345"}},
	}
	for _, c := range cases {
		ans := a.Ask(c.q)
		if ans.Kind != c.kind {
			t.Errorf("Ask(%q).Kind = %s, want %s", c.q, ans.Kind, c.kind)
			continue
		}
		if ans.ListVersion != BuiltinVersion {
			t.Errorf("Ask(%q).ListVersion = %q", c.q, ans.ListVersion)
		}
		if (ans.Topic != "") != (c.kind == KindPolicy) {
			t.Errorf("Ask(%q).Topic = %q for kind %s", c.q, ans.Topic, ans.Kind)
		}
		if n := utf8.RuneCountInString(ans.Answer); n == 0 || n >= MaxAnswerRunes {
			t.Errorf("Ask(%q): answer of %d runes", c.q, n)
		}
		for _, w := range c.want {
			if !strings.Contains(ans.Answer, w) {
				t.Errorf("Ask(%q): answer does not contain %q:\n%s", c.q, w, ans.Answer)
			}
		}
		if len(ans.Items) > maxItems {
			t.Errorf("Ask(%q): %d items", c.q, len(ans.Items))
		}
	}
}

func TestAnswerUnknownAndComplaintText(t *testing.T) {
	a, _ := answerTestAnswerer(t)
	for _, res := range []Result{{}, a.Matcher.Match("明天灞桥下雨不"), a.Matcher.Match("户口")} {
		if s := a.unknownText(res); !strings.Contains(s, "12345") {
			t.Errorf("unknown answer does not mention 12345:\n%s", s)
		}
	}
	for _, res := range []Result{{}, a.Matcher.Match("区社保窗口非让我开死亡证明，我说能承诺他们不认，我要投诉")} {
		s := a.complaintText(res)
		for _, w := range []string{"投诉", "12345"} {
			if !strings.Contains(s, w) {
				t.Errorf("complaint answer does not mention %q:\n%s", w, s)
			}
		}
	}
}

func TestAnswerDeptNameNil(t *testing.T) {
	m := NewMatcher(Builtin(), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	a := &Answerer{Matcher: m}
	it := &m.List().Items[0]
	if s := a.itemText(it, nil); !strings.Contains(s, it.Department) {
		t.Errorf("without DeptName the answer should show the code %q:\n%s", it.Department, s)
	}
}

func TestTopicsBuiltin(t *testing.T) {
	topics := BuiltinTopics()
	if len(topics) < 12 {
		t.Errorf("%d topics, want ≥ 12", len(topics))
	}
	seen := map[string]bool{}
	for _, tp := range topics {
		if tp.ID == "" {
			t.Errorf("topic %q without id", tp.Title)
		}
		if seen[tp.ID] {
			t.Errorf("duplicate topic id %q", tp.ID)
		}
		seen[tp.ID] = true
		if len(tp.Questions) < 3 {
			t.Errorf("topic %s: %d questions, want ≥ 3", tp.ID, len(tp.Questions))
		}
		if n := utf8.RuneCountInString(tp.Answer); n == 0 || n >= MaxAnswerRunes {
			t.Errorf("topic %s: answer of %d runes, want 1..%d", tp.ID, n, MaxAnswerRunes-1)
		}
		for _, r := range maintainerRemarks {
			if strings.Contains(tp.Answer, r) {
				t.Errorf("topic %s answer contains %q", tp.ID, r)
			}
		}
	}
	// The design names these subjects; each must have a topic.
	for _, id := range []string{"what-is", "choice", "exclusion", "withdraw", "false-commitment", "verification", "complain"} {
		if !seen[id] {
			t.Errorf("topic %q missing", id)
		}
	}
}

func TestTopicParseRejects(t *testing.T) {
	for name, data := range map[string]string{
		"not json":     `{`,
		"empty id":     `[{"id":"","questions":["q"],"answer":"a"}]`,
		"duplicate id": `[{"id":"x","questions":["q"],"answer":"a"},{"id":"x","questions":["q"],"answer":"a"}]`,
		"no questions": `[{"id":"x","questions":[],"answer":"a"}]`,
		"no answer":    `[{"id":"x","questions":["q"],"answer":""}]`,
	} {
		if _, err := ParseTopics([]byte(data)); err == nil {
			t.Errorf("%s: ParseTopics accepted %s", name, data)
		}
	}
	if ts, err := ParseTopics([]byte(`[{"id":"x","questions":["q"],"answer":"a"}]`)); err != nil || len(ts) != 1 {
		t.Errorf("ParseTopics(valid) = %v, %v", ts, err)
	}
}

func TestClip(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"一二三四五", 5, "一二三四五"},
		{"一二三四五", 6, "一二三四五"},
		{"一二三四五", 3, "一二…"},
		{"abcdef", 4, "abc…"},
		{"", 3, ""},
	}
	for _, c := range cases {
		got := clip(c.s, c.n)
		if got != c.want {
			t.Errorf("clip(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > c.n {
			t.Errorf("clip(%q, %d) has %d runes", c.s, c.n, n)
		}
		if !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q is not valid UTF-8", c.s, c.n, got)
		}
	}
	long := strings.Repeat("证", 2*MaxAnswerRunes)
	if n := utf8.RuneCountInString(clip(long, MaxAnswerRunes)); n != MaxAnswerRunes {
		t.Errorf("clip of a long text has %d runes, want %d", n, MaxAnswerRunes)
	}
}

// TestClarifyAnswers: a certificate the list holds for several matters gets choices, not a
// conclusion; the choices hold every row for it and the text states no mode as the resident's.
func TestClarifyAnswers(t *testing.T) {
	a := &Answerer{Matcher: newTestMatcher(t)}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"无犯罪记录证明", []string{"BQ-026", "BQ-049", "BQ-051", "BQ-056"}},
		{"办户口迁移还要开无犯罪证明吗", []string{"BQ-026", "BQ-049", "BQ-051", "BQ-056"}},
	} {
		ans := a.Ask(tc.q)
		if !ans.Clarify || ans.Kind != KindItem {
			t.Errorf("%s: kind %s clarify %v, want item with clarify", tc.q, ans.Kind, ans.Clarify)
			continue
		}
		var ids []string
		for _, it := range ans.Items {
			ids = append(ids, it.ID)
		}
		if !containsAll(ids, tc.want) {
			t.Errorf("%s: choices %v, want all of %v", tc.q, ids, tc.want)
		}
		if strings.Contains(ans.Answer, "结论") || !strings.Contains(ans.Answer, "哪一项") {
			t.Errorf("%s: a clarify answer must ask which errand and conclude nothing:\n%s", tc.q, ans.Answer)
		}
	}
	// One clear errand: a conclusion, no choices.
	if ans := a.Ask("社保死亡待遇要亲属关系证明吗"); ans.Clarify || ans.Items[0].ID != "BQ-060" {
		t.Errorf("社保死亡待遇: clarify %v first %s, want BQ-060 concluded", ans.Clarify, ans.Items[0].ID)
	}
	// The certificate's only row is for another matter: not in the list, no conclusion.
	if ans := a.Ask("人才引进落户要单位开工作年限证明吗"); ans.Kind == KindItem && !ans.Clarify {
		t.Errorf("人才引进落户: got a conclusion for %s", ans.Items[0].ID)
	}
}
