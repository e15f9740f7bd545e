package health

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
	"jisheng/internal/db"
	"jisheng/internal/figure"
)

// Figures are the health-service counts of an area and period that the
// statistics reports use. Every count is of steps or visits dated in the
// period [From, To], for cases served in the division's subtree; the
// definitions follow section 6 of the domain reference.
type Figures struct {
	Division   string            `json:"division"`
	From       string            `json:"from"`
	To         string            `json:"to"`
	PrePreg    PrePregFigures    `json:"prepreg"`
	FollowUps  FollowUpFigures   `json:"follow_ups"`
	Screening  ScreeningFigures  `json:"screening"`
	Procedures []ProcedureFigure `json:"procedures"`
}

// PrePregFigures: completion = couples examined ÷ annual task; coverage =
// couples examined ÷ couples enrolled as planning a pregnancy.
type PrePregFigures struct {
	Year       int      `json:"year"`
	Task       *int     `json:"task"`
	Examined   int      `json:"examined"`
	Planning   int      `json:"planning"`
	Completion *float64 `json:"completion"`
	Coverage   *float64 `json:"coverage"`
}

// FollowUpFigures classify the visits due in the period (not due steps) by
// timeliness against their original due date.
type FollowUpFigures struct {
	Due        int      `json:"due"`
	OnTime     int      `json:"on_time"`
	Late       int      `json:"late"`
	Missed     int      `json:"missed"`
	Pending    int      `json:"pending"`
	Lapsed     int      `json:"lapsed"`
	OnTimeRate *float64 `json:"on_time_rate"` // on time ÷ (due − pending − lapsed)
}

// ScreeningFigures follow a screening case from examination to closure.
type ScreeningFigures struct {
	Examined      int      `json:"examined"`
	Results       int      `json:"results"`
	Positive      int      `json:"positive"` // positive or suspicious
	FurtherExams  int      `json:"further_exams"`
	Diagnosed     int      `json:"diagnosed"`
	NeedTreatment int      `json:"need_treatment"`
	Treated       int      `json:"treated"`
	Closed        int      `json:"closed"`
	PositiveRate  *float64 `json:"positive_rate"`  // positive ÷ examined
	TreatmentRate *float64 `json:"treatment_rate"` // treated ÷ need treatment
	ClosureRate   *float64 `json:"closure_rate"`   // closed ÷ results
}

// ProcedureFigure counts the procedures of one type done in the period.
type ProcedureFigure struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Figures computes every health-service figure of a division and period.
func (s *Service) Figures(ctx context.Context, code, from, to string) (Figures, error) {
	pr := auth.From(ctx)
	f := Figures{Division: code, From: from, To: to}
	if err := checkPeriod(from, to); err != nil {
		return f, err
	}
	err := s.db.ReadTx(ctx, func(tx *db.Tx) error {
		path := pr.DivisionPath
		if code != "" {
			var err error
			if path, err = divisionPath(ctx, tx.Conn, pr, code); err != nil {
				return err
			}
		}
		a := area{path: path, from: from, to: to}
		var err error
		if f.PrePreg, err = prePregFigures(ctx, tx.Conn, a, code); err != nil {
			return err
		}
		if f.FollowUps, err = followUpFigures(ctx, tx.Conn, a, s.today()); err != nil {
			return err
		}
		if f.Screening, err = screeningFigures(ctx, tx.Conn, a); err != nil {
			return err
		}
		f.Procedures, err = procedureFigures(ctx, tx.Conn, a)
		return err
	})
	return f, err
}

func checkPeriod(from, to string) error {
	if err := checkDate(from, "9999-12-31", true); err != nil {
		return apperr.InvalidField("from", "开始日期"+err.Error())
	}
	if err := checkDate(to, "9999-12-31", true); err != nil {
		return apperr.InvalidField("to", "结束日期"+err.Error())
	}
	if to < from {
		return apperr.InvalidField("to", "结束日期不能早于开始日期")
	}
	return nil
}

// area is a division subtree and a period.
type area struct{ path, from, to string }

