package supply_test

import (
	"context"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/supply"
	"jisheng/internal/testfix"
)

// TestSupplyDispensedByItem computes the dispensing totals of a small
// fixture by hand:
//
//	room (A1), condom C2 exp 2027-01-31 ×50, C1 exp 2027-06-30 ×100; pill P1 ×20
//	d1 11-01 condom 10 (C2)         d2 11-02 condom 45 (C2 40 + C1 5: two moves, one handing-over)
//	d3 10-15 pill 3                 d4 11-03 condom 6, reversed on 11-22
//	machine (A1) logs: 10-30 condom 4; 11-05 condom 2 and 1
//
// November: condom 10 + 45 + 6 − 6 + 2 + 1 = 58, by machine 3, handings-over
// 1 + 1 + 0 + 2 = 4. October: pill 3 (1), condom 4 by machine (1).
func TestSupplyDispensedByItem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		machine := e.site(t, villageA(), supply.SiteMachine, "自助发放机", testfix.VillageA1, "JQ-0001")
		e.receive(t, villageA(), f.room.ID, f.condom.ID, "C2", "2027-01-31", 50)
		e.receive(t, villageA(), f.room.ID, f.condom.ID, "C1", "2027-06-30", 100)
		e.receive(t, villageA(), f.room.ID, f.pill.ID, "P1", "2027-06-30", 20)
		dispense := func(person, item int64, qty int, on string) supply.OpResult {
			return must[supply.OpResult](t)(e.svc.Dispense(villageA(), supply.DispenseInput{SiteID: f.room.ID,
				PersonID: person, ItemID: item, Qty: qty, MovedOn: on}))
		}
		dispense(f.li, f.condom.ID, 10, "2026-11-01")
		if d2 := dispense(f.wang, f.condom.ID, 45, "2026-11-02"); len(d2.Moves) != 2 {
			t.Fatalf("d2 should span two batches: %+v", d2.Moves)
		}
		dispense(f.wang, f.pill.ID, 3, "2026-10-15")
		d4 := dispense(f.li, f.condom.ID, 6, "2026-11-03")
		must[supply.OpResult](t)(e.svc.Reverse(villageA(), d4.Moves[0].ID, supply.ReverseInput{Reason: "重复登记"}))
		must[supply.OpResult](t)(e.svc.Transfer(villageA(), supply.TransferInput{FromSiteID: f.room.ID, ToSiteID: machine.ID,
			Lines: []supply.TransferLine{{ItemID: f.condom.ID, Qty: 20}}}))
		log := logHeaderLine + "JQ-0001,2026-10-30 20:00:00,BYT01,4,,\n" +
			"JQ-0001,2026-11-05 08:00:00,BYT01,2,,\nJQ-0001,2026-11-05 09:00:00,BYT01,1,,\n"
		must[supply.LogReport](t)(importLog(e, "", log, false))

		type total struct{ qty, machine, handings int }
		cases := []struct {
			name     string
			ctx      context.Context
			division string
			from, to string
			want     map[string]total
		}{
			{"november", countyCtx(), testfix.TownA, "2026-11-01", "2026-11-30", map[string]total{"BYT01": {58, 3, 4}}},
			{"october", countyCtx(), "", "2026-10-01", "2026-10-31", map[string]total{"BYT01": {4, 4, 1}, "KFY01": {3, 0, 1}}},
			// The reversal counts on its dispensing's date, not its own.
			{"early november", villageA(), "", "2026-11-01", "2026-11-10", map[string]total{"BYT01": {58, 3, 4}}},
			{"after the reversal date", villageA(), "", "2026-11-20", "2026-11-30", map[string]total{}},
			{"default is this month", villageA(), "", "", "", map[string]total{"BYT01": {58, 3, 4}}},
			{"village B", villageB(), "", "2026-10-01", "2026-11-30", map[string]total{}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := must[supply.DispensedTotals](t)(e.svc.DispensedByItem(tc.ctx, tc.division, tc.from, tc.to))
				if len(got.Items) != len(tc.want) {
					t.Fatalf("items %+v, want %v", got.Items, tc.want)
				}
				for _, it := range got.Items {
					w := tc.want[it.Code]
					if it.Qty != w.qty || it.MachineQty != w.machine || it.Dispensings != w.handings {
						t.Errorf("%s: %+v, want %+v", it.Code, it, w)
					}
				}
			})
		}
		_, err := e.svc.DispensedByItem(countyCtx(), "", "2026-11-30", "2026-11-01")
		wantCode(t, err, apperr.Invalid, "to")
		_, err = e.svc.DispensedByItem(villageB(), testfix.VillageA1, "", "")
		wantCode(t, err, apperr.Invalid, "division")
	})
}

