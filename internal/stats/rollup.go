package stats

import (
	"strings"
	"time"

	"jisheng/internal/division"
)

// Counting the population at a date row by row reads a county's million
// persons; doing it for the two dates of every average population made a
// yearly report take seconds. The registry keeps person_rollup (migration
// 0019): persons counted by division, sex, urban, marital flag, status,
// birth month (or year) and death month. At a date D most of those rows
// are decided by their months alone: born by D's month, outside the months
// holding an age group's bound, and alive or dead in a month after D's.
// Only where D or a bound falls inside a month (not on its last day) are
// that month's persons read one by one, through the birth and death
// indexes: never for the month ends that periods end on. Where D or a
// bound is not 31 December, its year is read by month, other years by
// year. Persons whose registration changed over time (person_spans) are
// taken back out of the rollup and counted by their spans, as the row
// source does. The row SQL of the same source stays the drill-down, and
// the tests hold the two to the same figures.

// townshipPathLen is the length of a township's path. person_rollup's
// depths 1 and 2 count by the first townshipPathLen bytes of the
// registered path: a county's report reads townships' rows, not villages';
// depths 0 and 3 count by the registered division.
var townshipPathLen = division.PathLen(division.LevelTownship)

// rollupDecided are the rollup rows r, beside those of a stock's own
// condition, counted at {date} by their months: by birth year (depth 2 or
// 3) outside the split years, by birth month (depth 1 or 0) in them.
func rollupDecided(cond string) string {
	return `SELECT r.path AS path, {rollup_cells} FROM person_rollup r
		WHERE r.depth = {year_depth} AND {area:r.path} AND ` + cond + `
		AND r.birth_month NOT IN ({split_years}) AND r.birth_month <= {year} {rollup_age} {rollup_group}
	UNION ALL
	SELECT r.path, {rollup_cells} FROM person_rollup r
		WHERE {if_split_months} AND r.depth = {depth} AND {area:r.path} AND ` + cond + `
		AND substr(r.birth_month, 1, 4) IN ({split_years})
		AND r.birth_month NOT IN ({edge_months}) AND r.birth_month <= {month} {rollup_age} {rollup_group}`
}

// rollupCells are the columns of rollup rows after their path: each row
// as stored when the cube keeps age groups; otherwise summed by path and
// the dimensions kept (rollupGroup), which for the path alone, or the path
// and sex, follows the table's key without sorting. Rows summed over an
// age range (rollupAge) show the earliest birth, which lies in it.
func rollupCells(sh shape) string {
	d := sh.dims
	if d&dimBand != 0 {
		return `r.sex AS sex, '' AS code, r.urban AS urban, ` + rollupBirth + ` AS birth_date, r.n AS n`
	}
	birth := "NULL"
	if sh.ranged() {
		birth = "MIN(" + rollupBirth + ")"
	}
	sex, urban := "''", "0"
	if d&dimSex != 0 {
		sex = "r.sex"
	}
	if d&dimUrban != 0 {
		urban = "r.urban"
	}
	return sex + ` AS sex, '' AS code, ` + urban + ` AS urban, ` + birth + ` AS birth_date, SUM(r.n) AS n`
}

// rollupGroup is the GROUP BY of rollupCells.
func rollupGroup(d dims) string {
	if d&dimBand != 0 {
		return ""
	}
	group := "GROUP BY r.path"
	if d&dimSex != 0 {
		group += ", r.sex"
	}
	if d&dimUrban != 0 {
		group += ", r.urban"
	}
	return group
}

// rollupAlive are the rollup rows r of persons alive at {date}: dead in a
// later month than its own.
const rollupAlive = `(r.status = 'alive' OR (r.status = 'deceased' AND r.death_month > {month}))`

// personDecided is the population's rollupDecided for one person p.
const personDecided = `COALESCE(substr(p.birth_date, 1, 7), '') NOT IN ({edge_months})
	AND COALESCE(substr(p.birth_date, 1, 7), '') <= {month}
	AND (p.status = 'alive' OR (p.status = 'deceased' AND COALESCE(substr(p.death_date, 1, 7), '') > {month}))`

