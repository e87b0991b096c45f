package routing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// date is midnight of an Asia/Shanghai calendar date given as YYYY-MM-DD.
func calDate(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02", s, Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCalendarWorkingDays(t *testing.T) {
	cal := BuiltinCalendar()
	cases := []struct {
		date    string
		working bool
		why     string
	}{
		{"2025-01-01", false, "元旦 2025"},
		{"2025-01-02", true, "Thursday after 元旦"},
		{"2025-01-26", true, "春节 2025 make-up Sunday"},
		{"2025-01-28", false, "春节 2025 first day off"},
		{"2025-02-04", false, "春节 2025 last day off"},
		{"2025-02-05", true, "back to work after 春节 2025"},
		{"2025-02-08", true, "春节 2025 make-up Saturday"},
		{"2025-04-04", false, "清明 2025"},
		{"2025-04-27", true, "劳动节 2025 make-up Sunday"},
		{"2025-05-05", false, "劳动节 2025 Monday off"},
		{"2025-06-02", false, "端午 2025 Monday off"},
		{"2025-09-28", true, "国庆 2025 make-up Sunday"},
		{"2025-10-08", false, "国庆中秋 2025 last day off"},
		{"2025-10-11", true, "国庆 2025 make-up Saturday"},
		{"2025-10-12", false, "ordinary Sunday"},
		{"2026-01-01", false, "元旦 2026"},
		{"2026-01-02", false, "元旦 2026 Friday off"},
		{"2026-01-04", true, "元旦 2026 make-up Sunday"},
		{"2026-02-13", true, "Friday before 春节 2026"},
		{"2026-02-14", true, "春节 2026 make-up Saturday"},
		{"2026-02-15", false, "春节 2026 first day off"},
		{"2026-02-17", false, "春节 2026 初一"},
		{"2026-02-23", false, "春节 2026 last day off (Monday)"},
		{"2026-02-24", true, "back to work after 春节 2026"},
		{"2026-02-28", true, "春节 2026 make-up Saturday"},
		{"2026-03-01", false, "ordinary Sunday"},
		{"2026-04-06", false, "清明 2026 Monday off"},
		{"2026-05-05", false, "劳动节 2026 Tuesday off"},
		{"2026-05-09", true, "劳动节 2026 make-up Saturday"},
		{"2026-06-19", false, "端午 2026 Friday off"},
		{"2026-09-20", true, "国庆 2026 make-up Sunday"},
		{"2026-09-25", false, "中秋 2026 Friday off"},
		{"2026-10-01", false, "国庆 2026 first day off"},
		{"2026-10-07", false, "国庆 2026 last day off"},
		{"2026-10-08", true, "back to work after 国庆 2026"},
		{"2026-10-10", true, "国庆 2026 make-up Saturday"},
		{"2026-10-11", false, "ordinary Sunday"},
		{"2026-11-25", true, "ordinary Wednesday"},
		{"2028-01-01", false, "uncovered year: Saturday"},
		{"2028-01-03", true, "uncovered year: Monday"},
		{"1999-10-01", true, "uncovered year: Friday, weekday rule only"},
	}
	for _, c := range cases {
		t.Run(c.date, func(t *testing.T) {
			if got := cal.IsWorkingDay(calDate(t, c.date)); got != c.working {
				t.Errorf("IsWorkingDay(%s) = %v, want %v (%s)", c.date, got, c.working, c.why)
			}
		})
	}
}

func TestCalendarUsesShanghaiDate(t *testing.T) {
	cal := BuiltinCalendar()
	// 2026-02-13 16:30 UTC is 2026-02-14 00:30 in Shanghai: the make-up Saturday.
	if !cal.IsWorkingDay(time.Date(2026, 2, 13, 16, 30, 0, 0, time.UTC)) {
		t.Error("2026-02-13T16:30Z is the make-up Saturday 2026-02-14 in Shanghai")
	}
	// 2026-02-14 15:59 UTC is 23:59 the same Saturday; 16:00 UTC is already Sunday 2/15 (春节).
	if !cal.IsWorkingDay(time.Date(2026, 2, 14, 15, 59, 0, 0, time.UTC)) {
		t.Error("2026-02-14T15:59Z is still 2026-02-14 in Shanghai")
	}
	if cal.IsWorkingDay(time.Date(2026, 2, 14, 16, 0, 0, 0, time.UTC)) {
		t.Error("2026-02-14T16:00Z is 2026-02-15 (春节) in Shanghai")
	}
}

