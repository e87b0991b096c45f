package knowledge

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"chengnuo/routing"
)

// benchSizes are the lists the benchmarks run over: the shipped sample and a list the
// size of a whole city's catalogue, generated from it.
var benchSizes = []struct {
	name string
	n    int // 0: the built-in list as it is
}{
	{"builtin", 0},
	{"items5000", 5000},
}

func benchList(n int) *List {
	if n == 0 {
		return Builtin()
	}
	return generateList(n)
}

// Streets and offices of Baqiao give the generated copies distinct matters, so that the
// index sees many near-duplicate documents instead of identical ones.
var (
	genStreets = []string{"纺织城街道", "席王街道", "洪庆街道", "狄寨街道", "灞桥街道", "新筑街道", "新合街道", "十里铺街道", "红旗街道"}
	genOffices = []string{"便民服务站", "政务服务中心", "社区服务站", "综合受理窗口"}
)

// generateList returns n items copied round-robin from the built-in list, each with a new
// id (BQ-001-g17 is the 17th copy of BQ-001), a variant suffix on the matter, its aliases
// shuffled and, for most copies, one alias dropped. The same n always gives the same list.
func generateList(n int) *List {
	base := Builtin().Items
	rng := rand.New(rand.NewPCG(2026, 611))
	items := make([]Item, n)
	for g := range items {
		it := base[g%len(base)]
		batch := g / len(base)
		it.ID = fmt.Sprintf("%s-g%d", it.ID, batch)
		it.Matter = fmt.Sprintf("%s(第%d批·%s%s)", it.Matter, batch+1,
			genStreets[rng.IntN(len(genStreets))], genOffices[rng.IntN(len(genOffices))])
		aliases := append([]string(nil), it.Aliases...)
		rng.Shuffle(len(aliases), func(i, j int) { aliases[i], aliases[j] = aliases[j], aliases[i] })
		if len(aliases) > 1 && rng.IntN(4) != 0 {
			aliases = aliases[:len(aliases)-1]
		}
		it.Aliases = aliases
		items[g] = it
	}
	l := Builtin()
	l.Version = fmt.Sprintf("generated-%d", n)
	l.Items = items
	return l
}

// baseID strips the copy suffix of a generated id: BQ-001-g17 -> BQ-001.
func baseID(id string) string {
	if i := strings.LastIndex(id, "-g"); i > 0 {
		return id[:i]
	}
	return id
}

// benchQuestions are the questions of examples.tsv, asked in turn by the benchmarks.
func benchQuestions(b testing.TB) []string {
	rows := readEvalSet(b, "../testdata/examples.tsv")
	qs := make([]string, len(rows))
	for i, r := range rows {
		qs[i] = r.Question
	}
	if len(qs) == 0 {
		b.Fatal("examples.tsv has no questions")
	}
	return qs
}

func BenchmarkAnswer(b *testing.B) {
	qs := benchQuestions(b)
	dir := routing.BuiltinDirectory()
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			a := Answerer{Matcher: NewMatcher(benchList(size.n), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{}),
				DeptName: dir.Name}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a.Ask(qs[i%len(qs)])
			}
		})
	}
}

func BenchmarkMatch(b *testing.B) {
	qs := benchQuestions(b)
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			m := NewMatcher(benchList(size.n), BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				m.Match(qs[i%len(qs)])
			}
		})
	}
}

func BenchmarkIndexBuild(b *testing.B) {
	topics, lex := BuiltinTopics(), BuiltinLexicon()
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			l := benchList(size.n)
			b.ReportAllocs()
			for b.Loop() {
				NewMatcher(l, topics, lex, MatcherConfig{})
			}
		})
	}
}

// TestGeneratedListAnswers guards the benchmarks: over the generated 5,000-item list the
// matcher must still rank a copy of an expected item first for most example questions.
func TestGeneratedListAnswers(t *testing.T) {
	l := generateList(5000)
	ids := map[string]bool{}
	for _, it := range l.Items {
		if ids[it.ID] {
			t.Fatalf("duplicate generated id %s", it.ID)
		}
		ids[it.ID] = true
		if err := it.Validate(nil); err != nil {
			t.Fatalf("generated item %s: %v", it.ID, err)
		}
	}
	m := NewMatcher(l, BuiltinTopics(), BuiltinLexicon(), MatcherConfig{})
	right, total := 0, 0
	for _, r := range readEvalSet(t, "../testdata/examples.tsv") {
		if r.Kind != KindItem {
			continue
		}
		total++
		res := m.Match(r.Question)
		if len(res.Items) > 0 && slices.Contains(r.IDs, baseID(res.Items[0].Item.ID)) {
			right++
		} else {
			t.Logf("miss line %d want %v: %s", r.Line, r.IDs, r.Question)
		}
	}
	t.Logf("generated 5000 items: top-1 base id right %d/%d = %.3f", right, total, rate(right, total))
	if total == 0 || rate(right, total) < 0.80 {
		t.Fatalf("top-1 base id right %d/%d, want ≥ 80%%", right, total)
	}
}
