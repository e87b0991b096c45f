package intake

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"chengnuo/routing"
)

// tokenSet holds the department API tokens as SHA-256 sums, so that every comparison is
// constant-time and of equal length whatever the token presented.
type tokenSet []tokenEntry

type tokenEntry struct {
	sum  [sha256.Size]byte
	dept string
	mark string // tokenMark(sum): what a console session records of the token
}

func newTokenSet(tokens map[string]string) (tokenSet, error) {
	ts := make(tokenSet, 0, len(tokens))
	for tok, dept := range tokens {
		if strings.TrimSpace(tok) == "" || strings.TrimSpace(dept) == "" {
			return nil, errors.New("intake: a department API token and its department code must not be empty")
		}
		sum := sha256.Sum256([]byte(tok))
		ts = append(ts, tokenEntry{sum: sum, dept: dept, mark: tokenMark(sum)})
	}
	return ts, nil
}

// lookup returns the department of tok.
func (ts tokenSet) lookup(tok string) (string, bool) {
	e, ok := ts.find(tok)
	return e.dept, ok
}

// find returns tok's entry. It compares against every token, not stopping at a match, so
// the time taken says nothing about which tokens exist.
func (ts tokenSet) find(tok string) (tokenEntry, bool) {
	sum := sha256.Sum256([]byte(tok))
	var found tokenEntry
	for i := range ts {
		if subtle.ConstantTimeCompare(sum[:], ts[i].sum[:]) == 1 {
			found = ts[i]
		}
	}
	return found, found.dept != ""
}

// deptHandler is a department API handler, given the authenticated actor.
type deptHandler func(w http.ResponseWriter, r *http.Request, a routing.Actor)

