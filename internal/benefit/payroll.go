package benefit

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
)

func init() {
	audit.RegisterActions(map[string]string{
		"benefit.account": "登记发放账户",
		"benefit.payroll": "生成发放批次",
	})
}

// fieldAccount is the encryption context of bank account numbers.
const fieldAccount = "bank_account"

// AccountInput records the account a person is paid into.
type AccountInput struct {
	PersonID    int64  `json:"person_id"`
	Bank        string `json:"bank"`         // 开户行, or 社保卡（一卡通）
	AccountName string `json:"account_name"` // 户名
	AccountNo   string `json:"account_no"`
}

// NormalizeAccount drops the spaces and dashes people type in account numbers.
func NormalizeAccount(no string) string { return strings.NewReplacer(" ", "", "-", "").Replace(no) }

// MaskAccount keeps the first four and the last four digits.
func MaskAccount(no string) string {
	if len(no) <= 8 {
		return strings.Repeat("*", len(no))
	}
	return no[:4] + strings.Repeat("*", len(no)-8) + no[len(no)-4:]
}

// SetAccount records a person's account (encrypted; masked for display).
func (s *Service) SetAccount(ctx context.Context, in AccountInput) error {
	pr := auth.From(ctx)
	in.Bank, in.AccountName = strings.TrimSpace(in.Bank), strings.TrimSpace(in.AccountName)
	in.AccountNo = NormalizeAccount(in.AccountNo)
	if len(in.AccountNo) < 8 || len(in.AccountNo) > 32 || strings.Trim(in.AccountNo, "0123456789") != "" {
		return apperr.InvalidField("account_no", "账号应为 8 到 32 位数字")
	}
	if err := check.Text("bank", "开户行", in.Bank, 60, true); err != nil {
		return err
	}
	if err := check.Text("account_name", "户名", in.AccountName, 40, true); err != nil {
		return err
	}
	enc, err := s.cipher.Encrypt(fieldAccount, in.AccountNo)
	if err != nil {
		return apperr.Wrap(err, "encrypt account")
	}
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := personInScope(ctx, tx.Conn, pr, in.PersonID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO benefit_accounts (person_id, bank, account_name, account_enc, account_mask, set_by, set_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, in.PersonID, in.Bank, in.AccountName, enc, MaskAccount(in.AccountNo), pr.Username, db.Now()); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.account", Entity: "person", EntityID: fmt.Sprint(in.PersonID),
			After: map[string]any{"bank": in.Bank, "account_name": in.AccountName, "account": MaskAccount(in.AccountNo)}})
	})
}

// Period is a payment period: a year ("2026"), a quarter ("2026-Q1") or a month ("2026-03").
type Period struct {
	Name     string
	From, To string
}

