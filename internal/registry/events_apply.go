package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// RecordEvent records a life event (or a correction) in its own transaction.
func (s *Service) RecordEvent(ctx context.Context, in EventInput) (Event, error) {
	pr := auth.From(ctx)
	var ev Event
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		ev, err = s.ApplyEvent(ctx, tx, pr, in)
		return err
	})
	return ev, err
}

// ApplyEvent records a life event inside the caller's transaction, for the
// HTTP handler (through RecordEvent) and for bulk importers alike: it
// validates the event, writes it, replays the history of every person it
// changes (the subject, and the spouse of a marriage or divorce) into their
// current state and periods, runs the change hooks and journals it. On an
// error nothing it wrote should be kept: the caller rolls back.
func (s *Service) ApplyEvent(ctx context.Context, tx *db.Tx, pr *auth.Principal, in EventInput) (Event, error) {
	if pr == nil {
		return Event{}, apperr.New(apperr.Unauthorized, "请先登录")
	}
	if auth.From(ctx) != pr {
		ctx = auth.WithPrincipal(ctx, pr)
	}
	in, err := cleanEvent(in, s.today())
	if err != nil {
		return Event{}, err
	}
	if in.Kind == KindBirth && in.Corrects == nil {
		return s.recordBirth(ctx, tx, pr, in)
	}
	return s.recordOnPerson(ctx, tx, pr, in)
}

// eventWrite is an event being recorded on an existing person.
type eventWrite struct {
	in       EventInput
	subject  Person
	old      *storedEvent // the event corrected, if any
	related  int64        // the spouse whose state the event changes too; 0 when none
	warnings []string
}

func (s *Service) recordOnPerson(ctx context.Context, tx *db.Tx, pr *auth.Principal, in EventInput) (Event, error) {
	if in.PersonID <= 0 {
		return Event{}, apperr.InvalidField("person_id", "请指定人员")
	}
	subject, err := loadPerson(ctx, tx.Conn, pr, in.PersonID)
	if err != nil {
		return Event{}, err
	}
	w := &eventWrite{in: in, subject: subject}
	if err := w.takeCorrected(ctx, tx); err != nil {
		return Event{}, err
	}
	if err := requireDetails(w.in); err != nil {
		return Event{}, err
	}
	if err := checkEventDivisions(ctx, tx, w.in, countyPath(subject.regPath)); err != nil {
		return Event{}, err
	}
	if err := s.findSpouse(ctx, tx, pr, w); err != nil {
		return Event{}, err
	}
	affected := w.affected()
	for _, id := range affected {
		if err := tx.Lock(ctx, "person.events:"+strconv.FormatInt(id, 10)); err != nil {
			return Event{}, apperr.Wrap(err, "lock person events")
		}
		if err := ensureBase(ctx, tx, id); err != nil {
			return Event{}, err
		}
	}
	id, err := insertEvent(ctx, tx, pr, w.in, subject.regPath, w.related)
	if err != nil {
		return Event{}, err
	}
	for _, pid := range affected {
		if err := recompute(ctx, tx, pid, pr.Username); err != nil {
			return Event{}, explainReplay(err, id, subject.ID, pid, nameInScope(ctx, tx.Conn, pr, pid))
		}
	}
	households, err := s.settleHousehold(ctx, tx, pr, subject.ID, w.in)
	if err != nil {
		return Event{}, err
	}
	if err := s.Notify(ctx, tx, Changed{Persons: affected, Households: households}); err != nil {
		return Event{}, err
	}
	if err := s.journalEvent(ctx, tx, id, w.in, w.old); err != nil {
		return Event{}, err
	}
	ev, err := s.eventView(ctx, tx.Conn, pr, subject.ID, id)
	ev.Warnings = w.warnings
	return ev, err
}

