package knowledge

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

//go:embed data/synonyms.tsv
var builtinSynonymsTSV string

// Lexicon maps the words residents use to the canonical terms of the published list
// (户口→户籍, 低保→最低生活保障, 良民证→无犯罪记录证明). It is data: staff extend it.
type Lexicon struct {
	byFirst map[rune][]lexEntry // first rune of the normalized key -> entries, longest key first
	first   runeSet             // the keys of byFirst, so that most characters skip the map
	size    int
}

type lexEntry struct {
	key   string
	canon []string // normalized canonical terms
}

// BuiltinLexicon returns the colloquial table shipped with chengnuo.
func BuiltinLexicon() *Lexicon {
	lx := &Lexicon{byFirst: map[rune][]lexEntry{}}
	if err := lx.Load(strings.NewReader(builtinSynonymsTSV), "synonyms.tsv"); err != nil {
		panic(err) // a build-time defect, caught by tests
	}
	return lx
}

// Load adds the rows of a synonyms table (colloquial<TAB>canonical[|canonical…]).
func (lx *Lexicon) Load(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		from, to, ok := strings.Cut(line, "\t")
		key := Normalize(from)
		if !ok || key == "" || strings.TrimSpace(to) == "" {
			return fmt.Errorf("%s 第 %d 行: 应为“口语词<TAB>规范词”", name, n)
		}
		var canon []string
		for _, c := range strings.Split(to, "|") {
			if c = Normalize(c); c != "" {
				canon = append(canon, c)
			}
		}
		if len(canon) == 0 {
			return fmt.Errorf("%s 第 %d 行: 规范词为空", name, n)
		}
		lx.add(key, canon)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

func (lx *Lexicon) add(key string, canon []string) {
	first, _ := utf8.DecodeRuneInString(key)
	es := lx.byFirst[first]
	for i := range es {
		if es[i].key == key { // a later file overrides the built-in row
			es[i].canon = canon
			return
		}
	}
	es = append(es, lexEntry{key, canon})
	for i := len(es) - 1; i > 0 && len(es[i].key) > len(es[i-1].key); i-- {
		es[i], es[i-1] = es[i-1], es[i]
	}
	lx.byFirst[first] = es
	lx.first.add(first)
	lx.size++
}

// Len is the number of colloquial terms known.
func (lx *Lexicon) Len() int { return lx.size }

// expand calls fn with each canonical term of every colloquial key found in the normalized text.
func (lx *Lexicon) expand(norm string, fn func(canon string)) {
	for i, r := range norm {
		if !lx.first.has(r) {
			continue
		}
		for _, e := range lx.byFirst[r] {
			if strings.HasPrefix(norm[i:], e.key) {
				for _, c := range e.canon {
					fn(c)
				}
			}
		}
	}
}

// runeSet is a set of characters: a bitmap over the Basic Multilingual Plane, where the first
// characters of words fall; any other character is reported as possibly present.
type runeSet struct{ bits [0x10000 / 64]uint64 }

func (s *runeSet) add(r rune) {
	if r >= 0 && r < 0x10000 {
		s.bits[r>>6] |= 1 << (r & 63)
	}
}

func (s *runeSet) has(r rune) bool {
	if r < 0 || r >= 0x10000 {
		return true
	}
	return s.bits[r>>6]&(1<<(r&63)) != 0
}
