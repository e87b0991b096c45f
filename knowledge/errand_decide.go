package knowledge

import (
	"cmp"
	"slices"
)

// Thresholds of the errand decision.
const (
	errandCandidateRatio = 0.4 // rows scoring below this share of the best are not candidates
	minCoreRun           = 3   // characters of a certificate's name a question must contain to name it
	matterFitMin         = 0.5 // share of a matter alternative a question must state to fit it
	matterGroupFit       = 0.6 // a general errand: rows whose matter the question states this well
	maxChoices           = 5   // choices offered when the answer asks which errand
	minGroupRun          = 4   // characters of a certificate's name that make its rows a group
)

// errandCand is one candidate row with its evidence.
type errandCand struct {
	hit
	run   int     // characters of its certificate's name the question contains
	fit   float64 // share of its matter the question states
	alias bool    // the question contains one of its aliases
	ex    float64 // share of the question's matter words its own text holds
}

func (c *errandCand) fits() bool {
	return c.fit >= matterFitMin || c.alias || c.ex >= 0.8 && c.fit >= 0.25
}

// errandDecision is what the errand model concluded.
type errandDecision struct {
	order     []int // docs: the rows to show, first = the answer (or the first choice); none = keep the ranking's answer
	clarify   bool  // the rows are choices: no conclusion applies
	notInList bool  // the question states an errand none of the rows is for
}

// fillerChars make up the words of asking, not of an errand: a bigram of two of them says
// nothing about which matter is meant.
var fillerChars = func() (s runeSet) {
	for _, r := range "我你您他她它们的了吗呢啊吧呀哦嘛么要不还是在去开个这那些什么怎么咋哪里儿可以能需想问一下请给让说有没用得到把被就都也又才再和与或跟从对为来过着啥谁多少几时候现今天已经办理弄交提供准备拿出具需证明材料东西手续件份张份情况单位窗口人家里上下让叫非得必须一定应该是否么样要求" {
		s.add(r)
	}
	return s
}()

// questionMatterWords are the question's words that some row's matter uses (rare enough
// to be indexed), with their weights: the words that state an errand.
func (m *Matcher) questionMatterWords(terms []term, out []wterm) []wterm {
	for _, t := range terms {
		if isUnigram(t) || t&0xFFFFFFFF == 0 || isFillerBigram(t) {
			continue
		}
		if ti := m.matters.lookup(t); ti != nil {
			out = append(out, wterm{t, ti.idf})
		}
	}
	return out
}

// minForeignIDF: a word several matters use (申请, 登记) does not tell one errand from another.
const minForeignIDF = 2.5

// foreignErrand reports whether the question states an errand word that none of the
// rows' own text holds: it asks about another errand than theirs.
func (m *Matcher) foreignErrand(qm []wterm, rows []errandCand) bool {
next:
	for _, wt := range qm {
		if wt.w < minForeignIDF {
			continue
		}
		for _, c := range rows {
			if m.errand.rows[c.doc].holds(wt.t) {
				continue next
			}
		}
		return true
	}
	return false
}

// decideErrand looks at the candidate rows of a question whose kind is item (or unsure
// between close items) and decides which row answers, or which rows to offer as choices.
func (m *Matcher) decideErrand(hits []hit, q *query, community bool) errandDecision {
	if len(hits) == 0 {
		return errandDecision{}
	}
	var qs termSet
	for _, t := range q.terms[:q.nb] {
		qs.add(t)
	}
	var qmbuf [64]wterm
	qm := m.questionMatterWords(q.terms[:q.nraw], qmbuf[:0])
	qraw := qm[:len(qm):len(qm)] // the question's own words: the colloquial table's additions state no other errand
	qm = m.questionMatterWords(q.terms[q.nraw:q.nb], qm)
	var cbuf [2 * maxItems]errandCand
	cands := cbuf[:0]
	top := hits[0].score
	bestRun := 0
	for _, h := range hits {
		r := &m.errand.rows[h.doc]
		c := errandCand{hit: h, run: r.coreRun(&qs), fit: r.matterFit(&qs), alias: r.aliasHit(q.norm), ex: r.explains(qm)}
		bestRun = max(bestRun, c.run)
		cands = append(cands, c)
	}
	// Every ranked row that holds the certificate named is a candidate, however the
	// ranking's penalties placed it; for the matter only the rows near the top are.
	var nbuf [2 * maxItems]errandCand
	named := nbuf[:0]
	if bestRun >= minCoreRun {
		slack := 0 // a long name may be said one character short ("无犯罪证明"); a short one not
		if bestRun >= 5 {
			slack = 1
		}
		for _, c := range cands {
			if c.run >= bestRun-slack && c.run >= minCoreRun {
				named = append(named, c)
			}
		}
	}
	// Rows whose matter the question states well stay candidates further down: the ranking
	// lowers 社区-issued and specific rows, not the errand they fit.
	near := cands[:0:0]
	for _, c := range cands {
		if c.score >= errandCandidateRatio*top || c.fit >= matterGroupFit && c.score >= 0.2*top {
			near = append(near, c)
		}
	}
	cands = near
	// A top row found by its matter outweighs a short name match further down.
	if c := cands[0]; c.fits() && c.run < minCoreRun && bestRun <= minCoreRun {
		named = named[:0]
	}
	if len(named) >= 2 && bestRun >= minGroupRun && (named[0].doc == hits[0].doc || cands[0].run < minCoreRun) {
		return m.decideCertGroup(named, qraw, community)
	}
	if len(named) >= 2 {
		return m.decideMatterGroup(cands, hits, qraw, community)
	}
	if len(named) == 1 {
		return m.decideNamedRow(named[0], cands, hits, qraw, community)
	}
	return m.decideMatterGroup(cands, hits, qraw, community)
}