// ParsePeriod reads a period name.
func ParsePeriod(name string) (Period, error) {
	bad := apperr.InvalidField("period", "发放期应为年度（2026）、季度（2026-Q1）或月份（2026-03）")
	var y, n int
	switch {
	case len(name) == 4:
		if _, err := fmt.Sscanf(name, "%4d", &y); err != nil {
			return Period{}, bad
		}
		return Period{name, fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-12-31", y)}, nil
	case len(name) == 7 && name[5] == 'Q':
		if _, err := fmt.Sscanf(name, "%4d-Q%1d", &y, &n); err != nil || n < 1 || n > 4 {
			return Period{}, bad
		}
		from := time.Date(y, time.Month(3*n-2), 1, 0, 0, 0, 0, time.UTC)
		return Period{name, from.Format(time.DateOnly), from.AddDate(0, 3, -1).Format(time.DateOnly)}, nil
	case len(name) == 7:
		if _, err := fmt.Sscanf(name, "%4d-%2d", &y, &n); err != nil || n < 1 || n > 12 {
			return Period{}, bad
		}
		from := time.Date(y, time.Month(n), 1, 0, 0, 0, 0, time.UTC)
		return Period{name, from.Format(time.DateOnly), from.AddDate(0, 1, -1).Format(time.DateOnly)}, nil
	}
	return Period{}, bad
}

// monthStarts lists the first day of each month of the period.
func (p Period) monthStarts() []string {
	var out []string
	t, _ := time.Parse(time.DateOnly, p.From)
	end, _ := time.Parse(time.DateOnly, p.To)
	for ; !t.After(end); t = t.AddDate(0, 1, 0) {
		out = append(out, t.Format(time.DateOnly))
	}
	return out
}

// Cycle is a payroll for one program, period and county.
type Cycle struct {
	ID        int64  `json:"id"`
	Program   string `json:"program"`
	Period    string `json:"period"`
	From      string `json:"from"`
	To        string `json:"to"`
	Division  string `json:"division"`
	Status    string `json:"status"`
	LineCount int    `json:"line_count"`
	TotalFen  int64  `json:"total_fen"`
	Flags     []Flag `json:"flags"`
	Created   bool   `json:"created"` // false when an earlier generation was returned
}

// Flag is a candidate kept off the payroll, with why.
type Flag struct {
	CandidateID int64  `json:"candidate_id"`
	PersonID    int64  `json:"person_id"`
	Name        string `json:"name"`
	Reason      string `json:"reason"`
}

// CycleInput asks for a payroll.
type CycleInput struct {
	Program string `json:"program"`
	Period  string `json:"period"`
}

// monthTrace is what a line paid for one month, and on which parameter
// versions; Params is left out when it equals the line's (the usual case),
// which keeps a payroll of tens of thousands of lines small.
type monthTrace struct {
	Month     string `json:"month"`
	AmountFen int64  `json:"amount_fen"`
	Params    string `json:"params,omitempty"`
}

// lineTrace is the rule trace kept on a payroll line.
type lineTrace struct {
	Params      string       `json:"params"`
	Months      []monthTrace `json:"months"`
	CarriedFrom *int64       `json:"carried_from,omitempty"`
}

// compactTrace moves the parameter versions shared by every month up to the line.
func compactTrace(months []monthTrace, carried *int64) lineTrace {
	t := lineTrace{Months: months, CarriedFrom: carried}
	if len(months) == 0 {
		return t
	}
	t.Params = months[0].Params
	for _, m := range months {
		if m.Params != t.Params {
			t.Params = ""
			return t
		}
	}
	for i := range t.Months {
		t.Months[i].Params = ""
	}
	return t
}

// GeneratePayroll builds the payroll of a program and period for the
// caller's county from the candidates approved for payment: each month is
// paid if the rules, run again on its first day over the registry as it is
// now, still say eligible, so a death recorded in the registry stops
// payment from the next month. Persons who died, moved out of the county or
// have no account are flagged instead of paid. Failed lines of earlier
// cycles are carried in. Generating twice returns the first cycle.
func (s *Service) GeneratePayroll(ctx context.Context, in CycleInput) (Cycle, error) {
	pr := auth.From(ctx)
	if _, ok := ProgramOf(in.Program); !ok {
		return Cycle{}, apperr.InvalidField("program", "未知的待遇项目："+in.Program)
	}
	period, err := ParsePeriod(strings.TrimSpace(in.Period))
	if err != nil {
		return Cycle{}, err
	}
	if pr.Role != auth.RoleCounty && pr.DivisionPath != "/" {
		return Cycle{}, apperr.New(apperr.Forbidden, "发放批次由县级管理员生成")
	}
	county := db.CountyCode(pr.DivisionPath)
	var c Cycle
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.Lock(ctx, "benefit_cycle/"+in.Program+"/"+period.Name+"/"+county); err != nil {
			return err
		}
		if existing, ok, err := s.cycleByKey(ctx, tx.Conn, in.Program, period.Name, county); err != nil || ok {
			c = existing
			return err
		}
		c, err = s.buildCycle(ctx, tx, pr, in.Program, period, county)
		return err
	})
	return c, err
}