// rollupBirth stands a birth month (or year) for a birth date: every day of
// a month (year) that holds no age bound falls in the same age group.
const rollupBirth = `CASE WHEN r.birth_month = '' THEN NULL ELSE r.birth_month || '-01' END`

// populationEdge is the population's condition on a person p read one by
// one, found through another index than the area's.
const populationEdge = `{area_noindex:p.reg_path} AND (p.birth_date IS NULL OR p.birth_date <= {date})
	AND (p.status = 'alive' OR (p.status = 'deceased' AND p.death_date > {date}))
	AND NOT EXISTS (SELECT 1 FROM person_spans x WHERE x.person_id = p.id)`

// populationCounted is the population source counted: rows of (path, sex,
// code, urban, birth_date, n) whose n add up to the row source's count.
var populationCounted = rollupDecided(rollupAlive) + `
	UNION ALL
	SELECT p.reg_path, p.sex, '', ` + urbanOfPerson + `, p.birth_date, -1 FROM persons p
		WHERE p.id IN (SELECT x.person_id FROM person_spans x) AND {area:p.reg_path} AND ` + personDecided + `
	UNION ALL
	SELECT p.reg_path, p.sex, '', ` + urbanOfPerson + `, p.birth_date, 1 FROM {edge_ranges} m
		JOIN persons p ON p.birth_date >= m.column1 AND p.birth_date <= m.column2 WHERE {if_edge_months} AND ` + populationEdge + `
	UNION ALL
	SELECT p.reg_path, p.sex, '', ` + urbanOfPerson + `, p.birth_date, 1 FROM persons p
		WHERE {if_day_inside} AND p.death_date >= {month_first} AND p.death_date <= {month_last}
		AND COALESCE(substr(p.birth_date, 1, 7), '') NOT IN ({edge_months}) AND ` + populationEdge + `
	UNION ALL
	SELECT s.reg_path, s.sex, '', ` + urbanOfPerson + `, p.birth_date, 1 FROM person_spans s JOIN persons p ON p.id = s.person_id
		WHERE {area:s.reg_path} AND s.from_date <= {date} AND (s.to_date IS NULL OR s.to_date > {date}) AND s.status = 'alive'`

// marriedWomen is the condition on persons p of the married-women stock.
const marriedWomen = `p.sex = 'female' AND p.marital_status IN ('first_married', 'remarried') AND p.status = 'alive'`

// marriedWomenCounted is the married-women source counted, as
// populationCounted.
var marriedWomenCounted = rollupDecided(`r.sex = 'female' AND r.married = 1 AND r.status = 'alive'`) + `
	UNION ALL
	SELECT p.reg_path, p.sex, '', ` + urbanOfPerson + `, p.birth_date, 1 FROM {edge_ranges} m
		JOIN persons p ON p.birth_date >= m.column1 AND p.birth_date <= m.column2
		WHERE {if_edge_months} AND ` + marriedWomen + ` AND (p.birth_date IS NULL OR p.birth_date <= {date})
		AND {area_noindex:p.reg_path}`

// edgeMonths are the months at date whose persons the rollup cannot place,
// each read one by one: the date's own month and those of the age groups'
// bounds, where that day is not the last of its month (at a month's end
// every person born in it was born by the date, or by the bound).
func edgeMonths(date string) []string {
	var out []string
	for _, d := range boundDates(date) {
		if !lastOfMonth(d) {
			out = append(out, d[:7])
		}
	}
	return out
}

// splitYears are the years at date the rollup reads by month rather than
// by year: those of the date and the bounds, where that day is not 31
// December.
func splitYears(date string) []string {
	var out []string
	for _, d := range boundDates(date) {
		if d[5:] != "12-31" {
			out = append(out, d[:4])
		}
	}
	return out
}

// boundDates are the date and the bounds of its age groups (bandCase).
func boundDates(date string) []string {
	out := []string{date}
	for i := 1; i < ageBands; i++ {
		out = append(out, yearsBefore(date, 5*i))
	}
	return out
}

// lastOfMonth says whether a date is the last day of its month.
func lastOfMonth(date string) bool {
	t, err := time.Parse(time.DateOnly, date)
	return err == nil && t.AddDate(0, 0, 1).Day() == 1
}

