package registry

import (
	"context"
	"database/sql"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/idno"
)

// Filter selects persons for the list page.
type Filter struct {
	Q        string // name prefix, or an ID number
	IDNumber string // a full ID number, exact
	Division string // registered or living in this division's subtree (within the caller's area)
	Page     int
	Size     int
}

// List returns one page of the persons registered or living in the caller's
// area (narrowed to Filter.Division), and their total.
//
// Browsing lists first the persons registered in the area, grouped by
// village and sorted by name, then those who live there but are registered
// elsewhere; each part is a walk along its own index, and the totals come
// from the person_counts table, so a county-wide page over a million persons
// costs the same as a village's. A name search lists matches by name
// through the covering name index; an ID search uses the blind index.
func (s *Service) List(ctx context.Context, f Filter) ([]Person, int, error) {
	c := s.db.Reader()
	area, err := listArea(ctx, c, auth.From(ctx), f.Division)
	if err != nil {
		return nil, 0, err
	}
	idNumber, q := f.terms()
	var out []Person
	var total int
	switch {
	case idNumber != "":
		out, total, err = pageOf(ctx, c, s.idMatch(area, idNumber), f.Page, f.Size)
	case q != "":
		out, total, err = nameSearch(ctx, c, area, q, f.Page, f.Size)
	default:
		out, total, err = browse(ctx, c, area, f.Page, f.Size)
	}
	if err != nil {
		return nil, 0, err
	}
	return out, total, s.decorate(ctx, c, out)
}

// terms splits the filter's search: an ID number typed into Q searches by
// ID, anything else in Q is a name prefix.
func (f Filter) terms() (idNumber, namePrefix string) {
	q := strings.TrimSpace(f.Q)
	if f.IDNumber == "" && idno.Looks(q) {
		return q, ""
	}
	if f.IDNumber != "" {
		return f.IDNumber, q
	}
	return "", q
}

// idMatch selects the person of area with an ID number, by its blind index.
func (s *Service) idMatch(area, number string) db.Select {
	sel := inArea(area, "p.id")
	sel.Where("p.id_bidx = ?", s.cipher.BlindIndex(fieldID, searchableID(number)))
	return sel
}

// listArea is the subtree a list covers: the caller's area, or a division
// inside it. A division above the caller's area means the area itself.
func listArea(ctx context.Context, c db.Conn, pr *auth.Principal, code string) (string, error) {
	if code == "" {
		return pr.DivisionPath, nil
	}
	d, err := division.Get(ctx, c, code)
	switch {
	case err != nil:
		return "", apperr.InvalidField("division", "区划代码 "+code+" 不存在")
	case pr.Covers(d.Path):
		return d.Path, nil
	case strings.HasPrefix(pr.DivisionPath, d.Path):
		return pr.DivisionPath, nil
	}
	return "", apperr.InvalidField("division", "区划 "+code+" 不在您的管辖范围内")
}

// smallArea is the population below which a name search starts from the
// area's own indexes rather than from the name index.
var smallArea = 20_000

