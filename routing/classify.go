package routing

import (
	"math"
	"strconv"
	"strings"
	"sync"
)

// ItemMatch is one list item the text concerns, as the item matcher ranks it.
type ItemMatch struct {
	ID          string
	Department  string // code of the department that handles the item's matter
	Mode        string // commitment, abolished or retained
	Issuer      string // 开具单位 as the list writes it
	Certificate string
	Score       float64
}

// ItemMatcher finds the list items a text concerns, best first. routing declares it so that
// it does not depend on the knowledge package (which depends on routing).
type ItemMatcher interface {
	MatchItems(text string) []ItemMatch
}

// ClassifierOptions tune the classifier. Zero values take the defaults.
type ClassifierOptions struct {
	MinConfidence float64 // below it the case goes to the triage desk (default 0.3)
	MinItemScore  float64 // matched items scoring below it are not attached (default 20)
	Rules         *Rules  // word lists; nil means BuiltinRules
	NBTemperature float64 // flattens the naive Bayes posteriors (default 4)
}

func (o *ClassifierOptions) defaults() {
	if o.MinConfidence == 0 {
		o.MinConfidence = 0.3
	}
	if o.MinItemScore == 0 {
		o.MinItemScore = 20
	}
	if o.NBTemperature == 0 {
		o.NBTemperature = 4
	}
}

// Classifier decides the type, items, department and street of a complaint or consultation
// from its text. It is built once and safe for concurrent use.
type Classifier struct {
	dir    *Directory
	items  ItemMatcher
	rules  *Rules
	deptNB *NaiveBayes
	typeNB *NaiveBayes
	opts   ClassifierOptions

	// Department codes are numbered so that votes are counted in arrays: the rules' codes
	// first (phrase.cid), then the directory's and the models' other codes.
	codes       []string
	codeID      map[string]int32
	short       []string // shortName of each code
	supervision int32    // id of CodeSupervision, -1 when no rule names it
	sharedVocab bool     // both models number bigrams alike: one lookup serves both
	scratch     sync.Pool
}

// NewClassifier builds a classifier over the directory, the item matcher (nil: no items) and
// the labelled complaints that train its naive Bayes fallbacks (none: rules only).
func NewClassifier(dir *Directory, items ItemMatcher, training []LabelledComplaint, opts ClassifierOptions) *Classifier {
	opts.defaults()
	c := &Classifier{dir: dir, items: items, rules: opts.Rules, opts: opts}
	if c.rules == nil {
		c.rules = BuiltinRules(dir)
	}
	if len(training) > 0 {
		texts := make([]string, len(training))
		depts := make([]string, len(training))
		types := make([]string, len(training))
		for i, t := range training {
			texts[i], depts[i], types[i] = t.Text, t.Department, string(t.Type)
		}
		c.deptNB = TrainNaiveBayes(texts, depts, opts.NBTemperature)
		c.typeNB = TrainNaiveBayes(texts, types, opts.NBTemperature)
		c.sharedVocab = sameVocab(c.deptNB, c.typeNB)
	}
	c.codeID = map[string]int32{}
	addCode := func(code string) {
		if _, ok := c.codeID[code]; !ok && code != "" {
			c.codeID[code] = int32(len(c.codes))
			c.codes = append(c.codes, code)
			c.short = append(c.short, shortName(dir, code))
		}
	}
	for _, code := range c.rules.codes {
		addCode(code)
	}
	for _, d := range dir.All() {
		addCode(d.Code)
	}
	addCode("mzj")
	if c.deptNB != nil {
		for _, code := range c.deptNB.Classes() {
			addCode(code)
		}
	}
	c.supervision = -1
	if id, ok := c.codeID[CodeSupervision]; ok {
		c.supervision = id
	}
	c.scratch.New = func() any { return new(scratch) }
	return c
}

// scratch is the working memory of one classification, pooled so that Classify allocates
// little more than its decision.
type scratch struct {
	r       []rune
	off     []int32
	ms      []mention
	items   []ItemMatch
	dfeats  []int32
	seen    []uint64 // bitmap over the models' vocabulary, all zero between uses
	tfeats  []int32
	dpost   []ClassProb
	tpost   []ClassProb
	hits    cueHits
	ballot  ballot
	depts   []string
	reasons []int32 // spans of the mention reasons written, for voteMentions' deduplication
	out     []int32 // spans of the decision's reasons
}

