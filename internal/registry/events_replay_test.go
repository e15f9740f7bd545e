package registry

import (
	"reflect"
	"strings"
	"testing"
)

// Paths of the replay tests' divisions (no database needed).
var testPaths = map[string]string{
	"341523100001": "/34/3415/341523/341523100/341523100001/",
	"341523100202": "/34/3415/341523/341523100/341523100202/",
	"341523101200": "/34/3415/341523/341523101/341523101200/",
}

const (
	self   = int64(1)
	spouse = int64(2)
	other  = int64(3)
)

func baseAt(code string) lifeState {
	return lifeState{BirthDate: "1990-01-01", Sex: "female", Status: statusAlive, MaritalStatus: "unmarried",
		RegDivision: code, RegPath: testPaths[code], ResDivision: code, ResPath: testPaths[code]}
}

func ev(id int64, kind, date string, d EventDetails) lifeEvent {
	return lifeEvent{ID: id, Order: id, PersonID: self, Kind: kind, Date: date, D: d}
}

func ptr(n int64) *int64 { return &n }

func TestReplayTransitions(t *testing.T) {
	a1, a2, b1 := "341523100001", "341523100202", "341523101200"
	cases := []struct {
		name   string
		base   lifeState
		events []lifeEvent
		check  func(t *testing.T, fin lifeState)
		errSub string // refusal expected, with this in the message
		errID  int64  // … on this event
	}{
		{"first marriage then divorce then remarriage", baseAt(a1), []lifeEvent{
			ev(1, KindFirstMarriage, "2012-05-01", EventDetails{SpouseID: ptr(spouse)}),
			ev(2, KindDivorce, "2015-05-01", EventDetails{}),
			ev(3, KindRemarriage, "2018-05-01", EventDetails{SpouseName: "王五"}),
		}, func(t *testing.T, fin lifeState) {
			if fin.MaritalStatus != "remarried" || fin.SpouseID != nil || fin.SpouseName != "王五" {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
		{"events apply in date order whatever the order recorded", baseAt(a1), []lifeEvent{
			ev(1, KindDivorce, "2015-05-01", EventDetails{}),
			ev(2, KindFirstMarriage, "2012-05-01", EventDetails{SpouseName: "李四"}),
		}, func(t *testing.T, fin lifeState) {
			if fin.MaritalStatus != "divorced" {
				t.Errorf("marital %s", fin.MaritalStatus)
			}
		}, "", 0},
		{"second marriage while married", baseAt(a1), []lifeEvent{
			ev(1, KindFirstMarriage, "2012-05-01", EventDetails{SpouseName: "李四"}),
			ev(2, KindRemarriage, "2013-05-01", EventDetails{SpouseName: "王五"}),
		}, nil, "当前为已婚状态", 2},
		{"first marriage after a divorce", baseAt(a1), []lifeEvent{
			ev(1, KindFirstMarriage, "2012-05-01", EventDetails{SpouseName: "李四"}),
			ev(2, KindDivorce, "2013-05-01", EventDetails{}),
			ev(3, KindFirstMarriage, "2014-05-01", EventDetails{SpouseName: "王五"}),
		}, nil, "请登记为再婚", 3},
		{"remarriage of the never married", baseAt(a1), []lifeEvent{
			ev(1, KindRemarriage, "2012-05-01", EventDetails{SpouseName: "李四"}),
		}, nil, "请登记为初婚", 1},
		{"divorce while unmarried", baseAt(a1), []lifeEvent{ev(1, KindDivorce, "2012-05-01", EventDetails{})}, nil, "不是已婚状态", 1},
		{"event before birth", baseAt(a1), []lifeEvent{ev(1, KindLeave, "1989-12-31", EventDetails{Place: "广东"})}, nil, "不能早于出生日期", 1},
		{"event after death", baseAt(a1), []lifeEvent{
			ev(1, KindDeath, "2020-01-01", EventDetails{}),
			ev(2, KindLeave, "2020-01-02", EventDetails{Place: "广东"}),
		}, nil, "已于 2020-01-01 死亡", 2},
		{"death of a moved-out person", baseAt(a1), []lifeEvent{
			ev(1, KindMoveOut, "2019-01-01", EventDetails{Place: "合肥"}),
			ev(2, KindDeath, "2020-01-01", EventDetails{}),
		}, nil, "已迁出本县", 2},
		{"move out and back in elsewhere", baseAt(a1), []lifeEvent{
			ev(1, KindLeave, "2010-01-01", EventDetails{Place: "广东"}),
			ev(2, KindMoveOut, "2011-01-01", EventDetails{Place: "合肥"}),
			ev(3, KindMoveIn, "2015-01-01", EventDetails{Division: b1}),
		}, func(t *testing.T, fin lifeState) {
			if fin.Status != statusAlive || fin.RegDivision != b1 || fin.ResPath != testPaths[b1] || fin.AwayPlace != "" {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
		{"move in while registered here", baseAt(a1), []lifeEvent{
			ev(1, KindLeave, "2010-01-01", EventDetails{Place: "广东"}),
			ev(2, KindMoveIn, "2011-01-01", EventDetails{Division: b1}),
		}, nil, "户籍仍在本县", 2},
		{"a first own move in means outside the county before", baseAt(a1), []lifeEvent{
			ev(1, KindMoveIn, "2011-01-01", EventDetails{Division: a2}),
		}, func(t *testing.T, fin lifeState) {
			if fin.Status != statusAlive || fin.RegDivision != a2 {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
		{"transfer keeps a given residence", baseAt(a1), []lifeEvent{
			ev(1, KindTransfer, "2011-01-01", EventDetails{Division: a2, ResidenceDivision: b1}),
		}, func(t *testing.T, fin lifeState) {
			if fin.RegDivision != a2 || fin.ResDivision != b1 {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
		{"transfer to the same division", baseAt(a1), []lifeEvent{ev(1, KindTransfer, "2011-01-01", EventDetails{Division: a1})}, nil, "相同", 1},
		{"leave twice", baseAt(a1), []lifeEvent{
			ev(1, KindLeave, "2010-01-01", EventDetails{Place: "广东"}),
			ev(2, KindLeave, "2011-01-01", EventDetails{Place: "浙江"}),
		}, nil, "已登记流出", 2},
		{"return without leaving", baseAt(a1), []lifeEvent{ev(1, KindReturn, "2011-01-01", EventDetails{})}, nil, "未登记流出", 1},
		{"leave, return to another village, arrive back", baseAt(a1), []lifeEvent{
			ev(1, KindLeave, "2010-01-01", EventDetails{Place: "广东"}),
			ev(2, KindReturn, "2011-01-01", EventDetails{Division: b1}),
			ev(3, KindArrive, "2012-01-01", EventDetails{Division: a1, Place: "晓天镇"}),
		}, func(t *testing.T, fin lifeState) {
			if fin.ResDivision != a1 || fin.RegDivision != a1 || fin.AwayPlace != "" {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
		{"arrive where already living", baseAt(a1), []lifeEvent{ev(1, KindArrive, "2011-01-01", EventDetails{Division: a1})}, nil, "没有变化", 1},
		{"adoption sets adoptive parents", baseAt(a1), []lifeEvent{ev(1, KindAdoption, "1995-01-01", EventDetails{MotherID: ptr(other)})},
			func(t *testing.T, fin lifeState) {
				if fin.AdoptiveMotherID == nil || *fin.AdoptiveMotherID != other || fin.AdoptiveFatherID != nil {
					t.Errorf("state %+v", fin)
				}
			}, "", 0},
		{"birth must come first", baseAt(a1), []lifeEvent{
			ev(1, KindLeave, "1990-01-01", EventDetails{Place: "广东"}),
			{ID: 2, Order: 0, PersonID: self, Kind: KindBirth, Date: "1990-06-01", D: EventDetails{Sex: "male", Division: a2}},
		}, nil, "第一个事件", 2},
		{"birth sets the state", baseAt(a1), []lifeEvent{
			{ID: 1, Order: 1, PersonID: self, Kind: KindBirth, Date: "1991-02-03", D: EventDetails{Sex: "male", Division: a2, ResidenceDivision: b1}},
		}, func(t *testing.T, fin lifeState) {
			if fin.BirthDate != "1991-02-03" || fin.Sex != "male" || fin.RegDivision != a2 || fin.ResDivision != b1 {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
		{"spouse side: first marriage by own history", baseAt(a1), []lifeEvent{
			{ID: 1, Order: 1, PersonID: spouse, RelatedID: self, Kind: KindRemarriage, Date: "2012-01-01"},
		}, func(t *testing.T, fin lifeState) {
			if fin.MaritalStatus != "first_married" || fin.SpouseID == nil || *fin.SpouseID != spouse {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
		{"spouse side: married already", func() lifeState { b := baseAt(a1); b.MaritalStatus = "first_married"; return b }(), []lifeEvent{
			{ID: 1, Order: 1, PersonID: spouse, RelatedID: self, Kind: KindFirstMarriage, Date: "2012-01-01"},
		}, nil, "当前为已婚状态", 1},
		{"spouse side: divorce from someone else", baseAt(a1), []lifeEvent{
			{ID: 1, Order: 1, PersonID: spouse, RelatedID: self, Kind: KindFirstMarriage, Date: "2012-01-01"},
			{ID: 2, Order: 2, PersonID: other, RelatedID: self, Kind: KindDivorce, Date: "2013-01-01"},
		}, nil, "配偶不是该人员", 2},
		{"a recorded death date ends the base state", func() lifeState {
			b := baseAt(a1)
			b.Status, b.DeathDate = statusDeceased, "2020-06-01"
			return b
		}(), []lifeEvent{ev(1, KindLeave, "2019-01-01", EventDetails{Place: "广东"})}, func(t *testing.T, fin lifeState) {
			if fin.Status != statusDeceased || fin.DeathDate != "2020-06-01" || fin.AwayPlace != "广东" {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
		{"the recorded death date refuses later events", func() lifeState {
			b := baseAt(a1)
			b.Status, b.DeathDate = statusDeceased, "2020-06-01"
			return b
		}(), []lifeEvent{ev(1, KindLeave, "2021-01-01", EventDetails{Place: "广东"})}, nil, "已于 2020-06-01 死亡", 1},
		{"a death event replaces the recorded death date", func() lifeState {
			b := baseAt(a1)
			b.Status, b.DeathDate = statusDeceased, "2020-06-01"
			return b
		}(), []lifeEvent{
			ev(1, KindLeave, "2021-01-01", EventDetails{Place: "广东"}),
			ev(2, KindDeath, "2022-03-04", EventDetails{}),
		}, func(t *testing.T, fin lifeState) {
			if fin.Status != statusDeceased || fin.DeathDate != "2022-03-04" {
				t.Errorf("state %+v", fin)
			}
		}, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tl, err := replay(self, c.base, c.events, testPaths)
			if c.errSub != "" {
				re, ok := err.(*replayError)
				if !ok || !strings.Contains(re.Msg, c.errSub) || re.Event.ID != c.errID {
					t.Fatalf("err %v (%T), want %q on event %d", err, err, c.errSub, c.errID)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, tl.final())
		})
	}
}

func TestTimelineAtAndSpans(t *testing.T) {
	a1, b1 := "341523100001", "341523101200"
	base := baseAt(a1)
	tl, err := replay(self, base, []lifeEvent{
		ev(1, KindLeave, "2010-03-01", EventDetails{Place: "广东"}),
		ev(2, KindReturn, "2012-03-01", EventDetails{}),
		ev(3, KindFirstMarriage, "2012-03-01", EventDetails{SpouseName: "李四"}), // same day: one step
		ev(4, KindMoveOut, "2015-01-01", EventDetails{Place: "合肥"}),
		ev(5, KindMoveIn, "2016-01-01", EventDetails{Division: b1}),
		ev(6, KindDeath, "2020-01-01", EventDetails{}),
	}, testPaths)
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Steps) != 5 {
		t.Fatalf("%d steps, want 5 (one per date)", len(tl.Steps))
	}
	at := []struct {
		date    string
		exists  bool
		status  string
		reg     string
		away    string
		marital string
	}{
		{"1989-12-31", false, "", "", "", ""},
		{"1990-01-01", true, statusAlive, a1, "", "unmarried"},
		{"2010-02-28", true, statusAlive, a1, "", "unmarried"},
		{"2010-03-01", true, statusAlive, a1, "广东", "unmarried"},
		{"2012-02-29", true, statusAlive, a1, "广东", "unmarried"},
		{"2012-03-01", true, statusAlive, a1, "", "first_married"},
		{"2015-01-01", true, statusMovedOut, a1, "", "first_married"},
		{"2016-01-01", true, statusAlive, b1, "", "first_married"},
		{"2019-12-31", true, statusAlive, b1, "", "first_married"},
		{"2020-01-01", true, statusDeceased, b1, "", "first_married"},
	}
	for _, c := range at {
		st, ok := tl.at(c.date)
		if ok != c.exists || st.Status != c.status || st.RegDivision != c.reg || st.AwayPlace != c.away || st.MaritalStatus != c.marital {
			t.Errorf("at %s: %v %+v", c.date, ok, st)
		}
	}
	pa, pb := testPaths[a1], testPaths[b1]
	want := []span{
		{"1990-01-01", "2010-03-01", statusAlive, "female", pa, pa, false},
		{"2010-03-01", "2012-03-01", statusAlive, "female", pa, pa, true},
		{"2012-03-01", "2015-01-01", statusAlive, "female", pa, pa, false},
		{"2015-01-01", "2016-01-01", statusMovedOut, "female", pa, pa, false},
		{"2016-01-01", "2020-01-01", statusAlive, "female", pb, pb, false},
		{"2020-01-01", "", statusDeceased, "female", pb, pb, false},
	}
	if got := tl.spans(); !reflect.DeepEqual(got, want) {
		t.Errorf("spans\n got %+v\nwant %+v", got, want)
	}
}

// A marriage changes no counted field, so it does not split a span; a move
// in as the first own event leaves the time before it outside the county.
func TestSpansJoinAndMoveInFirst(t *testing.T) {
	a1, a2 := "341523100001", "341523100202"
	tl, err := replay(self, baseAt(a1), []lifeEvent{
		ev(1, KindFirstMarriage, "2012-01-01", EventDetails{SpouseName: "李四"}),
		ev(2, KindMoveIn, "2014-01-01", EventDetails{Division: a2}),
	}, testPaths)
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := testPaths[a1], testPaths[a2]
	want := []span{
		{"1990-01-01", "2014-01-01", statusMovedOut, "female", pa, pa, false},
		{"2014-01-01", "", statusAlive, "female", pb, pb, false},
	}
	if got := tl.spans(); !reflect.DeepEqual(got, want) {
		t.Errorf("spans\n got %+v\nwant %+v", got, want)
	}
}

func TestStateOfRow(t *testing.T) {
	dead := baseAt("341523100001")
	dead.Status, dead.DeathDate = statusDeceased, "2020-05-05"
	cases := []struct {
		date   string
		exists bool
		status string
	}{
		{"1989-12-31", false, ""}, {"1990-01-01", true, statusAlive}, {"2020-05-04", true, statusAlive},
		{"2020-05-05", true, statusDeceased}, {"2026-01-01", true, statusDeceased},
	}
	for _, c := range cases {
		st, ok := stateOfRow(dead, c.date)
		if ok != c.exists || st.Status != c.status {
			t.Errorf("%s: %v %s, want %v %s", c.date, ok, st.Status, c.exists, c.status)
		}
	}
}

func TestKeptDetails(t *testing.T) {
	all := EventDetails{Name: "张三", Sex: "male", MotherID: ptr(1), FatherID: ptr(2), Place: "合肥", Cause: "病故",
		SpouseID: ptr(3), SpouseName: "李四", Division: "341523100001", ResidenceDivision: "341523100202",
		HouseholdID: ptr(4), Relation: "child", Ethnicity: "汉族", HukouType: "agricultural", Note: "备注"}
	cases := []struct {
		kind string
		want EventDetails
	}{
		{KindDeath, EventDetails{Place: "合肥", Cause: "病故", Note: "备注"}},
		{KindFirstMarriage, EventDetails{SpouseID: ptr(3), Place: "合肥", Note: "备注"}},
		{KindLeave, EventDetails{Place: "合肥", Note: "备注"}},
		{KindArrive, EventDetails{Place: "合肥", Division: "341523100001", Note: "备注"}},
		{KindTransfer, EventDetails{Division: "341523100001", ResidenceDivision: "341523100202", HouseholdID: ptr(4), Relation: "child", Note: "备注"}},
		{KindAdoption, EventDetails{MotherID: ptr(1), FatherID: ptr(2), Note: "备注"}},
		{KindVoid, EventDetails{Note: "备注"}},
	}
	for _, c := range cases {
		if got := keptDetails(c.kind, all); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.kind, got, c.want)
		}
	}
}
