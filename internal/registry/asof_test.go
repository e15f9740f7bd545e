package registry_test

import (
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

// populationFixture registers, in 城关镇 (villages A1 and A2):
//
//	p1  A1       female 1980-01-01  no events
//	p2  A1       male   2000-06-15  no events
//	p3  A1       male   1950-01-01  no events, died 2010-01-01 (as registered)
//	p4  A1       female 1985-01-01  moved out 2015-01-01, moved in to A2 2018-01-01
//	p5  A2       male   1970-01-01  left for 广东 2012-01-01, returned 2014-01-01
//	p6  A1       female born 2019-03-03 (birth event, mother p1)
//	p7  A1       male   1960-01-01  died 2016-06-30 (death event)
//	p8  A1/A2    male   1990-01-01  registered in A1, living in A2, no events
type populationFixture struct {
	p [9]registry.Person
	// events of p4, for corrections
	moveOut, moveIn registry.Event
}

func (e env) populationFixture(t *testing.T) populationFixture {
	t.Helper()
	ctx := testfix.Ctx(auth.RoleTownship, testfix.TownA)
	a1, a2 := testfix.VillageA1, testfix.VillageA2
	var f populationFixture
	f.p[1] = e.person(t, ctx, "一号", "female", "1980-01-01", a1, "")
	f.p[2] = e.person(t, ctx, "二号", "male", "2000-06-15", a1, "")
	f.p[3] = e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "三号", Sex: "male", BirthDate: "1950-01-01",
		RegisteredDivision: a1, Status: "deceased", DeathDate: "2010-01-01"}})
	f.p[4] = e.person(t, ctx, "四号", "female", "1985-01-01", a1, "")
	f.moveOut = e.event(t, ctx, registry.EventInput{PersonID: f.p[4].ID, Kind: registry.KindMoveOut, Date: "2015-01-01",
		EventDetails: registry.EventDetails{Place: "合肥市"}})
	f.moveIn = e.event(t, ctx, registry.EventInput{PersonID: f.p[4].ID, Kind: registry.KindMoveIn, Date: "2018-01-01",
		EventDetails: registry.EventDetails{Division: a2, Place: "合肥市"}})
	f.p[5] = e.person(t, ctx, "五号", "male", "1970-01-01", a2, "")
	e.event(t, ctx, registry.EventInput{PersonID: f.p[5].ID, Kind: registry.KindLeave, Date: "2012-01-01",
		EventDetails: registry.EventDetails{Place: "广东省东莞市"}})
	e.event(t, ctx, registry.EventInput{PersonID: f.p[5].ID, Kind: registry.KindReturn, Date: "2014-01-01"})
	birth := e.event(t, ctx, registry.EventInput{Kind: registry.KindBirth, Date: "2019-03-03", EventDetails: registry.EventDetails{
		Name: "六号", Sex: "female", MotherID: &f.p[1].ID, Division: a1}})
	f.p[6], _ = e.svc.Get(ctx, birth.PersonID)
	f.p[7] = e.person(t, ctx, "七号", "male", "1960-01-01", a1, "")
	e.event(t, ctx, registry.EventInput{PersonID: f.p[7].ID, Kind: registry.KindDeath, Date: "2016-06-30"})
	f.p[8] = e.person(t, ctx, "八号", "male", "1990-01-01", a1, a2)
	return f
}

type counts struct{ regA1, resA1, regA2, resA2 int }

func (e env) countsOn(t *testing.T, date string) counts {
	t.Helper()
	ctx := testfix.Ctx(auth.RoleTownship, testfix.TownA)
	var c counts
	for _, v := range []struct {
		code     string
		reg, res *int
	}{{testfix.VillageA1, &c.regA1, &c.resA1}, {testfix.VillageA2, &c.regA2, &c.resA2}} {
		p, err := e.svc.PopulationAt(ctx, v.code, date)
		if err != nil {
			t.Fatalf("population of %s on %s: %v", v.code, date, err)
		}
		*v.reg, *v.res = p.Registered.Total, p.Resident.Total
	}
	return c
}

