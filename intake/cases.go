package intake

import (
	"fmt"
	"net/http"

	"chengnuo/routing"
)

// handleChannelCase: GET /v1/cases/{id} for the hotline and the portal. The request is
// signed like a webhook, with the request path standing in for the body:
//
//	X-Chengnuo-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>./v1/cases/<id>")>
//
// (Sign(secret, now, []byte(path)) with the path as sent, percent-escapes included). The
// hotline secret opens hotline cases, the portal secret portal cases; any other case is 404.
// The view has status, department, deadlines and the reply, never the text or the caller.
func (s *Server) handleChannelCase(w http.ResponseWriter, r *http.Request) {
	if len(s.hotline) == 0 && len(s.portal) == 0 {
		writeError(w, errorf(http.StatusServiceUnavailable, codeNotConfigured, "未配置密钥：查询接口暂不可用"))
		return
	}
	att, retry, allowed := s.auth.begin(r)
	if !allowed {
		writeError(w, tooManyFailures(retry))
		return
	}
	sig, path, now := r.Header.Get(SignatureHeader), []byte(r.URL.EscapedPath()), s.now()
	var ch routing.Channel
	var verr error = ErrNoSignature
	for _, k := range []struct {
		ch     routing.Channel
		secret []byte
	}{{routing.ChannelHotline, s.hotline}, {routing.ChannelPortal, s.portal}} {
		if len(k.secret) == 0 {
			continue
		}
		if verr = Verify(k.secret, sig, path, now); verr == nil {
			ch = k.ch
			break
		}
	}
	if ch == "" {
		writeError(w, errorf(http.StatusUnauthorized, codeUnauthorized, verr.Error()))
		return
	}
	att.succeeded()
	id := r.PathValue("id")
	c, err := s.cases.Case(r.Context(), routing.System, id)
	if err == nil && c.Channel != ch {
		err = routing.Errorf(routing.ENOTFOUND, "other channel")
	}
	switch routing.ErrorCode(err) {
	case "":
		writeJSON(w, http.StatusOK, s.statusView(c))
	case routing.ENOTFOUND:
		writeError(w, errorf(http.StatusNotFound, routing.ENOTFOUND, fmt.Sprintf("未找到案件 %s", id)))
	default:
		s.log.Error("case lookup failed", "case_id", id, "err", err)
		writeError(w, errInternal)
	}
}