// decideNamedRow: the question names the certificate of one row only. A row a 社区 issued,
// asked about without a 社区, is offered beside the rows whose matter the question states.
func (m *Matcher) decideNamedRow(r errandCand, cands []errandCand, hits []hit, qm []wterm, community bool) errandDecision {
	row := &m.errand.rows[r.doc]
	if r.doc == hits[0].doc && r.run >= minGroupRun && !r.fits() && !row.generic && m.foreignErrand(qm, append(cands[:len(cands):len(cands)], r)) {
		// The certificate is the row's, the errand another: not an answer for this errand.
		return errandDecision{order: front(hits, r.doc), notInList: true}
	}
	if community || !row.community {
		return errandDecision{} // the ranking's order stands
	}
	choices := []errandCand{r}
	for _, c := range cands {
		if c.doc != r.doc && c.fits() && !m.errand.rows[c.doc].community {
			choices = append(choices, c)
		}
	}
	if len(choices) == 1 {
		return errandDecision{}
	}
	return errandDecision{order: candDocs(choices), clarify: true}
}

// decideCertGroup: the question names a certificate that several rows hold.
func (m *Matcher) decideCertGroup(group []errandCand, qm []wterm, community bool) errandDecision {
	if community { // a question about a 社区: the row a 社区 used to issue, when there is one
		var only []errandCand
		for _, c := range group {
			if m.errand.rows[c.doc].community {
				only = append(only, c)
			}
		}
		if len(only) == 1 {
			return errandDecision{order: frontCands(group, only[0].doc)}
		}
	}
	var fbuf [2 * maxItems]errandCand
	fitting := fbuf[:0]
	for _, c := range group {
		if c.fits() {
			fitting = append(fitting, c)
		}
	}
	fitting = preferIssuer(fitting, m.errand, community)
	if !community && len(fitting) > 0 && m.errand.rows[fitting[0].doc].community {
		fitting = fitting[:0] // only rows a 社区 used to issue fit, and no 社区 is involved
	}
	switch {
	case len(fitting) == 1:
		if fitting[0].score < 0.5*group[0].score {
			return errandDecision{} // a weak row's matter does not overturn a clear ranking
		}
		return errandDecision{order: frontCands(group, fitting[0].doc)}
	case len(fitting) > 1:
		if lead := clearLead(fitting); lead >= 0 {
			return errandDecision{order: frontCands(group, lead)}
		}
		return errandDecision{order: candDocs(fitting), clarify: true}
	}
	// No row's matter fits. A 社区-issued row answers a question about a 社区; a row for
	// every kind of errand answers any stated errand; otherwise the resident chooses.
	stated := m.foreignErrand(qm, group)
	var only []errandCand
	for _, c := range group {
		r := &m.errand.rows[c.doc]
		if community && r.community || !community && stated && r.generic && !r.community {
			only = append(only, c)
		}
	}
	if len(only) == 1 {
		return errandDecision{order: frontCands(group, only[0].doc)}
	}
	return errandDecision{order: candDocs(group), clarify: true, notInList: stated}
}

