package intake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"chengnuo/routing"
)

// Error codes of the HTTP API, in the "code" of {"error": {"code", "message"}}. The routing
// codes (invalid, not_found, conflict, internal) are passed through as they are.
const (
	codeInvalidJSON   = "invalid_json"
	codeUnauthorized  = "unauthorized"
	codeTooLarge      = "payload_too_large"
	codeMediaType     = "unsupported_media_type"
	codeNotConfigured = "not_configured"
	codeBusy          = "busy"
	codeUnavailable   = "unavailable"
	codeMethod        = "method_not_allowed"
	codeTimeout       = "request_timeout"
)

// apiError is an error answer: HTTP status, code and a Chinese message safe to show.
type apiError struct {
	Status     int    `json:"-"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	RetryAfter int    `json:"-"` // seconds for the Retry-After header; 0: 1 s on a 503, none otherwise
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errorf(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

func invalid(msg string) *apiError { return errorf(http.StatusBadRequest, routing.EINVALID, msg) }

// errInternal never carries the cause: it is logged, not shown.
var errInternal = errorf(http.StatusInternalServerError, routing.EINTERNAL, "内部错误，请稍后重试")

// writeJSON writes v with status, without HTML escaping (texts hold "<url>" and "&").
// Encoding our own response types cannot fail.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer release(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"内部错误"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeError writes {"error": {"code", "message"}}; 503s (and 429s) say when to retry.
func writeError(w http.ResponseWriter, e *apiError) {
	switch {
	case e.RetryAfter > 0:
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	case e.Status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, e.Status, struct {
		Error *apiError `json:"error"`
	}{e})
}

// shanghai is China Standard Time; China has kept +08:00 without daylight saving since 1991.
var shanghai = time.FixedZone("CST", 8*60*60)

// stamp formats an instant as RFC 3339 in Asia/Shanghai, "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format(time.RFC3339)
}
