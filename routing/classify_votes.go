package routing

import (
	"strconv"
	"strings"
)

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
