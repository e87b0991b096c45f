package routing

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Scheduler raises what deadlines call for: a reminder (催办) before each deadline, the
// overdue flag (超期) at the resolve deadline, and escalation to supervision (督办, zfb) at
// the same moment. Each fires once: the case's flags are stored in the same transaction as
// the event, so a restart finds nothing left to repeat. Due work comes from indexed queries.
type Scheduler struct {
	Service *Service
	Due     DueCases
	Now     func() time.Time // the clock; tests inject a fake one
	Batch   int              // cases per query (default 200)
	Log     *slog.Logger
}

// TickResult counts what one tick did.
type TickResult struct {
	Reminded, Overdue, Escalated, Failed int
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Tick does all work due at the clock's current time and returns what it did.
func (s *Scheduler) Tick(ctx context.Context) (TickResult, error) {
	var r TickResult
	now := s.now()
	steps := []struct {
		name  string
		query func(context.Context, time.Time, int) ([]*Case, error)
		act   func(context.Context, *Case) error
		count *int
	}{
		{"reminder", s.Due.DueForReminder, func(ctx context.Context, c *Case) error {
			_, err := s.Service.Remind(ctx, c.ID)
			return err
		}, &r.Reminded},
		{"overdue", s.Due.DueOverdue, func(ctx context.Context, c *Case) error {
			_, err := s.Service.MarkOverdue(ctx, c.ID)
			return err
		}, &r.Overdue},
		{"escalation", s.Due.DueEscalation, func(ctx context.Context, c *Case) error {
			_, err := s.Service.Escalate(ctx, System, c.ID, "超过办结期限未办结，转区政府办公室督办")
			return err
		}, &r.Escalated},
	}
	for _, st := range steps {
		if err := s.drain(ctx, now, st.name, st.query, st.act, st.count, &r.Failed); err != nil {
			return r, err
		}
	}
	return r, nil
}

// drain runs one kind of due work until nothing due is left. Every case acted on either
// leaves the due set (its flag is now stored) or is skipped for the rest of the tick (and
// retried at the next), so the loop ends and one bad case cannot stall the others.
func (s *Scheduler) drain(ctx context.Context, now time.Time, name string,
	query func(context.Context, time.Time, int) ([]*Case, error), act func(context.Context, *Case) error,
	done, failed *int) error {
	batch := s.Batch
	if batch <= 0 {
		batch = 200
	}
	skip := map[string]bool{}
	for {
		cases, err := query(ctx, now, batch+len(skip))
		if err != nil {
			return err
		}
		acted := false
		for _, c := range cases {
			if skip[c.ID] {
				continue
			}
			acted = true
			switch err := act(ctx, c); {
			case err == nil:
				*done++
			case ErrorCode(err) == ECONFLICT:
				skip[c.ID] = true // it moved on meanwhile (answered, already fired): nothing to do
			default:
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s.log().Warn("scheduler step failed", "step", name, "case", c.ID, "err", err)
				skip[c.ID] = true
				*failed++
			}
		}
		if !acted {
			return nil
		}
	}
}

// Run ticks every interval until ctx ends. A failed tick is logged and tried again.
func (s *Scheduler) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if r, err := s.Tick(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log().Error("scheduler tick", "err", err)
		} else if r.Reminded+r.Overdue+r.Escalated+r.Failed > 0 {
			s.log().Info("scheduler tick", "reminded", r.Reminded, "overdue", r.Overdue, "escalated", r.Escalated, "failed", r.Failed)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
