package benefit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
)

func init() {
	audit.RegisterActions(map[string]string{
		"benefit.candidate": "新增待遇对象",
		"benefit.review":    "待遇审核",
		"benefit.sweep":     "年度摸底",
	})
}

// Stage is one step of the review, bound to the role and division level
// that decides it. A posting stage (公示) is not decided by a person: it
// ends when its posting's objection window has closed.
type Stage struct {
	Code    string    `json:"code"`
	Name    string    `json:"name"`
	Role    auth.Role `json:"role"`
	Level   int       `json:"level"` // 3 county, 4 township, 5 village
	Posting bool      `json:"posting,omitempty"`
}

// Terminal stages.
const (
	StagePayroll  = "payroll"
	StageRejected = "rejected"
)

// Stages are the review steps in order.
var Stages = []Stage{
	{Code: "village_check", Name: "村级核实", Role: auth.RoleVillage, Level: 5},
	{Code: "village_posting", Name: "村级公示", Role: auth.RoleVillage, Level: 5, Posting: true},
	{Code: "township_review", Name: "乡镇审核", Role: auth.RoleTownship, Level: 4},
	{Code: "county_approval", Name: "县级审批", Role: auth.RoleCounty, Level: 3},
	{Code: "county_posting", Name: "县级公示", Role: auth.RoleCounty, Level: 3, Posting: true},
}

// StageOf returns the stage with code and its position.
func StageOf(code string) (Stage, int, bool) {
	for i, s := range Stages {
		if s.Code == code {
			return s, i, true
		}
	}
	return Stage{}, -1, false
}

// nextStage is the stage after i, or payroll after the last.
func nextStage(i int) string {
	if i+1 < len(Stages) {
		return Stages[i+1].Code
	}
	return StagePayroll
}

// actsAt reports whether pr decides stage st for a candidate of path: the
// stage's role, with pr's own division at the stage's level above the
// candidate. The system operator acts at every stage.
func actsAt(pr *auth.Principal, st Stage, path string) bool {
	if pr.DivisionPath == "/" {
		return true
	}
	depth := strings.Count(pr.DivisionPath, "/") - 1 // "/34/3415/341523/" → 3
	return pr.Role == st.Role && depth == st.Level && pr.Covers(path)
}

// Candidate is a person (or child) under review for a program and year.
type Candidate struct {
	ID          int64    `json:"id"`
	Program     string   `json:"program"`
	ProgramName string   `json:"program_name"`
	Year        int      `json:"year"`
	PersonID    int64    `json:"person_id"`
	Name        string   `json:"name"`
	IDNumber    string   `json:"id_number"` // masked
	Village     string   `json:"village"`
	ApplicantID *int64   `json:"applicant_id,omitempty"`
	PayeeID     int64    `json:"payee_id"`   // the applicant if any, else the person: whom the payroll pays
	PayeeName   string   `json:"payee_name"` // that person's name
	Source      string   `json:"source"`
	Stage       string   `json:"stage"`
	StageName   string   `json:"stage_name"`
	DecisionID  *int64   `json:"decision_id,omitempty"`
	Eligible    bool     `json:"eligible"`
	Failed      []string `json:"failed,omitempty"`
	AnnualFen   int64    `json:"annual_fen"`
	Version     int      `json:"version"`
	path        string
}

// ApplicationInput enters an application an officer received.
type ApplicationInput struct {
	Program     string `json:"program"`
	Year        int    `json:"year"`
	PersonID    int64  `json:"person_id"`
	ApplicantID *int64 `json:"applicant_id,omitempty"` // a parent applying for a child's program
	Date        string `json:"date"`                   // the date eligibility is judged on; default today
	Note        string `json:"note"`
}

