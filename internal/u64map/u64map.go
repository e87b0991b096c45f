// Package u64map is a read-only open-addressing hash table from 64-bit keys to int32
// values. The matcher (knowledge) and the classifier (routing) look up every term of a text
// in one; it is a few times faster than a Go map for such keys.
package u64map

// Table maps keys to values; it is built once and never changed. Key 0 marks an empty slot,
// so 0 cannot be stored (New leaves it out) and is never found.
type Table[K ~uint64] struct {
	keys []K
	vals []int32
	mask uint64
}

// New builds the table of m, at most half full.
func New[K ~uint64](m map[K]int32) Table[K] {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	t := Table[K]{keys: make([]K, size), vals: make([]int32, size), mask: uint64(size - 1)}
	for k, v := range m {
		if k == 0 {
			continue
		}
		i := Hash(k) & t.mask
		for t.keys[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.keys[i], t.vals[i] = k, v
	}
	return t
}

// Hash mixes the key's bits (a multiplicative hash; keys packed from code points would
// cluster on their low bits alone). Callers' own small hash sets of such keys use it too.
func Hash[K ~uint64](k K) uint64 {
	h := uint64(k) * 0x9E3779B97F4A7C15
	return h ^ h>>29
}

// Get returns k's value and whether k is in the table. The zero Table holds nothing.
func (t *Table[K]) Get(k K) (int32, bool) {
	if len(t.keys) == 0 || k == 0 {
		return 0, false
	}
	for i := Hash(k) & t.mask; ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case k:
			return t.vals[i], true
		case 0:
			return 0, false
		}
	}
}
