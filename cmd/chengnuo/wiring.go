package main

import (
	"context"

	"chengnuo/knowledge"
	"chengnuo/routing"
	"chengnuo/store"
)

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
	c := routing.NewClassifier(dir, m, routing.BuiltinTraining(), routing.ClassifierOptions{})
	return c, list, nil
}