// takeCorrected loads the event a correction names and checks that it may
// be corrected this way; the correction inherits what it leaves empty.
func (w *eventWrite) takeCorrected(ctx context.Context, tx *db.Tx) error {
	if w.in.Corrects == nil {
		return nil
	}
	old, err := loadStoredEvent(ctx, tx.Conn, *w.in.Corrects)
	if err != nil || old.PersonID != w.subject.ID {
		return apperr.InvalidField("corrects", "所更正的事件不存在或不是该人员的事件")
	}
	var later int64
	err = tx.QueryRow(ctx, `SELECT id FROM person_events WHERE corrects_id = ?`, old.ID).Scan(&later)
	if err == nil {
		return apperr.InvalidField("corrects", fmt.Sprintf("该事件已被更正（记录 %d），请更正最新的记录", later))
	}
	if err != sql.ErrNoRows {
		return apperr.Wrap(err, "later correction")
	}
	switch {
	case old.Kind == KindVoid:
		return apperr.InvalidField("corrects", "作废记录不能再更正；如需恢复，请重新登记该事件")
	case old.Kind == KindBirth && w.in.Kind != KindBirth:
		return apperr.InvalidField("kind", "出生事件不能作废或改为其他事件，只能更正出生日期、性别、出生地点和户籍地")
	case w.in.Kind == KindBirth && old.Kind != KindBirth:
		return apperr.InvalidField("kind", "其他事件不能更正为出生事件")
	}
	inherit(&w.in, old)
	if w.in.Kind == KindVoid {
		w.in.Date = old.Date
	}
	if w.in.Kind == KindBirth {
		// Name, parents and household are the person record's: edited there.
		d, o := &w.in.EventDetails, old.Details
		d.Name, d.MotherID, d.FatherID, d.HouseholdID, d.Relation = o.Name, o.MotherID, o.FatherID, o.HouseholdID, o.Relation
		d.Ethnicity, d.HukouType = o.Ethnicity, o.HukouType
		if !sexes.has(d.Sex) {
			return apperr.InvalidField("sex", "性别应为 male（男）或 female（女）")
		}
	}
	w.old = &old
	return nil
}

