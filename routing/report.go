package routing

import (
	"cmp"
	"slices"
	"time"
)

// Report is the supervision report (督查情况通报) of issue 6 over the cases received in
// [From, To], Asia/Shanghai dates, both ends included. Its JSON form is the contract of
// DESIGN.md ("chengnuo report --json"): only from, to, departments and items are encoded.
//
// Definitions (all per case, the case counted under its current handling department unless said):
//   - received: cases received in the range, every status (duplicates included).
//   - accepted_on_time: the first round (Case.FirstRound: before any reopen) accepted by its
//     签收 deadline. A reopen starts a new round but never rewrites how the first one went.
//   - answered_on_time: the first round answered by its resolve deadline in force (the granted
//     extension, else ResolveBy).
//   - overdue: open now (Status.Open) with a deadline in force before the report's Now.
//   - returned: cases a department returned (退回) at least once, counted under the department
//     that returned them (the return event's actor department; the case's department when the
//     event names none, or, without events, a case whose status is returned).
//   - extended: cases with at least one granted extension (grant_extension event, or ExtendedTo set).
//   - reopened: cases reopened (重办) at least once (reopen event, ended rounds, or status reopened).
//   - escalated: cases escalated (督办) at least once, in any round (escalate event or flag).
//   - unsatisfied: 不满意 ratings, one per rated round (a case rated 不满意, reopened and rated
//     不满意 again counts 2).
//   - median_working_days: median over cases whose first round was answered of
//     WorkingDaysBetween(DispatchedAt, RepliedAt) of that round (see there); null when none.
//   - satisfaction: share (0–1) of 满意 and 基本满意 among the ratings of every round; null when none.
//
// Per item: each case counts once, under its primary item (the first, best matched of up to
// three): complaints counts cases of type 投诉 or 举报, consultations cases of type 咨询.
type Report struct {
	From        string       `json:"from"`
	To          string       `json:"to"`
	Departments []DeptReport `json:"departments"`
	Items       []ItemReport `json:"items"`
	Title       string       `json:"-"`
	Now         time.Time    `json:"-"`
	Total       int          `json:"-"` // cases received in the range
	Channels    []CountRow   `json:"-"` // per channel, most first
	Streets     []CountRow   `json:"-"` // per street office ("" = 未识别), most first
	Types       []CountRow   `json:"-"` // per case type, most first
	Summary     ReportTotals `json:"-"`
	Dir         *Directory   `json:"-"`
}

// ReportTotals sums the department rows for the headline.
type ReportTotals struct {
	AcceptedOnTime, AnsweredOnTime, Overdue, Returned, Extended, Reopened, Escalated, Unsatisfied int
	Satisfaction                                                                                  *float64
	MedianWorkingDays                                                                             *float64
}

// DeptReport is one department's row.
type DeptReport struct {
	Code              string   `json:"code"`
	Name              string   `json:"name"`
	Received          int      `json:"received"`
	AcceptedOnTime    int      `json:"accepted_on_time"`
	AnsweredOnTime    int      `json:"answered_on_time"`
	Overdue           int      `json:"overdue"`
	Returned          int      `json:"returned"`
	Extended          int      `json:"extended"`
	Reopened          int      `json:"reopened"`
	Escalated         int      `json:"escalated"`
	Unsatisfied       int      `json:"unsatisfied"`
	MedianWorkingDays *float64 `json:"median_working_days"`
	Satisfaction      *float64 `json:"satisfaction"`
}

// ItemReport is one list item's row.
type ItemReport struct {
	ID            string `json:"id"`
	Certificate   string `json:"certificate"`
	Complaints    int    `json:"complaints"`
	Consultations int    `json:"consultations"`
}

// CountRow is a label and a count (channels, streets, types).
type CountRow struct {
	Key   string
	Label string
	Count int
}

// ReportOptions are the inputs of BuildReport besides the data.
type ReportOptions struct {
	From, To  time.Time // dates (any time of day); the Asia/Shanghai dates are used, both included
	Now       time.Time // "overdue now" is judged at this instant
	Calendar  *Calendar // nil: BuiltinCalendar
	Directory *Directory
	// Certificate names an item id; nil or "" leaves the certificate empty.
	Certificate func(id string) string
	Title       string
}

