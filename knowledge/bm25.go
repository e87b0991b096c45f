package knowledge

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"chengnuo/internal/u64map"
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
	n     int
	ids   map[term]int32     // term -> position in terms (while building, and for buildForward)
	table u64map.Table[term] // the same, for fast lookups
	terms []termInfo
	pool  sync.Pool     // *searchScratch
	fwd   [][]termScore // per document, sorted by term; only where buildForward was called
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
	size := 0
	for _, doc := range docs {
		for _, f := range doc {
			size += len(f) // about three terms per character, a character being three bytes
		}
	}
	flat := make([]term, 0, size)
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
	// Pass 2: weighted, length-normalised term frequency per (term, doc), gathered flat and
	// then laid out term by term in one array. Documents are visited in order, so every
	// postings list comes out sorted by document.
	type entry struct {
		id  int32
		doc int32
		w   float32
	}
	idx := &bm25Index{n: n, ids: make(map[term]int32, 1024)}
	entries := make([]entry, 0, len(flat))
	var counts []int32
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
				id = int32(len(counts))
				idx.ids[t] = id
				counts = append(counts, 0)
			}
			counts[id]++
			entries = append(entries, entry{id, int32(d), float32(w)})
		}
	}
	all := make([]posting, len(entries))
	idx.terms = make([]termInfo, len(counts))
	off := 0
	for id, c := range counts {
		idx.terms[id].postings = all[off : off : off+int(c)]
		off += int(c)
	}
	for _, e := range entries {
		ti := &idx.terms[e.id]
		ti.postings = append(ti.postings, posting{doc: e.doc, score: e.w})
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
	}
	idx.table = u64map.New(idx.ids)
	idx.pool.New = func() any { return &searchScratch{acc: make([]float32, n), touched: make([]int32, n+1)} }
	return idx
}

func (x *bm25Index) lookup(t term) *termInfo {
	if id, ok := x.table.Get(t); ok && x.terms[id].postings != nil {
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
	var buf [maxTerms]*termInfo
	return x.searchResolved(x.resolve(q, buf[:0]), qw, k, out)
}

// resolve looks each term up once; unknown terms resolve to nil.
func (x *bm25Index) resolve(q []term, out []*termInfo) []*termInfo {
	for _, t := range q {
		out = append(out, x.lookup(t))
	}
	return out
}

// searchResolved is search over terms already looked up.
func (x *bm25Index) searchResolved(q []*termInfo, qw []float32, k int, out []hit) []hit {
	sc := x.pool.Get().(*searchScratch)
	acc := sc.acc
	touched := sc.touched[:x.n+1] // room for every document (each is counted once) plus one scratch write
	cnt := 0
	for i, ti := range q {
		if ti == nil {
			continue
		}
		w := qw[i]
		for _, p := range ti.postings {
			// Branch-free bookkeeping: always write the document, advance only when it is
			// new. Postings arrive in no predictable order, so a branch would mispredict.
			a := acc[p.doc]
			touched[cnt] = p.doc
			cnt += isZero(a)
			acc[p.doc] = a + w*p.score
		}
	}
	touched = touched[:cnt]
	out = out[:0]
	for _, d := range touched {
		s := float64(acc[d])
		acc[d] = 0
		if len(out) == k && s < out[k-1].score {
			continue // the common case: not among the best
		}
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

// isZero is 1 for a zero score and 0 otherwise, without a branch.
func isZero(a float32) int {
	b := math.Float32bits(a) & 0x7FFFFFFF // scores are never negative; fold -0
	return int((uint64(b) - 1) >> 63)
}

func better(a, b hit) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// termScore is one term of a document in the forward index, with its contribution.
type termScore struct {
	t     term
	score float32
}

// buildForward keeps, per document, its terms sorted with their contributions, so that a
// few candidate documents can be scored without walking long postings lists.
func (x *bm25Index) buildForward() {
	x.fwd = make([][]termScore, x.n)
	for t, id := range x.ids {
		if isUnigram(t) || t>>32&pinyinMark != 0 {
			continue // matter checks use whole-word bigrams only
		}
		for _, p := range x.terms[id].postings {
			x.fwd[p.doc] = append(x.fwd[p.doc], termScore{t, p.score})
		}
	}
	for _, ts := range x.fwd {
		slices.SortFunc(ts, func(a, b termScore) int { return cmp.Compare(a.t, b.t) })
	}
}

// scoreDocs returns the score of each given document for the (deduplicated) query, from the
// forward index (buildForward must have been called): cheap for the handful of candidates a
// search returned. Each document's terms are walked in order and looked up in a small hash
// set of the query, so the sum runs in term order.
func (x *bm25Index) scoreDocs(q []term, qw []float32, docs []int, out []float64) []float64 {
	var kbuf [2 * maxTerms]term
	var wbuf [2 * maxTerms]float32
	size := 16
	for size < 2*len(q) {
		size *= 2
	}
	keys, ws := kbuf[:0], wbuf[:0]
	if size <= len(kbuf) {
		keys, ws = kbuf[:size], wbuf[:size]
	} else {
		keys, ws = make([]term, size), make([]float32, size)
	}
	mask := uint64(size - 1)
	zeroW, hasZero := float32(0), false
	for i, t := range q {
		if t == 0 {
			zeroW, hasZero = qw[i], true
			continue
		}
		k := u64map.Hash(t) & mask
		for keys[k] != 0 && keys[k] != t {
			k = (k + 1) & mask
		}
		keys[k], ws[k] = t, qw[i]
	}
	out = out[:0]
	for _, d := range docs {
		s := 0.0
		for _, ts := range x.fwd[d] {
			if ts.t == 0 {
				if hasZero {
					s += float64(zeroW * ts.score)
				}
				continue
			}
			for k := u64map.Hash(ts.t) & mask; keys[k] != 0; k = (k + 1) & mask {
				if keys[k] == ts.t {
					s += float64(ws[k] * ts.score)
					break
				}
			}
		}
		out = append(out, s)
	}
	return out
}
