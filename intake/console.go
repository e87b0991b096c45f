package intake

// The department console (/console/): a server-rendered page where a department clerk
// signs in with the department's API token and works the department's queue.
//
// Sessions: signing in with a valid token (and the clerk's name for the audit trail)
// creates a random 256-bit session id. The session (department code, the clerk's name, a
// per-session CSRF token, a mark of the token used and an absolute expiry,
// consoleSessionTTL on the server's clock) is kept by Deps.ConsoleSessions under the id's
// SHA-256 (console_sessions.go): in the database, so a restart signs no one out, and a copy
// of the database signs no one in. The browser holds only the id, in an HttpOnly,
// SameSite=Strict cookie scoped to /console/ (Secure when served over TLS), with no
// Expires, so it ends with the browser too. Signing out deletes the session on the server;
// a session whose department token is no longer configured has ended.
//
// CSRF: every POST carries the session's CSRF token in a hidden "csrf" field, compared in
// constant time; a missing or wrong token is 403. The sign-in form, which has no session
// yet, uses a double-submit token: GET /console/login sets a short-lived pre-session
// cookie and the same value in the form. Besides, a POST whose Origin (or, without
// Origin, Referer) names another host than the request's is 403.
//
// The complainant is shown masked (routing.Complainant.Masked) even to the assigned
// department, and so are the phones, ID-card numbers and names typed into the text, the
// reply and the reasons (routing.MaskText): the console is read on shared office screens and
// phones; the full number stays available through the department API, and on the console
// through 显示号码 (POST …/reveal), which records a reveal_contact event before it shows the
// number on that one answer, and is refused for anonymous cases and 举报.

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"chengnuo/routing"
)

//go:embed console_templates/*.html console_templates/*.css
var consoleFS embed.FS

const (
	consoleCookie     = "chengnuo_console"
	consolePreCookie  = "chengnuo_console_login"
	consoleSessionTTL = 8 * time.Hour
	consoleMaxForm    = routing.MaxReplyRunes*12 + 8<<10 // a reply at its cap, each character up to 4 bytes sent as %XX
	consoleQueueLimit = 200
	consoleDoneLimit  = 50
)

var consoleCSP = "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// console serves /console/.
type console struct {
	s        *Server
	sessions ConsoleSessionStore
	pages    map[string]*template.Template
}

// consoleHandler builds the console's handler, mounted at /console/ by routes.
func (s *Server) consoleHandler() http.Handler {
	c := &console{s: s, sessions: s.sessions, pages: map[string]*template.Template{}}
	if c.sessions == nil {
		c.sessions = newMemorySessions()
	}
	funcs := template.FuncMap{"when": consoleTime}
	for _, p := range []string{"login", "queue", "case", "error"} {
		c.pages[p] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(consoleFS, "console_templates/layout.html", "console_templates/"+p+".html"))
	}
	css, err := consoleFS.ReadFile("console_templates/console.css")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /console/{$}", c.handleQueue)
	mux.HandleFunc("GET /console/login", c.handleLoginForm)
	mux.HandleFunc("POST /console/login", c.handleLogin)
	mux.HandleFunc("POST /console/logout", c.handleLogout)
	mux.HandleFunc("GET /console/cases/{id}", c.handleCase)
	mux.HandleFunc("POST /console/cases/{id}/{action}", c.handleAction)
	mux.HandleFunc("GET /console/console.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(css)
	})
	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r, "/console/"); allow != "" {
			w.Header().Set("Allow", allow)
			c.errorPage(w, r, http.StatusMethodNotAllowed, "该页面不支持此请求方法")
			return
		}
		c.errorPage(w, r, http.StatusNotFound, "页面不存在")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", consoleCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// consoleTime formats an instant for a clerk: "2026-11-25 18:00", "" for zero.
func consoleTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(shanghai).Format("2006-01-02 15:04")
}

// session returns the request's live session and its store key. A session the store cannot
// read is treated as none (the clerk signs in again) and logged.
func (c *console) session(r *http.Request) (*consoleSession, string, bool) {
	ck, err := r.Cookie(consoleCookie)
	if err != nil || ck.Value == "" {
		return nil, "", false
	}
	key := sessionKey(ck.Value)
	now := c.s.now()
	data, ok, err := c.sessions.ConsoleSession(r.Context(), key, now)
	if err != nil {
		c.s.log.Error("console: read session", "err", err)
		return nil, "", false
	}
	var sess consoleSession
	if !ok || json.Unmarshal([]byte(data), &sess) != nil || !c.s.tokens.holds(sess.Dept, sess.Token) {
		return nil, "", false
	}
	return &sess, key, true
}