// ReportRange returns the instants [start, end) of the Asia/Shanghai dates from..to, both included.
func ReportRange(from, to time.Time) (start, end time.Time) {
	return dayStart(localDay(from)), dayStart(localDay(to) + 1)
}

// WorkingDaysBetween counts the working days after from's Asia/Shanghai date up to and including
// to's date: dispatched Wednesday and replied Thursday is 1, replied the same day 0. Times of day
// (and so half-days) do not count. It is 0 when to's date is not after from's.
// Example: 2026-09-30 → 2026-10-09 is 2 (10/1–10/7 national holiday; 10/8 and 10/9 count).
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := localDay(from), localDay(to)
	n := 0
	for d := a + 1; d <= b; d++ {
		if w, _ := c.day(d); w {
			n++
		}
	}
	return n
}

type deptAcc struct {
	row   DeptReport
	days  []int
	rated int
	good  int
}

// BuildReport computes the report from the cases received in the range and their return,
// grant_extension and reopen events (other events are ignored; cases outside the range too).
func BuildReport(cases []*Case, events []Event, o ReportOptions) *Report {
	cal := o.Calendar
	if cal == nil {
		cal = BuiltinCalendar()
	}
	dir := o.Directory
	if dir == nil {
		dir = BuiltinDirectory()
	}
	start, end := ReportRange(o.From, o.To)
	r := &Report{From: start.Format("2006-01-02"), To: end.AddDate(0, 0, -1).Format("2006-01-02"),
		Title: o.Title, Now: o.Now, Dir: dir}

	depts := map[string]*deptAcc{}
	dept := func(code string) *deptAcc {
		a := depts[code]
		if a == nil {
			a = &deptAcc{row: DeptReport{Code: code, Name: dir.Name(code)}}
			depts[code] = a
		}
		return a
	}
	type evFlags struct{ returned, extended, reopened, escalated bool }
	byCase := make(map[string]*Case, len(cases))
	in := make([]*Case, 0, len(cases))
	for _, c := range cases {
		if c.ReceivedAt.Before(start) || !c.ReceivedAt.Before(end) {
			continue
		}
		byCase[c.ID] = c
		in = append(in, c)
	}
	flags := map[string]*evFlags{}
	returnedBy := map[string]map[string]bool{} // returning dept -> case ids
	for _, e := range events {
		c := byCase[e.CaseID]
		if c == nil {
			continue
		}
		f := flags[e.CaseID]
		if f == nil {
			f = &evFlags{}
			flags[e.CaseID] = f
		}
		switch e.Action {
		case ActReturn:
			f.returned = true
			code := e.Actor.Department
			if code == "" {
				code = c.Department
			}
			if returnedBy[code] == nil {
				returnedBy[code] = map[string]bool{}
			}
			returnedBy[code][c.ID] = true
		case ActGrantExtension:
			f.extended = true
		case ActReopen:
			f.reopened = true
		case ActEscalate:
			f.escalated = true
		}
	}

	items := map[string]*ItemReport{}
	channels, streets, types := map[string]int{}, map[string]int{}, map[string]int{}
	var allDays []int
	allRated, allGood := 0, 0
	for _, c := range in {
		r.Total++
		a := dept(c.Department)
		a.row.Received++
		first := c.FirstRound()
		if first.AcceptedOnTime() {
			a.row.AcceptedOnTime++
		}
		if first.AnsweredOnTime() {
			a.row.AnsweredOnTime++
		}
		dl := c.Deadline()
		if c.Status.Open() && !dl.IsZero() && o.Now.After(dl) {
			a.row.Overdue++
		}
		f := flags[c.ID]
		if f == nil {
			f = &evFlags{}
		}
		if !f.returned && c.Status == StatusReturned {
			if returnedBy[c.Department] == nil {
				returnedBy[c.Department] = map[string]bool{}
			}
			returnedBy[c.Department][c.ID] = true
		}
		if f.extended || !c.ExtendedTo.IsZero() {
			a.row.Extended++
		}
		if f.reopened || len(c.Rounds) > 0 || c.Status == StatusReopened {
			a.row.Reopened++
		}
		rounds := c.AllRounds()
		if f.escalated || slices.ContainsFunc(rounds, func(r Round) bool { return !r.EscalatedAt.IsZero() }) {
			a.row.Escalated++
		}
		if !first.RepliedAt.IsZero() && !first.DispatchedAt.IsZero() {
			n := cal.WorkingDaysBetween(first.DispatchedAt, first.RepliedAt)
			a.days = append(a.days, n)
			allDays = append(allDays, n)
		}
		for _, r := range rounds {
			if !r.Satisfaction.Valid() {
				continue
			}
			a.rated++
			allRated++
			if r.Satisfaction == Unsatisfied {
				a.row.Unsatisfied++
			} else {
				a.good++
				allGood++
			}
		}
		complaint := c.Type == TypeComplaint || c.Type == TypeReport
		consult := c.Type == TypeConsultation
		if len(c.Items) > 0 && c.Items[0] != "" {
			id := c.Items[0] // the primary item only: a case is one complaint, not three
			it := items[id]
			if it == nil {
				it = &ItemReport{ID: id}
				if o.Certificate != nil {
					it.Certificate = o.Certificate(id)
				}
				items[id] = it
			}
			if complaint {
				it.Complaints++
			}
			if consult {
				it.Consultations++
			}
		}
		channels[string(c.Channel)]++
		streets[c.Street]++
		types[string(c.Type)]++
	}
	for code, ids := range returnedBy {
		dept(code).row.Returned += len(ids)
	}

	r.Departments = make([]DeptReport, 0, len(depts))
	for _, a := range depts {
		a.row.MedianWorkingDays = median(a.days)
		a.row.Satisfaction = share(a.good, a.rated)
		r.Departments = append(r.Departments, a.row)
		s := &r.Summary
		s.AcceptedOnTime += a.row.AcceptedOnTime
		s.AnsweredOnTime += a.row.AnsweredOnTime
		s.Overdue += a.row.Overdue
		s.Returned += a.row.Returned
		s.Extended += a.row.Extended
		s.Reopened += a.row.Reopened
		s.Escalated += a.row.Escalated
		s.Unsatisfied += a.row.Unsatisfied
	}
	r.Summary.MedianWorkingDays = median(allDays)
	r.Summary.Satisfaction = share(allGood, allRated)
	slices.SortFunc(r.Departments, func(x, y DeptReport) int {
		return cmp.Or(cmp.Compare(y.Received, x.Received), cmp.Compare(x.Code, y.Code))
	})

	r.Items = make([]ItemReport, 0, len(items))
	for _, it := range items {
		if it.Complaints+it.Consultations > 0 {
			r.Items = append(r.Items, *it)
		}
	}
	slices.SortFunc(r.Items, func(x, y ItemReport) int {
		return cmp.Or(cmp.Compare(y.Complaints, x.Complaints), cmp.Compare(y.Consultations, x.Consultations),
			cmp.Compare(x.ID, y.ID))
	})
	r.Channels = countRows(channels, func(k string) string { return ChannelLabel(Channel(k)) })
	r.Streets = countRows(streets, func(k string) string {
		if k == "" {
			return "未识别"
		}
		return dir.Name(k)
	})
	r.Types = countRows(types, func(k string) string { return k })
	return r
}

