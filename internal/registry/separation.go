package registry

// 人户分离 (registration and residence apart), per area:
//
//   - away (户在人不在): registered in the area, living outside it: in
//     another division of the county, or away outside the county (流出);
//   - present (人在户不在): living in the area (not away), registered outside it.
//
// Only persons whose residence differs from their registration, or who are
// away, are in the partial indexes persons_sep_reg and
// persons_sep_res (migration 0002), so both lists and their counts walk a
// small index range however large the area's population. Every query
// repeats the indexes' condition (sepCond) word for word, which is what lets
// SQLite and PostgreSQL use a partial index.

import (
	"context"
	"database/sql"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

const sepCond = `(p.reg_path <> p.res_path OR p.away_place IS NOT NULL)`

// Separation kinds.
const (
	SeparationAway    = "away"
	SeparationPresent = "present"
)

// Separated is one person of a 人户分离 list.
type Separated struct {
	ID                     int64  `json:"id"`
	Name                   string `json:"name"`
	Sex                    string `json:"sex"`
	BirthDate              string `json:"birth_date"`
	Age                    *int   `json:"age"`
	RegisteredDivision     string `json:"registered_division"`
	RegisteredDivisionName string `json:"registered_division_name"`
	ResidenceDivision      string `json:"residence_division"`
	ResidenceDivisionName  string `json:"residence_division_name"`
	AwayPlace              string `json:"away_place"`
	AwaySince              string `json:"away_since"`
	// OtherDivision is the division outside the area: the residence in an
	// away list ("" when living outside the county), the registration in a
	// present list.
	OtherDivision     string `json:"other_division"`
	OtherDivisionName string `json:"other_division_name"`
}

// SeparationFilter selects a 人户分离 list.
type SeparationFilter struct {
	Division string // default: the caller's division
	Kind     string // away or present
	Page     int
	Size     int
}

// separationQuery selects the persons of a list of kind for area, in list
// order. SQLite is told which index to walk: without statistics it rates the
// full persons_reg range as cheap as the partial index's few rows.
func separationQuery(c db.Conn, kind, area string) (db.Select, error) {
	cond, args, order, err := separationWhere(kind, area)
	sel := db.Select{Cols: `p.id, p.name, p.sex, p.birth_date, p.reg_division, p.res_division, p.away_place, p.away_since`,
		From: separatedFrom(c, kind), OrderBy: order}
	sel.Where(cond, args...)
	return sel, err
}

// separatedFrom is the FROM of a query over the separated persons of kind.
func separatedFrom(c db.Conn, kind string) string {
	if c.Dialect() != db.SQLite {
		return "persons p"
	}
	return "persons p INDEXED BY " + map[string]string{SeparationAway: "persons_sep_reg", SeparationPresent: "persons_sep_res"}[kind]
}

func separationWhere(kind, area string) (cond string, args []any, order string, err error) {
	reg, ra := db.Subtree("p.reg_path", area)
	res, sa := db.Subtree("p.res_path", area)
	switch kind {
	case SeparationAway:
		cond = reg + " AND " + sepCond + " AND (NOT " + res + " OR p.away_place IS NOT NULL)"
		args, order = append(ra, sa...), "p.reg_path, p.name, p.id"
	case SeparationPresent:
		cond = res + " AND " + sepCond + " AND NOT " + reg + " AND p.away_place IS NULL"
		args, order = append(sa, ra...), "p.res_path, p.name, p.id"
	default:
		return "", nil, "", apperr.InvalidField("kind", "人户分离类型应为 away（户在人不在）或 present（人在户不在）")
	}
	return cond + " AND p.status = 'alive'", args, order, nil
}

// Separation returns one page of a 人户分离 list of an area in the caller's
// area, and its total.
func (s *Service) Separation(ctx context.Context, f SeparationFilter) ([]Separated, int, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	code := f.Division
	if code == "" {
		code = pr.DivisionCode
	}
	d, err := division.GetIn(ctx, c, code, pr.DivisionPath)
	if err != nil {
		return nil, 0, err
	}
	sel, err := separationQuery(c, f.Kind, d.Path)
	if err != nil {
		return nil, 0, err
	}
	total, err := sel.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count separated")
	}
	rows, err := sel.Page(ctx, c, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list separated")
	}
	out, err := readSeparated(rows, f.Kind)
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.nameSeparated(ctx, c, out)
}

