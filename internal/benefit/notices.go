package benefit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

func init() {
	audit.RegisterActions(map[string]string{"benefit.notice": "出具书面通知"})
}

// Notice kinds.
const (
	NoticeApproval  = "approval"
	NoticeRejection = "rejection"
	NoticePayment   = "payment"
	NoticeStop      = "stop"
)

// NoticeBody is what a notice says, kept as printed.
type NoticeBody struct {
	Title     string   `json:"title"`
	Name      string   `json:"name"`
	IDNumber  string   `json:"id_number"` // masked
	Program   string   `json:"program"`
	Year      int      `json:"year"`
	Text      string   `json:"text"`
	Reasons   []string `json:"reasons,omitempty"`
	AmountFen int64    `json:"amount_fen,omitempty"`
	Period    string   `json:"period,omitempty"`
	Account   string   `json:"account,omitempty"` // masked
	Issuer    string   `json:"issuer"`
}

// Notice is an issued notice.
type Notice struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	CandidateID int64      `json:"candidate_id"`
	Village     string     `json:"village"`
	Body        NoticeBody `json:"body"`
	VerifyCode  string     `json:"verify_code"`
	IssuedOn    string     `json:"issued_on"`
}

// NoticeRequest asks for the notices of an event for the caller's area.
type NoticeRequest struct {
	Kind    string `json:"kind"`
	Program string `json:"program"`
	Year    int    `json:"year"`
	CycleID int64  `json:"cycle_id"` // payment and stop notices
}

// IssueNotices issues the notices of one kind that are due in the caller's
// area and not yet issued, and answers every notice of that kind (old and
// new), ordered by village for printing in bulk.
func (s *Service) IssueNotices(ctx context.Context, in NoticeRequest) ([]Notice, error) {
	pr := auth.From(ctx)
	if err := checkNoticeRequest(in); err != nil {
		return nil, err
	}
	var out []Notice
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		drafts, err := s.noticeDrafts(ctx, tx.Conn, pr, in)
		if err != nil {
			return err
		}
		issued := 0
		for _, d := range drafts {
			ok, err := s.insertNotice(ctx, tx, pr, in, d)
			if err != nil {
				return err
			}
			if ok {
				issued++
			}
		}
		if issued > 0 {
			if err := s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.notice", Entity: "benefit_program", EntityID: in.Program,
				After: map[string]any{"kind": in.Kind, "year": in.Year, "cycle_id": in.CycleID, "issued": issued}}); err != nil {
				return err
			}
		}
		out, err = s.notices(ctx, tx.Conn, pr, in)
		return err
	})
	return out, err
}

// Notices answers the notices of one kind already issued in the caller's
// area, ordered by village, without issuing any.
func (s *Service) Notices(ctx context.Context, in NoticeRequest) ([]Notice, error) {
	if err := checkNoticeRequest(in); err != nil {
		return nil, err
	}
	return s.notices(ctx, s.db.Reader(), auth.From(ctx), in)
}

func checkNoticeRequest(in NoticeRequest) error {
	if _, ok := ProgramOf(in.Program); !ok {
		return apperr.InvalidField("program", "未知的待遇项目："+in.Program)
	}
	switch in.Kind {
	case NoticeApproval, NoticeRejection, NoticePayment, NoticeStop:
	default:
		return apperr.InvalidField("kind", "通知类型应为 approval、rejection、payment 或 stop")
	}
	if (in.Kind == NoticePayment || in.Kind == NoticeStop) != (in.CycleID != 0) {
		return apperr.InvalidField("cycle_id", "发放和停发通知须指定发放批次，其他通知不指定")
	}
	return nil
}

// draft is a notice before it is stored.
type draft struct {
	candidate, person int64
	path              string
	body              NoticeBody
}

func (s *Service) noticeDrafts(ctx context.Context, c db.Conn, pr *auth.Principal, in NoticeRequest) ([]draft, error) {
	prog, _ := ProgramOf(in.Program)
	switch in.Kind {
	case NoticeApproval:
		return s.candidateDrafts(ctx, c, pr, in, StagePayroll, func(k Candidate, b *NoticeBody) {
			b.Title = prog.Name + "审批通知"
			b.AmountFen = k.AnnualFen
			b.Text = fmt.Sprintf("经村级核实、公示，乡镇审核，县级审批和公示，您符合%d年度%s条件，年发放标准%s元，将按期发放到您登记的账户。",
				k.Year, prog.Name, yuan(k.AnnualFen))
		})
	case NoticeRejection:
		return s.candidateDrafts(ctx, c, pr, in, StageRejected, func(k Candidate, b *NoticeBody) {
			b.Title = prog.Name + "申请结果通知"
			b.Reasons = k.Failed
			b.Text = fmt.Sprintf("您%d年度%s的申请经审核未予通过。如对结果有异议，可自收到本通知之日起向乡镇或县卫生健康部门反映。", k.Year, prog.Name)
		})
	case NoticePayment, NoticeStop:
		return s.cycleDrafts(ctx, c, pr, in, prog)
	}
	return nil, apperr.InvalidField("kind", "通知类型应为 approval、rejection、payment 或 stop")
}

