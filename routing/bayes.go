package routing

import (
	"math"
	"math/bits"
	"slices"

	"chengnuo/internal/u64map"
)

// bigram packs two characters into one feature.
type bigram uint64

// bigramOK reports whether a character pair is a feature: pairs that touch punctuation or
// digits carry layout, not meaning.
func bigramOK(a, b rune) bool {
	return !(isPunct(a) || isPunct(b) || a < 0x80 && a >= '0' && a <= '9' || b < 0x80 && b >= '0' && b <= '9')
}

// bigrams returns the distinct character bigrams of a normalized text, skipping pairs that
// touch punctuation or digits (they carry layout, not meaning).
func bigrams(r []rune, out []bigram) []bigram {
	for i := 0; i+1 < len(r); i++ {
		if a, b := r[i], r[i+1]; bigramOK(a, b) {
			out = append(out, bigram(uint64(a)<<32|uint64(b)))
		}
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
	vocab    map[bigram]int32     // feature ids follow the order of the bigrams
	table    u64map.Table[bigram] // vocab, for fast lookups
	logLik   []float64            // [feature*len(classes) + class]: one feature's row is contiguous
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
	var counts []map[bigram]float64
	var docs []float64
	var buf []bigram
	for i, t := range texts {
		ci, ok := classIdx[labels[i]]
		if !ok {
			ci = len(nb.classes)
			classIdx[labels[i]] = ci
			nb.classes = append(nb.classes, labels[i])
			counts = append(counts, map[bigram]float64{})
			docs = append(docs, 0)
		}
		docs[ci]++
		buf = bigrams([]rune(normText(t)), buf[:0])
		for _, g := range buf {
			nb.vocab[g] = 0
			counts[ci][g]++
		}
	}
	// Number the features in bigram order, so that sorting feature ids sorts bigrams.
	keys := make([]bigram, 0, len(nb.vocab))
	for g := range nb.vocab {
		keys = append(keys, g)
	}
	slices.Sort(keys)
	for f, g := range keys {
		nb.vocab[g] = int32(f)
	}
	nb.table = u64map.New(nb.vocab)
	v := float64(len(nb.vocab))
	nc := len(nb.classes)
	nb.logPrior = make([]float64, nc)
	nb.logLik = make([]float64, len(keys)*nc)
	for ci := range nb.classes {
		nb.logPrior[ci] = math.Log(docs[ci] / float64(len(texts)))
		total := 0.0
		for _, g := range keys { // the same order as counting in feature order
			total += counts[ci][g]
		}
		for f, g := range keys {
			nb.logLik[f*nc+ci] = math.Log((counts[ci][g] + 1) / (total + v)) // Laplace smoothing
		}
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
	var fbuf [512]int32
	seen := make([]uint64, nb.seenWords())
	return nb.posteriorInto(nb.featureIDs(r, seen, fbuf[:0]), make([]ClassProb, len(nb.classes)))
}

// featureIDs returns the ids of the distinct known bigrams of a normalized text, in bigram
// order. seen is a bitmap over the vocabulary, all zero, left all zero.
func (nb *NaiveBayes) featureIDs(r []rune, seen []uint64, out []int32) []int32 {
	if len(nb.vocab) == 0 {
		return out
	}
	n := 0
	for i := 0; i+1 < len(r); i++ {
		if a, b := r[i], r[i+1]; bigramOK(a, b) {
			if f, ok := nb.table.Get(bigram(uint64(a)<<32 | uint64(b))); ok {
				seen[f>>6] |= 1 << (f & 63)
				n++
			}
		}
	}
	// Reading the bitmap in order sorts and deduplicates the ids (ids follow bigram order).
	for w := 0; n > 0 && w < len(seen); w++ {
		for x := seen[w]; x != 0; x &= x - 1 {
			out = append(out, int32(w<<6+bits.TrailingZeros64(x)))
		}
		if seen[w] != 0 {
			seen[w] = 0
		}
	}
	return out
}

// seenWords is the length of the bitmap featureIDs needs.
func (nb *NaiveBayes) seenWords() int { return (len(nb.vocab) + 63) / 64 }

// posteriorInto scores the features (see featureIDs) into out (len(nb.classes), or nil when
// the model knows no class) and returns it sorted, most likely first.
func (nb *NaiveBayes) posteriorInto(feats []int32, out []ClassProb) []ClassProb {
	nc := len(nb.classes)
	if nc == 0 {
		return nil
	}
	var sbuf [64]float64
	scores := sbuf[:0]
	if nc > len(sbuf) {
		scores = make([]float64, nc)
	} else {
		scores = sbuf[:nc]
	}
	copy(scores, nb.logPrior)
	for _, f := range feats {
		row := nb.logLik[int(f)*nc : int(f)*nc+nc]
		for ci, l := range row {
			scores[ci] += l
		}
	}
	top := math.Inf(-1)
	for ci := range scores {
		scores[ci] /= nb.temp
		top = max(top, scores[ci])
	}
	sum := 0.0
	for ci := range scores {
		scores[ci] = math.Exp(scores[ci] - top) // log-sum-exp: subtract the maximum first
		sum += scores[ci]
	}
	out = out[:nc]
	for ci, c := range nb.classes {
		out[ci] = ClassProb{Class: c, Prob: scores[ci] / sum}
	}
	for i := 1; i < len(out); i++ { // stable: equal probabilities keep training order
		for j := i; j > 0 && out[j].Prob > out[j-1].Prob; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// sameVocab reports whether two models number the same bigrams alike (trained on the same
// texts), so that one lookup serves both.
func sameVocab(a, b *NaiveBayes) bool {
	if len(a.vocab) != len(b.vocab) {
		return false
	}
	for g, f := range a.vocab {
		if h, ok := b.vocab[g]; !ok || h != f {
			return false
		}
	}
	return true
}