func TestSupplyAlerts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		f := e.stockFixture(t)
		e.receive(t, villageA(), f.room.ID, f.condom.ID, "NEAR", "2026-12-15", 30)     // 23 days left
		e.receive(t, villageA(), f.room.ID, f.condom.ID, "GONE", "2026-11-01", 10)     // expired
		e.receive(t, villageA(), f.room.ID, f.pill.ID, "FINE", "2028-01-01", 40)       // threshold 30: enough
		e.receive(t, townshipA(), f.station.ID, f.condom.ID, "BIG", "2028-01-01", 500) // threshold 200: enough

		a := must[supply.Alerts](t)(e.svc.Alerts(townshipA(), "", 0, 0))
		if a.NearDays != 90 || a.Today != "2026-11-22" {
			t.Fatalf("alerts header: %+v", a)
		}
		// Only the room is short of condoms: 30 usable (the expired 10 do not count) < 200.
		if len(a.LowStock) != 1 || a.LowStock[0].SiteID != f.room.ID || a.LowStock[0].Qty != 30 || a.LowStock[0].Threshold != 200 {
			t.Fatalf("low stock: %+v", a.LowStock)
		}
		if len(a.Expiring) != 2 || a.Expiring[0].BatchNo != "GONE" || a.Expiring[0].ExpiryStatus != supply.ExpiryExpired ||
			a.Expiring[0].DaysLeft != -21 || a.Expiring[1].BatchNo != "NEAR" || a.Expiring[1].ExpiryStatus != supply.ExpiryNear ||
			a.Expiring[1].DaysLeft != 23 {
			t.Fatalf("expiring: %+v", a.Expiring)
		}
		a = must[supply.Alerts](t)(e.svc.Alerts(villageA(), "", f.room.ID, 10))
		if len(a.Expiring) != 1 || a.Expiring[0].BatchNo != "GONE" {
			t.Fatalf("10-day window: %+v", a.Expiring)
		}
		if a = must[supply.Alerts](t)(e.svc.Alerts(villageB(), "", 0, 0)); len(a.LowStock)+len(a.Expiring) != 0 {
			t.Fatalf("village B sees village A's alerts: %+v", a)
		}
		_, err := e.svc.Alerts(villageA(), "", 0, 5000)
		wantCode(t, err, apperr.Invalid, "days")

		statuses := []struct {
			status string
			want   int
		}{{"", 4}, {supply.ExpiryExpired, 1}, {supply.ExpiryNear, 1}, {supply.ExpiryOK, 2}}
		for _, s := range statuses {
			rows, total, err := e.svc.Stock(townshipA(), supply.StockFilter{Status: s.status, Page: 1, Size: 20})
			if err != nil || total != s.want || len(rows) != s.want {
				t.Errorf("stock %q: %d %v, want %d", s.status, total, err, s.want)
			}
		}
		if _, total, _ := e.svc.Stock(villageA(), supply.StockFilter{Page: 1, Size: 20}); total != 3 {
			t.Fatalf("village stock: %d", total)
		}
		_, _, err = e.svc.Stock(villageA(), supply.StockFilter{Status: "bad", Page: 1, Size: 20})
		wantCode(t, err, apperr.Invalid, "status")
	})
}