// candidateDrafts drafts a notice for each candidate of the area at stage.
func (s *Service) candidateDrafts(ctx context.Context, c db.Conn, pr *auth.Principal, in NoticeRequest, stage string,
	fill func(Candidate, *NoticeBody)) ([]draft, error) {
	list, _, err := s.Queue(ctx, QueueFilter{Program: in.Program, Year: in.Year, Stage: stage, Page: 1, Size: 1_000_000})
	if err != nil {
		return nil, err
	}
	out := make([]draft, 0, len(list))
	for _, k := range list {
		b := NoticeBody{Name: k.Name, IDNumber: k.IDNumber, Program: k.ProgramName, Year: k.Year, Issuer: k.Village}
		if stage == StageRejected {
			if reason, err := lastReason(ctx, c, k.ID); err == nil && reason != "" {
				k.Failed = append([]string{reason}, k.Failed...)
			}
		}
		fill(k, &b)
		out = append(out, draft{candidate: k.ID, person: k.PersonID, path: k.path, body: b})
	}
	return out, nil
}

func lastReason(ctx context.Context, c db.Conn, candidate int64) (string, error) {
	var r string
	err := c.QueryRow(ctx, `SELECT reason FROM benefit_reviews WHERE candidate_id = ? AND action = 'reject' ORDER BY id DESC LIMIT 1`,
		candidate).Scan(&r)
	return r, err
}

// cycleDrafts drafts payment notices for a cycle's lines, or stop notices
// for the persons it flagged as deceased or moved out.
func (s *Service) cycleDrafts(ctx context.Context, c db.Conn, pr *auth.Principal, in NoticeRequest, prog Program) ([]draft, error) {
	var cy Cycle
	var flags string
	// A county's cycle is seen from its villages too: each sees its own lines.
	cond, args := db.Subtree("division_path", pr.DivisionPath)
	if err := c.QueryRow(ctx, `SELECT id, program, period, flags FROM benefit_cycles WHERE id = ? AND program = ?
		AND (substr(?, 1, length(division_path)) = division_path OR `+cond+`)`,
		append([]any{in.CycleID, in.Program, pr.DivisionPath}, args...)...).Scan(&cy.ID, &cy.Program, &cy.Period, &flags); err != nil {
		return nil, db.NotFound(err, "发放批次不存在")
	}
	if in.Kind == NoticeStop {
		return s.stopDrafts(ctx, c, pr, cy, flags, prog)
	}
	lc, la := db.Subtree("l.division_path", pr.DivisionPath)
	rows, err := c.Query(ctx, `SELECT l.candidate_id, k.person_id, l.division_path, p.name, COALESCE(p.id_mask, ''), COALESCE(v.name, ''),
		k.year, l.amount_fen, l.months, l.account_mask, l.bank FROM benefit_payroll_lines l JOIN benefit_candidates k ON k.id = l.candidate_id
		JOIN persons p ON p.id = l.payee_id LEFT JOIN divisions v ON v.code = p.reg_division
		WHERE l.cycle_id = ? AND l.status IN ('pending', 'paid') AND `+lc+` ORDER BY l.seq`, append([]any{cy.ID}, la...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "payment lines")
	}
	defer rows.Close()
	var out []draft
	for rows.Next() {
		var d draft
		var months int
		var bank string
		b := &d.body
		if err := rows.Scan(&d.candidate, &d.person, &d.path, &b.Name, &b.IDNumber, &b.Issuer, &b.Year, &b.AmountFen, &months,
			&b.Account, &bank); err != nil {
			return nil, apperr.Wrap(err, "scan payment line")
		}
		b.Title, b.Program, b.Period = "领取"+prog.Name+"的通知", prog.Name, cy.Period
		b.Text = fmt.Sprintf("您%s期的%s共%s元已安排发放至%s账户（%s），请注意查收。", cy.Period, prog.Name, yuan(b.AmountFen), bank, b.Account)
		out = append(out, d)
	}
	return out, apperr.Wrap(rows.Err(), "payment lines")
}

