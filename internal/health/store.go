package health

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

type nullString = sql.NullString

// personRow is what services need of a registry person.
type personRow struct {
	ID       int64
	Name     string
	Sex      string
	Birth    string
	Status   string
	IDMask   string
	ResCode  string
	ResPath  string
	RegPath  string
	Village  string
	PhoneMsk string
}

// personScope restricts persons aliased a to pr's subtree: registered or
// living there, as the registry scopes them.
func personScope(a string, pr *auth.Principal) (string, []any) {
	return db.PersonScope(a, pr.DivisionPath)
}

const personCols = `p.id, p.name, p.sex, COALESCE(p.birth_date, ''), p.status, COALESCE(p.id_mask, ''), p.res_division,
	p.res_path, p.reg_path, COALESCE(d.name, ''), COALESCE(p.phone_mask, '')`

func scanPerson(sc interface{ Scan(...any) error }) (personRow, error) {
	var p personRow
	err := sc.Scan(&p.ID, &p.Name, &p.Sex, &p.Birth, &p.Status, &p.IDMask, &p.ResCode, &p.ResPath, &p.RegPath, &p.Village, &p.PhoneMsk)
	return p, err
}

// personInScope reads a person the caller may serve; others are not found.
func personInScope(ctx context.Context, c db.Conn, pr *auth.Principal, id int64, field string) (personRow, error) {
	cond, args := personScope("p", pr)
	p, err := scanPerson(c.QueryRow(ctx, `SELECT `+personCols+` FROM persons p LEFT JOIN divisions d ON d.code = p.res_division
		WHERE p.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		if err == sql.ErrNoRows {
			return p, &apperr.Error{Code: apperr.NotFound, Field: field, Message: "人员不存在"}
		}
		return p, apperr.Wrap(err, "person for health service")
	}
	return p, nil
}

// caseCols are read by scanCase, for cases aliased c with persons p and
// partners q and the village v.
const caseCols = `c.id, c.program, c.person_id, p.name, COALESCE(p.id_mask, ''), c.partner_id, COALESCE(q.name, ''),
	c.division_code, COALESCE(v.name, ''), c.stage, c.status, c.opened_on, COALESCE(c.closed_on, ''), COALESCE(c.reg_no, ''),
	(SELECT MIN(w.planned_on) FROM health_visits w WHERE w.case_id = c.id AND w.status = 'open'),
	c.version, c.created_by, c.division_path`

const caseFrom = `health_cases c JOIN persons p ON p.id = c.person_id LEFT JOIN persons q ON q.id = c.partner_id
	LEFT JOIN divisions v ON v.code = c.division_code`

func scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var partner sql.NullInt64
	var next nullString
	err := sc.Scan(&c.ID, &c.Program, &c.PersonID, &c.Name, &c.IDNumber, &partner, &c.PartnerName, &c.Division, &c.Village,
		&c.Stage, &c.Status, &c.OpenedOn, &c.ClosedOn, &c.RegNo, &next, &c.Version, &c.CreatedBy, &c.path)
	if err != nil {
		return c, err
	}
	if partner.Valid {
		c.PartnerID = &partner.Int64
	}
	c.NextDue = next.String
	labelCase(&c)
	return c, nil
}

func labelCase(c *Case) {
	p, _ := ProgramOf(c.Program)
	c.ProgramName = p.Name
	st, _ := p.Stage(c.Stage)
	c.StageName = st.Name
}

// caseScope restricts cases aliased c to pr's subtree.
func caseScope(pr *auth.Principal) (string, []any) {
	return db.Subtree("c.division_path", pr.DivisionPath)
}

func (s *Service) loadCase(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Case, error) {
	cond, args := caseScope(pr)
	k, err := scanCase(c.QueryRow(ctx, `SELECT `+caseCols+` FROM `+caseFrom+` WHERE c.id = ? AND `+cond,
		append([]any{id}, args...)...))
	return k, db.NotFound(err, "服务个案不存在")
}

// Detail answers a case with its steps, visits and contacts. Reading health
// details is journaled (audit=true) unless the caller just wrote them.
func (s *Service) Detail(ctx context.Context, id int64, journal bool) (CaseDetail, error) {
	pr := auth.From(ctx)
	var d CaseDetail
	read := func(c db.Conn) error {
		var err error
		d, err = s.readDetail(ctx, c, pr, id)
		return err
	}
	if !journal {
		return d, read(s.db.Reader())
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		if err := read(tx.Conn); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.view", Entity: "health_case", EntityID: fmt.Sprint(id)})
	})
	return d, err
}

func (s *Service) readDetail(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (CaseDetail, error) {
	k, err := s.loadCase(ctx, c, pr, id)
	if err != nil {
		return CaseDetail{}, err
	}
	d := CaseDetail{Case: k}
	if d.Place, err = placeName(ctx, c, k.path); err != nil {
		return d, err
	}
	if d.Steps, err = s.steps(ctx, c, k); err != nil {
		return d, err
	}
	d.Visits, err = s.caseVisits(ctx, c, id)
	return d, err
}

func (s *Service) steps(ctx context.Context, c db.Conn, k Case) ([]Step, error) {
	rows, err := c.Query(ctx, `SELECT id, stage, step_date, COALESCE(code, ''), details_enc, recorded_by, created_at
		FROM health_steps WHERE case_id = ? ORDER BY id`, k.ID)
	if err != nil {
		return nil, apperr.Wrap(err, "steps")
	}
	defer rows.Close()
	p, _ := ProgramOf(k.Program)
	out := []Step{}
	for rows.Next() {
		var st Step
		var enc []byte
		if err := rows.Scan(&st.ID, &st.Stage, &st.Date, &st.Code, &enc, &st.RecordedBy, &st.CreatedAt); err != nil {
			return nil, apperr.Wrap(err, "scan step")
		}
		if st.Fields, err = s.decryptFields(enc); err != nil {
			return nil, err
		}
		st.StageName = stageName(p, st.Stage)
		out = append(out, st)
	}
	return out, apperr.Wrap(rows.Err(), "steps")
}

func stageName(p Program, code string) string {
	if code == "reopened" {
		return "重新打开"
	}
	st, _ := p.Stage(code)
	return st.Name
}

func (s *Service) decryptFields(enc []byte) (map[string]any, error) {
	raw, err := s.cipher.Decrypt(fieldDetails, enc)
	if err != nil {
		return nil, apperr.Wrap(err, "decrypt health details")
	}
	out := map[string]any{}
	if raw == "" {
		return out, nil
	}
	return out, apperr.Wrap(json.Unmarshal([]byte(raw), &out), "health details")
}

const visitCols = `v.id, v.case_id, v.program, v.kind, v.seq, v.due_on, v.planned_on, v.window_days, v.status,
	COALESCE(v.done_on, ''), COALESCE(v.method, ''), COALESCE(v.lapsed_on, ''), COALESCE(v.assigned_to, ''), v.version`

func (s *Service) caseVisits(ctx context.Context, c db.Conn, caseID int64) ([]Visit, error) {
	rows, err := c.Query(ctx, `SELECT `+visitCols+` FROM health_visits v WHERE v.case_id = ? ORDER BY v.due_on, v.id`, caseID)
	if err != nil {
		return nil, apperr.Wrap(err, "visits")
	}
	out := []Visit{}
	defer rows.Close()
	for rows.Next() {
		var v Visit
		if err := rows.Scan(&v.ID, &v.CaseID, &v.Program, &v.Kind, &v.Seq, &v.DueOn, &v.PlannedOn, &v.Window, &v.Status,
			&v.DoneOn, &v.Method, &v.LapsedOn, &v.AssignedTo, &v.Version); err != nil {
			return nil, apperr.Wrap(err, "scan visit")
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "visits")
	}
	return out, s.fillVisits(ctx, c, out)
}

// fillVisits adds names, timeliness and contacts to visits.
func (s *Service) fillVisits(ctx context.Context, c db.Conn, vs []Visit) error {
	today := s.today()
	for i := range vs {
		v := &vs[i]
		p, _ := ProgramOf(v.Program)
		r, _ := p.Rule(v.Kind)
		v.KindName, v.ByStep = r.Name, r.DoneBy
		v.Timeliness = Timeliness(v.Status, v.DueOn, v.Window, v.DoneOn, v.LapsedOn, today)
		var err error
		if v.Contacts, err = s.contacts(ctx, c, v.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) contacts(ctx context.Context, c db.Conn, visitID int64) ([]Contact, error) {
	rows, err := c.Query(ctx, `SELECT id, contact_date, method, COALESCE(reason, ''), details_enc, recorded_by, created_at
		FROM health_contacts WHERE visit_id = ? ORDER BY id`, visitID)
	if err != nil {
		return nil, apperr.Wrap(err, "contacts")
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		var k Contact
		var enc []byte
		if err := rows.Scan(&k.ID, &k.Date, &k.Method, &k.Reason, &enc, &k.RecordedBy, &k.CreatedAt); err != nil {
			return nil, apperr.Wrap(err, "scan contact")
		}
		if k.Note, err = s.cipher.Decrypt(fieldDetails, enc); err != nil {
			return nil, apperr.Wrap(err, "decrypt contact note")
		}
		out = append(out, k)
	}
	return out, apperr.Wrap(rows.Err(), "contacts")
}

// ListCases answers a page of cases in the caller's area, without details.
func (s *Service) ListCases(ctx context.Context, f CaseFilter) ([]Case, int, error) {
	pr := auth.From(ctx)
	where, args := caseScope(pr)
	conds := []string{where}
	if f.Division != "" {
		path, err := divisionPath(ctx, s.db.Reader(), pr, f.Division)
		if err != nil {
			return nil, 0, err
		}
		cond, a := db.Subtree("c.division_path", path)
		conds, args = append(conds, cond), append(args, a...)
	}
	if f.Program != "" {
		if _, ok := ProgramOf(f.Program); !ok {
			return nil, 0, apperr.InvalidField("program", "未知的服务项目："+f.Program)
		}
		conds, args = append(conds, "c.program = ?"), append(args, f.Program)
	}
	switch f.Status {
	case "":
	case "open", "closed":
		conds, args = append(conds, "c.status = ?"), append(args, f.Status)
	default:
		return nil, 0, apperr.InvalidField("status", "状态应为 open（进行中）或 closed（已结案）")
	}
	if f.PersonID != 0 {
		conds, args = append(conds, "c.person_id = ?"), append(args, f.PersonID)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		conds, args = append(conds, "(p.name LIKE ? OR c.reg_no = ?)"), append(args, q+"%", q)
	}
	q := `SELECT ` + caseCols + `, COUNT(*) OVER() FROM ` + caseFrom + ` WHERE ` + strings.Join(conds, " AND ") +
		` ORDER BY c.opened_on DESC, c.id DESC LIMIT ? OFFSET ?`
	rows, err := s.db.Reader().Query(ctx, q, append(args, f.Size, (f.Page-1)*f.Size)...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list cases")
	}
	defer rows.Close()
	out, total := []Case{}, 0
	for rows.Next() {
		var c Case
		var partner sql.NullInt64
		var next nullString
		if err := rows.Scan(&c.ID, &c.Program, &c.PersonID, &c.Name, &c.IDNumber, &partner, &c.PartnerName, &c.Division,
			&c.Village, &c.Stage, &c.Status, &c.OpenedOn, &c.ClosedOn, &c.RegNo, &next, &c.Version, &c.CreatedBy, &c.path,
			&total); err != nil {
			return nil, 0, apperr.Wrap(err, "scan case")
		}
		if partner.Valid {
			c.PartnerID = &partner.Int64
		}
		c.NextDue = next.String
		labelCase(&c)
		out = append(out, c)
	}
	return out, total, apperr.Wrap(rows.Err(), "list cases")
}

// divisionPath resolves a division code the caller may look at.
func divisionPath(ctx context.Context, c db.Conn, pr *auth.Principal, code string) (string, error) {
	var path string
	err := c.QueryRow(ctx, `SELECT path FROM divisions WHERE code = ?`, strings.TrimSpace(code)).Scan(&path)
	if err != nil || !pr.Covers(path) {
		if err != nil && err != sql.ErrNoRows {
			return "", apperr.Wrap(err, "division")
		}
		return "", &apperr.Error{Code: apperr.NotFound, Field: "division", Message: "区划不存在或不在您的管辖范围内"}
	}
	return path, nil
}

// placeName joins the names of a village path from the county down.
func placeName(ctx context.Context, c db.Conn, path string) (string, error) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) > 2 {
		parts = parts[2:] // from the county: province and city go without saying
	}
	rows, err := c.Query(ctx, `SELECT name FROM divisions WHERE code IN (`+db.Placeholders(len(parts))+`) ORDER BY level`,
		anySlice(parts)...)
	if err != nil {
		return "", apperr.Wrap(err, "place names")
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", apperr.Wrap(err, "scan place name")
		}
		names = append(names, n)
	}
	return strings.Join(names, " "), apperr.Wrap(rows.Err(), "place names")
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
