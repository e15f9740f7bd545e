package registry

import (
	"context"
	"database/sql"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// personCols are the columns every person read selects, in scanPerson order.
// Parents' names are read apart (parentNames), limited to the caller's
// scope, so a parent outside it is linked by id but not named.
const personCols = `p.id, p.name, p.sex, p.birth_date, p.id_mask, p.phone_mask, p.ethnicity, p.hukou_type,
	p.marital_status, p.reg_division, p.res_division, p.household_id, p.relation, p.mother_id, p.father_id,
	p.status, p.death_date, p.version, p.created_at, p.updated_at, p.reg_path, p.res_path,
	(SELECT h.hh_no FROM households h WHERE h.id = p.household_id)`

// personFrom is what person reads select from. The household number is a
// scalar subquery of personCols rather than a join here, so that counting
// the rows of a search stays inside the search's covering index instead of
// visiting every matching row for its household.
const personFrom = `persons p`

// birthOrderExpr counts the mother's children born before this one (ties by
// id, for twins registered in birth order): the derived 孩次.
const birthOrderExpr = `CASE WHEN p.mother_id IS NULL OR p.birth_date IS NULL THEN NULL ELSE
	(SELECT COUNT(*) FROM persons s WHERE s.mother_id = p.mother_id AND s.birth_date IS NOT NULL
	 AND (s.birth_date < p.birth_date OR (s.birth_date = p.birth_date AND s.id <= p.id))) END`

type scanner interface{ Scan(...any) error }

func scanPerson(sc scanner, extra ...any) (Person, error) {
	var p Person
	var birth, idMask, phoneMask, eth, hukou, marital, relation, death, hhNo sql.NullString
	var hh, mother, father sql.NullInt64
	dest := []any{&p.ID, &p.Name, &p.Sex, &birth, &idMask, &phoneMask, &eth, &hukou, &marital,
		&p.RegisteredDivision, &p.ResidenceDivision, &hh, &relation, &mother, &father, &p.Status, &death,
		&p.Version, &p.CreatedAt, &p.UpdatedAt, &p.regPath, &p.resPath, &hhNo}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return p, err
	}
	p.BirthDate, p.IDNumber, p.Phone, p.Ethnicity = birth.String, idMask.String, phoneMask.String, eth.String
	p.HukouType, p.MaritalStatus, p.Relation, p.DeathDate = hukou.String, marital.String, relation.String, death.String
	p.HouseholdNo = hhNo.String
	p.HouseholdID, p.MotherID, p.FatherID = nullID(hh), nullID(mother), nullID(father)
	return p, nil
}

func nullID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func idArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// personScope restricts persons aliased a to principal pr's subtree: either
// the registered or the residence division lies in it.
func personScope(a string, pr *auth.Principal) (string, []any) {
	return db.PersonScope(a, pr.DivisionPath)
}

// loadPerson reads one person in pr's scope, with the birth order; persons
// outside the scope are not found.
func loadPerson(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Person, error) {
	cond, args := personScope("p", pr)
	var order sql.NullInt64
	p, err := scanPerson(c.QueryRow(ctx, `SELECT `+personCols+`, `+birthOrderExpr+` FROM `+personFrom+`
		WHERE p.id = ? AND `+cond, append([]any{id}, args...)...), &order)
	if err != nil {
		return p, db.NotFound(err, "人员不存在")
	}
	if order.Valid {
		n := int(order.Int64)
		p.BirthOrder = &n
	}
	return p, nil
}

// loadSecrets reads a person's encrypted fields.
func loadSecrets(ctx context.Context, c db.Conn, id int64) (idEnc, phoneEnc []byte, bidx string, err error) {
	var b sql.NullString
	err = c.QueryRow(ctx, `SELECT id_enc, phone_enc, id_bidx FROM persons WHERE id = ?`, id).Scan(&idEnc, &phoneEnc, &b)
	return idEnc, phoneEnc, b.String, db.NotFound(err, "人员不存在")
}

// parentNames fills the names of p's parents that lie in pr's scope.
func parentNames(ctx context.Context, c db.Conn, pr *auth.Principal, p *Person) error {
	for _, link := range []struct {
		id   *int64
		name *string
	}{{p.MotherID, &p.MotherName}, {p.FatherID, &p.FatherName}} {
		if link.id == nil {
			continue
		}
		cond, args := personScope("p", pr)
		err := c.QueryRow(ctx, `SELECT p.name FROM persons p WHERE p.id = ? AND `+cond,
			append([]any{*link.id}, args...)...).Scan(link.name)
		if err != nil && err != sql.ErrNoRows {
			return apperr.Wrap(err, "parent name")
		}
	}
	return nil
}

// children lists the children of a person (as mother or father) in pr's
// scope, each with their birth order among their mother's children.
func children(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) ([]Child, error) {
	cond, args := personScope("p", pr)
	rows, err := c.Query(ctx, `SELECT p.id, p.name, p.sex, p.birth_date, `+birthOrderExpr+`
		FROM persons p WHERE (p.mother_id = ? OR p.father_id = ?) AND `+cond+` ORDER BY p.birth_date, p.id`,
		append([]any{id, id}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "children")
	}
	defer rows.Close()
	out := []Child{}
	for rows.Next() {
		var ch Child
		var birth sql.NullString
		var order sql.NullInt64
		if err := rows.Scan(&ch.ID, &ch.Name, &ch.Sex, &birth, &order); err != nil {
			return nil, apperr.Wrap(err, "scan child")
		}
		ch.BirthDate = birth.String
		if order.Valid {
			n := int(order.Int64)
			ch.BirthOrder = &n
		}
		out = append(out, ch)
	}
	return out, apperr.Wrap(rows.Err(), "children rows")
}
