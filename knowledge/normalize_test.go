package knowledge

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"无犯罪记录证明", "无犯罪记录证明"},
		{"無犯罪記錄證明", "无犯罪记录证明"}, // traditional → simplified
		{"戶口簿遷移", "户口簿迁移"},     // traditional → simplified
		{"ＡＢＣ１２３", "abc123"},   // full-width → half-width, lower case
		{"HIV检测", "hiv检测"},     // lower case
		{"15位升18位", "15位升18位"}, // digits kept
		{"户口，，！！本", "户口 本"},    // a punctuation run is one space
		{"户口 , 。 本", "户口 本"},   // spaces and punctuation together too
		{"户口\u3000本", "户口 本"},  // ideographic space
		{"户口本？", "户口本"},        // trailing punctuation trimmed
		{"  ……户口本", "户口本"},     // leading punctuation dropped
		{"我要投诉！！！   ", "我要投诉"}, // trailing spaces trimmed
		{"", ""},                  // empty
		{"？！。", ""},               // punctuation only
		{"😀户口😀本😀", "户口 本"},        // emoji separate words
		{"a-b_c", "a b c"},        // ASCII punctuation
		{"（BQ-001）号", "bq 001 号"}, // full-width parentheses
		{"Ｂｑ　００１", "bq 001"},      // full-width letters, digits and space
	}
	for _, c := range cases {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Normalizing twice changes nothing.
	for _, c := range cases {
		if once := Normalize(c.in); Normalize(once) != once {
			t.Errorf("Normalize is not idempotent on %q: %q → %q", c.in, once, Normalize(once))
		}
	}
}

func bigram(a, b rune) term { return term(a)<<32 | term(b) }

func TestTermsBigrams(t *testing.T) {
	cases := []struct {
		in   string
		want []term
	}{
		{"户口本", []term{bigram('户', '口'), bigram('口', '本')}},
		// A one-unit segment yields the unit alone, so that one-character words still match.
		{"狗", []term{term('狗') << 32}},
		{"户 口本", []term{term('户') << 32, bigram('口', '本')}},
		{"户口 本", []term{bigram('户', '口'), term('本') << 32}},
		// Segments are separated: no bigram spans a space.
		{"户口 簿册", []term{bigram('户', '口'), bigram('簿', '册')}},
		{"", nil},
	}
	for _, c := range cases {
		got := appendTerms(Normalize(c.in), nil)
		if !slices.Equal(got, c.want) {
			t.Errorf("appendTerms(%q) = %x, want %x", c.in, got, c.want)
		}
	}
	// Appending keeps what is there.
	pre := []term{42}
	if got := appendTerms("户口", pre); len(got) != 2 || got[0] != 42 {
		t.Errorf("appendTerms does not append: %x", got)
	}
}

func TestTermsASCIIRuns(t *testing.T) {
	u15, u18 := term(asciiCode("15")), term(asciiCode("18"))
	got := appendTerms(Normalize("15位升18位"), nil)
	want := []term{u15<<32 | '位', '位'<<32 | '升', '升'<<32 | u18, u18<<32 | '位'}
	if !slices.Equal(got, want) {
		t.Errorf("appendTerms(15位升18位) = %x, want %x", got, want)
	}
	// A run of letters and digits is one unit, whatever its length.
	us := units("hiv检测 abc123", nil)
	wantUnits := []uint32{asciiCode("hiv"), '检', '测', 0, asciiCode("abc123")}
	if !slices.Equal(us, wantUnits) {
		t.Errorf("units = %x, want %x", us, wantUnits)
	}
	if got := appendTerms("abc123", nil); len(got) != 1 || got[0] != term(asciiCode("abc123"))<<32 {
		t.Errorf("appendTerms(abc123) = %x, want one unit", got)
	}
	// ASCII codes never collide with Han code points, nor with the unigram mark.
	for _, s := range []string{"0", "a", "15", "hiv", "bq001"} {
		c := asciiCode(s)
		if c&0x80000000 == 0 || c < 0x110000 || term(c) == unigramMark {
			t.Errorf("asciiCode(%q) = %x overlaps code points", s, c)
		}
	}
	if asciiCode("15") == asciiCode("18") {
		t.Errorf("asciiCode(15) == asciiCode(18)")
	}
	// "15" and "1 5" differ: digits separated by a space are two units.
	if slices.Equal(appendTerms("15位", nil), appendTerms("1 5位", nil)) {
		t.Errorf("15位 and 1 5位 give the same terms")
	}
}

func TestTermsUnigrams(t *testing.T) {
	got := appendUnigrams(Normalize("户口 abc本"), nil)
	want := []term{term('户')<<32 | unigramMark, term('口')<<32 | unigramMark, term('本')<<32 | unigramMark}
	if !slices.Equal(got, want) {
		t.Errorf("appendUnigrams = %x, want %x", got, want)
	}
	for _, u := range got {
		if !isUnigram(u) {
			t.Errorf("isUnigram(%x) = false", u)
		}
	}
	for _, b := range appendTerms("户口本", nil) {
		if isUnigram(b) {
			t.Errorf("bigram %x taken for a unigram", b)
		}
	}
}

func TestFuzzySyllable(t *testing.T) {
	cases := map[string]string{
		"zhang": "zan",  // zh → z, ang → an
		"zang":  "zan",  // same as zhang
		"chi":   "ci",   // ch → c
		"shi":   "si",   // sh → s
		"sheng": "sen",  // sh → s, eng → en
		"ying":  "yin",  // ing → in
		"xing":  "xin",  // ing → in
		"zhong": "zong", // zh → z, ong kept
		"long":  "long", // ong kept
		"cong":  "cong", // ong kept
		"ma":    "ma",
		"ng":    "ng", // too short to fold
		"an":    "an",
		"":      "",
	}
	for in, want := range cases {
		if got := fuzzySyllable(in); got != want {
			t.Errorf("fuzzySyllable(%q) = %q, want %q", in, got, want)
		}
	}
	// Homophone typos share a sound code: 丧葬 / 丧脏, 证明 / 正明.
	if soundCode('葬') == 0 || soundCode('葬') != soundCode('脏') {
		t.Errorf("soundCode(葬)=%x soundCode(脏)=%x, want equal and non-zero", soundCode('葬'), soundCode('脏'))
	}
	if soundCode('证') != soundCode('正') {
		t.Errorf("soundCode(证) != soundCode(正)")
	}
	if soundCode('证') == soundCode('明') {
		t.Errorf("soundCode(证) == soundCode(明)")
	}
	if c := soundCode('证'); c&pinyinMark == 0 {
		t.Errorf("soundCode(证) = %x lacks the pinyin mark", c)
	}
}
