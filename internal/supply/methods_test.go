package supply_test

import (
	"context"
	"strconv"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/supply"
	"jisheng/internal/testfix"
)

// record calls RecordMethod inside a transaction of the test's own, as the
// health package does when it records a procedure.
func (e env) record(t *testing.T, in supply.MethodInput) {
	t.Helper()
	err := e.d.Tx(countyCtx(), func(tx *db.Tx) error { return e.svc.RecordMethod(countyCtx(), tx, in) })
	if err != nil {
		t.Fatalf("record %+v: %v", in, err)
	}
}

func TestSupplyRecordMethodHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		p := e.person(t, "王秀英", "female", testfix.VillageA1, "")
		e.record(t, supply.MethodInput{PersonID: p, Method: "oral", Since: "2025-01-01", Source: supply.SourceOfficer})
		e.record(t, supply.MethodInput{PersonID: p, Method: "iud", Since: "2026-03-01", Source: supply.SourceProcedure, Note: "放置宫内节育器"})
		// The same method again is no change.
		e.record(t, supply.MethodInput{PersonID: p, Method: "iud", Since: "2026-04-01", Source: supply.SourceProcedure})
		pm := must[supply.PersonMethods](t)(e.svc.PersonMethods(villageA(), p))
		want := []struct{ method, since, until, source string }{
			{"iud", "2026-03-01", "", "procedure"},
			{"oral", "2025-01-01", "2026-03-01", "officer"},
		}
		if len(pm.History) != len(want) || pm.Current == nil || pm.Current.Method != "iud" || pm.Name != "王秀英" {
			t.Fatalf("history: %+v", pm)
		}
		for i, w := range want {
			h := pm.History[i]
			if h.Method != w.method || h.Since != w.since || h.Until != w.until || h.Source != w.source || h.MethodLabel == "" {
				t.Fatalf("history[%d] = %+v, want %+v", i, h, w)
			}
		}
		cases := []struct {
			name  string
			in    supply.MethodInput
			field string
		}{
			{"before the current start", supply.MethodInput{PersonID: p, Method: "none", Since: "2026-02-01", Source: "procedure"}, "since"},
			{"unknown method", supply.MethodInput{PersonID: p, Method: "abstinence", Source: "officer"}, "method"},
			{"unknown source", supply.MethodInput{PersonID: p, Method: "none", Source: "quota"}, "source"},
			{"future start", supply.MethodInput{PersonID: p, Method: "none", Since: "2026-11-23", Source: "officer"}, "since"},
			{"no such person", supply.MethodInput{PersonID: 999999, Method: "none", Source: "officer"}, "person_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := d.Tx(countyCtx(), func(tx *db.Tx) error { return e.svc.RecordMethod(countyCtx(), tx, tc.in) })
				wantCode(t, err, apperr.Invalid, tc.field)
			})
		}
		// Removal: the register says none from that day; the caller's
		// rollback takes the entry and its journal line with it.
		err := d.Tx(countyCtx(), func(tx *db.Tx) error {
			if err := e.svc.RecordMethod(countyCtx(), tx, supply.MethodInput{PersonID: p, Method: "none", Since: "2026-10-01", Source: "procedure"}); err != nil {
				return err
			}
			return apperr.New(apperr.Invalid, "procedure refused later")
		})
		wantCode(t, err, apperr.Invalid, "")
		if n := e.count(t, `SELECT COUNT(*) FROM contraceptive_use WHERE person_id = ?`, p); n != 2 {
			t.Fatalf("rolled-back record kept: %d entries", n)
		}
		// Officers record what they are told, over HTTP-facing API.
		u := must[supply.MethodUse](t)(e.svc.RecordOfficerMethod(villageA(), p, supply.OfficerMethodInput{Method: "none", Since: "2026-10-01", Note: "取出节育器后暂不避孕"}))
		if u.Method != "none" || u.Source != "officer" || u.Until != "" {
			t.Fatalf("officer record: %+v", u)
		}
		_, err = e.svc.RecordOfficerMethod(villageA(), p, supply.OfficerMethodInput{Method: "none"})
		wantCode(t, err, apperr.Invalid, "method")
		_, err = e.svc.RecordOfficerMethod(villageB(), p, supply.OfficerMethodInput{Method: "condom"})
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.PersonMethods(villageB(), p)
		wantCode(t, err, apperr.NotFound, "")

		// Every view is journaled, and the register's changes too.
		views := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'supply.person_view' AND entity = 'person' AND entity_id = ?`, itoa(p))
		changes := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'supply.method' AND entity_id = ?`, itoa(p))
		if views != 1 || changes != 3 {
			t.Fatalf("journal: %d views, %d changes", views, changes)
		}
	})
}

// TestSupplyDispensingKeepsNewerChoice: a dispensing typed in late, dated
// before the current method's start, leaves the register alone.
func TestSupplyDispensingKeepsNewerChoice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		e.receive(t, villageA(), f.room.ID, f.pill.ID, "P1", "2027-06-30", 10)
		e.record(t, supply.MethodInput{PersonID: f.wang, Method: "implant", Since: "2026-10-01", Source: supply.SourceProcedure})
		must[supply.OpResult](t)(e.svc.Dispense(villageA(), supply.DispenseInput{SiteID: f.room.ID, PersonID: f.wang,
			ItemID: f.pill.ID, Qty: 1, MovedOn: "2026-09-15"}))
		pm := must[supply.PersonMethods](t)(e.svc.PersonMethods(villageA(), f.wang))
		if pm.Current.Method != "implant" || len(pm.History) != 1 || pm.Dispensings[0].Method != "oral" {
			t.Fatalf("late dispensing changed the register: %+v", pm)
		}
		// A current one moves the register on.
		must[supply.OpResult](t)(e.svc.Dispense(villageA(), supply.DispenseInput{SiteID: f.room.ID, PersonID: f.wang,
			ItemID: f.pill.ID, Qty: 1, MovedOn: "2026-11-20"}))
		pm = must[supply.PersonMethods](t)(e.svc.PersonMethods(villageA(), f.wang))
		if pm.Current.Method != "oral" || pm.Current.Since != "2026-11-20" || pm.History[1].Until != "2026-11-20" {
			t.Fatalf("current dispensing: %+v", pm)
		}
		if pm.Current.MoveID == nil {
			t.Fatal("register entry does not name its dispensing")
		}
	})
}