// id returns the number of a department code, giving codes unknown at build time (an item's
// department) a number for this classification only; -1 for the empty code.
func (c *Classifier) id(b *ballot, code string) int32 {
	if code == "" {
		return -1
	}
	if id, ok := c.codeID[code]; ok {
		return id
	}
	for i, x := range b.extra {
		if x == code {
			return int32(len(c.codes) + i)
		}
	}
	b.extra = append(b.extra, code)
	b.score = append(b.score, 0)
	b.touched = append(b.touched, false)
	return int32(len(c.codes) + len(b.extra) - 1)
}

func (c *Classifier) code(b *ballot, id int32) string {
	if int(id) < len(c.codes) {
		return c.codes[id]
	}
	return b.extra[int(id)-len(c.codes)]
}

// shortName is shortName(c.dir, code), precomputed for the codes known at build time.
func (c *Classifier) shortName(code string) string {
	if id, ok := c.codeID[code]; ok {
		return c.short[id]
	}
	return shortName(c.dir, code)
}

// ballot collects weighted votes for departments, each with the reason a clerk reads. The
// reasons are written one after another into buf; recs says whose each one is.
type ballot struct {
	score   []float64 // by code id
	touched []bool    // the code received a vote
	extra   []string  // codes numbered during this classification
	buf     []byte
	recs    []reasonRec
}

// reasonRec is one reason of a department: buf[start:end].
type reasonRec struct {
	id         int32
	start, end int32
}

func (b *ballot) reset(n int) {
	b.score = resize(b.score, n)
	if cap(b.touched) < n {
		b.touched = make([]bool, n)
	}
	b.touched = b.touched[:n]
	clear(b.touched)
	b.extra, b.buf, b.recs = b.extra[:0], b.buf[:0], b.recs[:0]
}

// add counts a vote; the reason is what was written to buf since mark (none when empty).
func (b *ballot) add(id int32, w float64, mark int) {
	if id < 0 || w <= 0 {
		return
	}
	b.score[id] += w
	b.touched[id] = true
	if len(b.buf) > mark {
		b.recs = append(b.recs, reasonRec{id, int32(mark), int32(len(b.buf))})
	}
}

// top returns the best and the second best code (-1 when none) and how many codes got votes:
// the first two of the ranking by score, then code.
func (c *Classifier) top(b *ballot) (first, second int32, n int) {
	first, second = -1, -1
	better := func(i, j int32) bool {
		if b.score[i] != b.score[j] {
			return b.score[i] > b.score[j]
		}
		return c.code(b, i) < c.code(b, j)
	}
	for i, ok := range b.touched {
		if !ok {
			continue
		}
		n++
		id := int32(i)
		switch {
		case first < 0 || better(id, first):
			first, second = id, first
		case second < 0 || better(id, second):
			second = id
		}
	}
	return first, second, n
}

