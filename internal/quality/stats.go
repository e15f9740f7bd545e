package quality

import (
	"context"
	"slices"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/figure"
)

// Metrics are the data-quality figures of an area (domain reference §6):
//
//	coverage    = records with all required fields ÷ records
//	ID accuracy = valid ID numbers ÷ records with an ID number
//
// Records are every person registered in the area (户籍人口, the deceased
// included: their records are kept and must be right too). Percentages are
// rounded half up to two decimals; they are null when there is nothing to
// divide by.
type Metrics struct {
	Records    int            `json:"records"`
	Complete   int            `json:"complete"`
	Coverage   *float64       `json:"coverage"`
	WithID     int            `json:"with_id"`
	ValidID    int            `json:"valid_id"`
	IDAccuracy *float64       `json:"id_accuracy"`
	Open       int            `json:"open"`     // open findings, every rule
	Findings   map[string]int `json:"findings"` // open findings by rule code
}

// DivisionRef names a division.
type DivisionRef struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Level     int    `json:"level"`
	LevelName string `json:"level_name"`
}

func refOf(d division.Division) DivisionRef {
	return DivisionRef{Code: d.Code, Name: d.Name, Level: d.Level, LevelName: d.Kind()}
}

// DivisionMetrics is one division's figures.
type DivisionMetrics struct {
	DivisionRef
	Metrics
}

// Summary is an area's figures with those of each division directly under it.
type Summary struct {
	Division DivisionRef       `json:"division"`
	Metrics                    // the whole area
	Children []DivisionMetrics `json:"children"`
	Rules    []RuleInfo        `json:"rules"`
}

// tallies are the raw counts behind Metrics.
type tallies struct {
	records int
	counts  map[string]int // by rule code, and TallyIncomplete
}

func (t *tallies) metrics() Metrics {
	m := Metrics{Records: t.records, Findings: map[string]int{}}
	m.Complete = t.records - t.counts[TallyIncomplete]
	m.WithID = t.records - t.counts[RuleMissingID]
	m.ValidID = m.WithID - t.counts[RuleIDInvalid]
	m.Coverage, m.IDAccuracy = Percent(m.Complete, m.Records), Percent(m.ValidID, m.WithID)
	for _, r := range Rules {
		m.Findings[r.Code] = t.counts[r.Code]
		m.Open += t.counts[r.Code]
	}
	return m
}

// Percent is figure.Percent, kept here for the callers of this package.
func Percent(num, den int) *float64 { return figure.Percent(num, den) }

// aggregate returns the tallies of area grouped by the first n bytes of the
// records' paths: n is the path length of the level to group by (paths have
// fixed lengths per level). Both sources are count tables kept current in
// the transactions that change records, so this reads a few thousand rows
// for a county.
func aggregate(ctx context.Context, c db.Conn, area string, n int) (map[string]*tallies, error) {
	out := map[string]*tallies{}
	get := func(k string) *tallies {
		t := out[k]
		if t == nil {
			t = &tallies{counts: map[string]int{}}
			out[k] = t
		}
		return t
	}
	reg, args := db.Subtree("reg_path", area)
	rows, err := c.Query(ctx, `SELECT substr(reg_path, 1, ?) AS k, SUM(n) FROM person_counts WHERE `+reg+`
		AND length(reg_path) >= ? GROUP BY k`, append(append([]any{n}, args...), n)...)
	if err != nil {
		return nil, apperr.Wrap(err, "count records")
	}
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "scan records")
		}
		get(k).records = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "count records")
	}
	sub, sargs := db.Subtree("division_path", area)
	rows, err = c.Query(ctx, `SELECT substr(division_path, 1, ?) AS k, tally, SUM(n) FROM dq_counts WHERE `+sub+`
		AND length(division_path) >= ? GROUP BY k, tally`, append(append([]any{n}, sargs...), n)...)
	if err != nil {
		return nil, apperr.Wrap(err, "count findings")
	}
	defer rows.Close()
	for rows.Next() {
		var k, tally string
		var v int
		if err := rows.Scan(&k, &tally, &v); err != nil {
			return nil, apperr.Wrap(err, "scan findings")
		}
		get(k).counts[tally] = v
	}
	return out, apperr.Wrap(rows.Err(), "count findings")
}

func metricsOf(agg map[string]*tallies, path string) Metrics {
	if t := agg[path]; t != nil {
		return t.metrics()
	}
	return (&tallies{counts: map[string]int{}}).metrics()
}

// Summary returns the figures of division code (default: the caller's own)
// and of its children; a division outside the caller's area is not found.
func (s *Service) Summary(ctx context.Context, code string) (Summary, error) {
	pr := auth.From(ctx)
	if code == "" {
		code = pr.DivisionCode
	}
	c := s.db.Reader()
	d, err := division.GetIn(ctx, c, code, pr.DivisionPath)
	if err != nil {
		return Summary{}, err
	}
	own, err := aggregate(ctx, c, d.Path, len(d.Path))
	if err != nil {
		return Summary{}, err
	}
	out := Summary{Division: refOf(d), Metrics: metricsOf(own, d.Path), Children: []DivisionMetrics{}, Rules: Rules}
	kids, err := division.Children(ctx, c, d.Code)
	if err != nil || len(kids) == 0 {
		return out, err
	}
	agg, err := aggregate(ctx, c, d.Path, len(kids[0].Path))
	if err != nil {
		return Summary{}, err
	}
	for _, k := range kids {
		if k.ValidTo != "" { // abolished: its records were re-pointed when it was
			continue
		}
		out.Children = append(out.Children, DivisionMetrics{DivisionRef: refOf(k), Metrics: metricsOf(agg, k.Path)})
	}
	return out, nil
}

