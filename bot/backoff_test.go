package bot

import (
	"testing"
	"time"
)

// The waits after consecutive failures: 1 s doubling up to each loop's limit, and the
// sender's within ±20% of that.
func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		n     int
		limit time.Duration
		want  time.Duration
	}{
		{1, 30 * time.Second, time.Second}, {2, 30 * time.Second, 2 * time.Second},
		{5, 30 * time.Second, 16 * time.Second}, {6, 30 * time.Second, 30 * time.Second},
		{7, time.Minute, time.Minute}, {100, time.Minute, time.Minute},
		{9, 5 * time.Minute, 256 * time.Second}, {10, 5 * time.Minute, 5 * time.Minute},
	} {
		if got := doubling(c.n, c.limit); got != c.want {
			t.Errorf("doubling(%d, %v) = %v, want %v", c.n, c.limit, got, c.want)
		}
	}
	for n := 1; n <= 12; n++ {
		base := doubling(n, 5*time.Minute)
		if got := defaultBackoff(n); got < base*8/10 || got > base*12/10 {
			t.Errorf("defaultBackoff(%d) = %v, want within 20%% of %v", n, got, base)
		}
	}
}
