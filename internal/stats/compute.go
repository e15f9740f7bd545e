package stats

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/figure"
	"jisheng/internal/health"
	"jisheng/internal/period"
)

// ageBands are five-year age groups 0–4 … 80–84 and 85 and over.
const ageBands = 18

// bandLabel names an age group.
func bandLabel(b int) string {
	if b < 0 {
		return "年龄不详"
	}
	if b == ageBands-1 {
		return fmt.Sprintf("%d岁及以上", 5*b)
	}
	return fmt.Sprintf("%d-%d岁", 5*b, 5*b+4)
}

// cell is one combination of the dimensions a cube counts by.
type cell struct {
	sex, code string
	urban     bool
	band      int
}

// tally is what a cell holds: rows and the sum of their amounts.
type tally struct{ n, amount int64 }

// cube counts a source's rows by division (the first keyLen bytes of the
// path: the children of the division reported on) and by cell.
type cube map[string]map[cell]tally

// bandCase is the SQL giving a row's age group at date: the birth date
// compared with the dates 5, 10, … 85 years before it.
func bandCase(date string) (string, []any) {
	var b strings.Builder
	args := []any{}
	b.WriteString("CASE WHEN r.birth_date IS NULL OR r.birth_date = '' THEN -1")
	for i := 0; i < ageBands-1; i++ {
		fmt.Fprintf(&b, " WHEN r.birth_date > ? THEN %d", i)
		args = append(args, yearsBefore(date, 5*(i+1)))
	}
	fmt.Fprintf(&b, " ELSE %d END", ageBands-1)
	return b.String(), args
}

// byMonth, as the key length of a cube, counts a dated flow by the month
// of its rows instead of by division.
const byMonth = -1

// dims are the dimensions of a cell a cube keeps. A figure for each of
// hundreds of villages needs fewer than the county's breakdowns do (the
// population's only its total), and counting by fewer is cheaper: the
// rollup's rows are summed by division in their stored order.
type dims uint8

const (
	dimSex dims = 1 << iota
	dimCode
	dimUrban
	dimBand
	allDims = dimSex | dimCode | dimUrban | dimBand
)

// childDims are the dimensions a child's figure with this filter reads
// from its cube: an age range is counted in SQL instead (shape), so only
// "age unknown" needs the age groups.
func (f Filter) childDims() dims {
	var d dims
	if f.Sex != "" {
		d |= dimSex
	}
	if len(f.Codes) > 0 {
		d |= dimCode
	}
	if f.Urban != nil {
		d |= dimUrban
	}
	if f.AgeUnknown {
		d |= dimBand
	}
	return d
}

// dims are the dimensions a filter reads.
func (f Filter) dims() dims {
	d := f.childDims()
	if f.ageRanged() {
		d |= dimBand
	}
	return d
}

// ageRanged says whether a filter keeps an age range.
func (f Filter) ageRanged() bool { return f.AgeFrom != nil || f.AgeTo != nil }

// byDims are the dimensions an indicator's breakdowns read.
func byDims(by []string) dims {
	var d dims
	for _, b := range by {
		switch b {
		case "sex":
			d |= dimSex
		case "code":
			d |= dimCode
		case "urban":
			d |= dimUrban
		case "age":
			d |= dimBand
		}
	}
	return d
}

// shape is how a cube is counted: by keys of keyLen bytes, keeping dims,
// and (when ageFrom or ageTo is set) only rows of persons whose age group
// lies in that range, as Filter.matches would keep them.
type shape struct {
	keyLen         int
	dims           dims
	ageFrom, ageTo *int
}

// id tells cubes of different shapes apart.
func (sh shape) id() string {
	bound := func(v *int) string {
		if v == nil {
			return "-"
		}
		return strconv.Itoa(*v)
	}
	return fmt.Sprintf("#%d/%d/%s-%s", sh.keyLen, sh.dims, bound(sh.ageFrom), bound(sh.ageTo))
}

// ranged says whether the shape counts only an age range.
func (sh shape) ranged() bool { return sh.ageFrom != nil || sh.ageTo != nil }

