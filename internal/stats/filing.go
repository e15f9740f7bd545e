package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/period"
)

func init() {
	audit.RegisterActions(map[string]string{
		"stats.generate": "生成统计报表",
		"stats.review":   "审核统计报表",
		"stats.submit":   "上报统计报表",
		"stats.return":   "退回统计报表",
		"stats.accept":   "接收统计报表",
	})
}

// Filing statuses.
const (
	Draft     = "draft"
	Reviewed  = "reviewed"
	Submitted = "submitted"
	Returned  = "returned"
	Accepted  = "accepted"
)

// statusNames are the statuses as officers read them.
var statusNames = map[string]string{Draft: "已生成", Reviewed: "已审核", Submitted: "已上报", Returned: "已退回",
	Accepted: "已接收", "": "未生成"}

// Filing is a period report of one division on its way upward.
type Filing struct {
	ID          int64  `json:"id"`
	Division    string `json:"division"`
	Name        string `json:"division_name"`
	Period      string `json:"period"`
	PeriodLabel string `json:"period_label"`
	DueOn       string `json:"due_on"`
	Status      string `json:"status"`
	StatusName  string `json:"status_name"`
	Version     int    `json:"version"`
	GeneratedAt string `json:"generated_at"`
	GeneratedBy string `json:"generated_by"`
	SubmittedAt string `json:"submitted_at,omitempty"`
	SubmittedBy string `json:"submitted_by,omitempty"`
	DecidedAt   string `json:"decided_at,omitempty"`
	DecidedBy   string `json:"decided_by,omitempty"`
	Remark      string `json:"remark,omitempty"`
	Late        bool   `json:"late"`   // submitted after the due date, or not yet and the date has passed
	Parent      string `json:"parent"` // the division that accepts it
	// Actions are what the caller may do now: generate, review, submit
	// (the division itself), return, accept (the division above).
	Actions []string `json:"actions"`
	Report  *Report  `json:"report,omitempty"`
	Steps   []Step   `json:"steps,omitempty"`
	path    string
}

// Step is one action on a filing.
type Step struct {
	Action  string `json:"action"`
	Version int    `json:"version"`
	Remark  string `json:"remark,omitempty"`
	By      string `json:"by"`
	At      string `json:"at"`
}

// FilingInput asks to generate the report of the caller's own division.
type FilingInput struct {
	Period string `json:"period"`
}

// ActInput is an action on a filing: review, submit, return (with a
// reason) or accept, at the version the officer saw.
type ActInput struct {
	Action  string `json:"action"`
	Remark  string `json:"remark"`
	Version int    `json:"version"`
}

