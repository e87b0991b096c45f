package routing

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Shanghai is Asia/Shanghai as a fixed +08:00 zone: China has had no daylight saving time since
// 1991, and a fixed zone needs no tzdata on the host.
var Shanghai = time.FixedZone("CST", 8*3600)

const (
	secondsPerDay  = 86400
	shanghaiOffset = 8 * 3600
	// lunarFirstYear and lunarLastYear bound the years probed in lunar-go's table (it starts in 2001).
	lunarFirstYear = 2001
	lunarLastYear  = 2199
	// minOverrideYear and maxOverrideYear bound the years an override file may name.
	minOverrideYear = 2000
	maxOverrideYear = 2199
)

// Calendar tells Chinese working days apart: weekends and statutory holidays are off, 调休
// make-up days are on. Its sources are lunar-go's table of the State Council notices and an
// override file; a year neither covers is computed on weekends only (see Covered).
// A Calendar is immutable and safe for concurrent use.
type Calendar struct {
	// Days from firstDay (1 January of the first covered year) to the end of the last covered
	// year, one bit each: work marks working days, known marks days of covered years.
	firstDay, endDay int64
	work, known      []uint64
	covered          map[int]bool
	warned           sync.Map // year -> struct{}: the uncovered-year warning is logged once
}

//go:embed data/holidays_override.tsv
var builtinOverrideTSV string

var (
	lunarOnce    sync.Once
	lunarDays    map[int64]bool // day number -> working
	lunarCovered map[int]bool
	builtinOnce  sync.Once
	builtinCal   *Calendar
)

// BuiltinCalendar returns the calendar of lunar-go's table plus the embedded override file.
func BuiltinCalendar() *Calendar {
	builtinOnce.Do(func() {
		c, err := NewCalendar(strings.NewReader(builtinOverrideTSV))
		if err != nil {
			panic(fmt.Sprintf("embedded holidays_override.tsv: %v", err)) // a build-time defect, caught by tests
		}
		builtinCal = c
	})
	return builtinCal
}

// LoadCalendarFile reads an override file (see NewCalendar); errors name the file and the line.
func LoadCalendarFile(path string) (*Calendar, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("holiday override file: %w", err)
	}
	defer f.Close()
	c, err := NewCalendar(f)
	var le *LineError
	if errors.As(err, &le) {
		le.File = path
	}
	return c, err
}

// NewCalendar builds a calendar from lunar-go's table and an override file (nil for none):
// tab-separated lines "date<TAB>work|off<TAB>name" (YYYY-MM-DD; name optional), # comments and
// blank lines ignored. An override line wins over lunar-go for its date, and a year with at least
// one override line counts as covered. Errors are *LineError values naming the line.
func NewCalendar(overrides io.Reader) (*Calendar, error) {
	over, overYears, err := parseOverrides(overrides)
	if err != nil {
		return nil, err
	}
	lunarOnce.Do(loadLunar)
	c := &Calendar{covered: map[int]bool{}}
	for y := range lunarCovered {
		c.covered[y] = true
	}
	for y := range overYears {
		c.covered[y] = true
	}
	if len(c.covered) == 0 {
		return c, nil
	}
	lo, hi := 1<<30, -1<<30
	for y := range c.covered {
		lo, hi = min(lo, y), max(hi, y)
	}
	c.firstDay, c.endDay = dayOf(lo, 1, 1), dayOf(hi+1, 1, 1)
	n := (c.endDay - c.firstDay + 63) / 64
	c.work, c.known = make([]uint64, n), make([]uint64, n)
	for d := c.firstDay; d < c.endDay; d++ {
		y := yearOf(d)
		if !c.covered[y] {
			if !weekend(d) {
				c.set(c.work, d)
			}
			continue
		}
		c.set(c.known, d)
		working, ok := over[d]
		if !ok {
			working, ok = lunarDays[d]
		}
		if !ok {
			working = !weekend(d)
		}
		if working {
			c.set(c.work, d)
		}
	}
	return c, nil
}

// loadLunar reads lunar-go's table once per process. A year counts as covered when the table
// lists one of that year's own holidays; entries such as 2001-12-29 (a make-up day for 2002's
// 元旦) do not make 2001 covered.
func loadLunar() {
	lunarDays, lunarCovered = map[int64]bool{}, map[int]bool{}
	for y := lunarFirstYear; y <= lunarLastYear; y++ {
		for e := HolidayUtil.GetHolidaysByYear(y).Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			d, err := parseDate(h.GetDay())
			if err != nil {
				continue // lunar-go's own data is well-formed; never stop on it
			}
			lunarDays[d] = h.IsWork()
			if strings.HasPrefix(h.GetTarget(), strconv.Itoa(y)) {
				lunarCovered[y] = true
			}
		}
	}
	// Spill-over entries of an uncovered year are ignored: that year is counted on weekends only.
	for d := range lunarDays {
		if !lunarCovered[yearOf(d)] {
			delete(lunarDays, d)
		}
	}
}

