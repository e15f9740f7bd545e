package benefit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/bankfile"
	"jisheng/internal/db"
)

func init() {
	audit.RegisterActions(map[string]string{
		"benefit.bankfile":    "导出银行代发文件",
		"benefit.reconcile":   "导入银行回盘",
		"benefit.bank_layout": "设置银行文件格式",
	})
}

// fieldID is the registry's encryption context of ID numbers.
const fieldID = "id_number"

// BankFileInput asks for a cycle's bank file in one of the layouts.
type BankFileInput struct {
	Layout       string `json:"layout"` // the key of a layout (bankfile.Examples for now)
	PayerName    string `json:"payer_name"`
	PayerAccount string `json:"payer_account"`
}

// BankLayouts lists the layouts a bank file can be written in: those the
// county saved, then the built-in examples.
func (s *Service) BankLayouts(ctx context.Context) ([]bankfile.Example, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT key, layout, return_spec FROM benefit_bank_layouts ORDER BY key`)
	if err != nil {
		return nil, apperr.Wrap(err, "bank layouts")
	}
	defer rows.Close()
	var out []bankfile.Example
	for rows.Next() {
		var key, layout, ret string
		if err := rows.Scan(&key, &layout, &ret); err != nil {
			return nil, apperr.Wrap(err, "scan bank layout")
		}
		ex, err := parseExample(key, []byte(layout), []byte(ret))
		if err != nil {
			return nil, apperr.Wrap(err, "stored bank layout "+key)
		}
		out = append(out, ex)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "bank layouts")
	}
	builtins, err := bankfile.Examples()
	if err != nil {
		return nil, apperr.Wrap(err, "bank layout examples")
	}
	return append(out, builtins...), nil
}

func parseExample(key string, layout, ret []byte) (bankfile.Example, error) {
	l, err := bankfile.ParseLayout(layout)
	if err != nil {
		return bankfile.Example{}, err
	}
	r, err := bankfile.ParseReturnLayout(ret)
	return bankfile.Example{Key: key, Layout: l, Return: r}, err
}

// LayoutInput saves a county's layout for its bank.
type LayoutInput struct {
	Key    string          `json:"key"`
	Layout json.RawMessage `json:"layout"`
	Return json.RawMessage `json:"return"`
}

// SaveBankLayout checks and saves a layout (county staff). Its key may not
// hide a built-in example.
func (s *Service) SaveBankLayout(ctx context.Context, in LayoutInput) (bankfile.Example, error) {
	pr := auth.From(ctx)
	if pr.Role != auth.RoleCounty && pr.DivisionPath != "/" {
		return bankfile.Example{}, apperr.New(apperr.Forbidden, "银行文件格式由县级管理员设置")
	}
	in.Key = strings.TrimSpace(in.Key)
	if len(in.Key) < 2 || len(in.Key) > 40 || strings.Trim(in.Key, "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return bankfile.Example{}, apperr.InvalidField("key", "格式代码应为 2 到 40 个小写字母、数字、- 或 _")
	}
	builtins, _ := bankfile.Examples()
	for _, b := range builtins {
		if b.Key == in.Key {
			return bankfile.Example{}, apperr.InvalidField("key", "不能使用内置示例的代码："+in.Key)
		}
	}
	ex, err := parseExample(in.Key, in.Layout, in.Return)
	if err != nil {
		return ex, err
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO benefit_bank_layouts (key, layout, return_spec, set_by, set_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET layout = excluded.layout, return_spec = excluded.return_spec, set_by = excluded.set_by,
			set_at = excluded.set_at`, in.Key, string(in.Layout), string(in.Return), pr.Username, db.Now()); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.bank_layout", Entity: "bank_layout", EntityID: in.Key,
			After: map[string]any{"layout": ex.Layout, "return": ex.Return}})
	})
	return ex, err
}

func (s *Service) layoutByKey(ctx context.Context, key string) (bankfile.Example, error) {
	all, err := s.BankLayouts(ctx)
	if err != nil {
		return bankfile.Example{}, err
	}
	for _, e := range all {
		if e.Key == key {
			return e, nil
		}
	}
	return bankfile.Example{}, apperr.InvalidField("layout", "未知的银行文件格式："+key)
}

// cycleLine is a payroll line as a bank file needs it.
type cycleLine struct {
	id int64
	bankfile.Line
}