// nameSearch pages through the persons of the area whose name starts with
// q, ordered by name. The access path is chosen here, not left to the
// planner: SQLite has no range statistics and cannot tell a village's few
// thousand rows from a county-wide surname's tens of thousands.
//
// In a small area the matches are collected from the area's own covering
// indexes (reg_path, name) and (res_path, name, reg_path): persons
// registered (or living) at the area's own division by a direct seek on
// path and name, those in divisions below it (村民小组) by a range scan, and
// residents registered elsewhere apart from the registered. Only the page's
// rows are then read from the table. In a large area the covering name index
// is walked in name order and checked for the area on the way.
func nameSearch(ctx context.Context, c db.Conn, area, q string, page, size int) ([]Person, int, error) {
	registered, elsewhere, err := countArea(ctx, c, area)
	if err != nil {
		return nil, 0, err
	}
	upper := q + "\U0010FFFF"
	if registered+elsewhere > smallArea {
		return pageOf(ctx, c, nameWalk(c, area, q), page, size)
	}
	matches, args := areaNameMatches(c, area, q, upper)
	var total int
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM (`+matches+`) m`, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err, "count name search")
	}
	rows, err := c.Query(ctx, `SELECT `+personCols+`, `+birthOrderExpr+`
		FROM (SELECT id, name FROM (`+matches+`) u ORDER BY name, id LIMIT ? OFFSET ?) m
		JOIN persons p ON p.id = m.id ORDER BY m.name, m.id`,
		append(args, size, (page-1)*size)...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "name search")
	}
	out, err := readPersons(rows)
	return out, total, err
}

// nameWalk selects the persons of area whose name starts with q, in name
// order, walking the covering name index and checking the area on the way.
func nameWalk(c db.Conn, area, q string) db.Select {
	sel := db.Select{Cols: personCols + ", " + birthOrderExpr, From: personFrom, OrderBy: "p.name, p.id"}
	reg, ra := db.Subtree(c.Unindexed("p.reg_path"), area)
	res, sa := db.Subtree(c.Unindexed("p.res_path"), area)
	sel.Where("("+reg+" OR "+res+")", append(ra, sa...)...)
	sel.Where("p.name >= ? AND p.name < ?", q, q+"\U0010FFFF")
	return sel
}

// areaNameMatches returns a query of (id, name) of the persons registered or
// living in area whose name lies in [q, upper), as four disjoint parts.
func areaNameMatches(c db.Conn, area, q, upper string) (string, []any) {
	inReg, ra := db.Subtree("reg_path", area)
	belowReg, ba := db.Below("reg_path", area)
	belowRes, bs := db.Below("res_path", area)
	name := "name >= ? AND name < ?"
	plain := c.Unindexed("name") + " >= ? AND " + c.Unindexed("name") + " < ?"
	query := `SELECT id, name FROM persons WHERE reg_path = ? AND ` + name + `
		UNION ALL SELECT id, name FROM persons WHERE ` + belowReg + ` AND ` + plain + `
		UNION ALL SELECT id, name FROM persons WHERE res_path = ? AND NOT ` + inReg + ` AND ` + name + `
		UNION ALL SELECT id, name FROM persons WHERE ` + belowRes + ` AND NOT ` + inReg + ` AND ` + plain
	var args []any
	args = append(args, area, q, upper)
	args = append(append(args, ba...), q, upper)
	args = append(append(append(args, area), ra...), q, upper)
	args = append(append(append(args, bs...), ra...), q, upper)
	return query, args
}

func inArea(area, orderBy string) db.Select {
	sel := db.Select{Cols: personCols + ", " + birthOrderExpr, From: personFrom, OrderBy: orderBy}
	reg, ra := db.Subtree("p.reg_path", area)
	res, sa := db.Subtree("p.res_path", area)
	sel.Where("("+reg+" OR "+res+")", append(ra, sa...)...)
	return sel
}

func pageOf(ctx context.Context, c db.Conn, sel db.Select, page, size int) ([]Person, int, error) {
	total, err := sel.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count persons")
	}
	out, err := scanPage(ctx, c, sel, page, size, 0)
	return out, total, err
}

// browse pages through the area's registered persons, then its residents
// registered elsewhere, as one list.
func browse(ctx context.Context, c db.Conn, area string, page, size int) ([]Person, int, error) {
	registered, elsewhere, err := countArea(ctx, c, area)
	if err != nil {
		return nil, 0, err
	}
	partA, partB := browseParts(area)
	offset := (page - 1) * size
	if offset >= registered {
		out, err := scanPage(ctx, c, partB, 1, size, offset-registered)
		return out, registered + elsewhere, err
	}
	out, err := scanPage(ctx, c, partA, 1, size, offset)
	if err != nil || len(out) == size || elsewhere == 0 {
		return out, registered + elsewhere, err
	}
	more, err := scanPage(ctx, c, partB, 1, size-len(out), 0)
	return append(out, more...), registered + elsewhere, err
}

// browseParts are the two lists browse shows one after the other: the
// persons registered in area, by village and name, then those living there
// but registered elsewhere.
func browseParts(area string) (registered, elsewhere db.Select) {
	reg, ra := db.Subtree("p.reg_path", area)
	res, sa := db.Subtree("p.res_path", area)
	registered = db.Select{Cols: personCols + ", " + birthOrderExpr, From: personFrom, OrderBy: "p.reg_path, p.name, p.id"}
	registered.Where(reg, ra...)
	elsewhere = db.Select{Cols: personCols + ", " + birthOrderExpr, From: personFrom, OrderBy: "p.res_path, p.name, p.id"}
	elsewhere.Where(res, sa...)
	elsewhere.Where("NOT "+reg, ra...)
	return registered, elsewhere
}

// countArea returns how many persons are registered in the area and how many
// live there but are registered elsewhere, from the trigger-kept counts (see
// person_counts and person_away in the schema).
func countArea(ctx context.Context, c db.Conn, area string) (registered, elsewhere int, err error) {
	reg, ra := db.Subtree("reg_path", area)
	if err = c.QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM person_counts WHERE `+reg, ra...).Scan(&registered); err != nil {
		return 0, 0, apperr.Wrap(err, "count registered")
	}
	res, sa := db.Subtree("res_path", area)
	err = c.QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM person_away WHERE `+res+` AND length(lca_path) < ?`,
		append(sa, len(area))...).Scan(&elsewhere)
	return registered, elsewhere, apperr.Wrap(err, "count residents registered elsewhere")
}

// scanPage reads rows of sel's page, skipping extra rows first.
func scanPage(ctx context.Context, c db.Conn, sel db.Select, page, size, extra int) ([]Person, error) {
	rows, err := sel.PageAt(ctx, c, (page-1)*size+extra, size)
	if err != nil {
		return nil, apperr.Wrap(err, "list persons")
	}
	return readPersons(rows)
}

// readPersons reads rows of personCols followed by the birth order, and closes them.
func readPersons(rows *sql.Rows) ([]Person, error) {
	defer rows.Close()
	out := []Person{}
	for rows.Next() {
		var order sql.NullInt64
		p, err := scanPerson(rows, &order)
		if err != nil {
			return nil, apperr.Wrap(err, "scan person")
		}
		if order.Valid {
			n := int(order.Int64)
			p.BirthOrder = &n
		}
		out = append(out, p)
	}
	return out, apperr.Wrap(rows.Err(), "persons rows")
}

// searchableID normalises an ID number typed into a search: a valid number
// (15 digits are upgraded) is looked up as stored; an invalid one is looked
// up as typed, upper-cased, so legacy records with wrong numbers are found too.
func searchableID(s string) string {
	if id, err := idno.Parse(s); err == nil {
		return id.Number
	}
	return strings.ToUpper(strings.TrimSpace(s))
}
