package health

import (
	"errors"
	"reflect"
	"testing"

	"jisheng/internal/apperr"
)

func prog(t *testing.T, code string) Program {
	t.Helper()
	p, ok := ProgramOf(code)
	if !ok {
		t.Fatalf("no program %s", code)
	}
	return p
}

func TestProgramsAreWellFormed(t *testing.T) {
	for _, p := range Programs() {
		stages := map[string]bool{}
		for _, s := range p.Stages {
			stages[s.Code] = true
		}
		for _, s := range p.Stages {
			for _, n := range s.Next {
				if !stages[n] {
					t.Errorf("%s/%s: next stage %s undeclared", p.Code, s.Code, n)
				}
			}
			if s.CodeField != "" && !hasField(s, s.CodeField) {
				t.Errorf("%s/%s: code field %s undeclared", p.Code, s.Code, s.CodeField)
			}
		}
		for _, r := range p.Visits {
			for _, ref := range append([]string{r.DoneBy, r.RepeatUntil}, r.LapsesAt...) {
				if ref != "" && !stages[ref] {
					t.Errorf("%s/%s: stage %s undeclared", p.Code, r.Kind, ref)
				}
			}
			if r.Anchor != "opened" && !stages[r.Anchor] {
				t.Errorf("%s/%s: anchor %s undeclared", p.Code, r.Kind, r.Anchor)
			}
		}
	}
}

func hasField(s Stage, name string) bool {
	for _, f := range s.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func TestOnOpen(t *testing.T) {
	cases := []struct {
		program string
		first   StepRec
		want    []Due
	}{
		{PostOp, StepRec{Stage: "procedure", Date: "2026-01-31", Code: "iud_insertion"}, []Due{
			{"week1", 1, "2026-02-07", 7}, {"month1", 1, "2026-02-28", 14}, // 31 Jan + 1 month: end of February
			{"month3", 1, "2026-04-30", 30}, {"month6", 1, "2026-07-31", 30}}},
		{PostOp, StepRec{Stage: "procedure", Date: "2027-12-31", Code: "induced_abortion"}, []Due{
			{"week1", 1, "2028-01-07", 7}, {"month1", 1, "2028-01-31", 14},
			{"month3", 1, "2028-03-31", 30}, {"month6", 1, "2028-06-30", 30}}},
		{PostOp, StepRec{Stage: "procedure", Date: "2027-11-30", Code: "iud_removal"}, []Due{
			{"week1", 1, "2027-12-07", 7}, {"month1", 1, "2027-12-30", 14},
			{"month3", 1, "2028-02-29", 30}, {"month6", 1, "2028-05-30", 30}}}, // leap year
		{Pregnancy, StepRec{Stage: "registered", Date: "2026-03-15"}, []Due{{"antenatal", 1, "2026-05-15", 14}}},
		{Screening, StepRec{Stage: "examined", Date: "2026-03-15"}, []Due{{"result", 1, "2026-04-14", 0}}},
		{PrePreg, StepRec{Stage: "enrolled", Date: "2026-03-15"}, nil},
		{BirthReg, StepRec{Stage: "registered", Date: "2026-03-15", Code: "pregnancy"}, nil},
	}
	for _, c := range cases {
		got := OnOpen(prog(t, c.program), c.first)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s opened %s: got %v, want %v", c.program, c.first.Date, got, c.want)
		}
	}
}

