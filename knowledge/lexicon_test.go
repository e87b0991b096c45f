package knowledge

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// expansions returns the canonical terms the lexicon finds in text, in order.
func expansions(lx *Lexicon, text string) []string {
	var out []string
	lx.expand(Normalize(text), func(c string) { out = append(out, c) })
	return out
}

func TestLexiconBuiltin(t *testing.T) {
	lx := BuiltinLexicon()
	if lx.Len() < 20 {
		t.Errorf("built-in lexicon has %d terms, want ≥ 20", lx.Len())
	}
	cases := map[string]string{
		"户口":    "户籍",
		"低保":    "最低生活保障",
		"无犯罪证明": "无犯罪记录证明",
		"良民证":   "无犯罪记录证明",
	}
	for from, want := range cases {
		if got := expansions(lx, from); !slices.Contains(got, Normalize(want)) {
			t.Errorf("expand(%q) = %q, want it to contain %q", from, got, want)
		}
	}
	// Keys are found anywhere in a question, in traditional characters too.
	if got := expansions(lx, "我想問一下吃低保要開啥"); !slices.Contains(got, "最低生活保障") {
		t.Errorf("expand in a sentence = %q, want 最低生活保障", got)
	}
	if got := expansions(lx, "今天天气怎么样"); len(got) != 0 {
		t.Errorf("expand(今天天气怎么样) = %q, want nothing", got)
	}
}

func TestLexiconLoad(t *testing.T) {
	lx := BuiltinLexicon()
	n := lx.Len()
	src := "\uFEFF# 测试表\n\n囍本本\t结婚登记|户口簿\n户口\t户口簿\n良民證\t無犯罪記錄證明\n"
	if err := lx.Load(strings.NewReader(src), "extra.tsv"); err != nil {
		t.Fatal(err)
	}
	if got := expansions(lx, "领囍本本"); !slices.Equal(got, []string{"结婚登记", "户口簿"}) {
		t.Errorf("expand(领囍本本) = %q, want [结婚登记 户口簿]", got)
	}
	// A later row overrides the built-in one instead of adding to it.
	got := expansions(lx, "户口")
	if !slices.Contains(got, "户口簿") || slices.Contains(got, "户籍") {
		t.Errorf("expand(户口) after override = %q, want 户口簿 and not 户籍", got)
	}
	// Keys and canonical terms are normalized: 良民證 is 良民证 (a built-in key), so it overrides too.
	if got := expansions(lx, "良民证"); !slices.Contains(got, "无犯罪记录证明") {
		t.Errorf("expand(良民证) = %q", got)
	}
	if got := lx.Len(); got != n+1 {
		t.Errorf("Len = %d after one new and two overriding rows, want %d", got, n+1)
	}
}

func TestLexiconLongestKeyFirst(t *testing.T) {
	lx := &Lexicon{byFirst: map[rune][]lexEntry{}}
	if err := lx.Load(strings.NewReader("无犯罪\t甲\n无犯罪证明\t乙\n无\t丙\n"), "t.tsv"); err != nil {
		t.Fatal(err)
	}
	if got := expansions(lx, "无犯罪证明"); !slices.Equal(got, []string{"乙", "甲", "丙"}) {
		t.Errorf("expand = %q, want longest key first [乙 甲 丙]", got)
	}
}

func TestLexiconLoadRejects(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
	}{
		{"no tab", "# c\n户口\t户籍\n户口本 户口簿\n", 3},
		{"empty canonical", "户口\t  \n", 1},
		{"tab only", "\n\n\t户籍\n", 3},
		{"canonical only separators", "# x\n户口\t户籍\n低保\t|\n", 3},
		{"punctuation key", "# x\n？？\t户籍\n", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lx := BuiltinLexicon()
			err := lx.Load(strings.NewReader(c.src), "mine.tsv")
			if err == nil {
				t.Fatalf("Load accepted %q", c.src)
			}
			for _, w := range []string{"mine.tsv", fmt.Sprintf("第 %d 行", c.line)} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	lx := BuiltinLexicon()
	if err := lx.Load(failingReader{}, "broken.tsv"); err == nil || !strings.Contains(err.Error(), "broken.tsv") {
		t.Errorf("read error: %v", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }
