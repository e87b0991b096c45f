package routing

import (
	"fmt"
	"strings"
)

// cueHits are the topic, department and type cues found in a message, each pattern once.
type cueHits struct {
	types      [len(caseTypeIndex)]float64
	typeWords  [len(caseTypeIndex)][]string
	dept       map[string]float64
	deptWords  map[string][]string
	topic      map[string]float64
	topicWords map[string][]string
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

func (c *Classifier) scanCues(r []rune) *cueHits {
	h := &cueHits{dept: map[string]float64{}, deptWords: map[string][]string{},
		topic: map[string]float64{}, topicWords: map[string][]string{}}
	seen := map[*phrase]bool{}
	fn := func(p *phrase, _ int) {
		if seen[p] {
			return
		}
		seen[p] = true
		switch p.kind {
		case ruleType:
			i := typeIndex(CaseType(p.code))
			h.types[i] += p.weight
			h.typeWords[i] = append(h.typeWords[i], p.text)
		case ruleCue:
			h.dept[p.code] += p.weight
			h.deptWords[p.code] = append(h.deptWords[p.code], p.text)
		case ruleTopic:
			h.topic[p.code] += p.weight
			h.topicWords[p.code] = append(h.topicWords[p.code], p.text)
		}
	}
	c.rules.cues.longest(r, fn)
	c.rules.types.each(r, fn)
	return h
}

// decideType combines the type cues with the naive Bayes posterior over types.
func (c *Classifier) decideType(r []rune, feats []bigram, h *cueHits) (CaseType, string) {
	var score [len(caseTypeIndex)]float64
	copy(score[:], h.types[:])
	if n := len(r); n > 0 && (r[n-1] == '?' || r[n-1] == '吗') && h.types[typeIndex(TypeComplaint)] < 2 {
		score[typeIndex(TypeConsultation)] += 0.5
	}
	if strings.HasPrefix(string(r), "建议") {
		score[typeIndex(TypeSuggestion)] += 3
	}
	money := indexMoney(string(r)) >= 0
	if money {
		score[typeIndex(TypeReport)] += 1 // money asked for: usually a report of a fee
	}
	var nbTop string
	var nbProb float64
	if c.typeNB != nil {
		for i, p := range c.typeNB.posteriorOf(feats) {
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
	t := caseTypeIndex[best]
	w := h.typeWords[best]
	if money && t == TypeReport {
		w = append(w[:len(w):len(w)], "收钱数额")
	}
	if len(w) > 0 {
		return t, fmt.Sprintf("类型“%s”：文中有“%s”", t, strings.Join(firstN(w, 3), "”“"))
	}
	if nbTop == string(t) {
		return t, fmt.Sprintf("类型“%s”：分类模型判断（置信度 %.2f）", t, nbProb)
	}
	return t, fmt.Sprintf("类型“%s”：无明显用语，按默认", t)
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
	for code, w := range h.dept {
		if code == CodeJustice && t != TypeSuggestion {
			w /= 2 // the system as a whole is rule 4: suggestions
		}
		why := "属%s"
		if m, ok := cueMeaning[code]; ok {
			why = m
		}
		b.add(code, min(6, w), fmt.Sprintf("文中提到“%s”，"+why, strings.Join(firstN(h.deptWords[code], 2), "”“"), shortName(c.dir, code)))
	}
	for code, w := range h.topic {
		w = min(2.5, w)
		if demander {
			w /= 2 // rule 1 before rule 3: the demanding office, not the competent one
		}
		b.add(code, w, fmt.Sprintf("文中提到“%s”，属%s主管事项", strings.Join(firstN(h.topicWords[code], 2), "”“"), shortName(c.dir, code)))
	}
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
	var why string
	switch {
	case misconduct:
		why = "社区/村委会自身违规开具、收费或错拒证明"
	case nongov != "":
		why = fmt.Sprintf("非政府单位“%s”让到社区/村委会开证明", nongov)
	default:
		why = fmt.Sprintf("事项 %s 是社区/村委会不应再开具的证明", items[0].ID)
	}
	if st.code == "" {
		b.add("mzj", 1.5, why+"，未指明街道，社区证明规范属"+shortName(c.dir, "mzj")+"（规则3）")
		return
	}
	b.add(st.code, 6, why+"，由社区所在的"+c.rules.streets[st.code]+"督促规范（规则2）")
}