// stepCount counts the distinct cases of program with a step at stage
// dated in the period, optionally only with one of codes.
func stepCount(ctx context.Context, c db.Conn, a area, program, stage string, codes ...string) (int, error) {
	cond, args := db.Subtree("c.division_path", a.path)
	q := `SELECT COUNT(DISTINCT s.case_id) FROM health_steps s JOIN health_cases c ON c.id = s.case_id
		WHERE c.program = ? AND s.stage = ? AND s.step_date >= ? AND s.step_date <= ? AND ` + cond
	args = append([]any{program, stage, a.from, a.to}, args...)
	if len(codes) > 0 {
		q += ` AND s.code IN (` + db.Placeholders(len(codes)) + `)`
		for _, code := range codes {
			args = append(args, code)
		}
	}
	var n int
	err := c.QueryRow(ctx, q, args...).Scan(&n)
	return n, apperr.Wrap(err, "step count")
}

func prePregFigures(ctx context.Context, c db.Conn, a area, code string) (PrePregFigures, error) {
	year, _ := strconv.Atoi(a.to[:4])
	f := PrePregFigures{Year: year}
	var err error
	if f.Examined, err = stepCount(ctx, c, a, PrePreg, "examined"); err != nil {
		return f, err
	}
	if f.Planning, err = stepCount(ctx, c, a, PrePreg, "enrolled"); err != nil {
		return f, err
	}
	if f.Task, err = TaskOf(ctx, c, a.path, code, year, PrePreg); err != nil {
		return f, err
	}
	if f.Task != nil {
		f.Completion = figure.Percent(f.Examined, *f.Task)
	}
	f.Coverage = figure.Percent(f.Examined, f.Planning)
	return f, nil
}

// TaskOf is the annual task of a division: its own if set, else the sum
// of the tasks set for divisions below it; nil when none is set.
func TaskOf(ctx context.Context, c db.Conn, path, code string, year int, program string) (*int, error) {
	tasks, err := TasksIn(ctx, c, path, year, program)
	if err != nil {
		return nil, err
	}
	return tasks.Of(path), nil
}

// Tasks are the annual tasks of a program set in an area, by division path.
type Tasks map[string]int64

// TasksIn reads the tasks of a program and year set for the divisions of
// the area at path (itself included) in one query, so that a report on
// hundreds of villages does not ask once for each.
func TasksIn(ctx context.Context, c db.Conn, path string, year int, program string) (Tasks, error) {
	cond, args := db.Subtree("d.path", path)
	rows, err := c.Query(ctx, `SELECT d.path, t.number FROM health_tasks t JOIN divisions d ON d.code = t.division_code
		WHERE t.year = ? AND t.program = ? AND `+cond, append([]any{year, program}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "task")
	}
	defer rows.Close()
	out := Tasks{}
	for rows.Next() {
		var p string
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return nil, apperr.Wrap(err, "task")
		}
		out[p] = n
	}
	return out, apperr.Wrap(rows.Err(), "task")
}

// Of is the task of the division at path: its own if set, else the sum of
// those set below it; nil when none is set.
func (t Tasks) Of(path string) *int {
	if n, ok := t[path]; ok {
		v := int(n)
		return &v
	}
	var sum int64
	found := false
	for p, n := range t {
		if strings.HasPrefix(p, path) {
			sum, found = sum+n, true
		}
	}
	if !found {
		return nil
	}
	v := int(sum)
	return &v
}

func followUpFigures(ctx context.Context, c db.Conn, a area, today string) (FollowUpFigures, error) {
	var f FollowUpFigures
	cond, args := db.Subtree("v.division_path", a.path)
	rows, err := c.Query(ctx, `SELECT v.program, v.kind, v.status, v.due_on, v.window_days, COALESCE(v.done_on, ''),
		COALESCE(v.lapsed_on, '') FROM health_visits v WHERE v.due_on >= ? AND v.due_on <= ? AND `+cond,
		append([]any{a.from, a.to}, args...)...)
	if err != nil {
		return f, apperr.Wrap(err, "follow-up figures")
	}
	defer rows.Close()
	for rows.Next() {
		var program, kind, status, due, done, lapsed string
		var window int
		if err := rows.Scan(&program, &kind, &status, &due, &window, &done, &lapsed); err != nil {
			return f, apperr.Wrap(err, "scan visit figure")
		}
		p, _ := ProgramOf(program)
		if r, _ := p.Rule(kind); r.DoneBy != "" {
			continue // a due step, not a visit
		}
		f.Due++
		switch Timeliness(status, due, window, done, lapsed, today) {
		case OnTime:
			f.OnTime++
		case Late:
			f.Late++
		case Missed:
			f.Missed++
		case Pending:
			f.Pending++
		case NotDue:
			f.Lapsed++
		}
	}
	f.OnTimeRate = figure.Percent(f.OnTime, f.OnTime+f.Late+f.Missed)
	return f, apperr.Wrap(rows.Err(), "follow-up figures")
}