// Classify decides one message. address (may be empty) helps find the street.
func (c *Classifier) Classify(text, address string) Decision {
	s := c.scratch.Get().(*scratch)
	defer c.scratch.Put(s)
	t := makeText(normText(text), s.r, s.off)
	s.r, s.off = t.r, t.off
	ms := c.scanMentions(&t, s.ms)
	s.ms = ms
	st := c.findStreet(ms, address)
	for k := range ms {
		if ms[k].kind == ruleStreetOffice && ms[k].code == "" {
			ms[k].code = st.code
		}
	}
	found := c.scanCues(&t, &s.hits)
	items := s.items[:0]
	if c.items != nil {
		for _, it := range c.items.MatchItems(text) {
			if it.Score >= c.opts.MinItemScore {
				items = append(items, it)
			}
		}
	}
	s.items = items
	var dpost, tpost []ClassProb
	if c.deptNB != nil {
		if n := max(c.deptNB.seenWords(), c.typeNB.seenWords()); len(s.seen) < n {
			s.seen = make([]uint64, n)
		}
		s.dfeats = c.deptNB.featureIDs(t.r, s.seen, s.dfeats[:0])
		s.tfeats = s.dfeats
		if !c.sharedVocab {
			s.tfeats = c.typeNB.featureIDs(t.r, s.seen, s.tfeats[:0])
		}
		s.dpost = c.deptNB.posteriorInto(s.dfeats, growProbs(s.dpost, len(c.deptNB.classes)))
		s.tpost = c.typeNB.posteriorInto(s.tfeats, growProbs(s.tpost, len(c.typeNB.classes)))
		dpost, tpost = s.dpost, s.tpost
	}
	var d Decision
	var tr typeReason
	d.Type, tr = c.decideType(&t, tpost, found)
	nItems := 0
	for i, it := range items {
		if i < 3 && it.Score >= 0.85*items[0].Score {
			nItems++
		}
	}
	d.Items = []string{}
	if nItems > 0 {
		d.Items = make([]string, 0, nItems)
		for i, it := range items {
			if i < 3 && it.Score >= 0.85*items[0].Score {
				d.Items = append(d.Items, it.ID)
			}
		}
	}
	b := &s.ballot
	b.reset(len(c.codes))
	demander := c.voteMentions(b, ms, found, s)
	c.voteItems(b, items, d.Type, demander)
	c.voteCues(b, found, d.Type, demander)
	c.voteCommunity(b, ms, items, st, d.Type)
	nbStart, nbEnd := c.voteBayes(b, dpost)
	first, second, n := c.top(b)
	if classifyTrace != nil {
		scores, reasons := map[string]float64{}, map[string][]string{}
		for i, ok := range b.touched {
			if ok {
				scores[c.code(b, int32(i))] = b.score[i]
			}
		}
		for _, rc := range b.recs {
			code := c.code(b, rc.id)
			reasons[code] = append(reasons[code], string(b.buf[rc.start:rc.end]))
		}
		classifyTrace(text, scores, reasons)
	}
	s1, s2 := 0.0, 0.0
	if n > 0 {
		s1 = b.score[first]
	}
	if n > 1 {
		s2 = b.score[second]
	}
	// Normalised margin: a clear winner with much evidence is near 1; a close call, or a
	// decision resting on the statistical fallback alone, stays low.
	d.Confidence = round2((s1 - s2) / (s1 + 1))
	out := s.out[:0]
	write := func(from int) { out = append(out, int32(from), int32(len(b.buf))) }
	if st.code != "" {
		mark := len(b.buf)
		if st.from == "address" {
			b.buf = append(b.buf, "地址“"...)
		} else {
			b.buf = append(b.buf, "地点“"...)
		}
		b.buf = append(b.buf, c.streetWord(st)...)
		b.buf = append(b.buf, "”属"...)
		b.buf = append(b.buf, c.rules.streets[st.code]...)
		write(mark)
		d.Street = st.code
	}
	ownReasons := func(id int32) {
		for _, rc := range b.recs {
			if rc.id == id {
				out = append(out, rc.start, rc.end)
			}
		}
	}
	if n == 0 || d.Confidence < c.opts.MinConfidence {
		d.Department, d.Triage = CodeTriage, true
		if n > 0 {
			ownReasons(first)
			if n > 1 {
				mark := len(b.buf)
				b.buf = append(b.buf, c.shortName(c.code(b, first))...)
				b.buf = append(b.buf, "与"...)
				b.buf = append(b.buf, c.shortName(c.code(b, second))...)
				b.buf = append(b.buf, "难以区分"...)
				write(mark)
			}
		}
		mark := len(b.buf)
		b.buf = append(b.buf, "把握不足，转分拨台"...)
		write(mark)
	} else {
		d.Department = c.code(b, first)
		ownReasons(first)
		if nbEnd > nbStart {
			nb := b.buf[nbStart:nbEnd]
			dup := false
			for k := 0; k < len(out); k += 2 {
				if string(b.buf[out[k]:out[k+1]]) == string(nb) {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, int32(nbStart), int32(nbEnd))
			}
		}
	}
	mark := len(b.buf)
	b.buf = tr.appendTo(b.buf)
	write(mark)
	s.out = out
	// One string holds every reason; the decision's reasons are slices of it.
	size := 0
	for k := 0; k < len(out); k += 2 {
		size += int(out[k+1] - out[k])
	}
	var sb strings.Builder
	sb.Grow(size)
	for k := 0; k < len(out); k += 2 {
		sb.Write(b.buf[out[k]:out[k+1]])
	}
	all := sb.String()
	d.Reasons = make([]string, len(out)/2)
	at := 0
	for k := 0; k < len(out); k += 2 {
		l := int(out[k+1] - out[k])
		d.Reasons[k/2] = all[at : at+l]
		at += l
	}
	return d
}

func growProbs(p []ClassProb, n int) []ClassProb {
	if cap(p) < n {
		return make([]ClassProb, n)
	}
	return p[:n]
}

func round2(f float64) float64 { return math.Round(max(0, min(1, f))*100) / 100 }

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// classifyTrace, when set (tests), sees every ballot before the decision.
var classifyTrace func(text string, scores map[string]float64, reasons map[string][]string)

