package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"chengnuo/routing"
	"chengnuo/store"
)

// unwritableStore is the real store whose writes fail, while down is set, as SQLite fails
// them on a full disk or a read-only file (the store's own tests produce those errors from
// the engine); reads still answer, as they do on a full disk.
type unwritableStore struct {
	*store.DB
	down  atomic.Bool
	code  sqlite3.ErrNo
	tries atomic.Int64 // write transactions and probes attempted
}

func (u *unwritableStore) err() error {
	return fmt.Errorf("commit: %w: %w", store.ErrUnwritable, sqlite3.Error{Code: u.code})
}

func (u *unwritableStore) WithTx(ctx context.Context, fn func(routing.CaseTx) error) error {
	u.tries.Add(1)
	if u.down.Load() {
		return u.err()
	}
	return u.DB.WithTx(ctx, fn)
}

func (u *unwritableStore) ProbeWrite(ctx context.Context) error {
	u.tries.Add(1)
	if u.down.Load() {
		return fmt.Errorf("probe write: %w", u.err())
	}
	return u.DB.ProbeWrite(ctx)
}

func unwritableEnv(t *testing.T, code sqlite3.ErrNo) (*env, *unwritableStore) {
	var u *unwritableStore
	e := newEnv(t, func(d *Deps) {
		u = &unwritableStore{DB: d.DB.(*store.DB), code: code}
		d.DB = u
		svc := *d.Cases.(*routing.Service)
		svc.Store = u
		d.Cases = &svc
	})
	return e, u
}

func (e *env) health() (int, string, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/healthz", nil)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b struct{ Status, Reason string }
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK && resp.Header.Get("Retry-After") == "" {
		e.t.Errorf("healthz %d without Retry-After", resp.StatusCode)
	}
	return resp.StatusCode, b.Status, b.Reason
}

// A full disk or a read-only database: tickets answer 503 unavailable with Retry-After (not
// 500) and are not stored; /healthz says 503 too, both from the failed commit and, once
// that is old, from its own probe write; when the database takes writes again, health and
// tickets recover without a restart.
func TestUnwritableDatabase(t *testing.T) {
	for _, c := range []struct {
		name string
		code sqlite3.ErrNo
	}{{"disk full", sqlite3.ErrFull}, {"read-only", sqlite3.ErrReadonly}} {
		t.Run(c.name, func(t *testing.T) {
			e, u := unwritableEnv(t, c.code)
			if code, status, _ := e.health(); code != http.StatusOK || status != "ok" {
				t.Fatalf("healthy database: healthz %d %s", code, status)
			}
			u.down.Store(true)
			body := mustJSON(t, ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
			resp, err := e.ts.Client().Do(e.signed("/v1/hotline/tickets", hotlineSecret, body))
			if err != nil {
				t.Fatal(err)
			}
			var eb struct {
				Error struct{ Code, Message string }
			}
			json.NewDecoder(resp.Body).Decode(&eb)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || eb.Error.Code != "unavailable" ||
				resp.Header.Get("Retry-After") == "" || !strings.Contains(eb.Error.Message, "稍后重试") {
				t.Errorf("ticket on an unwritable database: %d %+v Retry-After %q; want 503 unavailable",
					resp.StatusCode, eb.Error, resp.Header.Get("Retry-After"))
			}
			if n := e.count(`SELECT count(*) FROM cases`); n != 0 {
				t.Errorf("%d cases stored", n)
			}
			// The failed commit answers for health now; later a probe write finds the same.
			if code, status, reason := e.health(); code != http.StatusServiceUnavailable || status != "unavailable" ||
				reason != "database_not_writable" {
				t.Errorf("healthz after a failed commit: %d %s %s", code, status, reason)
			}
			e.now = e.now.Add(time.Minute)
			before := u.tries.Load()
			if code, _, _ := e.health(); code != http.StatusServiceUnavailable || u.tries.Load() != before+1 {
				t.Errorf("healthz by probe: %d after %d probes", code, u.tries.Load()-before)
			}
			if code, _, _ := e.health(); code != http.StatusServiceUnavailable || u.tries.Load() != before+1 {
				t.Errorf("a second healthz within 5 s probed again (%d probes) or changed (%d)", u.tries.Load()-before, code)
			}

			u.down.Store(false)
			e.now = e.now.Add(time.Minute)
			if code, status, _ := e.health(); code != http.StatusOK || status != "ok" {
				t.Errorf("healthz after recovery: %d %s", code, status)
			}
			e.fileTicket(ticket(ticketNo(1), "社保局要求开具健在证明", "13812345678"))
			if n := e.count(`SELECT count(*) FROM cases`); n != 1 {
				t.Errorf("%d cases after recovery, want 1", n)
			}
			if logs := e.logs.String(); strings.Count(logs, `msg="database cannot take writes"`) != 1 ||
				!strings.Contains(logs, "database takes writes again") {
				t.Errorf("the state change should be logged once each way:\n%s", logs)
			}
		})
	}
}

// With no ticket at all, a database that stopped taking writes is found by the probe.
func TestHealthProbesWrites(t *testing.T) {
	e, u := unwritableEnv(t, sqlite3.ErrReadonly)
	u.down.Store(true)
	if code, _, reason := e.health(); code != http.StatusServiceUnavailable || reason != "database_not_writable" {
		t.Errorf("healthz on a read-only database: %d %s", code, reason)
	}
}