func TestOnStep(t *testing.T) {
	cases := []struct {
		name    string
		program string
		step    StepRec
		want    Effects
	}{
		{"normal screening result completes the result item", Screening,
			StepRec{Stage: "result", Date: "2026-04-01", Code: "normal"}, Effects{Complete: []string{"result"}}},
		{"positive result schedules the further exam", Screening,
			StepRec{Stage: "result", Date: "2026-04-01", Code: "positive"},
			Effects{Create: []Due{{"further_exam", 1, "2026-05-01", 0}}, Complete: []string{"result"}}},
		{"suspicious counts like positive", Screening,
			StepRec{Stage: "result", Date: "2026-04-01", Code: "suspicious"},
			Effects{Create: []Due{{"further_exam", 1, "2026-05-01", 0}}, Complete: []string{"result"}}},
		{"CIN2 needs treatment", Screening, StepRec{Stage: "diagnosis", Date: "2026-05-10", Code: "cin2"},
			Effects{Create: []Due{{"treatment", 1, "2026-06-09", 0}}, Complete: []string{"diagnosis"}}},
		{"CIN1 needs none", Screening, StepRec{Stage: "diagnosis", Date: "2026-05-10", Code: "cin1"},
			Effects{Complete: []string{"diagnosis"}}},
		{"closing lapses every item", Screening, StepRec{Stage: "closed", Date: "2026-05-10", Code: "moved"},
			Effects{Lapse: []string{"result", "further_exam", "diagnosis", "treatment"}}},
		{"delivery lapses antenatal visits and schedules the postpartum visit", Pregnancy,
			StepRec{Stage: "delivered", Date: "2026-09-28", Code: "live_birth"},
			Effects{Create: []Due{{"postpartum", 1, "2026-10-05", 21}}, Lapse: []string{"antenatal"}}},
		{"a pregnancy that ended lapses antenatal visits", Pregnancy,
			StepRec{Stage: "ended", Date: "2026-05-01", Code: "miscarriage"}, Effects{Lapse: []string{"antenatal"}}},
		{"counselling schedules the early-pregnancy follow-up", PrePreg,
			StepRec{Stage: "counselled", Date: "2026-01-31"}, Effects{Create: []Due{{"early_pregnancy", 1, "2026-04-30", 30}}}},
		{"pregnant: outcome follow-up a month after the expected date", PrePreg,
			StepRec{Stage: "early_followup", Date: "2026-05-01", Code: "yes", Fields: map[string]any{"expected_date": "2026-12-20"}},
			Effects{Create: []Due{{"pregnancy_outcome", 1, "2027-01-19", 30}}, Complete: []string{"early_pregnancy"}}},
		{"pregnant without an expected date: nothing to anchor on", PrePreg,
			StepRec{Stage: "early_followup", Date: "2026-05-01", Code: "yes"}, Effects{Complete: []string{"early_pregnancy"}}},
		{"not pregnant: no outcome follow-up", PrePreg,
			StepRec{Stage: "early_followup", Date: "2026-05-01", Code: "no", Fields: map[string]any{"expected_date": "2026-12-20"}},
			Effects{Complete: []string{"early_pregnancy"}}},
	}
	for _, c := range cases {
		got := OnStep(prog(t, c.program), c.step)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestOnVisitDone(t *testing.T) {
	antenatal, _ := prog(t, Pregnancy).Rule("antenatal")
	week1, _ := prog(t, PostOp).Rule("week1")
	cases := []struct {
		name    string
		rule    VisitRule
		seq     int
		doneOn  string
		reached []string
		want    Due
		ok      bool
	}{
		{"next antenatal visit two months after the last", antenatal, 1, "2026-05-20", []string{"registered"},
			Due{"antenatal", 2, "2026-07-20", 14}, true},
		{"month end", antenatal, 3, "2026-12-31", []string{"registered"}, Due{"antenatal", 4, "2027-02-28", 14}, true},
		{"none after delivery", antenatal, 2, "2026-07-20", []string{"registered", "delivered"}, Due{}, false},
		{"none after the pregnancy ended", antenatal, 2, "2026-07-20", []string{"registered", "ended"}, Due{}, false},
		{"fixed visits do not recur", week1, 1, "2026-02-07", []string{"procedure"}, Due{}, false},
	}
	for _, c := range cases {
		got, ok := OnVisitDone(c.rule, c.seq, c.doneOn, c.reached)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: got %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestTimeliness(t *testing.T) {
	cases := []struct {
		status, due  string
		window       int
		done, lapsed string
		today, want  string
	}{
		{"done", "2026-03-01", 7, "2026-03-08", "", "2026-04-01", OnTime}, // last day of the window
		{"done", "2026-03-01", 7, "2026-03-09", "", "2026-04-01", Late},
		{"done", "2026-03-01", 0, "2026-02-20", "", "2026-04-01", OnTime}, // early counts as on time
		{"open", "2026-03-01", 7, "", "", "2026-03-08", Pending},
		{"open", "2026-03-01", 7, "", "", "2026-03-09", Missed},
		{"lapsed", "2026-03-01", 7, "", "2026-03-05", "2026-04-01", NotDue},
		{"lapsed", "2026-03-01", 7, "", "2026-03-20", "2026-04-01", Missed},
	}
	for _, c := range cases {
		if got := Timeliness(c.status, c.due, c.window, c.done, c.lapsed, c.today); got != c.want {
			t.Errorf("%+v: got %s", c, got)
		}
	}
}

func TestCleanFields(t *testing.T) {
	const today = "2026-11-22"
	result, _ := prog(t, Screening).Stage("result")
	examined, _ := prog(t, Screening).Stage("examined")
	registered, _ := prog(t, Pregnancy).Stage("registered")
	cases := []struct {
		name  string
		stage Stage
		in    map[string]any
		want  map[string]any
		field string
	}{
		{"choice", result, map[string]any{"result": "positive", "note": "  复查  "}, map[string]any{"result": "positive", "note": "复查"}, ""},
		{"missing required", result, map[string]any{"note": "x"}, nil, "fields.result"},
		{"blank required", result, map[string]any{"result": " "}, nil, "fields.result"},
		{"unknown option", result, map[string]any{"result": "maybe"}, nil, "fields.result"},
		{"unknown field", result, map[string]any{"result": "normal", "colour": "red"}, nil, "fields.colour"},
		{"choices deduplicated", examined, map[string]any{"items": []any{"tct", "hpv", "tct"}}, map[string]any{"items": []string{"tct", "hpv"}}, ""},
		{"empty choices", examined, map[string]any{"items": []any{}}, nil, "fields.items"},
		{"bad choice in list", examined, map[string]any{"items": []any{"tct", 3.0}}, nil, "fields.items"},
		{"expected date may be in the future", registered, map[string]any{"expected_date": "2027-05-01"}, map[string]any{"expected_date": "2027-05-01"}, ""},
		{"last period may not", registered, map[string]any{"last_period": "2026-12-01"}, nil, "fields.last_period"},
		{"impossible date", registered, map[string]any{"last_period": "2026-02-30"}, nil, "fields.last_period"},
		{"date as number", registered, map[string]any{"last_period": 20260201.0}, nil, "fields.last_period"},
	}
	for _, c := range cases {
		got, err := CleanFields(c.stage, c.in, today)
		if c.field != "" {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Field != c.field || ae.Message == "" {
				t.Errorf("%s: error %v, want one naming %s", c.name, err, c.field)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v %v, want %v", c.name, got, err, c.want)
		}
	}
}

func TestCheckTransition(t *testing.T) {
	s := prog(t, Screening)
	cases := []struct {
		from, to string
		ok       bool
	}{
		{"examined", "result", true},
		{"examined", "diagnosis", false}, // no diagnosis before a result
		{"result", "further_exam", true},
		{"diagnosis", "treatment", true},
		{"examined", "closed", true},
		{"examined", "nonsense", false},
	}
	for _, c := range cases {
		if err := CheckTransition(s, c.from, c.to); (err == nil) != c.ok {
			t.Errorf("%s → %s: %v", c.from, c.to, err)
		}
	}
}
