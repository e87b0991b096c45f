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

// maxTermDF: a term found in more than this share of documents (证明, 办理 in a long list) is
// dropped like a stop word once the list is long enough for that to be meaningful.
const (
	maxTermDF      = 0.3
	minDocsToPrune = 20
)

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
	ids    map[term]int32 // term -> position in terms
	terms  []termInfo
	maxIDF float32
	pool   sync.Pool // *searchScratch
}

// searchScratch is the per-search working memory, pooled so that searches do not allocate.
type searchScratch struct {
	acc     []float32 // score per document, len n, all zero between searches
	touched []int32   // documents with a non-zero score
}

// newBM25Index builds the index. docs[d][f] is the normalized text of field f of document d;
// fields[f] gives its weight and length normalisation; terms in stop are never indexed.
func newBM25Index(docs [][]string, fields []fieldSpec, stop map[term]bool) *bm25Index {
	n := len(docs)
	// Pass 1: every field's terms, kept flat, and the average field lengths.
	var flat []term
	bounds := make([]int, 0, n*len(fields)+1) // field (d, f) spans flat[bounds[d*F+f]:bounds[d*F+f+1]]
	avg := make([]float64, len(fields))
	for _, doc := range docs {
		for f := range fields {
			bounds = append(bounds, len(flat))
			before := len(flat)
			flat = appendTerms(doc[f], flat)
			flat = appendUnigrams(doc[f], flat)
			flat = appendSoundTerms(doc[f], flat)
			avg[f] += float64(len(flat) - before)
		}
	}
	bounds = append(bounds, len(flat))
	for f := range avg {
		avg[f] = math.Max(avg[f]/math.Max(float64(n), 1), 1)
	}
	// Pass 2: weighted, length-normalised term frequency per (term, doc). Documents are
	// visited in order, so every postings list comes out sorted by document.
	idx := &bm25Index{n: n, ids: make(map[term]int32, 1024)}
	local := make(map[term]float64, 256)
	for d := 0; d < n; d++ {
		clear(local)
		for f := range fields {
			ts := flat[bounds[d*len(fields)+f]:bounds[d*len(fields)+f+1]]
			w := fields[f].weight / (1 - fields[f].b + fields[f].b*float64(len(ts))/avg[f])
			for _, t := range ts {
				local[t] += w
			}
		}
		for t, w := range local {
			if stop[t] {
				continue
			}
			id, ok := idx.ids[t]
			if !ok {
				id = int32(len(idx.terms))
				idx.ids[t] = id
				idx.terms = append(idx.terms, termInfo{})
			}
			idx.terms[id].postings = append(idx.terms[id].postings, posting{doc: int32(d), score: float32(w)})
		}
	}
	// Pass 3: idf, and each posting's final contribution.
	for t, id := range idx.ids {
		ti := &idx.terms[id]
		df := float64(len(ti.postings))
		if isUnigram(t) && df > maxUnigramDF*float64(n) || df > maxTermDF*float64(n) && n >= minDocsToPrune {
			ti.postings = nil // a term in most documents tells little and costs long postings
			continue
		}
		idf := math.Log(1 + (float64(n)-df+0.5)/(df+0.5))
		ti.idf = float32(idf)
		for i := range ti.postings {
			w := float64(ti.postings[i].score)
			ti.postings[i].score = float32(idf * w * (bm25K1 + 1) / (w + bm25K1))
		}
		idx.maxIDF = max(idx.maxIDF, ti.idf)
	}
	idx.pool.New = func() any { return &searchScratch{acc: make([]float32, n), touched: make([]int32, 0, 256)} }
	return idx
}

func (x *bm25Index) lookup(t term) *termInfo {
	if id, ok := x.ids[t]; ok && x.terms[id].postings != nil {
		return &x.terms[id]
	}
	return nil
}

// hit is one scored document.
type hit struct {
	doc   int
	score float64
}

// search scores the documents for the (deduplicated) query terms, each with a weight,
// and returns the best k hits, best first, ties broken by document order.
func (x *bm25Index) search(q []term, qw []float32, k int, out []hit) []hit {
	sc := x.pool.Get().(*searchScratch)
	acc, touched := sc.acc, sc.touched[:0]
	for i, t := range q {
		ti := x.lookup(t)
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
	sc.touched = touched
	x.pool.Put(sc)
	return out
}

func better(a, b hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// has reports whether the index knows a term.
func (x *bm25Index) has(t term) bool { return x.lookup(t) != nil }

// idf returns a term's inverse document frequency and whether the index knows it.
func (x *bm25Index) idf(t term) (float32, bool) {
	if ti := x.lookup(t); ti != nil {
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
		ti := x.lookup(t)
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
