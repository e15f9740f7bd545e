package stats

import (
	"strings"
	"testing"
)

// TestDeclarations checks the indicator table: known sources, age groups on
// five-year bounds, ratios with a scale, breakdowns the engine knows,
// aggregate sources filtered by code only, and none of the indicators the
// 2021 law took away.
func TestDeclarations(t *testing.T) {
	seen := map[string]bool{}
	terms := func(in Indicator) []Term {
		ts := []Term{in.NumTerm}
		if in.NumTerm.Minus != nil {
			ts = append(ts, *in.NumTerm.Minus)
		}
		if in.DenTerm != nil && in.DenTerm.Task == "" {
			ts = append(ts, *in.DenTerm)
		}
		return ts
	}
	for _, in := range indicators {
		if seen[in.Code] || in.Name == "" || in.Formula == "" || !contains(groups, in.Group) {
			t.Errorf("%s: duplicate, unnamed, without formula or in an unknown group", in.Code)
		}
		seen[in.Code] = true
		if (in.DenTerm != nil) != (in.Scale != 0) {
			t.Errorf("%s: a ratio needs a scale and a scale a ratio", in.Code)
		}
		for _, by := range in.By {
			if !contains([]string{"sex", "age", "code", "urban"}, by) {
				t.Errorf("%s: unknown breakdown %s", in.Code, by)
			}
		}
		for _, term := range terms(in) {
			s, ok := sourceOf(term.Source)
			if !ok {
				t.Errorf("%s: unknown source %s", in.Code, term.Source)
				continue
			}
			f := term.Filters
			if f.AgeFrom != nil && *f.AgeFrom%5 != 0 || f.AgeTo != nil && (*f.AgeTo+1)%5 != 0 {
				t.Errorf("%s: ages must fall on five-year groups", in.Code)
			}
			if s.aggregate != "" && (f.Sex != "" || f.Urban != nil || f.AgeFrom != nil || f.AgeTo != nil ||
				len(in.By) > 0 && !(len(in.By) == 1 && in.By[0] == "code")) {
				t.Errorf("%s: source %s is counted from kept counts by code only", in.Code, s.Code)
			}
		}
		for _, banned := range []string{"计划生育率", "政策符合率", "计划外", "补救率", "计划内"} {
			if strings.Contains(in.Name, banned) || strings.Contains(in.Formula, banned) {
				t.Errorf("%s: %s lost its legal basis in 2021", in.Code, banned)
			}
		}
	}
}
