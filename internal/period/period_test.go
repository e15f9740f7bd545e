package period

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		code, kind, from, to, label string
	}{
		{"2026", Year, "2026-01-01", "2026-12-31", "2026年"},
		{"2026-03", Month, "2026-03-01", "2026-03-31", "2026年3月"},
		{"2028-02", Month, "2028-02-01", "2028-02-29", "2028年2月"},
		{"2026-q1", Quarter, "2026-01-01", "2026-03-31", "2026年第一季度"},
		{"2026-Q4", Quarter, "2026-10-01", "2026-12-31", "2026年第四季度"},
		{"2026-H1", Half, "2026-01-01", "2026-06-30", "2026年上半年"},
		{"2026-H2", Half, "2026-07-01", "2026-12-31", "2026年下半年"},
		{" 2026-sy ", StatYear, "2025-10-01", "2026-09-30", "2026统计年度（2025年10月1日至2026年9月30日）"},
	}
	for _, c := range cases {
		p, err := Parse(c.code)
		if err != nil || p.Kind != c.kind || p.From != c.from || p.To != c.to || p.Label != c.label {
			t.Errorf("Parse(%q) = %+v, %v", c.code, p, err)
		}
	}
	for _, bad := range []string{"", "26", "2026-13", "2026-00", "2026-Q5", "2026-H3", "2026-1", "2026-+1", "abcd", "2026-SX", "1800"} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "期间应为") {
			t.Errorf("Parse(%q) = %v, want the help", bad, err)
		}
	}
}

func TestMonthsDayBeforeAndDue(t *testing.T) {
	p, _ := Parse("2026-SY")
	months := p.Months()
	if len(months) != 12 || months[0].Code != "2025-10" || months[11].Code != "2026-09" {
		t.Errorf("months %+v", months)
	}
	if p.DayBefore() != "2025-09-30" || p.Due() != "2026-10-05" {
		t.Errorf("day before %s, due %s", p.DayBefore(), p.Due())
	}
	dec, _ := Parse("2026-12")
	if dec.Due() != "2027-01-05" || !dec.Contains("2026-12-31") || dec.Contains("2027-01-01") {
		t.Errorf("December: due %s", dec.Due())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026", "2026-03", "2026-Q1", "2026-H2", "2026-SY", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		if p.From > p.To || len(p.Months()) == 0 || len(p.Months()) > 12 {
			t.Errorf("Parse(%q) = %+v", s, p)
		}
		if again, err := Parse(p.Code); err != nil || again != p {
			t.Errorf("code %q does not read back: %+v %v", p.Code, again, err)
		}
	})
}