// Apply records an application: the rules are run at once and kept with
// the candidate, who starts at the village check whatever the result (the
// village sees why a criterion failed and can attest the missing facts).
func (s *Service) Apply(ctx context.Context, in ApplicationInput) (Candidate, error) {
	pr := auth.From(ctx)
	if err := checkYear(in.Year); err != nil {
		return Candidate{}, err
	}
	if err := check.Text("note", "备注", strings.TrimSpace(in.Note), 500, false); err != nil {
		return Candidate{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		if in.ApplicantID != nil {
			if _, err := personInScope(ctx, tx.Conn, pr, *in.ApplicantID); err != nil {
				return apperr.InvalidField("applicant_id", "申请人不存在或不在您的管辖范围内")
			}
		}
		d, path, err := s.decide(ctx, tx, pr, EvaluateInput{Program: in.Program, PersonID: in.PersonID, Date: in.Date})
		if err != nil {
			return err
		}
		id, err = s.insertCandidate(ctx, tx, in, "application", d, path)
		return err
	})
	if err != nil {
		return Candidate{}, err
	}
	return s.Candidate(ctx, id)
}

func checkYear(y int) error {
	if y < 2004 || y > 2100 {
		return apperr.InvalidField("year", "年度应为 2004 年以后的四位年份")
	}
	return nil
}

