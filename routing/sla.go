package routing

import "time"

// OpeningTime is when the working day starts (09:00 Asia/Shanghai); only reminders use it.
const OpeningTime = 9 * time.Hour

// SLA holds the deadline rules of DESIGN.md ("Deadlines"). Start from DefaultSLA and change what a
// deployment configures; fields are used as they are (a zero means zero).
type SLA struct {
	// CloseOfBusiness is the time after local midnight at which a deadline day ends (18:00).
	CloseOfBusiness time.Duration
	// AcceptDays is the time to accept (签收) a dispatched case, in working days.
	AcceptDays int
	// ResolveDays is the time to reply and close (答复/办结) per type, in working days; a type
	// missing from the map gets DefaultResolveDays.
	ResolveDays map[CaseType]int
	// ReturnDays is how long after dispatch a department may return (退回) a case.
	ReturnDays int
	// MaxExtensionDays is the most one extension (延期) may add; it is requested before the deadline.
	MaxExtensionDays int
	// ReminderDaysBefore is how many working days before a deadline the reminder (催办) fires.
	ReminderDaysBefore int
	// Calendar decides working days; nil means BuiltinCalendar().
	Calendar *Calendar
}

// DefaultResolveDays are the resolve periods of DESIGN.md, in working days.
var DefaultResolveDays = map[CaseType]int{
	TypeConsultation: 3,
	TypeHelp:         5,
	TypeComplaint:    5,
	TypeReport:       15,
	TypeSuggestion:   15,
}

// DefaultSLA returns the rules of DESIGN.md with the built-in calendar.
func DefaultSLA() SLA {
	rd := make(map[CaseType]int, len(DefaultResolveDays))
	for t, n := range DefaultResolveDays {
		rd[t] = n
	}
	return SLA{
		CloseOfBusiness:    18 * time.Hour,
		AcceptDays:         1,
		ResolveDays:        rd,
		ReturnDays:         1,
		MaxExtensionDays:   10,
		ReminderDaysBefore: 1,
	}
}

// Deadlines are the times a new case must be accepted and resolved by, in Asia/Shanghai.
type Deadlines struct {
	AcceptBy  time.Time `json:"accept_by"`
	ResolveBy time.Time `json:"resolve_by"`
	// Covered is false when the calendar had to guess (weekends only) for a year it does not know.
	Covered bool `json:"calendar_covered"`
}

// AddWorkingDays returns the deadline "n working days from T": the day of T is not counted
// (民法典第二百零一条) and the deadline is the close of business of the n-th working day after T's
// Asia/Shanghai date (第二百零三条), whatever T's time of day. covered is false when a day it
// counted lies in a year the calendar does not cover (counted on weekends only; logged once per
// year). For n <= 0 it returns the close of business of T's own date.
func (s SLA) AddWorkingDays(from time.Time, n int) (deadline time.Time, covered bool) {
	cal := s.cal()
	d := localDay(from)
	if n <= 0 {
		_, covered = cal.day(d)
		return s.closeOf(d), covered
	}
	d, covered = cal.shift(d, n)
	return s.closeOf(d), covered
}

// Deadlines returns the accept and resolve deadlines of a case of type t received (or dispatched)
// at from. A type outside the five gets the complaint (投诉) period.
func (s SLA) Deadlines(t CaseType, from time.Time) Deadlines {
	accept, c1 := s.AddWorkingDays(from, s.AcceptDays)
	resolve, c2 := s.AddWorkingDays(from, s.ResolveDaysFor(t))
	return Deadlines{AcceptBy: accept, ResolveBy: resolve, Covered: c1 && c2}
}

// ResolveDaysFor returns the resolve period of type t in working days.
func (s SLA) ResolveDaysFor(t CaseType) int {
	if n, ok := s.ResolveDays[t]; ok {
		return n
	}
	if n, ok := DefaultResolveDays[t]; ok {
		return n
	}
	return DefaultResolveDays[TypeComplaint]
}

// ReturnBy is the last moment a department may return (退回) a case dispatched at dispatchedAt.
func (s SLA) ReturnBy(dispatchedAt time.Time) (time.Time, bool) {
	return s.AddWorkingDays(dispatchedAt, s.ReturnDays)
}

// MaxExtensionBy is the latest deadline one extension (延期) of resolveBy may grant: MaxExtensionDays
// working days after the day of resolveBy.
func (s SLA) MaxExtensionBy(resolveBy time.Time) (time.Time, bool) {
	return s.AddWorkingDays(resolveBy, s.MaxExtensionDays)
}

// ReminderAt returns when to remind (催办) about deadline for a case that started at from.
//
// The reminder is ReminderDaysBefore working days before the deadline: the deadline's clock time
// (close of business) on the ReminderDaysBefore-th working day before the deadline's date, so a
// department hears of it with a full working day left. When that instant is not after from (a
// 1-day deadline set after hours: dispatched Monday 18:30, accept by Tuesday 18:00), or when
// ReminderDaysBefore is 0, the reminder is the opening (09:00) of the deadline's own date, or the
// deadline itself if that is earlier; it is never before from.
func (s SLA) ReminderAt(from, deadline time.Time) time.Time {
	deadline = deadline.In(Shanghai)
	dd := localDay(deadline)
	clock := deadline.Sub(dayStart(dd))
	if k := s.ReminderDaysBefore; k > 0 {
		d, _ := s.cal().shift(dd, -k)
		if r := dayStart(d).Add(clock); r.After(from) {
			return r
		}
	}
	r := dayStart(dd).Add(OpeningTime)
	if r.After(deadline) {
		r = deadline
	}
	if !r.After(from) {
		r = from.In(Shanghai)
	}
	return r
}

func (s SLA) cal() *Calendar {
	if s.Calendar != nil {
		return s.Calendar
	}
	return BuiltinCalendar()
}

func (s SLA) closeOf(d int64) time.Time { return dayStart(d).Add(s.CloseOfBusiness) }
