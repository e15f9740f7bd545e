package registry

import (
	"context"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// Overview is the home page's count of an area's registered population
// (户籍人口): persons whose household registration lies in the area.
type Overview struct {
	Division   DivisionRef     `json:"division"`
	Persons    int             `json:"persons"`     // alive
	Households int             `json:"households"`  //
	Male       int             `json:"male"`        // alive
	Female     int             `json:"female"`      // alive
	Deceased   int             `json:"deceased"`    //
	LivingAway int             `json:"living_away"` // alive, living outside their registered division (人户分离)
	Children   []DivisionCount `json:"children"`
}

// DivisionRef names a division.
type DivisionRef struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Level     int    `json:"level"`
	LevelName string `json:"level_name"`
}

// DivisionCount is a division with its population and household counts.
type DivisionCount struct {
	DivisionRef
	Persons    int `json:"persons"`
	Households int `json:"households"`
}

func refOf(d division.Division) DivisionRef {
	return DivisionRef{Code: d.Code, Name: d.Name, Level: d.Level, LevelName: d.Kind()}
}

// Overview counts the area of division code (default: the caller's own),
// which must lie in the caller's area.
func (s *Service) Overview(ctx context.Context, code string) (Overview, error) {
	pr := auth.From(ctx)
	if code == "" {
		code = pr.DivisionCode
	}
	c := s.db.Reader()
	d, err := division.GetIn(ctx, c, code, pr.DivisionPath)
	if err != nil {
		return Overview{}, err
	}
	o := Overview{Division: refOf(d)}
	reg, args := db.Subtree("reg_path", d.Path)
	err = c.QueryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN status = 'alive' THEN n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'alive' AND sex = 'male' THEN n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'alive' AND sex = 'female' THEN n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'deceased' THEN n ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'alive' AND away = 1 THEN n ELSE 0 END), 0)
		FROM person_counts WHERE `+reg, args...).Scan(&o.Persons, &o.Male, &o.Female, &o.Deceased, &o.LivingAway)
	if err != nil {
		return o, apperr.Wrap(err, "overview counts")
	}
	hh, hargs := db.Subtree("path", d.Path)
	if err := c.QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM household_counts WHERE `+hh, hargs...).Scan(&o.Households); err != nil {
		return o, apperr.Wrap(err, "overview households")
	}
	o.Children, err = childCounts(ctx, c, d)
	return o, err
}

// childCounts counts each child division of d from the count tables,
// grouping by the child's path prefix: all children of a division have codes
// of the same length, so their paths have the same length too.
func childCounts(ctx context.Context, c db.Conn, d division.Division) ([]DivisionCount, error) {
	kids, err := division.Children(ctx, c, d.Code)
	if err != nil || len(kids) == 0 {
		return []DivisionCount{}, err
	}
	n := len(kids[0].Path)
	persons, err := countByPrefix(ctx, c, "person_counts", "reg_path", "status = 'alive'", d.Path, n)
	if err != nil {
		return nil, err
	}
	households, err := countByPrefix(ctx, c, "household_counts", "path", "1 = 1", d.Path, n)
	if err != nil {
		return nil, err
	}
	out := make([]DivisionCount, 0, len(kids))
	for _, k := range kids {
		if k.ValidTo != "" { // abolished: its people were re-pointed when it was
			continue
		}
		out = append(out, DivisionCount{DivisionRef: refOf(k), Persons: persons[k.Path], Households: households[k.Path]})
	}
	return out, nil
}

func countByPrefix(ctx context.Context, c db.Conn, table, col, cond, path string, n int) (map[string]int, error) {
	sub, args := db.Subtree(col, path)
	rows, err := c.Query(ctx, `SELECT substr(`+col+`, 1, ?) AS k, SUM(n) FROM `+table+` WHERE `+sub+` AND `+cond+
		` AND length(`+col+`) >= ? GROUP BY k`, append(append([]any{n}, args...), n)...)
	if err != nil {
		return nil, apperr.Wrap(err, "count by prefix")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			return nil, apperr.Wrap(err, "scan count")
		}
		out[k] = v
	}
	return out, apperr.Wrap(rows.Err(), "count rows")
}
