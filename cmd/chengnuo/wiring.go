package main

import (
	"context"

	"chengnuo/knowledge"
	"chengnuo/routing"
	"chengnuo/store"
)

// itemMatcher adapts the knowledge matcher to the routing.ItemMatcher the classifier consumes
// (routing must not import knowledge).
type itemMatcher struct{ m *knowledge.Matcher }

// MatchItems returns the matcher's ranked items, best first.
func (a itemMatcher) MatchItems(text string) []routing.ItemMatch {
	var buf [5]knowledge.ScoredItem // only the items: the kind and topic of Match are not needed
	res := a.m.AppendItems(buf[:0], text)
	out := make([]routing.ItemMatch, 0, len(res))
	for _, si := range res {
		it := si.Item
		out = append(out, routing.ItemMatch{ID: it.ID, Department: it.Department, Mode: string(it.Mode),
			Issuer: it.Issuer, Certificate: it.Certificate, Score: si.Score})
	}
	return out
}

// classifier builds the complaint classifier over the active list version, the built-in
// directory and the built-in labelled complaints. It also returns the list, for item names.
func (g *globals) classifier(ctx context.Context, db *store.DB) (*routing.Classifier, *knowledge.List, error) {
	list, err := db.ActiveList(ctx)
	if err != nil {
		return nil, nil, err
	}
	lx, err := g.lexicon()
	if err != nil {
		return nil, nil, err
	}
	m := knowledge.NewMatcher(list, knowledge.BuiltinTopics(), lx, knowledge.MatcherConfig{})
	dir := routing.BuiltinDirectory()
	c := routing.NewClassifier(dir, itemMatcher{m}, routing.BuiltinTraining(), routing.ClassifierOptions{})
	return c, list, nil
}
