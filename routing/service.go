package routing

import (
	"context"
	"errors"
	"strings"
	"time"
)

// CaseStore is the persistence the Service consumes; store.DB implements it.
// Reads outside WithTx see the last committed state.
type CaseStore interface {
	// WithTx runs fn in one write transaction, committed when fn returns nil and rolled
	// back otherwise: a case, its events and its outbox rows are stored together or not at all.
	WithTx(ctx context.Context, fn func(tx CaseTx) error) error
	// Case returns the case with the given id, or an ENOTFOUND *Error.
	Case(ctx context.Context, id string) (*Case, error)
	// CaseByRef returns the case filed from channel ch with external reference ref, or ENOTFOUND.
	CaseByRef(ctx context.Context, ch Channel, ref string) (*Case, error)
	// Cases returns the cases matching f.
	Cases(ctx context.Context, f CaseFilter) ([]*Case, error)
	// Events returns the events of a case in Seq order (none for an unknown id).
	Events(ctx context.Context, caseID string) ([]Event, error)
}

// CaseTx is one write transaction of a CaseStore.
type CaseTx interface {
	// NextCaseID allocates the next readable id of at's Asia/Shanghai day: "BQ20261125-0001".
	NextCaseID(ctx context.Context, at time.Time) (string, error)
	// NextCaseIDs allocates n consecutive ids of at's day at once: a batch's ids.
	NextCaseIDs(ctx context.Context, at time.Time, n int) ([]string, error)
	Case(ctx context.Context, id string) (*Case, error)
	CaseByRef(ctx context.Context, ch Channel, ref string) (*Case, error)
	// CasesByRefs returns the cases filed from channel ch with any of the external references
	// refs, keyed by reference; references never filed are absent. One query for a batch.
	CasesByRefs(ctx context.Context, ch Channel, refs []string) (map[string]*Case, error)
	// DuplicateCandidates answers q from indexes (see DuplicateQuery). The cases returned
	// need only ID, Status, ReceivedAt, Department, Items, Complainant.Phone and Text.
	DuplicateCandidates(ctx context.Context, q DuplicateQuery) ([]*Case, error)
	// DuplicateSets answers the candidate queries of a whole batch at once (see
	// DuplicateSetQuery), with the same columns as DuplicateCandidates.
	DuplicateSets(ctx context.Context, q DuplicateSetQuery) (DuplicateSets, error)
	// InsertCase stores a new case; ECONFLICT if its id or (channel, external ref) exists.
	InsertCase(ctx context.Context, c *Case) error
	// InsertCases stores new cases in order, as InsertCase each would.
	InsertCases(ctx context.Context, cs []*Case) error
	// UpdateCase saves c if the stored version is still prevVersion, else ECONFLICT.
	UpdateCase(ctx context.Context, c *Case, prevVersion int) error
	// AppendEvents stores events in order; ECONFLICT if a (case, seq) exists.
	AppendEvents(ctx context.Context, events ...Event) error
	// Enqueue adds outbox messages for the delivery worker, in order.
	Enqueue(ctx context.Context, msgs ...OutboxMessage) error
	// AppendRounds stores rounds of handling a reopen ended (Case.Rounds); ECONFLICT if a
	// (case, round) exists. Case reads by id return them in Case.Rounds.
	AppendRounds(ctx context.Context, caseID string, rounds ...Round) error
}

// CaseFilter selects cases for lists. Zero fields do not filter.
type CaseFilter struct {
	Department string
	Status     Status
	DueBefore  time.Time // only open cases whose deadline in force is before this, earliest first
	// NextDueBefore: only open cases whose next deadline (Case.NextDeadline: 签收 while awaiting
	// acceptance, else 办结) is before this, earliest next deadline first.
	NextDueBefore time.Time
	Limit         int // 0: 100
	Offset        int
}

// DueCases are the scheduler's queries, answered from partial indexes so that "due now" is an
// index range scan however many cases are stored; each returns at most limit cases, earliest first.
type DueCases interface {
	// DueForReminder: open cases whose RemindAt is at or before now.
	DueForReminder(ctx context.Context, now time.Time, limit int) ([]*Case, error)
	// DueOverdue: open cases not yet marked overdue whose deadline in force is at or before now.
	DueOverdue(ctx context.Context, now time.Time, limit int) ([]*Case, error)
	// DueEscalation: open cases not yet escalated whose deadline in force is at or before before.
	DueEscalation(ctx context.Context, before time.Time, limit int) ([]*Case, error)
}

// CaseClassifier decides type, items and department from a complaint's text.
// The routing classifier implements it; a nil one sends every case to the triage desk.
type CaseClassifier interface {
	Classify(text, address string) Decision
}

// Service holds the case use cases. Each one is one transaction: load, apply the lifecycle,
// save with a version check, append the event and the outbox messages, commit.
type Service struct {
	Store      CaseStore
	Classifier CaseClassifier
	SLA        Deadliner
	Directory  *Directory       // nil: department codes are not checked
	Now        func() time.Time // nil: time.Now
}

// FileResult is the outcome of filing one NewCase.
type FileResult struct {
	Case    *Case
	Created bool  // false: the (channel, external ref) was filed before and Case is that case
	Err     error // an *Error for this input alone (EINVALID; ECONFLICT: reference reused); nil otherwise
}

