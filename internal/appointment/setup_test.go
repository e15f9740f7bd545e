package appointment_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/appointment"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// day0 is the first day of every test: Monday 23 November 2026, 10:00 in China.
var day0 = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// date returns the date n days after day0.
func date(n int) string { return day0.AddDate(0, 0, n).Format("2006-01-02") }

// clock is a test clock that a test moves forward between steps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) setDay(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = day0.AddDate(0, 0, n)
}

type env struct {
	d     *db.DB
	reg   *registry.Service
	svc   *appointment.Service
	clock *clock
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	testfix.Divisions(t, d)
	k, j := testfix.Keys(t)
	c := &clock{t: day0}
	return &env{d: d, reg: registry.NewService(d, j, k, c.now), svc: appointment.NewService(d, j, k, c.now), clock: c}
}

func villageA() context.Context  { return testfix.Ctx(auth.RoleVillage, testfix.VillageA1) }
func villageA2() context.Context { return testfix.Ctx(auth.RoleVillage, testfix.VillageA2) }
func villageB() context.Context  { return testfix.Ctx(auth.RoleVillage, testfix.VillageB1) }
func townshipA() context.Context { return testfix.Ctx(auth.RoleTownship, testfix.TownA) }
func townshipB() context.Context { return testfix.Ctx(auth.RoleTownship, testfix.TownB) }
func countyCtx() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County) }

// person registers a living woman in village (her registered and residence division).
func (e *env) person(t *testing.T, name, village string) int64 {
	t.Helper()
	p, err := e.reg.Create(countyCtx(), registry.PersonInput{Fields: registry.Fields{Name: name, Sex: "female",
		BirthDate: "1995-03-01", RegisteredDivision: village}})
	if err != nil {
		t.Fatalf("person %s: %v", name, err)
	}
	return p.ID
}

// persons registers n women of village with names that differ.
func (e *env) persons(t *testing.T, n int, village string) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = e.person(t, "居民"+string(rune('甲'+i)), village)
	}
	return ids
}

func stationInput(day int, start, end string, capacity int) appointment.SlotInput {
	return appointment.SlotInput{Kind: appointment.Station, Division: testfix.TownA, Place: "城关镇计生服务站",
		Date: date(day), StartTime: start, EndTime: end, Capacity: capacity, Service: "prepreg_check"}
}

func homeInput(village string, day int) appointment.SlotInput {
	return appointment.SlotInput{Kind: appointment.Home, Division: village, Place: "入户随访",
		Date: date(day), StartTime: "14:00", EndTime: "17:00", Capacity: 3, Service: "postop"}
}

func (e *env) slot(t *testing.T, ctx context.Context, in appointment.SlotInput) appointment.Slot {
	t.Helper()
	sls, err := e.svc.CreateSlots(ctx, in)
	if err != nil || len(sls) != 1 {
		t.Fatalf("create slot %+v: %v %v", in, sls, err)
	}
	return sls[0]
}

var keyCounter struct {
	sync.Mutex
	n int
}

// newKey returns a request key not used before in this test binary.
func newKey() string {
	keyCounter.Lock()
	defer keyCounter.Unlock()
	keyCounter.n++
	return fmt.Sprintf("test-key-%06d", keyCounter.n)
}

func (e *env) book(t *testing.T, ctx context.Context, slotID, personID int64) appointment.Booking {
	t.Helper()
	b, created, err := e.svc.Book(ctx, slotID, appointment.BookInput{PersonID: personID, RequestKey: newKey()})
	if err != nil || !created {
		t.Fatalf("book person %d into slot %d: %+v %v %v", personID, slotID, b, created, err)
	}
	return b
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	ae := apperr.As(err)
	if err == nil || ae.Code != code || (field != "" && ae.Field != field) {
		t.Fatalf("error %v, want %s on field %q", err, code, field)
	}
}

// count returns the single number a query answers.
func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// journaled counts the audit entries of an action.
func journaled(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	return count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, action)
}
