package routing

import (
	"strconv"
	"strings"
)

// cueHits are the topic, department and type cues found in a message, each pattern once.
// Department and topic weights are indexed by code id (see Classifier.codes).
type cueHits struct {
	types     [len(caseTypeIndex)]float64
	typeWords [len(caseTypeIndex)][]string
	dept      []float64
	topic     []float64
	depts     []int32   // codes with a department cue, in the order found
	topics    []int32   // codes with a topic cue, in the order found
	words     []cueWord // department and topic cues, in the order found
	seen      []*phrase
}

// cueWord is one department or topic cue found.
type cueWord struct {
	kind string
	cid  int32
	text string
}

// reset empties the hits for a classifier with n codes, keeping the memory.
func (h *cueHits) reset(n int) {
	h.types = [len(caseTypeIndex)]float64{}
	for i := range h.typeWords {
		h.typeWords[i] = h.typeWords[i][:0]
	}
	h.dept, h.topic = resize(h.dept, n), resize(h.topic, n)
	h.depts, h.topics, h.words, h.seen = h.depts[:0], h.topics[:0], h.words[:0], h.seen[:0]
}

// resize returns s with length n, all zero.
func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// firstWords returns up to n words of one kind and code, in the order found.
func (h *cueHits) firstWords(kind string, cid int32, n int, out []string) []string {
	for _, w := range h.words {
		if len(out) == n {
			break
		}
		if w.kind == kind && w.cid == cid {
			out = append(out, w.text)
		}
	}
	return out
}

// caseTypeIndex orders the types for the arrays of cueHits.
var caseTypeIndex = [...]CaseType{TypeConsultation, TypeHelp, TypeComplaint, TypeReport, TypeSuggestion}

func typeIndex(t CaseType) int {
	for i, x := range caseTypeIndex {
		if x == t {
			return i
		}
	}
	return -1
}

func (c *Classifier) scanCues(t *ntext, h *cueHits) *cueHits {
	h.reset(len(c.codes))
	fn := func(p *phrase, _ int) {
		for _, q := range h.seen {
			if q == p {
				return
			}
		}
		h.seen = append(h.seen, p)
		switch p.kind {
		case ruleType:
			i := typeIndex(CaseType(p.code))
			h.types[i] += p.weight
			h.typeWords[i] = append(h.typeWords[i], p.text)
		case ruleCue:
			if h.dept[p.cid] == 0 && !hasCodeID(h.depts, p.cid) {
				h.depts = append(h.depts, p.cid)
			}
			h.dept[p.cid] += p.weight
			h.words = append(h.words, cueWord{p.kind, p.cid, p.text})
		case ruleTopic:
			if h.topic[p.cid] == 0 && !hasCodeID(h.topics, p.cid) {
				h.topics = append(h.topics, p.cid)
			}
			h.topic[p.cid] += p.weight
			h.words = append(h.words, cueWord{p.kind, p.cid, p.text})
		}
	}
	c.rules.cues.longest(t.r, fn)
	c.rules.types.each(t.r, fn)
	return h
}

func hasCodeID(list []int32, id int32) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

// typeReason is why a type was chosen, kept as data and written out only for the decision.
type typeReason struct {
	t     CaseType
	words []string // the type's cue words found
	money bool     // and a sum of money asked for ("收钱数额")
	nb    bool     // else: the model's top class, with prob
	prob  float64
}

// decideType combines the type cues with the naive Bayes posterior over types (post, most
// likely first; nil without a model).
func (c *Classifier) decideType(t *ntext, post []ClassProb, h *cueHits) (CaseType, typeReason) {
	r := t.r
	var score [len(caseTypeIndex)]float64
	copy(score[:], h.types[:])
	if n := len(r); n > 0 && (r[n-1] == '?' || r[n-1] == '吗') && h.types[typeIndex(TypeComplaint)] < 2 {
		score[typeIndex(TypeConsultation)] += 0.5
	}
	if strings.HasPrefix(t.s, "建议") {
		score[typeIndex(TypeSuggestion)] += 3
	}
	money := indexMoneyRunes(r) >= 0
	if money {
		score[typeIndex(TypeReport)] += 1 // money asked for: usually a report of a fee
	}
	var nbTop string
	var nbProb float64
	if c.typeNB != nil {
		for i, p := range post {
			if i == 0 {
				nbTop, nbProb = p.Class, p.Prob
			}
			if k := typeIndex(CaseType(p.Class)); k >= 0 {
				score[k] += 3 * p.Prob
			}
		}
	}
	best := 0
	for i := range score {
		if score[i] > score[best] {
			best = i
		}
	}
	tp := caseTypeIndex[best]
	w := h.typeWords[best]
	tr := typeReason{t: tp, words: w, money: money && tp == TypeReport}
	if len(w) == 0 && !tr.money && nbTop == string(tp) {
		tr.nb, tr.prob = true, nbProb
	}
	return tp, tr
}

