package knowledge

import (
	"strings"
	"unicode/utf8"

	"chengnuo/internal/u64map"
)

// Kind is what a question turned out to be.
type Kind string

// The kinds of the ask contract.
const (
	KindItem      Kind = "item"      // about one certificate of the list
	KindPolicy    Kind = "policy"    // about the system itself (a policy topic)
	KindComplaint Kind = "complaint" // reports an office demanding a certificate
	KindUnknown   Kind = "unknown"   // not answerable with confidence: say so, point to 12345
)

// MatcherConfig holds the thresholds that decide the kind. Zero values take the defaults.
type MatcherConfig struct {
	MinItemScore       float64 // below it no item is trusted
	StrongItemScore    float64 // above it a close runner-up does not make the answer unsure
	ConfidentItemScore float64 // above it an out-of-scope word is taken as context, not as the subject
	MaxRunnerUpRatio   float64 // second/first score above this (and first not strong) = unsure
	PolicyFactor       float64 // topic score × factor must beat the item score for kind policy
	MinTopicScore      float64 // below it no topic is trusted
	ComplaintThreshold float64 // complaintSignal at or above it = kind complaint
	UnigramWeight      float64 // weight of single characters against bigrams (typo tolerance)
	SoundWeight        float64 // weight of a sound bigram standing in for an unknown character bigram
	CommunityPenalty   float64 // score factor for 社区-issued items when no 社区 is mentioned
	MatterPenalty      float64 // score factor for a specific-matter item whose matter is not mentioned
	MinMatterScore     float64 // matter-field score below which the matter counts as not mentioned
}

// DefaultMatcherConfig returns thresholds tuned on the development question set.
func DefaultMatcherConfig() MatcherConfig {
	return MatcherConfig{
		MinItemScore:       8,
		StrongItemScore:    14,
		ConfidentItemScore: 30,
		MaxRunnerUpRatio:   0.9,
		PolicyFactor:       1.0,
		MinTopicScore:      6,
		ComplaintThreshold: 1.5,
		UnigramWeight:      0.3,
		SoundWeight:        0.6,
		CommunityPenalty:   0.7,
		MatterPenalty:      0.7,
		MinMatterScore:     2,
	}
}

// Matcher answers questions over one list version. It is built once and is safe for
// concurrent use: nothing in it changes after NewMatcher returns.
type Matcher struct {
	list            *List
	topics          []Topic
	lex             *Lexicon
	cfg             MatcherConfig
	items           *bm25Index
	topicIdx        *bm25Index
	itemText        []string // normalized certificate, matter and aliases of item d
	communityIssued []bool   // item d was issued by a 社区/村委会
	genericMatter   []bool   // item d's matter covers many errands ("各类办事", "…等")
	matters         *bm25Index
	errand          *errandModel
}

// Field weights: the certificate's name and the aliases residents use count most.
var (
	itemFields  = []fieldSpec{{3, 0.5}, {2, 0.5}, {2.5, 0.3}, {1, 0}, {1, 0.5}} // certificate, matter, aliases, domain, issuer
	topicFields = []fieldSpec{{2, 0.5}, {1, 0.3}, {3, 0.3}}                     // title, questions, keywords
)

// NewMatcher indexes a list and the policy topics. lex may be nil (no colloquial expansion).
func NewMatcher(list *List, topics []Topic, lex *Lexicon, cfg MatcherConfig) *Matcher {
	def := DefaultMatcherConfig()
	setDefault(&cfg.MinItemScore, def.MinItemScore)
	setDefault(&cfg.StrongItemScore, def.StrongItemScore)
	setDefault(&cfg.ConfidentItemScore, def.ConfidentItemScore)
	setDefault(&cfg.MaxRunnerUpRatio, def.MaxRunnerUpRatio)
	setDefault(&cfg.PolicyFactor, def.PolicyFactor)
	setDefault(&cfg.MinTopicScore, def.MinTopicScore)
	setDefault(&cfg.ComplaintThreshold, def.ComplaintThreshold)
	setDefault(&cfg.UnigramWeight, def.UnigramWeight)
	setDefault(&cfg.SoundWeight, def.SoundWeight)
	setDefault(&cfg.CommunityPenalty, def.CommunityPenalty)
	setDefault(&cfg.MatterPenalty, def.MatterPenalty)
	setDefault(&cfg.MinMatterScore, def.MinMatterScore)
	if lex == nil {
		lex = &Lexicon{byFirst: map[rune][]lexEntry{}}
	}
	m := &Matcher{list: list, topics: topics, lex: lex, cfg: cfg}
	docs := make([][]string, len(list.Items))
	for i := range list.Items {
		it := &list.Items[i]
		docs[i] = []string{Normalize(it.Certificate), Normalize(it.Matter),
			Normalize(strings.Join(it.Aliases, "|")), Normalize(it.Domain), Normalize(it.Issuer)}
	}
	m.items = newBM25Index(docs, itemFields, itemStopTerms())
	m.communityIssued = make([]bool, len(list.Items))
	m.genericMatter = make([]bool, len(list.Items))
	matterDocs := make([][]string, len(list.Items))
	for i := range list.Items {
		it := &list.Items[i]
		m.communityIssued[i] = strings.Contains(it.Issuer, "社区") || strings.Contains(it.Issuer, "村委会")
		m.genericMatter[i] = strings.Contains(it.Matter, "各类") || strings.HasSuffix(strings.TrimSpace(it.Matter), "等")
		matterDocs[i] = []string{docs[i][1]}
		m.itemText = append(m.itemText, docs[i][0]+" "+docs[i][1]+" "+docs[i][2])
	}
	m.matters = newBM25Index(matterDocs, []fieldSpec{{1, 0.5}}, itemStopTerms())
	m.matters.buildForward()
	m.errand = newErrandModel(list.Items, m.communityIssued, m.genericMatter)
	tdocs := make([][]string, len(topics))
	for i, t := range topics {
		tdocs[i] = []string{Normalize(t.Title), Normalize(strings.Join(t.Questions, "|")),
			Normalize(strings.Join(t.Keywords, "|"))}
	}
	m.topicIdx = newBM25Index(tdocs, topicFields, nil)
	return m
}

