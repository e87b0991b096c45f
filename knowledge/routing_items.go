package knowledge

import "chengnuo/routing"

// MatchItems makes the matcher the routing.ItemMatcher the complaint classifier consumes
// (routing declares the interface and never imports knowledge): the items a text concerns,
// best first. Only items are ranked; the kind and topic of Match are not needed.
func (m *Matcher) MatchItems(text string) []routing.ItemMatch {
	var buf [5]ScoredItem
	res := m.AppendItems(buf[:0], text)
	out := make([]routing.ItemMatch, 0, len(res))
	for _, si := range res {
		it := si.Item
		out = append(out, routing.ItemMatch{ID: it.ID, Department: it.Department, Mode: string(it.Mode),
			Issuer: it.Issuer, Certificate: it.Certificate, Score: si.Score})
	}
	return out
}

var _ routing.ItemMatcher = (*Matcher)(nil)
