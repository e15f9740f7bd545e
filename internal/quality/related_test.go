package quality_test

import (
	"context"
	"testing"

	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/idno"
	"jisheng/internal/quality"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func TestDuplicateIDClearsBoth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		number := idno.Generate(testfix.County, "1975-07-07", 211)
		a := e.insertLegacy(t, legacy{"王甲", "male", "1975-07-07", number, testfix.VillageA1})
		b := e.insertLegacy(t, legacy{"王乙", "male", "1975-07-07", number, testfix.VillageA2})
		c := e.insertLegacy(t, legacy{"王丙", "male", "1975-07-07", number, testfix.VillageA2})
		res := e.recompute(t)
		if res.ByRule[quality.RuleIDDuplicate] != 3 || res.Added < 3 {
			t.Fatalf("recompute result %+v, want 3 id_duplicate findings", res)
		}
		for _, id := range []int64{a, b, c} {
			e.wantFinding(t, quality.EntityPerson, id, quality.RuleIDDuplicate, "共登记在 3 条人员记录中")
		}
		// Two of the three records get their own numbers: the last one
		// holding the number is no longer a duplicate either.
		e.update(t, villageA(), a, func(f *registry.Fields) { f.IDNumber = idno.Generate(testfix.County, "1975-07-07", 213) })
		e.wantNone(t, quality.EntityPerson, a, quality.RuleIDDuplicate)
		e.wantFinding(t, quality.EntityPerson, b, quality.RuleIDDuplicate, "共登记在 2 条人员记录中")
		e.update(t, testfix.Ctx("township", testfix.TownA), b, func(f *registry.Fields) {
			f.IDNumber = idno.Generate(testfix.County, "1975-07-07", 215)
		})
		for _, id := range []int64{a, b, c} {
			e.wantNone(t, quality.EntityPerson, id, quality.RuleIDDuplicate)
		}
		e.wantConsistent(t)
	})
}

func TestProbableDuplicates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		a := e.create(t, ctx, complete("刘芳", "female", "1992-02-02", testfix.VillageA1))
		e.wantNone(t, quality.EntityPerson, a.ID, quality.RuleProbableDuplicate)
		b := e.create(t, ctx, complete("刘芳", "female", "1992-02-02", testfix.VillageA1))
		other := e.create(t, testfix.Ctx("township", testfix.TownA), complete("刘芳", "female", "1992-02-02", testfix.VillageA2))
		for _, id := range []int64{a.ID, b.ID} {
			e.wantFinding(t, quality.EntityPerson, id, quality.RuleProbableDuplicate, "同村共有 2 人姓名和出生日期相同")
		}
		e.wantNone(t, quality.EntityPerson, other.ID, quality.RuleProbableDuplicate) // another village
		// Correcting the second record's birth date dissolves the group.
		e.update(t, ctx, b.ID, func(f *registry.Fields) {
			f.BirthDate, f.IDNumber = "1993-02-02", idno.Generate(testfix.County, "1993-02-02", 612)
		})
		e.wantNone(t, quality.EntityPerson, a.ID, quality.RuleProbableDuplicate)
		e.wantNone(t, quality.EntityPerson, b.ID, quality.RuleProbableDuplicate)
		e.wantConsistent(t)

		// Moving a group member to another village clears the group it left.
		c := e.create(t, ctx, complete("刘芳", "female", "1992-02-02", testfix.VillageA1))
		e.wantFinding(t, quality.EntityPerson, a.ID, quality.RuleProbableDuplicate, "同村共有 2 人")
		e.update(t, testfix.Ctx("township", testfix.TownA), c.ID, func(f *registry.Fields) {
			f.RegisteredDivision, f.ResidenceDivision = testfix.VillageA2, testfix.VillageA2
		})
		e.wantNone(t, quality.EntityPerson, a.ID, quality.RuleProbableDuplicate)
		e.wantFinding(t, quality.EntityPerson, other.ID, quality.RuleProbableDuplicate, "同村共有 2 人")
		e.wantConsistent(t)
	})
}

func TestSameIDIsNotAProbableDuplicate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		number := idno.Generate(testfix.County, "1960-01-01", 11)
		a := e.insertLegacy(t, legacy{"黄一", "male", "1960-01-01", number, testfix.VillageA1})
		b := e.insertLegacy(t, legacy{"黄一", "male", "1960-01-01", number, testfix.VillageA1})
		e.recompute(t)
		for _, id := range []int64{a, b} {
			e.wantFinding(t, quality.EntityPerson, id, quality.RuleIDDuplicate, "2 条")
			e.wantNone(t, quality.EntityPerson, id, quality.RuleProbableDuplicate)
		}
	})
}