// Ranking levels accepted by the API.
var rankLevels = map[string]int{"township": division.LevelTownship, "village": division.LevelVillage}

// RankScore documents the order of the ranking page.
const RankScore = "按身份证号准确率从高到低排列，相同时按信息完整率从高到低，再按每百条记录的未处理问题数从少到多；没有记录的排在最后"

// RankEntry is one division of the ranking.
type RankEntry struct {
	Rank int `json:"rank"` // equal for equal ID accuracy and coverage
	DivisionRef
	Parent string `json:"parent"` // the township's name, for villages
	Metrics
	OpenPer100 *float64 `json:"open_per_100"` // open findings per 100 records, two decimals
}

// Ranking is the ranking page's data.
type Ranking struct {
	Division DivisionRef `json:"division"`
	Level    string      `json:"level"`
	Score    string      `json:"score"`
	Items    []RankEntry `json:"items"`
}

// Ranking ranks the villages or townships of division code (default: the
// caller's own area) by RankScore.
func (s *Service) Ranking(ctx context.Context, code, level string) (Ranking, error) {
	pr := auth.From(ctx)
	if level == "" {
		level = "village"
	}
	lv, ok := rankLevels[level]
	if !ok {
		return Ranking{}, apperr.InvalidField("level", "排名层级应为 village（村/居）或 township（乡镇/街道）")
	}
	if code == "" {
		code = pr.DivisionCode
	}
	c := s.db.Reader()
	d, err := division.GetIn(ctx, c, code, pr.DivisionPath)
	if err != nil {
		return Ranking{}, err
	}
	if d.Level > lv {
		return Ranking{}, apperr.InvalidField("level", "所选区划下没有该层级的区划，请选择更低的层级")
	}
	divs, err := divisionsAt(ctx, c, d.Path, lv)
	out := Ranking{Division: refOf(d), Level: level, Score: RankScore, Items: []RankEntry{}}
	if err != nil || len(divs) == 0 {
		return out, err
	}
	agg, err := aggregate(ctx, c, d.Path, len(divs[0].Path))
	if err != nil {
		return out, err
	}
	parents, err := parentNames(ctx, c, divs)
	if err != nil {
		return out, err
	}
	for _, v := range divs {
		e := RankEntry{DivisionRef: refOf(v), Parent: parents[v.ParentCode], Metrics: metricsOf(agg, v.Path)}
		if e.Records > 0 {
			e.OpenPer100 = Percent(e.Open, e.Records)
		}
		out.Items = append(out.Items, e)
	}
	rank(out.Items)
	return out, nil
}

func divisionsAt(ctx context.Context, c db.Conn, area string, level int) ([]division.Division, error) {
	cond, args := db.Subtree("path", area)
	rows, err := c.Query(ctx, `SELECT code, name, level, COALESCE(parent_code, ''), path FROM divisions
		WHERE `+cond+` AND level = ? AND valid_to IS NULL ORDER BY code`, append(args, level)...)
	if err != nil {
		return nil, apperr.Wrap(err, "divisions at level")
	}
	defer rows.Close()
	var out []division.Division
	for rows.Next() {
		var d division.Division
		if err := rows.Scan(&d.Code, &d.Name, &d.Level, &d.ParentCode, &d.Path); err != nil {
			return nil, apperr.Wrap(err, "scan division")
		}
		out = append(out, d)
	}
	return out, apperr.Wrap(rows.Err(), "divisions at level")
}

func parentNames(ctx context.Context, c db.Conn, divs []division.Division) (map[string]string, error) {
	var codes []string
	for _, d := range divs {
		if d.Level > division.LevelTownship && d.ParentCode != "" {
			codes = append(codes, d.ParentCode)
		}
	}
	if len(codes) == 0 {
		return map[string]string{}, nil
	}
	return division.DisplayNames(ctx, c, codes)
}

// rank orders entries by RankScore and numbers them; divisions that tie on
// ID accuracy and coverage share a rank.
func rank(items []RankEntry) {
	slices.SortStableFunc(items, func(a, b RankEntry) int {
		if c := compareDesc(a.IDAccuracy, b.IDAccuracy); c != 0 {
			return c
		}
		if c := compareDesc(a.Coverage, b.Coverage); c != 0 {
			return c
		}
		if c := -compareDesc(a.OpenPer100, b.OpenPer100); c != 0 && a.OpenPer100 != nil && b.OpenPer100 != nil {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	for i := range items {
		if i > 0 && equalPct(items[i].IDAccuracy, items[i-1].IDAccuracy) && equalPct(items[i].Coverage, items[i-1].Coverage) {
			items[i].Rank = items[i-1].Rank
		} else {
			items[i].Rank = i + 1
		}
	}
}

// compareDesc orders higher values first and missing values last.
func compareDesc(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	case *a > *b:
		return -1
	case *a < *b:
		return 1
	}
	return 0
}

func equalPct(a, b *float64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