func TestCalendarCovered(t *testing.T) {
	cal := BuiltinCalendar()
	for _, c := range []struct {
		year int
		want bool
	}{
		{2001, false}, // only make-up days for 2002's 元旦
		{2002, true}, {2024, true}, {2025, true}, {2026, true}, {2027, true},
		{2028, false}, {2035, false}, {1999, false},
	} {
		if got := cal.Covered(c.year); got != c.want {
			t.Errorf("Covered(%d) = %v, want %v", c.year, got, c.want)
		}
	}
}

func TestCalendarOverride(t *testing.T) {
	cal, err := NewCalendar(strings.NewReader("# test table\n" +
		"\n" +
		"2028-01-03\toff\t元旦（测试）\n" +
		"2026-10-08\twork\t更正（测试）\n" +
		"2026-02-14\toff\n" + // override cancels a lunar-go make-up day
		"2026-10-11 work 空格分隔\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		date    string
		working bool
	}{
		{"2028-01-03", false}, // the override's holiday
		{"2028-01-04", true},  // the rest of 2028 by weekday
		{"2028-01-08", false},
		{"2026-10-07", false}, // lunar-go still applies elsewhere
		{"2026-10-08", true},
		{"2026-02-14", false},
		{"2026-02-28", true},
		{"2026-10-11", true},
	} {
		if got := cal.IsWorkingDay(calDate(t, c.date)); got != c.working {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", c.date, got, c.working)
		}
	}
	if !cal.Covered(2028) {
		t.Error("an override line for 2028 makes 2028 covered")
	}
	if cal.Covered(2029) {
		t.Error("2029 has no data")
	}
	if BuiltinCalendar().Covered(2028) {
		t.Error("a custom override must not change the built-in calendar")
	}
}

func TestCalendarOverrideErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"bad date", "# c\n2026-02-30\toff\tx\n", `第 2 行: 日期 "2026-02-30" 无效`},
		{"bad kind", "2026-10-08\twork\n\n2026-10-09\tholiday\tx\n", `第 3 行: "holiday" 应为 work 或 off`},
		{"one column", "# header\n# more\n2026-10-09\n", "第 3 行: 应为"},
		{"duplicate", "2028-01-03\toff\n2028-01-03\twork\n", "第 2 行: 日期 2028-01-03 与第 1 行重复"},
		{"not a date", "元旦\toff\n", `第 1 行: 日期 "元旦" 无效`},
		{"year out of range", "9026-10-01\toff\t国庆\n", "第 1 行: 日期 9026-10-01 的年份应在 2000 到 2199 之间"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewCalendar(strings.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestLoadCalendarFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "holidays.tsv")
	if err := os.WriteFile(path, []byte("2028-01-03\toff\t元旦\n2028-13-01\toff\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadCalendarFile(path)
	if err == nil || err.Error() != path+` 第 2 行: 日期 "2028-13-01" 无效，应为 YYYY-MM-DD` {
		t.Fatalf("error = %v, want the file and line named", err)
	}
	if _, err := LoadCalendarFile(filepath.Join(t.TempDir(), "missing.tsv")); err == nil {
		t.Fatal("a missing override file is an error")
	}
}

func TestBuiltinOverrideHasNoData(t *testing.T) {
	over, years, err := parseOverrides(strings.NewReader(builtinOverrideTSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(over) != 0 || len(years) != 0 {
		t.Errorf("the embedded override file must hold only comments, got %d dates", len(over))
	}
}