// appendTo writes the reason: 类型“投诉”：文中有“反映”“未予办理”.
func (tr typeReason) appendTo(b []byte) []byte {
	b = append(b, "类型“"...)
	b = append(b, tr.t...)
	switch n := len(tr.words); {
	case n > 0 || tr.money:
		b = append(b, "”：文中有“"...)
		k := 0
		for _, w := range tr.words {
			if k == 3 {
				break
			}
			if k > 0 {
				b = append(b, "”“"...)
			}
			b, k = append(b, w...), k+1
		}
		if tr.money && k < 3 {
			if k > 0 {
				b = append(b, "”“"...)
			}
			b = append(b, "收钱数额"...)
		}
		return append(b, "”"...)
	case tr.nb:
		b = append(b, "”：分类模型判断（置信度 "...)
		b = strconv.AppendFloat(b, tr.prob, 'f', 2, 64)
		return append(b, "）"...)
	}
	return append(b, "”：无明显用语，按默认"...)
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }

// cueMeaning explains a department cue under the routing rules.
var cueMeaning = map[string]string{
	CodeSupervision: "多部门推诿或催办超期，由%s督办（规则5）",
	"kjgxj":         "信用修复、失信问题由%s（信用监管）办理（规则5）",
	CodeJustice:     "对告知承诺制度本身的意见由%s办理（规则4）",
}

// voteCues counts the strong cues of rules 4 and 5 and the weak matter words of rule 3.
func (c *Classifier) voteCues(b *ballot, h *cueHits, t CaseType, demander bool) {
	var wbuf [2]string
	for _, id := range h.depts {
		code, w := c.codes[id], h.dept[id]
		if code == CodeJustice && t != TypeSuggestion {
			w /= 2 // the system as a whole is rule 4: suggestions
		}
		why := "属%s"
		if m, ok := cueMeaning[code]; ok {
			why = m
		}
		before, after, _ := strings.Cut(why, "%s")
		mark := len(b.buf)
		b.buf = append(b.buf, "文中提到“"...)
		b.buf = appendJoined(b.buf, h.firstWords(ruleCue, id, 2, wbuf[:0]))
		b.buf = append(b.buf, "”，"...)
		b.buf = append(b.buf, before...)
		b.buf = append(b.buf, c.short[id]...)
		b.buf = append(b.buf, after...)
		b.add(id, min(6, w), mark)
	}
	for _, id := range h.topics {
		w := min(2.5, h.topic[id])
		if demander {
			w /= 2 // rule 1 before rule 3: the demanding office, not the competent one
		}
		mark := len(b.buf)
		b.buf = append(b.buf, "文中提到“"...)
		b.buf = appendJoined(b.buf, h.firstWords(ruleTopic, id, 2, wbuf[:0]))
		b.buf = append(b.buf, "”，属"...)
		b.buf = append(b.buf, c.short[id]...)
		b.buf = append(b.buf, "主管事项"...)
		b.add(id, w, mark)
	}
}

// appendJoined writes words joined by ”“.
func appendJoined(b []byte, words []string) []byte {
	for i, w := range words {
		if i > 0 {
			b = append(b, "”“"...)
		}
		b = append(b, w...)
	}
	return b
}

// voteCommunity applies rule 2: a non-government demander sent the resident to a 社区 or
// 村委会, or the 社区 itself misbehaved → the street office supervising that community.
func (c *Classifier) voteCommunity(b *ballot, ms []mention, items []ItemMatch, st streetFound, t CaseType) {
	var community, govStrong, misconduct bool
	var nongov string
	for _, m := range ms {
		switch m.kind {
		case ruleCommunity:
			community = true
			if m.role == roleMisconduct || m.role == roleDemander {
				misconduct = true
			}
		case ruleOffice:
			if m.role == roleDemander || m.role == roleErrand || m.role == roleMisconduct {
				govStrong = true
			}
		case ruleNonGov:
			if nongov == "" && (m.role == roleDemander || m.role == roleMisconduct) {
				nongov = m.text
			}
		}
	}
	itemCommunity := len(items) > 0 && communityIssued(items[0]) && t != TypeConsultation && t != TypeSuggestion
	if !community || govStrong && !misconduct || nongov == "" && !misconduct && !itemCommunity {
		return
	}
	mark := len(b.buf)
	switch {
	case misconduct:
		b.buf = append(b.buf, "社区/村委会自身违规开具、收费或错拒证明"...)
	case nongov != "":
		b.buf = append(b.buf, "非政府单位“"...)
		b.buf = append(b.buf, nongov...)
		b.buf = append(b.buf, "”让到社区/村委会开证明"...)
	default:
		b.buf = append(b.buf, "事项 "...)
		b.buf = append(b.buf, items[0].ID...)
		b.buf = append(b.buf, " 是社区/村委会不应再开具的证明"...)
	}
	if st.code == "" {
		b.buf = append(b.buf, "，未指明街道，社区证明规范属"...)
		b.buf = append(b.buf, c.shortName("mzj")...)
		b.buf = append(b.buf, "（规则3）"...)
		b.add(c.id(b, "mzj"), 1.5, mark)
		return
	}
	b.buf = append(b.buf, "，由社区所在的"...)
	b.buf = append(b.buf, c.rules.streets[st.code]...)
	b.buf = append(b.buf, "督促规范（规则2）"...)
	b.add(c.id(b, st.code), 6, mark)
}
