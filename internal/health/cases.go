package health

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// maxKey bounds a client request key.
const maxKey = 64

// OpenCase starts a service episode for a person in the caller's area.
func (s *Service) OpenCase(ctx context.Context, in CaseInput) (Case, error) {
	p, ok := ProgramOf(in.Program)
	if !ok {
		return Case{}, apperr.InvalidField("program", "未知的服务项目："+in.Program)
	}
	key, err := cleanKey(in.RequestKey)
	if err != nil {
		return Case{}, err
	}
	if id, found := s.caseByKey(ctx, key); found {
		return s.loadCase(ctx, s.db.Reader(), auth.From(ctx), id)
	}
	first := p.FirstStage()
	date := strings.TrimSpace(in.Date)
	if date == "" {
		date = s.today()
	}
	if err := checkDate(date, s.today(), false); err != nil {
		return Case{}, apperr.InvalidField("date", "日期"+err.Error())
	}
	fields, err := CleanFields(first, in.Fields, s.today())
	if err != nil {
		return Case{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		id, err = s.openCase(ctx, tx, p, in, date, fields, key)
		return err
	})
	if err != nil {
		if id, found := s.caseByKey(ctx, key); found && db.IsUniqueViolation(err) {
			return s.loadCase(ctx, s.db.Reader(), auth.From(ctx), id)
		}
		return Case{}, err
	}
	return s.loadCase(ctx, s.db.Reader(), auth.From(ctx), id)
}

