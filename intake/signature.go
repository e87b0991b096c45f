// Package intake is chengnuo's HTTP side: the 12345 hotline and portal webhooks, the
// department API, health and metrics. It knows nothing of Telegram.
package intake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>",
// the same scheme inbound and outbound (Stripe-Signature / Standard Webhooks style).
const SignatureHeader = "X-Chengnuo-Signature"

// SignatureTolerance is how far a signature's timestamp may be from our clock.
const SignatureTolerance = 300 * time.Second

// Sign returns the signature header value for body at time t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Errors of signature verification; all map to 401.
var (
	ErrNoSignature    = errors.New("缺少签名头 " + SignatureHeader)
	ErrBadSignature   = errors.New("签名格式错误或签名不匹配")
	ErrStaleSignature = errors.New("签名时间戳超出允许范围（±300 秒）")
)

// Verify checks a signature header against body. Several v1 values are allowed (secret
// rotation); the comparison is constant-time.
func Verify(secret []byte, header string, body []byte, now time.Time) error {
	if header == "" {
		return ErrNoSignature
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrBadSignature
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return ErrStaleSignature
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}
