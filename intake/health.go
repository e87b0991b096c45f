package intake

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// WriteProber is a database that can prove it takes writes (*store.DB): when Deps.DB has
// it, /healthz reports writability, not only that reads answer.
type WriteProber interface {
	ProbeWrite(ctx context.Context) error
}

// unwritable is what a store error says when the database cannot take writes now (full
// disk, read-only file): store.ErrUnwritable has it. Intake answers such failures 503
// unavailable with Retry-After, not 500: they pass, and retrying later is right.
type unwritable interface{ Unwritable() bool }

// isUnwritable reports whether err's chain says the database cannot take writes now.
func isUnwritable(err error) bool {
	var u unwritable
	return errors.As(err, &u) && u.Unwritable()
}

// unwritableRetry is the Retry-After (seconds) of answers given while the database takes
// no writes: a disk is not freed in a second.
const unwritableRetry = 30

var errUnwritable = &apiError{Status: http.StatusServiceUnavailable, Code: codeUnavailable,
	Message: "存储暂时无法写入（磁盘已满或只读），未保存，请稍后重试", RetryAfter: unwritableRetry}

// unwritableOr is errUnwritable when err is about writability, else other.
func unwritableOr(err error, other *apiError) *apiError {
	if isUnwritable(err) {
		return errUnwritable
	}
	return other
}

// writeHealth remembers the last write outcome (a ticket commit or a probe), so that
// /healthz reflects writability: a write outcome younger than fresh answers for health
// without another probe; an older one (or none) is refreshed by one probe write. A
// database that becomes writable again is healthy at the next probe, without a restart.
type writeHealth struct {
	probe func(ctx context.Context) error // nil: writability is known from commits only
	now   func() time.Time
	log   *slog.Logger
	fresh time.Duration

	probing sync.Mutex // one probe at a time; the others take its outcome
	mu      sync.Mutex
	at      time.Time // when the last outcome was seen; zero: none yet
	ok      bool
}

// healthFresh is how long a write outcome answers for health: 5 s, so that a load balancer
// polling /healthz costs at most one probe write per 5 s.
const healthFresh = 5 * time.Second

func newWriteHealth(db Pinger, now func() time.Time, log *slog.Logger) *writeHealth {
	h := &writeHealth{now: now, log: log, fresh: healthFresh}
	if p, ok := db.(WriteProber); ok {
		h.probe = p.ProbeWrite
	}
	return h
}

// record notes a write outcome. Only writability counts: a write refused for its input
// says nothing about the disk, so callers record successes and unwritable failures.
func (h *writeHealth) record(ok bool, err error) {
	h.mu.Lock()
	first, was := h.at.IsZero(), h.ok
	h.at, h.ok = h.now(), ok
	h.mu.Unlock()
	// Said once per change, not once per ticket or poll.
	switch {
	case !ok && (first || was):
		h.log.Error("database cannot take writes", "err", err)
	case ok && !first && !was:
		h.log.Info("database takes writes again")
	}
}

// observe records a commit's outcome: success, or a failure that is about writability.
func (h *writeHealth) observe(err error) {
	switch {
	case err == nil:
		h.record(true, nil)
	case isUnwritable(err):
		h.record(false, err)
	}
}

// recent returns the last outcome if it is fresh.
func (h *writeHealth) recent() (ok, known bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.at.IsZero() || h.now().Sub(h.at) >= h.fresh {
		return false, false
	}
	return h.ok, true
}

// writable reports whether the database takes writes: from a fresh outcome, else by a probe.
func (h *writeHealth) writable(ctx context.Context) bool {
	if ok, known := h.recent(); known {
		return ok
	}
	if h.probe == nil {
		return true // nothing to probe with, and no recent failure
	}
	h.probing.Lock()
	defer h.probing.Unlock()
	if ok, known := h.recent(); known { // probed meanwhile
		return ok
	}
	err := h.probe(ctx)
	h.record(err == nil, err)
	return err == nil
}

// handleHealth answers 200 {"status":"ok"} when the database answers reads and takes
// writes (see writeHealth), else 503 {"status":"unavailable","reason":…} with Retry-After.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Error("healthz: database does not answer", "err", err)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database_unreachable"})
		return
	}
	if !s.health.writable(ctx) {
		w.Header().Set("Retry-After", strconv.Itoa(unwritableRetry))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database_not_writable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
