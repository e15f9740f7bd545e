// Package period reads and lays out the periods figures and payments are
// counted over: months, quarters, half-years, calendar years and the old
// family-planning statistical year (1 October to 30 September), which some
// counties still report by.
package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"jisheng/internal/apperr"
)

// Kinds of period.
const (
	Month    = "month"
	Quarter  = "quarter"
	Half     = "half"
	Year     = "year"
	StatYear = "stat_year"
)

// Period is a run of whole days, From and To inclusive (YYYY-MM-DD).
type Period struct {
	Code  string `json:"code"` // 2026-03, 2026-Q1, 2026-H1, 2026, 2026-SY
	Kind  string `json:"kind"`
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
}

// Help says how periods are written, for error messages.
const Help = "期间应为月份（2026-03）、季度（2026-Q1）、半年（2026-H1）、年度（2026）或统计年度（2026-SY，即上年10月1日至当年9月30日）"

// Parse reads a period code. The statistical year is named by the year it
// ends in: 2026-SY runs from 2025-10-01 to 2026-09-30.
func Parse(code string) (Period, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	bad := apperr.InvalidField("period", Help)
	if len(code) < 4 {
		return Period{}, bad
	}
	year, err := strconv.Atoi(code[:4])
	if err != nil || year < 1900 || year > 2200 {
		return Period{}, bad
	}
	rest := code[4:]
	switch {
	case rest == "":
		return span(code, Year, year, 1, 12, fmt.Sprintf("%d年", year)), nil
	case rest == "-SY":
		from := time.Date(year-1, 10, 1, 0, 0, 0, 0, time.UTC)
		return Period{Code: code, Kind: StatYear, From: day(from), To: day(from.AddDate(1, 0, -1)),
			Label: fmt.Sprintf("%d统计年度（%d年10月1日至%d年9月30日）", year, year-1, year)}, nil
	case len(rest) == 3 && rest[:2] == "-Q" && rest[2] >= '1' && rest[2] <= '4':
		q := int(rest[2] - '0')
		return span(code, Quarter, year, 3*q-2, 3*q, fmt.Sprintf("%d年第%s季度", year, "一二三四"[3*(q-1):3*q])), nil
	case len(rest) == 3 && rest[:2] == "-H" && (rest[2] == '1' || rest[2] == '2'):
		h := int(rest[2] - '0')
		return span(code, Half, year, 6*h-5, 6*h, fmt.Sprintf("%d年%s半年", year, map[int]string{1: "上", 2: "下"}[h])), nil
	case len(rest) == 3 && rest[0] == '-':
		m, err := strconv.Atoi(rest[1:])
		if err != nil || m < 1 || m > 12 || rest[1] == '+' {
			return Period{}, bad
		}
		return span(code, Month, year, m, m, fmt.Sprintf("%d年%d月", year, m)), nil
	}
	return Period{}, bad
}

// span is the period from the first day of month first to the last day of
// month last of a year.
func span(code, kind string, year, first, last int, label string) Period {
	from := time.Date(year, time.Month(first), 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(year, time.Month(last)+1, 0, 0, 0, 0, 0, time.UTC)
	return Period{Code: code, Kind: kind, From: day(from), To: day(to), Label: label}
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// Months lists the months the period covers, in order.
func (p Period) Months() []Period {
	var out []Period
	t, _ := time.Parse(time.DateOnly, p.From)
	end, _ := time.Parse(time.DateOnly, p.To)
	for ; !t.After(end); t = t.AddDate(0, 1, 0) {
		m, _ := Parse(t.Format("2006-01"))
		out = append(out, m)
	}
	return out
}

// DayBefore is the last day before the period: the date a population at
// the start of the period is counted on.
func (p Period) DayBefore() string {
	t, _ := time.Parse(time.DateOnly, p.From)
	return day(t.AddDate(0, 0, -1))
}

// Due is the last day to file the period's report upward: the 5th of the
// month after it ends.
func (p Period) Due() string {
	t, _ := time.Parse(time.DateOnly, p.To)
	return day(time.Date(t.Year(), t.Month()+1, 5, 0, 0, 0, 0, time.UTC))
}

// Contains reports whether a date (YYYY-MM-DD) lies in the period.
func (p Period) Contains(date string) bool { return date >= p.From && date <= p.To }