func (s *Service) openCase(ctx context.Context, tx *db.Tx, p Program, in CaseInput, date string, fields map[string]any, key string) (int64, error) {
	pr := auth.From(ctx)
	person, err := personInScope(ctx, tx.Conn, pr, in.PersonID, "person_id")
	if err != nil {
		return 0, err
	}
	if err := checkSubject(p, person, date); err != nil {
		return 0, err
	}
	partner, err := s.partner(ctx, tx, pr, p, in.PartnerID, person.ID)
	if err != nil {
		return 0, err
	}
	// Two officers opening the same person's pregnancy at once must not both pass the check.
	if err := tx.Lock(ctx, fmt.Sprintf("health_case/%s/%d", p.Code, person.ID)); err != nil {
		return 0, err
	}
	if err := noOpenTwin(ctx, tx.Conn, p, person.ID); err != nil {
		return 0, err
	}
	first := p.FirstStage()
	code := stepCode(first, fields)
	regNo, err := s.regNumber(ctx, tx, p, person, date)
	if err != nil {
		return 0, err
	}
	status, closedOn := "open", any(nil)
	if closesCase(first, code) {
		status, closedOn = "closed", date
	}
	now := db.Now()
	id, err := tx.InsertID(ctx, `INSERT INTO health_cases (program, person_id, partner_id, division_code, division_path,
		stage, status, subtype, opened_on, closed_on, reg_no, request_key, created_at, created_by, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Code, person.ID, partner, person.ResCode, person.ResPath, first.Code, status, nullText(code), date, closedOn,
		nullText(regNo), nullText(key), now, pr.Username, now, pr.Username)
	if err != nil {
		return 0, err
	}
	step := StepRec{Stage: first.Code, Date: date, Code: code, Fields: fields}
	if _, err := s.insertStep(ctx, tx, id, step, ""); err != nil {
		return 0, err
	}
	if err := s.createVisits(ctx, tx, id, person, p.Code, OnOpen(p, step)); err != nil {
		return 0, err
	}
	c := Case{ID: id, Program: p.Code, PersonID: person.ID, Stage: first.Code, Status: status, path: person.ResPath}
	if err := s.runHooks(ctx, tx, c, step); err != nil {
		return 0, err
	}
	return id, s.journal.Append(ctx, tx, audit.Entry{Action: "health.case_open", Entity: "health_case",
		EntityID: fmt.Sprint(id), After: map[string]any{"program": p.Code, "person_id": person.ID, "stage": first.Code,
			"date": date, "code": code, "reg_no": regNo}})
}

// RecordStep records the stage a case reached, and what follows from it.
func (s *Service) RecordStep(ctx context.Context, caseID int64, in StepInput) (CaseDetail, error) {
	pr := auth.From(ctx)
	key, err := cleanKey(in.RequestKey)
	if err != nil {
		return CaseDetail{}, err
	}
	if stepID, found := s.stepByKey(ctx, key); found {
		return s.detailAfterWrite(ctx, pr, caseID, stepID)
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		return s.recordStep(ctx, tx, pr, caseID, in, key)
	})
	if err != nil {
		if stepID, found := s.stepByKey(ctx, key); found && db.IsUniqueViolation(err) {
			return s.detailAfterWrite(ctx, pr, caseID, stepID)
		}
		return CaseDetail{}, err
	}
	return s.Detail(ctx, caseID, false)
}

// detailAfterWrite answers a retried submission with the case its first
// submission changed, as long as that is the case the retry names.
func (s *Service) detailAfterWrite(ctx context.Context, pr *auth.Principal, caseID, stepID int64) (CaseDetail, error) {
	var owner int64
	if err := s.db.Reader().QueryRow(ctx, `SELECT case_id FROM health_steps WHERE id = ?`, stepID).Scan(&owner); err != nil {
		return CaseDetail{}, apperr.Wrap(err, "step of request key")
	}
	if owner != caseID {
		return CaseDetail{}, apperr.InvalidField("request_key", "request_key 已用于另一个个案")
	}
	return s.Detail(ctx, caseID, false)
}

func (s *Service) recordStep(ctx context.Context, tx *db.Tx, pr *auth.Principal, caseID int64, in StepInput, key string) error {
	c, err := s.loadCase(ctx, tx.Conn, pr, caseID)
	if err != nil {
		return err
	}
	if c.Status == "closed" {
		return apperr.New(apperr.Conflict, "个案已结案。如需修改，请先重新打开个案并说明原因")
	}
	p, _ := ProgramOf(c.Program)
	stage := strings.TrimSpace(in.Stage)
	if err := CheckTransition(p, c.Stage, stage); err != nil {
		return err
	}
	st, _ := p.Stage(stage)
	date, err := s.stepDate(ctx, tx, c, in.Date)
	if err != nil {
		return err
	}
	fields, err := CleanFields(st, in.Fields, s.today())
	if err != nil {
		return err
	}
	step := StepRec{Stage: stage, Date: date, Code: stepCode(st, fields), Fields: fields}
	if _, err := s.insertStep(ctx, tx, c.ID, step, key); err != nil {
		return err
	}
	if err := s.applyStep(ctx, tx, c, p, st, step); err != nil {
		return err
	}
	return s.journal.Append(ctx, tx, audit.Entry{Action: "health.step", Entity: "health_case", EntityID: fmt.Sprint(c.ID),
		Before: map[string]any{"stage": c.Stage, "status": c.Status},
		After:  map[string]any{"stage": stage, "date": date, "code": step.Code}})
}

// stepDate defaults to today and may not precede the case's last step.
func (s *Service) stepDate(ctx context.Context, tx *db.Tx, c Case, raw string) (string, error) {
	date := strings.TrimSpace(raw)
	if date == "" {
		date = s.today()
	}
	if err := checkDate(date, s.today(), false); err != nil {
		return "", apperr.InvalidField("date", "日期"+err.Error())
	}
	var last string
	if err := tx.QueryRow(ctx, `SELECT MAX(step_date) FROM health_steps WHERE case_id = ?`, c.ID).Scan(&last); err != nil {
		return "", apperr.Wrap(err, "last step date")
	}
	if date < last {
		return "", apperr.InvalidField("date", fmt.Sprintf("日期不能早于上一环节的日期 %s", last))
	}
	return date, nil
}

// applyStep moves the case to the step's stage and updates its visits.
func (s *Service) applyStep(ctx context.Context, tx *db.Tx, c Case, p Program, st Stage, step StepRec) error {
	status, closedOn := "open", any(nil)
	if closesCase(st, step.Code) {
		status, closedOn = "closed", step.Date
	}
	if _, err := tx.Exec(ctx, `UPDATE health_cases SET stage = ?, status = ?, closed_on = ?, version = version + 1,
		updated_at = ?, updated_by = ? WHERE id = ?`, st.Code, status, closedOn, db.Now(), auth.From(ctx).Username, c.ID); err != nil {
		return err
	}
	eff := OnStep(p, step)
	if err := s.completeByStep(ctx, tx, c.ID, eff.Complete, step.Date); err != nil {
		return err
	}
	if err := s.lapse(ctx, tx, c.ID, eff.Lapse, st.Code, step.Date); err != nil {
		return err
	}
	if status == "closed" {
		// Whatever the rules still expected is no longer needed once the case ends.
		if err := s.lapse(ctx, tx, c.ID, ruleKinds(p), "closed", step.Date); err != nil {
			return err
		}
	} else {
		person := personRow{ID: c.PersonID, ResPath: c.path}
		if err := s.createVisits(ctx, tx, c.ID, person, p.Code, eff.Create); err != nil {
			return err
		}
	}
	c.Stage, c.Status = st.Code, status
	return s.runHooks(ctx, tx, c, step)
}

func ruleKinds(p Program) []string {
	out := make([]string, 0, len(p.Visits))
	for _, r := range p.Visits {
		out = append(out, r.Kind)
	}
	return out
}

func (s *Service) runHooks(ctx context.Context, tx *db.Tx, c Case, step StepRec) error {
	for _, h := range s.hooks {
		if err := h(ctx, tx, c, step); err != nil {
			return err
		}
	}
	return nil
}

// Reopen opens a closed case again so it can be corrected or continued; the
// reason is kept as a step and in the audit journal.
func (s *Service) Reopen(ctx context.Context, caseID int64, in ReopenInput) (CaseDetail, error) {
	pr := auth.From(ctx)
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return CaseDetail{}, apperr.InvalidField("reason", "请说明重新打开个案的原因")
	}
	if len([]rune(reason)) > maxText {
		return CaseDetail{}, apperr.InvalidField("reason", fmt.Sprintf("原因不能超过 %d 个字", maxText))
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		c, err := s.loadCase(ctx, tx.Conn, pr, caseID)
		if err != nil {
			return err
		}
		if c.Status != "closed" {
			return apperr.New(apperr.Conflict, "个案未结案，无需重新打开")
		}
		if p, _ := ProgramOf(c.Program); !hasStage(p, "closed") {
			return apperr.New(apperr.Conflict, "“"+p.Name+"”登记后即完成，不能重新打开；如登记有误，请重新登记并在备注中说明")
		}
		back, err := stageBeforeClose(ctx, tx.Conn, c)
		if err != nil {
			return err
		}
		if _, err := s.insertStep(ctx, tx, c.ID, StepRec{Stage: "reopened", Date: s.today(),
			Fields: map[string]any{"reason": reason}}, ""); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE health_cases SET status = 'open', stage = ?, closed_on = NULL,
			version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?`, back, db.Now(), pr.Username, c.ID); err != nil {
			return err
		}
		if err := unlapseClosed(ctx, tx, c.ID); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.reopen", Entity: "health_case", EntityID: fmt.Sprint(c.ID),
			Before: map[string]any{"status": "closed", "stage": c.Stage}, After: map[string]any{"status": "open", "stage": back},
			Remark: reason})
	})
	if err != nil {
		return CaseDetail{}, err
	}
	return s.Detail(ctx, caseID, false)
}