// decideMatterGroup: the question names no certificate of the candidates; it may state a
// general errand that several rows touch, or one row's matter.
func (m *Matcher) decideMatterGroup(cands []errandCand, hits []hit, qraw []wterm, community bool) errandDecision {
	var fbuf [2 * maxItems]errandCand
	fitting := fbuf[:0]
	for _, c := range cands {
		if c.fit >= matterGroupFit || c.alias {
			fitting = append(fitting, c)
		}
	}
	fitting = preferIssuer(fitting, m.errand, community)
	touched := slices.Clone(fitting)
	if !community && len(fitting) > 0 && m.errand.rows[fitting[0].doc].community {
		fitting = fitting[:0]
	}
	// The best row fits neither by name nor by matter while others fit the errand stated:
	// the errand is a general one that the rows touch, none of them answers it alone.
	if c := cands[0]; len(fitting) == 0 && len(touched) > 0 && c.doc == hits[0].doc && c.run < minCoreRun &&
		!c.fits() && !m.errand.rows[c.doc].generic {
		return errandDecision{order: candDocs(append(touched, c)), clarify: true}
	}
	switch {
	case len(fitting) == 1:
		return errandDecision{} // the ranking's order stands
	case len(fitting) > 1:
		if lead := clearLead(fitting); lead >= 0 {
			return errandDecision{}
		}
		return errandDecision{order: candDocs(fitting), clarify: true}
	}
	// The best row is found neither by its certificate nor by its matter, and the question
	// states an errand its text does not hold: its conclusion is not an answer to it.
	if c := cands[0]; c.doc == hits[0].doc && c.run < minCoreRun && !c.fits() && !m.errand.rows[c.doc].generic && m.foreignErrand(qraw, cands[:1]) {
		return errandDecision{order: front(hits, c.doc), notInList: true}
	}
	return errandDecision{}
}

// preferIssuer keeps the 社区-issued rows when the question involves a 社区, the others when
// it does not, unless that would leave none.
func preferIssuer(cs []errandCand, em *errandModel, community bool) []errandCand {
	n := 0
	for _, c := range cs {
		if em.rows[c.doc].community == community {
			n++
		}
	}
	if n == 0 || n == len(cs) {
		return cs
	}
	out := cs[:0]
	for _, c := range cs {
		if em.rows[c.doc].community == community {
			out = append(out, c)
		}
	}
	return out
}

// clearLead returns the doc of the fitting row that leads clearly, or -1 when the rows fit
// about equally. A row leads when its matter fits far better; or, both fitting, when its own
// text explains more of what the question says; or, explaining as much, when the question
// states more of its matter (a row for special cases loses to the general one when the
// special case is not stated).
func clearLead(cs []errandCand) int {
	for i := range cs {
		wins := true
		for j := range cs {
			if i != j && !beats(cs[i], cs[j]) {
				wins = false
				break
			}
		}
		if wins {
			return cs[i].doc
		}
	}
	return -1
}

func beats(a, b errandCand) bool {
	switch {
	case strength(b) < 0.6*strength(a):
		return true
	case a.ex >= 0.9 && a.ex-b.ex >= 0.15:
		return true
	case a.ex >= b.ex-0.05 && a.fit-b.fit >= 0.4:
		return true
	}
	return false
}

// strength is how well a row's matter fits: an alias counts a little less than the list's
// own matter stated in full.
func strength(c errandCand) float64 {
	s := max(c.fit, c.ex)
	if c.alias {
		s = max(s, 0.8)
	}
	return s
}

// candDocs returns the docs of the choices, best ranked first.
func candDocs(cs []errandCand) []int {
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b errandCand) int { return cmp.Compare(b.score, a.score) })
	out := make([]int, 0, min(len(cs), maxChoices))
	for i := 0; i < len(cs) && len(out) < maxChoices; i++ {
		out = append(out, cs[i].doc)
	}
	return out
}

// front returns the hits' docs with doc moved to the front.
func front(hits []hit, doc int) []int {
	out := make([]int, 0, min(len(hits), maxItems))
	out = append(out, doc)
	for _, h := range hits {
		if h.doc != doc && len(out) < maxItems {
			out = append(out, h.doc)
		}
	}
	return out
}

func frontCands(cs []errandCand, doc int) []int {
	out := make([]int, 0, len(cs))
	out = append(out, doc)
	for _, c := range cs {
		if c.doc != doc && len(out) < maxItems {
			out = append(out, c.doc)
		}
	}
	return out
}