// affected lists the persons whose history the event changes, in id order
// (the order locks are taken in).
func (w *eventWrite) affected() []int64 {
	ids := []int64{w.subject.ID}
	if w.related != 0 {
		ids = append(ids, w.related)
	}
	if w.old != nil && w.old.RelatedID != nil {
		ids = append(ids, *w.old.RelatedID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// countyPath is the path of the county a materialised path lies in.
func countyPath(path string) string {
	const countyLen = len("/34/3415/341523/")
	if len(path) < countyLen {
		return path
	}
	return path[:countyLen]
}

// checkEventDivisions checks the divisions an event moves a person to: real
// villages (or groups) in the person's county.
func checkEventDivisions(ctx context.Context, tx *db.Tx, in EventInput, county string) error {
	for _, f := range []struct{ field, label, code string }{
		{"division", divisionLabel(in.Kind), in.Division}, {"residence_division", "现居住地", in.ResidenceDivision},
	} {
		if f.code == "" {
			continue
		}
		d, err := personDivision(ctx, tx, f.field, f.label, f.code)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(d.Path, county) {
			return apperr.InvalidField(f.field, f.label+"应在本县范围内；迁往外县请登记迁出")
		}
	}
	return nil
}

func divisionLabel(kind string) string {
	switch kind {
	case KindArrive, KindReturn:
		return "现居住地"
	case KindMoveIn:
		return "迁入地"
	case KindTransfer:
		return "迁往的户籍地"
	}
	return "户籍地"
}

// findSpouse settles who the event's spouse is: the registered spouse a
// marriage names (in the caller's area, of the other sex), or for a divorce
// or widowhood the spouse the person had on that date.
func (s *Service) findSpouse(ctx context.Context, tx *db.Tx, pr *auth.Principal, w *eventWrite) error {
	switch {
	case isMarriage(w.in.Kind) && w.in.SpouseID != nil:
		return s.checkNewSpouse(ctx, tx, pr, w)
	case w.in.Kind == KindDivorce || w.in.Kind == KindWidowed:
		return s.formerSpouse(ctx, tx, w)
	}
	return nil
}

func (s *Service) checkNewSpouse(ctx context.Context, tx *db.Tx, pr *auth.Principal, w *eventWrite) error {
	id := *w.in.SpouseID
	if id == w.subject.ID {
		return apperr.InvalidField("spouse_id", "不能选择本人为配偶")
	}
	sp, err := loadPerson(ctx, tx.Conn, pr, id)
	if err != nil {
		return apperr.InvalidField("spouse_id", "所选配偶不存在或不在您的管辖范围内；配偶不在本辖区的，请填写配偶姓名")
	}
	if sp.Sex == w.subject.Sex {
		return apperr.InvalidField("spouse_id", "配偶应为异性（《民法典》规定结婚须男女双方）")
	}
	w.related = id
	return nil
}

func (s *Service) formerSpouse(ctx context.Context, tx *db.Tx, w *eventWrite) error {
	var skip int64
	if w.old != nil {
		skip = w.old.ID
	}
	st, _, err := stateAt(ctx, tx.Conn, w.subject.ID, w.in.Date, skip)
	if err != nil {
		return explainReplay(err, -1, w.subject.ID, w.subject.ID, "")
	}
	if !married(st.MaritalStatus) {
		return apperr.InvalidField("kind", w.in.Date+" 时不是已婚状态，不能登记"+eventKinds.label(w.in.Kind))
	}
	w.in.SpouseID, w.in.SpouseName = st.SpouseID, st.SpouseName
	if st.SpouseID == nil {
		return nil
	}
	if w.in.Kind == KindDivorce {
		w.related = *st.SpouseID
		return nil
	}
	sp, _, err := stateAt(ctx, tx.Conn, *st.SpouseID, w.in.Date, 0)
	if err != nil {
		return err
	}
	if sp.Status != statusDeceased {
		return apperr.InvalidField("date", "配偶在 "+w.in.Date+" 时没有死亡记录，请先登记配偶死亡，或核对丧偶日期")
	}
	return nil
}

func insertEvent(ctx context.Context, tx *db.Tx, pr *auth.Principal, in EventInput, path string, related int64) (int64, error) {
	details, err := json.Marshal(in.EventDetails)
	if err != nil {
		return 0, apperr.Wrap(err, "event details")
	}
	var rel any
	if related != 0 {
		rel = related
	}
	id, err := tx.InsertID(ctx, `INSERT INTO person_events (person_id, kind, event_date, details, corrects_id, related_id,
		division_path, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.PersonID, in.Kind, in.Date, string(details), idArg(in.Corrects), rel, path, db.Now(), pr.Username)
	if apperr.CodeOf(err) == apperr.Conflict {
		return 0, apperr.InvalidField("corrects", "该事件已被更正，请刷新后更正最新的记录")
	}
	return id, apperr.Wrap(err, "insert event")
}

// settleHousehold keeps the subject's household consistent with their
// registration after the event: a move that names a household joins it;
// a household in another village than the (new) registered one is left.
// It returns the households whose members changed.
func (s *Service) settleHousehold(ctx context.Context, tx *db.Tx, pr *auth.Principal, id int64, in EventInput) ([]int64, error) {
	var hh sql.NullInt64
	var reg string
	var hhDivision sql.NullString
	err := tx.QueryRow(ctx, `SELECT p.household_id, p.reg_division, (SELECT h.division_code FROM households h WHERE h.id = p.household_id)
		FROM persons p WHERE p.id = ?`, id).Scan(&hh, &reg, &hhDivision)
	if err != nil {
		return nil, apperr.Wrap(err, "person household")
	}
	joins := in.HouseholdID != nil && (in.Kind == KindMoveIn || in.Kind == KindTransfer)
	if joins && (!hh.Valid || hh.Int64 != *in.HouseholdID) {
		return s.joinHousehold(ctx, tx, pr, id, reg, in, nullID(hh))
	}
	if hh.Valid && villageOf(hhDivision.String) != villageOf(reg) {
		_, err := tx.Exec(ctx, `UPDATE persons SET household_id = NULL, relation = NULL WHERE id = ?`, id)
		return []int64{hh.Int64}, apperr.Wrap(err, "leave household")
	}
	return nil, nil
}

func (s *Service) joinHousehold(ctx context.Context, tx *db.Tx, pr *auth.Principal, id int64, reg string, in EventInput, was *int64) ([]int64, error) {
	d, err := division.Get(ctx, tx.Conn, reg)
	if err != nil {
		return nil, err
	}
	c := cleaned{}
	c.HouseholdID, c.Relation = in.HouseholdID, in.Relation
	if err := s.checkHousehold(ctx, tx, pr, &c, d, id); err != nil {
		if ae := apperr.As(err); ae.Field == "registered_division" {
			ae.Field, ae.Message = "household_id", "所选户应在迁入的户籍地所属村（居）委会"
		}
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE persons SET household_id = ?, relation = ? WHERE id = ?`, *in.HouseholdID, in.Relation, id); err != nil {
		return nil, apperr.Wrap(err, "join household")
	}
	return householdsOf(was, in.HouseholdID), nil
}

// recordBirth creates the child through the same checks as a new person
// (Create), then records the birth as the child's first event.
func (s *Service) recordBirth(ctx context.Context, tx *db.Tx, pr *auth.Principal, in EventInput) (Event, error) {
	if in.PersonID != 0 {
		return Event{}, apperr.InvalidField("person_id", "出生事件会新建人员，不能指定已有人员")
	}
	c, err := clean(PersonInput{Fields: Fields{Name: in.Name, Sex: in.Sex, BirthDate: in.Date, IDNumber: in.IDNumber,
		Ethnicity: in.Ethnicity, HukouType: in.HukouType, MaritalStatus: "unmarried", RegisteredDivision: in.Division,
		ResidenceDivision: in.ResidenceDivision, HouseholdID: in.HouseholdID, Relation: in.Relation,
		MotherID: in.MotherID, FatherID: in.FatherID, Status: statusAlive}}, s.today())
	if err != nil {
		return Event{}, birthField(err)
	}
	if c.MotherID == nil {
		c.warnings = append(c.warnings, "未关联母亲，无法按母亲的生育顺序计算孩次")
	}
	childID, err := s.insertPerson(ctx, tx, pr, &c)
	if err != nil {
		return Event{}, birthField(err)
	}
	in.PersonID, in.Sex, in.Division, in.ResidenceDivision = childID, c.Sex, c.RegisteredDivision, c.ResidenceDivision
	if err := ensureBase(ctx, tx, childID); err != nil {
		return Event{}, err
	}
	reg, err := division.Get(ctx, tx.Conn, c.RegisteredDivision)
	if err != nil {
		return Event{}, err
	}
	id, err := insertEvent(ctx, tx, pr, in, reg.Path, 0)
	if err != nil {
		return Event{}, err
	}
	if err := recompute(ctx, tx, childID, pr.Username); err != nil {
		return Event{}, explainReplay(err, id, childID, childID, "")
	}
	persons := []int64{childID}
	for _, p := range []*int64{c.MotherID, c.FatherID} {
		if p != nil {
			persons = append(persons, *p)
		}
	}
	if err := s.Notify(ctx, tx, Changed{Persons: persons, Households: householdsOf(c.HouseholdID)}); err != nil {
		return Event{}, err
	}
	if err := s.journal.Append(ctx, tx, audit.Entry{Action: "person.create", Entity: "person",
		EntityID: fmt.Sprint(childID), After: c.auditView(), Remark: "出生登记"}); err != nil {
		return Event{}, err
	}
	if err := s.journalEvent(ctx, tx, id, in, nil); err != nil {
		return Event{}, err
	}
	ev, err := s.eventView(ctx, tx.Conn, pr, childID, id)
	ev.Warnings = c.warnings
	return ev, err
}

// birthField renames the person form's fields in an error to the event's.
func birthField(err error) error {
	ae := apperr.As(err)
	if ae.Code != apperr.Invalid && ae.Code != apperr.Conflict {
		return err
	}
	switch ae.Field {
	case "birth_date":
		ae.Field = "date"
		ae.Message = strings.Replace(ae.Message, "出生日期", "出生日期（事件日期）", 1)
	case "registered_division":
		ae.Field = "division"
	}
	return ae
}

// eventAudit is what the journal records of an event.
type eventAudit struct {
	ID       int64        `json:"id"`
	PersonID int64        `json:"person_id"`
	Kind     string       `json:"kind"`
	Date     string       `json:"date"`
	Corrects *int64       `json:"corrects,omitempty"`
	Details  EventDetails `json:"details"`
}

func (s *Service) journalEvent(ctx context.Context, tx *db.Tx, id int64, in EventInput, old *storedEvent) error {
	e := audit.Entry{Action: "event.record", Entity: "person", EntityID: fmt.Sprint(in.PersonID),
		After:  eventAudit{ID: id, PersonID: in.PersonID, Kind: in.Kind, Date: in.Date, Corrects: in.Corrects, Details: in.EventDetails},
		Remark: eventKinds.label(in.Kind) + " " + in.Date}
	if old != nil {
		e.Action = "event.correct"
		e.Before = eventAudit{ID: old.ID, PersonID: old.PersonID, Kind: old.Kind, Date: old.Date, Details: old.Details}
		e.Remark = "更正记录 " + fmt.Sprint(old.ID) + "：" + in.Note
	}
	return s.journal.Append(ctx, tx, e)
}

// nameInScope returns a person's name for a message, "" outside pr's area.
func nameInScope(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) string {
	names, _ := namesInScope(ctx, c, pr, []int64{id})
	return names[id]
}