// loadCycle reads a county cycle the caller (county staff) may act on.
func (s *Service) loadCycle(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Cycle, error) {
	cond, args := db.Subtree("division_path", pr.DivisionPath)
	var k Cycle
	err := c.QueryRow(ctx, `SELECT id, program, period, period_from, period_to, division_code, status, line_count, total_fen
		FROM benefit_cycles WHERE id = ? AND `+cond, append([]any{id}, args...)...).
		Scan(&k.ID, &k.Program, &k.Period, &k.From, &k.To, &k.Division, &k.Status, &k.LineCount, &k.TotalFen)
	return k, db.NotFound(err, "发放批次不存在")
}

// cycleLines reads a cycle's lines with the account and ID numbers
// decrypted for the bank: only the pending ones to send, or all but the
// carried ones to match a return file against (a file imported twice
// matches the same lines again).
func (s *Service) cycleLines(ctx context.Context, c db.Conn, cycle int64, purpose string, all bool) ([]cycleLine, error) {
	statuses := `('pending')`
	if all {
		statuses = `('pending', 'paid', 'failed')`
	}
	rows, err := c.Query(ctx, `SELECT l.id, l.seq, l.account_enc, l.account_name, p.id_enc, l.amount_fen
		FROM benefit_payroll_lines l JOIN persons p ON p.id = l.payee_id WHERE l.cycle_id = ? AND l.status IN `+statuses+`
		ORDER BY l.seq`, cycle)
	if err != nil {
		return nil, apperr.Wrap(err, "cycle lines")
	}
	defer rows.Close()
	var out []cycleLine
	for rows.Next() {
		var l cycleLine
		var acc, idEnc []byte
		if err := rows.Scan(&l.id, &l.Seq, &acc, &l.AccountName, &idEnc, &l.AmountFen); err != nil {
			return nil, apperr.Wrap(err, "scan cycle line")
		}
		if l.AccountNo, err = s.cipher.Decrypt(fieldAccount, acc); err != nil {
			return nil, apperr.Wrap(err, "decrypt account")
		}
		if l.IDNumber, err = s.cipher.Decrypt(fieldID, idEnc); err != nil {
			return nil, apperr.Wrap(err, "decrypt id number")
		}
		l.Purpose = purpose
		out = append(out, l)
	}
	return out, apperr.Wrap(rows.Err(), "cycle lines")
}

// WriteBankFile writes a cycle's batch file for the bank. Full account and
// ID numbers leave the system in it, so writing it is journaled with the
// count and the control total; the cycle is marked sent.
func (s *Service) WriteBankFile(ctx context.Context, w io.Writer, cycleID int64, in BankFileInput) (bankfile.Summary, string, error) {
	pr := auth.From(ctx)
	ex, err := s.layoutByKey(ctx, in.Layout)
	if err != nil {
		return bankfile.Summary{}, "", err
	}
	var buf bytes.Buffer
	var sum bankfile.Summary
	var name string
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		k, err := s.loadCycle(ctx, tx.Conn, pr, cycleID)
		if err != nil {
			return err
		}
		prog, _ := ProgramOf(k.Program)
		lines, err := s.cycleLines(ctx, tx.Conn, k.ID, prog.Name+k.Period, false)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			return apperr.New(apperr.Conflict, "该批次没有待发放的明细")
		}
		batch := bankfile.Batch{No: fmt.Sprintf("%s%s%d", k.Division, strings.ReplaceAll(k.Period, "-", ""), k.ID), Date: s.today(),
			PayerName: strings.TrimSpace(in.PayerName), PayerAccount: strings.TrimSpace(in.PayerAccount)}
		for _, l := range lines {
			batch.Lines = append(batch.Lines, l.Line)
		}
		if sum, err = bankfile.Write(&buf, ex.Layout, batch); err != nil {
			return err
		}
		name = fmt.Sprintf("%s_%s_%s", prog.Name, k.Period, batch.No)
		if _, err := tx.Exec(ctx, `UPDATE benefit_cycles SET status = 'sent' WHERE id = ? AND status = 'generated'`, k.ID); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.bankfile", Entity: "benefit_cycle", EntityID: fmt.Sprint(k.ID),
			After: map[string]any{"layout": in.Layout, "count": sum.Count, "total_fen": sum.TotalFen, "batch_no": batch.No}})
	})
	if err != nil {
		return sum, "", err
	}
	_, err = w.Write(buf.Bytes())
	return sum, name + fileExt(ex.Layout), err
}

