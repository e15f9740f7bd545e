// Package benefit runs the benefit programs for families (利益导向): 奖扶,
// 特扶, 独生子女父母奖励, 育儿补贴 and programs a county defines. Each
// program is rules in code over parameters in data: amounts, ages and
// dates have effective dates and a legal basis, and are layered national →
// province → county, so a county adds a top-up or widens a criterion
// without a new release. Every decision says which criteria passed with the
// values used, and which parameter versions it read, so it can be
// reproduced and explained to the family and to auditors.
package benefit

import "strings"

// Decision is the outcome of a program's rules for one person on a date.
type Decision struct {
	Program    string   `json:"program"`
	PersonID   int64    `json:"person_id"`
	Date       string   `json:"date"`
	Eligible   bool     `json:"eligible"`
	Subtype    string   `json:"subtype,omitempty"`
	MonthlyFen int64    `json:"monthly_fen"`
	AnnualFen  int64    `json:"annual_fen"`
	Reasons    []Reason `json:"reasons"`
	Params     []Used   `json:"params"`
}

// Evaluate applies program's rules to facts on date, with the parameter
// layers set for the person's county. An ineligible decision carries no
// amount.
func Evaluate(program string, f Facts, date string, layers []Param) (Decision, bool) {
	prog, ok := ProgramOf(program)
	if !ok {
		return Decision{}, false
	}
	p := NewParams(program, f.Person.County, date, layers)
	r := prog.eval(f, p, date)
	d := Decision{Program: program, PersonID: f.Person.ID, Date: date, Eligible: r.eligible(), Reasons: r.reasons,
		Params: p.Version()}
	if d.Eligible {
		d.MonthlyFen, d.AnnualFen, d.Subtype = r.monthly, r.annual, r.subtype
	}
	return d, true
}

// Failed lists the labels of the criteria that did not pass.
func (d Decision) Failed() []string {
	var out []string
	for _, r := range d.Reasons {
		if !r.Passed {
			out = append(out, r.Label)
		}
	}
	return out
}

// ParamVersion is the compact, sorted list of parameter versions used.
func (d Decision) ParamVersion() string {
	parts := make([]string, len(d.Params))
	for i, u := range d.Params {
		parts[i] = u.String()
	}
	return strings.Join(parts, ";")
}
