package registry_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var today = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type env struct {
	d   *db.DB
	svc *registry.Service
	j   *audit.Journal
	k   *fieldcrypt.Keyring
}

func setup(t *testing.T, d *db.DB) env {
	t.Helper()
	testfix.Divisions(t, d)
	k, err := fieldcrypt.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	j, _ := audit.New(k.AuditKey(), audit.AlgHMACSHA256)
	return env{d: d, svc: registry.NewService(d, j, k, func() time.Time { return today }), j: j, k: k}
}

func villageA() context.Context { return testfix.Ctx(auth.RoleVillage, testfix.VillageA1) }

func (e env) create(t *testing.T, ctx context.Context, in registry.PersonInput) registry.Person {
	t.Helper()
	p, err := e.svc.Create(ctx, in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Name, err)
	}
	return p
}

func TestCreateValidation(t *testing.T) {
	cases := []struct {
		name  string
		in    registry.PersonInput
		field string
	}{
		{"no name", registry.PersonInput{Fields: registry.Fields{Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1}}, "name"},
		{"digits in name", registry.PersonInput{Fields: registry.Fields{Name: "张3", Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1}}, "name"},
		{"no sex", registry.PersonInput{Fields: registry.Fields{Name: "张三", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1}}, "sex"},
		{"bad sex", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "男", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1}}, "sex"},
		{"no birth", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", RegisteredDivision: testfix.VillageA1}}, "birth_date"},
		{"not a date", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-02-30", RegisteredDivision: testfix.VillageA1}}, "birth_date"},
		{"slashes", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980/01/01", RegisteredDivision: testfix.VillageA1}}, "birth_date"},
		{"future", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "2026-11-23", RegisteredDivision: testfix.VillageA1}}, "birth_date"},
		{"bad id", registry.PersonInput{Fields: registry.Fields{Name: "张三", IDNumber: "34152319800101001", RegisteredDivision: testfix.VillageA1}}, "id_number"},
		{"bad phone", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", Phone: "12345", RegisteredDivision: testfix.VillageA1}}, "phone"},
		{"bad ethnicity", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", Ethnicity: "汉", RegisteredDivision: testfix.VillageA1}}, "ethnicity"},
		{"bad hukou", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", HukouType: "urban", RegisteredDivision: testfix.VillageA1}}, "hukou_type"},
		{"bad marital", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", MaritalStatus: "married", RegisteredDivision: testfix.VillageA1}}, "marital_status"},
		{"no division", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01"}}, "registered_division"},
		{"township division", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: testfix.TownA}}, "registered_division"},
		{"unknown division", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: "341523100999"}}, "registered_division"},
		{"outside area", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageB1}}, "registered_division"},
		{"relation without household", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1, Relation: "head"}}, "household_id"},
		{"deceased without date", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1, Status: "deceased"}}, "death_date"},
		{"death before birth", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1, Status: "deceased", DeathDate: "1979-01-01"}}, "death_date"},
		{"alive with death date", registry.PersonInput{Fields: registry.Fields{Name: "张三", Sex: "male", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1, DeathDate: "2020-01-01"}}, "death_date"},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		for _, c := range cases {
			_, err := e.svc.Create(villageA(), c.in)
			if ae := apperr.As(err); err == nil || ae.Code != apperr.Invalid || ae.Field != c.field {
				t.Errorf("%s: err %v, want invalid %s", c.name, err, c.field)
			}
		}
		var n int
		d.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM persons`).Scan(&n)
		if n != 0 {
			t.Fatalf("refused inputs wrote %d persons", n)
		}
		if res, _ := e.j.Verify(context.Background(), d); res.Checked != 0 {
			t.Fatalf("refused inputs wrote %d audit entries", res.Checked)
		}
	})
}

func TestBirthOrderAndChildren(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		mother := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "陈芳", Sex: "female", BirthDate: "1985-05-05", RegisteredDivision: testfix.VillageA1}})
		father := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "刘强", Sex: "male", BirthDate: "1983-03-03", RegisteredDivision: testfix.VillageA1}})
		// Registered out of order: the order follows birth dates, twins by registration.
		third := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "刘三", Sex: "male", BirthDate: "2022-02-02", RegisteredDivision: testfix.VillageA1, MotherID: &mother.ID, FatherID: &father.ID}})
		first := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "刘一", Sex: "female", BirthDate: "2010-01-01", RegisteredDivision: testfix.VillageA1, MotherID: &mother.ID, FatherID: &father.ID}})
		twinA := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "刘二甲", Sex: "male", BirthDate: "2015-07-07", RegisteredDivision: testfix.VillageA1, MotherID: &mother.ID}})
		twinB := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "刘二乙", Sex: "male", BirthDate: "2015-07-07", RegisteredDivision: testfix.VillageA1, MotherID: &mother.ID}})
		want := map[int64]int{first.ID: 1, twinA.ID: 2, twinB.ID: 3, third.ID: 4}
		for id, order := range want {
			p, err := e.svc.Get(ctx, id)
			if err != nil || p.BirthOrder == nil || *p.BirthOrder != order {
				t.Errorf("%d: birth order %v, want %d (%v)", id, p.BirthOrder, order, err)
			}
		}
		m, _ := e.svc.Get(ctx, mother.ID)
		if len(m.Children) != 4 || m.Children[0].ID != first.ID || m.BirthOrder != nil {
			t.Fatalf("mother's children: %+v", m.Children)
		}
		f, _ := e.svc.Get(ctx, father.ID)
		if len(f.Children) != 2 || *f.Children[1].BirthOrder != 4 {
			t.Fatalf("father's children carry the mother's order: %+v", f.Children)
		}
		if c, _ := e.svc.Get(ctx, first.ID); c.MotherName != "陈芳" || c.FatherName != "刘强" || c.Age == nil || *c.Age != 16 {
			t.Fatalf("child detail: %+v", c)
		}
		// The mother cannot become a man while she has children.
		in := registry.PersonInput{Fields: registry.Fields{Name: "陈芳", Sex: "male", BirthDate: "1985-05-05", RegisteredDivision: testfix.VillageA1}, Version: m.Version}
		if _, err := e.svc.Update(ctx, mother.ID, in); apperr.As(err).Field != "sex" {
			t.Fatalf("sex change of a mother: %v", err)
		}
		// A parent younger than the child is refused.
		in = registry.PersonInput{Fields: registry.Fields{Name: "刘一", Sex: "female", BirthDate: "1980-01-01", RegisteredDivision: testfix.VillageA1, MotherID: &mother.ID}, Version: first.Version}
		if _, err := e.svc.Update(ctx, first.ID, in); apperr.As(err).Field != "mother_id" {
			t.Fatalf("mother younger than child: %v", err)
		}
	})
}

func TestSensitiveFieldsAtRest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		id := idno.Generate(testfix.County, "1975-08-15", 31)
		p := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "黄伟", IDNumber: strings.ToLower(id), Phone: "+86 139-1234-5678", RegisteredDivision: testfix.VillageA1}})
		var idEnc, phoneEnc []byte
		var bidx, mask string
		err := d.Reader().QueryRow(context.Background(), `SELECT id_enc, phone_enc, id_bidx, id_mask FROM persons WHERE id = ?`, p.ID).
			Scan(&idEnc, &phoneEnc, &bidx, &mask)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(idEnc), id[6:14]) || strings.Contains(string(phoneEnc), "12345678") {
			t.Fatal("sensitive value stored in clear")
		}
		if mask != idno.Mask(id) || bidx != e.k.BlindIndex("id_number", id) {
			t.Fatalf("mask %q bidx %q", mask, bidx)
		}
		if p.Sex != "male" || p.BirthDate != "1975-08-15" || p.Phone != "139****5678" {
			t.Fatalf("derived/masked fields: %+v", p)
		}
		s, err := e.svc.Reveal(ctx, p.ID)
		if err != nil || s.IDNumber != id || s.Phone != "13912345678" {
			t.Fatalf("reveal: %+v %v", s, err)
		}
		if _, err := e.svc.Reveal(testfix.Ctx(auth.RoleVillage, testfix.VillageB1), p.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("reveal from another village: %v", err)
		}
		items, _, _ := audit.List(context.Background(), d.Reader(), testfix.Principal(auth.RoleSysadmin, testfix.County),
			audit.Filter{Action: "person.unmask", Page: 1, Size: 10})
		if len(items) != 1 || items[0].EntityID == "" {
			t.Fatalf("unmask audit entries: %+v", items)
		}
		// Exact lookup through the blind index, also by the 15-digit-free lower-case form.
		list, total, err := e.svc.List(ctx, registry.Filter{Q: strings.ToLower(id), Page: 1, Size: 10})
		if err != nil || total != 1 || list[0].ID != p.ID {
			t.Fatalf("id search: %d %v", total, err)
		}
		// Clearing the phone is possible by sending it empty.
		in := registry.PersonInput{Fields: registry.Fields{Name: p.Name, IDNumber: p.IDNumber, RegisteredDivision: testfix.VillageA1}, Version: p.Version}
		u, err := e.svc.Update(ctx, p.ID, in)
		if err != nil || u.Phone != "" || u.IDNumber != p.IDNumber {
			t.Fatalf("update clearing phone: %+v %v", u, err)
		}
	})
}

func TestHouseholds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := villageA()
		h1, err := e.svc.CreateHousehold(ctx, registry.HouseholdInput{Division: testfix.VillageA1, Address: "一号"})
		if err != nil {
			t.Fatal(err)
		}
		h2, _ := e.svc.CreateHousehold(ctx, registry.HouseholdInput{Division: testfix.VillageA1})
		if h1.HHNo != testfix.VillageA1+"-0001" || h2.HHNo != testfix.VillageA1+"-0002" {
			t.Fatalf("numbering %q %q", h1.HHNo, h2.HHNo)
		}
		if _, err := e.svc.CreateHousehold(ctx, registry.HouseholdInput{Division: testfix.VillageA1, HHNo: h1.HHNo}); apperr.As(err).Field != "hh_no" {
			t.Fatalf("duplicate number: %v", err)
		}
		if _, err := e.svc.CreateHousehold(ctx, registry.HouseholdInput{Division: testfix.VillageB1}); apperr.As(err).Field != "division" {
			t.Fatalf("household outside area: %v", err)
		}
		head := e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "户主甲", Sex: "male", BirthDate: "1960-01-01", RegisteredDivision: testfix.VillageA1, HouseholdID: &h1.ID, Relation: "head"}})
		e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "配偶乙", Sex: "female", BirthDate: "1962-01-01", RegisteredDivision: testfix.VillageA1, HouseholdID: &h1.ID, Relation: "spouse"}})
		if _, err := e.svc.Create(ctx, registry.PersonInput{Fields: registry.Fields{Name: "外村人", Sex: "male", BirthDate: "1990-01-01", RegisteredDivision: testfix.VillageA2, HouseholdID: &h1.ID, Relation: "child"}}); apperr.As(err).Field != "registered_division" {
			t.Fatalf("member registered in another village: %v", err)
		}
		got, err := e.svc.GetHousehold(ctx, h1.ID)
		if err != nil || got.Head != "户主甲" || got.MemberCount != 2 || len(got.Members) != 2 || got.Members[0].ID != head.ID {
			t.Fatalf("household: %+v %v", got, err)
		}
		if _, err := e.svc.GetHousehold(testfix.Ctx(auth.RoleVillage, testfix.VillageB1), h1.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("household from another village: %v", err)
		}
		u, err := e.svc.UpdateHousehold(ctx, h1.ID, registry.HouseholdInput{Address: "二号", Version: got.Version})
		if err != nil || u.Address != "二号" {
			t.Fatalf("update address: %+v %v", u, err)
		}
		if _, err := e.svc.UpdateHousehold(ctx, h1.ID, registry.HouseholdInput{Address: "三号", Version: got.Version}); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("stale household update: %v", err)
		}
		list, total, err := e.svc.ListHouseholds(testfix.Ctx(auth.RoleTownship, testfix.TownA), registry.HouseholdFilter{Page: 1, Size: 10})
		if err != nil || total != 2 || list[0].DivisionName == "" {
			t.Fatalf("household list: %d %+v %v", total, list, err)
		}
	})
}

func TestListPagingAndOverview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctxA := villageA()
		for i := 0; i < 25; i++ {
			e.create(t, ctxA, registry.PersonInput{Fields: registry.Fields{Name: "甲" + string(rune('一'+i)), Sex: []string{"male", "female"}[i%2], BirthDate: "1990-01-01", RegisteredDivision: testfix.VillageA1}})
		}
		ctxB := testfix.Ctx(auth.RoleVillage, testfix.VillageB1)
		e.create(t, ctxB, registry.PersonInput{Fields: registry.Fields{Name: "乙", Sex: "male", BirthDate: "1990-01-01", RegisteredDivision: testfix.VillageB1, ResidenceDivision: testfix.VillageA1}})
		e.create(t, ctxB, registry.PersonInput{Fields: registry.Fields{Name: "丙", Sex: "female", BirthDate: "1930-01-01", RegisteredDivision: testfix.VillageB1, Status: "deceased", DeathDate: "2020-01-01"}})

		page3, total, err := e.svc.List(ctxA, registry.Filter{Page: 3, Size: 10})
		if err != nil || total != 26 || len(page3) != 6 {
			t.Fatalf("village A page 3: %d items of %d (%v)", len(page3), total, err)
		}
		// Registered persons come first, by name; the resident registered elsewhere last.
		if page3[5].Name != "乙" {
			t.Fatalf("last of the list: %q, want the resident from village B", page3[5].Name)
		}
		seen := map[int64]bool{}
		for pg := 1; pg <= 6; pg++ {
			items, _, _ := e.svc.List(ctxA, registry.Filter{Page: pg, Size: 5})
			for _, p := range items {
				if seen[p.ID] {
					t.Fatalf("person %d on two pages", p.ID)
				}
				seen[p.ID] = true
			}
		}
		if len(seen) != 26 {
			t.Fatalf("paging by 5 showed %d persons, want 26", len(seen))
		}
		// Both access paths of a name search give the same answer.
		for _, threshold := range []int{1_000_000, 0} {
			undo := registry.SetSmallArea(threshold)
			for _, ctx := range []context.Context{ctxA, testfix.Ctx(auth.RoleCounty, testfix.County)} {
				named, total, err := e.svc.List(ctx, registry.Filter{Q: "甲", Page: 1, Size: 30})
				if err != nil || total != 25 || len(named) != 25 || named[0].Name > named[1].Name {
					t.Fatalf("name search (threshold %d): %d of %d, %v", threshold, len(named), total, err)
				}
				second, total, _ := e.svc.List(ctx, registry.Filter{Q: "甲", Page: 2, Size: 20})
				if total != 25 || len(second) != 5 || second[0].Name <= named[19].Name {
					t.Fatalf("name search page 2 (threshold %d): %d of %d", threshold, len(second), total)
				}
			}
			named, total, _ := e.svc.List(ctxA, registry.Filter{Q: "乙", Page: 1, Size: 30})
			if total != 1 || named[0].RegisteredDivision != testfix.VillageB1 {
				t.Fatalf("name search for a resident registered elsewhere (threshold %d): %d", threshold, total)
			}
			undo()
		}
		past, total, _ := e.svc.List(ctxA, registry.Filter{Page: 9, Size: 10})
		if len(past) != 0 || total != 26 {
			t.Fatalf("page past the end: %d of %d", len(past), total)
		}
		_, total, _ = e.svc.List(ctxB, registry.Filter{Page: 1, Size: 10})
		if total != 2 {
			t.Fatalf("village B sees %d, want its 2", total)
		}
		o, err := e.svc.Overview(testfix.Ctx(auth.RoleCounty, testfix.County), "")
		if err != nil {
			t.Fatal(err)
		}
		if o.Persons != 26 || o.Male != 14 || o.Female != 12 || o.Deceased != 1 || o.LivingAway != 1 || len(o.Children) != 2 {
			t.Fatalf("overview: %+v", o)
		}
		if o.Children[0].Code != testfix.TownA || o.Children[0].Persons != 25 || o.Children[1].Persons != 1 {
			t.Fatalf("township counts: %+v", o.Children)
		}
		if _, err := e.svc.Overview(ctxA, testfix.TownB); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("overview outside area: %v", err)
		}
	})
}

func TestConcurrentDuplicatesRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		h, err := e.svc.CreateHousehold(villageA(), registry.HouseholdInput{Division: testfix.VillageA1})
		if err != nil {
			t.Fatal(err)
		}
		id := idno.Generate(testfix.County, "1970-01-01", 11)
		const n = 8
		errs := make(chan error, 2*n)
		done := make(chan struct{})
		for i := 0; i < n; i++ {
			go func(i int) {
				_, err := e.svc.Create(villageA(), registry.PersonInput{Fields: registry.Fields{Name: "同号", IDNumber: id, RegisteredDivision: testfix.VillageA1}})
				errs <- err
				_, err = e.svc.Create(villageA(), registry.PersonInput{Fields: registry.Fields{Name: "户主", Sex: "male", BirthDate: "1960-01-01", RegisteredDivision: testfix.VillageA1, HouseholdID: &h.ID, Relation: "head"}})
				errs <- err
				done <- struct{}{}
			}(i)
		}
		for i := 0; i < n; i++ {
			<-done
		}
		close(errs)
		ok, conflicts := 0, 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case apperr.As(err).Field == "id_number" || apperr.As(err).Field == "relation":
				conflicts++
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if ok != 2 || conflicts != 2*n-2 {
			t.Fatalf("%d created, %d refused; want one person with the ID and one head", ok, conflicts)
		}
	})
}

// TestCountsFollowEveryChange checks the trigger-kept count tables against a
// recount after creations and edits that move persons between divisions,
// sexes and statuses.
func TestCountsFollowEveryChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := testfix.Ctx(auth.RoleCounty, testfix.County)
		var ps []registry.Person
		for i, v := range []string{testfix.VillageA1, testfix.VillageA2, testfix.VillageB1, testfix.VillageB2} {
			ps = append(ps, e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "计数" + string(rune('甲'+i)), Sex: "female", BirthDate: "1950-01-01", RegisteredDivision: v, ResidenceDivision: testfix.VillageA1}}))
		}
		h, _ := e.svc.CreateHousehold(ctx, registry.HouseholdInput{Division: testfix.VillageB2})
		e.svc.CreateHousehold(ctx, registry.HouseholdInput{Division: testfix.VillageB2})
		edits := []registry.Fields{
			{Name: ps[0].Name, Sex: "male", BirthDate: "1950-01-01", RegisteredDivision: testfix.VillageB1},
			{Name: ps[1].Name, Sex: "female", BirthDate: "1950-01-01", RegisteredDivision: testfix.VillageA2, Status: "deceased", DeathDate: "2020-02-02"},
			{Name: ps[2].Name, Sex: "female", BirthDate: "1950-01-01", RegisteredDivision: testfix.VillageB2, HouseholdID: &h.ID, Relation: "head"},
		}
		for i, f := range edits {
			if _, err := e.svc.Update(ctx, ps[i].ID, registry.PersonInput{Fields: f, Version: ps[i].Version}); err != nil {
				t.Fatal(err)
			}
		}
		got := countRows(t, d, `SELECT reg_path, sex, status, away, n FROM person_counts WHERE n <> 0`)
		want := countRows(t, d, `SELECT reg_path, sex, status, CASE WHEN reg_path <> res_path THEN 1 ELSE 0 END AS away, COUNT(*)
			FROM persons GROUP BY reg_path, sex, status, away`)
		if got != want {
			t.Fatalf("person_counts:\n%s\nrecount:\n%s", got, want)
		}
		// Every area's "lives here, registered elsewhere" total equals a count of the rows.
		for _, area := range []string{testfix.County, testfix.TownA, testfix.TownB, testfix.VillageA1, testfix.VillageA2, testfix.VillageB2} {
			path := testfix.Path(area)
			var fromCounts, fromRows int
			d.Reader().QueryRow(context.Background(), `SELECT COALESCE(SUM(n), 0) FROM person_away
				WHERE res_path >= ? AND res_path < ? AND length(lca_path) < ?`, path, path[:len(path)-1]+"0", len(path)).Scan(&fromCounts)
			d.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM persons WHERE res_path >= ? AND res_path < ?
				AND NOT (reg_path >= ? AND reg_path < ?)`, path, path[:len(path)-1]+"0", path, path[:len(path)-1]+"0").Scan(&fromRows)
			if fromCounts != fromRows {
				t.Errorf("area %s: %d residents registered elsewhere by counts, %d by rows", area, fromCounts, fromRows)
			}
		}
		checkRollup(t, d)
		got = countRows(t, d, `SELECT path, n FROM household_counts WHERE n <> 0`)
		want = countRows(t, d, `SELECT division_path, COUNT(*) FROM households GROUP BY division_path`)
		if got != want {
			t.Fatalf("household_counts %s, recount %s", got, want)
		}
	})
}