// methodFixture is the hand-made population of TestSupplyUsersByMethod:
//
//	P1 A1  oral 2025-01-01 → iud 2026-03-01
//	P2 A1  condom 2026-05-10 (dispensed)
//	P3 A2, lives in B1: implant 2024-06-01
//	P4 B1  injection 2025-01-01 → none 2026-01-01
//	P5 A1  oral 2025-01-01, died 2026-06-01
//	P6 A2  female_sterilisation 2026-11-22
//	P7 A1  no record
func (e env) methodFixture(t *testing.T) {
	t.Helper()
	ps := map[string]int64{
		"P1": e.person(t, "甲", "female", testfix.VillageA1, ""),
		"P2": e.person(t, "乙", "male", testfix.VillageA1, ""),
		"P3": e.person(t, "丙", "female", testfix.VillageA2, testfix.VillageB1),
		"P4": e.person(t, "丁", "female", testfix.VillageB1, ""),
		"P6": e.person(t, "己", "female", testfix.VillageA2, ""),
		"P7": e.person(t, "庚", "female", testfix.VillageA1, ""),
	}
	dead, err := e.reg.Create(countyCtx(), registry.PersonInput{Fields: registry.Fields{Name: "戊", Sex: "female",
		BirthDate: "1970-01-01", RegisteredDivision: testfix.VillageA1, Status: "deceased", DeathDate: "2026-06-01"}})
	if err != nil {
		t.Fatal(err)
	}
	ps["P5"] = dead.ID
	for _, r := range []struct{ p, method, since string }{
		{"P1", "oral", "2025-01-01"}, {"P1", "iud", "2026-03-01"},
		{"P3", "implant", "2024-06-01"},
		{"P4", "injection", "2025-01-01"}, {"P4", "none", "2026-01-01"},
		{"P5", "oral", "2025-01-01"},
		{"P6", "female_sterilisation", "2026-11-22"},
	} {
		e.record(t, supply.MethodInput{PersonID: ps[r.p], Method: r.method, Since: r.since, Source: supply.SourceOfficer})
	}
	room := e.site(t, villageA(), supply.SiteRoom, "东苑社区药具室", testfix.VillageA1, "")
	e.receive(t, villageA(), room.ID, e.item(t, "BYT01").ID, "C1", "2027-06-30", 10)
	must[supply.OpResult](t)(e.svc.Dispense(villageA(), supply.DispenseInput{SiteID: room.ID, PersonID: ps["P2"],
		ItemID: e.item(t, "BYT01").ID, Qty: 2, MovedOn: "2026-05-10"}))
}

func TestSupplyUsersByMethod(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.methodFixture(t)
		cases := []struct {
			name     string
			ctx      context.Context
			division string
			date     string
			want     map[string]int
		}{
			// P1 iud (changed on 03-01), P2 condom, P3 implant; P5 died 06-01; P6 not yet.
			{"town A mid-year", countyCtx(), testfix.TownA, "2026-06-30", map[string]int{"iud": 1, "condom": 1, "implant": 1}},
			// The day before the change P1 still takes the pill, and P5 is alive.
			{"town A before the change", countyCtx(), testfix.TownA, "2026-02-28", map[string]int{"oral": 2, "implant": 1}},
			// On the day of the change the new method counts.
			{"town A on the change", countyCtx(), testfix.TownA, "2026-03-01", map[string]int{"iud": 1, "oral": 1, "implant": 1}},
			// P3 lives in B1, so town B counts her too.
			{"town B", countyCtx(), testfix.TownB, "2026-06-30", map[string]int{"implant": 1, "none": 1}},
			{"village B officer, own area", villageB(), "", "2026-06-30", map[string]int{"implant": 1, "none": 1}},
			{"county today", countyCtx(), "", "", map[string]int{"iud": 1, "condom": 1, "implant": 1, "none": 1, "female_sterilisation": 1}},
			{"township asking for the county gets its own area", townshipA(), testfix.County, "2026-06-30", map[string]int{"iud": 1, "condom": 1, "implant": 1}},
			{"village A1", villageA(), testfix.VillageA1, "2025-06-30", map[string]int{"oral": 2}},
			{"other county", otherCounty(), "", "2026-06-30", map[string]int{}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := must[supply.MethodCounts](t)(e.svc.UsersByMethod(tc.ctx, tc.division, tc.date))
				total := 0
				for _, m := range got.Methods {
					if m.Count != tc.want[m.Method] {
						t.Errorf("%s: %d, want %d", m.Method, m.Count, tc.want[m.Method])
					}
					total += tc.want[m.Method]
				}
				if got.Total != total || len(got.Methods) != 10 {
					t.Fatalf("total %d of %d methods, want %d", got.Total, len(got.Methods), total)
				}
			})
		}
		_, err := e.svc.UsersByMethod(villageB(), testfix.TownA, "")
		wantCode(t, err, apperr.Invalid, "division")
		_, err = e.svc.UsersByMethod(countyCtx(), "", "2026-13-01")
		wantCode(t, err, apperr.Invalid, "date")
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
