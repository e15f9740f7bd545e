package benefit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
	"jisheng/internal/fieldcrypt"
)

func init() {
	audit.RegisterActions(map[string]string{
		"benefit.param_set": "设置待遇参数",
		"benefit.attest":    "登记核实信息",
		"benefit.evaluate":  "资格测算",
	})
}

// Service runs benefit operations, each in one transaction with its audit entry.
type Service struct {
	db      *db.DB
	journal *audit.Journal
	cipher  fieldcrypt.FieldCipher
	now     func() time.Time
}

// NewService returns the benefit service; now may be nil for the real clock.
func NewService(d *db.DB, j *audit.Journal, c fieldcrypt.FieldCipher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, journal: j, cipher: c, now: now}
}

// Today is the service's date in China (the clock it was given).
func (s *Service) Today() string { return s.today() }

func (s *Service) today() string {
	return s.now().In(audit.ChinaTime).Format(time.DateOnly)
}

// knownKeys are the parameter keys a program reads, from the built-in
// layer, plus top-ups, which any program takes.
func knownKeys(program string) []string {
	var out []string
	for _, p := range builtin {
		if p.Program == program && !slices.Contains(out, p.Key) {
			out = append(out, p.Key)
		}
	}
	return append(out, "topup_annual", "topup_monthly")
}