// ageRange is the condition that the birth date expr places a person, at
// date, in an age group from ageFrom to ageTo (bandCase's groups, as
// Filter.matches reads them); unknown birth dates are out of any range.
// ok is false when the shape has no range.
func (sh shape) ageRange(expr, date string) (cond string, args []any, ok bool) {
	if !sh.ranged() {
		return "", nil, false
	}
	cond = expr + " IS NOT NULL AND " + expr + " <> ''"
	if sh.ageFrom != nil && *sh.ageFrom/5 > 0 {
		// Group ≥ g: born on or before the bound of group g.
		cond += " AND " + expr + " <= ?"
		args = append(args, yearsBefore(date, 5*(*sh.ageFrom/5)))
	}
	if sh.ageTo != nil && (*sh.ageTo+1)/5-1 < ageBands-1 {
		// Group ≤ g: born after the bound of group g+1.
		cond += " AND " + expr + " > ?"
		args = append(args, yearsBefore(date, 5*((*sh.ageTo+1)/5)))
	}
	return cond, args, true
}

// cellColumns are the SQL of a cube's cell columns over the rows r: the
// dimensions kept, and constants for the others.
func cellColumns(s Source, a at, d dims) (string, []any) {
	cols := []string{"''", "''", "0", "-1"}
	var args []any
	if d&dimSex != 0 {
		cols[0] = "r.sex"
	}
	if d&dimCode != 0 {
		cols[1] = "r.code"
	}
	if d&dimUrban != 0 {
		cols[2] = "r.urban"
	}
	if d&dimBand != 0 {
		cols[3], args = bandCase(ageDate(s, a))
	}
	return strings.Join(cols, ", "), args
}

// countCube counts a source over a in SQL, in the shape sh, or in Go for
// a source whose code is classified in Go.
func countCube(ctx context.Context, c db.Conn, s Source, a at, sh shape) (cube, error) {
	a.shape = sh
	d := sh.dims
	if s.aggregate != "" {
		return countAggregate(ctx, c, s, a)
	}
	key, keyArgs := "substr(r.path, 1, ?)", []any{sh.keyLen}
	if sh.keyLen == byMonth {
		key, keyArgs = "substr(r.on_date, 1, 7)", nil
	}
	cells, cellArgs := cellColumns(s, a, d)
	var src bound
	var tail string
	switch {
	case s.counted != "":
		src = bindSQL(s.Code, s.counted, a)
		tail = `CAST(SUM(r.n) AS BIGINT), CAST(0 AS BIGINT) FROM (` + src.sql + `) r`
	case s.classify != nil:
		src = s.bind(a)
		tail = `1, r.amount FROM (` + src.sql + `) r`
	default:
		src = s.bind(a)
		tail = `COUNT(*), CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM (` + src.sql + `) r`
	}
	args := append(append(keyArgs, cellArgs...), src.args...)
	if cond, condArgs, ok := sh.ageRange("r.birth_date", ageDate(s, a)); ok {
		tail += ` WHERE ` + cond
		args = append(args, condArgs...)
	}
	if s.classify == nil {
		tail += ` GROUP BY 1, 2, 3, 4, 5`
	}
	q := `SELECT ` + key + ` AS k, ` + cells + `, ` + tail
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "count "+s.Code)
	}
	defer rows.Close()
	out := cube{}
	for rows.Next() {
		var k, sex, code string
		var urban, b int
		var t tally
		if err := rows.Scan(&k, &sex, &code, &urban, &b, &t.n, &t.amount); err != nil {
			return nil, apperr.Wrap(err, "scan "+s.Code)
		}
		if s.classify != nil && d&dimCode != 0 {
			code = s.classify(code, a.today)
		}
		cells := out[k]
		if cells == nil {
			cells = map[cell]tally{}
			out[k] = cells
		}
		key := cell{sex: sex, code: code, urban: urban == 1, band: b}
		old := cells[key]
		cells[key] = tally{old.n + t.n, old.amount + t.amount}
	}
	return out, apperr.Wrap(rows.Err(), "count "+s.Code)
}

// countAggregate reads a source's counts by division key and code from
// its aggregate SQL.
func countAggregate(ctx context.Context, c db.Conn, s Source, a at) (cube, error) {
	b := s.bindAggregate(a)
	rows, err := c.Query(ctx, b.sql, b.args...)
	if err != nil {
		return nil, apperr.Wrap(err, "count "+s.Code)
	}
	defer rows.Close()
	out := cube{}
	for rows.Next() {
		var k, code string
		var n int64
		if err := rows.Scan(&k, &code, &n); err != nil {
			return nil, apperr.Wrap(err, "scan "+s.Code)
		}
		if out[k] == nil {
			out[k] = map[cell]tally{}
		}
		key := cell{code: code, band: -1}
		t := out[k][key]
		out[k][key] = tally{n: t.n + n}
	}
	return out, apperr.Wrap(rows.Err(), "count "+s.Code)
}

