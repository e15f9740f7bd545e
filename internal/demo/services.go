package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/health"
)

// ServiceOptions says how many health-service cases to give a generated county.
type ServiceOptions struct {
	County string
	Today  string // YYYY-MM-DD, the health service's today
	Seed   int64
	// Cases is the number of cases to open; they go to women of 20–49.
	Cases int
	// Focus, a village code, gets FocusCases of them, so the demo village
	// officer's work list is not empty.
	Focus      string
	FocusCases int
}

// ServiceStats counts what Services wrote.
type ServiceStats struct {
	Cases    int `json:"cases"`
	Contacts int `json:"contacts"`
	Steps    int `json:"steps"`
}

// MaxServiceCases bounds the cases a demo gets: they are written through
// the health service one transaction at a time, like an officer would.
const MaxServiceCases = 3000

// Services opens health-service cases for women of the generated county
// through the health service itself, so every schedule, step and journal
// entry is what officers' work would produce: procedures with their
// follow-ups, pregnancies, screenings, pre-pregnancy checks and birth
// registrations dated over the past months, three in four visits recorded
// on time or a little late, and the rest left overdue for the work list.
// ctx must carry a principal above the county (the operator).
func Services(ctx context.Context, d *db.DB, svc *health.Service, o ServiceOptions) (ServiceStats, error) {
	var st ServiceStats
	women, err := womenOf(ctx, d.Reader(), o, o.County)
	if err != nil || len(women) == 0 {
		return st, err
	}
	focus := women
	if o.Focus != "" {
		if focus, err = womenOf(ctx, d.Reader(), o, o.Focus); err != nil {
			return st, err
		}
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x5e41))
	today, err := time.Parse(time.DateOnly, o.Today)
	if err != nil {
		return st, fmt.Errorf("demo today %q: %w", o.Today, err)
	}
	s := seeder{ctx: ctx, svc: svc, r: r, today: today, st: &st}
	for i := 0; i < min(o.Cases, len(women)); i++ {
		w := women[r.IntN(len(women))]
		if i < o.FocusCases && len(focus) > 0 {
			w = focus[r.IntN(len(focus))]
		}
		if err := s.serve(w, i); err != nil {
			return st, fmt.Errorf("demo service case %d (person %d): %w", i, w, err)
		}
	}
	return st, nil
}

