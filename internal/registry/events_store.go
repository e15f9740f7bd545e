package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// storedEvent is a row of person_events.
type storedEvent struct {
	ID         int64
	PersonID   int64
	RelatedID  *int64
	Kind       string
	Date       string
	Details    EventDetails
	CorrectsID *int64
	CreatedAt  string
	CreatedBy  string
}

const eventCols = `id, person_id, related_id, kind, event_date, details, corrects_id, created_at, created_by`

func scanEvent(sc scanner) (storedEvent, error) {
	var e storedEvent
	var related, corrects sql.NullInt64
	var details string
	if err := sc.Scan(&e.ID, &e.PersonID, &related, &e.Kind, &e.Date, &details, &corrects, &e.CreatedAt, &e.CreatedBy); err != nil {
		return e, err
	}
	e.RelatedID, e.CorrectsID = nullID(related), nullID(corrects)
	if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
		return e, apperr.Wrap(err, fmt.Sprintf("event %d details", e.ID))
	}
	return e, nil
}

func loadStoredEvent(ctx context.Context, c db.Conn, id int64) (storedEvent, error) {
	e, err := scanEvent(c.QueryRow(ctx, `SELECT `+eventCols+` FROM person_events WHERE id = ?`, id))
	return e, db.NotFound(err, "事件不存在")
}

// loadEventRows reads the events that concern person id (as subject or as
// the spouse in related_id) and every correction of them, which may itself
// concern someone else (a correction that changes the spouse).
func loadEventRows(ctx context.Context, c db.Conn, id int64) ([]storedEvent, error) {
	rows, err := c.Query(ctx, `SELECT `+eventCols+` FROM person_events
		WHERE person_id = ? OR related_id = ?
		   OR corrects_id IN (SELECT id FROM person_events WHERE person_id = ? OR related_id = ?)
		ORDER BY event_date, id`, id, id, id, id)
	if err != nil {
		return nil, apperr.Wrap(err, "person events")
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan event")
		}
		out = append(out, e)
	}
	return out, apperr.Wrap(rows.Err(), "event rows")
}

func (e storedEvent) concerns(id int64) bool {
	return e.PersonID == id || (e.RelatedID != nil && *e.RelatedID == id)
}

// correctedBy maps each corrected event's id to the event correcting it.
func correctedBy(rows []storedEvent) map[int64]storedEvent {
	out := map[int64]storedEvent{}
	for _, e := range rows {
		if e.CorrectsID != nil {
			out[*e.CorrectsID] = e
		}
	}
	return out
}

// effectiveFor returns the events of rows that count for person self: those
// that concern them, are not voids, and were not corrected.
func effectiveFor(self int64, rows []storedEvent) []lifeEvent {
	corrected := correctedBy(rows)
	byID := make(map[int64]storedEvent, len(rows))
	for _, e := range rows {
		byID[e.ID] = e
	}
	var out []lifeEvent
	for _, e := range rows {
		if !e.concerns(self) || e.Kind == KindVoid {
			continue
		}
		if _, ok := corrected[e.ID]; ok {
			continue
		}
		order := e.ID
		for at := e; at.CorrectsID != nil; {
			prev, ok := byID[*at.CorrectsID]
			if !ok {
				order = min(order, *at.CorrectsID)
				break
			}
			order, at = prev.ID, prev
		}
		le := lifeEvent{ID: e.ID, Order: order, PersonID: e.PersonID, Kind: e.Kind, Date: e.Date, D: e.Details}
		if e.RelatedID != nil {
			le.RelatedID = *e.RelatedID
		}
		out = append(out, le)
	}
	return out
}

const lifeCols = `birth_date, sex, status, death_date, marital_status, spouse_id, spouse_name, reg_division, reg_path,
	res_division, res_path, away_place, away_since, adoptive_mother_id, adoptive_father_id`

// loadLifeRow reads the replay-owned columns of a person, whatever the
// caller's scope: callers have checked the scope of the person they act on.
func loadLifeRow(ctx context.Context, c db.Conn, id int64) (lifeState, error) {
	var st lifeState
	var birth, death, marital, spouseName, away, since sql.NullString
	var spouse, am, af sql.NullInt64
	err := c.QueryRow(ctx, `SELECT `+lifeCols+` FROM persons WHERE id = ?`, id).Scan(&birth, &st.Sex, &st.Status,
		&death, &marital, &spouse, &spouseName, &st.RegDivision, &st.RegPath, &st.ResDivision, &st.ResPath, &away, &since, &am, &af)
	if err != nil {
		return st, db.NotFound(err, "人员不存在")
	}
	st.BirthDate, st.DeathDate, st.MaritalStatus, st.SpouseName = birth.String, death.String, marital.String, spouseName.String
	st.AwayPlace, st.AwaySince = away.String, since.String
	st.SpouseID, st.AdoptiveMotherID, st.AdoptiveFatherID = nullID(spouse), nullID(am), nullID(af)
	return st, nil
}

