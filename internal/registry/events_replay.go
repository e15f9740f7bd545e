package registry

import (
	"cmp"
	"math"
	"slices"
)

// lifeState is what events change about a person: the columns of persons
// that the replay owns once a person has events. It is also the JSON of
// person_event_base.
type lifeState struct {
	BirthDate        string `json:"birth_date,omitempty"`
	Sex              string `json:"sex"`
	Status           string `json:"status"`
	DeathDate        string `json:"death_date,omitempty"`
	MaritalStatus    string `json:"marital_status,omitempty"`
	SpouseID         *int64 `json:"spouse_id,omitempty"`
	SpouseName       string `json:"spouse_name,omitempty"`
	RegDivision      string `json:"reg_division"`
	RegPath          string `json:"reg_path"`
	ResDivision      string `json:"res_division"`
	ResPath          string `json:"res_path"`
	AwayPlace        string `json:"away_place,omitempty"`
	AwaySince        string `json:"away_since,omitempty"`
	AdoptiveMotherID *int64 `json:"adoptive_mother_id,omitempty"`
	AdoptiveFatherID *int64 `json:"adoptive_father_id,omitempty"`
}

func married(marital string) bool { return marital == "first_married" || marital == "remarried" }

// lifeEvent is an effective event as the replay sees it.
type lifeEvent struct {
	ID int64
	// Order is the id of the first event of the correction chain, so that a
	// correction keeps its place among events of the same day.
	Order     int64
	PersonID  int64 // the subject
	RelatedID int64 // the registered spouse of a marriage or divorce; 0 when none
	Kind      string
	Date      string
	D         EventDetails
}

// dated is a person's state after all their events of one date.
type dated struct {
	Date  string
	State lifeState
}

// timeline is a person's replayed history: the state before their first
// event, then the state after each date that has events.
type timeline struct {
	Initial lifeState
	Steps   []dated
}

// replayError names the event a replay refused and why.
type replayError struct {
	Event lifeEvent
	Field string
	Msg   string
}

func (e *replayError) Error() string { return e.Msg }

// replay applies evs, the effective events that concern person self (as
// subject or as the spouse of a marriage or divorce), in date order to the
// state self had before their first event, checking each against the state
// it meets. paths maps the division codes the events name to their paths.
func replay(self int64, base lifeState, evs []lifeEvent, paths map[string]string) (timeline, error) {
	evs = slices.Clone(evs)
	slices.SortStableFunc(evs, func(a, b lifeEvent) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
	})
	st, evs := initialState(self, base, evs)
	t := timeline{Initial: st}
	r := replayer{self: self, paths: paths}
	for i, e := range evs {
		if err := r.apply(&st, e); err != nil {
			return t, err
		}
		if i == len(evs)-1 || evs[i+1].Date != e.Date {
			t.Steps = append(t.Steps, dated{e.Date, st})
		}
	}
	return t, nil
}

// initialState is the state before the first event. A recorded death in the
// base state (an imported deceased person) becomes a death on its date, so
// earlier events still meet a living person; a recorded death event replaces
// it. A person whose first own event (marriages aside, which may happen
// outside the county) is a move into the county was outside it before.
func initialState(self int64, base lifeState, evs []lifeEvent) (lifeState, []lifeEvent) {
	st := base
	ownDeath := slices.ContainsFunc(evs, func(e lifeEvent) bool { return e.PersonID == self && e.Kind == KindDeath })
	ownBirth := slices.ContainsFunc(evs, func(e lifeEvent) bool { return e.PersonID == self && e.Kind == KindBirth })
	if st.Status == statusDeceased && (st.DeathDate != "" || ownDeath) {
		if !ownDeath {
			death := lifeEvent{Order: math.MaxInt64, PersonID: self, Kind: KindDeath, Date: st.DeathDate}
			i, _ := slices.BinarySearchFunc(evs, death, func(a, b lifeEvent) int {
				return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Order, b.Order))
			})
			evs = slices.Insert(evs, i, death)
		}
		st.Status, st.DeathDate = statusAlive, ""
	}
	i := slices.IndexFunc(evs, func(e lifeEvent) bool { return e.PersonID == self && !maritalKind(e.Kind) })
	if i >= 0 && evs[i].Kind == KindMoveIn && !ownBirth {
		st.Status = statusMovedOut
	}
	return st, evs
}

type replayer struct {
	self    int64
	paths   map[string]string
	applied int
}

