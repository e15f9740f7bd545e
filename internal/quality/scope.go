package quality

import (
	"slices"
	"strings"

	"jisheng/internal/db"
)

// scope is what one run of the rules covers: a whole division subtree (the
// full recompute) or the records a change touched (the change hook). Every
// rule gives the same answer for a record whatever the scope, so the hook's
// answers agree with the recompute's.
type scope struct {
	path       string  // subtree; "" when the run covers ids
	lo, hi     int64   // with path and hi > 0: only the persons with ids in [lo, hi]
	persons    []int64 // sorted, without repeats
	households []int64
}

func (s scope) full() bool { return s.path != "" }

// personCond restricts persons alias a to the scope. A subtree is scanned
// with the column unindexed: a county's subtree is the whole table, which a
// table scan reads faster than an index walk with a lookup per row.
func (s scope) personCond(c db.Conn, a string) (string, []any) {
	if !s.full() {
		return idCond(a+".id", s.persons)
	}
	cond, args := subtreeScan(c, a+".reg_path", s.path)
	if s.hi > 0 {
		cond, args = cond+" AND "+a+".id BETWEEN ? AND ?", append(args, s.lo, s.hi)
	}
	return cond, args
}

// householdCond restricts households alias a to the scope.
func (s scope) householdCond(c db.Conn, a string) (string, []any) {
	if s.full() {
		return subtreeScan(c, a+".division_path", s.path)
	}
	return idCond(a+".id", s.households)
}

func subtreeScan(c db.Conn, col, path string) (string, []any) {
	if path == "/" {
		return "1 = 1", nil
	}
	return db.Subtree(c.Unindexed(col), path)
}

// maxIDArgs bounds the arguments of one id condition, far below both
// engines' limits, so a bulk import's thousands of ids run in chunks.
const maxIDArgs = 500

// idCond returns a condition matching col against ids (sorted), with runs
// of consecutive ids (a bulk import's) as ranges.
func idCond(col string, ids []int64) (string, []any) {
	if len(ids) == 0 {
		return "(1 = 0)", nil
	}
	var parts []string
	var args, singles []any
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if j-i >= 2 {
			parts = append(parts, col+" BETWEEN ? AND ?")
			args = append(args, ids[i], ids[j])
		} else {
			for k := i; k <= j; k++ {
				singles = append(singles, ids[k])
			}
		}
		i = j + 1
	}
	if len(singles) > 0 {
		parts = append(parts, col+" IN ("+db.Placeholders(len(singles))+")")
		args = append(args, singles...)
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// chunks splits ids (sorted) into pieces whose id conditions stay within
// maxIDArgs, cutting only between runs of consecutive ids.
func chunks(ids []int64) [][]int64 {
	var out [][]int64
	start, args := 0, 0
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		cost := j - i + 1 // singles and pairs go into the IN list
		if cost >= 3 {
			cost = 2 // BETWEEN ? AND ?
		}
		if args+cost > maxIDArgs && i > start {
			out = append(out, ids[start:i])
			start, args = i, 0
		}
		args += cost
		i = j + 1
	}
	if start < len(ids) {
		out = append(out, ids[start:])
	}
	return out
}

// sortedIDs returns ids sorted, without repeats and zeros.
func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	out = slices.DeleteFunc(out, func(id int64) bool { return id <= 0 })
	slices.Sort(out)
	return slices.Compact(out)
}
