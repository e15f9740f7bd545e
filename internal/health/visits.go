package health

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// createVisits stores the visits the rules call for; a visit a rule has
// already scheduled for the case is not scheduled twice.
func (s *Service) createVisits(ctx context.Context, tx *db.Tx, caseID int64, person personRow, program string, dues []Due) error {
	now := db.Now()
	for _, d := range dues {
		if _, err := tx.Exec(ctx, `INSERT INTO health_visits (case_id, person_id, program, kind, seq, division_path,
			due_on, window_days, planned_on, created_at, updated_at)
			SELECT ?, ?, ?, ?, ?, c.division_path, ?, ?, ?, ?, ? FROM health_cases c WHERE c.id = ?
			AND NOT EXISTS (SELECT 1 FROM health_visits v WHERE v.case_id = ? AND v.kind = ? AND v.seq = ?)`,
			caseID, person.ID, program, d.Kind, d.Seq, d.DueOn, d.Window, d.DueOn, now, now, caseID,
			caseID, d.Kind, d.Seq); err != nil {
			return apperr.Wrap(err, "schedule visit")
		}
	}
	return nil
}

// completeByStep marks the open items a step completes as done on its date.
func (s *Service) completeByStep(ctx context.Context, tx *db.Tx, caseID int64, kinds []string, date string) error {
	for _, k := range kinds {
		if _, err := tx.Exec(ctx, `UPDATE health_visits SET status = 'done', done_on = ?, method = 'step',
			version = version + 1, updated_at = ? WHERE case_id = ? AND kind = ? AND status = 'open'`,
			date, db.Now(), caseID, k); err != nil {
			return apperr.Wrap(err, "complete visit")
		}
	}
	return nil
}

// lapse ends the open visits of kinds that the case no longer needs since
// it reached stage.
func (s *Service) lapse(ctx context.Context, tx *db.Tx, caseID int64, kinds []string, stage, date string) error {
	for _, k := range kinds {
		if _, err := tx.Exec(ctx, `UPDATE health_visits SET status = 'lapsed', lapsed_on = ?, lapsed_by = ?, version = version + 1,
			updated_at = ? WHERE case_id = ? AND kind = ? AND status = 'open'`, date, stage, db.Now(), caseID, k); err != nil {
			return apperr.Wrap(err, "lapse visit")
		}
	}
	return nil
}

// unlapseClosed brings back the visits that closing the case ended, when
// the case is reopened.
func unlapseClosed(ctx context.Context, tx *db.Tx, caseID int64) error {
	_, err := tx.Exec(ctx, `UPDATE health_visits SET status = 'open', lapsed_on = NULL, lapsed_by = NULL,
		version = version + 1, updated_at = ? WHERE case_id = ? AND status = 'lapsed' AND lapsed_by = 'closed'`, db.Now(), caseID)
	return apperr.Wrap(err, "reopen visits")
}

// visitRow is a visit with what recording a contact needs.
type visitRow struct {
	Visit
	caseStatus string
	personID   int64
	path       string
}

