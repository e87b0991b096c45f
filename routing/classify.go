package routing

import (
	"math"
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