// insertCandidate adds the candidate; a second one for the same program,
// year and person is refused, naming the first.
func (s *Service) insertCandidate(ctx context.Context, tx *db.Tx, in ApplicationInput, source string, d StoredDecision, path string) (int64, error) {
	var existing int64
	err := tx.QueryRow(ctx, `SELECT id FROM benefit_candidates WHERE program = ? AND year = ? AND person_id = ?`,
		in.Program, in.Year, in.PersonID).Scan(&existing)
	if err == nil {
		return existing, apperr.New(apperr.Conflict, fmt.Sprintf("此人已是 %d 年该项目的待遇对象（编号 %d），不能重复登记", in.Year, existing))
	}
	if err != sql.ErrNoRows {
		return 0, apperr.Wrap(err, "existing candidate")
	}
	now, user := db.Now(), auth.From(ctx).Username
	id, err := tx.InsertID(ctx, `INSERT INTO benefit_candidates (program, year, person_id, applicant_id, source, division_path,
		stage, decision_id, annual_fen, note, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Program, in.Year, in.PersonID, in.ApplicantID, source, path, Stages[0].Code, d.ID, d.AnnualFen,
		strings.TrimSpace(in.Note), now, user, now)
	if err != nil {
		if db.IsUniqueViolation(err) {
			return 0, apperr.New(apperr.Conflict, fmt.Sprintf("此人已是 %d 年该项目的待遇对象，不能重复登记", in.Year))
		}
		return 0, err
	}
	return id, s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.candidate", Entity: "benefit_candidate",
		EntityID: fmt.Sprint(id), After: map[string]any{"program": in.Program, "year": in.Year, "person_id": in.PersonID,
			"source": source, "eligible": d.Eligible, "annual_fen": d.AnnualFen, "decision_id": d.ID}})
}

// ReviewInput is a decision at a stage.
type ReviewInput struct {
	Action  string `json:"action"` // approve, reject, return
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// Review decides a candidate at its current stage. Approving passes it to
// the next stage (a candidate the rules found ineligible cannot be
// approved: the missing facts are attested and the rules run again with
// action "recheck"); rejecting needs a reason; returning sends it back one
// stage with a reason. Posting stages are not decided here.
func (s *Service) Review(ctx context.Context, id int64, in ReviewInput) (Candidate, error) {
	pr := auth.From(ctx)
	in.Action, in.Reason = strings.TrimSpace(in.Action), strings.TrimSpace(in.Reason)
	if err := check.Text("reason", "理由", in.Reason, 500, in.Action == "reject" || in.Action == "return"); err != nil {
		return Candidate{}, err
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		c, err := s.loadCandidate(ctx, tx.Conn, pr, id)
		if err != nil {
			return err
		}
		if c.Version != in.Version {
			return apperr.New(apperr.Conflict, "该对象已被他人处理，请刷新后重试")
		}
		st, i, ok := StageOf(c.Stage)
		if !ok {
			return apperr.New(apperr.Conflict, "该对象已审核完毕（"+stageName(c.Stage)+"）")
		}
		if !actsAt(pr, st, c.path) {
			return apperr.New(apperr.Forbidden, "“"+st.Name+"”由"+st.Role.Name()+"办理")
		}
		to, err := s.reviewTarget(ctx, tx, pr, c, st, i, in)
		if err != nil {
			return err
		}
		return s.moveCandidate(ctx, tx, pr, c, st, in.Action, to, in.Reason)
	})
	if err != nil {
		return Candidate{}, err
	}
	return s.Candidate(ctx, id)
}

// reviewTarget is the stage an action leads to, after its checks.
func (s *Service) reviewTarget(ctx context.Context, tx *db.Tx, pr *auth.Principal, c Candidate, st Stage, i int, in ReviewInput) (string, error) {
	switch in.Action {
	case "approve":
		if st.Posting {
			return "", apperr.New(apperr.Conflict, "公示阶段在公示期满且无成立的异议后自动进入下一环节，不能人工审批")
		}
		if !c.Eligible {
			return "", apperr.New(apperr.Conflict, "资格测算未通过（"+strings.Join(c.Failed, "；")+"），请核实补充信息后重新测算，或驳回")
		}
		return nextStage(i), nil
	case "reject":
		return StageRejected, nil
	case "return":
		if i == 0 {
			return "", apperr.InvalidField("action", "已是第一个环节，无法退回")
		}
		back := i - 1
		if Stages[back].Posting { // back past the posting to the check before it
			back--
		}
		return Stages[back].Code, nil
	case "recheck":
		d, _, err := s.decide(ctx, tx, pr, EvaluateInput{Program: c.Program, PersonID: c.PersonID})
		if err != nil {
			return "", err
		}
		_, err = tx.Exec(ctx, `UPDATE benefit_candidates SET decision_id = ?, annual_fen = ? WHERE id = ?`, d.ID, d.AnnualFen, c.ID)
		return c.Stage, err
	}
	return "", apperr.InvalidField("action", "操作应为 approve（通过）、reject（驳回）、return（退回）或 recheck（重新测算）")
}

func (s *Service) moveCandidate(ctx context.Context, tx *db.Tx, pr *auth.Principal, c Candidate, st Stage, action, to, reason string) error {
	now := db.Now()
	if _, err := tx.Exec(ctx, `UPDATE benefit_candidates SET stage = ?, version = version + 1, updated_at = ? WHERE id = ?`,
		to, now, c.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO benefit_reviews (candidate_id, stage, action, to_stage, reason, by_user, by_role,
		by_division, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, st.Code, action, to, reason, pr.Username, string(pr.Role),
		pr.DivisionCode, now); err != nil {
		return err
	}
	return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.review", Entity: "benefit_candidate", EntityID: fmt.Sprint(c.ID),
		Before: map[string]any{"stage": c.Stage}, After: map[string]any{"stage": to, "action": action}, Remark: reason})
}

func stageName(code string) string {
	switch code {
	case StagePayroll:
		return "待发放"
	case StageRejected:
		return "已驳回"
	}
	st, _, _ := StageOf(code)
	return st.Name
}

// decide runs the rules for a person in pr's area and stores the decision.
func (s *Service) decide(ctx context.Context, tx *db.Tx, pr *auth.Principal, in EvaluateInput) (StoredDecision, string, error) {
	if _, ok := ProgramOf(in.Program); !ok {
		return StoredDecision{}, "", apperr.InvalidField("program", "未知的待遇项目："+in.Program)
	}
	date := strings.TrimSpace(in.Date)
	if date == "" {
		date = s.today()
	}
	if !isDate(date) {
		return StoredDecision{}, "", apperr.InvalidField("date", "测算日期应为有效日期（如 2026-01-01）")
	}
	f, path, err := LoadFacts(ctx, tx.Conn, pr, in.PersonID)
	if err != nil {
		return StoredDecision{}, "", err
	}
	layers, err := s.Layers(ctx, tx.Conn, in.Program)
	if err != nil {
		return StoredDecision{}, "", err
	}
	d, _ := Evaluate(in.Program, f, date, layers)
	out, err := s.store(ctx, tx, d, path)
	return out, path, err
}