func (s *Service) cycleByKey(ctx context.Context, c db.Conn, program, period, county string) (Cycle, bool, error) {
	var k Cycle
	var flags string
	err := c.QueryRow(ctx, `SELECT id, program, period, period_from, period_to, division_code, status, line_count, total_fen, flags
		FROM benefit_cycles WHERE program = ? AND period = ? AND division_code = ?`, program, period, county).
		Scan(&k.ID, &k.Program, &k.Period, &k.From, &k.To, &k.Division, &k.Status, &k.LineCount, &k.TotalFen, &flags)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return k, false, nil
		}
		return k, false, apperr.Wrap(err, "cycle")
	}
	return k, true, apperr.Wrap(json.Unmarshal([]byte(flags), &k.Flags), "cycle flags")
}

// payee is a candidate approved for payment with what the payroll needs.
type payee struct {
	candidate, person, payeeID int64
	name, status, path         string
}

func (s *Service) buildCycle(ctx context.Context, tx *db.Tx, pr *auth.Principal, program string, period Period, county string) (Cycle, error) {
	var path string
	if err := tx.QueryRow(ctx, `SELECT path FROM divisions WHERE code = ?`, county).Scan(&path); err != nil {
		return Cycle{}, apperr.Wrap(err, "county path")
	}
	payees, err := payeesOf(ctx, tx.Conn, program, period, path)
	if err != nil {
		return Cycle{}, err
	}
	layers, err := s.Layers(ctx, tx.Conn, program)
	if err != nil {
		return Cycle{}, err
	}
	c := Cycle{Program: program, Period: period.Name, From: period.From, To: period.To, Division: county, Status: "generated",
		Flags: []Flag{}, Created: true}
	id, err := tx.InsertID(ctx, `INSERT INTO benefit_cycles (program, period, period_from, period_to, division_code, division_path,
		line_count, total_fen, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
		program, period.Name, period.From, period.To, county, path, pr.Username, db.Now())
	if err != nil {
		return c, err
	}
	c.ID = id
	if err := s.payAll(ctx, tx, &c, payees, period, layers); err != nil {
		return c, err
	}
	if err := s.carryRest(ctx, tx, &c, path); err != nil {
		return c, err
	}
	flags, _ := json.Marshal(c.Flags)
	if _, err := tx.Exec(ctx, `UPDATE benefit_cycles SET line_count = ?, total_fen = ?, flags = ? WHERE id = ?`,
		c.LineCount, c.TotalFen, string(flags), c.ID); err != nil {
		return c, err
	}
	return c, s.journal.Append(ctx, tx, audit.Entry{Action: "benefit.payroll", Entity: "benefit_cycle", EntityID: fmt.Sprint(c.ID),
		After: map[string]any{"program": program, "period": period.Name, "lines": c.LineCount, "total_fen": c.TotalFen,
			"flagged": len(c.Flags)}})
}

// payeesOf lists the candidates approved for payment in the county for
// the period's year, with whom to pay (the applicant for a child's program).
func payeesOf(ctx context.Context, c db.Conn, program string, period Period, path string) ([]payee, error) {
	cond, args := db.Subtree("k.division_path", path)
	rows, err := c.Query(ctx, `SELECT k.id, k.person_id, COALESCE(k.applicant_id, k.person_id), p.name, p.status, k.division_path
		FROM benefit_candidates k JOIN persons p ON p.id = k.person_id
		WHERE k.program = ? AND k.year = ? AND k.stage = ? AND `+cond+` ORDER BY k.division_path, k.id`,
		append([]any{program, period.From[:4], StagePayroll}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "payees")
	}
	defer rows.Close()
	var out []payee
	for rows.Next() {
		var p payee
		if err := rows.Scan(&p.candidate, &p.person, &p.payeeID, &p.name, &p.status, &p.path); err != nil {
			return nil, apperr.Wrap(err, "scan payee")
		}
		out = append(out, p)
	}
	return out, apperr.Wrap(rows.Err(), "payees")
}

// payAll adds each payee's line, or a flag saying why there is none. The
// families, accounts and carried lines of all payees are read in a few
// queries and the lines written many to an INSERT, so a payroll of tens of
// thousands of lines takes seconds.
func (s *Service) payAll(ctx context.Context, tx *db.Tx, c *Cycle, payees []payee, period Period, layers []Param) error {
	ids := make([]int64, 0, 2*len(payees))
	payeeIDs := make([]int64, 0, len(payees))
	for _, p := range payees {
		ids = append(ids, p.person)
		payeeIDs = append(payeeIDs, p.payeeID)
	}
	pop, err := loadFamilies(ctx, tx.Conn, ids)
	if err != nil {
		return err
	}
	accounts, err := accountsOf(ctx, tx.Conn, payeeIDs)
	if err != nil {
		return err
	}
	carried, err := failedLines(ctx, tx.Conn, c.Program, c.ID)
	if err != nil {
		return err
	}
	all := append(append([]Param{}, builtin...), layers...)
	caches := map[string]*paramCache{}
	w := newLineWriter(tx, c)
	months := period.monthStarts()
	for _, p := range payees {
		flag := func(reason string) {
			c.Flags = append(c.Flags, Flag{CandidateID: p.candidate, PersonID: p.person, Name: p.name, Reason: reason})
		}
		i, ok := pop.index[p.person]
		if !ok || p.status == "moved_out" {
			flag("已迁出本县，停发")
			continue
		}
		facts := pop.facts(i)
		trace, amount := payMonths(c.Program, facts, months, all, caches)
		debt, hasDebt := carried[p.candidate]
		if amount+debt.amount == 0 {
			if facts.Person.DeathDate != "" && facts.Person.DeathDate <= period.To {
				flag("已于 " + facts.Person.DeathDate + " 死亡，停发")
			} else {
				flag("本期各月均不符合条件")
			}
			continue
		}
		acc, ok := accounts[p.payeeID]
		if !ok {
			flag("缺少发放账户")
			continue
		}
		var from *int64
		if hasDebt {
			from = &debt.id
			delete(carried, p.candidate)
		}
		if err := w.add(ctx, p, acc, trace, amount+debt.amount, from); err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

// payMonths runs the rules on the first day of each month and adds the
// monthly amounts of the months that qualify.
func payMonths(program string, f Facts, months []string, all []Param, caches map[string]*paramCache) ([]monthTrace, int64) {
	prog, _ := ProgramOf(program)
	var trace []monthTrace
	var amount int64
	for _, month := range months {
		key := f.Person.County + "/" + month // resolved values depend on the place and the date
		cache := caches[key]
		if cache == nil {
			cache = newParamCache()
			caches[key] = cache
		}
		p := &Params{program: program, scopes: scopesOf(f.Person.County), date: month, all: all, used: map[string][]Used{},
			cache: cache}
		r := prog.eval(f, p, month)
		d := Decision{Eligible: r.eligible(), Params: p.Version()}
		if d.Eligible && r.monthly > 0 {
			trace = append(trace, monthTrace{Month: month[:7], AmountFen: r.monthly, Params: d.ParamVersion()})
			amount += r.monthly
		}
	}
	return trace, amount
}

type account struct {
	bank, name, mask string
	enc              []byte
}

func accountOf(ctx context.Context, c db.Conn, person int64) (account, bool, error) {
	var a account
	err := c.QueryRow(ctx, `SELECT bank, account_name, account_mask, account_enc FROM benefit_accounts WHERE person_id = ?
		ORDER BY id DESC LIMIT 1`, person).Scan(&a.bank, &a.name, &a.mask, &a.enc)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return a, false, nil
		}
		return a, false, apperr.Wrap(err, "account")
	}
	return a, true, nil
}

// carriedLine is a failed line of an earlier cycle of the program for the
// candidate, not yet carried, with its amount.
func carriedLine(ctx context.Context, c db.Conn, program string, candidate, cycle int64) (*int64, int64, error) {
	var id, amount int64
	err := c.QueryRow(ctx, `SELECT l.id, l.amount_fen FROM benefit_payroll_lines l JOIN benefit_cycles y ON y.id = l.cycle_id
		WHERE y.program = ? AND l.candidate_id = ? AND l.status = 'failed' AND l.cycle_id <> ? ORDER BY l.id LIMIT 1`,
		program, candidate, cycle).Scan(&id, &amount)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, nil
		}
		return nil, 0, apperr.Wrap(err, "carried line")
	}
	return &id, amount, nil
}

func (s *Service) insertLine(ctx context.Context, tx *db.Tx, c *Cycle, p payee, a account, trace []monthTrace, amount int64, carried *int64) error {
	raw, _ := json.Marshal(compactTrace(trace, carried))
	if _, err := tx.Exec(ctx, `INSERT INTO benefit_payroll_lines (cycle_id, seq, candidate_id, payee_id, account_enc, account_mask,
		account_name, bank, months, amount_fen, trace, carried_from, division_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.LineCount+1, p.candidate, p.payeeID, a.enc, a.mask, a.name, a.bank, len(trace), amount, string(raw), carried,
		p.path); err != nil {
		return err
	}
	if carried != nil {
		if _, err := tx.Exec(ctx, `UPDATE benefit_payroll_lines SET status = 'carried' WHERE id = ?`, *carried); err != nil {
			return err
		}
	}
	c.LineCount++
	c.TotalFen += amount
	return nil
}

// carryRest adds a line for every failed line of an earlier cycle of the
// program in the county that no payee of this cycle took over: the money
// is owed for its own period whatever happened since, and it is paid into
// the account on file now (a wrong account is the usual cause of failure).
func (s *Service) carryRest(ctx context.Context, tx *db.Tx, c *Cycle, path string) error {
	cond, args := db.Subtree("l.division_path", path)
	rows, err := tx.Query(ctx, `SELECT l.id, l.candidate_id, k.person_id, l.payee_id, p.name, l.division_path
		FROM benefit_payroll_lines l JOIN benefit_cycles y ON y.id = l.cycle_id JOIN benefit_candidates k ON k.id = l.candidate_id
		JOIN persons p ON p.id = k.person_id
		WHERE y.program = ? AND l.status = 'failed' AND l.cycle_id <> ? AND `+cond+` ORDER BY l.id`,
		append([]any{c.Program, c.ID}, args...)...)
	if err != nil {
		return apperr.Wrap(err, "failed lines")
	}
	var owed []payee
	for rows.Next() {
		var line int64
		var p payee
		if err := rows.Scan(&line, &p.candidate, &p.person, &p.payeeID, &p.name, &p.path); err != nil {
			rows.Close()
			return apperr.Wrap(err, "scan failed line")
		}
		owed = append(owed, p)
	}
	rows.Close()
	for _, p := range owed {
		carried, amount, err := carriedLine(ctx, tx.Conn, c.Program, p.candidate, c.ID)
		if err != nil || carried == nil {
			if err != nil {
				return err
			}
			continue
		}
		acc, ok, err := accountOf(ctx, tx.Conn, p.payeeID)
		if err != nil {
			return err
		}
		if !ok {
			c.Flags = append(c.Flags, Flag{CandidateID: p.candidate, PersonID: p.person, Name: p.name, Reason: "补发失败款项缺少发放账户"})
			continue
		}
		if err := s.insertLine(ctx, tx, c, p, acc, nil, amount, carried); err != nil {
			return err
		}
	}
	return nil
}

// accountsOf reads the account in force of each person.
func accountsOf(ctx context.Context, c db.Conn, ids []int64) (map[int64]account, error) {
	out := map[int64]account{}
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := c.Query(ctx, `SELECT person_id, bank, account_name, account_mask, account_enc FROM benefit_accounts
			WHERE person_id IN (`+db.Placeholders(len(chunk))+`) ORDER BY id`, args...)
		if err != nil {
			return nil, apperr.Wrap(err, "accounts")
		}
		for rows.Next() {
			var id int64
			var a account
			if err := rows.Scan(&id, &a.bank, &a.name, &a.mask, &a.enc); err != nil {
				rows.Close()
				return nil, apperr.Wrap(err, "scan account")
			}
			out[id] = a // later rows win
		}
		rows.Close()
	}
	return out, nil
}

