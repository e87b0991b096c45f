package knowledge

import (
	"math"
	"slices"
	"strings"

	"chengnuo/internal/u64map"
)

// The errand model tells which of the rows that share a certificate, or that touch the
// same general errand, the question is about. The ranking (BM25F) finds the rows that
// mention the question's words; this model then checks each row's two halves apart: is its
// certificate the one named, and does its matter fit the errand the question states.
// It works on the list's own text only (certificate, matter, issuer), so an imported list
// without aliases is treated as the built-in one; aliases, when present, add evidence.

// errandRow is what the errand model knows of one row.
type errandRow struct {
	core      []term    // bigrams of the certificate's name without qualifiers, in order
	alts      [][]wterm // the matter's alternatives ("入学、银行、公证…" → one each)
	aliases   []string  // normalized aliases of two characters or more
	own       []term    // every bigram of its certificate, matter, aliases and issuer
	community bool      // issued by a 社区/村委会
	generic   bool      // the matter covers many errands ("各类办事", "…等")
}

// wterm is a bigram with its weight (rarer in the list's matters = heavier).
type wterm struct {
	t term
	w float32
}

// errandModel holds the rows' halves, built once per list.
type errandModel struct {
	rows []errandRow
}

// certQualifierEnd marks where an issuer's preamble ends ("户籍地公安部门出具的无犯罪记录证明").
var certQualifierEnd = []string{"出具的", "开具的", "核发的"}

// certCore is a certificate's name without the parts in parentheses and without the
// preamble naming who issues it: the words a resident uses for it.
func certCore(cert string) string {
	s := stripParens(cert)
	for _, q := range certQualifierEnd {
		if i := strings.LastIndex(s, q); i >= 0 && i+len(q) < len(s) {
			s = s[i+len(q):]
		}
	}
	return s
}

// isMatterSeparator reports the characters that split a matter into the errands it lists.
func isMatterSeparator(r rune) bool {
	switch r {
	case '、', '，', ',', '；', ';', '/', '(', ')', '（', '）', '及', '或':
		return true
	}
	return false
}

// matterAlternatives splits a matter into the errands it names. The whole matter is kept as
// one alternative, and so is the matter without its remarks in parentheses; the parts of
// the latter split at list separators are the others.
func matterAlternatives(matter string) []string {
	m := strings.TrimSuffix(strings.TrimSpace(matter), "等")
	out := []string{m}
	bare := strings.TrimSuffix(strings.TrimSpace(stripParens(m)), "等")
	if bare != m && len([]rune(bare)) >= 2 {
		out = append(out, bare)
	}
	parts := strings.FieldsFunc(bare, isMatterSeparator)
	if len(parts) > 1 {
		for _, p := range parts {
			p = strings.TrimSuffix(strings.TrimSpace(p), "等")
			p = strings.TrimPrefix(p, "如")
			if len([]rune(p)) >= 2 {
				out = append(out, p)
			}
		}
	}
	return out
}

// newErrandModel builds the model of a list's items; communityIssued and genericMatter are
// the matcher's flags of the same items.
func newErrandModel(items []Item, communityIssued, genericMatter []bool) *errandModel {
	m := &errandModel{rows: make([]errandRow, len(items))}
	df := map[term]int{}
	altTerms := make([][][]term, len(items))
	for i := range items {
		it := &items[i]
		seen := map[term]bool{}
		for _, a := range matterAlternatives(it.Matter) {
			ts := appendTerms(Normalize(a), nil)
			altTerms[i] = append(altTerms[i], ts)
			for _, t := range ts {
				if !seen[t] {
					seen[t] = true
					df[t]++
				}
			}
		}
	}
	n := float64(len(items))
	for i := range items {
		it := &items[i]
		r := &m.rows[i]
		r.core = appendTerms(Normalize(certCore(it.Certificate)), nil)
		for _, ts := range altTerms[i] {
			alt := make([]wterm, 0, len(ts))
			for _, t := range ts {
				alt = append(alt, wterm{t, float32(math.Log(1 + n/float64(df[t])))})
			}
			if len(alt) > 0 {
				r.alts = append(r.alts, alt)
			}
		}
		for _, a := range it.Aliases {
			// An alias that repeats the certificate's words names the certificate, not an
			// errand ("无犯罪证明" is every such row's alias); the others ("毕业证丢了") do.
			if a = Normalize(a); len([]rune(a)) >= 2 && !sharesTerm(appendTerms(a, nil), r.core) {
				r.aliases = append(r.aliases, a)
			}
		}
		for _, f := range []string{it.Certificate, it.Matter, strings.Join(it.Aliases, " "), it.Issuer} {
			r.own = appendTerms(Normalize(f), r.own)
		}
		slices.Sort(r.own)
		r.own = slices.Compact(r.own)
		// A list without an issuer column still names a 社区-issued certificate as such.
		r.community = communityIssued[i] || strings.Contains(it.Certificate, "社区") || strings.Contains(it.Certificate, "村委会")
		r.generic = genericMatter[i]
	}
	return m
}

