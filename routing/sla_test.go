package routing

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// calAt parses "YYYY-MM-DD HH:MM" as Asia/Shanghai local time.
func calAt(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rfc formats a deadline as the JSON contract shows it.
func slaRFC(v time.Time) string { return v.Format(time.RFC3339) }

func TestDeadlines(t *testing.T) {
	sla := DefaultSLA()
	cases := []struct {
		name    string
		typ     CaseType
		from    string
		accept  string
		resolve string
		covered bool
	}{
		// 春节 2026: off 2/15–2/23, make-up Saturdays 2/14 and 2/28.
		{"friday before 春节 2026", TypeComplaint, "2026-02-13 10:00", "2026-02-14 18:00", "2026-02-27 18:00", true},
		{"received on 春节 初一", TypeConsultation, "2026-02-17 09:00", "2026-02-24 18:00", "2026-02-26 18:00", true},
		{"received on make-up Saturday 2/14", TypeHelp, "2026-02-14 11:00", "2026-02-24 18:00", "2026-02-28 18:00", true},
		{"received at 23:59 before make-up Saturday", TypeComplaint, "2026-02-27 23:59", "2026-02-28 18:00", "2026-03-05 18:00", true},
		{"received at 00:00 of make-up Saturday", TypeComplaint, "2026-02-28 00:00", "2026-03-02 18:00", "2026-03-06 18:00", true},
		{"received exactly at 18:00", TypeConsultation, "2026-02-27 18:00", "2026-02-28 18:00", "2026-03-03 18:00", true},
		{"received at 17:59", TypeConsultation, "2026-02-27 17:59", "2026-02-28 18:00", "2026-03-03 18:00", true},
		// 中秋/国庆 2026: 中秋 off 9/25–9/27, 国庆 off 10/1–10/7, make-up 9/20 (Sun) and 10/10 (Sat).
		{"friday before make-up Sunday 9/20", TypeComplaint, "2026-09-18 10:00", "2026-09-20 18:00", "2026-09-24 18:00", true},
		{"thursday before 中秋 2026", TypeConsultation, "2026-09-24 10:00", "2026-09-28 18:00", "2026-09-30 18:00", true},
		{"建议 across 国庆 2026", TypeSuggestion, "2026-09-24 10:00", "2026-09-28 18:00", "2026-10-22 18:00", true},
		{"举报 on the eve of 国庆 2026", TypeReport, "2026-09-30 15:00", "2026-10-08 18:00", "2026-10-27 18:00", true},
		{"received on 国庆 2026", TypeConsultation, "2026-10-03 10:00", "2026-10-08 18:00", "2026-10-10 18:00", true},
		// Other 2026 holidays.
		{"元旦 2026 make-up Sunday 1/4", TypeConsultation, "2025-12-31 10:00", "2026-01-04 18:00", "2026-01-06 18:00", true},
		{"清明 2026", TypeComplaint, "2026-04-03 10:00", "2026-04-07 18:00", "2026-04-13 18:00", true},
		{"劳动节 2026 make-up Saturday 5/9", TypeHelp, "2026-04-30 10:00", "2026-05-06 18:00", "2026-05-11 18:00", true},
		{"端午 2026", TypeConsultation, "2026-06-18 10:00", "2026-06-22 18:00", "2026-06-24 18:00", true},
		// 2025 holidays.
		{"元旦 2025", TypeConsultation, "2024-12-31 10:00", "2025-01-02 18:00", "2025-01-06 18:00", true},
		{"春节 2025 make-up Sunday 1/26", TypeComplaint, "2025-01-24 10:00", "2025-01-26 18:00", "2025-02-07 18:00", true},
		{"清明 2025", TypeConsultation, "2025-04-03 10:00", "2025-04-07 18:00", "2025-04-09 18:00", true},
		{"劳动节 2025 make-up Sunday 4/27", TypeHelp, "2025-04-25 10:00", "2025-04-27 18:00", "2025-05-06 18:00", true},
		{"端午 2025", TypeConsultation, "2025-05-30 10:00", "2025-06-03 18:00", "2025-06-05 18:00", true},
		{"国庆中秋 2025 make-up Saturday 10/11", TypeComplaint, "2025-09-30 10:00", "2025-10-09 18:00", "2025-10-14 18:00", true},
		// Each type from an ordinary Monday.
		{"咨询 3", TypeConsultation, "2026-03-02 10:00", "2026-03-03 18:00", "2026-03-05 18:00", true},
		{"求助 5", TypeHelp, "2026-03-02 10:00", "2026-03-03 18:00", "2026-03-09 18:00", true},
		{"投诉 5", TypeComplaint, "2026-03-02 10:00", "2026-03-03 18:00", "2026-03-09 18:00", true},
		{"举报 15", TypeReport, "2026-03-02 10:00", "2026-03-03 18:00", "2026-03-23 18:00", true},
		{"建议 15", TypeSuggestion, "2026-03-02 10:00", "2026-03-03 18:00", "2026-03-23 18:00", true},
		{"unknown type gets 投诉's period", CaseType("其他"), "2026-03-02 10:00", "2026-03-03 18:00", "2026-03-09 18:00", true},
		// Beyond lunar-go's table: weekends only, flagged.
		{"2028 is not covered", TypeComplaint, "2028-01-31 10:00", "2028-02-01 18:00", "2028-02-07 18:00", false},
		{"2027 into 2028", TypeComplaint, "2027-12-30 10:00", "2027-12-31 18:00", "2028-01-06 18:00", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := sla.Deadlines(c.typ, calAt(t, c.from))
			if slaRFC(got.AcceptBy) != slaRFC(calAt(t, c.accept)) {
				t.Errorf("AcceptBy = %s, want %s", slaRFC(got.AcceptBy), slaRFC(calAt(t, c.accept)))
			}
			if slaRFC(got.ResolveBy) != slaRFC(calAt(t, c.resolve)) {
				t.Errorf("ResolveBy = %s, want %s", slaRFC(got.ResolveBy), slaRFC(calAt(t, c.resolve)))
			}
			if got.Covered != c.covered {
				t.Errorf("Covered = %v, want %v", got.Covered, c.covered)
			}
		})
	}
}