// owed is a failed line waiting to be carried.
type owed struct {
	id     int64
	amount int64
}

// failedLines maps candidates to their oldest failed line of an earlier
// cycle of the program.
func failedLines(ctx context.Context, c db.Conn, program string, cycle int64) (map[int64]owed, error) {
	rows, err := c.Query(ctx, `SELECT l.candidate_id, l.id, l.amount_fen FROM benefit_payroll_lines l
		JOIN benefit_cycles y ON y.id = l.cycle_id WHERE y.program = ? AND l.status = 'failed' AND l.cycle_id <> ? ORDER BY l.id DESC`,
		program, cycle)
	if err != nil {
		return nil, apperr.Wrap(err, "failed lines")
	}
	defer rows.Close()
	out := map[int64]owed{}
	for rows.Next() {
		var cand int64
		var o owed
		if err := rows.Scan(&cand, &o.id, &o.amount); err != nil {
			return nil, apperr.Wrap(err, "scan failed line")
		}
		out[cand] = o // ordered newest first, so the oldest wins
	}
	return out, apperr.Wrap(rows.Err(), "failed lines")
}

// lineWriter writes payroll lines many to an INSERT.
type lineWriter struct {
	tx      *db.Tx
	c       *Cycle
	rows    []any
	n       int
	carried []any
}

