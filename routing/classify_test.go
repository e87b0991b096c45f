package routing_test

import (
	"math/rand/v2"
	"os"
	"testing"

	"chengnuo/knowledge"
	"chengnuo/routing"
)

func builtinMatcher() routing.ItemMatcher {
	return knowledge.NewMatcher(knowledge.Builtin(), knowledge.BuiltinTopics(), knowledge.BuiltinLexicon(), knowledge.MatcherConfig{})
}

func loadLabelled(t testing.TB, path string) []routing.LabelledComplaint {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	list, err := routing.ParseLabelledComplaints(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return list
}

// scores are the quality figures of one evaluation.
type scores struct {
	n, dept, wrong, triage, typ, street, items int
}

func (s *scores) add(want routing.LabelledComplaint, got routing.Decision) {
	s.n++
	switch {
	case got.Triage:
		s.triage++
	case got.Department == want.Department:
		s.dept++
	default:
		s.wrong++
	}
	if got.Type == want.Type {
		s.typ++
	}
	if got.Street == want.Street {
		s.street++
	}
	if itemsAgree(want.Items, got.Items) {
		s.items++
	}
}

// itemsAgree: both empty, or the first attached item is one of the expected ones.
func itemsAgree(want, got []string) bool {
	if len(want) == 0 || len(got) == 0 {
		return len(want) == len(got)
	}
	for _, w := range want {
		if w == got[0] {
			return true
		}
	}
	return false
}

func (s scores) rate(k int) float64 { return float64(k) / float64(max(1, s.n)) }

func (s scores) log(t *testing.T, name string) {
	t.Logf("%s (n=%d): department right %.1f%%, wrong %.1f%%, triage %.1f%%; type right %.1f%%; street right %.1f%%; first item right %.1f%%",
		name, s.n, 100*s.rate(s.dept), 100*s.rate(s.wrong), 100*s.rate(s.triage), 100*s.rate(s.typ), 100*s.rate(s.street), 100*s.rate(s.items))
}

// TestClassifyCrossValidation trains the naive Bayes fallback on k-1 folds of the labelled
// complaints and measures the classifier on the fold left out. The rules themselves were
// written with all 90 examples in view, so these figures flatter them; the unseen set is the
// fair measurement.
func TestClassifyCrossValidation(t *testing.T) {
	list := loadLabelled(t, "data/complaints_examples.tsv")
	const k = 5
	order := rand.New(rand.NewPCG(2026, 3)).Perm(len(list)) // deterministic shuffle
	dir := routing.BuiltinDirectory()
	items := builtinMatcher()
	var s scores
	nbRight := 0 // the naive Bayes model alone, for comparison
	for fold := range k {
		var train, test []routing.LabelledComplaint
		for pos, i := range order {
			if pos%k == fold {
				test = append(test, list[i])
			} else {
				train = append(train, list[i])
			}
		}
		c := routing.NewClassifier(dir, items, train, routing.ClassifierOptions{})
		var texts, depts []string
		for _, ex := range train {
			texts, depts = append(texts, ex.Text), append(depts, ex.Department)
		}
		nb := routing.TrainNaiveBayes(texts, depts, 1)
		for _, ex := range test {
			if nb.Posterior(ex.Text)[0].Class == ex.Department {
				nbRight++
			}
		}
		for _, ex := range test {
			var ballot string
			if os.Getenv("ROUTING_DEBUG") != "" {
				routing.TraceBallots(func(_, b string) { ballot = b })
			}
			d := c.Classify(ex.Text, "")
			routing.TraceBallots(nil)
			s.add(ex, d)
			if os.Getenv("ROUTING_DEBUG") != "" && (d.Department != ex.Department || d.Type != ex.Type || d.Street != ex.Street) {
				t.Logf("want %s/%s/%s got %s/%s/%s conf=%.2f %v\n  %s\n  %s", ex.Department, ex.Type, ex.Street,
					d.Department, d.Type, d.Street, d.Confidence, d.Reasons, ballot, ex.Text)
			}
		}
	}
	s.log(t, "5-fold cross-validation on complaints_examples.tsv")
	t.Logf("naive Bayes alone on the same folds: department right %.1f%%", 100*s.rate(nbRight))
	if s.rate(s.dept) < 0.9 || s.rate(s.wrong) > 0.03 || s.rate(s.typ) < 0.9 || s.rate(s.street) < 0.95 {
		t.Errorf("cross-validation below the floors (department ≥90%%, wrong ≤3%%, type ≥90%%, street ≥95%%)")
	}
}

// TestClassifyUnseen trains on all labelled complaints and measures complaints the rules were
// never tuned on. Only the aggregate figures are printed, so that the set stays held out:
// never print or debug its rows while changing the rules.
func TestClassifyUnseen(t *testing.T) {
	const path = "../testdata/complaints_unseen.tsv"
	if _, err := os.Stat(path); err != nil {
		t.Skip("no unseen complaints file")
	}
	unseen := loadLabelled(t, path)
	c := routing.NewClassifier(routing.BuiltinDirectory(), builtinMatcher(), loadLabelled(t, "data/complaints_examples.tsv"), routing.ClassifierOptions{})
	var s scores
	for _, ex := range unseen {
		s.add(ex, c.Classify(ex.Text, ""))
	}
	s.log(t, "unseen complaints (trained on all examples)")
	// The targets of issue 3.
	if s.rate(s.dept) < 0.85 || s.rate(s.wrong) > 0.05 || s.rate(s.typ) < 0.8 {
		t.Errorf("unseen complaints below the targets (department ≥85%%, wrong ≤5%%, type ≥80%%)")
	}
}
