package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"chengnuo/routing"
)

// fakeCases is an in-memory case service with the lifecycle's rules that the dialogs meet:
// states, role checks, ECONFLICT on a stale action, idempotent filing.
type fakeCases struct {
	mu      sync.Mutex
	cases   map[string]*routing.Case
	byRef   map[string]string
	filed   []routing.NewCase
	calls   []string // "accept BQ…-0001 department:rsj/@clerk"
	now     time.Time
	n       int
	DeptFn  func(nc routing.NewCase) string // default: "rsj"
	FileErr error
}

func newCases(now time.Time) *fakeCases {
	return &fakeCases{cases: map[string]*routing.Case{}, byRef: map[string]string{}, now: now}
}

func (f *fakeCases) File(_ context.Context, nc routing.NewCase) (*routing.Case, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.FileErr != nil {
		return nil, false, f.FileErr
	}
	if strings.TrimSpace(nc.Text) == "" {
		return nil, false, routing.Errorf(routing.EINVALID, "反映内容不能为空")
	}
	key := string(nc.Channel) + "|" + nc.ExternalRef
	if id, ok := f.byRef[key]; ok && nc.ExternalRef != "" {
		c := *f.cases[id]
		return &c, false, nil
	}
	f.filed = append(f.filed, nc)
	f.n++
	id := fmt.Sprintf("BQ20261125-%04d", f.n)
	dept := "rsj"
	if f.DeptFn != nil {
		dept = f.DeptFn(nc)
	}
	typ := nc.Type
	if typ == "" {
		typ = routing.TypeComplaint
	}
	c := &routing.Case{ID: id, Channel: nc.Channel, ExternalRef: nc.ExternalRef, Type: typ, Text: nc.Text,
		Address: nc.Address, Items: []string{"BQ-0001"}, Department: dept, Reasons: []string{"关键词：低保"},
		Complainant: nc.Complainant, Anonymous: nc.Anonymous, Status: routing.StatusDispatched,
		ReceivedAt: f.now, AcceptBy: f.now.Add(24 * time.Hour), ResolveBy: f.now.Add(5 * 24 * time.Hour), Version: 2}
	f.cases[id] = c
	f.byRef[key] = id
	out := *c
	return &out, true, nil
}

func (f *fakeCases) get(a routing.Actor, id string) (*routing.Case, error) {
	c, ok := f.cases[id]
	if !ok {
		return nil, routing.Errorf(routing.ENOTFOUND, "案件 %s 不存在", id)
	}
	if !c.VisibleTo(a) {
		return nil, routing.Errorf(routing.EFORBIDDEN, "案件 %s 不属于本单位", id)
	}
	return c, nil
}

func (f *fakeCases) Case(_ context.Context, a routing.Actor, id string) (*routing.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(a, id)
	if err != nil {
		return nil, err
	}
	out := *c
	return &out, nil
}

