package appointment_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/appointment"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/testfix"
)

func TestCreateSlotRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		vehicle := appointment.SlotInput{Kind: appointment.Vehicle, Division: testfix.VillageA2, Place: "沙埂村村委会门前",
			Date: date(2), StartTime: "08:30", EndTime: "11:30", Capacity: 20, Service: "screening"}
		cases := []struct {
			name  string
			ctx   context.Context
			in    appointment.SlotInput
			edit  func(*appointment.SlotInput)
			code  apperr.Code // "" means created
			field string
		}{
			{"township station", townshipA(), stationInput(1, "09:00", "11:00", 5), nil, "", ""},
			{"county station", countyCtx(), stationInput(1, "09:00", "11:00", 5), func(in *appointment.SlotInput) {
				in.Division, in.Place = testfix.County, "县妇幼保健计划生育服务中心"
			}, "", ""},
			{"township vehicle to a village", townshipA(), vehicle, nil, "", ""},
			{"village home in own village", villageA(), homeInput(testfix.VillageA1, 1), nil, "", ""},
			{"township home in its village", townshipA(), homeInput(testfix.VillageA2, 1), nil, "", ""},
			{"village station", villageA(), stationInput(1, "14:00", "15:00", 5), nil, apperr.Forbidden, ""},
			{"village vehicle", villageA(), vehicle, func(in *appointment.SlotInput) { in.Division = testfix.VillageA1 }, apperr.Forbidden, ""},
			{"village home in another village", villageA(), homeInput(testfix.VillageA2, 1), nil, apperr.Invalid, "division"},
			{"station at a village", townshipA(), stationInput(1, "14:00", "15:00", 5), func(in *appointment.SlotInput) { in.Division = testfix.VillageA1 }, apperr.Invalid, "division"},
			{"home at a township", townshipA(), homeInput(testfix.TownA, 1), nil, apperr.Invalid, "division"},
			{"vehicle at the county", countyCtx(), vehicle, func(in *appointment.SlotInput) { in.Division = testfix.County }, apperr.Invalid, "division"},
			{"station of another township", townshipA(), stationInput(1, "14:00", "15:00", 5), func(in *appointment.SlotInput) { in.Division = testfix.TownB }, apperr.Invalid, "division"},
			{"unknown division", countyCtx(), stationInput(1, "14:00", "15:00", 5), func(in *appointment.SlotInput) { in.Division = "341523999" }, apperr.Invalid, "division"},
			{"end before start", townshipA(), stationInput(1, "14:00", "13:00", 5), nil, apperr.Invalid, "end_time"},
			{"capacity zero", townshipA(), stationInput(1, "14:00", "15:00", 0), nil, apperr.Invalid, "capacity"},
			{"impossible date", townshipA(), stationInput(1, "14:00", "15:00", 5), func(in *appointment.SlotInput) { in.Date = "2026-11-31" }, apperr.Invalid, "date"},
			{"past date", townshipA(), stationInput(-1, "14:00", "15:00", 5), nil, apperr.Invalid, "date"},
			{"same station, overlapping time", townshipA(), stationInput(1, "10:30", "12:00", 5), nil, apperr.Conflict, "date"},
		}
		created := 0
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := c.in
				if c.edit != nil {
					c.edit(&in)
				}
				sls, err := e.svc.CreateSlots(c.ctx, in)
				if c.code != "" {
					wantCode(t, err, c.code, c.field)
					return
				}
				if err != nil || len(sls) != 1 {
					t.Fatalf("create: %v %v", sls, err)
				}
				created++
				sl := sls[0]
				if sl.Status != appointment.SlotOpen || sl.Booked != 0 || sl.Remaining != in.Capacity || sl.Version != 1 ||
					sl.DivisionName == "" || sl.KindLabel == "" || !sl.CanManage {
					t.Fatalf("created slot %+v", sl)
				}
			})
		}
		if n := count(t, d, `SELECT COUNT(*) FROM appointment_slots`); n != created || created != 5 {
			t.Fatalf("%d slots stored, %d created", n, created)
		}
		if n := journaled(t, d, "appointment.slot_create"); n != created {
			t.Fatalf("%d audit entries for %d slots", n, created)
		}
	})
}

func TestSeriesAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		// Tuesday of the third week is taken already.
		e.slot(t, townshipA(), stationInput(15, "09:00", "10:00", 5))
		series := stationInput(1, "09:30", "11:30", 8) // Tuesday
		series.RepeatWeeks = 4
		_, err := e.svc.CreateSlots(townshipA(), series)
		wantCode(t, err, apperr.Conflict, "date")
		if msg := apperr.As(err).Message; !strings.Contains(msg, date(15)) {
			t.Fatalf("conflict does not name the date: %s", msg)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM appointment_slots`); n != 1 {
			t.Fatalf("a refused series left %d slots", n)
		}
		series.StartTime, series.EndTime = "14:00", "16:00"
		sls, err := e.svc.CreateSlots(townshipA(), series)
		if err != nil || len(sls) != 4 {
			t.Fatalf("series: %v %v", sls, err)
		}
		var dates []string
		for _, sl := range sls {
			dates = append(dates, sl.Date)
		}
		if !slices.Equal(dates, []string{date(1), date(8), date(15), date(22)}) {
			t.Fatalf("series dates %v", dates)
		}
		// A double tap on the create button makes no second series.
		_, err = e.svc.CreateSlots(townshipA(), series)
		wantCode(t, err, apperr.Conflict, "date")
		if n := count(t, d, `SELECT COUNT(*) FROM appointment_slots`); n != 5 {
			t.Fatalf("%d slots after the repeat", n)
		}
		if n := journaled(t, d, "appointment.slot_create"); n != 5 {
			t.Fatalf("%d audit entries for 5 slots", n)
		}
	})
}

func TestSlotVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		townA := e.slot(t, townshipA(), stationInput(1, "09:00", "11:00", 5))
		countyIn := stationInput(1, "09:00", "11:00", 5)
		countyIn.Division, countyIn.Place = testfix.County, "县服务中心"
		cty := e.slot(t, countyCtx(), countyIn)
		homeA := e.slot(t, villageA(), homeInput(testfix.VillageA1, 1))
		homeB := e.slot(t, villageB(), homeInput(testfix.VillageB1, 1))
		townBIn := stationInput(1, "09:00", "11:00", 5)
		townBIn.Division, townBIn.Place = testfix.TownB, "晓天镇计生服务站"
		townB := e.slot(t, townshipB(), townBIn)

		cases := []struct {
			name string
			ctx  context.Context
			want []int64
		}{
			{"village A1: its township, the county, its own village", villageA(), []int64{townA.ID, cty.ID, homeA.ID}},
			{"village A2: not A1's home visits", villageA2(), []int64{townA.ID, cty.ID}},
			{"village B1", villageB(), []int64{cty.ID, homeB.ID, townB.ID}},
			{"township A", townshipA(), []int64{townA.ID, cty.ID, homeA.ID}},
			{"county", countyCtx(), []int64{townA.ID, cty.ID, homeA.ID, homeB.ID, townB.ID}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				items, total, err := e.svc.ListSlots(c.ctx, appointment.SlotFilter{From: date(0), To: date(6)})
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, sl := range items {
					got = append(got, sl.ID)
				}
				slices.Sort(got)
				want := slices.Clone(c.want)
				slices.Sort(want)
				if total != len(want) || !slices.Equal(got, want) {
					t.Fatalf("visible %v (total %d), want %v", got, total, want)
				}
			})
		}
		// Invisible slots are not found, with no hint that they exist.
		_, err := e.svc.GetSlot(villageB(), homeA.ID)
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.GetSlot(villageA2(), homeA.ID)
		wantCode(t, err, apperr.NotFound, "")
		// The village officer sees the township station but may not manage it.
		if sl, err := e.svc.GetSlot(villageA(), townA.ID); err != nil || sl.CanManage || sl.Remaining != 5 {
			t.Fatalf("township slot seen from the village: %+v %v", sl, err)
		}
		if sl, _ := e.svc.GetSlot(townshipA(), homeA.ID); !sl.CanManage {
			t.Fatalf("township cannot manage its village's home slot: %+v", sl)
		}
		// Filters and paging.
		items, total, err := e.svc.ListSlots(countyCtx(), appointment.SlotFilter{From: date(0), To: date(6), Kind: appointment.Home, Size: 1})
		if err != nil || total != 2 || len(items) != 1 || items[0].Kind != appointment.Home {
			t.Fatalf("home slots page: %+v %d %v", items, total, err)
		}
		if _, total, _ := e.svc.ListSlots(countyCtx(), appointment.SlotFilter{From: date(2), To: date(6)}); total != 0 {
			t.Fatalf("slots outside the range: %d", total)
		}
		_, _, err = e.svc.ListSlots(countyCtx(), appointment.SlotFilter{Kind: "clinic"})
		wantCode(t, err, apperr.Invalid, "kind")
		_, _, err = e.svc.ListSlots(countyCtx(), appointment.SlotFilter{From: date(3), To: date(1)})
		wantCode(t, err, apperr.Invalid, "to")
	})
}
