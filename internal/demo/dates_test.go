package demo

import (
	"testing"
	"time"
)

func TestDayArithmetic(t *testing.T) {
	epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	for tm := time.Date(1880, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2101; tm = tm.AddDate(0, 0, 1) {
		d := dayOf(tm.Year(), int(tm.Month()), tm.Day())
		if want := day(tm.Sub(epoch).Hours() / 24); d != want {
			t.Fatalf("dayOf(%s) = %d, want %d", tm.Format(time.DateOnly), d, want)
		}
		if s := d.String(); s != tm.Format(time.DateOnly) {
			t.Fatalf("day %d = %s, want %s", d, s, tm.Format(time.DateOnly))
		}
	}
	for _, c := range []struct {
		birth, on string
		age       int
	}{
		{"1965-06-30", "2025-06-30", 60}, {"1965-07-01", "2025-06-30", 59},
		{"2000-02-29", "2001-02-28", 0}, {"2000-02-29", "2001-03-01", 1}, {"2025-06-30", "2025-06-30", 0},
	} {
		if a := ageOn(parseDay(c.birth), parseDay(c.on)); a != c.age {
			t.Errorf("ageOn(%s, %s) = %d, want %d", c.birth, c.on, a, c.age)
		}
	}
}

func parseDay(s string) day {
	tm, _ := time.Parse(time.DateOnly, s)
	return dayOf(tm.Year(), int(tm.Month()), tm.Day())
}