const linesPerInsert = 100

func newLineWriter(tx *db.Tx, c *Cycle) *lineWriter { return &lineWriter{tx: tx, c: c} }

func (w *lineWriter) add(ctx context.Context, p payee, a account, trace []monthTrace, amount int64, carried *int64) error {
	raw, err := json.Marshal(compactTrace(trace, carried))
	if err != nil {
		return apperr.Wrap(err, "line trace")
	}
	w.c.LineCount++
	w.c.TotalFen += amount
	w.rows = append(w.rows, w.c.ID, w.c.LineCount, p.candidate, p.payeeID, a.enc, a.mask, a.name, a.bank, len(trace), amount,
		string(raw), carried, p.path)
	if carried != nil {
		w.carried = append(w.carried, *carried)
	}
	if w.n++; w.n == linesPerInsert {
		return w.flush(ctx)
	}
	return nil
}

func (w *lineWriter) flush(ctx context.Context) error {
	if w.n > 0 {
		if _, err := w.tx.Exec(ctx, `INSERT INTO benefit_payroll_lines (cycle_id, seq, candidate_id, payee_id, account_enc,
			account_mask, account_name, bank, months, amount_fen, trace, carried_from, division_path) VALUES `+
			db.RepeatValues("("+db.Placeholders(13)+")", w.n), w.rows...); err != nil {
			return apperr.Wrap(err, "payroll lines")
		}
		w.rows, w.n = w.rows[:0], 0
	}
	if len(w.carried) > 0 {
		if _, err := w.tx.Exec(ctx, `UPDATE benefit_payroll_lines SET status = 'carried' WHERE id IN (`+
			db.Placeholders(len(w.carried))+`)`, w.carried...); err != nil {
			return apperr.Wrap(err, "carried lines")
		}
		w.carried = w.carried[:0]
	}
	return nil
}

