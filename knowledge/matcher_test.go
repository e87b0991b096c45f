package knowledge

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
)

// matcherTestQuestions reads the question column of testdata/examples.tsv.
func matcherTestQuestions(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("../testdata/examples.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		if q, _, _ := strings.Cut(sc.Text(), "\t"); strings.TrimSpace(q) != "" {
			qs = append(qs, q)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(qs) < 20 {
		t.Fatalf("examples.tsv has %d questions, want ≥ 20", len(qs))
	}
	return qs
}

// resultKey is a comparable summary of a Result: kind, ranked items with exact scores, topic.
func resultKey(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|unsure=%v|c=%v|", r.Kind, r.Unsure, r.Complaint)
	for _, si := range r.Items {
		fmt.Fprintf(&b, "%s=%v,", si.Item.ID, si.Score)
	}
	if r.Topic != nil {
		fmt.Fprintf(&b, "|topic=%s=%v", r.Topic.ID, r.TopicScore)
	}
	return b.String()
}

func TestConcurrentMatch(t *testing.T) {
	m := NewMatcher(Builtin(), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	qs := matcherTestQuestions(t)
	// Long and odd inputs share the pooled buffers with the ordinary ones.
	qs = append(qs, "", "？？？", strings.Repeat("户口本血型证明", 40))
	want := make([]string, len(qs))
	for i, q := range qs {
		want[i] = resultKey(m.Match(q))
	}
	const goroutines, calls = 8, 200
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range calls {
				i := rng.IntN(len(qs))
				if got := resultKey(m.Match(qs[i])); got != want[i] {
					errs <- fmt.Sprintf("goroutine %d: Match(%q) = %s, sequential run gave %s", g, qs[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestConcurrentAsk(t *testing.T) {
	m := NewMatcher(Builtin(), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	a := &Answerer{Matcher: m}
	qs := matcherTestQuestions(t)
	want := make([]string, len(qs))
	for i, q := range qs {
		want[i] = a.Ask(q).Answer
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 50 {
				i := (g*7 + k) % len(qs)
				if a.Ask(qs[i]).Answer != want[i] {
					mu.Lock()
					bad++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if bad > 0 {
		t.Errorf("%d concurrent answers differ from the sequential ones", bad)
	}
}

func TestMatchOddInput(t *testing.T) {
	m := NewMatcher(Builtin(), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	var rnd strings.Builder // 10,000 distinct-ish Han characters: far more terms than a query holds
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		rnd.WriteRune(rune(0x4E00 + rng.IntN(0x9FA5-0x4E00)))
	}
	cases := []struct {
		name    string
		q       string
		unknown bool // must be kind unknown
	}{
		{"empty", "", true},
		{"spaces", " \t\n\u3000 ", true},
		{"punctuation", "？！。，、；：“”‘’（）……——!?.,;:()[]{}<>/\\|~`@#$%^&*-_=+", true},
		{"emoji", "😀😂👍🏻🎉❤️🇨🇳", true},
		{"ascii", "hello world abc def", true},
		{"ascii letters", strings.Repeat("x", 10000), true},
		{"long repeated", strings.Repeat("户口本上的血型要医院证明", 834), false},
		{"long random", rnd.String(), false},
		{"300 random", string([]rune(rnd.String())[:300]), false}, // a long hotline ticket has as many distinct bigrams
		{"long punctuation", strings.Repeat("。", 10000), true},
		{"invalid utf8", "\xff\xfe\xfd户\x80", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var res Result
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("Match panicked on %d bytes: %v", len(c.q), p)
					}
				}()
				res = m.Match(c.q)
			}()
			if len(res.Items) > maxItems {
				t.Errorf("%d items, want ≤ %d", len(res.Items), maxItems)
			}
			if c.unknown && res.Kind != KindUnknown {
				t.Errorf("kind = %s, want unknown (items %v)", res.Kind, res.Items)
			}
			if res.Kind == KindPolicy && res.Topic == nil || res.Kind != KindPolicy && res.Topic != nil {
				t.Errorf("kind %s with topic %v", res.Kind, res.Topic)
			}
		})
	}
}

func TestMatchFoldsTraditionalAndFullWidth(t *testing.T) {
	m := NewMatcher(Builtin(), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	pairs := [][2]string{
		{"無犯罪記錄證明去哪開？社區能開不", "无犯罪记录证明去哪开？社区能开不"},
		{"戶口簿上的血型登記錯了，改的話要醫院開證明嗎", "户口簿上的血型登记错了，改的话要医院开证明吗"},
		{"老身份证是１５位的，银行让我开个证明证明新老号码是我本人", "老身份证是15位的，银行让我开个证明证明新老号码是我本人"},
		{"考一建报名要单位开工作年限证明吗？？！！", "考一建报名要单位开工作年限证明吗"},
		{"ＨＩＶ检测　证明", "hiv检测 证明"},
	}
	for _, p := range pairs {
		a, b := m.Match(p[0]), m.Match(p[1])
		if len(b.Items) == 0 {
			t.Errorf("Match(%q): no items", p[1])
			continue
		}
		if a.Kind != b.Kind || len(a.Items) == 0 || a.Items[0].Item.ID != b.Items[0].Item.ID {
			t.Errorf("Match(%q) = %s %v, Match(%q) = %s %v; want the same", p[0], a.Kind, a.Items, p[1], b.Kind, b.Items)
		}
	}
	// Folding is exact: the same normalized text gives the very same result.
	if a, b := m.Match("無犯罪記錄證明"), m.Match("无犯罪记录证明"); resultKey(a) != resultKey(b) {
		t.Errorf("traditional %s != simplified %s", resultKey(a), resultKey(b))
	}
}

func TestMatchNilLexicon(t *testing.T) {
	m := NewMatcher(Builtin(), BuiltinTopics(), nil, MatcherConfig{})
	res := m.Match("卫生部门出具的血型证明 变更户口登记血型")
	if res.Kind != KindItem || res.Items[0].Item.ID != "BQ-002" {
		t.Errorf("nil lexicon: kind %s items %v, want item BQ-002", res.Kind, res.Items)
	}
	if res := m.Match("低保"); len(res.Items) > maxItems {
		t.Errorf("nil lexicon: %d items", len(res.Items))
	}
	// The colloquial table is what lets 良民证 find the 无犯罪记录证明 items.
	withLex := NewMatcher(Builtin(), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	r1, r2 := withLex.Match("良民证"), m.Match("良民证")
	if len(r1.Items) == 0 || !strings.Contains(r1.Items[0].Item.Certificate, "无犯罪记录") {
		t.Errorf("with lexicon, 良民证 → %v, want a 无犯罪记录证明 item", r1.Items)
	}
	if len(r2.Items) > 0 && r2.Items[0].Score >= r1.Items[0].Score {
		t.Errorf("without lexicon 良民证 scores %v ≥ %v with it", r2.Items[0].Score, r1.Items[0].Score)
	}
}

func TestMatchEmptyList(t *testing.T) {
	m := NewMatcher(&List{Version: "v1"}, nil, nil, MatcherConfig{})
	res := m.Match("户口本上的血型要医院证明")
	if res.Kind != KindUnknown || len(res.Items) != 0 || res.Topic != nil {
		t.Errorf("empty list: %+v, want unknown without items", res)
	}
	a := &Answerer{Matcher: m}
	if ans := a.Ask("户口本上的血型要医院证明"); ans.ListVersion != "v1" || ans.Items == nil || !strings.Contains(ans.Answer, "12345") {
		t.Errorf("empty list answer = %+v", ans)
	}
}