// womenOf lists living women of 20–49 living in the division.
func womenOf(ctx context.Context, c db.Conn, o ServiceOptions, code string) ([]int64, error) {
	today, err := time.Parse(time.DateOnly, o.Today)
	if err != nil {
		return nil, fmt.Errorf("demo today %q: %w", o.Today, err)
	}
	var path string
	if err := c.QueryRow(ctx, `SELECT path FROM divisions WHERE code = ?`, code).Scan(&path); err != nil {
		return nil, apperr.Wrap(err, "demo division path")
	}
	cond, args := db.Subtree("res_path", path)
	rows, err := c.Query(ctx, `SELECT id FROM persons WHERE sex = 'female' AND status = 'alive' AND birth_date > ? AND birth_date <= ?
		AND `+cond+` ORDER BY id`, append([]any{today.AddDate(-50, 0, 0).Format(time.DateOnly),
		today.AddDate(-20, 0, 0).Format(time.DateOnly)}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "demo women")
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

type seeder struct {
	ctx   context.Context
	svc   *health.Service
	r     *rand.Rand
	today time.Time
	st    *ServiceStats
}

func (s seeder) daysAgo(n int) string { return s.today.AddDate(0, 0, -n).Format(time.DateOnly) }

// serve opens one case of a program chosen by i and plays its history.
func (s seeder) serve(person int64, i int) error {
	var err error
	switch i % 6 {
	case 0, 1:
		err = s.procedure(person)
	case 2:
		err = s.pregnancy(person)
	case 3:
		err = s.screening(person)
	case 4:
		err = s.prePregnancy(person)
	default:
		err = s.registration(person)
	}
	if apperr.As(err).Code == apperr.Conflict { // already has an open case of the program
		return nil
	}
	return err
}

func (s seeder) open(in health.CaseInput) (health.Case, error) {
	c, err := s.svc.OpenCase(s.ctx, in)
	if err == nil {
		s.st.Cases++
	}
	return c, err
}

func (s seeder) procedure(person int64) error {
	types := []string{"iud_insertion", "iud_insertion", "iud_removal", "induced_abortion", "female_sterilisation"}
	c, err := s.open(health.CaseInput{Program: health.PostOp, PersonID: person, Date: s.daysAgo(s.r.IntN(200)),
		Fields: map[string]any{"procedure_type": types[s.r.IntN(len(types))], "institution": "县妇幼保健计划生育服务中心"}})
	if err != nil {
		return err
	}
	return s.visit(c.ID, s.daysAgo(0))
}

func (s seeder) pregnancy(person int64) error {
	start := s.r.IntN(300)
	c, err := s.open(health.CaseInput{Program: health.Pregnancy, PersonID: person, Date: s.daysAgo(start),
		Fields: map[string]any{"expected_date": s.today.AddDate(0, 0, 250-start).Format(time.DateOnly)}})
	if err != nil {
		return err
	}
	if start <= 250 {
		return s.visit(c.ID, s.daysAgo(0))
	}
	// Delivered some weeks ago: the antenatal visits before, the postpartum visit after.
	delivered := s.daysAgo(start - 250)
	if err := s.visit(c.ID, delivered); err != nil {
		return err
	}
	if err := s.step(c.ID, "delivered", delivered, map[string]any{"outcome": "live_birth", "place": "县人民医院"}); err != nil {
		return err
	}
	return s.visit(c.ID, s.daysAgo(0))
}

func (s seeder) screening(person int64) error {
	start := s.r.IntN(150)
	c, err := s.open(health.CaseInput{Program: health.Screening, PersonID: person, Date: s.daysAgo(start),
		Fields: map[string]any{"items": []any{"tct", "hpv", "breast_us"}}})
	if err != nil || start < 40 {
		return err
	}
	result := "normal"
	if s.r.IntN(10) == 0 {
		result = "positive"
	}
	if err := s.step(c.ID, "result", s.daysAgo(start-25), map[string]any{"result": result}); err != nil || result == "normal" || start < 80 {
		return err
	}
	if err := s.step(c.ID, "further_exam", s.daysAgo(start-50), map[string]any{"exam": "colposcopy"}); err != nil {
		return err
	}
	return s.step(c.ID, "diagnosis", s.daysAgo(start-70), map[string]any{"diagnosis": []string{"cin1", "cin2"}[s.r.IntN(2)]})
}

func (s seeder) prePregnancy(person int64) error {
	start := s.r.IntN(200)
	c, err := s.open(health.CaseInput{Program: health.PrePreg, PersonID: person, Date: s.daysAgo(start)})
	if err != nil || start < 20 {
		return err
	}
	if err := s.step(c.ID, "examined", s.daysAgo(start-7), map[string]any{"items": []any{"education", "history", "physical", "blood", "risk"}}); err != nil {
		return err
	}
	if err := s.step(c.ID, "assessed", s.daysAgo(start-14), map[string]any{"risk": []string{"low", "low", "low", "high"}[s.r.IntN(4)]}); err != nil {
		return err
	}
	return s.step(c.ID, "counselled", s.daysAgo(start-15), map[string]any{"advice": "补充叶酸，规律作息"})
}

func (s seeder) registration(person int64) error {
	_, err := s.open(health.CaseInput{Program: health.BirthReg, PersonID: person, Date: s.daysAgo(s.r.IntN(300)),
		Fields: map[string]any{"kind": "pregnancy", "expected_date": s.today.AddDate(0, 0, 60+s.r.IntN(200)).Format(time.DateOnly)}})
	return err
}

func (s seeder) step(caseID int64, stage, date string, fields map[string]any) error {
	if _, err := s.svc.RecordStep(s.ctx, caseID, health.StepInput{Stage: stage, Date: date, Fields: fields}); err != nil {
		return err
	}
	s.st.Steps++
	return nil
}

// visit records the visits of a case that fell due at least three days
// ago (and by limit): three in four on time or a few days late, the rest
// (chosen by visit id, so a second pass does not pick them) left undone so
// the work list has overdue visits. Recurring visits appear as earlier
// ones are recorded, so it loops until nothing more is due.
func (s seeder) visit(caseID int64, limit string) error {
	limit = min(limit, s.daysAgo(3))
	for range 20 {
		d, err := s.svc.Detail(s.ctx, caseID, false)
		if err != nil {
			return err
		}
		recorded := false
		for _, v := range d.Visits {
			if v.Status != "open" || v.ByStep != "" || v.DueOn > limit || v.ID%4 == 0 {
				continue
			}
			done, _ := time.Parse(time.DateOnly, v.DueOn)
			date := min(done.AddDate(0, 0, s.r.IntN(12)).Format(time.DateOnly), limit)
			method := []string{health.MethodHome, health.MethodPhone}[s.r.IntN(2)]
			if _, err := s.svc.RecordContact(s.ctx, v.ID, health.ContactInput{Method: method, Date: date}); err != nil {
				return err
			}
			s.st.Contacts++
			recorded = true
		}
		if !recorded || d.Status != "open" {
			return nil
		}
	}
	return nil
}