// stageBeforeClose is the stage a reopened case returns to: the one before
// the manual close, or the closing stage itself when reaching it ended the
// case (a treatment recorded, a normal result).
func stageBeforeClose(ctx context.Context, c db.Conn, k Case) (string, error) {
	if k.Stage != "closed" {
		return k.Stage, nil
	}
	var stage string
	err := c.QueryRow(ctx, `SELECT stage FROM health_steps WHERE case_id = ? AND stage NOT IN ('closed', 'reopened')
		ORDER BY id DESC LIMIT 1`, k.ID).Scan(&stage)
	return stage, apperr.Wrap(err, "stage before close")
}

// checkSubject applies who a program serves: women's services need a
// woman; nobody deceased is served.
func checkSubject(p Program, person personRow, date string) error {
	switch person.Status {
	case "deceased":
		return apperr.InvalidField("person_id", person.Name+" 已登记死亡")
	case "moved_out":
		return apperr.InvalidField("person_id", person.Name+" 已迁出本县，请由现居住地提供服务")
	}
	if (p.Subject == SubjectWoman || p.Subject == SubjectCouple) && person.Sex != "female" {
		return apperr.InvalidField("person_id", "“"+p.Name+"”的服务对象应为女性，请选择妻子或本人")
	}
	if person.Birth != "" && date < person.Birth {
		return apperr.InvalidField("date", "日期早于服务对象的出生日期")
	}
	return nil
}

// partner checks the partner of a couple's service, when one is named.
func (s *Service) partner(ctx context.Context, tx *db.Tx, pr *auth.Principal, p Program, id *int64, personID int64) (any, error) {
	if id == nil || *id == 0 {
		return nil, nil
	}
	if p.Subject != SubjectCouple && p.Subject != SubjectParent {
		return nil, apperr.InvalidField("partner_id", "“"+p.Name+"”不登记配偶")
	}
	if *id == personID {
		return nil, apperr.InvalidField("partner_id", "配偶不能是本人")
	}
	if _, err := personInScope(ctx, tx.Conn, pr, *id, "partner_id"); err != nil {
		return nil, err
	}
	return *id, nil
}

