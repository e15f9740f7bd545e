package supply_test

import (
	"context"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/supply"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// today is 2026-11-22 in China.
var today = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type env struct {
	d   *db.DB
	reg *registry.Service
	svc *supply.Service
}

func setup(t *testing.T, d *db.DB) env {
	t.Helper()
	testfix.Divisions(t, d)
	k, j := testfix.Keys(t)
	clock := func() time.Time { return today }
	return env{d: d, reg: registry.NewService(d, j, k, clock), svc: supply.NewService(d, j, k, clock)}
}

func countyCtx() context.Context   { return testfix.Ctx(auth.RoleCounty, testfix.County) }
func townshipA() context.Context   { return testfix.Ctx(auth.RoleTownship, testfix.TownA) }
func villageA() context.Context    { return testfix.Ctx(auth.RoleVillage, testfix.VillageA1) }
func villageB() context.Context    { return testfix.Ctx(auth.RoleVillage, testfix.VillageB1) }
func viewerCtx() context.Context   { return testfix.Ctx(auth.RoleViewer, testfix.County) }
func otherCounty() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County2) }

// person registers a person in village reg (living in res, if given).
func (e env) person(t *testing.T, name, sex, reg, res string) int64 {
	t.Helper()
	p, err := e.reg.Create(countyCtx(), registry.PersonInput{Fields: registry.Fields{Name: name, Sex: sex,
		BirthDate: "1990-01-01", RegisteredDivision: reg, ResidenceDivision: res}})
	if err != nil {
		t.Fatalf("person %s: %v", name, err)
	}
	return p.ID
}

func (e env) site(t *testing.T, ctx context.Context, kind, name, div, machine string) supply.Site {
	t.Helper()
	s, err := e.svc.CreateSite(ctx, supply.SiteInput{Kind: kind, Name: name, Division: div, MachineCode: machine})
	if err != nil {
		t.Fatalf("site %s: %v", name, err)
	}
	return s
}

// item returns the seeded catalogue item with code.
func (e env) item(t *testing.T, code string) supply.Item {
	t.Helper()
	items, err := e.svc.Items(countyCtx(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Code == code {
			return it
		}
	}
	t.Fatalf("no item %s", code)
	return supply.Item{}
}

// receive books one receipt line at a site.
func (e env) receive(t *testing.T, ctx context.Context, site int64, item int64, batch, expiry string, qty int) {
	t.Helper()
	_, err := e.svc.Receipt(ctx, supply.ReceiptInput{SiteID: site, Supplier: "六安市卫健委", MovedOn: "2026-09-01",
		Lines: []supply.ReceiptLine{{ItemID: item, BatchNo: batch, Expiry: expiry, Qty: qty}}})
	if err != nil {
		t.Fatalf("receive %s: %v", batch, err)
	}
}

// onHand is a site's quantity of an item's batch, read straight from the table.
func (e env) onHand(t *testing.T, site int64, item int64, batch string) int {
	t.Helper()
	var n int
	err := e.d.Reader().QueryRow(context.Background(), `SELECT COALESCE(SUM(s.qty), 0) FROM supply_stock s
		JOIN supply_batches b ON b.id = s.batch_id WHERE s.site_id = ? AND b.item_id = ? AND b.batch_no = ?`,
		site, item, batch).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// count runs a COUNT query.
func (e env) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.Reader().QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	ae := apperr.As(err)
	if err == nil || ae.Code != code || (field != "" && ae.Field != field) {
		t.Fatalf("error %v, want %s on field %q", err, code, field)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func intp(n int) *int { return &n }
