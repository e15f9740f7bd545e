package benefit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
)

// AttestDisability is the key of a disability certificate's level (1–4),
// attested on the disabled person.
const AttestDisability = "disability_level"

// attestKeys are the facts officers attest, with a check of each value.
var attestKeys = map[string]struct {
	label string
	valid func(string) bool
}{
	AttestPolicyCompliant:  {"1973至2001年间无政策外生育", oneOf("yes", "no")},
	AttestComplication:     {"计划生育手术并发症等级", oneOf("1", "2", "3", "none")},
	AttestDisability:       {"残疾证等级", oneOf("1", "2", "3", "4", "none")},
	AttestOnlyChildCert:    {"独生子女父母光荣证发证日期", isDate},
	AttestOnlyChildCertFor: {"光荣证所载子女", isNumber},
}

func oneOf(vs ...string) func(string) bool {
	return func(v string) bool {
		for _, x := range vs {
			if v == x {
				return true
			}
		}
		return false
	}
}

func isDate(v string) bool {
	t, err := time.Parse(time.DateOnly, v)
	return err == nil && t.Format(time.DateOnly) == v
}

func isNumber(v string) bool { _, err := strconv.ParseInt(v, 10, 64); return err == nil }

// AttestInput records a fact about a person.
type AttestInput struct {
	PersonID int64  `json:"person_id"`
	Key      string `json:"key"`
	Value    string `json:"value"`
	Evidence string `json:"evidence"` // the document seen: certificate number, file reference
}

// Attest records a fact an officer checked, for a person in their area.
func (s *Service) Attest(ctx context.Context, in AttestInput) error {
	pr := auth.From(ctx)
	in.Key, in.Value, in.Evidence = strings.TrimSpace(in.Key), strings.TrimSpace(in.Value), strings.TrimSpace(in.Evidence)
	spec, ok := attestKeys[in.Key]
	if !ok {
		return apperr.InvalidField("key", "未知的核实项目："+in.Key)
	}
	if !spec.valid(in.Value) {
		return apperr.InvalidField("value", "“"+spec.label+"”的取值无效："+in.Value)
	}
	if err := check.Text("evidence", "核实依据", in.Evidence, 200, true); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := personInScope(ctx, tx.Conn, pr, in.PersonID); err != nil {
			return err
		}
		if in.Key == AttestOnlyChildCertFor {
			if err := checkChildOf(ctx, tx.Conn, in.PersonID, in.Value); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO benefit_facts (person_id, key, value, evidence, attested_by, attested_at)
			VALUES (?, ?, ?, ?, ?, ?)`, in.PersonID, in.Key, in.Value, in.Evidence, pr.Username, db.Now()); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.attest", Entity: "person", EntityID: fmt.Sprint(in.PersonID),
			After: in})
	})
}

func checkChildOf(ctx context.Context, c db.Conn, parent int64, child string) error {
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM persons WHERE id = ? AND (mother_id = ? OR father_id = ?
		OR adoptive_mother_id = ? OR adoptive_father_id = ?)`, child, parent, parent, parent, parent).Scan(&n)
	if err != nil {
		return apperr.Wrap(err, "child of")
	}
	if n == 0 {
		return apperr.InvalidField("value", "光荣证所载子女应为本人登记的子女")
	}
	return nil
}

// personRow is a registry person as benefits read them.
type personRow struct {
	Member
	path                       string
	spouse, mother, father     sql.NullInt64
	adoptiveMother, adoptiveFa sql.NullInt64
}

const memberCols = `p.id, p.name, p.sex, COALESCE(p.birth_date, ''), COALESCE(p.death_date, ''), COALESCE(p.hukou_type, ''),
	p.reg_path, p.spouse_id, p.mother_id, p.father_id, p.adoptive_mother_id, p.adoptive_father_id`