// loadBase reads the state a person had before their first event; ok is
// false for a person without events.
func loadBase(ctx context.Context, c db.Conn, id int64) (st lifeState, ok bool, err error) {
	var s string
	err = c.QueryRow(ctx, `SELECT state FROM person_event_base WHERE person_id = ?`, id).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	if err != nil {
		return st, false, apperr.Wrap(err, "event base")
	}
	return st, true, apperr.Wrap(json.Unmarshal([]byte(s), &st), "event base json")
}

// ensureBase captures the person's state before their first event.
func ensureBase(ctx context.Context, tx *db.Tx, id int64) error {
	if _, ok, err := loadBase(ctx, tx.Conn, id); err != nil || ok {
		return err
	}
	st, err := loadLifeRow(ctx, tx.Conn, id)
	if err != nil {
		return err
	}
	return saveBase(ctx, tx, id, st)
}

func saveBase(ctx context.Context, tx *db.Tx, id int64, st lifeState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return apperr.Wrap(err, "event base json")
	}
	_, err = tx.Exec(ctx, `INSERT INTO person_event_base (person_id, state, captured_at) VALUES (?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET state = excluded.state`, id, string(b), db.Now())
	return apperr.Wrap(err, "save event base")
}

// divisionPaths maps the division codes the events name to their paths.
func divisionPaths(ctx context.Context, c db.Conn, rows []storedEvent) (map[string]string, error) {
	var codes []any
	for _, e := range rows {
		for _, code := range []string{e.Details.Division, e.Details.ResidenceDivision} {
			if code != "" && !slices.Contains(codes, any(code)) {
				codes = append(codes, code)
			}
		}
	}
	out := map[string]string{}
	if len(codes) == 0 {
		return out, nil
	}
	rs, err := c.Query(ctx, `SELECT code, path FROM divisions WHERE code IN (`+db.Placeholders(len(codes))+`)`, codes...)
	if err != nil {
		return nil, apperr.Wrap(err, "event divisions")
	}
	defer rs.Close()
	for rs.Next() {
		var code, path string
		if err := rs.Scan(&code, &path); err != nil {
			return nil, apperr.Wrap(err, "scan division")
		}
		out[code] = path
	}
	return out, apperr.Wrap(rs.Err(), "division rows")
}

// timelineOf replays person id's history, leaving out the event skip (0:
// none). A person without events has none; ok is false then.
func timelineOf(ctx context.Context, c db.Conn, id, skip int64) (tl timeline, ok bool, err error) {
	base, ok, err := loadBase(ctx, c, id)
	if err != nil || !ok {
		return tl, ok, err
	}
	rows, err := loadEventRows(ctx, c, id)
	if err != nil {
		return tl, true, err
	}
	paths, err := divisionPaths(ctx, c, rows)
	if err != nil {
		return tl, true, err
	}
	evs := slices.DeleteFunc(effectiveFor(id, rows), func(e lifeEvent) bool { return e.ID == skip })
	tl, err = replay(id, base, evs, paths)
	return tl, true, err
}

// stateAt returns person id's state at the end of date; exists is false
// before their birth date.
func stateAt(ctx context.Context, c db.Conn, id int64, date string, skip int64) (st lifeState, exists bool, err error) {
	tl, ok, err := timelineOf(ctx, c, id, skip)
	if err != nil {
		return st, false, err
	}
	if ok {
		st, exists = tl.at(date)
		return st, exists, nil
	}
	row, err := loadLifeRow(ctx, c, id)
	if err != nil {
		return st, false, err
	}
	st, exists = stateOfRow(row, date)
	return st, exists, nil
}

// recompute replays person id's history and writes the outcome: the
// current state into persons and the periods into person_spans.
func recompute(ctx context.Context, tx *db.Tx, id int64, by string) error {
	tl, ok, err := timelineOf(ctx, tx.Conn, id, 0)
	if err != nil || !ok {
		return err
	}
	fin := tl.final()
	cur, err := loadLifeRow(ctx, tx.Conn, id)
	if err != nil {
		return err
	}
	if fin.Sex != cur.Sex {
		if err := checkParentRoleKept(ctx, tx, id, fin.Sex); err != nil {
			return err
		}
	}
	if err := writeState(ctx, tx, id, fin, by); err != nil {
		return err
	}
	return writeSpans(ctx, tx, id, tl.spans())
}

