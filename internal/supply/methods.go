package supply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
)

// MethodInput records a person's method in the register. Another package
// calls RecordMethod with it inside its own transaction when it records a
// procedure (IUD insertion → iud, removal → none, sterilisation).
type MethodInput struct {
	PersonID int64
	Method   string
	Since    string // YYYY-MM-DD; "" means today
	Source   string // SourceDispensing, SourceProcedure or SourceOfficer
	Note     string
}

// OfficerMethodInput is the body of recording a method an officer was told.
type OfficerMethodInput struct {
	Method string `json:"method"`
	Since  string `json:"since"`
	Note   string `json:"note"`
}

// MethodUse is one entry of a person's method history: the method from
// Since until Until (exclusive; "" while current).
type MethodUse struct {
	ID          int64  `json:"id"`
	Method      string `json:"method"`
	MethodLabel string `json:"method_label"`
	Since       string `json:"since"`
	Until       string `json:"until"`
	Source      string `json:"source"`
	SourceLabel string `json:"source_label"`
	Note        string `json:"note"`
	MoveID      *int64 `json:"move_id"`
	RecordedBy  string `json:"recorded_by"`
	CreatedAt   string `json:"created_at"`
}

// Dispensing is one handing-over of contraceptives to a person.
type Dispensing struct {
	MoveID      int64  `json:"move_id"`
	MovedOn     string `json:"moved_on"`
	SiteName    string `json:"site_name"`
	ItemName    string `json:"item_name"`
	Unit        string `json:"unit"`
	BatchNo     string `json:"batch_no"`
	Qty         int    `json:"qty"`
	Method      string `json:"method"`
	MethodLabel string `json:"method_label"`
	Reversed    bool   `json:"reversed"`
	RecordedBy  string `json:"recorded_by"`
}

// PersonMethods is a person's method register and dispensing history.
type PersonMethods struct {
	PersonID    int64        `json:"person_id"`
	Name        string       `json:"name"`
	Current     *MethodUse   `json:"current"`
	History     []MethodUse  `json:"history"` // newest first
	Dispensings []Dispensing `json:"dispensings"`
}

// DispenseInput is the body of dispensing to a person (发放到人).
type DispenseInput struct {
	SiteID     int64  `json:"site_id"`
	PersonID   int64  `json:"person_id"`
	ItemID     int64  `json:"item_id"`
	BatchNo    string `json:"batch_no"` // "" picks the earliest-expiring batch (FEFO)
	Qty        int    `json:"qty"`
	Method     string `json:"method"` // the method the person chose; "" means the item's own
	MovedOn    string `json:"moved_on"`
	Note       string `json:"note"`
	RequestKey string `json:"request_key"`
}

func cleanMethod(in MethodInput, today string) (MethodInput, error) {
	in.Method, in.Source, in.Note = strings.TrimSpace(in.Method), strings.TrimSpace(in.Source), strings.TrimSpace(in.Note)
	if in.PersonID <= 0 {
		return in, apperr.InvalidField("person_id", "请选择人员")
	}
	if !methods.Has(in.Method) {
		return in, apperr.InvalidField("method", "避孕方法应为 "+methods.Values())
	}
	var err error
	if in.Since, err = checkDate("since", "开始日期", in.Since, today); err != nil {
		return in, err
	}
	if !useSources.Has(in.Source) {
		return in, apperr.InvalidField("source", "登记来源应为 "+useSources.Values())
	}
	return in, check.Text("note", "备注", in.Note, maxNote, false)
}

// RecordMethod records in.Method as the person's method from in.Since,
// ending the method they had, inside the caller's transaction, with its
// audit entry. The caller has checked that the person is in scope. The
// same method again changes nothing; a start before the current method's
// start is refused, since the register is a history in date order.
func (s *Service) RecordMethod(ctx context.Context, tx *db.Tx, in MethodInput) error {
	_, err := s.recordMethod(ctx, tx, in, nil, false)
	return err
}