func TestMotherAgeBoundaries(t *testing.T) {
	cases := []struct {
		mother, child string
		found         bool
	}{
		{"2000-06-02", "2014-06-01", true},  // a day before her 14th birthday
		{"2000-06-02", "2014-06-02", false}, // on it
		{"1950-06-02", "2006-06-01", false}, // 55 years and 364 days
		{"1950-06-02", "2006-06-02", true},  // 56
		{"1996-02-29", "2010-02-28", true},  // born on 29 February: 14 on 1 March
		{"1996-02-29", "2010-03-01", false},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		for i, c := range cases {
			m := e.create(t, villageA(), complete("母"+string(rune('甲'+i)), "female", c.mother, testfix.VillageA1))
			f := complete("子"+string(rune('甲'+i)), "male", c.child, testfix.VillageA1)
			f.MotherID = &m.ID
			child := e.create(t, villageA(), f)
			_, got := e.findings(t, quality.EntityPerson, child.ID)[quality.RuleMotherAge]
			if got != c.found {
				t.Errorf("mother %s, child %s: finding %v, want %v", c.mother, c.child, got, c.found)
			}
		}
		e.wantConsistent(t)
	})
}

func TestEventAfterDeath(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		f := complete("何九", "male", "1950-01-01", testfix.VillageA1)
		f.Status, f.DeathDate = "deceased", "2020-01-01"
		p := e.create(t, villageA(), f)
		event := func(kind, date string, corrects *int64) int64 {
			var id int64
			err := d.Tx(ctx, func(tx *db.Tx) error {
				var err error
				id, err = tx.InsertID(ctx, `INSERT INTO person_events (person_id, kind, event_date, corrects_id, division_path,
					created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, 'test')`, p.ID, kind, date, corrects, testfix.Path(testfix.VillageA1), db.Now())
				if err != nil {
					return err
				}
				return e.reg.Notify(ctx, tx, registry.Changed{Persons: []int64{p.ID}}) // as the events service does
			})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		event("death", "2020-01-01", nil)
		e.wantNone(t, quality.EntityPerson, p.ID, quality.RuleEventAfterDeath)
		leave := event("leave", "2021-05-01", nil)
		e.wantFinding(t, quality.EntityPerson, p.ID, quality.RuleEventAfterDeath, "之后仍登记有 1 个事件（最早 2021-05-01）")
		e.wantConsistent(t)
		// A correcting event supersedes the wrong one.
		event("leave", "2019-05-01", &leave)
		e.wantNone(t, quality.EntityPerson, p.ID, quality.RuleEventAfterDeath)
		// A later event, then the death date corrected through the registry.
		event("move_out", "2022-03-01", nil)
		e.wantFinding(t, quality.EntityPerson, p.ID, quality.RuleEventAfterDeath, "最早 2022-03-01")
		e.update(t, villageA(), p.ID, func(f *registry.Fields) { f.DeathDate = "2023-01-01" })
		e.wantNone(t, quality.EntityPerson, p.ID, quality.RuleEventAfterDeath)
		e.wantConsistent(t)
	})
}

func TestHouseholdWithoutHead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		h, err := e.reg.CreateHousehold(ctx, registry.HouseholdInput{Division: testfix.VillageA1, Address: "东苑 1 号"})
		if err != nil {
			t.Fatal(err)
		}
		e.wantNone(t, quality.EntityHousehold, h.ID, quality.RuleHouseholdNoHead) // empty: nobody to name
		f := complete("林妻", "female", "1980-01-01", testfix.VillageA1)
		f.HouseholdID, f.Relation = &h.ID, "spouse"
		wife := e.create(t, ctx, f)
		e.wantFinding(t, quality.EntityHousehold, h.ID, quality.RuleHouseholdNoHead, "户内有 1 名健在成员，但没有健在的户主")
		f = complete("林夫", "male", "1979-01-01", testfix.VillageA1)
		f.HouseholdID, f.Relation = &h.ID, "head"
		head := e.create(t, ctx, f)
		e.wantNone(t, quality.EntityHousehold, h.ID, quality.RuleHouseholdNoHead)
		e.wantConsistent(t)
		// The head dies: the household needs a new head.
		e.update(t, ctx, head.ID, func(f *registry.Fields) { f.Status, f.DeathDate = "deceased", "2025-01-01" })
		e.wantFinding(t, quality.EntityHousehold, h.ID, quality.RuleHouseholdNoHead, "1 名健在成员")
		e.update(t, ctx, wife.ID, func(f *registry.Fields) { f.Relation = "head" })
		e.wantNone(t, quality.EntityHousehold, h.ID, quality.RuleHouseholdNoHead)
		e.wantConsistent(t)
	})
}