// Generate computes the report of the caller's own division for a period
// that has ended and keeps it as the filing's snapshot. A report not yet
// submitted (or returned) is generated again; a submitted or accepted one
// is not.
func (s *Service) Generate(ctx context.Context, in FilingInput) (Filing, error) {
	pr := auth.From(ctx)
	p, err := period.Parse(in.Period)
	if err != nil {
		return Filing{}, err
	}
	today := s.today()
	if p.To >= today {
		return Filing{}, apperr.InvalidField("period", "报告期尚未结束（截至 "+p.To+"），结束后才能生成报表")
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		d, err := division.Get(ctx, tx.Conn, pr.DivisionCode)
		if err != nil {
			return apperr.New(apperr.Forbidden, "只有乡镇、村（居）或县的专干可以生成本级报表")
		}
		rep, err := compute(ctx, tx.Conn, d, p, today, nil, "")
		if err != nil {
			return err
		}
		snap, err := json.Marshal(rep)
		if err != nil {
			return apperr.Wrap(err, "snapshot")
		}
		old, found, err := filingOf(ctx, tx.Conn, "r.division_code = ? AND r.period = ?", d.Code, p.Code)
		if err != nil {
			return err
		}
		now := db.FormatTime(s.now())
		version := 1
		if !found {
			id, err = tx.InsertID(ctx, `INSERT INTO stat_reports (division_code, division_path, period, period_from, period_to,
				due_on, status, snapshot, generated_at, generated_by) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)`,
				d.Code, d.Path, p.Code, p.From, p.To, p.Due(), string(snap), now, pr.Username)
			if err != nil {
				return err
			}
		} else {
			if old.Status == Submitted || old.Status == Accepted {
				return apperr.New(apperr.Conflict, "该报表"+statusNames[old.Status]+"，不能重新生成")
			}
			id, version = old.ID, old.Version+1
			// The earlier round (its submission and return) stays in the steps.
			if _, err := tx.Exec(ctx, `UPDATE stat_reports SET status = 'draft', snapshot = ?, version = ?, generated_at = ?,
				generated_by = ?, submitted_at = NULL, submitted_by = NULL, decided_at = NULL, decided_by = NULL,
				remark = '' WHERE id = ?`, string(snap), version, now, pr.Username, id); err != nil {
				return err
			}
		}
		if err := addStep(ctx, tx, id, "generate", version, "", pr.Username, now); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "stats.generate", Entity: "stat_report", EntityID: fmt.Sprint(id),
			After: map[string]any{"division": d.Code, "period": p.Code, "version": version}})
	})
	if err != nil {
		return Filing{}, err
	}
	return s.Filing(ctx, id)
}

