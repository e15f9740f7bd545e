package registry

// Life events (生活事件): birth, death, marriage and its ends, moves in and
// out of the county and within it, leaving to live elsewhere and coming
// back, adoption. Each is a dated record that updates the person's current
// state in the same transaction and stays as history.
//
// History is never edited. A wrong event is corrected by a new event that
// names it (corrects) and takes its place, or by a void event that says it
// never happened. After every write the person's state is recomputed by
// replaying their effective events in date order on top of the state they
// had before their first event (person_event_base), so a correction of an
// old event also recomputes everything that followed from it, and an event
// that the correction makes impossible (a divorce after a voided marriage)
// refuses the correction. The replay also rewrites the person's periods of
// constant state (person_spans), from which "as of" counts are answered.

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
)

func init() {
	audit.RegisterActions(map[string]string{
		"event.record":  "登记人员事件",
		"event.correct": "更正人员事件",
	})
}

// Event kinds; their Chinese labels are in enums.go (eventKinds).
const (
	KindBirth         = "birth"
	KindDeath         = "death"
	KindFirstMarriage = "first_marriage"
	KindRemarriage    = "remarriage"
	KindDivorce       = "divorce"
	KindWidowed       = "widowed"
	KindMoveIn        = "move_in"
	KindMoveOut       = "move_out"
	KindTransfer      = "transfer"
	KindLeave         = "leave"
	KindArrive        = "arrive"
	KindReturn        = "return"
	KindAdoption      = "adoption"
	KindVoid          = "void"
)

// Person statuses beside alive and deceased: moved_out is a person whose
// registration left the county (迁出); they stay in the registry as history
// and are no longer counted in the population.
const (
	statusAlive    = "alive"
	statusDeceased = "deceased"
	statusMovedOut = "moved_out"
)

// EventDetails are the facts of an event that depend on its kind, stored
// as JSON with the event. Which fields a kind keeps is decided by keptDetails.
type EventDetails struct {
	Name              string `json:"name,omitempty"`               // birth: the child's name
	Sex               string `json:"sex,omitempty"`                // birth: the child's sex
	MotherID          *int64 `json:"mother_id,omitempty"`          // birth: mother; adoption: adoptive mother
	FatherID          *int64 `json:"father_id,omitempty"`          // birth: father; adoption: adoptive father
	Place             string `json:"place,omitempty"`              // birth, death: where; move_out, leave: to; move_in, arrive: from
	Cause             string `json:"cause,omitempty"`              // death
	SpouseID          *int64 `json:"spouse_id,omitempty"`          // marriage: a spouse in the registry
	SpouseName        string `json:"spouse_name,omitempty"`        // marriage: a spouse outside the registry (or outside the caller's area)
	Division          string `json:"division,omitempty"`           // birth, move_in, transfer: registered division; arrive, return: residence
	ResidenceDivision string `json:"residence_division,omitempty"` // birth, move_in, transfer: residence, when not the registered division
	HouseholdID       *int64 `json:"household_id,omitempty"`       // birth, move_in, transfer: the household joined
	Relation          string `json:"relation,omitempty"`           // with household_id: relation to the head
	Ethnicity         string `json:"ethnicity,omitempty"`          // birth
	HukouType         string `json:"hukou_type,omitempty"`         // birth
	Note              string `json:"note,omitempty"`               // remark; for a correction, its reason
}

// EventInput is an event to record. A birth has no PersonID: it creates the
// child. A correction names the wrong event in Corrects; kind "void" with
// Corrects says the wrong event never happened.
type EventInput struct {
	PersonID int64  `json:"person_id,omitempty"`
	Kind     string `json:"kind"`
	Date     string `json:"date"`
	Corrects *int64 `json:"corrects,omitempty"`
	EventDetails
	// IDNumber is a newborn's ID number if one was already issued; it goes
	// to the person record (encrypted), never into the event's details.
	IDNumber string `json:"id_number,omitempty"`
}