func TestDeadlinesOverride2028(t *testing.T) {
	cal, err := NewCalendar(strings.NewReader("2028-01-03\toff\t元旦（测试）\n"))
	if err != nil {
		t.Fatal(err)
	}
	sla := DefaultSLA()
	sla.Calendar = cal
	got := sla.Deadlines(TypeComplaint, calAt(t, "2027-12-30 10:00"))
	// 12/31 (1), 1/3 off by the override, 1/4 (2), 1/5 (3), 1/6 (4), 1/7 (5).
	if want := "2028-01-07T18:00:00+08:00"; slaRFC(got.ResolveBy) != want || !got.Covered {
		t.Errorf("with a 2028 override: ResolveBy %s covered %v, want %s covered true", slaRFC(got.ResolveBy), got.Covered, want)
	}
}

func TestAddWorkingDaysZones(t *testing.T) {
	sla := DefaultSLA()
	// 2026-02-27T16:30:00Z is 2026-02-28 00:30 in Shanghai (make-up Saturday, not counted).
	got, covered := sla.AddWorkingDays(time.Date(2026, 2, 27, 16, 30, 0, 0, time.UTC), 1)
	if slaRFC(got) != "2026-03-02T18:00:00+08:00" || !covered {
		t.Errorf("AddWorkingDays(UTC input) = %s %v", slaRFC(got), covered)
	}
	if _, off := got.Zone(); off != 8*3600 {
		t.Errorf("deadline zone offset %d, want +08:00", off)
	}
	got, _ = sla.AddWorkingDays(calAt(t, "2026-02-17 10:00"), 0)
	if slaRFC(got) != "2026-02-17T18:00:00+08:00" {
		t.Errorf("n = 0 gives the close of business of the day itself, got %s", slaRFC(got))
	}
}

