package knowledge

import (
	"math"
	"sort"
	"sync"
)

// BM25F parameters. k1 saturates repeated terms; each field has its own weight and
// length normalisation b (aliases are many short phrases, so their length matters little).
const bm25K1 = 1.2

// maxUnigramDF is the largest share of documents a single character may occur in and still be indexed.
const maxUnigramDF = 0.25

type fieldSpec struct {
	weight float64
	b      float64
}

// posting is one document's precomputed contribution for a term: idf × saturated tf.
// Being query-independent, a query only sums them.
type posting struct {
	doc   int32
	score float32
}

type termInfo struct {
	idf      float32
	postings []posting
}

// bm25Index is an immutable BM25F index over documents made of fields; safe for concurrent use.
type bm25Index struct {
	n      int
	terms  map[term]*termInfo
	maxIDF float32
	pool   sync.Pool // *[]float32 score accumulators, len n
}

// newBM25Index builds the index. docs[d][f] is the normalized text of field f of document d;
// fields[f] gives its weight and length normalisation.
// stop lists terms never indexed (may be nil).
func newBM25Index(docs [][]string, fields []fieldSpec, stop map[term]bool) *bm25Index {
	n := len(docs)
	avg := make([]float64, len(fields))
	docTerms := make([][][]term, n) // doc, field -> terms
	for d, doc := range docs {
		docTerms[d] = make([][]term, len(fields))
		for f := range fields {
			docTerms[d][f] = appendSoundTerms(doc[f], appendUnigrams(doc[f], appendTerms(doc[f], nil)))
			avg[f] += float64(len(docTerms[d][f]))
		}
	}
	for f := range avg {
		avg[f] = math.Max(avg[f]/math.Max(float64(n), 1), 1)
	}
	// Weighted, length-normalised term frequency per (term, doc).
	tf := map[term]map[int32]float64{}
	for d := range docTerms {
		for f, ts := range docTerms[d] {
			norm := 1 - fields[f].b + fields[f].b*float64(len(ts))/avg[f]
			for _, t := range ts {
				m := tf[t]
				if m == nil {
					m = map[int32]float64{}
					tf[t] = m
				}
				m[int32(d)] += fields[f].weight / norm
			}
		}
	}
	idx := &bm25Index{n: n, terms: make(map[term]*termInfo, len(tf))}
	for t, m := range tf {
		df := float64(len(m))
		if stop[t] || isUnigram(t) && df > maxUnigramDF*float64(n) {
			continue // a character in many documents tells nothing and costs long postings
		}
		idf := math.Log(1 + (float64(n)-df+0.5)/(df+0.5))
		ti := &termInfo{idf: float32(idf), postings: make([]posting, 0, len(m))}
		for d, w := range m {
			ti.postings = append(ti.postings, posting{doc: d, score: float32(idf * w * (bm25K1 + 1) / (w + bm25K1))})
		}
		sort.Slice(ti.postings, func(i, j int) bool { return ti.postings[i].doc < ti.postings[j].doc })
		idx.terms[t] = ti
		if ti.idf > idx.maxIDF {
			idx.maxIDF = ti.idf
		}
	}
	idx.pool.New = func() any { s := make([]float32, n); return &s }
	return idx
}

// hit is one scored document.
type hit struct {
	doc   int
	score float64
}

// search scores the documents for the (deduplicated) query terms, each with a weight,
// and returns the best k hits, best first, ties broken by document order.
func (x *bm25Index) search(q []term, qw []float32, k int, out []hit) []hit {
	accp := x.pool.Get().(*[]float32)
	acc := *accp
	var touchedBuf [256]int32
	touched := touchedBuf[:0]
	for i, t := range q {
		ti := x.terms[t]
		if ti == nil {
			continue
		}
		w := qw[i]
		for _, p := range ti.postings {
			if acc[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			acc[p.doc] += w * p.score
		}
	}
	out = out[:0]
	for _, d := range touched {
		s := float64(acc[d])
		acc[d] = 0
		if len(out) < k {
			out = append(out, hit{int(d), s})
			for j := len(out) - 1; j > 0 && better(out[j], out[j-1]); j-- {
				out[j], out[j-1] = out[j-1], out[j]
			}
			continue
		}
		if h := (hit{int(d), s}); better(h, out[k-1]) {
			out[k-1] = h
			for j := k - 1; j > 0 && better(out[j], out[j-1]); j-- {
				out[j], out[j-1] = out[j-1], out[j]
			}
		}
	}
	x.pool.Put(accp)
	return out
}

func better(a, b hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// has reports whether the index knows a term.
func (x *bm25Index) has(t term) bool { return x.terms[t] != nil }

// idf returns a term's inverse document frequency and whether the index knows it.
func (x *bm25Index) idf(t term) (float32, bool) {
	if ti := x.terms[t]; ti != nil {
		return ti.idf, true
	}
	return 0, false
}

// scoreDocs returns the score of each given document for the query, by binary search in
// the (doc-sorted) postings: cheap for the handful of candidates a search returned.
func (x *bm25Index) scoreDocs(q []term, qw []float32, docs []int, out []float64) []float64 {
	out = out[:0]
	for range docs {
		out = append(out, 0)
	}
	for i, t := range q {
		ti := x.terms[t]
		if ti == nil {
			continue
		}
		for j, d := range docs {
			ps := ti.postings
			k := sort.Search(len(ps), func(k int) bool { return ps[k].doc >= int32(d) })
			if k < len(ps) && ps[k].doc == int32(d) {
				out[j] += float64(qw[i] * ps[k].score)
			}
		}
	}
	return out
}
