package intake

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// decodeOptions make decoding strict where encoding/json is lenient and silent: a name
// given twice in one object (at any depth, case-insensitively for the known fields) and
// invalid UTF-8 (raw bytes or lone surrogate escapes like \udcff, which encoding/json turns
// into U+FFFD) are errors. Names match the fields as encoding/json matched them (in any
// letter case, "_" and "-" significant); unknown members are ignored.
var decodeOptions = json.JoinOptions(
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
	json.MatchCaseInsensitiveNames(true),
	jsonv1.MatchCaseSensitiveDelimiter(true),
)

// decodeJSON parses body into v: unknown fields are ignored (the platforms add fields);
// invalid UTF-8, duplicate names, wrong types and trailing data are errors (400 invalid_json).
// Nothing is ever rewritten: a body is taken as sent or refused.
func decodeJSON(body []byte, v any) *apiError {
	if !utf8.Valid(body) {
		return errorf(http.StatusBadRequest, codeInvalidJSON, "请求体不是有效的 UTF-8 文本")
	}
	err := json.Unmarshal(body, v, decodeOptions)
	if err == nil {
		return nil
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) && errors.Is(err, jsontext.ErrDuplicateName) {
		return errorf(http.StatusBadRequest, codeInvalidJSON, "字段 "+fieldPath(se.JSONPointer)+" 重复出现")
	}
	// The only invalid UTF-8 left after utf8.Valid is an escape (\ud800); its error is
	// not exported, so it is told by its text.
	if msg := err.Error(); strings.Contains(msg, "surrogate") || strings.Contains(msg, "invalid UTF-8") {
		return errorf(http.StatusBadRequest, codeInvalidJSON, "请求体含无效的 Unicode 转义（不是有效的 UTF-8）")
	}
	var te *json.SemanticError
	if errors.As(err, &te) && te.GoType != nil && te.JSONPointer != "" {
		return errorf(http.StatusBadRequest, codeInvalidJSON, "字段 "+fieldPath(te.JSONPointer)+" 的类型不正确")
	}
	return errorf(http.StatusBadRequest, codeInvalidJSON, "请求体不是有效的 JSON")
}

// maxPathChars bounds a field path quoted in an error message: names are the sender's.
const maxPathChars = 100

// fieldPath writes a JSON pointer as the field names of the contract: "/caller/phone" is
// caller.phone, "/attachments/0/url" attachments[0].url.
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 32); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	s := b.String()
	if utf8.RuneCountInString(s) > maxPathChars {
		s = string([]rune(s)[:maxPathChars]) + "…"
	}
	if s == "" {
		s = "（顶层）"
	}
	return s
}

// errCharset answers a JSON body declared in another charset than UTF-8 (415): it would
// be read as UTF-8 regardless, and turn into other text than was sent.
var errCharset = errorf(http.StatusUnsupportedMediaType, codeMediaType,
	"只接受 UTF-8 编码的 JSON：Content-Type 应为 application/json 或 application/json; charset=utf-8")

var errMediaType = errorf(http.StatusUnsupportedMediaType, codeMediaType, "Content-Type 必须是 application/json")

// checkJSONType accepts application/json without a charset or with charset=utf-8 (any
// case); other parameters are ignored.
func checkJSONType(ct string) *apiError {
	if ct == "application/json" || ct == "application/json; charset=utf-8" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return errMediaType
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errCharset
	}
	return nil
}