func fileExt(l bankfile.Layout) string {
	switch l.Format {
	case bankfile.FormatXLSX:
		return ".xlsx"
	case bankfile.FormatCSV:
		return ".csv"
	}
	return ".txt"
}

// ReconcileReport is the outcome of importing a bank's return file.
type ReconcileReport struct {
	Paid       int   `json:"paid"`
	PaidFen    int64 `json:"paid_fen"`
	Failed     int   `json:"failed"`
	Unmatched  int   `json:"unmatched"`
	Missing    int   `json:"missing"`
	Reconciled bool  `json:"reconciled"`
}

// Reconcile imports the bank's return file for a cycle: each line paid or
// failed with the bank's reason; lines matching nothing sent go to the
// exception list; lines the bank did not answer stay pending. The whole
// file is applied or, if any line is malformed, nothing.
func (s *Service) Reconcile(ctx context.Context, cycleID int64, layout string, r io.ReaderAt, size int64) (ReconcileReport, error) {
	pr := auth.From(ctx)
	ex, err := s.layoutByKey(ctx, layout)
	if err != nil {
		return ReconcileReport{}, err
	}
	returned, err := bankfile.ParseReturn(r, size, ex.Return)
	if err != nil {
		return ReconcileReport{}, err
	}
	var rep ReconcileReport
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		k, err := s.loadCycle(ctx, tx.Conn, pr, cycleID)
		if err != nil {
			return err
		}
		lines, err := s.cycleLines(ctx, tx.Conn, k.ID, "", true)
		if err != nil {
			return err
		}
		sent := make([]bankfile.Line, len(lines))
		ids := map[int]int64{}
		for i, l := range lines {
			sent[i], ids[l.Seq] = l.Line, l.id
		}
		rec := bankfile.Reconcile(sent, returned)
		if rep, err = s.applyReconciliation(ctx, tx, pr, k, rec, ids); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.reconcile", Entity: "benefit_cycle", EntityID: fmt.Sprint(k.ID),
			After: rep})
	})
	return rep, err
}

func (s *Service) applyReconciliation(ctx context.Context, tx *db.Tx, pr *auth.Principal, k Cycle, rec bankfile.Reconciliation, ids map[int]int64) (ReconcileReport, error) {
	rep := ReconcileReport{Paid: len(rec.Paid), PaidFen: rec.PaidFen(), Failed: len(rec.Failed), Unmatched: len(rec.Unmatched),
		Missing: len(rec.Missing), Reconciled: rec.Settled()}
	for _, m := range rec.Paid {
		if _, err := tx.Exec(ctx, `UPDATE benefit_payroll_lines SET status = 'paid', bank_code = ?, bank_message = ? WHERE id = ?`,
			m.Return.BankCode, m.Return.BankMessage, ids[m.Sent.Seq]); err != nil {
			return rep, err
		}
	}
	for _, m := range rec.Failed {
		// A line already carried into a later cycle stays carried.
		if _, err := tx.Exec(ctx, `UPDATE benefit_payroll_lines SET status = 'failed', bank_code = ?, bank_message = ?
			WHERE id = ? AND status IN ('pending', 'failed')`,
			m.Return.BankCode, m.Return.BankMessage, ids[m.Sent.Seq]); err != nil {
			return rep, err
		}
	}
	for _, u := range rec.Unmatched {
		// The same file imported again lists each exception once.
		if _, err := tx.Exec(ctx, `INSERT INTO benefit_bank_exceptions (cycle_id, file_line, seq, account, amount_fen, bank_code,
			message, reason, imported_by, imported_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1
			FROM benefit_bank_exceptions WHERE cycle_id = ? AND file_line = ? AND seq = ? AND amount_fen = ?)`, k.ID, u.LineNo, u.Seq,
			MaskAccount(u.AccountNo), u.AmountFen, u.BankCode, u.BankMessage, u.Reason, pr.Username, db.Now(),
			k.ID, u.LineNo, u.Seq, u.AmountFen); err != nil {
			return rep, err
		}
	}
	if rep.Reconciled {
		if _, err := tx.Exec(ctx, `UPDATE benefit_cycles SET status = 'reconciled' WHERE id = ?`, k.ID); err != nil {
			return rep, err
		}
	}
	return rep, nil
}