// sameOrigin: a POST's Origin, or without one its Referer, must name the request's host.
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return true
	}
	u, err := url.Parse(src)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// formUTF8 reports whether every name and value of f is valid UTF-8.
func formUTF8(f url.Values) bool {
	for k, vs := range f {
		if !utf8.ValidString(k) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}

func tokensEqual(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// checkPost parses the form and checks the origin and the CSRF token against want.
func (c *console) checkPost(w http.ResponseWriter, r *http.Request, want string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, consoleMaxForm)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "表单无效")
		return false
	}
	if !formUTF8(r.PostForm) { // refused rather than stored with U+FFFD or raw bytes
		c.errorPage(w, r, http.StatusBadRequest, "表单含无效的 UTF-8 字符")
		return false
	}
	if !sameOrigin(r) || !tokensEqual(r.PostForm.Get("csrf"), want) {
		c.errorPage(w, r, http.StatusForbidden, "请求校验失败（页面已过期或来源不符），请返回重新操作")
		return false
	}
	return true
}

func (c *console) cookie(r *http.Request, name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode}
}

func (c *console) render(w http.ResponseWriter, status int, page string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	if err := c.pages[page].Execute(&b, data); err != nil {
		c.s.log.Error("console: render", "page", page, "err", err)
		http.Error(w, "内部错误", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

func (c *console) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	data := map[string]any{"Title": "出错了", "Status": status, "Message": msg}
	if sess, _, ok := c.session(r); ok {
		data["Session"] = sess
	}
	c.render(w, status, "error", data)
}

func (c *console) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := c.session(r); ok {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
		return
	}
	tok := randomToken()
	http.SetCookie(w, c.cookie(r, consolePreCookie, tok, "/console/login", 1800))
	c.render(w, http.StatusOK, "login", map[string]any{"Title": "单位登录", "CSRF": tok})
}

func (c *console) handleLogin(w http.ResponseWriter, r *http.Request) {
	pre, _ := r.Cookie(consolePreCookie)
	want := ""
	if pre != nil {
		want = pre.Value
	}
	if !c.checkPost(w, r, want) {
		return
	}
	http.SetCookie(w, c.cookie(r, consolePreCookie, "", "/console/login", -1))
	clerk, e := checkText("姓名", r.PostForm.Get("clerk"), true, maxName)
	if e != nil {
		c.errorPage(w, r, http.StatusBadRequest, "请填写经办人姓名（不超过 50 字）")
		return
	}
	att, retry, allowed := c.s.auth.begin(r)
	if !allowed {
		secs := retryAfterSeconds(retry)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		c.errorPage(w, r, http.StatusTooManyRequests, "登录失败次数过多，请 "+strconv.Itoa(secs)+" 秒后再试")
		return
	}
	tok, ok := c.s.tokens.find(strings.TrimSpace(r.PostForm.Get("token")))
	dept := tok.dept
	if !ok {
		c.s.log.Warn("console: sign-in refused", "remote", r.RemoteAddr)
		c.errorPage(w, r, http.StatusUnauthorized, "单位令牌无效，未登录")
		return
	}
	att.succeeded()
	now := c.s.now()
	sess := consoleSession{Dept: dept, DeptName: c.deptName(dept), Clerk: clerk, CSRF: randomToken(),
		Token: tok.mark, Expires: now.Add(consoleSessionTTL)}
	data, err := json.Marshal(sess)
	id := randomToken()
	if err == nil {
		err = c.sessions.SaveConsoleSession(r.Context(), sessionKey(id), string(data), sess.Expires, now)
	}
	if err != nil {
		c.s.log.Error("console: save session", "department", dept, "err", err)
		c.errorPage(w, r, http.StatusInternalServerError, "暂时无法登录，请稍后重试")
		return
	}
	http.SetCookie(w, c.cookie(r, consoleCookie, id, "/console/", 0))
	c.s.log.Info("console: signed in", "department", dept, "clerk_ref", clerkRef(tok.mark, clerk))
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

func (c *console) handleLogout(w http.ResponseWriter, r *http.Request) {
	sess, key, ok := c.session(r)
	if !ok {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	if !c.checkPost(w, r, sess.CSRF) {
		return
	}
	if err := c.sessions.DeleteConsoleSession(r.Context(), key); err != nil {
		c.s.log.Error("console: delete session", "department", sess.Dept, "err", err)
	}
	http.SetCookie(w, c.cookie(r, consoleCookie, "", "/console/", -1))
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// queueRow is one line of the queue.
type queueRow struct {
	ID, Type, Status, StatusLabel, Excerpt string
	Received, AcceptBy, Deadline           time.Time
	Overdue, Open                          bool
	Late                                   bool // answered after its deadline (超期答复)
}

func (c *console) handleQueue(w http.ResponseWriter, r *http.Request) {
	sess, _, ok := c.session(r)
	if !ok {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	a := sess.actor()
	open, err := c.s.cases.Cases(r.Context(), a, routing.CaseFilter{Department: sess.Dept, DueBefore: farFuture, Limit: consoleQueueLimit})
	if err != nil {
		c.failed(w, r, "queue", err)
		return
	}
	var done []*routing.Case
	for _, st := range []routing.Status{routing.StatusReplied, routing.StatusClosed} {
		cs, err := c.s.cases.Cases(r.Context(), a, routing.CaseFilter{Department: sess.Dept, Status: st, Limit: consoleDoneLimit})
		if err != nil {
			c.failed(w, r, "queue", err)
			return
		}
		done = append(done, cs...)
	}
	sort.SliceStable(open, func(i, j int) bool { return open[i].DueAt().Before(open[j].DueAt()) })
	sort.SliceStable(done, func(i, j int) bool { return done[i].ReceivedAt.After(done[j].ReceivedAt) })
	now := c.s.now()
	row := func(k *routing.Case) queueRow {
		return queueRow{ID: k.ID, Type: string(k.Type), Status: string(k.Status), StatusLabel: routing.StatusLabel(k.Status),
			Excerpt: excerpt(routing.MaskText(k.Text, k.Complainant.Name), 40), Received: k.ReceivedAt, AcceptBy: k.AcceptBy, Deadline: k.Deadline(),
			Overdue: overdue(k, now), Open: k.Status.Open(), Late: k.CurrentRound().AnsweredLate()}
	}
	var openRows, doneRows []queueRow
	overdueN := 0
	for _, k := range open {
		if k.Department == sess.Dept {
			openRows = append(openRows, row(k))
			if overdue(k, now) {
				overdueN++
			}
		}
	}
	for _, k := range done {
		if k.Department == sess.Dept {
			doneRows = append(doneRows, row(k))
		}
	}
	c.render(w, http.StatusOK, "queue", map[string]any{"Title": "待办案件", "Session": sess,
		"DeptName": c.deptName(sess.Dept), "Flash": consoleFlash[r.URL.Query().Get("done")], "Open": openRows, "Done": doneRows, "OverdueN": overdueN, "Now": now})
}

func (c *console) deptName(code string) string {
	if c.s.dir != nil {
		if n := c.s.dir.Name(code); n != "" {
			return n
		}
	}
	return code
}

// failed answers a routing error: another department's case is 404 like a missing one.
func (c *console) failed(w http.ResponseWriter, r *http.Request, id string, err error) {
	switch routing.ErrorCode(err) {
	case routing.ENOTFOUND, routing.EFORBIDDEN:
		c.errorPage(w, r, http.StatusNotFound, "未找到案件 "+id)
	default:
		c.s.log.Error("console failed", "case_id", id, "err", err)
		c.errorPage(w, r, http.StatusInternalServerError, "内部错误，请稍后再试")
	}
}

// ownCase reads the session department's case; another department's is ENOTFOUND.
func (c *console) ownCase(ctx context.Context, sess *consoleSession, id string) (*routing.Case, error) {
	k, err := c.s.cases.Case(ctx, sess.actor(), id)
	if err == nil && k.Department != sess.Dept {
		err = routing.Errorf(routing.ENOTFOUND, "not the department's case")
	}
	return k, err
}

var consoleFlash = map[string]string{
	"accept": "已签收。", "reply": "已答复。", "return": "已退回分拨中心。", "extension": "延期申请已提交。",
}

func (c *console) handleCase(w http.ResponseWriter, r *http.Request) {
	sess, _, ok := c.session(r)
	if !ok {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	c.showCase(w, r, sess, r.PathValue("id"), http.StatusOK, consoleFlash[r.URL.Query().Get("done")], "", "")
}

// showCase renders the case page; phone, when set, is the complainant's number the clerk has
// just asked to see (显示号码), shown in full on this one answer only.
func (c *console) showCase(w http.ResponseWriter, r *http.Request, sess *consoleSession, id string, status int, flash, problem, phone string) {
	k, err := c.ownCase(r.Context(), sess, id)
	if err != nil {
		c.failed(w, r, id, err)
		return
	}
	events, err := c.s.cases.Events(r.Context(), sess.actor(), id)
	if err != nil {
		c.failed(w, r, id, err)
		return
	}
	v := c.s.deptView(k, sess.Dept, nil)
	var who *routing.Complainant
	if v.Complainant != nil {
		m := v.Complainant.Masked()
		who = &m
	}
	type ev struct {
		At                               time.Time
		Action, Label, Actor, Reason, To string
	}
	evs := make([]ev, 0, len(events))
	for _, e := range events {
		evs = append(evs, ev{At: e.At, Action: string(e.Action), Label: routing.ActionLabel(e.Action),
			Actor: c.actorLabel(e.Actor), Reason: routing.MaskText(e.Reason, k.Complainant.Name), To: routing.StatusLabel(e.ToStatus)})
	}
	st := k.Status
	c.render(w, status, "case", map[string]any{"Title": "案件 " + k.ID, "Session": sess, "Case": k.MaskedCopy(), "View": v,
		"StatusLabel": routing.StatusLabel(st), "Who": who, "Events": evs, "Flash": flash, "Problem": problem,
		"Channel": routing.ChannelLabel(k.Channel), "Street": c.orgName(k.Street), "Department": c.orgName(k.Department),
		"Items": c.items(r.Context(), k.Items), "Phone": phone,
		"CanReveal":    phone == "" && showComplainant(k, sess.Dept) && k.Complainant.Phone != "",
		"AnsweredLate": k.CurrentRound().AnsweredLate(),
		"Overdue":      overdue(k, c.s.now()),
		"CanAccept":    st == routing.StatusDispatched || st == routing.StatusReopened,
		"CanReply":     st == routing.StatusAccepted || st == routing.StatusExtensionRequested || st == routing.StatusReopened,
		"CanReturn":    st == routing.StatusDispatched || st == routing.StatusAccepted || st == routing.StatusReopened,
		"CanExtend":    st == routing.StatusAccepted && k.ExtensionDays == 0})
}

func (c *console) handleAction(w http.ResponseWriter, r *http.Request) {
	sess, _, ok := c.session(r)
	if !ok {
		c.errorPage(w, r, http.StatusForbidden, "登录已过期，请重新登录")
		return
	}
	if !c.checkPost(w, r, sess.CSRF) {
		return
	}
	id, action := r.PathValue("id"), r.PathValue("action")
	a := sess.actor()
	// Own case first: another department's case is 404 whatever the action or its input.
	if _, err := c.ownCase(r.Context(), sess, id); err != nil {
		c.failed(w, r, id, err)
		return
	}
	var err error
	f := r.PostForm
	switch action {
	case "accept":
		_, err = c.s.cases.Accept(r.Context(), a, id)
	case "reply":
		_, err = c.s.cases.Reply(r.Context(), a, id, strings.TrimSpace(f.Get("reply")))
	case "return":
		_, err = c.s.cases.Return(r.Context(), a, id, strings.TrimSpace(f.Get("reason")))
	case "extension":
		days, convErr := strconv.Atoi(strings.TrimSpace(f.Get("days")))
		if convErr != nil {
			c.showCase(w, r, sess, id, http.StatusBadRequest, "", "延期天数必须是整数", "")
			return
		}
		_, err = c.s.cases.RequestExtension(r.Context(), a, id, days, strings.TrimSpace(f.Get("reason")))
	case "reveal":
		// The look is recorded first (an event in the history); only then is the number shown,
		// on this answer alone: a reload or another clerk sees it masked again.
		var k *routing.Case
		if k, err = c.s.cases.RevealContact(r.Context(), a, id); err == nil {
			c.s.log.Info("console action", "case_id", id, "department", sess.Dept, "clerk_ref", clerkRef(sess.Token, sess.Clerk), "action", action)
			c.showCase(w, r, sess, id, http.StatusOK, "号码已显示，本次查看已记入办理记录。", "", k.Complainant.Phone)
			return
		}
	default:
		c.errorPage(w, r, http.StatusNotFound, "页面不存在")
		return
	}
	if err != nil {
		switch routing.ErrorCode(err) {
		case routing.EINVALID:
			c.showCase(w, r, sess, id, http.StatusBadRequest, "", routing.ErrorMessage(err), "")
		case routing.ECONFLICT:
			c.showCase(w, r, sess, id, http.StatusConflict, "", routing.ErrorMessage(err), "")
		case routing.EFORBIDDEN:
			if action != "reveal" {
				c.failed(w, r, id, err)
				break
			}
			// An anonymous case or a 举报: the number is never shown.
			c.showCase(w, r, sess, id, http.StatusForbidden, "", routing.ErrorMessage(err), "")
		default:
			c.failed(w, r, id, err)
		}
		return
	}
	c.s.log.Info("console action", "case_id", id, "department", sess.Dept, "clerk_ref", clerkRef(sess.Token, sess.Clerk), "action", action)
	if action == "return" { // the case now belongs to the triage desk
		http.Redirect(w, r, "/console/?done=return", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/console/cases/"+url.PathEscape(id)+"?done="+action, http.StatusSeeOther)
}
