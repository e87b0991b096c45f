package intake

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	secret := []byte("s3cret")
	body := []byte(`{"ticket_no":"BQ12345-20261125-0001"}`)
	now := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	good := Sign(secret, now, body)
	cases := []struct {
		name   string
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"good", good, body, now, nil},
		{"good within tolerance", good, body, now.Add(299 * time.Second), nil},
		{"clock behind", good, body, now.Add(-299 * time.Second), nil},
		{"stale", good, body, now.Add(301 * time.Second), ErrStaleSignature},
		{"future", good, body, now.Add(-301 * time.Second), ErrStaleSignature},
		{"missing", "", body, now, ErrNoSignature},
		{"body changed", good, []byte(`{"ticket_no":"BQ12345-20261125-0002"}`), now, ErrBadSignature},
		{"other secret", Sign([]byte("other"), now, body), body, now, ErrBadSignature},
		{"garbage", "nonsense", body, now, ErrBadSignature},
		{"no v1", "t=" + strings.Split(good, ",")[0][2:], body, now, ErrBadSignature},
		{"rotation: second v1 matches", Sign([]byte("old"), now, body) + "," + strings.Split(good, ",")[1], body, now, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := Verify(secret, c.header, c.body, c.now); !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}
