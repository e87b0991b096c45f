package routing

import (
	"math"
	"slices"
	"sort"
)

// bigram packs two characters into one feature.
type bigram uint64

// bigrams returns the distinct character bigrams of a normalized text, skipping pairs that
// touch punctuation or digits (they carry layout, not meaning).
func bigrams(r []rune, out []bigram) []bigram {
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if isPunct(a) || isPunct(b) || a < 0x80 && a >= '0' && a <= '9' || b < 0x80 && b >= '0' && b <= '9' {
			continue
		}
		out = append(out, bigram(uint64(a)<<32|uint64(b)))
	}
	slices.Sort(out)
	n := 0
	for i, g := range out {
		if i == 0 || g != out[n-1] {
			out[n] = g
			n++
		}
	}
	return out[:n]
}

// NaiveBayes is a multinomial naive Bayes classifier over character bigrams, each bigram
// counted once per document (binarized), with Laplace smoothing and scores in log space.
// It is trained once and safe for concurrent use.
type NaiveBayes struct {
	classes  []string
	logPrior []float64
	vocab    map[bigram]int32
	logLik   [][]float64 // [class][feature]
	temp     float64
}

// ClassProb is one class with its posterior probability.
type ClassProb struct {
	Class string
	Prob  float64
}

// TrainNaiveBayes learns from texts and their labels (same length). temp > 1 flattens the
// posterior: with a few dozen examples the raw model is far too sure of itself.
func TrainNaiveBayes(texts, labels []string, temp float64) *NaiveBayes {
	nb := &NaiveBayes{vocab: map[bigram]int32{}, temp: max(temp, 1)}
	classIdx := map[string]int{}
	var counts [][]float64
	var docs []float64
	var buf []bigram
	for i, t := range texts {
		ci, ok := classIdx[labels[i]]
		if !ok {
			ci = len(nb.classes)
			classIdx[labels[i]] = ci
			nb.classes = append(nb.classes, labels[i])
			counts = append(counts, nil)
			docs = append(docs, 0)
		}
		docs[ci]++
		buf = bigrams([]rune(normText(t)), buf[:0])
		for _, g := range buf {
			f, ok := nb.vocab[g]
			if !ok {
				f = int32(len(nb.vocab))
				nb.vocab[g] = f
			}
			for len(counts[ci]) <= int(f) {
				counts[ci] = append(counts[ci], 0)
			}
			counts[ci][f]++
		}
	}
	v := float64(len(nb.vocab))
	nb.logPrior = make([]float64, len(nb.classes))
	nb.logLik = make([][]float64, len(nb.classes))
	for ci := range nb.classes {
		nb.logPrior[ci] = math.Log(docs[ci] / float64(len(texts)))
		total := 0.0
		for _, n := range counts[ci] {
			total += n
		}
		ll := make([]float64, len(nb.vocab))
		for f := range ll {
			n := 0.0
			if f < len(counts[ci]) {
				n = counts[ci][f]
			}
			ll[f] = math.Log((n + 1) / (total + v)) // Laplace smoothing
		}
		nb.logLik[ci] = ll
	}
	return nb
}

// Classes returns the labels the model knows, in training order.
func (nb *NaiveBayes) Classes() []string { return nb.classes }

// Posterior returns every class with its posterior probability, most likely first. Bigrams
// never seen in training are ignored.
func (nb *NaiveBayes) Posterior(text string) []ClassProb {
	return nb.posterior([]rune(normText(text)))
}

func (nb *NaiveBayes) posterior(r []rune) []ClassProb {
	var gbuf [512]bigram
	return nb.posteriorOf(bigrams(r, gbuf[:0]))
}

// posteriorOf scores the distinct bigrams of a text (see bigrams).
func (nb *NaiveBayes) posteriorOf(feats []bigram) []ClassProb {
	if len(nb.classes) == 0 {
		return nil
	}
	var fbuf [512]int32
	idx := fbuf[:0]
	for _, g := range feats {
		if f, ok := nb.vocab[g]; ok {
			idx = append(idx, f)
		}
	}
	out := make([]ClassProb, len(nb.classes))
	top := math.Inf(-1)
	scores := make([]float64, len(nb.classes))
	for ci := range nb.classes {
		s := nb.logPrior[ci]
		ll := nb.logLik[ci]
		for _, f := range idx {
			s += ll[f]
		}
		scores[ci] = s / nb.temp
		top = max(top, scores[ci])
	}
	sum := 0.0
	for ci := range scores {
		scores[ci] = math.Exp(scores[ci] - top) // log-sum-exp: subtract the maximum first
		sum += scores[ci]
	}
	for ci, c := range nb.classes {
		out[ci] = ClassProb{Class: c, Prob: scores[ci] / sum}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Prob > out[j].Prob })
	return out
}