// termSet is a small open-addressing set of a question's terms, built on the stack.
type termSet struct {
	tab  [512]term
	zero bool
}

func (s *termSet) add(t term) {
	if t == 0 {
		s.zero = true
		return
	}
	mask := uint64(len(s.tab) - 1)
	i := u64map.Hash(t) & mask
	for s.tab[i] != 0 && s.tab[i] != t {
		i = (i + 1) & mask
	}
	s.tab[i] = t
}

func (s *termSet) has(t term) bool {
	if t == 0 {
		return s.zero
	}
	mask := uint64(len(s.tab) - 1)
	i := u64map.Hash(t) & mask
	for s.tab[i] != 0 {
		if s.tab[i] == t {
			return true
		}
		i = (i + 1) & mask
	}
	return false
}

// coreRun is the length in characters of the longest run of the row's certificate core
// that the question contains (a run of k consecutive bigrams spans k+1 characters). Bigrams
// of asking words (的证, 证明) do not lengthen a run: "方面的证明" names no certificate.
func (r *errandRow) coreRun(qs *termSet) int {
	best, run := 0, 0
	for _, t := range r.core {
		switch {
		case !qs.has(t):
			run = 0
		case isFillerBigram(t):
		default:
			run++
			best = max(best, run)
		}
	}
	if best == 0 {
		return 0
	}
	return best + 1
}

// isFillerBigram reports a bigram made of two characters of asking (fillerChars).
func isFillerBigram(t term) bool {
	a, b := rune(t>>32), rune(t&0xFFFFFFFF)
	return a < 0x10000 && b < 0x10000 && fillerChars.has(a) && fillerChars.has(b)
}

// matterFit is how much of the row's best-fitting matter alternative the question states,
// from 0 to 1, weighted by how rare each word is among the list's matters.
func (r *errandRow) matterFit(qs *termSet) float64 {
	best := 0.0
	for _, alt := range r.alts {
		var have, all float32
		for _, wt := range alt {
			all += wt.w
			if qs.has(wt.t) {
				have += wt.w
			}
		}
		if all > 0 {
			best = max(best, float64(have/all))
		}
	}
	return best
}

// aliasHit reports whether the question contains one of the row's aliases.
func (r *errandRow) aliasHit(norm string) bool {
	for _, a := range r.aliases {
		if strings.Contains(norm, a) {
			return true
		}
	}
	return false
}

// sharesTerm reports whether a and b have a term in common.
func sharesTerm(a, b []term) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// explains is the share of the question's matter words (qm) that the row's own text holds.
func (r *errandRow) explains(qm []wterm) float64 {
	var have, all float32
	for _, wt := range qm {
		all += wt.w
		if r.holds(wt.t) {
			have += wt.w
		}
	}
	if all == 0 {
		return 0
	}
	return float64(have / all)
}

// holds reports whether the row's own text holds the term.
func (r *errandRow) holds(t term) bool {
	_, ok := slices.BinarySearch(r.own, t)
	return ok
}
