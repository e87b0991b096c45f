package routing

// scratch is the working memory of one classification, pooled so that Classify allocates
// little more than its decision.
type scratch struct {
	r       []rune
	off     []int32
	ms      []mention
	items   []ItemMatch
	dfeats  []int32
	seen    []uint64 // bitmap over the models' vocabulary, all zero between uses
	tfeats  []int32
	dpost   []ClassProb
	tpost   []ClassProb
	hits    cueHits
	ballot  ballot
	depts   []string
	reasons []int32 // spans of the mention reasons written, for voteMentions' deduplication
	out     []int32 // spans of the decision's reasons
}

// id returns the number of a department code, giving codes unknown at build time (an item's
// department) a number for this classification only; -1 for the empty code.
func (c *Classifier) id(b *ballot, code string) int32 {
	if code == "" {
		return -1
	}
	if id, ok := c.codeID[code]; ok {
		return id
	}
	for i, x := range b.extra {
		if x == code {
			return int32(len(c.codes) + i)
		}
	}
	b.extra = append(b.extra, code)
	b.score = append(b.score, 0)
	b.touched = append(b.touched, false)
	return int32(len(c.codes) + len(b.extra) - 1)
}

func (c *Classifier) code(b *ballot, id int32) string {
	if int(id) < len(c.codes) {
		return c.codes[id]
	}
	return b.extra[int(id)-len(c.codes)]
}

// shortName is shortName(c.dir, code), precomputed for the codes known at build time.
func (c *Classifier) shortName(code string) string {
	if id, ok := c.codeID[code]; ok {
		return c.short[id]
	}
	return shortName(c.dir, code)
}

// ballot collects weighted votes for departments, each with the reason a clerk reads. The
// reasons are written one after another into buf; recs says whose each one is.
type ballot struct {
	score   []float64 // by code id
	touched []bool    // the code received a vote
	extra   []string  // codes numbered during this classification
	buf     []byte
	recs    []reasonRec
}

// reasonRec is one reason of a department: buf[start:end].
type reasonRec struct {
	id         int32
	start, end int32
}

func (b *ballot) reset(n int) {
	b.score = resize(b.score, n)
	if cap(b.touched) < n {
		b.touched = make([]bool, n)
	}
	b.touched = b.touched[:n]
	clear(b.touched)
	b.extra, b.buf, b.recs = b.extra[:0], b.buf[:0], b.recs[:0]
}

// add counts a vote; the reason is what was written to buf since mark (none when empty).
func (b *ballot) add(id int32, w float64, mark int) {
	if id < 0 || w <= 0 {
		return
	}
	b.score[id] += w
	b.touched[id] = true
	if len(b.buf) > mark {
		b.recs = append(b.recs, reasonRec{id, int32(mark), int32(len(b.buf))})
	}
}

// top returns the best and the second best code (-1 when none) and how many codes got votes:
// the first two of the ranking by score, then code.
func (c *Classifier) top(b *ballot) (first, second int32, n int) {
	first, second = -1, -1
	better := func(i, j int32) bool {
		if b.score[i] != b.score[j] {
			return b.score[i] > b.score[j]
		}
		return c.code(b, i) < c.code(b, j)
	}
	for i, ok := range b.touched {
		if !ok {
			continue
		}
		n++
		id := int32(i)
		switch {
		case first < 0 || better(id, first):
			first, second = id, first
		case second < 0 || better(id, second):
			second = id
		}
	}
	return first, second, n
}