func writeState(ctx context.Context, tx *db.Tx, id int64, st lifeState, by string) error {
	_, err := tx.Exec(ctx, `UPDATE persons SET birth_date = ?, sex = ?, status = ?, death_date = ?, marital_status = ?,
		spouse_id = ?, spouse_name = ?, reg_division = ?, reg_path = ?, res_division = ?, res_path = ?, away_place = ?,
		away_since = ?, adoptive_mother_id = ?, adoptive_father_id = ?, version = version + 1, updated_at = ?, updated_by = ?
		WHERE id = ?`,
		nullText(st.BirthDate), st.Sex, st.Status, nullText(st.DeathDate), nullText(st.MaritalStatus), idArg(st.SpouseID),
		nullText(st.SpouseName), st.RegDivision, st.RegPath, st.ResDivision, st.ResPath, nullText(st.AwayPlace),
		nullText(st.AwaySince), idArg(st.AdoptiveMotherID), idArg(st.AdoptiveFatherID), db.Now(), by, id)
	return apperr.Wrap(err, "write person state")
}

func writeSpans(ctx context.Context, tx *db.Tx, id int64, spans []span) error {
	if _, err := tx.Exec(ctx, `DELETE FROM person_spans WHERE person_id = ?`, id); err != nil {
		return apperr.Wrap(err, "clear spans")
	}
	for _, sp := range spans {
		away := 0
		if sp.Away {
			away = 1
		}
		if _, err := tx.Exec(ctx, `INSERT INTO person_spans (person_id, from_date, to_date, status, sex, reg_path, res_path, away)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, sp.From, nullText(sp.To), sp.Status, sp.Sex, sp.RegPath, sp.ResPath, away); err != nil {
			return apperr.Wrap(err, "write span")
		}
	}
	return nil
}

// hasBirthEvent reports whether person id's birth is recorded as an event
// (then the birth date and sex belong to that event).
func hasBirthEvent(ctx context.Context, c db.Conn, id int64) (bool, error) {
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM person_events WHERE person_id = ? AND kind = ?`, id, KindBirth).Scan(&n)
	return n > 0, apperr.Wrap(err, "birth event")
}

// guardEventState runs inside a plain edit of a person (Update). Once a
// person has events, their status, death date, marital status and divisions
// are the outcome of the events and change only through events; a changed
// value is refused with a hint. The birth date and sex belong to a birth
// event when there is one; otherwise an edit of them also changes the state
// the events are replayed on, and the returned settle, run after the edit is
// written, replays the history again (refusing the edit if an event would
// then precede the birth).
func (s *Service) guardEventState(ctx context.Context, tx *db.Tx, cur Person, c *cleaned, by string) (settle func() error, err error) {
	noop := func() error { return nil }
	base, ok, err := loadBase(ctx, tx.Conn, cur.ID)
	if err != nil || !ok {
		return noop, err
	}
	for _, f := range []struct{ field, label, was, now string }{
		{"status", "人员状态", cur.Status, c.Status}, {"death_date", "死亡日期", cur.DeathDate, c.DeathDate},
		{"marital_status", "婚姻状况", cur.MaritalStatus, c.MaritalStatus},
		{"registered_division", "户籍地", cur.RegisteredDivision, c.RegisteredDivision},
		{"residence_division", "现居住地", cur.ResidenceDivision, c.ResidenceDivision},
	} {
		if f.was != f.now {
			return noop, apperr.InvalidField(f.field, "该人员已有事件记录，"+f.label+"须通过“登记事件”变更（登记有误的，请更正相应事件）")
		}
	}
	if cur.BirthDate == c.BirthDate && cur.Sex == c.Sex {
		return noop, nil
	}
	birth, err := hasBirthEvent(ctx, tx.Conn, cur.ID)
	if err != nil {
		return noop, err
	}
	if birth {
		field := "birth_date"
		if cur.BirthDate == c.BirthDate {
			field = "sex"
		}
		return noop, apperr.InvalidField(field, "该人员的出生已作为事件登记，出生日期和性别请通过更正出生事件修改")
	}
	base.BirthDate, base.Sex = c.BirthDate, c.Sex
	if err := saveBase(ctx, tx, cur.ID, base); err != nil {
		return noop, err
	}
	return func() error { return explainReplay(recompute(ctx, tx, cur.ID, by), 0, cur.ID, cur.ID, "") }, nil
}

// explainReplay turns a replay's refusal into a message for the officer:
// about the event being recorded (newID), or about an earlier record the
// change would make impossible, and about the spouse when it is their
// history that refuses.
func explainReplay(err error, newID, subject, person int64, personName string) error {
	var re *replayError
	if !errors.As(err, &re) {
		return err
	}
	field, msg := re.Field, re.Msg
	if re.Event.ID != newID {
		kind := eventKinds.label(re.Event.Kind)
		if re.Event.ID == 0 {
			kind = "死亡（人员信息中的死亡日期）"
		}
		field, msg = "", "与 "+re.Event.Date+" 的"+kind+"记录冲突："+msg
	}
	if person != subject {
		who := "配偶"
		if personName != "" {
			who += " " + personName
		}
		field, msg = "spouse_id", who+"："+msg
	}
	return apperr.InvalidField(field, msg)
}