func (s *Service) loadVisit(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (visitRow, error) {
	cond, args := db.Subtree("v.division_path", pr.DivisionPath)
	var v visitRow
	var done, method, lapsed, assigned nullString
	err := c.QueryRow(ctx, `SELECT v.id, v.case_id, v.program, v.kind, v.seq, v.due_on, v.planned_on, v.window_days,
		v.status, v.done_on, v.method, v.lapsed_on, v.assigned_to, v.version, c.status, v.person_id, v.division_path
		FROM health_visits v JOIN health_cases c ON c.id = v.case_id WHERE v.id = ? AND `+cond,
		append([]any{id}, args...)...).Scan(&v.ID, &v.CaseID, &v.Program, &v.Kind, &v.Seq, &v.DueOn, &v.PlannedOn, &v.Window,
		&v.Status, &done, &method, &lapsed, &assigned, &v.Version, &v.caseStatus, &v.personID, &v.path)
	if err != nil {
		return v, db.NotFound(err, "随访记录不存在")
	}
	v.DoneOn, v.Method, v.LapsedOn, v.AssignedTo = done.String, method.String, lapsed.String, assigned.String
	return v, nil
}

// RecordContact records the outcome of a visit: a home or phone visit
// completes it; "not reached" is kept as an attempt and the visit stays due.
func (s *Service) RecordContact(ctx context.Context, visitID int64, in ContactInput) (Visit, error) {
	pr := auth.From(ctx)
	key, err := cleanKey(in.RequestKey)
	if err != nil {
		return Visit{}, err
	}
	if _, found := idByKey(ctx, s.db.Reader(), "health_contacts", key); found {
		return s.visitView(ctx, pr, visitID)
	}
	c, err := s.cleanContact(in)
	if err != nil {
		return Visit{}, err
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error { return s.recordContact(ctx, tx, pr, visitID, c, key) })
	if err != nil {
		if _, found := idByKey(ctx, s.db.Reader(), "health_contacts", key); found && db.IsUniqueViolation(err) {
			return s.visitView(ctx, pr, visitID)
		}
		return Visit{}, err
	}
	return s.visitView(ctx, pr, visitID)
}

func (s *Service) cleanContact(in ContactInput) (ContactInput, error) {
	in.Method, in.Reason, in.Note = strings.TrimSpace(in.Method), strings.TrimSpace(in.Reason), strings.TrimSpace(in.Note)
	if in.Date = strings.TrimSpace(in.Date); in.Date == "" {
		in.Date = s.today()
	}
	if err := checkDate(in.Date, s.today(), false); err != nil {
		return in, apperr.InvalidField("date", "随访日期"+err.Error())
	}
	switch in.Method {
	case MethodHome, MethodPhone:
	case MethodNotReached:
		if !hasOption(NotReachedReasons, in.Reason) {
			return in, apperr.InvalidField("reason", "未联系上时请选择原因")
		}
	default:
		return in, apperr.InvalidField("method", "随访方式应为入户随访、电话随访或未联系上")
	}
	if len([]rune(in.Note)) > maxText {
		return in, apperr.InvalidField("note", fmt.Sprintf("备注不能超过 %d 个字", maxText))
	}
	return in, nil
}

func (s *Service) recordContact(ctx context.Context, tx *db.Tx, pr *auth.Principal, visitID int64, in ContactInput, key string) error {
	v, err := s.loadVisit(ctx, tx.Conn, pr, visitID)
	if err != nil {
		return err
	}
	if v.caseStatus == "closed" {
		return apperr.New(apperr.Conflict, "个案已结案。如需补录随访，请先重新打开个案并说明原因")
	}
	if v.Status != "open" {
		return apperr.New(apperr.Conflict, "这次随访已完成或已不需要，无需再登记")
	}
	p, _ := ProgramOf(v.Program)
	rule, _ := p.Rule(v.Kind)
	enc, err := s.cipher.Encrypt(fieldDetails, in.Note)
	if err != nil {
		return apperr.Wrap(err, "encrypt contact note")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO health_contacts (visit_id, case_id, contact_date, method, reason, details_enc,
		request_key, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, v.CaseID, in.Date, in.Method,
		nullText(in.Reason), enc, nullText(key), pr.Username, db.Now()); err != nil {
		return err
	}
	if in.Method != MethodNotReached && rule.DoneBy == "" {
		if err := s.completeVisit(ctx, tx, v, rule, in); err != nil {
			return err
		}
	}
	return s.journal.Append(ctx, tx, audit.Entry{Action: "health.contact", Entity: "health_visit", EntityID: fmt.Sprint(v.ID),
		After: map[string]any{"case_id": v.CaseID, "kind": v.Kind, "method": in.Method, "date": in.Date, "reason": in.Reason}})
}

// completeVisit marks a visit done, schedules the next of a recurring
// rule, and closes the case when nothing is left to do after its last stage.
func (s *Service) completeVisit(ctx context.Context, tx *db.Tx, v visitRow, rule VisitRule, in ContactInput) error {
	if _, err := tx.Exec(ctx, `UPDATE health_visits SET status = 'done', done_on = ?, method = ?, version = version + 1,
		updated_at = ? WHERE id = ?`, in.Date, in.Method, db.Now(), v.ID); err != nil {
		return err
	}
	stages, err := reached(ctx, tx.Conn, v.CaseID)
	if err != nil {
		return err
	}
	if next, ok := OnVisitDone(rule, v.Seq, in.Date, stages); ok {
		return s.createVisits(ctx, tx, v.CaseID, personRow{ID: v.personID, ResPath: v.path}, v.Program, []Due{next})
	}
	return s.closeIfDone(ctx, tx, v.CaseID)
}

// closeIfDone closes a case whose stage leads only to closing and that has
// no open visit left: a procedure after its six-month visit, a pregnancy
// after its postpartum visit.
func (s *Service) closeIfDone(ctx context.Context, tx *db.Tx, caseID int64) error {
	var program, stage, status string
	if err := tx.QueryRow(ctx, `SELECT program, stage, status FROM health_cases WHERE id = ?`, caseID).Scan(&program, &stage, &status); err != nil {
		return apperr.Wrap(err, "case for close")
	}
	p, _ := ProgramOf(program)
	st, _ := p.Stage(stage)
	if status != "open" || !slices.Equal(st.Next, []string{"closed"}) {
		return nil
	}
	var open int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM health_visits WHERE case_id = ? AND status = 'open'`, caseID).Scan(&open); err != nil {
		return apperr.Wrap(err, "open visits")
	}
	if open > 0 {
		return nil
	}
	today := s.today()
	if _, err := s.insertStep(ctx, tx, caseID, StepRec{Stage: "closed", Date: today, Code: "completed",
		Fields: map[string]any{"reason": "completed"}}, ""); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE health_cases SET stage = 'closed', status = 'closed', closed_on = ?, version = version + 1,
		updated_at = ?, updated_by = ? WHERE id = ?`, today, db.Now(), auth.From(ctx).Username, caseID)
	return err
}

// Reschedule moves a visit's planned date. The due date stays, so the
// visit's timeliness is still measured against what the rule asked.
func (s *Service) Reschedule(ctx context.Context, visitID int64, in RescheduleInput) (Visit, error) {
	pr := auth.From(ctx)
	date, reason := strings.TrimSpace(in.Date), strings.TrimSpace(in.Reason)
	if err := checkDate(date, "9999-12-31", true); err != nil {
		return Visit{}, apperr.InvalidField("date", "新的随访日期"+err.Error())
	}
	if date < s.today() {
		return Visit{}, apperr.InvalidField("date", "新的随访日期不能早于今天")
	}
	if reason == "" {
		return Visit{}, apperr.InvalidField("reason", "请说明调整随访日期的原因")
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		v, err := s.loadVisit(ctx, tx.Conn, pr, visitID)
		if err != nil {
			return err
		}
		if v.Status != "open" || v.caseStatus != "open" {
			return apperr.New(apperr.Conflict, "只能调整未完成的随访")
		}
		if in.Version != v.Version {
			return apperr.New(apperr.Conflict, "随访已被他人修改，请刷新后重试")
		}
		if _, err := tx.Exec(ctx, `UPDATE health_visits SET planned_on = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			date, db.Now(), v.ID); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "health.reschedule", Entity: "health_visit", EntityID: fmt.Sprint(v.ID),
			Before: map[string]any{"planned_on": v.PlannedOn, "due_on": v.DueOn}, After: map[string]any{"planned_on": date},
			Remark: reason})
	})
	if err != nil {
		return Visit{}, err
	}
	return s.visitView(ctx, pr, visitID)
}

// visitView answers a visit after a change, with its contacts.
func (s *Service) visitView(ctx context.Context, pr *auth.Principal, id int64) (Visit, error) {
	v, err := s.loadVisit(ctx, s.db.Reader(), pr, id)
	if err != nil {
		return Visit{}, err
	}
	vs := []Visit{v.Visit}
	if err := s.fillVisits(ctx, s.db.Reader(), vs); err != nil {
		return Visit{}, err
	}
	return vs[0], nil
}