func readSeparated(rows *sql.Rows, kind string) ([]Separated, error) {
	defer rows.Close()
	out := []Separated{}
	for rows.Next() {
		var p Separated
		var birth, away, since sql.NullString
		if err := rows.Scan(&p.ID, &p.Name, &p.Sex, &birth, &p.RegisteredDivision, &p.ResidenceDivision, &away, &since); err != nil {
			return nil, apperr.Wrap(err, "scan separated")
		}
		p.BirthDate, p.AwayPlace, p.AwaySince = birth.String, away.String, since.String
		switch {
		case kind == SeparationPresent:
			p.OtherDivision = p.RegisteredDivision
		case p.AwayPlace == "":
			p.OtherDivision = p.ResidenceDivision
		}
		out = append(out, p)
	}
	return out, apperr.Wrap(rows.Err(), "separated rows")
}

func (s *Service) nameSeparated(ctx context.Context, c db.Conn, ps []Separated) error {
	var codes []string
	for _, p := range ps {
		codes = append(codes, p.RegisteredDivision, p.ResidenceDivision)
	}
	names, err := division.DisplayNames(ctx, c, codes)
	if err != nil {
		return err
	}
	today := s.today().Format(dateLayout)
	for i := range ps {
		p := &ps[i]
		p.RegisteredDivisionName, p.ResidenceDivisionName = names[p.RegisteredDivision], names[p.ResidenceDivision]
		p.OtherDivisionName = names[p.OtherDivision]
		p.Age = ageOn(p.BirthDate, today)
	}
	return nil
}

// SeparationCounts are the sizes of an area's 人户分离 lists, and of each
// child division's own.
type SeparationCounts struct {
	Division DivisionRef             `json:"division"`
	Away     int                     `json:"away"`
	Present  int                     `json:"present"`
	Children []SeparationChildCounts `json:"children"`
}

// SeparationChildCounts are a child division's list sizes.
type SeparationChildCounts struct {
	DivisionRef
	Away    int `json:"away"`
	Present int `json:"present"`
}

// CountSeparation counts the 人户分离 lists of division code (default: the
// caller's own) and of each of its child divisions.
func (s *Service) CountSeparation(ctx context.Context, code string) (SeparationCounts, error) {
	pr := auth.From(ctx)
	if code == "" {
		code = pr.DivisionCode
	}
	var out SeparationCounts
	err := s.db.ReadTx(ctx, func(tx *db.Tx) error {
		d, err := division.GetIn(ctx, tx.Conn, code, pr.DivisionPath)
		if err != nil {
			return err
		}
		out = SeparationCounts{Division: refOf(d), Children: []SeparationChildCounts{}}
		for kind, n := range map[string]*int{SeparationAway: &out.Away, SeparationPresent: &out.Present} {
			sel, _ := separationQuery(tx.Conn, kind, d.Path)
			if *n, err = sel.Count(ctx, tx.Conn); err != nil {
				return apperr.Wrap(err, "count separated")
			}
		}
		kids, err := division.Children(ctx, tx.Conn, d.Code)
		if err != nil || len(kids) == 0 {
			return err
		}
		away, present, err := separationByChild(ctx, tx.Conn, d.Path, len(kids[0].Path))
		for _, k := range kids {
			if k.ValidTo == "" {
				out.Children = append(out.Children, SeparationChildCounts{DivisionRef: refOf(k), Away: away[k.Path], Present: present[k.Path]})
			}
		}
		return err
	})
	return out, err
}

// separationByChild counts each child division's lists in one pass per
// kind: for a child C, away are the persons registered in C (their reg_path
// starts with C's path, of length n) whose residence path does not; present
// the reverse.
func separationByChild(ctx context.Context, c db.Conn, area string, n int) (away, present map[string]int, err error) {
	reg, ra := db.Subtree("p.reg_path", area)
	res, sa := db.Subtree("p.res_path", area)
	if away, err = groupCount(ctx, c, `SELECT substr(p.reg_path, 1, ?) AS k, COUNT(*) FROM `+separatedFrom(c, SeparationAway)+` WHERE `+reg+` AND `+sepCond+`
		AND p.status = 'alive' AND (substr(p.res_path, 1, ?) <> substr(p.reg_path, 1, ?) OR p.away_place IS NOT NULL)
		GROUP BY k`, append(append([]any{n}, ra...), n, n)...); err != nil {
		return nil, nil, err
	}
	present, err = groupCount(ctx, c, `SELECT substr(p.res_path, 1, ?) AS k, COUNT(*) FROM `+separatedFrom(c, SeparationPresent)+` WHERE `+res+` AND `+sepCond+`
		AND p.status = 'alive' AND p.away_place IS NULL AND substr(p.reg_path, 1, ?) <> substr(p.res_path, 1, ?)
		GROUP BY k`, append(append([]any{n}, sa...), n, n)...)
	return away, present, err
}

func groupCount(ctx context.Context, c db.Conn, q string, args ...any) (map[string]int, error) {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "separation counts")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			return nil, apperr.Wrap(err, "scan separation count")
		}
		out[k] = v
	}
	return out, apperr.Wrap(rows.Err(), "separation count rows")
}
