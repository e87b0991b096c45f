package bot

import (
	"context"
	"strings"

	"chengnuo/routing"
)

// overdue lists the department's late cases: open cases past the resolve deadline in force,
// and dispatched (or reopened) cases past the accept deadline.
func (h *Handler) overdue(ctx context.Context, chat int64, code string, u User) error {
	a := deptActor(code, u)
	now := h.now()
	late, err := h.cases.Cases(ctx, a, routing.CaseFilter{Department: code, DueBefore: now})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var b strings.Builder
	n := 0
	for _, c := range late {
		seen[c.ID] = true
		n++
		b.WriteString(sprintf(txtOverdueResolve, c.ID, routing.StatusLabel(c.Status), when(c.Deadline())))
	}
	for _, st := range []routing.Status{routing.StatusDispatched, routing.StatusReopened} {
		cs, err := h.cases.Cases(ctx, a, routing.CaseFilter{Department: code, Status: st})
		if err != nil {
			return err
		}
		for _, c := range cs {
			if seen[c.ID] || c.AcceptBy.IsZero() || !c.AcceptBy.Before(now) {
				continue
			}
			seen[c.ID] = true
			n++
			b.WriteString(sprintf(txtOverdueAccept, c.ID, when(c.AcceptBy)))
		}
	}
	if n == 0 {
		return h.say(ctx, chat, txtNoOverdue, nil)
	}
	return h.say(ctx, chat, sprintf(txtOverdueTitle, n)+b.String(), nil)
}