// SetParam adds a layer's version of a parameter. A county officer sets
// their county's layer; province and national layers are set by the
// system's operator. A version already used by a decision is not changed:
// set a new one from a later date.
func (s *Service) SetParam(ctx context.Context, in Param) (Param, error) {
	pr := auth.From(ctx)
	in = trimParam(in)
	if err := checkParam(in); err != nil {
		return in, err
	}
	if !canSetScope(pr, in.Scope) {
		return in, apperr.New(apperr.Forbidden, "只能设置本县（市、区）的参数层")
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var before sql.NullString
		_ = tx.QueryRow(ctx, `SELECT value FROM benefit_params WHERE program = ? AND key = ? AND scope = ? AND valid_from = ?`,
			in.Program, in.Key, in.Scope, in.From).Scan(&before)
		if before.Valid {
			if used, err := versionUsed(ctx, tx.Conn, in); err != nil || used {
				if err == nil {
					err = apperr.New(apperr.Conflict, "该参数版本已用于资格测算，不能修改；请设置一个更晚生效日期的新版本")
				}
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO benefit_params (program, key, scope, valid_from, value, basis, set_by, set_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (program, key, scope, valid_from) DO UPDATE SET value = excluded.value,
			basis = excluded.basis, set_by = excluded.set_by, set_at = excluded.set_at`,
			in.Program, in.Key, in.Scope, in.From, in.Value, in.Basis, pr.Username, db.Now()); err != nil {
			return err
		}
		var prev any
		if before.Valid {
			prev = map[string]any{"value": before.String}
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.param_set", Entity: "benefit_param",
			EntityID: fmt.Sprintf("%s/%s/%s/%s", in.Program, in.Key, in.Scope, in.From), Before: prev, After: in})
	})
	return in, err
}

func trimParam(p Param) Param {
	p.Program, p.Key, p.Scope = strings.TrimSpace(p.Program), strings.TrimSpace(p.Key), strings.TrimSpace(p.Scope)
	p.From, p.Value, p.Basis = strings.TrimSpace(p.From), strings.TrimSpace(p.Value), strings.TrimSpace(p.Basis)
	return p
}

func checkParam(p Param) error {
	if _, ok := ProgramOf(p.Program); !ok {
		return apperr.InvalidField("program", "未知的待遇项目："+p.Program)
	}
	if !slices.Contains(knownKeys(p.Program), p.Key) {
		return apperr.InvalidField("key", fmt.Sprintf("项目 %s 没有参数 %s（可设：%s）", p.Program, p.Key, strings.Join(knownKeys(p.Program), "、")))
	}
	if t, err := time.Parse(time.DateOnly, p.From); err != nil || t.Format(time.DateOnly) != p.From {
		return apperr.InvalidField("from", "生效日期应为有效日期（如 2026-01-01）")
	}
	if err := checkValue(p.Key, p.Value); err != nil {
		return err
	}
	return check.Text("basis", "依据（文件名称、文号）", p.Basis, 200, true)
}

// checkValue checks a value by the shape its key implies: amounts and ages
// are whole non-negative numbers, dates are dates, codes are short text.
func checkValue(key, v string) error {
	switch {
	case strings.Contains(key, "amount") || strings.HasSuffix(key, "_monthly") || strings.HasPrefix(key, "topup_") ||
		strings.HasSuffix(key, "_age") || key == "min_age" || key == "max_age" || key == "objection_days":
		if v == "" || strings.TrimLeft(v, "0123456789") != "" || len(v) > 9 {
			return apperr.InvalidField("value", "金额（分）或年龄应为不小于 0 的整数")
		}
	case key == "min_birth" || key == "start":
		if t, err := time.Parse(time.DateOnly, v); err != nil || t.Format(time.DateOnly) != v {
			return apperr.InvalidField("value", "应为有效日期（如 1933-01-01）")
		}
	}
	return check.Text("value", "参数值", v, 100, false)
}

// canSetScope: county staff set their own county's layer; the operator at
// the command line sets any layer.
func canSetScope(pr *auth.Principal, scope string) bool {
	if pr.DivisionPath == "/" {
		return true
	}
	return pr.Role == auth.RoleCounty && len(scope) == 6 && strings.Contains(pr.DivisionPath, "/"+scope+"/")
}

func versionUsed(ctx context.Context, c db.Conn, p Param) (bool, error) {
	var n int
	needle := fmt.Sprintf("%%%s=%%@%s/%s%%", p.Key, scopeLabel(p.Scope), p.From)
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM benefit_decisions WHERE program = ? AND param_version LIKE ?`,
		p.Program, needle).Scan(&n)
	return n > 0, apperr.Wrap(err, "param used")
}

func scopeLabel(scope string) string {
	if scope == "" {
		return "national"
	}
	return scope
}

// Layers reads the parameter layers set for a program.
func (s *Service) Layers(ctx context.Context, c db.Conn, program string) ([]Param, error) {
	rows, err := c.Query(ctx, `SELECT program, key, scope, valid_from, value, basis FROM benefit_params WHERE program = ?
		ORDER BY key, scope, valid_from`, program)
	if err != nil {
		return nil, apperr.Wrap(err, "param layers")
	}
	defer rows.Close()
	var out []Param
	for rows.Next() {
		var p Param
		if err := rows.Scan(&p.Program, &p.Key, &p.Scope, &p.From, &p.Value, &p.Basis); err != nil {
			return nil, apperr.Wrap(err, "scan param")
		}
		out = append(out, p)
	}
	return out, apperr.Wrap(rows.Err(), "param layers")
}

// EvaluateInput asks for a decision.
type EvaluateInput struct {
	Program  string `json:"program"`
	PersonID int64  `json:"person_id"`
	Date     string `json:"date"` // default today
}

// StoredDecision is a decision as kept.
type StoredDecision struct {
	ID int64 `json:"id"`
	Decision
	DecidedBy string `json:"decided_by"`
	DecidedAt string `json:"decided_at"`
}

// Evaluate applies a program's rules to a person in the caller's area on
// a date and keeps the decision with its reasons and parameter versions.
func (s *Service) Evaluate(ctx context.Context, in EvaluateInput) (StoredDecision, error) {
	pr := auth.From(ctx)
	var out StoredDecision
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if out, _, err = s.decide(ctx, tx, pr, in); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.evaluate", Entity: "person", EntityID: fmt.Sprint(in.PersonID),
			After: map[string]any{"program": out.Program, "date": out.Date, "eligible": out.Eligible, "monthly_fen": out.MonthlyFen,
				"annual_fen": out.AnnualFen, "decision_id": out.ID, "param_version": out.ParamVersion()}})
	})
	return out, err
}

func (s *Service) store(ctx context.Context, tx *db.Tx, d Decision, path string) (StoredDecision, error) {
	reasons, _ := json.Marshal(d.Reasons)
	params, _ := json.Marshal(d.Params)
	now := db.Now()
	user := auth.From(ctx).Username
	eligible := 0
	if d.Eligible {
		eligible = 1
	}
	id, err := tx.InsertID(ctx, `INSERT INTO benefit_decisions (program, person_id, as_of, eligible, subtype, monthly_fen,
		annual_fen, reasons, params, param_version, division_path, decided_by, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.Program, d.PersonID, d.Date, eligible, nullText(d.Subtype),
		d.MonthlyFen, d.AnnualFen, string(reasons), string(params), d.ParamVersion(), path, user, now)
	return StoredDecision{ID: id, Decision: d, DecidedBy: user, DecidedAt: now}, err
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