func (s *Service) stopDrafts(ctx context.Context, c db.Conn, pr *auth.Principal, cy Cycle, flags string, prog Program) ([]draft, error) {
	var fs []Flag
	if err := json.Unmarshal([]byte(flags), &fs); err != nil {
		return nil, apperr.Wrap(err, "cycle flags")
	}
	var out []draft
	for _, f := range fs {
		if !strings.Contains(f.Reason, "停发") {
			continue // a missing account is for the office to fix, not a stop
		}
		k, err := s.loadCandidate(ctx, c, pr, f.CandidateID)
		if err != nil {
			continue // outside the caller's area
		}
		out = append(out, draft{candidate: k.ID, person: k.PersonID, path: k.path, body: NoticeBody{
			Title: prog.Name + "停发通知", Name: k.Name, IDNumber: k.IDNumber, Program: prog.Name, Year: k.Year, Period: cy.Period,
			Issuer: k.Village, Reasons: []string{f.Reason},
			Text: fmt.Sprintf("因%s，自%s期起停止发放%s。如情况有误，请持相关证明向村（居）委会反映。", f.Reason, cy.Period, prog.Name)}})
	}
	return out, nil
}

// insertNotice stores a notice unless that event already has one.
func (s *Service) insertNotice(ctx context.Context, tx *db.Tx, pr *auth.Principal, in NoticeRequest, d draft) (bool, error) {
	var cycle any
	if in.CycleID != 0 {
		cycle = in.CycleID
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM benefit_notices WHERE kind = ? AND candidate_id = ? AND COALESCE(cycle_id, 0) = ?`,
		in.Kind, d.candidate, in.CycleID).Scan(&n); err != nil {
		return false, apperr.Wrap(err, "notice issued")
	}
	if n > 0 {
		return false, nil
	}
	body, _ := json.Marshal(d.body)
	_, err := tx.Exec(ctx, `INSERT INTO benefit_notices (kind, program, candidate_id, cycle_id, person_id, division_path, body,
		verify_code, issued_on, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Kind, in.Program, d.candidate, cycle, d.person,
		d.path, string(body), VerifyCode(), s.today(), pr.Username)
	return err == nil, err
}

// VerifyCode is a notice's verification code: twelve characters a person
// can type from the paper, unguessable enough that nobody finds another's.
func VerifyCode() string { return strings.ToUpper(publicCode()[:12]) }

func (s *Service) notices(ctx context.Context, c db.Conn, pr *auth.Principal, in NoticeRequest) ([]Notice, error) {
	cond, args := db.Subtree("n.division_path", pr.DivisionPath)
	rows, err := c.Query(ctx, `SELECT n.id, n.kind, n.candidate_id, COALESCE(v.name, ''), n.body, n.verify_code, n.issued_on
		FROM benefit_notices n JOIN persons p ON p.id = n.person_id LEFT JOIN divisions v ON v.code = p.reg_division
		WHERE n.kind = ? AND n.program = ? AND COALESCE(n.cycle_id, 0) = ? AND `+cond+` ORDER BY n.division_path, n.id`,
		append([]any{in.Kind, in.Program, in.CycleID}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "notices")
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		var n Notice
		var body string
		if err := rows.Scan(&n.ID, &n.Kind, &n.CandidateID, &n.Village, &body, &n.VerifyCode, &n.IssuedOn); err != nil {
			return nil, apperr.Wrap(err, "scan notice")
		}
		if err := json.Unmarshal([]byte(body), &n.Body); err != nil {
			return nil, apperr.Wrap(err, "notice body")
		}
		if in.Year != 0 && n.Body.Year != in.Year {
			continue
		}
		out = append(out, n)
	}
	return out, apperr.Wrap(rows.Err(), "notices")
}

// VerifiedNotice is what the public page shows of a notice: enough to see
// the paper is genuine, nothing more.
type VerifiedNotice struct {
	Title    string `json:"title"`
	Name     string `json:"name"` // masked
	Program  string `json:"program"`
	Year     int    `json:"year"`
	IssuedOn string `json:"issued_on"`
	Issuer   string `json:"issuer"`
	Amount   int64  `json:"amount_fen,omitempty"`
}

// VerifyNotice answers the public check of a verification code.
func (s *Service) VerifyNotice(ctx context.Context, code string) (VerifiedNotice, error) {
	var body, issued string
	err := s.db.Reader().QueryRow(ctx, `SELECT body, issued_on FROM benefit_notices WHERE verify_code = ?`,
		strings.ToUpper(strings.TrimSpace(code))).Scan(&body, &issued)
	if err != nil {
		return VerifiedNotice{}, db.NotFound(err, "查无此通知：请核对验证码")
	}
	var b NoticeBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return VerifiedNotice{}, apperr.Wrap(err, "notice body")
	}
	return VerifiedNotice{Title: b.Title, Name: MaskName(b.Name), Program: b.Program, Year: b.Year, IssuedOn: issued,
		Issuer: b.Issuer, Amount: b.AmountFen}, nil
}
