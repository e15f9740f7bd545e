package benefit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

const candidateCols = `c.id, c.program, c.year, c.person_id, p.name, COALESCE(p.id_mask, ''), COALESCE(v.name, ''), c.applicant_id,
	c.source, c.stage, c.decision_id, COALESCE(d.eligible, 0), COALESCE(d.reasons, '[]'), c.annual_fen, c.version, c.division_path,
	COALESCE(a.name, p.name)`

// candidateFrom joins the applicant (a), to whom a child's benefit is paid.
const candidateFrom = `benefit_candidates c JOIN persons p ON p.id = c.person_id
	LEFT JOIN divisions v ON v.code = p.reg_division LEFT JOIN benefit_decisions d ON d.id = c.decision_id
	LEFT JOIN persons a ON a.id = c.applicant_id`

func scanCandidate(sc interface{ Scan(...any) error }, extra ...any) (Candidate, error) {
	var c Candidate
	var applicant, decision sql.NullInt64
	var eligible int
	var reasons string
	dest := append([]any{&c.ID, &c.Program, &c.Year, &c.PersonID, &c.Name, &c.IDNumber, &c.Village, &applicant, &c.Source,
		&c.Stage, &decision, &eligible, &reasons, &c.AnnualFen, &c.Version, &c.path, &c.PayeeName}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return c, err
	}
	c.PayeeID = c.PersonID
	if applicant.Valid {
		c.ApplicantID = &applicant.Int64
		c.PayeeID = applicant.Int64
	}
	if decision.Valid {
		c.DecisionID = &decision.Int64
	}
	c.Eligible = eligible == 1
	var rs []Reason
	if err := json.Unmarshal([]byte(reasons), &rs); err != nil {
		return c, apperr.Wrap(err, "candidate reasons")
	}
	for _, r := range rs {
		if !r.Passed {
			c.Failed = append(c.Failed, r.Label)
		}
	}
	prog, _ := ProgramOf(c.Program)
	c.ProgramName, c.StageName = prog.Name, stageName(c.Stage)
	return c, nil
}

func (s *Service) loadCandidate(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Candidate, error) {
	cond, args := db.Subtree("c.division_path", pr.DivisionPath)
	k, err := scanCandidate(c.QueryRow(ctx, `SELECT `+candidateCols+` FROM `+candidateFrom+` WHERE c.id = ? AND `+cond,
		append([]any{id}, args...)...))
	return k, db.NotFound(err, "待遇对象不存在")
}

// Candidate answers one candidate in the caller's area.
func (s *Service) Candidate(ctx context.Context, id int64) (Candidate, error) {
	return s.loadCandidate(ctx, s.db.Reader(), auth.From(ctx), id)
}

// maxQuery is the longest name search: a name is rarely over 20 characters.
const maxQuery = 20

// escapeLike makes the wildcards of a LIKE pattern literal (ESCAPE '\').
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// QueueFilter selects candidates.
type QueueFilter struct {
	Program  string
	Year     int
	Stage    string
	Division string
	Query    string // part of the person's name
	Mine     bool   // only the stage the caller decides
	Page     int
	Size     int
}