func TestIDFacts(t *testing.T) {
	good := idno.Generate("341523", "1990-03-07", 124)
	wrongCheck := good[:17] + map[bool]string{true: "0", false: "1"}[good[17] != '0']
	cases := []struct {
		in                string
		check, birth, sex string
	}{
		{good, quality.IDOK, "1990-03-07", "female"},
		{"11010519491231002x", quality.IDOK, "1949-12-31", "female"},
		{"110105491231002", quality.IDOK, "1949-12-31", "female"}, // 15 digits, upgraded
		{wrongCheck, quality.IDCheck, "1990-03-07", "female"},
		{withCheck("34152319900231124"), quality.IDDate, "", ""},
		{withCheck("34152320300101124"), quality.IDDate, "", ""},   // in the future
		{"341523900231124", quality.IDDate, "", ""},                // 15 digits, 31 February
		{withCheck("99152319900307124"), quality.IDFormat, "", ""}, // no such province
		{"3415231990030712", quality.IDFormat, "", ""},
		{"34152319900307124Y", quality.IDFormat, "", ""},
		{"", quality.IDFormat, "", ""},
	}
	for _, c := range cases {
		check, birth, sex := quality.IDFacts(c.in, today)
		if check != c.check || birth != c.birth || sex != c.sex {
			t.Errorf("IDFacts(%q) = %q %q %q, want %q %q %q", c.in, check, birth, sex, c.check, c.birth, c.sex)
		}
	}
}

func FuzzIDFacts(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "110105491231002", "34152319900231124X", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check, birth, sex := quality.IDFacts(s, today)
		_, err := idno.ParseAt(s, today)
		if (err == nil) != (check == quality.IDOK) {
			t.Fatalf("IDFacts(%q) = %q but ParseAt error %v", s, check, err)
		}
		if (birth == "") != (sex == "") || (check == quality.IDOK && birth == "") {
			t.Fatalf("IDFacts(%q) = %q %q %q", s, check, birth, sex)
		}
	})
}

func TestMarriageThroughLifeEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		record := func(in registry.EventInput) {
			t.Helper()
			if _, err := e.reg.RecordEvent(ctx, in); err != nil {
				t.Fatalf("%s: %v", in.Kind, err)
			}
		}
		// A spouse outside the registry is named in the marriage event: no
		// link can be made, and none is missing.
		a := e.create(t, ctx, complete("邓一", "female", "1990-01-01", testfix.VillageA1))
		record(registry.EventInput{PersonID: a.ID, Kind: "first_marriage", Date: "2020-01-01",
			EventDetails: registry.EventDetails{SpouseName: "外县人"}})
		if p, _ := e.reg.Get(ctx, a.ID); p.MaritalStatus != "first_married" {
			t.Fatalf("marital status after marriage %q", p.MaritalStatus)
		}
		e.wantNone(t, quality.EntityPerson, a.ID, quality.RuleMarriedNoSpouse)
		// Married in a legacy record, then divorced through an event.
		f := complete("邓二", "male", "1985-01-01", testfix.VillageA1)
		f.MaritalStatus = "first_married"
		b := e.create(t, ctx, f)
		e.wantFinding(t, quality.EntityPerson, b.ID, quality.RuleMarriedNoSpouse, "初婚")
		record(registry.EventInput{PersonID: b.ID, Kind: "divorce", Date: "2021-01-01"})
		e.wantNone(t, quality.EntityPerson, b.ID, quality.RuleMarriedNoSpouse)
		// A marriage between two registered persons links both.
		c := e.create(t, ctx, complete("邓三", "female", "1991-01-01", testfix.VillageA1))
		record(registry.EventInput{PersonID: c.ID, Kind: "first_marriage", Date: "2022-01-01",
			EventDetails: registry.EventDetails{SpouseID: &b.ID}})
		e.wantNone(t, quality.EntityPerson, c.ID, quality.RuleMarriedNoSpouse)
		e.wantConsistent(t)
	})
}
