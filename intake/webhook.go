package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
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
// secret configured (503), content type (415), size (413, read through http.MaxBytesReader,
// never more than the limit), signature over the raw body (401). Nothing is parsed before
// the signature is verified. The caller must call release with the buffer when done.
func (s *Server) readSigned(w http.ResponseWriter, r *http.Request, secret []byte, name string) (*bytes.Buffer, *apiError) {
	if len(secret) == 0 {
		return nil, errorf(http.StatusServiceUnavailable, codeNotConfigured, "未配置密钥："+name+"接口暂不可用")
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		return nil, errorf(http.StatusUnsupportedMediaType, codeMediaType, "Content-Type 必须是 application/json")
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
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errTooLarge
		}
		return nil, invalid("读取请求体失败")
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

// isJSON accepts application/json with any parameters (charset=utf-8).
func isJSON(ct string) bool {
	if ct == "application/json" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// decodeJSON parses body into v: unknown fields are ignored (the platforms add fields),
// wrong types and trailing data are errors.
func decodeJSON(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errorf(http.StatusBadRequest, codeInvalidJSON, "字段 "+te.Field+" 的类型不正确")
		}
		return errorf(http.StatusBadRequest, codeInvalidJSON, "请求体不是有效的 JSON")
	}
	return nil
}

// readJSON reads a small JSON body of the department API (at most 64 KiB). An empty body
// is allowed when v may stay zero (accept).
func readJSON(w http.ResponseWriter, r *http.Request, v any, emptyOK bool) *apiError {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return errorf(http.StatusUnsupportedMediaType, codeMediaType, "Content-Type 必须是 application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errorf(http.StatusRequestEntityTooLarge, codeTooLarge, "请求体超过 64 KiB")
		}
		return invalid("读取请求体失败")
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
