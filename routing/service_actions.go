package routing

import (
	"context"
	"fmt"
)

// Accept records that the department acknowledged the case (签收).
func (s *Service) Accept(ctx context.Context, a Actor, id string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActAccept, Actor: a})
}

// Reply records the department's answer to the resident (答复).
func (s *Service) Reply(ctx context.Context, a Actor, id, reply string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActReply, Actor: a, Reply: reply})
}

// Return sends the case back to the triage desk (退回) within the return window.
func (s *Service) Return(ctx context.Context, a Actor, id, reason string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActReturn, Actor: a, Reason: reason})
}

// RequestExtension asks for the one extension (延期) of days working days, before the deadline.
func (s *Service) RequestExtension(ctx context.Context, a Actor, id string, days int, reason string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActRequestExtension, Actor: a, Days: days, Reason: reason})
}

// DecideExtension grants or denies a requested extension.
func (s *Service) DecideExtension(ctx context.Context, a Actor, id string, grant bool, reason string) (*Case, error) {
	act := ActDenyExtension
	if grant {
		act = ActGrantExtension
	}
	return s.Do(ctx, id, Command{Action: act, Actor: a, Reason: reason})
}

// Close finishes a replied case (办结).
func (s *Service) Close(ctx context.Context, a Actor, id string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActClose, Actor: a})
}

// Rate records the resident's satisfaction with a closed case (回访).
func (s *Service) Rate(ctx context.Context, a Actor, id string, sat Satisfaction) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActRate, Actor: a, Satisfaction: sat})
}

// Reopen sends an unsatisfied case back to its department with new deadlines (重办).
func (s *Service) Reopen(ctx context.Context, a Actor, id, reason string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActReopen, Actor: a, Reason: reason})
}

// Redispatch assigns the case to department: the triage desk's decision for a returned or
// triaged case, or a reassignment before acceptance.
func (s *Service) Redispatch(ctx context.Context, a Actor, id, department, reason string) (*Case, error) {
	if s.Directory != nil && !s.Directory.Has(department) {
		return nil, Errorf(EINVALID, "未知单位代码 %q", department)
	}
	return s.Do(ctx, id, Command{Action: ActDispatch, Actor: a, Department: department, Reason: reason})
}

// MarkDuplicate links the case to the open case of it repeats (合并).
func (s *Service) MarkDuplicate(ctx context.Context, a Actor, id, of, reason string) (*Case, error) {
	return s.do(ctx, id, Command{Action: ActMarkDuplicate, Actor: a, DuplicateOf: of, Reason: reason},
		func(ctx context.Context, tx CaseTx, c *Case) error {
			if of == id {
				return Errorf(EINVALID, "案件不能与自身合并")
			}
			target, err := tx.Case(ctx, of)
			if isNotFound(err) {
				return Errorf(EINVALID, "被合并的案件 %s 不存在", of)
			} else if err != nil {
				return err
			}
			if !target.Status.Open() {
				return Errorf(ECONFLICT, "案件 %s 状态为%s，不能作为合并对象", of, StatusLabel(target.Status))
			}
			return nil
		}, nil)
}

// UndoDuplicate dispatches a case linked as a duplicate, as if it had never been linked.
func (s *Service) UndoDuplicate(ctx context.Context, a Actor, id, reason string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActUndoDuplicate, Actor: a, Reason: reason})
}

// RevealContact records, as an event in the case's history, that the assigned department's
// clerk looked at the complainant's phone to call back, and returns the case; refused for
// an anonymous case or a 举报 (EFORBIDDEN) and when there is no phone (ECONFLICT).
func (s *Service) RevealContact(ctx context.Context, a Actor, id string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActRevealContact, Actor: a})
}

// Remind records the reminder (催办) due at RemindAt; a second call is ECONFLICT.
func (s *Service) Remind(ctx context.Context, id string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActRemind, Actor: System})
}

// MarkOverdue flags a case whose deadline has passed (超期); a second call is ECONFLICT.
func (s *Service) MarkOverdue(ctx context.Context, id string) (*Case, error) {
	return s.Do(ctx, id, Command{Action: ActMarkOverdue, Actor: System})
}

// Escalate hands the case to supervision (督办, zfb) with its history; a second call is ECONFLICT.
func (s *Service) Escalate(ctx context.Context, a Actor, id, reason string) (*Case, error) {
	history, err := s.Store.Events(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("escalate %s: %w", id, err)
	}
	return s.do(ctx, id, Command{Action: ActEscalate, Actor: a, Reason: reason}, nil, history)
}

// Do performs cmd on case id in one transaction, at the service clock's time.
func (s *Service) Do(ctx context.Context, id string, cmd Command) (*Case, error) {
	return s.do(ctx, id, cmd, nil, nil)
}

// do loads, checks, applies, saves with the version check, appends the event and the outbox
// messages, all in one transaction. check runs inside the transaction before the lifecycle.
// history, when given, travels with the delivered messages (escalation: supervision sees
// everything that happened).
func (s *Service) do(ctx context.Context, id string, cmd Command, check func(context.Context, CaseTx, *Case) error, history []Event) (*Case, error) {
	cmd.At = s.now()
	var out *Case
	err := s.Store.WithTx(ctx, func(tx CaseTx) error {
		c, err := tx.Case(ctx, id)
		if err != nil {
			return err
		}
		if err := authorize(*c, cmd.Actor, cmd.Action); err != nil {
			return err // before check: a department must not learn about another's case
		}
		if check != nil {
			if err := check(ctx, tx, c); err != nil {
				return err
			}
		}
		n, e, err := s.life().Apply(*c, cmd)
		if err != nil {
			return err
		}
		if err := tx.UpdateCase(ctx, &n, c.Version); err != nil {
			return err
		}
		if len(n.Rounds) > len(c.Rounds) { // a reopen ended a round: keep it
			if err := tx.AppendRounds(ctx, n.ID, n.Rounds[len(c.Rounds):]...); err != nil {
				return err
			}
		}
		if err := tx.AppendEvents(ctx, e); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, withHistory(&n, OutboxFor(&n, e), append(history, e))...); err != nil {
			return err
		}
		out = &n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", cmd.Action, id, err)
	}
	return out, nil
}
