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
	weight float64
}

// phraseIndex finds many patterns in one pass over a text, keyed by their first rune.
type phraseIndex map[rune][]*phrase

func newPhraseIndex(list []*phrase) phraseIndex {
	idx := phraseIndex{}
	for _, p := range list {
		if len(p.runes) == 0 {
			continue
		}
		idx[p.runes[0]] = append(idx[p.runes[0]], p)
	}
	for _, ps := range idx {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].runes) > len(ps[j].runes) })
	}
	return idx
}

// at returns the longest pattern that starts at r[i], or nil.
func (idx phraseIndex) at(r []rune, i int) *phrase {
	for _, p := range idx[r[i]] {
		if hasRunes(r, i, p.runes) {
			return p
		}
	}
	return nil
}

// each calls fn for every occurrence of every pattern, overlapping ones included.
func (idx phraseIndex) each(r []rune, fn func(p *phrase, pos int)) {
	for i := range r {
		for _, p := range idx[r[i]] {
			if hasRunes(r, i, p.runes) {
				fn(p, i)
			}
		}
	}
}

// longest calls fn for the longest pattern at each position, then skips past it: "伤残抚恤金"
// counts once, not also as "抚恤金".
func (idx phraseIndex) longest(r []rune, fn func(p *phrase, pos int)) {
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