// maxFutureSkew is how far ahead of our clock a channel's received_at may be.
const maxFutureSkew = 10 * time.Minute

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) life() Lifecycle { return Lifecycle{SLA: s.SLA} }

// File files one case: classify, look for an open case it repeats, compute deadlines and
// store the case, its events and its outbox message in one transaction. Filing the same
// (channel, external ref) again returns the stored case with created false.
func (s *Service) File(ctx context.Context, nc NewCase) (c *Case, created bool, err error) {
	res, err := s.FileBatch(ctx, []NewCase{nc})
	if err != nil {
		return nil, false, err
	}
	return res[0].Case, res[0].Created, res[0].Err
}

// validate checks and normalises what a channel handed in.
func (s *Service) validate(nc *NewCase, now time.Time) error {
	nc.Text = strings.TrimSpace(nc.Text)
	nc.Address = strings.TrimSpace(nc.Address)
	nc.ExternalRef = strings.TrimSpace(nc.ExternalRef)
	nc.Department = strings.TrimSpace(nc.Department)
	nc.Complainant.Name = strings.TrimSpace(nc.Complainant.Name)
	nc.Complainant.Phone = strings.TrimSpace(nc.Complainant.Phone)
	switch nc.Channel {
	case ChannelHotline, ChannelPortal, ChannelTelegram, ChannelCLI:
	default:
		return Errorf(EINVALID, "未知渠道 %q", nc.Channel)
	}
	if nc.Text == "" {
		return Errorf(EINVALID, "反映内容不能为空")
	}
	if len(nc.ExternalRef) > 200 {
		return Errorf(EINVALID, "外部编号过长")
	}
	if nc.Type != "" && !nc.Type.Valid() {
		return Errorf(EINVALID, "未知案件类型 %q", nc.Type)
	}
	if nc.Department != "" && s.Directory != nil && !s.Directory.Has(nc.Department) {
		return Errorf(EINVALID, "未知单位代码 %q", nc.Department)
	}
	if nc.ReceivedAt.After(now.Add(maxFutureSkew)) {
		return Errorf(EINVALID, "受理时间晚于当前时间")
	}
	if nc.Actor.Role == "" {
		nc.Actor = System
	}
	return nil
}

// Classify returns the decision FileBatch takes for nc. A channel may call it before
// queueing nc, in the request's goroutine, and hand the result in as NewCase.Decision:
// then every core classifies while the one writer commits.
func (s *Service) Classify(nc NewCase) Decision {
	nc.Decision = nil
	nc.Text, nc.Address = strings.TrimSpace(nc.Text), strings.TrimSpace(nc.Address)
	nc.Department = strings.TrimSpace(nc.Department)
	return s.decide(&nc)
}

// decide classifies, unless the caller handed in the decision Classify took, and then applies
// what the caller named: a given type replaces the type, a given department the department
// (and the triage flag). An override replaces only what it names: the street, the items and
// the classifier's reasons stay as the classifier found them.
func (s *Service) decide(nc *NewCase) Decision {
	if nc.Decision != nil {
		return *nc.Decision
	}
	var d Decision
	switch {
	case s.Classifier != nil:
		d = s.Classifier.Classify(nc.Text, nc.Address)
	case nc.Department == "":
		d = Decision{Department: CodeTriage, Triage: true, Reasons: []string{"未配置自动分类，转分拨"}}
	default:
		d = Decision{Confidence: 1}
	}
	d.Reasons = append([]string(nil), d.Reasons...)
	if nc.Type != "" {
		d.Type = nc.Type
	}
	if !d.Type.Valid() {
		d.Type = TypeComplaint
	}
	if nc.Department != "" {
		d.Department, d.Triage = nc.Department, false
	}
	switch {
	case nc.Type != "" && nc.Department != "":
		d.Reasons = append(d.Reasons, "类型和承办单位由受理渠道指定")
	case nc.Department != "":
		d.Reasons = append(d.Reasons, "承办单位由受理渠道指定")
	case nc.Type != "":
		d.Reasons = append(d.Reasons, "类型由受理渠道指定")
	}
	if d.Department == "" {
		d.Department, d.Triage = CodeTriage, true
	}
	return d
}

// Case returns a case the actor may see; a department gets EFORBIDDEN for another's case.
func (s *Service) Case(ctx context.Context, a Actor, id string) (*Case, error) {
	c, err := s.Store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.VisibleTo(a) {
		return nil, Errorf(EFORBIDDEN, "案件 %s 不属于本单位", id)
	}
	return c, nil
}

// Cases lists cases; a department sees only its own whatever the filter says.
func (s *Service) Cases(ctx context.Context, a Actor, f CaseFilter) ([]*Case, error) {
	switch a.Role {
	case RoleOperator, RoleSystem:
	case RoleDepartment:
		if a.Department == "" {
			return nil, Errorf(EFORBIDDEN, "未指明单位")
		}
		f.Department = a.Department
	default:
		return nil, Errorf(EFORBIDDEN, "无权查看案件列表")
	}
	return s.Store.Cases(ctx, f)
}

// Events returns a case's audit trail, to those who may see the case.
func (s *Service) Events(ctx context.Context, a Actor, id string) ([]Event, error) {
	if _, err := s.Case(ctx, a, id); err != nil {
		return nil, err
	}
	return s.Store.Events(ctx, id)
}

// isNotFound reports whether err is an ENOTFOUND.
func isNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == ENOTFOUND
}