// recordMethod is RecordMethod that links the entry to a dispensing move
// and, with keepNewer, leaves a newer entry alone instead of refusing: a
// dispensing typed in late must not undo a later choice. It reports
// whether the register changed.
func (s *Service) recordMethod(ctx context.Context, tx *db.Tx, in MethodInput, moveID *int64, keepNewer bool) (bool, error) {
	in, err := cleanMethod(in, s.today())
	if err != nil {
		return false, err
	}
	if err := personExists(ctx, tx.Conn, in.PersonID); err != nil {
		return false, err
	}
	// Serialises two recordings for one person on PostgreSQL; the unique
	// index on open entries is the backstop.
	if err := tx.Lock(ctx, fmt.Sprintf("supply.method:%d", in.PersonID)); err != nil {
		return false, apperr.Wrap(err, "lock method register")
	}
	cur, ok, err := currentUse(ctx, tx.Conn, in.PersonID)
	if err != nil || (ok && cur.Method == in.Method) {
		return false, err
	}
	if ok && in.Since < cur.Since {
		if keepNewer {
			return false, nil
		}
		return false, apperr.InvalidField("since", fmt.Sprintf("开始日期不能早于当前方法“%s”的开始日期 %s", cur.MethodLabel, cur.Since))
	}
	if ok {
		if _, err := tx.Exec(ctx, `UPDATE contraceptive_use SET until = ? WHERE id = ? AND until IS NULL`, in.Since, cur.ID); err != nil {
			return false, apperr.Wrap(err, "end method")
		}
	}
	pr := auth.From(ctx)
	id, err := tx.InsertID(ctx, `INSERT INTO contraceptive_use (person_id, method, since, source, note, move_id, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.PersonID, in.Method, in.Since, in.Source, in.Note, idArg(moveID), principalName(pr), db.Now())
	if err != nil {
		return false, apperr.Wrap(err, "insert method")
	}
	var before any
	if ok {
		before = cur
	}
	return true, s.journal.Append(ctx, tx, audit.Entry{Action: "supply.method", Entity: "person",
		EntityID: fmt.Sprint(in.PersonID), Before: before, After: in,
		Remark: fmt.Sprintf("避孕方法登记 %d（%s）", id, useSources.Label(in.Source))})
}

func principalName(pr *auth.Principal) string {
	if pr == nil {
		return ""
	}
	return pr.Username
}

func personExists(ctx context.Context, c db.Conn, id int64) error {
	var n int
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM persons WHERE id = ?`, id).Scan(&n); err != nil {
		return apperr.Wrap(err, "person exists")
	}
	if n == 0 {
		return apperr.InvalidField("person_id", "人员不存在")
	}
	return nil
}

const useCols = `u.id, u.method, u.since, u.until, u.source, u.note, u.move_id, u.recorded_by, u.created_at`

func scanUse(sc scanner) (MethodUse, error) {
	var u MethodUse
	var until sql.NullString
	var move sql.NullInt64
	err := sc.Scan(&u.ID, &u.Method, &u.Since, &until, &u.Source, &u.Note, &move, &u.RecordedBy, &u.CreatedAt)
	u.Until, u.MoveID = until.String, nullInt64(move)
	u.MethodLabel, u.SourceLabel = methods.Label(u.Method), useSources.Label(u.Source)
	return u, err
}

