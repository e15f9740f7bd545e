package benefit

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
)

func init() {
	audit.RegisterActions(map[string]string{
		"benefit.payee": "更换领取人",
	})
}

// PayeeInput changes whom a candidate's benefit is paid to.
type PayeeInput struct {
	PayeeID int64  `json:"payee_id"`
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// PayeeAnswer is the candidate after the change, with what the change
// leaves as it was.
type PayeeAnswer struct {
	Candidate
	// LinesKept counts the payroll lines already generated for the
	// candidate: they keep the payee and account they were generated with.
	LinesKept int      `json:"lines_kept"`
	Warnings  []string `json:"warnings"`
}

// ChangePayee changes the payee of a candidate in the caller's area: the
// person themself or, for a child's program, a parent (by birth or
// adoption) linked to the child in the registry, registered or living in
// the caller's area. The sweep picks the mother when the family may want
// the father; an application names whoever applied.
//
// The payroll reads the payee when a cycle is generated and each line keeps
// the payee and account it was generated with, so the change never touches
// a generated line, paid, pending or failed: it applies from the next cycle
// generated. (A failed line carried into the candidate's next line is then
// paid to the new payee, the account on file being the usual cure for a
// failure.) A rejected candidate is paid nothing and is not changed.
func (s *Service) ChangePayee(ctx context.Context, id int64, in PayeeInput) (PayeeAnswer, error) {
	pr := auth.From(ctx)
	in.Reason = strings.TrimSpace(in.Reason)
	if err := check.Text("reason", "更换理由", in.Reason, 500, true); err != nil {
		return PayeeAnswer{}, err
	}
	if in.PayeeID <= 0 {
		return PayeeAnswer{}, apperr.InvalidField("payee_id", "请选择新的领取人")
	}
	var out PayeeAnswer
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		c, err := s.loadCandidate(ctx, tx.Conn, pr, id)
		if err != nil {
			return err
		}
		if c.Version != in.Version {
			return apperr.New(apperr.Conflict, "该对象已被他人处理，请刷新后重试")
		}
		if c.Stage == StageRejected {
			return apperr.New(apperr.Conflict, "该对象已驳回，不发放待遇，无需更换领取人")
		}
		if in.PayeeID == c.PayeeID {
			return apperr.InvalidField("payee_id", "新领取人与当前领取人相同")
		}
		payee, err := s.checkPayee(ctx, tx.Conn, pr, c, in.PayeeID)
		if err != nil {
			return err
		}
		var applicant any // none: paid to the person
		if in.PayeeID != c.PersonID {
			applicant = in.PayeeID
		}
		res, err := tx.Exec(ctx, `UPDATE benefit_candidates SET applicant_id = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, applicant, db.Now(), c.ID, c.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.New(apperr.Conflict, "该对象已被他人处理，请刷新后重试")
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM benefit_payroll_lines WHERE candidate_id = ?`, c.ID).
			Scan(&out.LinesKept); err != nil {
			return apperr.Wrap(err, "lines of candidate")
		}
		out.Warnings = []string{}
		if out.LinesKept > 0 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("已生成的 %d 笔发放记录仍按原领取人和原账户发放；自下一个发放批次起发给新领取人", out.LinesKept))
		}
		if _, ok, err := accountOf(ctx, tx.Conn, in.PayeeID); err != nil {
			return err
		} else if !ok {
			out.Warnings = append(out.Warnings, "新领取人尚未登记发放账户，请在生成发放批次前登记，否则该对象将列入异常清单")
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.payee", Entity: "benefit_candidate", EntityID: fmt.Sprint(c.ID),
			Before: map[string]any{"payee_id": c.PayeeID, "payee_name": c.PayeeName},
			After:  map[string]any{"payee_id": in.PayeeID, "payee_name": payee.Name, "lines_kept": out.LinesKept},
			Remark: in.Reason})
	})
	if err != nil {
		return PayeeAnswer{}, err
	}
	out.Candidate, err = s.Candidate(ctx, id)
	return out, err
}

// checkPayee reads the new payee, who must be the candidate's person or,
// for a child's program, a parent of the child, alive and in pr's area.
func (s *Service) checkPayee(ctx context.Context, c db.Conn, pr *auth.Principal, k Candidate, payeeID int64) (personRow, error) {
	prog, _ := ProgramOf(k.Program)
	if payeeID != k.PersonID {
		if prog.Subject != "child" {
			return personRow{}, apperr.InvalidField("payee_id", "“"+prog.Name+"”只能发放给本人")
		}
		child, err := memberByID(ctx, c, k.PersonID)
		if err != nil {
			return personRow{}, err
		}
		var parents []int64
		for _, p := range []sql.NullInt64{child.mother, child.father, child.adoptiveMother, child.adoptiveFa} {
			if p.Valid {
				parents = append(parents, p.Int64)
			}
		}
		if !slices.Contains(parents, payeeID) {
			return personRow{}, apperr.InvalidField("payee_id", "领取人应为本人或登记册中登记的父母（含收养父母）")
		}
	}
	p, err := personInScope(ctx, c, pr, payeeID)
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return p, apperr.InvalidField("payee_id", "领取人不存在或不在您的管辖范围内")
		}
		return p, err
	}
	if p.DeathDate != "" {
		return p, apperr.InvalidField("payee_id", p.Name+"已死亡，不能作为领取人")
	}
	return p, nil
}