func TestSLAOtherRules(t *testing.T) {
	sla := DefaultSLA()
	cases := []struct {
		name string
		got  func() time.Time
		want string
	}{
		{"return within 1 working day", func() time.Time { v, _ := sla.ReturnBy(calAt(t, "2026-02-13 16:00")); return v }, "2026-02-14 18:00"},
		{"return after hours on a holiday", func() time.Time { v, _ := sla.ReturnBy(calAt(t, "2026-10-05 20:00")); return v }, "2026-10-08 18:00"},
		{"max extension 10 days across 国庆", func() time.Time { v, _ := sla.MaxExtensionBy(calAt(t, "2026-09-30 18:00")); return v }, "2026-10-20 18:00"},
		{"reminder the working day before", func() time.Time { return sla.ReminderAt(calAt(t, "2026-03-02 10:00"), calAt(t, "2026-03-03 18:00")) }, "2026-03-02 18:00"},
		{"reminder on the make-up Saturday before 春节", func() time.Time {
			return sla.ReminderAt(calAt(t, "2026-02-10 10:00"), calAt(t, "2026-02-24 18:00"))
		}, "2026-02-14 18:00"},
		{"reminder before from falls back to 09:00 of the deadline day", func() time.Time {
			return sla.ReminderAt(calAt(t, "2026-03-02 18:30"), calAt(t, "2026-03-03 18:00"))
		}, "2026-03-03 09:00"},
		{"reminder never before from", func() time.Time {
			return sla.ReminderAt(calAt(t, "2026-03-03 12:00"), calAt(t, "2026-03-03 18:00"))
		}, "2026-03-03 12:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.got(); slaRFC(got) != slaRFC(calAt(t, c.want)) {
				t.Errorf("got %s, want %s", slaRFC(got), slaRFC(calAt(t, c.want)))
			}
		})
	}

	custom := DefaultSLA()
	custom.CloseOfBusiness = 17*time.Hour + 30*time.Minute
	custom.ReminderDaysBefore = 2
	custom.ResolveDays[TypeConsultation] = 5
	d := custom.Deadlines(TypeConsultation, calAt(t, "2026-03-02 10:00"))
	if slaRFC(d.AcceptBy) != "2026-03-03T17:30:00+08:00" || slaRFC(d.ResolveBy) != "2026-03-09T17:30:00+08:00" {
		t.Errorf("custom SLA: %s %s", slaRFC(d.AcceptBy), slaRFC(d.ResolveBy))
	}
	// Two working days before 10/9 are 10/8 and 9/30 (国庆 between).
	if got := custom.ReminderAt(calAt(t, "2026-09-01 10:00"), calAt(t, "2026-10-09 17:30")); slaRFC(got) != "2026-09-30T17:30:00+08:00" {
		t.Errorf("2 working days before: %s", slaRFC(got))
	}
	if DefaultResolveDays[TypeConsultation] != 3 {
		t.Error("changing one SLA must not change the defaults")
	}
	custom.ReminderDaysBefore = 0
	if got := custom.ReminderAt(calAt(t, "2026-09-01 10:00"), calAt(t, "2026-10-09 17:30")); slaRFC(got) != "2026-10-09T09:00:00+08:00" {
		t.Errorf("reminder_days_before 0: %s", slaRFC(got))
	}
}

func TestDeadlinesJSON(t *testing.T) {
	d := DefaultSLA().Deadlines(TypeComplaint, calAt(t, "2026-02-13 10:00"))
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"accept_by":"2026-02-14T18:00:00+08:00","resolve_by":"2026-02-27T18:00:00+08:00","calendar_covered":true}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

func TestUncoveredWarnsOncePerYear(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(prev)

	cal, err := NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	sla := DefaultSLA()
	sla.Calendar = cal
	for range 3 {
		sla.Deadlines(TypeReport, calAt(t, "2028-03-01 10:00"))
	}
	sla.Deadlines(TypeReport, calAt(t, "2029-03-01 10:00"))
	sla.Deadlines(TypeReport, calAt(t, "2026-03-01 10:00"))
	out := buf.String()
	if n := strings.Count(out, "does not cover"); n != 2 {
		t.Errorf("%d warnings, want one for 2028 and one for 2029:\n%s", n, out)
	}
	if !strings.Contains(out, "year=2028") || !strings.Contains(out, "year=2029") {
		t.Errorf("warnings should name the year:\n%s", out)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	sla := DefaultSLA()
	from := calAt(b, "2026-09-24 10:00")
	sla.AddWorkingDays(from, 15) // build the built-in calendar before timing
	for b.Loop() {
		sla.AddWorkingDays(from, 15)
	}
}
