package intake

import "testing"

// BenchmarkDecodeTicket is the JSON decoding of one hotline ticket alone (the part of
// BenchmarkIntake that the strict decoder changes). The tickets differ, as real ones do:
// decoding one body over and over would only measure the decoder's string cache.
func BenchmarkDecodeTicket(b *testing.B) {
	bodies := make([][]byte, 4096)
	size := 0
	for i := range bodies {
		bodies[i] = benchTicket(int64(i))
		size += len(bodies[i])
	}
	b.SetBytes(int64(size / len(bodies)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var t HotlineTicket
		if e := decodeJSON(bodies[i%len(bodies)], &t); e != nil {
			b.Fatal(e)
		}
		i++
	}
}