func screeningFigures(ctx context.Context, c db.Conn, a area) (ScreeningFigures, error) {
	var f ScreeningFigures
	counts := []struct {
		dst   *int
		stage string
		codes []string
	}{
		{&f.Examined, "examined", nil}, {&f.Results, "result", nil}, {&f.Positive, "result", []string{"positive", "suspicious"}},
		{&f.FurtherExams, "further_exam", nil}, {&f.Diagnosed, "diagnosis", nil},
		{&f.NeedTreatment, "diagnosis", treatedDiagnoses}, {&f.Treated, "treatment", nil},
	}
	for _, k := range counts {
		n, err := stepCount(ctx, c, a, Screening, k.stage, k.codes...)
		if err != nil {
			return f, err
		}
		*k.dst = n
	}
	cond, args := db.Subtree("c.division_path", a.path)
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM health_cases c WHERE c.program = ? AND c.status = 'closed'
		AND c.closed_on >= ? AND c.closed_on <= ? AND `+cond, append([]any{Screening, a.from, a.to}, args...)...).Scan(&f.Closed); err != nil {
		return f, apperr.Wrap(err, "closed screenings")
	}
	f.PositiveRate = figure.Percent(f.Positive, f.Examined)
	f.TreatmentRate = figure.Percent(f.Treated, f.NeedTreatment)
	f.ClosureRate = figure.Percent(f.Closed, f.Results)
	return f, nil
}

func procedureFigures(ctx context.Context, c db.Conn, a area) ([]ProcedureFigure, error) {
	out := make([]ProcedureFigure, 0, len(ProcedureTypes))
	for _, t := range ProcedureTypes {
		n, err := stepCount(ctx, c, a, PostOp, "procedure", t.Code)
		if err != nil {
			return nil, err
		}
		out = append(out, ProcedureFigure{Type: t.Code, Name: t.Label, Count: n})
	}
	return out, nil
}

// SetTask records an annual task number for a division below the caller
// (a county sets its townships'; the county's own comes from above and is
// entered by county staff).
func (s *Service) SetTask(ctx context.Context, in TaskInput) error {
	pr := auth.From(ctx)
	if _, ok := ProgramOf(in.Program); !ok || in.Program != PrePreg {
		return apperr.InvalidField("program", "目前只有孕前优生健康检查设年度任务数")
	}
	if in.Year < 2013 || in.Year > time.Now().Year()+1 {
		return apperr.InvalidField("year", fmt.Sprintf("年度应在 2013 到 %d 之间", time.Now().Year()+1))
	}
	if in.Number < 0 || in.Number > 10_000_000 {
		return apperr.InvalidField("number", "任务数应为不小于 0 的整数")
	}
	if pr.Role != auth.RoleCounty && pr.Role != auth.RoleSysadmin {
		return apperr.New(apperr.Forbidden, "年度任务数由县级管理员设置")
	}
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := divisionPath(ctx, tx.Conn, pr, strings.TrimSpace(in.Division)); err != nil {
			return err
		}
		var before sql.NullInt64
		_ = tx.QueryRow(ctx, `SELECT number FROM health_tasks WHERE division_code = ? AND year = ? AND program = ?`,
			in.Division, in.Year, in.Program).Scan(&before)
		if _, err := tx.Exec(ctx, `INSERT INTO health_tasks (division_code, year, program, number, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (division_code, year, program) DO UPDATE SET number = excluded.number,
			version = health_tasks.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			in.Division, in.Year, in.Program, in.Number, db.Now(), pr.Username); err != nil {
			return err
		}
		var prev any
		if before.Valid {
			prev = map[string]any{"number": before.Int64}
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.task_set", Entity: "health_task",
			EntityID: fmt.Sprintf("%s/%d/%s", in.Division, in.Year, in.Program), Before: prev,
			After: map[string]any{"number": in.Number}})
	})
}
