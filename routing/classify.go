package routing

import (
	"fmt"
	"math"
	"sort"
	"strings"
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
	}
	return c
}

// ballot collects weighted votes for departments, each with the reason a clerk reads.
type ballot struct {
	score   map[string]float64
	reasons map[string][]string
}

func (b *ballot) add(code string, w float64, reason string) {
	if code == "" || w <= 0 {
		return
	}
	b.score[code] += w
	if reason != "" {
		b.reasons[code] = append(b.reasons[code], reason)
	}
}

type codeScore struct {
	code  string
	score float64
}

func (b *ballot) ranked() []codeScore {
	out := make([]codeScore, 0, len(b.score))
	for c, s := range b.score {
		out = append(out, codeScore{c, s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].code < out[j].code
	})
	return out
}

// Classify decides one message. address (may be empty) helps find the street.
func (c *Classifier) Classify(text, address string) Decision {
	r := []rune(normText(text))
	ms := c.scanMentions(r)
	st := c.findStreet(ms, address)
	for k := range ms {
		if ms[k].kind == ruleStreetOffice && ms[k].code == "" {
			ms[k].code = st.code
		}
	}
	found := c.scanCues(r)
	var items []ItemMatch
	if c.items != nil {
		for _, it := range c.items.MatchItems(text) {
			if it.Score >= c.opts.MinItemScore {
				items = append(items, it)
			}
		}
	}
	d := Decision{Items: []string{}, Reasons: []string{}}
	var gbuf [512]bigram
	feats := bigrams(r, gbuf[:0]) // shared by both naive Bayes models
	var typeReason string
	d.Type, typeReason = c.decideType(r, feats, found)
	for i, it := range items {
		if i < 3 && it.Score >= 0.85*items[0].Score {
			d.Items = append(d.Items, it.ID)
		}
	}
	b := &ballot{score: map[string]float64{}, reasons: map[string][]string{}}
	demander := c.voteMentions(b, ms, found)
	c.voteItems(b, items, d.Type, demander)
	c.voteCues(b, found, d.Type, demander)
	c.voteCommunity(b, ms, items, st, d.Type)
	nbReason := c.voteBayes(b, feats)
	rank := b.ranked()
	if classifyTrace != nil {
		classifyTrace(text, b.score, b.reasons)
	}
	s1, s2 := 0.0, 0.0
	if len(rank) > 0 {
		s1 = rank[0].score
	}
	if len(rank) > 1 {
		s2 = rank[1].score
	}
	// Normalised margin: a clear winner with much evidence is near 1; a close call, or a
	// decision resting on the statistical fallback alone, stays low.
	d.Confidence = round2((s1 - s2) / (s1 + 1))
	if st.code != "" {
		if st.from == "address" {
			d.Reasons = append(d.Reasons, fmt.Sprintf("地址“%s”属%s", c.streetWord(st), c.rules.streets[st.code]))
		} else {
			d.Reasons = append(d.Reasons, fmt.Sprintf("地点“%s”属%s", c.streetWord(st), c.rules.streets[st.code]))
		}
		d.Street = st.code
	}
	if len(rank) == 0 || d.Confidence < c.opts.MinConfidence {
		d.Department, d.Triage = CodeTriage, true
		if len(rank) > 0 {
			d.Reasons = append(d.Reasons, b.reasons[rank[0].code]...)
			if len(rank) > 1 {
				d.Reasons = append(d.Reasons, fmt.Sprintf("%s与%s难以区分", shortName(c.dir, rank[0].code), shortName(c.dir, rank[1].code)))
			}
		}
		d.Reasons = append(d.Reasons, "把握不足，转分拨台")
	} else {
		d.Department = rank[0].code
		d.Reasons = append(d.Reasons, b.reasons[rank[0].code]...)
		if nbReason != "" && !containsString(d.Reasons, nbReason) {
			d.Reasons = append(d.Reasons, nbReason)
		}
	}
	d.Reasons = append(d.Reasons, typeReason)
	return d
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
func (c *Classifier) voteMentions(b *ballot, ms []mention, h *cueHits) (demander bool) {
	strong := false
	depts := map[string]bool{}
	for _, m := range ms {
		if m.kind == ruleOffice || m.kind == ruleStreetOffice {
			strong = strong || roleWeight[m.role] >= 3
			demander = demander || m.role == roleDemander || m.role == roleMisconduct
			if m.role != roleResidence {
				depts[m.code] = true
			}
		}
	}
	factor := 1.0
	if h.dept[CodeSupervision] >= 3 && len(depts) >= 2 {
		factor = 0.4
		b.add(CodeSupervision, min(6, 2*float64(len(depts)-1)),
			fmt.Sprintf("涉及%d个部门，属多部门推诿（规则5）", len(depts)))
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if m.code == "" || (m.kind != ruleOffice && m.kind != ruleStreetOffice) {
			continue
		}
		w := roleWeight[m.role] * factor
		if m.role == rolePlain && strong {
			w /= 2
		}
		reason := fmt.Sprintf("文中提到“%s”%s，属%s", m.text, roleLabel[m.role], shortName(c.dir, m.code))
		if seen[reason] {
			reason = ""
		}
		seen[reason] = true
		b.add(m.code, w, reason)
	}
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
	b.add(it.Department, w, fmt.Sprintf("事项 %s 属%s", it.ID, shortName(c.dir, it.Department)))
}

func communityIssued(it ItemMatch) bool {
	return strings.Contains(it.Issuer, "社区") || strings.Contains(it.Issuer, "村委会")
}

// voteBayes adds the naive Bayes fallback trained on labelled complaints.
func (c *Classifier) voteBayes(b *ballot, feats []bigram) string {
	if c.deptNB == nil {
		return ""
	}
	post := c.deptNB.posteriorOf(feats)
	reason := ""
	for i, p := range post {
		if p.Prob < 0.1 {
			break
		}
		rs := ""
		if i == 0 {
			rs = fmt.Sprintf("分类模型倾向 %s（置信度 %.2f）", shortName(c.dir, p.Class), p.Prob)
			reason = rs
		}
		b.add(p.Class, 2*p.Prob, rs)
	}
	return reason
}