func scanMember(sc interface{ Scan(...any) error }) (personRow, error) {
	var r personRow
	err := sc.Scan(&r.ID, &r.Name, &r.Sex, &r.Birth, &r.DeathDate, &r.Hukou, &r.path, &r.spouse, &r.mother, &r.father,
		&r.adoptiveMother, &r.adoptiveFa)
	r.County = db.CountyCode(r.path)
	return r, err
}

// personInScope reads a person registered or living in pr's area.
func personInScope(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (personRow, error) {
	cond, args := db.PersonScope("p", pr.DivisionPath)
	r, err := scanMember(c.QueryRow(ctx, `SELECT `+memberCols+` FROM persons p WHERE p.id = ? AND `+cond,
		append([]any{id}, args...)...))
	if err == sql.ErrNoRows {
		return r, &apperr.Error{Code: apperr.NotFound, Field: "person_id", Message: "人员不存在"}
	}
	return r, apperr.Wrap(err, "person for benefit")
}

func memberByID(ctx context.Context, c db.Conn, id int64) (personRow, error) {
	r, err := scanMember(c.QueryRow(ctx, `SELECT `+memberCols+` FROM persons p WHERE p.id = ?`, id))
	return r, apperr.Wrap(err, "member")
}

// childrenOf lists the children a person bore, fathered or adopted.
func childrenOf(ctx context.Context, c db.Conn, id int64) ([]Member, error) {
	rows, err := c.Query(ctx, `SELECT `+memberCols+` FROM persons p WHERE p.mother_id = ? OR p.father_id = ?
		OR p.adoptive_mother_id = ? OR p.adoptive_father_id = ? ORDER BY p.birth_date, p.id`, id, id, id, id)
	if err != nil {
		return nil, apperr.Wrap(err, "children")
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		r, err := scanMember(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan child")
		}
		r.Adopted = (r.adoptiveMother.Valid && r.adoptiveMother.Int64 == id) || (r.adoptiveFa.Valid && r.adoptiveFa.Int64 == id)
		out = append(out, r.Member)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "children")
	}
	for i := range out {
		level, err := latestFact(ctx, c, out[i].ID, AttestDisability)
		if err != nil {
			return nil, err
		}
		out[i].Disability, _ = strconv.Atoi(level)
	}
	return out, nil
}

func latestFact(ctx context.Context, c db.Conn, person int64, key string) (string, error) {
	var v string
	err := c.QueryRow(ctx, `SELECT value FROM benefit_facts WHERE person_id = ? AND key = ? ORDER BY id DESC LIMIT 1`,
		person, key).Scan(&v)
	if err == sql.ErrNoRows || v == "none" {
		return "", nil
	}
	return v, apperr.Wrap(err, "fact")
}

// LoadFacts gathers what the rules read about a person in pr's area, and
// the person's registered village path (the decision's scope).
func LoadFacts(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Facts, string, error) {
	me, err := personInScope(ctx, c, pr, id)
	if err != nil {
		return Facts{}, "", err
	}
	f := Facts{Person: me.Member, Attested: map[string]string{}}
	if me.spouse.Valid {
		sp, err := memberByID(ctx, c, me.spouse.Int64)
		if err != nil {
			return f, "", err
		}
		f.Spouse = &sp.Member
	}
	if f.Children, err = childrenOf(ctx, c, id); err != nil {
		return f, "", err
	}
	for _, parent := range []sql.NullInt64{me.mother, me.father, me.adoptiveMother, me.adoptiveFa} {
		if !parent.Valid {
			continue
		}
		pm, err := memberByID(ctx, c, parent.Int64)
		if err != nil {
			return f, "", err
		}
		f.Parents = append(f.Parents, pm.Member)
		if len(f.Siblings) == 0 {
			if f.Siblings, err = childrenOf(ctx, c, parent.Int64); err != nil {
				return f, "", err
			}
		}
	}
	for key := range attestKeys {
		v, err := latestFact(ctx, c, id, key)
		if err != nil {
			return f, "", err
		}
		if v != "" {
			f.Attested[key] = v
		}
	}
	return f, me.path, nil
}