func parseOverrides(r io.Reader) (map[int64]bool, map[int]bool, error) {
	over, years := map[int64]bool{}, map[int]bool{}
	if r == nil {
		return over, years, nil
	}
	seen := map[int64]int{} // day -> line
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var f []string
		if strings.Contains(line, "\t") {
			f = strings.Split(line, "\t")
		} else {
			f = strings.Fields(line)
		}
		if len(f) < 2 {
			return nil, nil, &LineError{Line: n, Msg: "应为“日期<TAB>work|off<TAB>名称”"}
		}
		date := strings.TrimSpace(f[0])
		d, err := parseDate(date)
		if err != nil {
			return nil, nil, &LineError{Line: n, Msg: fmt.Sprintf("日期 %q 无效，应为 YYYY-MM-DD", date)}
		}
		if y := yearOf(d); y < minOverrideYear || y > maxOverrideYear {
			// A typo such as 9026 would otherwise stretch the day table over millennia.
			return nil, nil, &LineError{Line: n, Msg: fmt.Sprintf("日期 %s 的年份应在 %d 到 %d 之间", date, minOverrideYear, maxOverrideYear)}
		}
		var working bool
		switch kind := strings.ToLower(strings.TrimSpace(f[1])); kind {
		case "work", "班", "上班":
			working = true
		case "off", "休", "休息":
		default:
			return nil, nil, &LineError{Line: n, Msg: fmt.Sprintf("%q 应为 work 或 off", kind)}
		}
		if prev, dup := seen[d]; dup {
			return nil, nil, &LineError{Line: n, Msg: fmt.Sprintf("日期 %s 与第 %d 行重复", date, prev)}
		}
		seen[d] = n
		over[d] = working
		years[yearOf(d)] = true
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("holiday override file: %w", err)
	}
	return over, years, nil
}

// IsWorkingDay reports whether the Asia/Shanghai calendar date of t is a working day. Outside the
// covered years it answers by weekday alone.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	working, _ := c.day(localDay(t))
	return working
}

// Covered reports whether the calendar knows the holidays of year (lunar-go or the override file).
func (c *Calendar) Covered(year int) bool { return c.covered[year] }

// day reports whether day number d is a working day and whether its year is covered.
func (c *Calendar) day(d int64) (working, covered bool) {
	if d < c.firstDay || d >= c.endDay {
		return !weekend(d), false
	}
	i := d - c.firstDay
	bit := uint64(1) << (i & 63)
	return c.work[i>>6]&bit != 0, c.known[i>>6]&bit != 0
}

// shift returns the n-th working day after day number d (before it when n < 0) and whether every
// day it looked at lies in a covered year; it logs once per uncovered year it had to guess.
func (c *Calendar) shift(d int64, n int) (int64, bool) {
	step := int64(1)
	if n < 0 {
		step, n = -1, -n
	}
	allCovered := true
	for n > 0 {
		d += step
		working, covered := c.day(d)
		if !covered {
			allCovered = false
			c.warnUncovered(yearOf(d))
		}
		if working {
			n--
		}
	}
	return d, allCovered
}

func (c *Calendar) warnUncovered(year int) {
	if _, done := c.warned.LoadOrStore(year, struct{}{}); !done {
		slog.Warn("holiday calendar does not cover this year; counting weekends only",
			"year", year, "fix", "add the State Council notice to the [calendar] override_file")
	}
}

func (c *Calendar) set(bitset []uint64, d int64) {
	i := d - c.firstDay
	bitset[i>>6] |= 1 << (i & 63)
}

// LineError is an error in a line-oriented file (config, override table), shown as
// "FILE 第 N 行: MSG".
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("第 %d 行: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s 第 %d 行: %s", e.File, e.Line, e.Msg)
}

// Day numbers count days since 1970-01-01 in Asia/Shanghai; they make stepping through the
// calendar a matter of integer arithmetic.

func localDay(t time.Time) int64 {
	return floorDiv(t.Unix()+shanghaiOffset, secondsPerDay)
}

func dayOf(year int, month time.Month, day int) int64 {
	return floorDiv(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

// dayStart returns midnight of day number d in Asia/Shanghai.
func dayStart(d int64) time.Time {
	return time.Unix(d*secondsPerDay-shanghaiOffset, 0).In(Shanghai)
}

func yearOf(d int64) int { return time.Unix(d*secondsPerDay, 0).UTC().Year() }

// weekend reports Saturday and Sunday; day 0 (1970-01-01) was a Thursday.
func weekend(d int64) bool {
	wd := (d%7 + 7 + 4) % 7 // 0 = Sunday
	return wd == 0 || wd == 6
}

func parseDate(s string) (int64, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, err
	}
	return floorDiv(t.Unix(), secondsPerDay), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