func addStep(ctx context.Context, tx *db.Tx, id int64, action string, version int, remark, by, at string) error {
	_, err := tx.Exec(ctx, `INSERT INTO stat_report_steps (report_id, action, version, remark, acted_by, acted_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, action, version, remark, by, at)
	return err
}

// transitions says, for each action, the statuses it starts from, the one
// it leaves, and who may take it: the filing unit itself or the level above.
var transitions = map[string]struct {
	from  []string
	to    string
	above bool
}{
	"review": {[]string{Draft}, Reviewed, false},
	"submit": {[]string{Reviewed}, Submitted, false},
	"return": {[]string{Submitted}, Returned, true},
	"accept": {[]string{Submitted}, Accepted, true},
}

// Act moves a filing on: the filing unit reviews and submits its report,
// the level directly above returns it with a reason or accepts it.
func (s *Service) Act(ctx context.Context, id int64, in ActInput) (Filing, error) {
	pr := auth.From(ctx)
	t, ok := transitions[in.Action]
	if !ok {
		return Filing{}, apperr.InvalidField("action", "操作应为 review（审核）、submit（上报）、return（退回）或 accept（接收）")
	}
	in.Remark = strings.TrimSpace(in.Remark)
	if err := check.Text("remark", "退回理由", in.Remark, 500, in.Action == "return"); err != nil {
		return Filing{}, err
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		f, found, err := filingOf(ctx, tx.Conn, "r.id = ?", id)
		if err != nil {
			return err
		}
		if !found || !inArea(pr, f.path) {
			return apperr.NotFoundf("报表不存在")
		}
		if err := mayAct(ctx, tx.Conn, pr, f, t.above); err != nil {
			return err
		}
		if f.Version != in.Version {
			return apperr.New(apperr.Conflict, "报表已被他人处理或重新生成，请刷新后重试")
		}
		if !contains(t.from, f.Status) {
			return apperr.New(apperr.Conflict, "报表当前"+statusNames[f.Status]+"，不能"+actionNames[in.Action])
		}
		now := db.FormatTime(s.now())
		q := `UPDATE stat_reports SET status = ?, remark = ?, version = version + 1`
		args := []any{t.to, in.Remark}
		if t.above {
			q += `, decided_at = ?, decided_by = ?`
		} else if in.Action == "submit" {
			q += `, submitted_at = ?, submitted_by = ?`
		}
		if t.above || in.Action == "submit" {
			args = append(args, now, pr.Username)
		}
		res, err := tx.Exec(ctx, q+` WHERE id = ? AND version = ?`, append(args, id, f.Version)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "报表已被他人处理，请刷新后重试")
		}
		if err := addStep(ctx, tx, id, in.Action, f.Version+1, in.Remark, pr.Username, now); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "stats." + in.Action, Entity: "stat_report", EntityID: fmt.Sprint(id),
			Before: map[string]any{"status": f.Status}, After: map[string]any{"status": t.to}, Remark: in.Remark})
	})
	if err != nil {
		return Filing{}, err
	}
	return s.Filing(ctx, id)
}

// actionsFor lists what the caller may do with a filing now.
func actionsFor(pr *auth.Principal, f Filing) []string {
	out := []string{}
	if !pr.Can(auth.PermStatsFile) {
		return out
	}
	own := pr.DivisionCode == f.Division
	above := f.Parent != "" && pr.DivisionCode == f.Parent
	if own && f.Status != Submitted && f.Status != Accepted {
		out = append(out, "generate")
	}
	for _, a := range []string{"review", "submit", "return", "accept"} {
		t := transitions[a]
		if contains(t.from, f.Status) && (t.above && above || !t.above && own) {
			out = append(out, a)
		}
	}
	return out
}

var actionNames = map[string]string{"review": "审核", "submit": "上报", "return": "退回", "accept": "接收"}

// mayAct checks the caller is the filing unit (above false) or the
// division directly above it (above true).
func mayAct(ctx context.Context, c db.Conn, pr *auth.Principal, f Filing, above bool) error {
	if !above {
		if pr.DivisionCode != f.Division {
			return apperr.New(apperr.Forbidden, "只有本级专干可以审核和上报本级报表")
		}
		return nil
	}
	d, err := division.Get(ctx, c, f.Division)
	if err != nil {
		return err
	}
	if d.ParentCode == "" || pr.DivisionCode != d.ParentCode {
		return apperr.New(apperr.Forbidden, "只有上一级可以退回或接收报表")
	}
	return nil
}

// inArea says a division path lies in the caller's subtree.
func inArea(pr *auth.Principal, path string) bool {
	lo, _ := db.SubtreeRange(pr.DivisionPath)
	return strings.HasPrefix(path, lo)
}

const filingColumns = `r.id, r.division_code, COALESCE(d.name, ''), r.division_path, r.period, r.due_on, r.status, r.version,
	r.generated_at, r.generated_by, COALESCE(r.submitted_at, ''), COALESCE(r.submitted_by, ''), COALESCE(r.decided_at, ''),
	COALESCE(r.decided_by, ''), r.remark`

func scanFiling(sc interface{ Scan(...any) error }) (Filing, error) {
	var f Filing
	err := sc.Scan(&f.ID, &f.Division, &f.Name, &f.path, &f.Period, &f.DueOn, &f.Status, &f.Version, &f.GeneratedAt,
		&f.GeneratedBy, &f.SubmittedAt, &f.SubmittedBy, &f.DecidedAt, &f.DecidedBy, &f.Remark)
	if err != nil {
		return f, err
	}
	f.StatusName = statusNames[f.Status]
	if p, err := period.Parse(f.Period); err == nil {
		f.PeriodLabel = p.Label
	}
	return f, nil
}

func filingOf(ctx context.Context, c db.Conn, where string, args ...any) (Filing, bool, error) {
	f, err := scanFiling(c.QueryRow(ctx, `SELECT `+filingColumns+` FROM stat_reports r
		LEFT JOIN divisions d ON d.code = r.division_code WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	return f, err == nil, apperr.Wrap(err, "stat report")
}

// Filing reads a filing of the caller's area with its snapshot and steps.
func (s *Service) Filing(ctx context.Context, id int64) (Filing, error) {
	pr := auth.From(ctx)
	var f Filing
	err := s.db.ReadTx(ctx, func(tx *db.Tx) error {
		var found bool
		var err error
		f, found, err = filingOf(ctx, tx.Conn, "r.id = ?", id)
		if err != nil {
			return err
		}
		if !found || !inArea(pr, f.path) {
			return apperr.NotFoundf("报表不存在")
		}
		var snap string
		if err := tx.QueryRow(ctx, `SELECT snapshot FROM stat_reports WHERE id = ?`, id).Scan(&snap); err != nil {
			return apperr.Wrap(err, "snapshot")
		}
		f.Report = &Report{}
		if err := json.Unmarshal([]byte(snap), f.Report); err != nil {
			return apperr.Wrap(err, "snapshot")
		}
		f.Late = late(f, s.today())
		d, err := division.Get(ctx, tx.Conn, f.Division)
		if err != nil {
			return err
		}
		f.Parent = d.ParentCode
		f.Actions = actionsFor(pr, f)
		f.Steps, err = stepsOf(ctx, tx.Conn, id)
		return err
	})
	return f, err
}

// late says a filing missed its due date: submitted after it, or still
// not submitted when it has passed. A returned report counts by its first
// submission no more: it must be filed again.
func late(f Filing, today string) bool {
	if f.Status == Submitted || f.Status == Accepted {
		return f.SubmittedAt != "" && chinaDate(f.SubmittedAt) > f.DueOn
	}
	return today > f.DueOn
}

// chinaDate is the day in China of a stored instant.
func chinaDate(stamp string) string {
	t, err := db.ParseTime(stamp)
	if err != nil {
		return stamp
	}
	return t.In(audit.ChinaTime).Format(time.DateOnly)
}

func stepsOf(ctx context.Context, c db.Conn, id int64) ([]Step, error) {
	rows, err := c.Query(ctx, `SELECT action, version, remark, acted_by, acted_at FROM stat_report_steps WHERE report_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, apperr.Wrap(err, "report steps")
	}
	defer rows.Close()
	out := []Step{}
	for rows.Next() {
		var st Step
		if err := rows.Scan(&st.Action, &st.Version, &st.Remark, &st.By, &st.At); err != nil {
			return nil, apperr.Wrap(err, "scan step")
		}
		out = append(out, st)
	}
	return out, apperr.Wrap(rows.Err(), "report steps")
}

// Difference is a figure that changed since a report was generated.
type Difference struct {
	Indicator string `json:"indicator"`
	Name      string `json:"name"`
	Division  string `json:"division"` // "" for the report's own total
	Filed     Figure `json:"filed"`
	Now       Figure `json:"now"`
}

// Differences recomputes a filing's report from today's records and lists
// every figure that no longer matches the snapshot, which stays as filed.
func (s *Service) Differences(ctx context.Context, id int64) ([]Difference, error) {
	f, err := s.Filing(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := period.Parse(f.Period)
	if err != nil {
		return nil, err
	}
	var now Report
	err = s.db.ReadTx(ctx, func(tx *db.Tx) error {
		d, err := division.Get(ctx, tx.Conn, f.Division)
		if err != nil {
			return err
		}
		codes := make([]string, len(f.Report.Rows))
		for i, r := range f.Report.Rows {
			codes[i] = r.Code
		}
		now, err = compute(ctx, tx.Conn, d, p, s.today(), codes, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return diffReports(*f.Report, now), nil
}

func diffReports(filed, now Report) []Difference {
	out := []Difference{}
	current := map[string]Row{}
	for _, r := range now.Rows {
		current[r.Code] = r
	}
	for _, r := range filed.Rows {
		c := current[r.Code]
		if !sameFigure(r.Figure, c.Figure) {
			out = append(out, Difference{Indicator: r.Code, Name: r.Name, Filed: r.Figure, Now: c.Figure})
		}
		kids := map[string]Figure{}
		for _, k := range c.Children {
			kids[k.Division] = k.Figure
		}
		for _, k := range r.Children {
			if !sameFigure(k.Figure, kids[k.Division]) {
				out = append(out, Difference{Indicator: r.Code, Name: r.Name, Division: k.Division, Filed: k.Figure, Now: kids[k.Division]})
			}
		}
	}
	return out
}

func sameFigure(a, b Figure) bool {
	eq := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	fe := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Num == b.Num && eq(a.Den, b.Den) && fe(a.Value, b.Value)
}

// BoardLine is one division's filing for a period on the status board.
type BoardLine struct {
	Division    string `json:"division"`
	Name        string `json:"name"`
	ID          int64  `json:"id,omitempty"`
	Status      string `json:"status"`
	StatusName  string `json:"status_name"`
	DueOn       string `json:"due_on"`
	Late        bool   `json:"late"`
	SubmittedAt string `json:"submitted_at,omitempty"`
}

// Board is who has filed a period: the division itself and each division
// directly below it.
type Board struct {
	Period   period.Period `json:"period"`
	Own      BoardLine     `json:"own"`
	Children []BoardLine   `json:"children"`
	Filed    int           `json:"filed"` // submitted or accepted children
}

// Board lists the filing status of a division in the caller's area and of
// its children for a period.
func (s *Service) Board(ctx context.Context, code, periodCode string) (Board, error) {
	pr := auth.From(ctx)
	p, err := period.Parse(periodCode)
	if err != nil {
		return Board{}, err
	}
	out := Board{Period: p, Children: []BoardLine{}}
	today := s.today()
	err = s.db.ReadTx(ctx, func(tx *db.Tx) error {
		d, err := divisionIn(ctx, tx.Conn, pr, code)
		if err != nil {
			return err
		}
		line := func(div division.Division) (BoardLine, error) {
			b := BoardLine{Division: div.Code, Name: div.Name, DueOn: p.Due()}
			f, found, err := filingOf(ctx, tx.Conn, "r.division_code = ? AND r.period = ?", div.Code, p.Code)
			if err != nil {
				return b, err
			}
			if found {
				b.ID, b.Status, b.SubmittedAt, b.DueOn = f.ID, f.Status, f.SubmittedAt, f.DueOn
				b.Late = late(f, today)
			} else {
				b.Late = today > b.DueOn
			}
			b.StatusName = statusNames[b.Status]
			return b, nil
		}
		if out.Own, err = line(d); err != nil {
			return err
		}
		kids, err := division.Children(ctx, tx.Conn, d.Code)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if k.ValidTo != "" && k.ValidTo <= p.From {
				continue
			}
			b, err := line(k)
			if err != nil {
				return err
			}
			if b.Status == Submitted || b.Status == Accepted {
				out.Filed++
			}
			out.Children = append(out.Children, b)
		}
		return nil
	})
	return out, err
}

// Waiting lists the reports the divisions directly below the caller have
// submitted and the caller has yet to return or accept, oldest due first.
func (s *Service) Waiting(ctx context.Context) ([]Filing, error) {
	pr := auth.From(ctx)
	rows, err := s.db.Reader().Query(ctx, `SELECT `+filingColumns+` FROM stat_reports r
		JOIN divisions d ON d.code = r.division_code WHERE d.parent_code = ? AND r.status = 'submitted'
		ORDER BY r.due_on, r.division_code`, pr.DivisionCode)
	if err != nil {
		return nil, apperr.Wrap(err, "waiting reports")
	}
	defer rows.Close()
	out := []Filing{}
	today := s.today()
	for rows.Next() {
		f, err := scanFiling(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan waiting report")
		}
		f.Late, f.Parent, f.Actions = late(f, today), pr.DivisionCode, []string{}
		if pr.Can(auth.PermStatsFile) {
			f.Actions = []string{"return", "accept"}
		}
		out = append(out, f)
	}
	return out, apperr.Wrap(rows.Err(), "waiting reports")
}