func (r *replayer) apply(st *lifeState, e lifeEvent) *replayError {
	defer func() { r.applied++ }()
	fail := func(field, msg string) *replayError { return &replayError{Event: e, Field: field, Msg: msg} }
	if e.Kind == KindBirth && e.PersonID == r.self {
		if r.applied > 0 {
			return fail("date", "出生应是该人员的第一个事件，出生日期不能晚于其他事件的日期")
		}
		st.BirthDate, st.Sex, st.Status = e.Date, e.D.Sex, statusAlive
		return r.setDivisions(st, e, true)
	}
	if st.BirthDate != "" && e.Date < st.BirthDate {
		return fail("date", "事件日期不能早于出生日期 "+st.BirthDate)
	}
	if st.Status == statusDeceased {
		return fail("date", "已于 "+st.DeathDate+" 死亡，之后不能再登记事件")
	}
	if e.PersonID != r.self {
		return r.applyAsSpouse(st, e)
	}
	if st.Status == statusMovedOut && !allowedWhileOut(e.Kind) {
		return fail("kind", "已迁出本县，请先登记迁入")
	}
	switch e.Kind {
	case KindDeath:
		st.Status, st.DeathDate = statusDeceased, e.Date
	case KindFirstMarriage, KindRemarriage:
		return marry(st, e, fail)
	case KindDivorce, KindWidowed:
		if !married(st.MaritalStatus) {
			return fail("kind", "当前不是已婚状态，不能登记"+eventKinds.label(e.Kind))
		}
		st.MaritalStatus = map[string]string{KindDivorce: "divorced", KindWidowed: "widowed"}[e.Kind]
		st.SpouseID, st.SpouseName = nil, ""
	case KindMoveOut:
		st.Status, st.AwayPlace, st.AwaySince = statusMovedOut, "", ""
	case KindMoveIn:
		if st.Status != statusMovedOut {
			return fail("kind", "户籍仍在本县，不能登记迁入；县内迁移户籍请登记县内迁户")
		}
		st.Status, st.AwayPlace, st.AwaySince = statusAlive, "", ""
		return r.setDivisions(st, e, true)
	case KindTransfer:
		if e.D.Division == st.RegDivision {
			return fail("division", "迁往的户籍地与现户籍地相同")
		}
		return r.setDivisions(st, e, true)
	case KindLeave:
		if st.AwayPlace != "" {
			return fail("kind", "已登记流出（"+st.AwayPlace+"），请先登记返回或流入")
		}
		st.AwayPlace, st.AwaySince = e.D.Place, e.Date
	case KindArrive:
		if e.D.Division == st.ResDivision && st.AwayPlace == "" {
			return fail("division", "现居住地没有变化")
		}
		st.AwayPlace, st.AwaySince = "", ""
		return r.setDivisions(st, e, false)
	case KindReturn:
		if st.AwayPlace == "" {
			return fail("kind", "未登记流出，不能登记返回")
		}
		st.AwayPlace, st.AwaySince = "", ""
		if e.D.Division != "" {
			return r.setDivisions(st, e, false)
		}
	case KindAdoption:
		if e.D.MotherID != nil {
			st.AdoptiveMotherID = e.D.MotherID
		}
		if e.D.FatherID != nil {
			st.AdoptiveFatherID = e.D.FatherID
		}
	}
	return nil
}

// allowedWhileOut are the events a person whose registration left the
// county may still have: coming back, and changes of marital status (their
// spouse may be in the county).
func allowedWhileOut(kind string) bool { return kind == KindMoveIn || maritalKind(kind) }

func maritalKind(kind string) bool {
	return isMarriage(kind) || kind == KindDivorce || kind == KindWidowed
}

func marry(st *lifeState, e lifeEvent, fail func(field, msg string) *replayError) *replayError {
	switch {
	case married(st.MaritalStatus):
		return fail("kind", "当前为已婚状态，不能再登记结婚（请先登记离婚或丧偶）")
	case e.Kind == KindFirstMarriage && (st.MaritalStatus == "divorced" || st.MaritalStatus == "widowed"):
		return fail("kind", "曾有婚史（离婚或丧偶），请登记为再婚")
	case e.Kind == KindRemarriage && st.MaritalStatus == "unmarried":
		return fail("kind", "未婚人员结婚请登记为初婚")
	}
	st.MaritalStatus = map[string]string{KindFirstMarriage: "first_married", KindRemarriage: "remarried"}[e.Kind]
	st.SpouseID, st.SpouseName = e.D.SpouseID, e.D.SpouseName
	return nil
}