// ageDate is the date ages are counted at: a stock's date, a flow's end.
func ageDate(s Source, a at) string {
	if s.Kind == Stock {
		return a.date
	}
	return a.to
}

// matches says whether a cell passes a filter.
func (f Filter) matches(k cell) bool {
	if f.Sex != "" && k.sex != f.Sex {
		return false
	}
	if len(f.Codes) > 0 && !contains(f.Codes, k.code) {
		return false
	}
	if f.Urban != nil && k.urban != *f.Urban {
		return false
	}
	if f.AgeUnknown && k.band >= 0 {
		return false
	}
	if f.AgeFrom != nil && (k.band < 0 || k.band < *f.AgeFrom/5) {
		return false
	}
	if f.AgeTo != nil && (k.band < 0 || k.band > (*f.AgeTo+1)/5-1) {
		return false
	}
	return true
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// total sums the cells of one division key (or all keys when key is "")
// that pass the filter.
func (c cube) total(key string, f Filter, sum bool) int64 {
	if key != "" {
		return sumCells(c[key], f, sum)
	}
	var n int64
	for _, cells := range c {
		n += sumCells(cells, f, sum)
	}
	return n
}

func sumCells(cells map[cell]tally, f Filter, sum bool) int64 {
	var n int64
	for cl, t := range cells {
		if f.matches(cl) {
			if sum {
				n += t.amount
			} else {
				n += t.n
			}
		}
	}
	return n
}

// Figure is one indicator's value for one division.
type Figure struct {
	Num   int64    `json:"num"`
	Den   *int64   `json:"den,omitempty"`
	Value *float64 `json:"value"` // the count, or the ratio; nil when the denominator is 0
	// DenStart and DenEnd are the two counts an average population is the
	// mean of: at the end of the day before the period and at its end.
	DenStart *int64 `json:"den_start,omitempty"`
	DenEnd   *int64 `json:"den_end,omitempty"`
}

// Part is a breakdown of an indicator's numerator.
type Part struct {
	By    string `json:"by"` // sex, age, code, urban
	Key   string `json:"key"`
	Label string `json:"label"`
	Value int64  `json:"value"`
}

// ChildFigure is an indicator's figure for a division below the one
// reported on.
type ChildFigure struct {
	Division string `json:"division"`
	Figure
}

// Row is an indicator in a report.
type Row struct {
	Indicator
	Figure
	Parts    []Part        `json:"parts,omitempty"`
	Children []ChildFigure `json:"children"`
}

// DivisionRef names a division in a report. Parent and ParentName are
// the division above a column of a report by village.
type DivisionRef struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      int    `json:"level"`
	Parent     string `json:"parent,omitempty"`
	ParentName string `json:"parent_name,omitempty"`
}

// title heads a division's column: with the division above it (sep
// between) in a report by village, where names repeat across townships.
func (r DivisionRef) title(sep string) string {
	if r.ParentName == "" {
		return r.Name
	}
	return r.ParentName + sep + r.Name
}

func refOf(d division.Division) DivisionRef {
	return DivisionRef{Code: d.Code, Name: d.Name, Level: d.Level}
}

// Report is every indicator (or those asked for) of a division and period,
// with the figures of each division below it: those directly below, or
// every village (By is ByVillage).
type Report struct {
	Division DivisionRef   `json:"division"`
	Period   period.Period `json:"period"`
	Today    string        `json:"today"`
	By       string        `json:"by,omitempty"`
	Children []DivisionRef `json:"children"`
	Rows     []Row         `json:"rows"`
}

// ByVillage asks for a report's columns to be every village of the area
// (全县分村) rather than the divisions directly below it.
const ByVillage = "village"

