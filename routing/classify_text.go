package routing

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxClassifyBytes bounds the text classified: a ticket's first part says who did what, and
// the bound keeps one long message from costing more than a few microseconds.
const maxClassifyBytes = 3000

// normText folds a message for matching: full-width letters, digits and punctuation become
// ASCII ("：" → ":"), letters lower case, white space is dropped. Chinese text is unchanged.
func normText(s string) string {
	if len(s) > maxClassifyBytes {
		n := maxClassifyBytes
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0x4E00 && r <= 0x9FFF: // the common case: a Chinese character, kept as it is
			b.WriteRune(r)
			continue
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			continue
		}
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isStop reports whether r ends a sentence: context never reaches across it.
func isStop(r rune) bool {
	switch r {
	case '。', '!', '?', ';', '…', '\n':
		return true
	}
	return false
}

// isPunct reports whether r is punctuation of any kind (a clause boundary or a quote).
func isPunct(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
		return false // the common case: a Chinese character, a letter or a digit
	}
	return isStop(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == '、'
}

// phrase is one pattern of a phraseIndex with the data its table row carries.
type phrase struct {
	text   string
	runes  []rune
	kind   string
	code   string
	cid    int32 // code's position in Rules.codes, -1 when the row has no code
	weight float64
}

// phraseIndex finds many patterns in one pass over a text, keyed by their first rune: a flat
// table gives the list of a character of the Basic Multilingual Plane in one load, so the
// many characters that start no pattern cost almost nothing.
type phraseIndex struct {
	slot  []uint16    // rune < 0x10000 -> 1 + position in lists, 0 when no pattern starts with it
	lists [][]*phrase // longest pattern first
	other map[rune][]*phrase
}

func newPhraseIndex(list []*phrase) phraseIndex {
	idx := phraseIndex{slot: make([]uint16, 0x10000), other: map[rune][]*phrase{}}
	for _, p := range list {
		if len(p.runes) == 0 {
			continue
		}
		r := p.runes[0]
		if r < 0 || r >= 0x10000 {
			idx.other[r] = append(idx.other[r], p)
			continue
		}
		if idx.slot[r] == 0 {
			idx.lists = append(idx.lists, nil)
			idx.slot[r] = uint16(len(idx.lists))
		}
		idx.lists[idx.slot[r]-1] = append(idx.lists[idx.slot[r]-1], p)
	}
	sortLongestFirst := func(ps []*phrase) {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].runes) > len(ps[j].runes) })
	}
	for _, ps := range idx.lists {
		sortLongestFirst(ps)
	}
	for _, ps := range idx.other {
		sortLongestFirst(ps)
	}
	return idx
}

// starting returns the patterns that start with c, longest first.
func (idx *phraseIndex) starting(c rune) []*phrase {
	if c >= 0 && c < 0x10000 {
		if len(idx.slot) == 0 || idx.slot[c] == 0 {
			return nil
		}
		return idx.lists[idx.slot[c]-1]
	}
	return idx.other[c]
}

// at returns the longest pattern that starts at r[i], or nil.
func (idx *phraseIndex) at(r []rune, i int) *phrase {
	for _, p := range idx.starting(r[i]) {
		if hasRunes(r, i, p.runes) {
			return p
		}
	}
	return nil
}

// each calls fn for every occurrence of every pattern, overlapping ones included.
func (idx *phraseIndex) each(r []rune, fn func(p *phrase, pos int)) {
	for i := range r {
		for _, p := range idx.starting(r[i]) {
			if hasRunes(r, i, p.runes) {
				fn(p, i)
			}
		}
	}
}

// longest calls fn for the longest pattern at each position, then skips past it: "伤残抚恤金"
// counts once, not also as "抚恤金".
func (idx *phraseIndex) longest(r []rune, fn func(p *phrase, pos int)) {
	for i := 0; i < len(r); {
		if p := idx.at(r, i); p != nil {
			fn(p, i)
			i += len(p.runes)
			continue
		}
		i++
	}
}

func hasRunes(r []rune, i int, p []rune) bool {
	if i+len(p) > len(r) {
		return false
	}
	for k, c := range p {
		if r[i+k] != c {
			return false
		}
	}
	return true
}

// hasPrefixAny reports whether s starts with one of the words.
func hasPrefixAny(s string, words []string) bool {
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// hasSuffixAny reports whether s ends with one of the words.
func hasSuffixAny(s string, words []string) bool {
	for _, w := range words {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}

// indexAny returns the rune offset in s of the first of the words found, or -1.
func indexAny(s string, words []string) int {
	best := -1
	for _, w := range words {
		if i := strings.Index(s, w); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return -1
	}
	return utf8.RuneCountInString(s[:best])
}

// wordList is a fixed list of words with a filter on their first and last characters, so
// that asking whether a short string starts or ends with one of them mostly costs a bit test.
type wordList struct {
	words       []string
	first, last runeBloom
	bordered    bool // some word's head equals its tail ("开开"): indexVerb takes the slow path
}

func newWordList(words ...string) *wordList {
	wl := &wordList{words: words}
	for _, w := range words {
		if w == "" {
			panic("routing: empty word in a word list") // a programming error, caught by tests
		}
		f, _ := utf8.DecodeRuneInString(w)
		l, _ := utf8.DecodeLastRuneInString(w)
		wl.first.add(f)
		wl.last.add(l)
		for k := 1; k < len(w); k++ {
			if w[:k] == w[len(w)-k:] {
				wl.bordered = true
			}
		}
	}
	return wl
}

func (wl *wordList) hasPrefix(s string) bool {
	if c, _ := utf8.DecodeRuneInString(s); s == "" || !wl.first.has(c) {
		return false
	}
	return hasPrefixAny(s, wl.words)
}

func (wl *wordList) hasSuffix(s string) bool {
	if c, _ := utf8.DecodeLastRuneInString(s); s == "" || !wl.last.has(c) {
		return false
	}
	return hasSuffixAny(s, wl.words)
}

// runeBloom is a 1024-bit filter over characters: has may say yes for a character never
// added, never no for one that was.
type runeBloom [16]uint64

func (b *runeBloom) add(r rune)      { b[r>>6&15] |= 1 << (r & 63) }
func (b *runeBloom) has(r rune) bool { return b[r>>6&15]&(1<<(r&63)) != 0 }

// ntext is a normalized text with its characters and the byte offset of each (off[len(r)]
// is len(s)), so that any span of characters is also a substring without a copy.
type ntext struct {
	s   string
	r   []rune
	off []int32
}

// makeText splits a normalized text into characters, reusing the buffers given.
func makeText(norm string, r []rune, off []int32) ntext {
	r, off = r[:0], off[:0]
	for i, c := range norm {
		r = append(r, c)
		off = append(off, int32(i))
	}
	off = append(off, int32(len(norm)))
	return ntext{s: norm, r: r, off: off}
}

// span is the substring of characters i..j.
func (t *ntext) span(i, j int) string { return t.s[t.off[i]:t.off[j]] }
