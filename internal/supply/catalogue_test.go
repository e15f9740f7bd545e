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

func TestSupplyCatalogue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		seeded := must[[]supply.Item](t)(e.svc.Items(villageA(), true))
		wantMethods := map[string]string{"BYT01": "condom", "KFY01": "oral", "WYY01": "spermicide", "BYZ01": "injection",
			"PXM01": "implant", "JYQ01": "iud"}
		if len(seeded) != len(wantMethods) {
			t.Fatalf("seeded catalogue: %+v", seeded)
		}
		for _, it := range seeded {
			if wantMethods[it.Code] != it.Method || !it.Active || it.Version != 1 || it.MethodLabel == "" || it.LowStock <= 0 {
				t.Fatalf("seeded item %+v", it)
			}
		}
		low := 40
		female := supply.ItemInput{Code: "byt02", Name: "避孕套（女用）", Method: "condom", Spec: "均码", Unit: "只", LowStock: &low}
		created := must[supply.Item](t)(e.svc.CreateItem(countyCtx(), female))
		if created.Code != "BYT02" || created.LowStock != 40 || !created.Active || created.Version != 1 {
			t.Fatalf("created item %+v", created)
		}
		cases := []struct {
			name  string
			ctx   context.Context
			in    supply.ItemInput
			code  apperr.Code
			field string
		}{
			{"township may not edit", townshipA(), female, apperr.Forbidden, ""},
			{"village may not edit", villageA(), female, apperr.Forbidden, ""},
			{"duplicate code", countyCtx(), female, apperr.Conflict, "code"},
			{"bad code", countyCtx(), supply.ItemInput{Code: "避孕套", Name: "x", Method: "condom", Unit: "只"}, apperr.Invalid, "code"},
			{"no name", countyCtx(), supply.ItemInput{Code: "X1", Method: "condom", Unit: "只"}, apperr.Invalid, "name"},
			{"method none", countyCtx(), supply.ItemInput{Code: "X1", Name: "x", Method: "none", Unit: "只"}, apperr.Invalid, "method"},
			{"unknown method", countyCtx(), supply.ItemInput{Code: "X1", Name: "x", Method: "pill", Unit: "只"}, apperr.Invalid, "method"},
			{"no unit", countyCtx(), supply.ItemInput{Code: "X1", Name: "x", Method: "oral"}, apperr.Invalid, "unit"},
			{"negative threshold", countyCtx(), supply.ItemInput{Code: "X1", Name: "x", Method: "oral", Unit: "板", LowStock: intp(-1)}, apperr.Invalid, "low_stock"},
			{"version on create", countyCtx(), supply.ItemInput{Code: "X2", Name: "x", Method: "oral", Unit: "板", Version: 2}, apperr.Invalid, "version"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.CreateItem(tc.ctx, tc.in)
				wantCode(t, err, tc.code, tc.field)
			})
		}
		// Edits carry the version read; a stale one changes nothing.
		edit := female
		edit.Name, edit.Active, edit.Version = "女用避孕套", new(bool), created.Version
		updated := must[supply.Item](t)(e.svc.UpdateItem(countyCtx(), created.ID, edit))
		if updated.Name != "女用避孕套" || updated.Active || updated.Version != 2 {
			t.Fatalf("updated item %+v", updated)
		}
		_, err := e.svc.UpdateItem(countyCtx(), created.ID, edit)
		wantCode(t, err, apperr.Conflict, "")
		if active := must[[]supply.Item](t)(e.svc.Items(countyCtx(), true)); len(active) != 6 {
			t.Fatalf("retired item still listed as active: %d", len(active))
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE entity = 'supply_item'`); n != 2 {
			t.Fatalf("catalogue journal entries: %d", n)
		}
	})
}

func TestSupplySites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		station := e.site(t, countyCtx(), supply.SiteStation, "舒城县计生药具站", testfix.County, "")
		town := e.site(t, townshipA(), supply.SiteStation, "城关镇服务站", testfix.TownA, "")
		room := e.site(t, villageA(), supply.SiteRoom, "东苑社区药具室", testfix.VillageA1, "")
		machine := e.site(t, villageA(), supply.SiteMachine, "东苑社区自助发放机", testfix.VillageA1, "jq-0001")
		if machine.MachineCode != "JQ-0001" || machine.KindLabel != "自助发放机" || room.DivisionName == "" || !room.Active {
			t.Fatalf("sites: %+v %+v", machine, room)
		}
		cases := []struct {
			name  string
			ctx   context.Context
			in    supply.SiteInput
			code  apperr.Code
			field string
		}{
			{"unknown kind", countyCtx(), supply.SiteInput{Kind: "depot", Name: "x", Division: testfix.County}, apperr.Invalid, "kind"},
			{"no name", countyCtx(), supply.SiteInput{Kind: "station", Division: testfix.County}, apperr.Invalid, "name"},
			{"station in a village", countyCtx(), supply.SiteInput{Kind: "station", Name: "x", Division: testfix.VillageA1}, apperr.Invalid, "division"},
			{"room in a township", countyCtx(), supply.SiteInput{Kind: "room", Name: "x", Division: testfix.TownA}, apperr.Invalid, "division"},
			{"machine without code", countyCtx(), supply.SiteInput{Kind: "machine", Name: "x", Division: testfix.TownA}, apperr.Invalid, "machine_code"},
			{"room with machine code", countyCtx(), supply.SiteInput{Kind: "room", Name: "x", Division: testfix.VillageA2, MachineCode: "M1"}, apperr.Invalid, "machine_code"},
			{"duplicate machine code", countyCtx(), supply.SiteInput{Kind: "machine", Name: "x", Division: testfix.VillageA2, MachineCode: "JQ-0001"}, apperr.Conflict, "machine_code"},
			{"village B in village A", villageB(), supply.SiteInput{Kind: "room", Name: "x", Division: testfix.VillageA1}, apperr.Invalid, "division"},
			{"no division", countyCtx(), supply.SiteInput{Kind: "room", Name: "x"}, apperr.Invalid, "division"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.CreateSite(tc.ctx, tc.in)
				wantCode(t, err, tc.code, tc.field)
			})
		}
		lists := []struct {
			name string
			ctx  context.Context
			f    supply.SiteFilter
			want int
		}{
			{"county sees all", countyCtx(), supply.SiteFilter{}, 4},
			{"township sees its own and below", townshipA(), supply.SiteFilter{}, 3},
			{"village A sees its own", villageA(), supply.SiteFilter{}, 2},
			{"village B sees none", villageB(), supply.SiteFilter{}, 0},
			{"machines only", countyCtx(), supply.SiteFilter{Kind: supply.SiteMachine}, 1},
			{"name search", countyCtx(), supply.SiteFilter{Q: "服务站"}, 1},
			{"division filter", countyCtx(), supply.SiteFilter{Division: testfix.TownA}, 3},
			{"other county", otherCounty(), supply.SiteFilter{}, 0},
		}
		for _, l := range lists {
			t.Run(l.name, func(t *testing.T) {
				l.f.Page, l.f.Size = 1, 20
				items, total, err := e.svc.Sites(l.ctx, l.f)
				if err != nil || total != l.want || len(items) != l.want {
					t.Fatalf("got %d/%d %v, want %d", len(items), total, err, l.want)
				}
			})
		}
		_, _, err := e.svc.Sites(villageB(), supply.SiteFilter{Division: testfix.VillageA1, Page: 1, Size: 20})
		wantCode(t, err, apperr.Invalid, "division")
		_, err = e.svc.Site(villageB(), room.ID)
		wantCode(t, err, apperr.NotFound, "")
		if got := must[supply.Site](t)(e.svc.Site(townshipA(), room.ID)); got.ID != room.ID {
			t.Fatalf("township reads room: %+v", got)
		}
		_, err = e.svc.Site(villageA(), station.ID)
		wantCode(t, err, apperr.NotFound, "")

		// Renaming and retiring keep kind and division.
		off := false
		upd := must[supply.Site](t)(e.svc.UpdateSite(townshipA(), town.ID, supply.SiteInput{Name: "城关镇计生服务站", Active: &off, Version: 1}))
		if upd.Name != "城关镇计生服务站" || upd.Active || upd.Kind != supply.SiteStation || upd.Version != 2 {
			t.Fatalf("updated site %+v", upd)
		}
		_, err = e.svc.UpdateSite(townshipA(), town.ID, supply.SiteInput{Name: "x", Version: 1})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.UpdateSite(townshipA(), town.ID, supply.SiteInput{Name: "x", Kind: "room", Version: 2})
		wantCode(t, err, apperr.Invalid, "kind")
		_, err = e.svc.UpdateSite(villageB(), room.ID, supply.SiteInput{Name: "x", Version: 1})
		wantCode(t, err, apperr.NotFound, "")
	})
}