// compute builds a report over the division d and the divisions below it
// (by: "" or ByVillage) for the indicators given (all when none).
func compute(ctx context.Context, c db.Conn, d division.Division, p period.Period, today string, codes []string, by string) (Report, error) {
	byVillage := by == ByVillage && d.Level < division.LevelTownship
	kids, err := reportColumns(ctx, c, d, byVillage)
	if err != nil {
		return Report{}, err
	}
	keyLen := len(d.Path)
	rep := Report{Division: refOf(d), Period: p, Today: today, By: by, Children: []DivisionRef{}}
	var keys []childKey
	for _, k := range kids {
		if k.ValidTo != "" && k.ValidTo <= p.From {
			continue
		}
		keyLen = len(k.Path)
		rep.Children = append(rep.Children, k.ref)
		keys = append(keys, childKey{k.Path, k.Code})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].path < keys[j].path })
	ins := selected(codes)
	ev := newEvaluator(ctx, c, d.Path, p, today, keyLen, planOf(ins))
	if byVillage {
		ev.areaLen = len(d.Path)
	}
	for _, in := range ins {
		row, err := ev.row(in, keys)
		if err != nil {
			return rep, err
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// column is a division a report has figures for, with how it is named.
type column struct {
	division.Division
	ref DivisionRef
}

// reportColumns are the divisions a report of d has figures for: those
// directly below it, or (byVillage, above a township) every village in
// it, each named with the division above it.
func reportColumns(ctx context.Context, c db.Conn, d division.Division, byVillage bool) ([]column, error) {
	var out []column
	if !byVillage {
		kids, err := division.Children(ctx, c, d.Code)
		for _, k := range kids {
			out = append(out, column{k, refOf(k)})
		}
		return out, err
	}
	villages, err := division.Within(ctx, c, d.Path, division.LevelVillage)
	if err != nil {
		return nil, err
	}
	parents, err := division.Within(ctx, c, d.Path, division.LevelTownship)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, t := range parents {
		names[t.Code] = t.Name
	}
	for _, v := range villages {
		ref := refOf(v)
		ref.Parent, ref.ParentName = v.ParentCode, names[v.ParentCode]
		out = append(out, column{v, ref})
	}
	return out, nil
}

// selected is the indicators asked for, in report order.
func selected(codes []string) []Indicator {
	if len(codes) == 0 {
		return indicators
	}
	var out []Indicator
	for _, in := range indicators {
		if contains(codes, in.Code) {
			out = append(out, in)
		}
	}
	return out
}

// evaluator computes indicators over one area and period, counting each
// source once whatever number of indicators read it.
type evaluator struct {
	ctx         context.Context
	c           db.Conn
	area, today string
	period      period.Period
	// keyLen is the length of the children's keys; areaLen that of the
	// keys the area's own figures and breakdowns are counted by: the same
	// (one cube serves both) unless the children are many (by village).
	// Then the area is counted by its own key (shapeOf).
	keyLen, areaLen int
	plan            cubePlan
	cubes           map[string]cube
	tasks           map[string]health.Tasks
}

// task is a program's annual task for a division key ("" for the area):
// set for the division itself, or the sum of those set below it. The
// area's tasks are read once per program.
func (ev *evaluator) task(program, key string) (*int64, error) {
	tasks, ok := ev.tasks[program]
	if !ok {
		year, _ := strconv.Atoi(ev.period.To[:4])
		var err error
		if tasks, err = health.TasksIn(ev.ctx, ev.c, ev.area, year, program); err != nil {
			return nil, err
		}
		ev.tasks[program] = tasks
	}
	path := key
	if path == "" {
		path = ev.area
	}
	n := tasks.Of(path)
	if n == nil {
		return nil, nil
	}
	v := int64(*n)
	return &v, nil
}

// newEvaluator counts the area by keys of keyLen bytes, each cube serving
// the area's figures and its children's, in the dimensions of the plan.
func newEvaluator(ctx context.Context, c db.Conn, area string, p period.Period, today string, keyLen int, plan cubePlan) *evaluator {
	return &evaluator{ctx: ctx, c: c, area: area, period: p, today: today, keyLen: keyLen, areaLen: keyLen, plan: plan,
		cubes: map[string]cube{}, tasks: map[string]health.Tasks{}}
}

// cubePlan is, for each source, the dimensions the indicators computed
// read (need: their filters and breakdowns) and those their children's
// figures read (childDims).
type cubePlan struct{ need, childDims map[string]dims }

// planOf plans the cubes of the indicators given.
func planOf(ins []Indicator) cubePlan {
	p := cubePlan{need: map[string]dims{}, childDims: map[string]dims{}}
	var add func(t Term, by dims)
	add = func(t Term, by dims) {
		if t.Source != "" {
			p.need[t.Source] |= t.Filters.dims() | by
			p.childDims[t.Source] |= t.Filters.childDims()
		}
		if t.Minus != nil {
			add(*t.Minus, 0)
		}
	}
	for _, in := range ins {
		add(in.NumTerm, byDims(in.By))
		if in.DenTerm != nil {
			add(*in.DenTerm, 0)
		}
	}
	return p
}

// shapeOf is the shape of the cube a figure of source s for key ("" for
// the area) with filter f is read from, and the filter that then selects
// its cells (without the age range the cube was counted in). By village,
// a stock counted from the rollup is counted twice: for the area by its
// own key, which reads townships' rows, and for the villages with only
// what their figures read; other sources are counted once by village.
func (ev *evaluator) shapeOf(s Source, key string, f Filter) (shape, Filter) {
	need, ok := ev.plan.need[s.Code]
	if !ok {
		need = allDims // a source no indicator planned for
	}
	switch {
	case ev.areaLen == ev.keyLen || s.counted == "":
		return shape{keyLen: ev.keyLen, dims: need}, f
	case key == "":
		return shape{keyLen: ev.areaLen, dims: need}, f
	}
	sh := shape{keyLen: ev.keyLen, dims: ev.plan.childDims[s.Code]}
	if !f.AgeUnknown && f.ageRanged() {
		sh.ageFrom, sh.ageTo = f.AgeFrom, f.AgeTo
		f.AgeFrom, f.AgeTo = nil, nil
	}
	return sh, f
}

// cubeAt counts a source at a date (stocks) or over the period (flows),
// in the shape of a figure for key with filter f, and returns the filter
// that selects the figure's cells from it.
func (ev *evaluator) cubeAt(source, date, key string, f Filter) (cube, Filter, error) {
	s, ok := sourceOf(source)
	if !ok {
		return nil, f, fmt.Errorf("stats: unknown source %q", source)
	}
	a := at{from: ev.period.From, to: ev.period.To, date: date, today: ev.today, area: ev.area, dialect: ev.c.Dialect()}
	sh, f := ev.shapeOf(s, key, f)
	id := source + "@" + a.from + "/" + a.to + sh.id()
	if s.Kind == Stock {
		id = source + "@" + date + sh.id()
	}
	if cb, ok := ev.cubes[id]; ok {
		return cb, f, nil
	}
	cb, err := countCube(ev.ctx, ev.c, s, a, sh)
	if err == nil {
		ev.cubes[id] = cb
	}
	return cb, f, err
}

// term evaluates a term for one division key ("" for the whole area).
// ok is false for a task not set.
func (ev *evaluator) term(t Term, key string) (num, den2 int64, ok bool, err error) {
	if t.Task != "" {
		v, err := ev.task(t.Task, key)
		if err != nil || v == nil {
			return 0, 0, false, err
		}
		return *v, 1, true, nil
	}
	if t.Average {
		start, end, err := ev.average(t, key)
		// The mean of the two counts, kept exact as a sum over 2.
		return start + end, 2, err == nil, err
	}
	cb, f, err := ev.cubeAt(t.Source, ev.period.To, key, t.Filters)
	if err != nil {
		return 0, 0, false, err
	}
	n := cb.total(key, f, t.Sum)
	if t.Minus != nil {
		m, _, _, err := ev.term(*t.Minus, key)
		if err != nil {
			return 0, 0, false, err
		}
		n -= m
	}
	return n, 1, true, nil
}

// average is the two counts of an average term: at the end of the day
// before the period and at its end.
func (ev *evaluator) average(t Term, key string) (start, end int64, err error) {
	a, f, err := ev.cubeAt(t.Source, ev.period.DayBefore(), key, t.Filters)
	if err != nil {
		return 0, 0, err
	}
	b, _, err := ev.cubeAt(t.Source, ev.period.To, key, t.Filters)
	if err != nil {
		return 0, 0, err
	}
	return a.total(key, f, t.Sum), b.total(key, f, t.Sum), nil
}

// figure evaluates an indicator for one division key.
func (ev *evaluator) figure(in Indicator, key string) (Figure, error) {
	num, _, _, err := ev.term(in.NumTerm, key)
	if err != nil {
		return Figure{}, err
	}
	f := Figure{Num: num}
	if in.DenTerm == nil {
		v := float64(num)
		if in.NumTerm.Sum {
			v = float64(num) / 100 // fen to yuan
		}
		f.Value = &v
		return f, nil
	}
	den, over, ok, err := ev.term(*in.DenTerm, key)
	if err != nil || !ok {
		return f, err
	}
	if over == 2 {
		// An average population: den/2. The ratio is num ÷ (den/2), that is
		// 2·num ÷ den; the figure shows the average, rounded half up.
		avg := (den + 1) / 2
		f.Den = &avg
		start, end, err := ev.average(*in.DenTerm, key)
		if err != nil {
			return f, err
		}
		f.DenStart, f.DenEnd = &start, &end
		f.Value = figure.Rate(2*num, den, in.Scale, in.Decimals)
		return f, nil
	}
	f.Den = &den
	f.Value = figure.Rate(num, den, in.Scale, in.Decimals)
	return f, nil
}

// childKey is a division below the one reported on: the path prefix its
// rows are counted under, and its code.
type childKey struct{ path, code string }

// row evaluates an indicator for the area and each child, in path order.
func (ev *evaluator) row(in Indicator, keys []childKey) (Row, error) {
	f, err := ev.figure(in, "")
	if err != nil {
		return Row{}, err
	}
	row := Row{Indicator: in, Figure: f, Children: []ChildFigure{}}
	for _, k := range keys {
		cf, err := ev.figure(in, k.path)
		if err != nil {
			return Row{}, err
		}
		row.Children = append(row.Children, ChildFigure{Division: k.code, Figure: cf})
	}
	if len(in.By) > 0 {
		if row.Parts, err = ev.parts(in); err != nil {
			return Row{}, err
		}
	}
	return row, nil
}

// parts breaks an indicator's numerator down by each of its dimensions.
func (ev *evaluator) parts(in Indicator) ([]Part, error) {
	cb, _, err := ev.cubeAt(in.NumTerm.Source, ev.period.To, "", in.NumTerm.Filters)
	if err != nil {
		return nil, err
	}
	s, _ := sourceOf(in.NumTerm.Source)
	var out []Part
	for _, by := range in.By {
		for _, p := range partsBy(by, s, cb, in.NumTerm.Filters) {
			f := p.filter(in.NumTerm.Filters)
			p.Value = cb.total("", f, in.NumTerm.Sum)
			out = append(out, p.Part)
		}
	}
	return out, nil
}

// partFilter is a part with the filter that selects its rows.
type partFilter struct {
	Part
	filter func(Filter) Filter
}

// partsBy lists the parts of one dimension: fixed ones for sex, age and
// urban, the source's codes (and any others found) for code.
func partsBy(by string, s Source, cb cube, base Filter) []partFilter {
	var out []partFilter
	switch by {
	case "sex":
		for _, x := range sexCodes {
			sex := x.Code
			out = append(out, partFilter{Part{By: by, Key: sex, Label: x.Name}, func(f Filter) Filter { f.Sex = sex; return f }})
		}
	case "urban":
		for _, x := range []struct {
			key, label string
			v          *bool
		}{{"1", "城镇", &yes}, {"0", "农村", &no}} {
			v := x.v
			out = append(out, partFilter{Part{By: by, Key: x.key, Label: x.label}, func(f Filter) Filter { f.Urban = v; return f }})
		}
	case "age":
		for b := 0; b < ageBands; b++ {
			from, to := age(5*b), age(5*b+4)
			if b == ageBands-1 {
				to = nil
			}
			out = append(out, partFilter{Part{By: by, Key: strconv.Itoa(b), Label: bandLabel(b)},
				func(f Filter) Filter { f.AgeFrom, f.AgeTo = from, to; return f }})
		}
		out = append(out, partFilter{Part{By: by, Key: "-1", Label: bandLabel(-1)}, func(f Filter) Filter {
			f.AgeFrom, f.AgeTo, f.AgeUnknown = nil, nil, true
			return f
		}})
	case "code":
		seen := map[string]bool{}
		add := func(code, label string) {
			if seen[code] || (len(base.Codes) > 0 && !contains(base.Codes, code)) {
				return
			}
			seen[code] = true
			out = append(out, partFilter{Part{By: by, Key: code, Label: label}, func(f Filter) Filter {
				f.Codes = []string{code}
				return f
			}})
		}
		for _, x := range s.Codes {
			add(x.Code, x.Name)
		}
		var others []string
		for _, cells := range cb {
			for cl := range cells {
				if !seen[cl.code] {
					others = append(others, cl.code)
				}
			}
		}
		sort.Strings(others)
		for _, code := range others {
			add(code, code)
		}
	}
	return out
}