// Queue answers a page of candidates in the caller's area: with Mine, only
// those at the stages the caller decides (a review queue).
func (s *Service) Queue(ctx context.Context, f QueueFilter) ([]Candidate, int, error) {
	pr := auth.From(ctx)
	cond, args := db.Subtree("c.division_path", pr.DivisionPath)
	conds := []string{cond}
	if f.Program != "" {
		conds, args = append(conds, "c.program = ?"), append(args, f.Program)
	}
	if f.Year != 0 {
		conds, args = append(conds, "c.year = ?"), append(args, f.Year)
	}
	if f.Stage != "" {
		if _, _, ok := StageOf(f.Stage); !ok && f.Stage != StagePayroll && f.Stage != StageRejected {
			return nil, 0, apperr.InvalidField("stage", "未知的环节："+f.Stage)
		}
		conds, args = append(conds, "c.stage = ?"), append(args, f.Stage)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if utf8.RuneCountInString(q) > maxQuery {
			return nil, 0, apperr.InvalidField("q", fmt.Sprintf("姓名查询条件不能超过 %d 个字", maxQuery))
		}
		// persons.name is plain text (0001_foundation.sql), so a substring
		// match needs no blind index; the area and the other filters keep
		// the scan to the candidates of one program and year.
		conds, args = append(conds, `p.name LIKE ? ESCAPE '\'`), append(args, "%"+escapeLike(q)+"%")
	}
	if f.Mine {
		var mine []string
		for _, st := range Stages {
			if st.Role == pr.Role && strings.Count(pr.DivisionPath, "/")-1 == st.Level && !st.Posting {
				mine = append(mine, st.Code)
			}
		}
		if len(mine) == 0 {
			return []Candidate{}, 0, nil
		}
		conds = append(conds, "c.stage IN ("+db.Placeholders(len(mine))+")")
		for _, m := range mine {
			args = append(args, m)
		}
	}
	if f.Division != "" {
		var path string
		if err := s.db.Reader().QueryRow(ctx, `SELECT path FROM divisions WHERE code = ?`, f.Division).Scan(&path); err != nil || !pr.Covers(path) {
			return nil, 0, &apperr.Error{Code: apperr.NotFound, Field: "division", Message: "区划不存在或不在您的管辖范围内"}
		}
		dc, da := db.Subtree("c.division_path", path)
		conds, args = append(conds, dc), append(args, da...)
	}
	rows, err := s.db.Reader().Query(ctx, `SELECT `+candidateCols+`, COUNT(*) OVER() FROM `+candidateFrom+` WHERE `+
		strings.Join(conds, " AND ")+` ORDER BY c.division_path, c.id LIMIT ? OFFSET ?`, append(args, f.Size, (f.Page-1)*f.Size)...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "candidate queue")
	}
	defer rows.Close()
	out, total := []Candidate{}, 0
	for rows.Next() {
		c, err := scanCandidate(rows, &total)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "scan candidate")
		}
		out = append(out, c)
	}
	return out, total, apperr.Wrap(rows.Err(), "candidate queue")
}

// Review is one decision in a candidate's history.
type Review struct {
	Stage     string `json:"stage"`
	StageName string `json:"stage_name"`
	Action    string `json:"action"`
	ToStage   string `json:"to_stage"`
	Reason    string `json:"reason"`
	By        string `json:"by"`
	Role      string `json:"role"`
	At        string `json:"at"`
}

// Reviews answers a candidate's review history, oldest first.
func (s *Service) Reviews(ctx context.Context, id int64) ([]Review, error) {
	if _, err := s.Candidate(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader().Query(ctx, `SELECT stage, action, to_stage, reason, by_user, by_role, at FROM benefit_reviews
		WHERE candidate_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, apperr.Wrap(err, "reviews")
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		var r Review
		if err := rows.Scan(&r.Stage, &r.Action, &r.ToStage, &r.Reason, &r.By, &r.Role, &r.At); err != nil {
			return nil, apperr.Wrap(err, "scan review")
		}
		r.StageName = stageName(r.Stage)
		out = append(out, r)
	}
	return out, apperr.Wrap(rows.Err(), "reviews")
}

// StoredDecisionOf answers a stored decision about a person in the caller's area.
func (s *Service) StoredDecisionOf(ctx context.Context, id int64) (StoredDecision, error) {
	pr := auth.From(ctx)
	cond, args := db.Subtree("division_path", pr.DivisionPath)
	var d StoredDecision
	var eligible int
	var subtype sql.NullString
	var reasons, params string
	err := s.db.Reader().QueryRow(ctx, `SELECT id, program, person_id, as_of, eligible, subtype, monthly_fen, annual_fen, reasons,
		params, decided_by, decided_at FROM benefit_decisions WHERE id = ? AND `+cond, append([]any{id}, args...)...).
		Scan(&d.ID, &d.Program, &d.PersonID, &d.Date, &eligible, &subtype, &d.MonthlyFen, &d.AnnualFen, &reasons, &params,
			&d.DecidedBy, &d.DecidedAt)
	if err != nil {
		return d, db.NotFound(err, "测算结果不存在")
	}
	d.Eligible, d.Subtype = eligible == 1, subtype.String
	if err := json.Unmarshal([]byte(reasons), &d.Reasons); err != nil {
		return d, apperr.Wrap(err, "decision reasons")
	}
	return d, apperr.Wrap(json.Unmarshal([]byte(params), &d.Params), "decision params")
}