func TestPopulationAsOf(t *testing.T) {
	cases := []struct {
		date string
		want counts
	}{
		{"1979-12-31", counts{2, 2, 1, 1}}, // p3 p7 | p3 p7 | p5 | p5
		{"2000-06-14", counts{5, 4, 1, 2}}, // p1 p3 p4 p7 p8 | p1 p3 p4 p7 | p5 | p5 p8
		{"2000-06-15", counts{6, 5, 1, 2}}, // p2 born that day
		{"2009-12-31", counts{6, 5, 1, 2}}, //
		{"2010-01-01", counts{5, 4, 1, 2}}, // p3 died (as registered)
		{"2012-01-01", counts{5, 4, 1, 1}}, // p5 away: still registered, not resident
		{"2014-01-01", counts{5, 4, 1, 2}}, // p5 back
		{"2015-01-01", counts{4, 3, 1, 2}}, // p4 moved out of the county
		{"2016-06-29", counts{4, 3, 1, 2}}, //
		{"2016-06-30", counts{3, 2, 1, 2}}, // p7 died (event)
		{"2018-01-01", counts{3, 2, 2, 3}}, // p4 moved in to A2
		{"2019-03-02", counts{3, 2, 2, 3}}, //
		{"2019-03-03", counts{4, 3, 2, 3}}, // p6 born
		{"", counts{4, 3, 2, 3}},           // today
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.populationFixture(t)
		for _, c := range cases {
			if got := e.countsOn(t, c.date); got != c.want {
				t.Errorf("on %q: %+v, want %+v", c.date, got, c.want)
			}
		}
		ctx := testfix.Ctx(auth.RoleTownship, testfix.TownA)
		town, err := e.svc.PopulationAt(ctx, testfix.TownA, "")
		if err != nil {
			t.Fatal(err)
		}
		want := registry.Headcount{Total: 6, Male: 3, Female: 3}
		if town.Registered != want || town.Resident.Total != 6 || len(town.Children) != 2 ||
			town.Children[0].Registered.Total != 4 || town.Children[1].Resident.Total != 3 {
			t.Errorf("township today: %+v", town)
		}
		// Today's figure agrees with the trigger-kept counts of the home page.
		if o, _ := e.svc.Overview(ctx, testfix.TownA); o.Persons != town.Registered.Total || o.Male != town.Registered.Male {
			t.Errorf("overview %+v disagrees with as-of today %+v", o, town.Registered)
		}

		// Corrections move the history.
		e.event(t, ctx, registry.EventInput{PersonID: f.p[4].ID, Kind: registry.KindMoveIn, Date: "2017-01-01", Corrects: &f.moveIn.ID,
			EventDetails: registry.EventDetails{Note: "迁入日期有误"}})
		if got := e.countsOn(t, "2017-06-01"); got != (counts{3, 2, 2, 3}) {
			t.Errorf("after moving the move-in earlier: %+v", got)
		}
		// Without the move out, the move in is her first own event: she was
		// outside the county until then.
		e.event(t, ctx, registry.EventInput{PersonID: f.p[4].ID, Kind: registry.KindVoid, Corrects: &f.moveOut.ID,
			EventDetails: registry.EventDetails{Note: "迁出系误登"}})
		if got := e.countsOn(t, "2016-01-01"); got != (counts{4, 3, 1, 2}) {
			t.Errorf("after voiding the move out, 2016: %+v", got)
		}
		if st := e.state(t, ctx, f.p[4].ID, "2016-01-01"); st.Status != "moved_out" {
			t.Errorf("p4 before her move in: %+v", st)
		}
		evs, _ := e.svc.PersonEvents(ctx, f.p[4].ID)
		var moveIn registry.Event
		for _, ev := range evs {
			if ev.Kind == registry.KindMoveIn && ev.Effective {
				moveIn = ev
			}
		}
		e.event(t, ctx, registry.EventInput{PersonID: f.p[4].ID, Kind: registry.KindVoid, Corrects: &moveIn.ID,
			EventDetails: registry.EventDetails{Note: "迁入系误登"}})
		if got := e.countsOn(t, "2016-01-01"); got != (counts{5, 4, 1, 2}) {
			t.Errorf("after voiding both moves, 2016: %+v", got)
		}
		if got := e.countsOn(t, ""); got != (counts{5, 4, 1, 2}) {
			t.Errorf("after voiding both moves, today: %+v", got)
		}
		if st := e.state(t, ctx, f.p[4].ID, ""); st.Status != "alive" || st.RegisteredDivision != testfix.VillageA1 || !st.HasEvents {
			t.Errorf("p4 after voids: %+v", st)
		}
	})
}

func TestPersonStateAsOf(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.populationFixture(t)
		ctx := testfix.Ctx(auth.RoleTownship, testfix.TownA)
		cases := []struct {
			person       int
			date         string
			exists       bool
			status, reg  string
			away, awayOn string
		}{
			{3, "2009-12-31", true, "alive", testfix.VillageA1, "", ""},
			{3, "2010-01-01", true, "deceased", testfix.VillageA1, "", ""},
			{2, "2000-06-14", false, "", "", "", ""},
			{4, "2014-12-31", true, "alive", testfix.VillageA1, "", ""},
			{4, "2015-01-01", true, "moved_out", testfix.VillageA1, "", ""},
			{4, "2018-01-01", true, "alive", testfix.VillageA2, "", ""},
			{5, "2013-01-01", true, "alive", testfix.VillageA2, "广东省东莞市", "2012-01-01"},
			{5, "2014-01-01", true, "alive", testfix.VillageA2, "", ""},
			{6, "2019-03-02", false, "", "", "", ""},
			{6, "2019-03-03", true, "alive", testfix.VillageA1, "", ""},
		}
		for _, c := range cases {
			st := e.state(t, ctx, f.p[c.person].ID, c.date)
			if st.Exists != c.exists || st.Status != c.status || st.RegisteredDivision != c.reg || st.AwayPlace != c.away || st.AwaySince != c.awayOn {
				t.Errorf("p%d on %s: %+v", c.person, c.date, st)
			}
		}
		_, err := e.svc.PersonStateAt(ctx, f.p[1].ID, "2026-11-23")
		refused(t, "future date", err, apperr.Invalid, "date", "不能晚于今天")
		_, err = e.svc.PopulationAt(testfix.Ctx(auth.RoleVillage, testfix.VillageB1), testfix.VillageA1, "")
		refused(t, "population outside the area", err, apperr.NotFound, "", "不在您的管辖范围内")
	})
}