// itemStopWords name the system itself, not a certificate: "能承诺吗" says nothing about
// which item is meant, and an item that mentions a 承诺书 must not attract policy questions.
var itemStopWords = []string{"告知承诺", "承诺书", "承诺", "告知"}

func itemStopTerms() map[term]bool {
	stop := map[term]bool{}
	for _, w := range itemStopWords {
		for _, t := range appendTerms(Normalize(w), nil) {
			stop[t] = true
		}
	}
	return stop
}

func setDefault(v *float64, def float64) {
	if *v == 0 {
		*v = def
	}
}

// List returns the list version the matcher answers from.
func (m *Matcher) List() *List { return m.list }

// ScoredItem is an item with its match score.
type ScoredItem struct {
	Item  *Item
	Score float64
	doc   int
}

// Result is the matcher's decision about one question.
type Result struct {
	Kind       Kind
	Items      []ScoredItem // best first, at most 5
	Topic      *Topic       // set for KindPolicy
	TopicScore float64
	Complaint  float64 // complaint signal strength
	Unsure     bool    // the best items were too weak or too close to call
	// Clarify: several rows fit (or none of the rows for the certificate named fits the
	// errand stated); Items are the choices and no row's conclusion applies to the resident.
	Clarify bool
	// NotInList: the question states an errand that none of the rows offered is for.
	NotInList bool
	tooClose  bool // unsure only because the best two items scored too close
}

// maxItems is how many ranked items a result carries (the ask contract shows at most 5).
const maxItems = 5

// communityCues show that a question involves a 社区 or 村委会. Items that 社区/村委会 used
// to issue (民发〔2020〕20号) only apply then; otherwise the same certificate from its proper
// issuer is meant.
var communityCues = []string{"社区", "居委", "村委", "村上", "村里", "队上", "村干部", "网格员", "小区物业"}

func sortHits(h []hit) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && better(h[j], h[j-1]); j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}

// maxQuestionBytes bounds the text matched: a long ticket's first part names what it is about,
// and the bound keeps one message from costing more than a few microseconds.
const maxQuestionBytes = 1500

// clipBytes cuts s to at most n bytes without splitting a character.
func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// maxTerms bounds the query terms considered; longer messages are cut (chat messages are short).
const maxTerms = 256

// query is one question's terms, their weights and its cues; the slices point into the
// caller's stack buffers.
type query struct {
	terms   []term
	weights []float32
	found   cueSet
	nraw    int    // terms[:nraw] are the question's own bigrams
	nb      int    // terms[:nb] add the colloquial table's canonical terms
	norm    string // the normalized question
}

// Match decides the kind of a question and ranks the items and topics it concerns.
func (m *Matcher) Match(question string) Result {
	norm := Normalize(clipBytes(question, maxQuestionBytes))
	var tbuf [maxTerms]term
	var wbuf [maxTerms]float32
	var hbuf [2 * maxItems]hit
	hits, q := m.rankItems(norm, &tbuf, &wbuf, hbuf[:0])
	var res Result
	res.Items = make([]ScoredItem, min(len(hits), maxItems))
	for i, h := range hits[:len(res.Items)] {
		res.Items[i] = ScoredItem{&m.list.Items[h.doc], h.score, h.doc}
	}
	var tb [1]hit
	if th := m.topicIdx.search(q.terms, q.weights, 1, tb[:0]); len(th) > 0 {
		res.Topic, res.TopicScore = &m.topics[th[0].doc], th[0].score
	}
	res.Complaint = complaintSignal(q.found)
	res.Kind = m.decide(&res, norm, q.found)
	if res.Kind == KindItem || res.Kind == KindUnknown && res.tooClose {
		m.applyErrand(&res, hits, &q)
	}
	if res.Kind != KindPolicy {
		res.Topic = nil
	}
	return res
}