// ChannelLabel is the Chinese name of a channel.
func ChannelLabel(ch Channel) string {
	switch ch {
	case ChannelHotline:
		return "12345热线"
	case ChannelPortal:
		return "政务服务网留言"
	case ChannelTelegram:
		return "Telegram机器人"
	case ChannelCLI:
		return "窗口登记"
	}
	return string(ch)
}

func countRows(m map[string]int, label func(string) string) []CountRow {
	out := make([]CountRow, 0, len(m))
	for k, n := range m {
		out = append(out, CountRow{Key: k, Label: label(k), Count: n})
	}
	slices.SortFunc(out, func(x, y CountRow) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Key, y.Key))
	})
	return out
}

// median of ns (sorted in place); the mean of the two middle values for an even count; nil when empty.
func median(ns []int) *float64 {
	if len(ns) == 0 {
		return nil
	}
	slices.Sort(ns)
	m := len(ns) / 2
	v := float64(ns[m])
	if len(ns)%2 == 0 {
		v = float64(ns[m-1]+ns[m]) / 2
	}
	return &v
}

// share is good/total rounded to 4 decimals; nil when total is 0.
func share(good, total int) *float64 {
	if total == 0 {
		return nil
	}
	v := float64(int(float64(good)/float64(total)*10000+0.5)) / 10000
	return &v
}
