package routing

import (
	"math"
	"testing"
)

func TestBigrams(t *testing.T) {
	got := bigrams([]rune(normText("户口，户口本 12")), nil)
	// 户口 口本 (repeated 户口 once; pairs touching punctuation or digits skipped)
	if len(got) != 2 {
		t.Errorf("bigrams = %d, want 2", len(got))
	}
}

func TestNaiveBayes(t *testing.T) {
	texts := []string{"派出所户口本", "派出所身份证", "户口迁移派出所", "社保养老金", "养老金认证社保"}
	labels := []string{"gafj", "gafj", "gafj", "rsj", "rsj"}
	nb := TrainNaiveBayes(texts, labels, 1)
	if got := nb.Classes(); len(got) != 2 || got[0] != "gafj" {
		t.Errorf("classes %v", got)
	}
	// Priors and Laplace smoothing by hand: P(gafj)=3/5; vocabulary 14 bigrams.
	if math.Abs(nb.logPrior[0]-math.Log(0.6)) > 1e-12 {
		t.Errorf("log prior %v", nb.logPrior[0])
	}
	f := nb.vocab[bigram(uint64('社')<<32|uint64('保'))]
	total := 0.0 // gafj documents hold 3+3+5 distinct bigrams
	for _, s := range texts[:3] {
		total += float64(len(bigrams([]rune(s), nil)))
	}
	want := math.Log((0 + 1) / (total + float64(len(nb.vocab))))
	if math.Abs(nb.logLik[int(f)*len(nb.classes)]-want) > 1e-12 {
		t.Errorf("smoothed unseen-in-class likelihood %v, want %v", nb.logLik[int(f)*len(nb.classes)], want)
	}
	post := nb.Posterior("社保的养老金")
	if post[0].Class != "rsj" || post[0].Prob < 0.9 {
		t.Errorf("posterior %v", post)
	}
	sum := 0.0
	for _, p := range post {
		sum += p.Prob
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("posterior sums to %v", sum)
	}
	// Bigrams never seen in training change nothing: the prior decides.
	if p := nb.Posterior("完全无关的话"); p[0].Class != "gafj" || math.Abs(p[0].Prob-0.6) > 1e-9 {
		t.Errorf("unknown text: %v", p)
	}
	// A temperature flattens the posterior but keeps the order.
	flat := TrainNaiveBayes(texts, labels, 4).Posterior("社保的养老金")
	if flat[0].Class != "rsj" || flat[0].Prob >= post[0].Prob {
		t.Errorf("temperature: %v vs %v", flat, post)
	}
	if (&NaiveBayes{}).Posterior("x") != nil {
		t.Error("an untrained model returns no posterior")
	}
}