// noValue stands in an empty list of months or years: it equals none.
const noValue = "-"

// monthBounds are the first and last day of a date's month, as text that
// compares with any date of the month.
func monthBounds(date string) (first, last string) {
	return date[:7] + "-01", date[:7] + "-31"
}

// rollupDepth is the person_rollup depth a count by keys of keyLen bytes
// reads: townships' rows when the keys are no longer than a township path.
func rollupDepth(keyLen int) int {
	if keyLen > 0 && keyLen <= townshipPathLen {
		return 1
	}
	return 0
}

// yearDepth is the person_rollup depth counting by birth year that goes
// with rollupDepth: townships' (2) or registered divisions' (3).
func yearDepth(keyLen int) int {
	if rollupDepth(keyLen) == 1 {
		return 2
	}
	return 3
}

// bindRollupToken writes a rollup token's SQL and arguments; ok is false
// for a token that is not one.
func bindRollupToken(token string, a at, out *strings.Builder, b *bound) bool {
	switch {
	case token == "rollup_cells":
		out.WriteString(rollupCells(a.shape))
	case token == "rollup_age":
		// The age range of the shape, on the rows' births (rollup rows
		// are those of stocks, whose ages are at the date). A month
		// "2010-12" or year "2010" compares with a bound date as its
		// first day does (rollupBirth), and a month or year holding a
		// bound is read by month or person by person: the plain column
		// keeps the planners' estimates and the index.
		if cond, args, ok := a.ageRange("r.birth_month", a.date); ok {
			out.WriteString("AND " + cond)
			b.args = append(b.args, args...)
		}
	case token == "rollup_group":
		out.WriteString(rollupGroup(a.dims))
	case token == "depth":
		out.WriteString("?")
		b.args = append(b.args, rollupDepth(a.keyLen))
	case token == "year_depth":
		out.WriteString("?")
		b.args = append(b.args, yearDepth(a.keyLen))
	case token == "year":
		out.WriteString("?")
		b.args = append(b.args, a.date[:4])
	case token == "split_years":
		writeList(out, b, splitYears(a.date))
	// The if_ tokens are literal truths, not arguments, so that both
	// planners drop a part of the query that cannot yield a row.
	case token == "if_day_inside":
		out.WriteString(literal(!lastOfMonth(a.date)))
	case token == "if_edge_months":
		out.WriteString(literal(len(edgeMonths(a.date)) > 0))
	case token == "if_split_months":
		out.WriteString(literal(len(splitYears(a.date)) > 0))
	case token == "month":
		out.WriteString("?")
		b.args = append(b.args, a.date[:7])
	case token == "month_first", token == "month_last":
		first, last := monthBounds(a.date)
		out.WriteString("?")
		if token == "month_first" {
			b.args = append(b.args, first)
		} else {
			b.args = append(b.args, last)
		}
	case token == "edge_months":
		writeList(out, b, edgeMonths(a.date))
	case token == "edge_ranges":
		// The months as a table of (first day, last day), named column1
		// and column2 by both engines.
		var rows []string
		for _, m := range edgeMonths(a.date) {
			first, last := monthBounds(m + "-01")
			rows = append(rows, "(CAST(? AS TEXT), CAST(? AS TEXT))")
			b.args = append(b.args, first, last)
		}
		if len(rows) == 0 {
			// No month: a range no date lies in.
			rows = append(rows, "(CAST(? AS TEXT), CAST(? AS TEXT))")
			b.args = append(b.args, noValue, noValue)
		}
		out.WriteString("(VALUES " + strings.Join(rows, ", ") + ")")
	default:
		return false
	}
	return true
}

// writeList writes placeholders for a list of values (noValue for none,
// since an empty IN list is not SQL) and appends the values.
func writeList(out *strings.Builder, b *bound, values []string) {
	if len(values) == 0 {
		values = []string{noValue}
	}
	out.WriteString(strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", "))
	for _, v := range values {
		b.args = append(b.args, v)
	}
}

// literal is SQL for a truth known when the query is written.
func literal(b bool) string {
	if b {
		return "1 = 1"
	}
	return "1 = 0"
}
