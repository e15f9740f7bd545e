package benefit

import (
	"context"
	"fmt"
	"slices"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// SweepInput asks for the yearly sweep (摸底) of a program in the caller's area.
type SweepInput struct {
	Program string `json:"program"`
	Year    int    `json:"year"`
	Date    string `json:"date"` // eligibility is judged on this date; default 31 December of the year
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Program    string `json:"program"`
	Year       int    `json:"year"`
	Date       string `json:"date"`
	Examined   int    `json:"examined"`
	Added      int    `json:"added"`
	ToAttest   int    `json:"to_attest"` // added, but a fact is still to be attested at the village check
	Existing   int    `json:"existing"`  // already candidates for the year
	Ineligible int    `json:"ineligible"`
}

// attestable criteria can only be settled by an officer's check, so a
// person failing nothing else is still found by the sweep.
var attestable = []string{"policy_compliant", "certificate"}

// Sweep runs a program's rules over the persons of the caller's area that
// could qualify and makes each one who does (or who lacks only an
// attested fact) a candidate for the year, once.
func (s *Service) Sweep(ctx context.Context, in SweepInput) (SweepResult, error) {
	pr := auth.From(ctx)
	res := SweepResult{Program: in.Program, Year: in.Year, Date: in.Date}
	if _, ok := ProgramOf(in.Program); !ok {
		return res, apperr.InvalidField("program", "未知的待遇项目："+in.Program)
	}
	if err := checkYear(in.Year); err != nil {
		return res, err
	}
	if res.Date == "" {
		res.Date = fmt.Sprintf("%d-12-31", in.Year)
	}
	if !isDate(res.Date) || res.Date[:4] != fmt.Sprint(in.Year) {
		return res, apperr.InvalidField("date", "测算日期应为该年度内的有效日期")
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		ids, err := s.sweepPool(ctx, tx.Conn, pr, in.Program, res.Date)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.sweepOne(ctx, tx, pr, in, res.Date, id, &res); err != nil {
				return err
			}
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.sweep", Entity: "benefit_program", EntityID: in.Program,
			After: res})
	})
	return res, err
}

func (s *Service) sweepOne(ctx context.Context, tx *db.Tx, pr *auth.Principal, in SweepInput, date string, id int64, res *SweepResult) error {
	res.Examined++
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM benefit_candidates WHERE program = ? AND year = ? AND person_id = ?`,
		in.Program, in.Year, id).Scan(&n); err != nil {
		return apperr.Wrap(err, "sweep existing")
	}
	if n > 0 {
		res.Existing++
		return nil
	}
	f, path, err := LoadFacts(ctx, tx.Conn, pr, id)
	if err != nil {
		return err
	}
	layers, err := s.Layers(ctx, tx.Conn, in.Program)
	if err != nil {
		return err
	}
	d, _ := Evaluate(in.Program, f, date, layers)
	missing := onlyAttestable(d)
	if !d.Eligible && !missing {
		res.Ineligible++
		return nil
	}
	stored, err := s.store(ctx, tx, d, path)
	if err != nil {
		return err
	}
	app := ApplicationInput{Program: in.Program, Year: in.Year, PersonID: id}
	if prog, _ := ProgramOf(in.Program); prog.Subject == "child" && len(f.Parents) > 0 {
		// A child's benefit is paid to a parent: the mother if registered, else the father.
		applicant := f.Parents[0].ID
		app.ApplicantID = &applicant
	}
	if _, err := s.insertCandidate(ctx, tx, app, "sweep", stored, path); err != nil {
		return err
	}
	res.Added++
	if missing {
		res.ToAttest++
	}
	return nil
}

// onlyAttestable: not eligible, and every failed criterion is one an
// officer settles by checking a document.
func onlyAttestable(d Decision) bool {
	failed := 0
	for _, r := range d.Reasons {
		if r.Passed {
			continue
		}
		if !slices.Contains(attestable, r.Code) {
			return false
		}
		failed++
	}
	return failed > 0
}

// sweepPool narrows the area's persons to those a program could concern,
// in SQL, before the rules judge each: a superset, never a decision.
func (s *Service) sweepPool(ctx context.Context, c db.Conn, pr *auth.Principal, program, date string) ([]int64, error) {
	reg, args := db.Subtree("p.reg_path", pr.DivisionPath)
	d, _ := time.Parse(time.DateOnly, date)
	yearsAgo := func(n int) string { return d.AddDate(-n, 0, 0).Format(time.DateOnly) }
	var cond string
	switch program {
	case JiangFu:
		cond, args = `p.birth_date <= ?`, append(args, yearsAgo(45)) // the youngest age any layer is likely to allow
	case TeFu:
		cond, args = `p.birth_date <= ? AND EXISTS (SELECT 1 FROM persons k WHERE k.mother_id = p.id OR k.father_id = p.id
			OR k.adoptive_mother_id = p.id OR k.adoptive_father_id = p.id)`, append(args, yearsAgo(30))
	case Childcare:
		cond, args = `p.birth_date > ? AND p.birth_date <= ?`, append(args, yearsAgo(3), date)
	case OnlyChild:
		cond = `EXISTS (SELECT 1 FROM benefit_facts f WHERE f.person_id = p.id AND f.key = '` + AttestOnlyChildCert + `')`
	default:
		cond, args = `p.birth_date > ?`, append(args, yearsAgo(30))
	}
	rows, err := c.Query(ctx, `SELECT p.id FROM persons p WHERE `+reg+` AND p.status = 'alive' AND `+cond+` ORDER BY p.id`, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "sweep pool")
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, apperr.Wrap(err, "scan pool")
		}
		ids = append(ids, id)
	}
	return ids, apperr.Wrap(rows.Err(), "sweep pool")
}