// currentUse is the person's open register entry, if any.
func currentUse(ctx context.Context, c db.Conn, personID int64) (MethodUse, bool, error) {
	u, err := scanUse(c.QueryRow(ctx, `SELECT `+useCols+` FROM contraceptive_use u WHERE u.person_id = ? AND u.until IS NULL`, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return u, false, nil
	}
	return u, err == nil, apperr.Wrap(err, "current method")
}

// servedPerson reads a person of the caller's area who can be served: a
// person outside it, or deceased, is a mistake in field.
func servedPerson(ctx context.Context, c db.Conn, pr *auth.Principal, field string, id int64) (string, error) {
	name, status, err := personInScope(ctx, c, pr, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return "", apperr.InvalidField(field, "所选人员不存在或不在您的管辖范围内")
	}
	if err == nil && status == "deceased" {
		return "", apperr.InvalidField(field, "所选人员已死亡")
	}
	return name, err
}

// personInScope reads a person's name and status if their registered or
// residence division lies in pr's area (the registry's rule).
func personInScope(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (string, string, error) {
	cond, args := db.PersonScope("p", pr.DivisionPath)
	var name, status string
	err := c.QueryRow(ctx, `SELECT p.name, p.status FROM persons p WHERE p.id = ? AND `+cond,
		append([]any{id}, args...)...).Scan(&name, &status)
	return name, status, db.NotFound(err, "人员不存在")
}

func cleanDispense(in DispenseInput, today string) (DispenseInput, error) {
	var err error
	if in.MovedOn, err = checkDate("moved_on", "发放日期", in.MovedOn, today); err != nil {
		return in, err
	}
	switch {
	case in.SiteID <= 0:
		return in, apperr.InvalidField("site_id", "请选择发放库点")
	case in.PersonID <= 0:
		return in, apperr.InvalidField("person_id", "请选择领取人")
	case in.ItemID <= 0:
		return in, apperr.InvalidField("item_id", "请选择药具")
	}
	if in.BatchNo, err = checkBatchNo("batch_no", in.BatchNo); err != nil {
		return in, err
	}
	if err := checkQty("qty", in.Qty); err != nil {
		return in, err
	}
	in.Method, in.Note = strings.TrimSpace(in.Method), strings.TrimSpace(in.Note)
	if in.Method != "" && (!methods.Has(in.Method) || in.Method == MethodNone) {
		return in, apperr.InvalidField("method", "请选择领取人知情选择的避孕方法："+methods[:len(methods)-1].Values())
	}
	if err := check.Text("note", "备注", in.Note, maxNote, false); err != nil {
		return in, err
	}
	in.RequestKey, err = checkRequestKey(in.RequestKey)
	return in, err
}

// Dispense hands contraceptives to a person of the caller's area from a
// site of it, and records the method they chose in the register when it
// differs from their current one.
func (s *Service) Dispense(ctx context.Context, in DispenseInput) (OpResult, error) {
	today := s.today()
	in, err := cleanDispense(in, today)
	if err != nil {
		return OpResult{}, err
	}
	pr := auth.From(ctx)
	res, err := s.submit(ctx, in.RequestKey, KindDispense, func(tx *db.Tx) ([]int64, error) {
		site, err := siteForMove(ctx, tx.Conn, pr, "site_id", in.SiteID)
		if err != nil {
			return nil, err
		}
		if _, err := servedPerson(ctx, tx.Conn, pr, "person_id", in.PersonID); err != nil {
			return nil, err
		}
		it, err := usableItem(ctx, tx.Conn, "item_id", in.ItemID, false)
		if err != nil {
			return nil, err
		}
		if in.Method == "" {
			in.Method = it.Method
		}
		ids, err := dispenseStock(ctx, tx, pr, site, it, in, today)
		if err != nil {
			return nil, err
		}
		_, err = s.recordMethod(ctx, tx, MethodInput{PersonID: in.PersonID, Method: in.Method, Since: in.MovedOn,
			Source: SourceDispensing}, &ids[0], true)
		if err != nil {
			return nil, err
		}
		return ids, s.journal.Append(ctx, tx, audit.Entry{Action: "supply.dispense", Entity: "supply",
			EntityID: fmt.Sprint(ids[0]), After: in, Remark: journalRemark(KindDispense, ids)})
	})
	if err == nil && !res.Replayed {
		res.Method, res.MethodLabel = in.Method, methods.Label(in.Method)
	}
	return res, err
}

// dispenseStock takes the quantity from the site (a named batch, else
// FEFO over unexpired batches) and writes one move per batch used.
func dispenseStock(ctx context.Context, tx *db.Tx, pr *auth.Principal, site Site, it Item, in DispenseInput, today string) ([]int64, error) {
	allocs, err := pick(ctx, tx.Conn, "batch_no", site, it, in.BatchNo, in.Qty, today, false)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, a := range allocs {
		if err := take(ctx, tx, site, a.b, a.qty); err != nil {
			return nil, err
		}
		id, err := insertMove(ctx, tx, moveRow{kind: KindDispense, site: site, b: a.b, qty: -a.qty, personID: &in.PersonID,
			method: in.Method, note: in.Note, requestKey: in.RequestKey, line: len(ids) + 1, movedOn: in.MovedOn}, pr.Username)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// PersonMethods returns a person's method register and dispensings. It is
// health data: the view is written to the audit journal in the same
// transaction that reads it.
func (s *Service) PersonMethods(ctx context.Context, personID int64) (PersonMethods, error) {
	pr := auth.From(ctx)
	out := PersonMethods{PersonID: personID}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		name, _, err := personInScope(ctx, tx.Conn, pr, personID)
		if err != nil {
			return err
		}
		out.Name = name
		if out.History, err = history(ctx, tx.Conn, personID); err != nil {
			return err
		}
		if out.Dispensings, err = dispensings(ctx, tx.Conn, personID); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "supply.person_view", Entity: "person",
			EntityID: fmt.Sprint(personID), Remark: "查看避孕方法登记和药具发放记录"})
	})
	if err != nil {
		return PersonMethods{}, err
	}
	if len(out.History) > 0 && out.History[0].Until == "" {
		out.Current = &out.History[0]
	}
	return out, nil
}