func (f *fakeCases) Cases(_ context.Context, a routing.Actor, flt routing.CaseFilter) ([]*routing.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*routing.Case
	for _, c := range f.cases {
		if a.Role == routing.RoleDepartment && c.Department != a.Department {
			continue
		}
		if flt.Department != "" && c.Department != flt.Department || flt.Status != "" && c.Status != flt.Status {
			continue
		}
		if !flt.DueBefore.IsZero() && (!c.Status.Open() || !c.Deadline().Before(flt.DueBefore)) {
			continue
		}
		cc := *c
		out = append(out, &cc)
	}
	slices.SortFunc(out, func(a, b *routing.Case) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (f *fakeCases) Events(_ context.Context, a routing.Actor, id string) ([]routing.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(a, id); err != nil {
		return nil, err
	}
	return []routing.Event{{CaseID: id, Seq: 1, Action: routing.ActReceive, Actor: routing.System, At: f.now}}, nil
}

// act applies one action: roles allowed, states it may start from, the change.
func (f *fakeCases) act(a routing.Actor, id, name string, roles []routing.Role, from []routing.Status, change func(c *routing.Case) error) (*routing.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name+" "+id+" "+a.String())
	c, ok := f.cases[id]
	if !ok {
		return nil, routing.Errorf(routing.ENOTFOUND, "案件 %s 不存在", id)
	}
	if !slices.Contains(roles, a.Role) || (a.Role == routing.RoleDepartment && a.Department != c.Department) {
		return nil, routing.Errorf(routing.EFORBIDDEN, "无权操作案件 %s", id)
	}
	if !slices.Contains(from, c.Status) {
		return nil, fmt.Errorf("%s %s: %w", name, id, routing.Errorf(routing.ECONFLICT, "案件状态为%s", routing.StatusLabel(c.Status)))
	}
	if err := change(c); err != nil {
		return nil, err
	}
	c.Version++
	out := *c
	return &out, nil
}

var (
	deptRoles = []routing.Role{routing.RoleDepartment, routing.RoleOperator}
	sysRoles  = []routing.Role{routing.RoleOperator, routing.RoleSystem}
)

func (f *fakeCases) Accept(_ context.Context, a routing.Actor, id string) (*routing.Case, error) {
	return f.act(a, id, "accept", deptRoles, []routing.Status{routing.StatusDispatched, routing.StatusReopened},
		func(c *routing.Case) error { c.Status = routing.StatusAccepted; return nil })
}

func (f *fakeCases) Reply(_ context.Context, a routing.Actor, id, reply string) (*routing.Case, error) {
	return f.act(a, id, "reply", deptRoles, []routing.Status{routing.StatusAccepted, routing.StatusExtensionRequested},
		func(c *routing.Case) error { c.Status, c.Reply = routing.StatusReplied, reply; return nil })
}

func (f *fakeCases) Return(_ context.Context, a routing.Actor, id, reason string) (*routing.Case, error) {
	return f.act(a, id, "return", deptRoles, []routing.Status{routing.StatusDispatched, routing.StatusAccepted},
		func(c *routing.Case) error {
			if reason == "" {
				return routing.Errorf(routing.EINVALID, "退回须说明理由")
			}
			c.Status, c.Department = routing.StatusReturned, routing.CodeTriage
			return nil
		})
}

func (f *fakeCases) Close(_ context.Context, a routing.Actor, id string) (*routing.Case, error) {
	return f.act(a, id, "close", sysRoles, []routing.Status{routing.StatusReplied},
		func(c *routing.Case) error { c.Status = routing.StatusClosed; return nil })
}

func (f *fakeCases) Rate(_ context.Context, a routing.Actor, id string, sat routing.Satisfaction) (*routing.Case, error) {
	return f.act(a, id, "rate", append([]routing.Role{routing.RoleResident}, sysRoles...), []routing.Status{routing.StatusClosed},
		func(c *routing.Case) error {
			if c.Satisfaction != "" {
				return routing.Errorf(routing.ECONFLICT, "已评价")
			}
			c.Satisfaction = sat
			return nil
		})
}

func (f *fakeCases) Reopen(_ context.Context, a routing.Actor, id, reason string) (*routing.Case, error) {
	return f.act(a, id, "reopen", sysRoles, []routing.Status{routing.StatusClosed}, func(c *routing.Case) error {
		if c.Satisfaction != routing.Unsatisfied {
			return routing.Errorf(routing.ECONFLICT, "只有评价为不满意的案件可以重办")
		}
		c.Status, c.Satisfaction, c.Reply = routing.StatusReopened, "", ""
		c.AcceptBy, c.ResolveBy = f.now.Add(48*time.Hour), f.now.Add(7*24*time.Hour)
		return nil
	})
}

// set changes a stored case directly (a step taken elsewhere: the API, the CLI).
func (f *fakeCases) set(id string, fn func(c *routing.Case)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f.cases[id])
}

func (f *fakeCases) status(id string) routing.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cases[id].Status
}