// Event is a recorded event as the API shows it.
type Event struct {
	ID         int64        `json:"id"`
	PersonID   int64        `json:"person_id"`
	PersonName string       `json:"person_name"`
	Kind       string       `json:"kind"`
	KindLabel  string       `json:"kind_label"`
	Date       string       `json:"date"`
	Details    EventDetails `json:"details"`
	Corrects   *int64       `json:"corrects"`
	// RelatedID is the other person a marriage or divorce changed (the
	// registered spouse); RelatedName is given when they are in the caller's area.
	RelatedID   *int64 `json:"related_id"`
	RelatedName string `json:"related_name,omitempty"`
	// Role is "subject" when the event was recorded on the person whose
	// events are listed, "spouse" when it was recorded on their spouse.
	Role                  string    `json:"role,omitempty"`
	DivisionName          string    `json:"division_name,omitempty"`
	ResidenceDivisionName string    `json:"residence_division_name,omitempty"`
	Effective             bool      `json:"effective"`
	CorrectedBy           *EventRef `json:"corrected_by,omitempty"`
	CreatedAt             string    `json:"created_at"`
	CreatedBy             string    `json:"created_by"`
	Warnings              []string  `json:"warnings,omitempty"`
}

// EventRef names the event that corrected (or voided) another, and who
// recorded it when.
type EventRef struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	KindLabel string `json:"kind_label"`
	CreatedAt string `json:"created_at"`
	CreatedBy string `json:"created_by"`
}

func isMarriage(kind string) bool { return kind == KindFirstMarriage || kind == KindRemarriage }

// changesSpouse reports whether an event of kind changes the registered
// spouse's state too (and so names them in related_id).
func changesSpouse(kind string) bool { return isMarriage(kind) || kind == KindDivorce }

// cleanEvent trims and checks what can be checked without the database, and
// keeps only the details that belong to the kind.
func cleanEvent(in EventInput, today time.Time) (EventInput, error) {
	in.Kind, in.Date, in.IDNumber = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Date), strings.TrimSpace(in.IDNumber)
	d := &in.EventDetails
	for _, s := range []*string{&d.Name, &d.Sex, &d.Place, &d.Cause, &d.SpouseName, &d.Division,
		&d.ResidenceDivision, &d.Relation, &d.Ethnicity, &d.HukouType, &d.Note} {
		*s = strings.TrimSpace(*s)
	}
	if in.Kind == "" {
		return in, apperr.InvalidField("kind", "请选择事件类型")
	}
	if !eventKinds.has(in.Kind) {
		return in, apperr.InvalidField("kind", "事件类型无效，可选值："+eventKinds.values())
	}
	if in.Kind == KindVoid && in.Corrects == nil {
		return in, apperr.InvalidField("corrects", "作废须指定要作废的事件")
	}
	if in.Corrects != nil && *in.Corrects <= 0 {
		return in, apperr.InvalidField("corrects", "所更正的事件不存在")
	}
	if in.Corrects != nil && d.Note == "" {
		return in, apperr.InvalidField("note", "请填写更正或作废的原因")
	}
	// A correction without a date keeps the corrected event's date.
	if in.Kind != KindVoid && (in.Corrects == nil || in.Date != "") {
		if in.Date == "" {
			return in, apperr.InvalidField("date", "请填写事件日期")
		}
		if err := checkDate("date", "事件日期", in.Date, today); err != nil {
			return in, err
		}
	}
	if err := checkTextLengths(d); err != nil {
		return in, err
	}
	in.EventDetails = keptDetails(in.Kind, in.EventDetails)
	if in.Kind != KindBirth {
		in.IDNumber = ""
	}
	return in, nil
}

func checkTextLengths(d *EventDetails) error {
	for _, f := range []struct {
		field, label, v string
		max             int
	}{{"place", "地点", d.Place, 100}, {"cause", "死亡原因", d.Cause, 100}, {"note", "备注", d.Note, 200}} {
		if utf8.RuneCountInString(f.v) > f.max {
			return apperr.InvalidField(f.field, f.label+"不能超过 "+strconv.Itoa(f.max)+" 个字")
		}
	}
	if d.SpouseName != "" {
		if err := checkName(d.SpouseName); err != nil {
			return apperr.InvalidField("spouse_name", strings.Replace(err.(*apperr.Error).Message, "姓名", "配偶姓名", 1))
		}
	}
	return nil
}

