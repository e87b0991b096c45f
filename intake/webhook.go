package intake

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxBodyBytes is the largest webhook body accepted (1 MiB); larger ones get 413.
const MaxBodyBytes = 1 << 20

// bufPool recycles body buffers: at thousands of tickets a second, reading each body into
// a fresh growing slice is a noticeable share of the garbage.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readSigned checks a webhook request in the order that costs least and reveals least:
// secret configured (503), content type and charset (415), size (413, read through
// http.MaxBytesReader, never more than the limit; 408 when the body arrives too slowly for
// the server's read deadline), signature over the raw body (401). Nothing is parsed before
// the signature is verified. The caller must call release with the buffer when done.
func (s *Server) readSigned(w http.ResponseWriter, r *http.Request, secret []byte, name string) (*bytes.Buffer, *apiError) {
	if len(secret) == 0 {
		return nil, errorf(http.StatusServiceUnavailable, codeNotConfigured, "未配置密钥："+name+"接口暂不可用")
	}
	if e := checkJSONType(r.Header.Get("Content-Type")); e != nil {
		return nil, e
	}
	if r.ContentLength > MaxBodyBytes {
		return nil, errTooLarge
	}
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		release(buf)
		return nil, readError(err, errTooLarge)
	}
	if err := Verify(secret, r.Header.Get(SignatureHeader), buf.Bytes(), s.now()); err != nil {
		release(buf)
		return nil, errorf(http.StatusUnauthorized, codeUnauthorized, err.Error())
	}
	return buf, nil
}

var errTooLarge = errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "请求体超过 1 MiB")

// release returns a body buffer to the pool; huge ones are dropped so the pool stays small.
func release(buf *bytes.Buffer) {
	if buf.Cap() <= 64<<10 {
		bufPool.Put(buf)
	}
}

var errBodyTimeout = errorf(http.StatusRequestTimeout, codeTimeout, "读取请求体超时，请重新发送")

// readError answers a failed body read: too large (tooLarge), too slow (408: the server's
// read deadline passed while the body was still arriving), or cut off (400).
func readError(err error, tooLarge *apiError) *apiError {
	var mb *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mb):
		return tooLarge
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout()):
		return errBodyTimeout
	default:
		return invalid("读取请求体失败")
	}
}

// readJSON reads a small JSON body of the department API (at most 64 KiB). An empty body
// is allowed when v may stay zero (accept).
func readJSON(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) *apiError {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if e := checkJSONType(ct); e != nil {
			return e
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return readError(err, errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "请求体超过 64 KiB"))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if emptyOK {
			return nil
		}
		return errorf(http.StatusBadRequest, codeInvalidJSON, "请求体不能为空")
	}
	return decodeJSON(body, v)
}

// parseTime reads a required RFC 3339 instant.
func parseTime(field, v string) (time.Time, *apiError) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, invalid("缺少 " + field)
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, invalid(field + " 必须是 RFC 3339 时间，如 2026-11-25T09:30:00+08:00")
	}
	return t, nil
}

// checkText trims v and checks it against the limits, counted in characters.
func checkText(field, v string, required bool, maxChars int) (string, *apiError) {
	v = strings.TrimSpace(v)
	if v == "" && required {
		return "", invalid(field + " 不能为空")
	}
	if utf8.RuneCountInString(v) > maxChars {
		return "", invalid(field + " 过长")
	}
	return v, nil
}

// checkRef checks an idempotency key (ticket_no, message_id): 1 to 64 characters, no
// spaces or control characters.
func checkRef(field, v string) (string, *apiError) {
	v, e := checkText(field, v, true, 64)
	if e != nil {
		return "", e
	}
	for _, r := range v {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", invalid(field + " 不能含空白或控制字符")
		}
	}
	return v, nil
}
