package delivery

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"chengnuo/intake"
	"chengnuo/routing"
)

// secretKey carries a request's signing secret in its context to the OnBeforeRequest hook.
type secretKey struct{}

// responseLimit bounds how much of an answer is read; only a snippet is kept.
const responseLimit = 64 << 10

// configure installs the worker's hooks on c (a new client when nil). One try is exactly one
// HTTP request: resty's own retries are switched off (SetRetryCount(0), no conditions), so
// that every request a receiver sees is a try counted in the store and shown by
// `deliveries list`, and backoff, Retry-After and the target pause all go through the store.
// The signature is made in OnBeforeRequest, so each try carries a fresh timestamp.
func (w *Worker) configure(c *resty.Client) *resty.Client {
	if c == nil {
		c = resty.New()
	}
	c.SetLogger(quietLogger{}).
		SetHeader("User-Agent", "chengnuo-delivery/1").
		SetResponseBodyLimit(responseLimit).
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		})).
		OnBeforeRequest(w.sign).
		SetRetryCount(0)
	return c
}

// sign sets the signature header over the []byte body with the current time.
func (w *Worker) sign(_ *resty.Client, r *resty.Request) error {
	secret, _ := r.Context().Value(secretKey{}).([]byte)
	if len(secret) == 0 {
		r.Header.Del(intake.SignatureHeader)
		return nil
	}
	body, ok := r.Body.([]byte)
	if !ok {
		return errors.New("delivery: request body must be []byte to be signed")
	}
	r.Header.Set(intake.SignatureHeader, intake.Sign(secret, w.now(), body))
	return nil
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// snippet is the start of a response body (or error text) on one line for last_error, with
// phone and ID numbers masked as in any free text (routing.MaskText): last_error is shown in the CLI.
func snippet(b []byte) string {
	const maxBytes = 200
	if len(b) > maxBytes {
		b = b[:maxBytes] // a rune cut in two is dropped by ToValidUTF8
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "")), " ")
	return routing.MaskText(s) // a receiver may echo phones or ID numbers from the payload
}

// quietLogger drops resty's own log lines: the worker logs each outcome itself, with fields.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
