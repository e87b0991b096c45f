package knowledge

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// Topic is one policy question residents or clerks ask, with our answer written from the
// district's implementation plan (灞政办发〔2021〕4号).
type Topic struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Questions []string `json:"questions"`
	Keywords  []string `json:"keywords"`
	Answer    string   `json:"answer"`
}

//go:embed data/topics.json
var builtinTopicsJSON []byte

// BuiltinTopics returns the policy topics shipped with chengnuo.
func BuiltinTopics() []Topic {
	topics, err := ParseTopics(builtinTopicsJSON)
	if err != nil {
		panic(fmt.Sprintf("embedded topics.json: %v", err)) // a build-time defect, caught by tests
	}
	return topics
}

// ParseTopics reads a JSON array of topics and checks each has an id, phrasings and an answer.
func ParseTopics(data []byte) ([]Topic, error) {
	var topics []Topic
	if err := json.Unmarshal(data, &topics); err != nil {
		return nil, fmt.Errorf("parse topics: %w", err)
	}
	seen := map[string]bool{}
	for i, t := range topics {
		switch {
		case t.ID == "":
			return nil, fmt.Errorf("topic %d: empty id", i+1)
		case seen[t.ID]:
			return nil, fmt.Errorf("topic %q: duplicate id", t.ID)
		case len(t.Questions) == 0 || t.Answer == "":
			return nil, fmt.Errorf("topic %q: needs questions and an answer", t.ID)
		}
		seen[t.ID] = true
	}
	return topics, nil
}