// Cycles lists the payroll cycles of the caller's county, newest first.
func (s *Service) Cycles(ctx context.Context, program string) ([]Cycle, error) {
	pr := auth.From(ctx)
	cond, args := db.Subtree("division_path", pr.DivisionPath)
	rows, err := s.db.Reader().Query(ctx, `SELECT id, program, period, period_from, period_to, division_code, status, line_count,
		total_fen, flags FROM benefit_cycles WHERE (? = '' OR program = ?) AND (substr(?, 1, length(division_path)) = division_path OR `+
		cond+`) ORDER BY id DESC LIMIT 200`, append([]any{program, program, pr.DivisionPath}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "cycles")
	}
	defer rows.Close()
	out := []Cycle{}
	for rows.Next() {
		var k Cycle
		var flags string
		if err := rows.Scan(&k.ID, &k.Program, &k.Period, &k.From, &k.To, &k.Division, &k.Status, &k.LineCount, &k.TotalFen, &flags); err != nil {
			return nil, apperr.Wrap(err, "scan cycle")
		}
		if err := json.Unmarshal([]byte(flags), &k.Flags); err != nil {
			return nil, apperr.Wrap(err, "cycle flags")
		}
		out = append(out, k)
	}
	return out, apperr.Wrap(rows.Err(), "cycles")
}