// keptDetails keeps the fields of d that belong to kind, so that a form
// sending every field stores only what the event means.
func keptDetails(kind string, d EventDetails) EventDetails {
	k := EventDetails{Note: d.Note}
	switch kind {
	case KindBirth:
		k = d
		k.Cause, k.SpouseID, k.SpouseName = "", nil, ""
	case KindDeath:
		k.Place, k.Cause = d.Place, d.Cause
	case KindFirstMarriage, KindRemarriage:
		k.SpouseID, k.SpouseName, k.Place = d.SpouseID, d.SpouseName, d.Place
		if k.SpouseID != nil {
			k.SpouseName = ""
		}
	case KindMoveIn, KindTransfer:
		k.Division, k.ResidenceDivision, k.HouseholdID, k.Relation = d.Division, d.ResidenceDivision, d.HouseholdID, d.Relation
		if kind == KindMoveIn {
			k.Place = d.Place
		}
	case KindMoveOut, KindLeave:
		k.Place = d.Place
	case KindArrive:
		k.Place, k.Division = d.Place, d.Division
	case KindReturn:
		k.Division = d.Division
	case KindAdoption:
		k.MotherID, k.FatherID = d.MotherID, d.FatherID
	}
	if k.HouseholdID == nil {
		k.Relation = ""
	}
	return k
}

// requireDetails checks the fields an event of its kind cannot do without.
// Corrections are checked after they inherit the corrected event's details.
func requireDetails(in EventInput) error {
	d := in.EventDetails
	switch in.Kind {
	case KindFirstMarriage, KindRemarriage:
		if d.SpouseID == nil && d.SpouseName == "" {
			return apperr.InvalidField("spouse_id", "请选择配偶，或填写不在本辖区的配偶姓名")
		}
	case KindMoveIn:
		if d.Division == "" {
			return apperr.InvalidField("division", "请选择迁入后的户籍地（村/居委会）")
		}
	case KindTransfer:
		if d.Division == "" {
			return apperr.InvalidField("division", "请选择迁往的户籍地（村/居委会）")
		}
	case KindMoveOut:
		if d.Place == "" {
			return apperr.InvalidField("place", "请填写迁往地")
		}
	case KindLeave:
		if d.Place == "" {
			return apperr.InvalidField("place", "请填写流出去向（如 广东省东莞市）")
		}
	case KindArrive:
		if d.Division == "" {
			return apperr.InvalidField("division", "请选择现居住地（村/居委会）")
		}
	case KindAdoption:
		if d.MotherID == nil && d.FatherID == nil {
			return apperr.InvalidField("mother_id", "请选择养母或养父")
		}
	}
	if d.HouseholdID != nil && d.Relation == "" {
		return apperr.InvalidField("relation", "请填写与户主关系")
	}
	if d.Relation != "" && !relations.has(d.Relation) {
		return apperr.InvalidField("relation", "与户主关系无效，可选值："+relations.values())
	}
	return nil
}

// inherit fills the fields a correction left empty from the event it
// corrects, when both are of the same kind: a form may send only what changed.
func inherit(in *EventInput, old storedEvent) {
	if in.Kind != old.Kind {
		return
	}
	if in.Date == "" {
		in.Date = old.Date
	}
	d, o := &in.EventDetails, old.Details
	for _, p := range []struct{ dst, src *string }{{&d.Name, &o.Name}, {&d.Sex, &o.Sex}, {&d.Place, &o.Place},
		{&d.Cause, &o.Cause}, {&d.Division, &o.Division}, {&d.ResidenceDivision, &o.ResidenceDivision},
		{&d.Ethnicity, &o.Ethnicity}, {&d.HukouType, &o.HukouType}} {
		if *p.dst == "" {
			*p.dst = *p.src
		}
	}
	if d.SpouseID == nil && d.SpouseName == "" {
		d.SpouseID, d.SpouseName = o.SpouseID, o.SpouseName
	}
	if d.MotherID == nil && d.FatherID == nil {
		d.MotherID, d.FatherID = o.MotherID, o.FatherID
	}
	if d.HouseholdID == nil {
		d.HouseholdID, d.Relation = o.HouseholdID, o.Relation
	}
}
