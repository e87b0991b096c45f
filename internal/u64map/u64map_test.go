package u64map

import (
	"math/rand/v2"
	"testing"
)

type key uint64

// TestTableMatchesMap: every stored key is found with its value, absent keys (0 included)
// are not, and the zero Table is empty.
func TestTableMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	m := map[key]int32{0: 7}
	for i := range 5000 {
		m[key(r.Uint64()>>uint(r.IntN(40)))] = int32(i)
	}
	m[1<<40], m[2<<40] = 1, 2 // same low bits: they must not collide for good
	tab := New(m)
	for k, v := range m {
		got, ok := tab.Get(k)
		if k == 0 {
			if ok {
				t.Errorf("key 0 found")
			}
			continue
		}
		if !ok || got != v {
			t.Errorf("Get(%d) = %d, %v; want %d", k, got, ok, v)
		}
	}
	for range 5000 {
		k := key(r.Uint64())
		if _, in := m[k]; in {
			continue
		}
		if v, ok := tab.Get(k); ok {
			t.Errorf("absent key %d found with %d", k, v)
		}
	}
	var zero Table[key]
	if _, ok := zero.Get(3); ok {
		t.Error("the zero table found a key")
	}
}