// checkRollup holds person_rollup (migration 0019) to a recount of the
// persons at each of its depths.
func checkRollup(t *testing.T, d *db.DB) {
	t.Helper()
	want := countRows(t, d, testfix.RollupRecount)
	got := countRows(t, d, testfix.RollupRows)
	if got != want || got == "" {
		t.Fatalf("person_rollup:\n%s\nrecount:\n%s", got, want)
	}
}

func countRows(t *testing.T, d *db.DB, q string) string {
	t.Helper()
	rows, err := d.Reader().Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		var b strings.Builder
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		rows.Scan(ptrs...)
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%v|", v)
		}
		lines = append(lines, b.String())
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestNameSearchReachesGroups checks every part of a small-area name search:
// registered at the village, registered in one of its groups, living in the
// village or in a group while registered elsewhere.
func TestNameSearchReachesGroups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		var group string
		err := d.Tx(context.Background(), func(tx *db.Tx) error {
			g, err := division.AddGroup(context.Background(), tx, testfix.VillageA1, "第一村民组")
			group = g.Code
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		cty := testfix.Ctx(auth.RoleCounty, testfix.County)
		for _, f := range []registry.Fields{
			{Name: "韩村", RegisteredDivision: testfix.VillageA1},
			{Name: "韩组", RegisteredDivision: group},
			{Name: "韩住村", RegisteredDivision: testfix.VillageB1, ResidenceDivision: testfix.VillageA1},
			{Name: "韩住组", RegisteredDivision: testfix.VillageB2, ResidenceDivision: group},
			{Name: "韩外", RegisteredDivision: testfix.VillageB1},
			{Name: "何村", RegisteredDivision: testfix.VillageA1},
		} {
			f.Sex, f.BirthDate = "female", "1990-01-01"
			e.create(t, cty, registry.PersonInput{Fields: f})
		}
		for _, threshold := range []int{1_000_000, 0} {
			undo := registry.SetSmallArea(threshold)
			got, total, err := e.svc.List(villageA(), registry.Filter{Q: "韩", Page: 1, Size: 10})
			undo()
			var names []string
			for _, p := range got {
				names = append(names, p.Name)
			}
			if err != nil || total != 4 || strings.Join(names, ",") != "韩住村,韩住组,韩村,韩组" {
				t.Fatalf("threshold %d: %v of %d (%v)", threshold, names, total, err)
			}
		}
	})
}