// applyErrand lets the errand model reorder the items, or turn the answer into choices.
func (m *Matcher) applyErrand(res *Result, hits []hit, q *query) {
	d := m.decideErrand(hits, q, q.found.has(cueCommunity))
	if len(d.order) == 0 {
		return
	}
	if res.Kind == KindUnknown && !d.clarify {
		return // too close to call, and the model found no choices either: stay unsure
	}
	res.Items = res.Items[:0]
	for _, doc := range d.order {
		score := 0.0
		for _, h := range hits {
			if h.doc == doc {
				score = h.score
				break
			}
		}
		res.Items = append(res.Items, ScoredItem{&m.list.Items[doc], score, doc})
	}
	res.Clarify, res.NotInList = d.clarify, d.notInList
	if d.notInList && !d.clarify {
		res.Kind, res.Unsure = KindUnknown, true
		return
	}
	if d.clarify {
		res.Kind, res.Unsure = KindItem, true
	} else {
		res.Unsure = false
	}
}

// AppendItems appends to dst the items Match(question).Items would hold, best first, and
// nothing else: callers that only rank items (the complaint classifier) skip the topics and
// the kind.
func (m *Matcher) AppendItems(dst []ScoredItem, question string) []ScoredItem {
	norm := Normalize(clipBytes(question, maxQuestionBytes))
	var tbuf [maxTerms]term
	var wbuf [maxTerms]float32
	var hbuf [2 * maxItems]hit
	hits, _ := m.rankItems(norm, &tbuf, &wbuf, hbuf[:0])
	for _, h := range hits[:min(len(hits), maxItems)] {
		dst = append(dst, ScoredItem{&m.list.Items[h.doc], h.score, h.doc})
	}
	return dst
}

// rankItems returns the best items, at most 2×maxItems, and the question's terms and cues.
func (m *Matcher) rankItems(norm string, tbuf *[maxTerms]term, wbuf *[maxTerms]float32, hbuf []hit) ([]hit, query) {
	terms := appendTerms(norm, tbuf[:0])
	terms = dedupTerms(terms[:min(len(terms), maxTerms-16)])
	nraw := len(terms)
	m.lex.expand(norm, func(c string) {
		if len(terms) < maxTerms-16 {
			terms = appendTerms(c, terms)
		}
	})
	terms = dedupTerms(terms)
	terms = terms[:min(len(terms), maxTerms)]
	nb := len(terms)
	var ibuf [maxTerms]*termInfo
	infos := m.items.resolve(terms, ibuf[:0]) // each term looked up once
	// A bigram the list never uses may hold a typo: look it up by sound, and by its two
	// characters alone. Well-formed questions add nothing here, which keeps them fast.
	var ubuf [maxTerms]term
	unis := ubuf[:0]
	for i := 0; i < nb && len(terms) < maxTerms; i++ {
		t := terms[i]
		if infos[i] != nil || t&0xFFFFFFFF == 0 {
			continue
		}
		if s := soundOfBigram(t); s != 0 {
			terms = append(terms, s)
		}
		unis = append(unis, t>>32<<32|unigramMark, t<<32|unigramMark)
	}
	terms = append(terms[:nb], dedupTerms(terms[nb:])...)
	terms = terms[:min(len(terms), maxTerms)]
	ns := len(terms)
	for _, u := range dedupTerms(unis) {
		if len(terms) < maxTerms {
			terms = append(terms, u)
		}
	}
	weights := wbuf[:len(terms)]
	for i := range weights {
		switch {
		case i < nb:
			weights[i] = 1
		case i < ns:
			weights[i] = float32(m.cfg.SoundWeight)
		default:
			weights[i] = float32(m.cfg.UnigramWeight)
		}
	}
	q := query{terms: terms, weights: weights, nraw: min(nraw, nb), nb: nb, norm: norm}

	infos = m.items.resolve(terms[nb:], infos[:nb])
	hits := m.items.searchResolved(infos, weights, 2*maxItems, hbuf[:0])
	q.found = cues.scan(norm)
	community := q.found.has(cueCommunity)
	var docBuf [2 * maxItems]int
	var msBuf [2 * maxItems]float64
	docs := docBuf[:0]
	for _, h := range hits {
		docs = append(docs, h.doc)
	}
	matterScores := m.matters.scoreDocs(terms[:nb], weights[:nb], docs, msBuf[:0])
	for i := range hits {
		if community != m.communityIssued[hits[i].doc] {
			// 社区-issued items fit questions about a 社区 or 村委会, the others fit the rest.
			hits[i].score *= m.cfg.CommunityPenalty
		}
		// An item for one specific matter answers only when that matter is asked about;
		// otherwise the same certificate's general item (各类办事, …等) is the better answer.
		if !m.genericMatter[hits[i].doc] && matterScores[i] < m.cfg.MinMatterScore {
			hits[i].score *= m.cfg.MatterPenalty
		}
	}
	sortHits(hits)
	return hits, q
}