func history(ctx context.Context, c db.Conn, personID int64) ([]MethodUse, error) {
	rows, err := c.Query(ctx, `SELECT `+useCols+` FROM contraceptive_use u WHERE u.person_id = ?
		ORDER BY u.since DESC, u.id DESC`, personID)
	if err != nil {
		return nil, apperr.Wrap(err, "method history")
	}
	defer rows.Close()
	out := []MethodUse{}
	for rows.Next() {
		u, err := scanUse(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan method")
		}
		out = append(out, u)
	}
	return out, apperr.Wrap(rows.Err(), "method rows")
}

func dispensings(ctx context.Context, c db.Conn, personID int64) ([]Dispensing, error) {
	rows, err := c.Query(ctx, `SELECT m.id, m.moved_on, s.name, i.name, i.unit, b.batch_no, -m.qty, m.method,
		EXISTS (SELECT 1 FROM supply_moves r WHERE r.reverses_id = m.id), m.created_by
		FROM supply_moves m JOIN supply_sites s ON s.id = m.site_id JOIN supply_items i ON i.id = m.item_id
		JOIN supply_batches b ON b.id = m.batch_id
		WHERE m.person_id = ? AND m.kind = 'dispense' ORDER BY m.moved_on DESC, m.id DESC`, personID)
	if err != nil {
		return nil, apperr.Wrap(err, "dispensings")
	}
	defer rows.Close()
	out := []Dispensing{}
	for rows.Next() {
		var d Dispensing
		var method sql.NullString
		if err := rows.Scan(&d.MoveID, &d.MovedOn, &d.SiteName, &d.ItemName, &d.Unit, &d.BatchNo, &d.Qty, &method,
			&d.Reversed, &d.RecordedBy); err != nil {
			return nil, apperr.Wrap(err, "scan dispensing")
		}
		d.Method, d.MethodLabel = method.String, methods.Label(method.String)
		out = append(out, d)
	}
	return out, apperr.Wrap(rows.Err(), "dispensing rows")
}

// RecordOfficerMethod records the method a person told an officer about
// (including "none": stopped or not using any).
func (s *Service) RecordOfficerMethod(ctx context.Context, personID int64, in OfficerMethodInput) (MethodUse, error) {
	pr := auth.From(ctx)
	var cur MethodUse
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, _, err := personInScope(ctx, tx.Conn, pr, personID); err != nil {
			return err
		}
		changed, err := s.recordMethod(ctx, tx, MethodInput{PersonID: personID, Method: in.Method, Since: in.Since,
			Source: SourceOfficer, Note: in.Note}, nil, false)
		if err != nil {
			return err
		}
		if !changed {
			return apperr.InvalidField("method", "该人员当前登记的已是这种方法，无需重复登记")
		}
		cur, _, err = currentUse(ctx, tx.Conn, personID)
		return err
	})
	return cur, err
}
