package knowledge

// termTable is a read-only open-addressing hash table from term to a position, built once
// per index. Queries look up every term in several indexes; this is a few times faster than
// a general map for 64-bit keys.
type termTable struct {
	keys []term // 0 marks an empty slot (no term is 0: a unit code is never 0)
	vals []int32
	mask uint64
}

func newTermTable(m map[term]int32) termTable {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	tt := termTable{keys: make([]term, size), vals: make([]int32, size), mask: uint64(size - 1)}
	for t, v := range m {
		i := hashTerm(t) & tt.mask
		for tt.keys[i] != 0 {
			i = (i + 1) & tt.mask
		}
		tt.keys[i], tt.vals[i] = t, v
	}
	return tt
}

// hashTerm mixes the key's bits (a multiplicative hash; keys are packed code points, so
// their low bits alone would cluster).
func hashTerm(t term) uint64 {
	h := uint64(t) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}

func (tt *termTable) get(t term) (int32, bool) {
	if len(tt.keys) == 0 || t == 0 {
		return 0, false
	}
	for i := hashTerm(t) & tt.mask; ; i = (i + 1) & tt.mask {
		switch tt.keys[i] {
		case t:
			return tt.vals[i], true
		case 0:
			return 0, false
		}
	}
}