func (m *Matcher) decide(r *Result, norm string, found cueSet) Kind {
	s1, s2 := 0.0, 0.0
	if len(r.Items) > 0 {
		s1 = r.Items[0].Score
	}
	if len(r.Items) > 1 {
		s2 = r.Items[1].Score
	}
	if r.Complaint >= m.cfg.ComplaintThreshold {
		return KindComplaint
	}
	if found.has(cueOffTopic) && !found.has(cueCertificate) {
		r.Unsure = true
		return KindUnknown
	}
	// An errand the list does not cover (驾驶证, 公积金…) is neither an item nor a question
	// about the system, unless the message is plainly about the system itself.
	outOfScope := len(r.Items) > 0 && s1 < m.cfg.ConfidentItemScore && m.outOfScope(norm, r.Items[0].doc)
	if outOfScope && !found.has(cueStrongPolicy) {
		r.Unsure = true
		return KindUnknown
	}
	if r.Topic != nil && found.has(cuePolicy) {
		// A policy question beats the items when its topic scores higher, or when no item is
		// trusted and the topic is at least half-way convincing.
		if r.TopicScore >= m.cfg.MinTopicScore && (r.TopicScore*m.cfg.PolicyFactor > s1 || found.has(cueStrongPolicy)) ||
			r.TopicScore >= m.cfg.MinTopicScore/2 && s1 < m.cfg.MinItemScore {
			return KindPolicy
		}
	}
	if s1 < m.cfg.MinItemScore || outOfScope {
		r.Unsure = true
		return KindUnknown
	}
	if s1 < m.cfg.StrongItemScore && s2 > s1*m.cfg.MaxRunnerUpRatio {
		r.Unsure, r.tooClose = true, true
		return KindUnknown
	}
	return KindItem
}

// outOfScope reports whether the question names an errand the list does not cover
// (outofscope.txt) that the best item does not mention either.
func (m *Matcher) outOfScope(norm string, best int) bool {
	text := m.itemText[best]
	for i, r := range norm { // one pass: only characters that start a term are looked at
		if !outOfScopeIndex.first.has(r) {
			continue
		}
		for _, w := range outOfScopeIndex.byFirst[r] {
			if strings.HasPrefix(norm[i:], w) && !strings.Contains(text, w) {
				return true
			}
		}
	}
	return false
}

// outOfScopeIndex groups outOfScopeTerms by first character.
var outOfScopeIndex = func() (idx struct {
	first   runeSet
	byFirst map[rune][]string
}) {
	idx.byFirst = map[rune][]string{}
	for _, w := range outOfScopeTerms {
		r, _ := utf8.DecodeRuneInString(w)
		idx.byFirst[r] = append(idx.byFirst[r], w)
		idx.first.add(r)
	}
	return idx
}()

// dedupTerms removes repeated terms in place, keeping the first of each. Short queries use a
// quadratic scan; long ones (complaints) a small hash set.
func dedupTerms(ts []term) []term {
	if len(ts) > 32 {
		return dedupTermsHashed(ts)
	}
	out := ts[:0]
next:
	for _, t := range ts {
		for _, o := range out {
			if o == t {
				continue next
			}
		}
		out = append(out, t)
	}
	return out
}

func dedupTermsHashed(ts []term) []term {
	var buf [1024]term
	size := 64
	for size < 2*len(ts) {
		size *= 2
	}
	var tab []term
	if size <= len(buf) {
		tab = buf[:size]
	} else {
		tab = make([]term, size)
	}
	mask := uint64(size - 1)
	zero := false // 0 marks an empty slot, so a zero term is tracked apart
	out := ts[:0]
	for _, t := range ts {
		if t == 0 {
			if !zero {
				zero = true
				out = append(out, t)
			}
			continue
		}
		i := u64map.Hash(t) & mask
		for tab[i] != 0 && tab[i] != t {
			i = (i + 1) & mask
		}
		if tab[i] == t {
			continue
		}
		tab[i] = t
		out = append(out, t)
	}
	return out
}
