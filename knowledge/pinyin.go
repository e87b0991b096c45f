package knowledge

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// Residents type on pinyin keyboards, so most typos are homophones: 丧藏费 for 丧葬费, 工作年线
// for 工作年限. A bigram the index has never seen is also looked up by its (fuzzy, toneless)
// sound, so the intended word is found.

// pinyinMark sets bit 30 of a syllable code: code points stay below 2^21 and ASCII run codes
// have bit 31 set, so sound terms never collide with character terms.
const pinyinMark = 0x40000000

var (
	pinyinArgs  = pinyin.NewArgs()
	pinyinCache sync.Map // rune -> uint32 syllable code (0: no reading)
)

// soundBMP caches the codes of the Basic Multilingual Plane, where nearly every character
// falls: one atomic load instead of a sync.Map lookup. An entry is the code with soundKnown
// set, or 0 while not yet computed (codes never use bit 31).
var soundBMP [0x10000]atomic.Uint32

const soundKnown = 1 << 31

// soundCode returns the fuzzy syllable code of a Han character, or 0 when it has no reading.
func soundCode(r rune) uint32 {
	if r >= 0 && r < 0x10000 {
		if v := soundBMP[r].Load(); v != 0 {
			return v &^ soundKnown
		}
		code := computeSound(r)
		soundBMP[r].Store(code | soundKnown)
		return code
	}
	if v, ok := pinyinCache.Load(r); ok {
		return v.(uint32)
	}
	code := computeSound(r)
	pinyinCache.Store(r, code)
	return code
}

func computeSound(r rune) uint32 {
	if pys := pinyin.SinglePinyin(r, pinyinArgs); len(pys) > 0 && pys[0] != "" {
		return pinyinMark | asciiCode(fuzzySyllable(pys[0]))&(pinyinMark-1)
	}
	return 0
}

// fuzzySyllable folds the distinctions pinyin typists most often miss, as input methods'
// "fuzzy pinyin" does: zh/z, ch/c, sh/s, and front/back nasals (ang/an, eng/en, ing/in).
func fuzzySyllable(s string) string {
	for _, p := range [][2]string{{"zh", "z"}, {"ch", "c"}, {"sh", "s"}} {
		if strings.HasPrefix(s, p[0]) {
			s = p[1] + s[len(p[0]):]
			break
		}
	}
	if strings.HasSuffix(s, "ng") && len(s) > 2 && s[len(s)-3] != 'o' { // keep -ong
		s = s[:len(s)-1]
	}
	return s
}

// appendSoundTerms appends the sound bigrams of normalized text: one per pair of adjacent
// Han characters that both have a reading.
func appendSoundTerms(norm string, out []term) []term {
	var prev uint32
	for _, r := range norm {
		var c uint32
		if r >= utf8.RuneSelf {
			c = soundCode(r)
		}
		if prev != 0 && c != 0 {
			out = append(out, term(prev)<<32|term(c))
		}
		prev = c
	}
	return out
}

// soundOfBigram returns the sound term of a Han character bigram term, or 0.
func soundOfBigram(t term) term {
	a, b := rune(t>>32), rune(t&0xFFFFFFFF)
	if a < utf8.RuneSelf || b < utf8.RuneSelf || a >= 0x110000 || b >= 0x110000 || isUnigram(t) {
		return 0
	}
	ca, cb := soundCode(a), soundCode(b)
	if ca == 0 || cb == 0 {
		return 0
	}
	return term(ca)<<32 | term(cb)
}