// noOpenTwin refuses a second open case of a program a person can only be
// in once at a time: one pregnancy, one pre-pregnancy check, one screening.
// Procedures and registrations can repeat.
func noOpenTwin(ctx context.Context, c db.Conn, p Program, personID int64) error {
	if p.Code == PostOp || p.Code == BirthReg {
		return nil
	}
	var id int64
	err := c.QueryRow(ctx, `SELECT id FROM health_cases WHERE person_id = ? AND program = ? AND status = 'open'`,
		personID, p.Code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return apperr.Wrap(err, "open twin")
	}
	return apperr.New(apperr.Conflict, fmt.Sprintf("此人已有进行中的“%s”个案（编号 %d），请在原个案中登记", p.Name, id))
}

// regNumber numbers a birth registration: 生育登记 + county + year + a
// sequence per county and year, e.g. SY341523-2026-000017.
func (s *Service) regNumber(ctx context.Context, tx *db.Tx, p Program, person personRow, date string) (string, error) {
	if p.Code != BirthReg {
		return "", nil
	}
	county := db.CountyCode(person.ResPath)
	n, err := nextNumber(ctx, tx, "birth_reg/"+county+"/"+date[:4])
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("SY%s-%s-%06d", county, date[:4], n), nil
}

// nextNumber takes the next number of a sequence (1, 2, …), serialising
// concurrent takers so no number is given twice.
func nextNumber(ctx context.Context, tx *db.Tx, scope string) (int, error) {
	if err := tx.Lock(ctx, "health_counter/"+scope); err != nil {
		return 0, err
	}
	var last int
	err := tx.QueryRow(ctx, `SELECT last FROM health_counters WHERE scope = ?`, scope).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.Exec(ctx, `INSERT INTO health_counters (scope, last) VALUES (?, 1)`, scope)
	case err == nil:
		_, err = tx.Exec(ctx, `UPDATE health_counters SET last = last + 1 WHERE scope = ?`, scope)
	}
	if err != nil {
		return 0, apperr.Wrap(err, "counter "+scope)
	}
	return last + 1, nil
}

// insertStep appends a step with its details encrypted.
func (s *Service) insertStep(ctx context.Context, tx *db.Tx, caseID int64, st StepRec, key string) (int64, error) {
	raw, err := json.Marshal(st.Fields)
	if err != nil {
		return 0, apperr.Wrap(err, "step details")
	}
	enc, err := s.cipher.Encrypt(fieldDetails, string(raw))
	if err != nil {
		return 0, apperr.Wrap(err, "encrypt step details")
	}
	return tx.InsertID(ctx, `INSERT INTO health_steps (case_id, stage, step_date, code, details_enc, request_key, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, caseID, st.Stage, st.Date, nullText(st.Code), enc, nullText(key),
		auth.From(ctx).Username, db.Now())
}

func cleanKey(k string) (string, error) {
	k = strings.TrimSpace(k)
	if len(k) > maxKey {
		return "", apperr.InvalidField("request_key", fmt.Sprintf("request_key 不能超过 %d 个字符", maxKey))
	}
	return k, nil
}

func (s *Service) caseByKey(ctx context.Context, key string) (int64, bool) {
	return idByKey(ctx, s.db.Reader(), "health_cases", key)
}

func (s *Service) stepByKey(ctx context.Context, key string) (int64, bool) {
	return idByKey(ctx, s.db.Reader(), "health_steps", key)
}

func idByKey(ctx context.Context, c db.Conn, table, key string) (int64, bool) {
	if key == "" {
		return 0, false
	}
	var id int64
	err := c.QueryRow(ctx, `SELECT id FROM `+table+` WHERE request_key = ?`, key).Scan(&id)
	return id, err == nil
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// reached lists the stages a case has recorded, for the recurrence rules.
func reached(ctx context.Context, c db.Conn, caseID int64) ([]string, error) {
	rows, err := c.Query(ctx, `SELECT DISTINCT stage FROM health_steps WHERE case_id = ?`, caseID)
	if err != nil {
		return nil, apperr.Wrap(err, "reached stages")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			return nil, apperr.Wrap(err, "scan stage")
		}
		out = append(out, st)
	}
	slices.Sort(out)
	return out, apperr.Wrap(rows.Err(), "reached stages")
}

func hasStage(p Program, code string) bool {
	_, ok := p.Stage(code)
	return ok
}
