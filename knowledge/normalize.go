package knowledge

import (
	"bufio"
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:embed data/t2s.tsv
var t2sTSV string

// t2s maps traditional characters to simplified ones; read once, never written after init.
var t2s = parseRuneMap(t2sTSV)

// t2sBMP is t2s for the Basic Multilingual Plane as a flat table (0: not traditional), so
// that folding a common character costs one load instead of a map lookup.
var t2sBMP = func() []rune {
	t := make([]rune, 0x10000)
	for f, s := range t2s {
		if f < 0x10000 {
			t[f] = s
		}
	}
	return t
}()

func parseRuneMap(tsv string) map[rune]rune {
	m := make(map[rune]rune, 4200)
	sc := bufio.NewScanner(strings.NewReader(tsv))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		from, to, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		f, _ := utf8.DecodeRuneInString(from)
		t, _ := utf8.DecodeRuneInString(to)
		m[f] = t
	}
	return m
}

// foldRune maps one input rune to its comparable form: simplified, half-width, lower case.
// It returns -1 for runes that only separate words (spaces, punctuation).
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		r -= 0xFEE0
	case r == 0x3000:
		return -1
	}
	if r < utf8.RuneSelf {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		}
		return -1
	}
	if r < 0x10000 {
		if s := t2sBMP[r]; s != 0 {
			return s
		}
		if r >= 0x4E00 && r <= 0x9FFF {
			return r // CJK Unified Ideographs: all Han
		}
	} else if s, ok := t2s[r]; ok {
		return s
	}
	if unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return -1
}

// Normalize folds text for matching: traditional to simplified, full-width to
// half-width, lower case; every run of punctuation or space becomes one space.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		f := foldRune(r)
		if f < 0 {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(f)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// term is a matching unit pair packed into one integer: a character bigram, or a
// single unit (second half zero) for one-unit segments. Integers keep queries free of allocation.
type term uint64

// unitCode returns the code of one unit: a Han character's code point, or for a run of
// ASCII letters/digits an FNV-1a hash with the high bit set (code points stay below 2^21).
func asciiCode(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h | 0x80000000
}

// units splits normalized text into unit codes: one per Han character, one per run of
// ASCII letters or digits ("15位" → "15", "位"). A space ends a segment and is coded 0.
func units(norm string, out []uint32) []uint32 {
	i := 0
	for i < len(norm) {
		c := norm[i]
		switch {
		case c == ' ':
			out = append(out, 0)
			i++
		case c < utf8.RuneSelf:
			j := i + 1
			for j < len(norm) && norm[j] < utf8.RuneSelf && norm[j] != ' ' {
				j++
			}
			out = append(out, asciiCode(norm[i:j]))
			i = j
		default:
			r, n := utf8.DecodeRuneInString(norm[i:])
			if r == '上' && len(out) > 0 && isDocumentNoun(rune(out[len(out)-1])) {
				out = append(out, 0) // "户口本上的", "身份证上": a locative, not part of a word
			} else {
				out = append(out, uint32(r))
			}
			i += n
		}
	}
	return out
}

// isDocumentNoun reports characters that end the name of a document (户口本, 身份证, 户口簿…).
func isDocumentNoun(r rune) bool {
	switch r {
	case '本', '证', '簿', '薄', '书', '卡', '照', '表':
		return true
	}
	return false
}

// appendTerms appends the character bigrams of normalized text to out. A segment of a
// single unit yields that unit alone, so that one-character words ("狗") still match.
func appendTerms(norm string, out []term) []term {
	var buf [128]uint32
	us := units(norm, buf[:0])
	start := 0
	for i := 0; i <= len(us); i++ {
		if i < len(us) && us[i] != 0 {
			continue
		}
		seg := us[start:i]
		if len(seg) == 1 {
			out = append(out, term(seg[0])<<32)
		}
		for j := 0; j+1 < len(seg); j++ {
			out = append(out, term(seg[j])<<32|term(seg[j+1]))
		}
		start = i + 1
	}
	return out
}

// unigramMark tags a term as a single character (unit codes are never 1), kept apart
// from bigrams so that a typo that breaks both bigrams of a character still leaves a trace.
const unigramMark term = 1

// appendUnigrams appends one term per Han character of normalized text.
func appendUnigrams(norm string, out []term) []term {
	for _, r := range norm {
		if r >= utf8.RuneSelf {
			out = append(out, term(r)<<32|unigramMark)
		}
	}
	return out
}

func isUnigram(t term) bool { return t&0xFFFFFFFF == unigramMark }