// applyAsSpouse applies a marriage or divorce recorded on self's spouse.
// Whether the marriage is a first one is self's own history, not the kind
// recorded for the spouse.
func (r *replayer) applyAsSpouse(st *lifeState, e lifeEvent) *replayError {
	fail := func(msg string) *replayError { return &replayError{Event: e, Field: "spouse_id", Msg: msg} }
	switch {
	case isMarriage(e.Kind):
		if married(st.MaritalStatus) {
			return fail("当前为已婚状态，不能登记结婚")
		}
		if st.MaritalStatus == "divorced" || st.MaritalStatus == "widowed" {
			st.MaritalStatus = "remarried"
		} else {
			st.MaritalStatus = "first_married"
		}
		subject := e.PersonID
		st.SpouseID, st.SpouseName = &subject, ""
	case e.Kind == KindDivorce:
		if !married(st.MaritalStatus) || st.SpouseID == nil || *st.SpouseID != e.PersonID {
			return fail("婚姻记录中的配偶不是该人员，不能登记离婚")
		}
		st.MaritalStatus, st.SpouseID, st.SpouseName = "divorced", nil, ""
	}
	return nil
}

// setDivisions moves the registration (when reg) and the residence to the
// event's divisions; the residence defaults to the registered division.
func (r *replayer) setDivisions(st *lifeState, e lifeEvent, reg bool) *replayError {
	res := e.D.ResidenceDivision
	if reg {
		path, ok := r.paths[e.D.Division]
		if !ok {
			return &replayError{Event: e, Field: "division", Msg: "区划代码 " + e.D.Division + " 不存在"}
		}
		st.RegDivision, st.RegPath = e.D.Division, path
		if res == "" {
			res = e.D.Division
		}
	} else {
		res = e.D.Division
	}
	path, ok := r.paths[res]
	if !ok {
		return &replayError{Event: e, Field: "residence_division", Msg: "区划代码 " + res + " 不存在"}
	}
	st.ResDivision, st.ResPath = res, path
	return nil
}

// final is the state after every event.
func (t timeline) final() lifeState {
	if len(t.Steps) == 0 {
		return t.Initial
	}
	return t.Steps[len(t.Steps)-1].State
}

// at returns the state at the end of date, and false before the birth date.
func (t timeline) at(date string) (lifeState, bool) {
	fin := t.final()
	if fin.BirthDate != "" && date < fin.BirthDate {
		return lifeState{}, false
	}
	st := t.Initial
	for _, s := range t.Steps {
		if s.Date > date {
			break
		}
		st = s.State
	}
	st.BirthDate, st.Sex = fin.BirthDate, fin.Sex
	return st, true
}

// span is a period [From, To) of constant counted state; To is "" for the
// current period.
type span struct {
	From, To string
	Status   string
	Sex      string
	RegPath  string
	ResPath  string
	Away     bool
}

// beforeRecords starts the first span of a person without a birth date.
const beforeRecords = "0000-01-01"

// spans turns the timeline into periods from the birth date on, joining
// neighbours that count the same.
func (t timeline) spans() []span {
	fin := t.final()
	start := fin.BirthDate
	if start == "" {
		start = beforeRecords
	}
	cur, from := t.Initial, start
	var out []span
	for _, s := range t.Steps {
		if s.Date > start && spanOf("", "", cur, "") != spanOf("", "", s.State, "") {
			out = append(out, spanOf(from, s.Date, cur, fin.Sex))
			from = s.Date
		}
		cur = s.State
	}
	return append(out, spanOf(from, "", cur, fin.Sex))
}

func spanOf(from, to string, st lifeState, sex string) span {
	return span{From: from, To: to, Status: st.Status, Sex: sex, RegPath: st.RegPath, ResPath: st.ResPath, Away: st.AwayPlace != ""}
}

// stateOfRow is the state "as of" date of a person without events: their
// current state from the birth date on, alive until a recorded death date.
func stateOfRow(row lifeState, date string) (lifeState, bool) {
	if row.BirthDate != "" && date < row.BirthDate {
		return lifeState{}, false
	}
	if row.Status == statusDeceased && row.DeathDate != "" && date < row.DeathDate {
		row.Status, row.DeathDate = statusAlive, ""
	}
	return row, true
}