// voteMentions counts the offices the text names (rule 1), weighted by what they did. Offices
// only named count half when another one acted; when the text reports buck-passing between
// several offices (rule 5), the offices themselves count little: supervision is asked for.
func (c *Classifier) voteMentions(b *ballot, ms []mention, h *cueHits, s *scratch) (demander bool) {
	strong := false
	depts := s.depts[:0]
	for _, m := range ms {
		if m.kind == ruleOffice || m.kind == ruleStreetOffice {
			strong = strong || roleWeight[m.role] >= 3
			demander = demander || m.role == roleDemander || m.role == roleMisconduct
			if m.role != roleResidence && !containsString(depts, m.code) {
				depts = append(depts, m.code)
			}
		}
	}
	s.depts = depts
	factor := 1.0
	if c.supervision >= 0 && h.dept[c.supervision] >= 3 && len(depts) >= 2 {
		factor = 0.4
		mark := len(b.buf)
		b.buf = append(b.buf, "涉及"...)
		b.buf = strconv.AppendInt(b.buf, int64(len(depts)), 10)
		b.buf = append(b.buf, "个部门，属多部门推诿（规则5）"...)
		b.add(c.supervision, min(6, 2*float64(len(depts)-1)), mark)
	}
	seen := s.reasons[:0] // spans of the reasons written so far: each counts once
	for _, m := range ms {
		if m.code == "" || (m.kind != ruleOffice && m.kind != ruleStreetOffice) {
			continue
		}
		w := roleWeight[m.role] * factor
		if m.role == rolePlain && strong {
			w /= 2
		}
		mark := len(b.buf)
		b.buf = append(b.buf, "文中提到“"...)
		b.buf = append(b.buf, m.text...)
		b.buf = append(b.buf, "”"...)
		b.buf = append(b.buf, roleLabel[m.role]...)
		b.buf = append(b.buf, "，属"...)
		b.buf = append(b.buf, c.shortName(m.code)...)
		reason := b.buf[mark:]
		for k := 0; k < len(seen); k += 2 {
			if string(b.buf[seen[k]:seen[k+1]]) == string(reason) {
				b.buf = b.buf[:mark] // said already: the vote counts, the reason not again
				break
			}
		}
		if len(b.buf) > mark {
			seen = append(seen, int32(mark), int32(len(b.buf)))
		}
		b.add(c.id(b, m.code), w, mark)
	}
	s.reasons = seen
	return demander
}

// voteItems counts the department owning the best matched item. An abolished certificate
// (one a 社区 or the police used to issue) says little about who demanded it, so it counts
// half; for a consultation about a current item it counts double.
func (c *Classifier) voteItems(b *ballot, items []ItemMatch, t CaseType, demander bool) {
	if len(items) == 0 {
		return
	}
	it := items[0]
	w := 1.5 * min(1, it.Score/40)
	switch {
	case communityIssued(it) || it.Mode == "abolished":
		w /= 2 // the list names who used to issue it, not who demands it now
	case t == TypeConsultation:
		w *= 2 // rule 5: a consultation goes to the department handling the matter
	}
	if demander {
		w /= 2 // rule 1: the office that demanded the certificate answers for it
	}
	mark := len(b.buf)
	b.buf = append(b.buf, "事项 "...)
	b.buf = append(b.buf, it.ID...)
	b.buf = append(b.buf, " 属"...)
	b.buf = append(b.buf, c.shortName(it.Department)...)
	b.add(c.id(b, it.Department), w, mark)
}

func communityIssued(it ItemMatch) bool {
	return strings.Contains(it.Issuer, "社区") || strings.Contains(it.Issuer, "村委会")
}

// voteBayes adds the naive Bayes fallback trained on labelled complaints (post, most likely
// first). It returns the span of buf holding its reason, empty when none.
func (c *Classifier) voteBayes(b *ballot, post []ClassProb) (start, end int) {
	for i, p := range post {
		if p.Prob < 0.1 {
			break
		}
		mark := len(b.buf)
		if i == 0 {
			b.buf = append(b.buf, "分类模型倾向 "...)
			b.buf = append(b.buf, c.shortName(p.Class)...)
			b.buf = append(b.buf, "（置信度 "...)
			b.buf = strconv.AppendFloat(b.buf, p.Prob, 'f', 2, 64)
			b.buf = append(b.buf, "）"...)
			start, end = mark, len(b.buf)
		}
		b.add(c.id(b, p.Class), 2*p.Prob, mark)
	}
	return start, end
}