// dept authenticates "Authorization: Bearer <token>": missing or unknown token, 401; an
// address with too many failures, 429 (authlimit.go). The optional X-Chengnuo-Clerk header
// names the clerk in the audit trail.
func (s *Server) dept(h deptHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		att, retry, allowed := s.auth.begin(r)
		if !allowed {
			writeError(w, tooManyFailures(retry))
			return
		}
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		code, ok := "", false
		if strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(tok) != "" {
			code, ok = s.tokens.lookup(strings.TrimSpace(tok))
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="chengnuo"`)
			writeError(w, errorf(http.StatusUnauthorized, codeUnauthorized, "缺少或无效的单位令牌"))
			return
		}
		att.succeeded()
		a := routing.Actor{Role: routing.RoleDepartment, Department: code, Name: "api"}
		if clerk, e := checkText("X-Chengnuo-Clerk", r.Header.Get("X-Chengnuo-Clerk"), false, maxName); e == nil && clerk != "" {
			a.Name = clerk
		}
		h(w, r, a)
	}
}

// deptError maps a routing error for the department API. Another department's case is
// 404 with the same message as a missing one, so that its existence is not revealed.
func (s *Server) deptError(w http.ResponseWriter, id string, err error) {
	var e *apiError
	switch routing.ErrorCode(err) {
	case routing.EINVALID:
		e = invalid(routing.ErrorMessage(err))
	case routing.ENOTFOUND, routing.EFORBIDDEN:
		e = errorf(http.StatusNotFound, routing.ENOTFOUND, fmt.Sprintf("未找到案件 %s", id))
	case routing.ECONFLICT:
		e = errorf(http.StatusConflict, routing.ECONFLICT, routing.ErrorMessage(err))
	default:
		s.log.Error("department API failed", "case_id", id, "err", err)
		e = unwritableOr(err, errInternal)
	}
	writeError(w, e)
}

// maxListLimit bounds one page of GET /v1/dept/cases.
const maxListLimit = 500

// farFuture stands for "any deadline": with it the store lists open cases by deadline.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// handleDeptList: GET /v1/dept/cases?status=&due_before=&limit=&offset=. Own cases only.
// Cases that still owe an answer come earliest deadline first; a status without a
// deadline (replied, closed, duplicate) lists newest first.
func (s *Server) handleDeptList(w http.ResponseWriter, r *http.Request, a routing.Actor) {
	q := r.URL.Query()
	f := routing.CaseFilter{Limit: 50}
	if v := q.Get("status"); v != "" {
		f.Status = routing.Status(v)
		if !f.Status.Valid() {
			writeError(w, invalid("未知状态 "+strconv.Quote(v)))
			return
		}
	}
	if v := q.Get("due_before"); v != "" {
		t, err := parseDueBefore(v)
		if err != nil {
			writeError(w, invalid("due_before 必须是 RFC 3339 时间或 YYYY-MM-DD 日期"))
			return
		}
		f.DueBefore = t
	} else if f.Status == "" || f.Status.Open() {
		f.DueBefore = farFuture
	}
	var e *apiError
	if f.Limit, e = intParam(q.Get("limit"), "limit", 50, 1, maxListLimit); e != nil {
		writeError(w, e)
		return
	}
	if f.Offset, e = intParam(q.Get("offset"), "offset", 0, 0, 1_000_000); e != nil {
		writeError(w, e)
		return
	}
	cs, err := s.cases.Cases(r.Context(), a, f)
	if err != nil {
		s.deptError(w, "", err)
		return
	}
	out := make([]DeptCaseSummary, 0, len(cs))
	for _, c := range cs {
		if c.Department == a.Department { // the service filters already; never rely on one check
			out = append(out, s.summary(c, a.Department))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": out, "limit": f.Limit, "offset": f.Offset})
}

// parseDueBefore accepts an instant or a date; a date means "by the end of that day"
// (Asia/Shanghai), so due_before=2026-11-27 includes deadlines at 18:00 that day.
func parseDueBefore(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, shanghai)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1), nil
}

func intParam(v, name string, def, lo, hi int) (int, *apiError) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalid(fmt.Sprintf("%s 必须是 %d 到 %d 之间的整数", name, lo, hi))
	}
	return n, nil
}

// handleDeptCase: GET /v1/dept/cases/{id}, the case with its events.
func (s *Server) handleDeptCase(w http.ResponseWriter, r *http.Request, a routing.Actor) {
	id := r.PathValue("id")
	c, err := s.cases.Case(r.Context(), a, id)
	if err == nil && c.Department != a.Department {
		err = routing.Errorf(routing.EFORBIDDEN, "not the department's case")
	}
	if err != nil {
		s.deptError(w, id, err)
		return
	}
	events, err := s.cases.Events(r.Context(), a, id)
	if err != nil {
		s.deptError(w, id, err)
		return
	}
	writeJSON(w, http.StatusOK, s.deptView(c, a.Department, events))
}

func (s *Server) handleDeptAccept(w http.ResponseWriter, r *http.Request, a routing.Actor) {
	var body struct{}
	s.deptAction(w, r, a, &body, true, func(ctx context.Context, id string) (*routing.Case, error) {
		return s.cases.Accept(ctx, a, id)
	})
}

func (s *Server) handleDeptReply(w http.ResponseWriter, r *http.Request, a routing.Actor) {
	var body struct {
		Reply string `json:"reply"`
	}
	s.deptAction(w, r, a, &body, false, func(ctx context.Context, id string) (*routing.Case, error) {
		return s.cases.Reply(ctx, a, id, body.Reply)
	})
}

func (s *Server) handleDeptReturn(w http.ResponseWriter, r *http.Request, a routing.Actor) {
	var body struct {
		Reason string `json:"reason"`
	}
	s.deptAction(w, r, a, &body, false, func(ctx context.Context, id string) (*routing.Case, error) {
		return s.cases.Return(ctx, a, id, body.Reason)
	})
}

func (s *Server) handleDeptExtension(w http.ResponseWriter, r *http.Request, a routing.Actor) {
	var body struct {
		Days   int    `json:"days"`
		Reason string `json:"reason"`
	}
	s.deptAction(w, r, a, &body, false, func(ctx context.Context, id string) (*routing.Case, error) {
		return s.cases.RequestExtension(ctx, a, id, body.Days, body.Reason)
	})
}

// deptAction reads the body into v, runs act and answers 200 with the case as it now is
// (after a return the case belongs to the triage desk and the complainant is no longer shown).
func (s *Server) deptAction(w http.ResponseWriter, r *http.Request, a routing.Actor, v any, emptyOK bool,
	act func(ctx context.Context, id string) (*routing.Case, error)) {
	id := r.PathValue("id")
	if e := readJSON(w, r, v, emptyOK); e != nil {
		writeError(w, e)
		return
	}
	c, err := act(r.Context(), id)
	if err != nil {
		s.deptError(w, id, err)
		return
	}
	s.log.Info("department action", "case_id", id, "department", a.Department, "status", c.Status)
	writeJSON(w, http.StatusOK, s.deptView(c, a.Department, nil))
}
