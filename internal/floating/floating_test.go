package floating_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/floating"
	"jisheng/internal/idno"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var today = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type env struct {
	d   *db.DB
	reg *registry.Service
	svc *floating.Service
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
	clock := func() time.Time { return today }
	e := env{d: d, reg: registry.NewService(d, j, k, clock), svc: floating.NewService(d, j, k, clock), k: k}
	e.reg.OnChange(func(ctx context.Context, tx *db.Tx, ch registry.Changed) error {
		return e.svc.PersonsChanged(ctx, tx, ch.Persons)
	})
	return e
}

func villageA() context.Context  { return testfix.Ctx(auth.RoleVillage, testfix.VillageA1) }
func villageB() context.Context  { return testfix.Ctx(auth.RoleVillage, testfix.VillageB1) }
func townshipA() context.Context { return testfix.Ctx(auth.RoleTownship, testfix.TownA) }
func countyCtx() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County) }

// Two ID numbers: one of our county, one issued in the neighbouring county.
var (
	ourID   = idno.Generate(testfix.County, "1992-05-06", 31)  // male
	theirID = idno.Generate(testfix.County2, "1995-08-09", 42) // female
)

// person registers a resident of village A1 in the registry.
func (e env) person(t *testing.T, name, id string) registry.Person {
	t.Helper()
	p, err := e.reg.Create(villageA(), registry.PersonInput{Fields: registry.Fields{Name: name, IDNumber: id,
		Phone: "13800001111", RegisteredDivision: testfix.VillageA1}})
	if err != nil {
		t.Fatalf("person %s: %v", name, err)
	}
	return p
}

func (e env) create(t *testing.T, ctx context.Context, in floating.EntryInput) floating.Entry {
	t.Helper()
	en, err := e.svc.Create(ctx, in)
	if err != nil {
		t.Fatalf("create %+v: %v", in, err)
	}
	return en
}

func outInput(personID int64) floating.EntryInput {
	return floating.EntryInput{Direction: floating.Out, PersonID: &personID, Place: "江苏省苏州市工业园区",
		OtherCounty: "320571", Since: "2024-03-01", Phone: "13912345678"}
}

func inInput() floating.EntryInput {
	return floating.EntryInput{Direction: floating.In, Name: "陈静", IDNumber: theirID, Phone: "13700002222",
		Place: "霍邱县城关镇", OtherCounty: testfix.County2, Division: testfix.VillageA1, Since: "2025-02-01"}
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	ae := apperr.As(err)
	if err == nil || ae.Code != code || (field != "" && ae.Field != field) {
		t.Fatalf("error %v, want %s on field %q", err, code, field)
	}
}

func TestCreateBothDirections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		p := e.person(t, "张伟", ourID)
		out := e.create(t, villageA(), outInput(p.ID))
		if out.Name != "张伟" || out.Sex != "male" || out.BirthDate != "1992-05-06" || out.IDNumber != idno.Mask(ourID) {
			t.Fatalf("out entry does not show its person: %+v", out)
		}
		if out.Phone != "139****5678" || out.Division != testfix.VillageA1 || out.Status != floating.Active || out.Version != 1 {
			t.Fatalf("out entry: %+v", out)
		}
		if !strings.Contains(out.DivisionName, "东苑社区") {
			t.Fatalf("division name %q", out.DivisionName)
		}
		in := e.create(t, villageA(), inInput())
		if in.Sex != "female" || in.BirthDate != "1995-08-09" || in.IDNumber != idno.Mask(theirID) || in.Phone != "137****2222" {
			t.Fatalf("in entry: %+v", in)
		}
		full, err := e.svc.Reveal(villageA(), in.ID)
		if err != nil || full.IDNumber != theirID || full.Phone != "13700002222" {
			t.Fatalf("reveal: %+v %v", full, err)
		}
		// An "out" entry without its own phone shows its person's.
		noPhone := outInput(e.person(t, "李娜", idno.Generate(testfix.County, "1990-01-01", 22)).ID)
		noPhone.Phone = ""
		if en := e.create(t, villageA(), noPhone); en.Phone != "138****1111" {
			t.Fatalf("person's phone not shown: %+v", en)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		p := e.person(t, "张伟", ourID)
		pid := p.ID
		e.create(t, villageA(), inInput())
		e.create(t, villageA(), outInput(pid))
		other := e.person(t, "王强", idno.Generate(testfix.County, "1985-01-01", 11)).ID
		cases := []struct {
			name  string
			ctx   context.Context
			edit  func(*floating.EntryInput)
			base  floating.EntryInput
			code  apperr.Code
			field string
		}{
			{"no direction", villageA(), func(in *floating.EntryInput) { in.Direction = "" }, inInput(), apperr.Invalid, "direction"},
			{"out without person", villageA(), func(in *floating.EntryInput) { in.PersonID = nil }, outInput(other), apperr.Invalid, "person_id"},
			{"out with a name", villageA(), func(in *floating.EntryInput) { in.Name = "张伟" }, outInput(other), apperr.Invalid, "name"},
			{"out without place", villageA(), func(in *floating.EntryInput) { in.Place = "" }, outInput(other), apperr.Invalid, "place"},
			{"out person of another village", villageB(), func(*floating.EntryInput) {}, outInput(other), apperr.Invalid, "person_id"},
			{"second active out", villageA(), func(*floating.EntryInput) {}, outInput(pid), apperr.Conflict, "person_id"},
			{"own county as other side", villageA(), func(in *floating.EntryInput) { in.OtherCounty = testfix.County }, outInput(other), apperr.Invalid, "other_county"},
			{"county code of 5 digits", villageA(), func(in *floating.EntryInput) { in.OtherCounty = "32057" }, outInput(other), apperr.Invalid, "other_county"},
			{"future since", villageA(), func(in *floating.EntryInput) { in.Since = "2026-11-23" }, outInput(other), apperr.Invalid, "since"},
			{"since before birth", villageA(), func(in *floating.EntryInput) { in.Since = "1980-01-01" }, outInput(other), apperr.Invalid, "since"},
			{"bad phone", villageA(), func(in *floating.EntryInput) { in.Phone = "12345" }, outInput(other), apperr.Invalid, "phone"},
			{"in without name", villageA(), func(in *floating.EntryInput) { in.Name = "" }, inInput(), apperr.Invalid, "name"},
			{"in bad id", villageA(), func(in *floating.EntryInput) { in.IDNumber = theirID[:17] }, inInput(), apperr.Invalid, "id_number"},
			{"in without village", villageA(), func(in *floating.EntryInput) { in.Division = "" }, inInput(), apperr.Invalid, "division"},
			{"in village outside area", villageA(), func(in *floating.EntryInput) { in.Division = testfix.VillageB1 }, inInput(), apperr.Invalid, "division"},
			{"in township as village", townshipA(), func(in *floating.EntryInput) { in.Division = testfix.TownA }, inInput(), apperr.Invalid, "division"},
			{"in duplicate id", villageA(), func(*floating.EntryInput) {}, inInput(), apperr.Conflict, "id_number"},
			{"in our own resident", villageA(), func(in *floating.EntryInput) { in.IDNumber = ourID }, inInput(), apperr.Invalid, "id_number"},
			{"in linked person outside area", villageB(), func(in *floating.EntryInput) {
				in.PersonID, in.Division, in.IDNumber, in.Sex, in.BirthDate = &other, testfix.VillageB1, "", "female", "1995-08-09"
			}, inInput(), apperr.Invalid, "person_id"},
			{"version on create", villageA(), func(in *floating.EntryInput) { in.Version = 3 }, outInput(other), apperr.Invalid, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.base
				tc.edit(&in)
				_, err := e.svc.Create(tc.ctx, in)
				wantCode(t, err, tc.code, tc.field)
			})
		}
		var n int
		if err := d.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM floating_entries`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("refused inputs wrote entries: %d %v", n, err)
		}
	})
}

func TestUpdateWithVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		in := e.create(t, villageA(), inInput())
		edit := floating.EntryInput{Name: "陈静", IDNumber: in.IDNumber, Phone: in.Phone, Place: "霍邱县城关镇师部社区",
			OtherCounty: testfix.County2, Division: testfix.VillageA2, Since: in.Since, Note: "在镇上工厂务工", Version: in.Version}
		_, err := e.svc.Update(villageA(), in.ID, edit)
		wantCode(t, err, apperr.Invalid, "division") // village A2 is not village A1's officer's
		got, err := e.svc.Update(townshipA(), in.ID, edit)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 2 || got.Division != testfix.VillageA2 || got.Place != "霍邱县城关镇师部社区" || got.IDNumber != in.IDNumber {
			t.Fatalf("after update: %+v", got)
		}
		// The masks sent back kept the stored numbers.
		if full, err := e.svc.Reveal(townshipA(), in.ID); err != nil || full.IDNumber != theirID || full.Phone != "13700002222" {
			t.Fatalf("numbers after an edit with masks: %+v %v", full, err)
		}
		// A second editor with the old version changes nothing.
		edit.Note = "已改"
		_, err = e.svc.Update(townshipA(), in.ID, edit)
		wantCode(t, err, apperr.Conflict, "")
		if again, _ := e.svc.Get(townshipA(), in.ID); again.Note != "在镇上工厂务工" || again.Version != 2 {
			t.Fatalf("stale update wrote: %+v", again)
		}
		edit.Version, edit.Direction = 2, floating.Out
		_, err = e.svc.Update(townshipA(), in.ID, edit)
		wantCode(t, err, apperr.Invalid, "direction")
		// Village A1 no longer sees the entry, village B never did.
		edit.Direction = ""
		_, err = e.svc.Update(villageA(), in.ID, edit)
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.Update(villageB(), in.ID, edit)
		wantCode(t, err, apperr.NotFound, "")
	})
}

func TestEnd(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		in := e.create(t, villageA(), inInput())
		_, err := e.svc.End(villageA(), in.ID, floating.EndInput{EndedOn: "2025-01-01", Reason: "返回原籍", Version: 1})
		wantCode(t, err, apperr.Invalid, "ended_on")
		_, err = e.svc.End(villageA(), in.ID, floating.EndInput{EndedOn: "2026-10-01", Version: 1})
		wantCode(t, err, apperr.Invalid, "reason")
		got, err := e.svc.End(villageA(), in.ID, floating.EndInput{EndedOn: "2026-10-01", Reason: "返回原籍", Version: 1})
		if err != nil || got.Status != floating.Ended || got.EndedOn != "2026-10-01" || got.EndReason != "返回原籍" || got.Version != 2 {
			t.Fatalf("end: %+v %v", got, err)
		}
		_, err = e.svc.End(villageA(), in.ID, floating.EndInput{EndedOn: "2026-10-02", Reason: "再次", Version: 2})
		wantCode(t, err, apperr.Invalid, "")
		_, err = e.svc.Update(villageA(), in.ID, floating.EntryInput{Name: "陈静", Place: "霍邱", Division: testfix.VillageA1,
			Sex: "female", BirthDate: "1995-08-09", Since: "2025-02-01", Version: 2})
		wantCode(t, err, apperr.Invalid, "")
		// Ended, the same person may be registered again.
		if again := e.create(t, villageA(), inInput()); again.ID == in.ID {
			t.Fatal("new entry reused the ended one")
		}
	})
}

func TestContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		in := e.create(t, villageA(), inInput())
		first, err := e.svc.AddContact(villageA(), in.ID, floating.ContactInput{ContactDate: "2026-03-01", Method: "visit",
			Content: "上门了解居住情况", Services: []string{"contraceptives", "contraceptives", "childcare_subsidy"}, NextFollowUp: "2026-06-01"})
		if err != nil {
			t.Fatal(err)
		}
		if len(first.Services) != 2 || first.RecordedBy != "village-"+testfix.VillageA1 {
			t.Fatalf("contact: %+v", first)
		}
		bad := []struct {
			name  string
			in    floating.ContactInput
			field string
		}{
			{"no date", floating.ContactInput{Method: "phone", Content: "电话"}, "contact_date"},
			{"future", floating.ContactInput{ContactDate: "2026-12-01", Method: "phone", Content: "电话"}, "contact_date"},
			{"bad method", floating.ContactInput{ContactDate: "2026-04-01", Method: "letter", Content: "信"}, "method"},
			{"no content", floating.ContactInput{ContactDate: "2026-04-01", Method: "phone"}, "content"},
			{"bad service", floating.ContactInput{ContactDate: "2026-04-01", Method: "phone", Content: "电话", Services: []string{"permit"}}, "services"},
			{"follow-up before", floating.ContactInput{ContactDate: "2026-04-01", Method: "phone", Content: "电话", NextFollowUp: "2026-03-01"}, "next_follow_up"},
		}
		for _, b := range bad {
			_, err := e.svc.AddContact(villageA(), in.ID, b.in)
			if ae := apperr.As(err); err == nil || ae.Field != b.field {
				t.Errorf("%s: %v, want field %s", b.name, err, b.field)
			}
		}
		// A wrong record is corrected by a new one naming it; only once.
		fix, err := e.svc.AddContact(villageA(), in.ID, floating.ContactInput{ContactDate: "2026-03-02", Method: "visit",
			Content: "上门（更正日期）", NextFollowUp: "2026-05-01", CorrectsID: &first.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AddContact(villageA(), in.ID, floating.ContactInput{ContactDate: "2026-03-02", Method: "visit",
			Content: "再更正", CorrectsID: &first.ID})
		wantCode(t, err, apperr.Invalid, "corrects_id")
		ks, err := e.svc.Contacts(villageA(), in.ID)
		if err != nil || len(ks) != 2 || ks[0].ID != fix.ID || ks[1].CorrectedBy == nil || *ks[1].CorrectedBy != fix.ID {
			t.Fatalf("contacts: %+v %v", ks, err)
		}
		got, _ := e.svc.Get(villageA(), in.ID)
		if got.ContactCount != 1 || got.LastContact != "2026-03-02" || got.NextFollowUp != "2026-05-01" {
			t.Fatalf("contact figures count the corrected record: %+v", got)
		}
		// A correction must name a record of the same entry.
		other := e.create(t, villageA(), floating.EntryInput{Direction: floating.In, Name: "周敏", Sex: "female",
			BirthDate: "1990-01-01", Place: "河南省固始县", Division: testfix.VillageA1, Since: "2026-01-01"})
		_, err = e.svc.AddContact(villageA(), other.ID, floating.ContactInput{ContactDate: "2026-04-01", Method: "phone",
			Content: "电话", CorrectsID: &fix.ID})
		wantCode(t, err, apperr.Invalid, "corrects_id")
		// Ended entries take corrections only.
		if _, err := e.svc.End(villageA(), in.ID, floating.EndInput{EndedOn: "2026-10-01", Reason: "迁往外省", Version: 1}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AddContact(villageA(), in.ID, floating.ContactInput{ContactDate: "2026-10-02", Method: "phone", Content: "回访"})
		wantCode(t, err, apperr.Invalid, "")
		if _, err := e.svc.AddContact(villageA(), in.ID, floating.ContactInput{ContactDate: "2026-03-02", Method: "phone",
			Content: "上门改为电话", CorrectsID: &fix.ID}); err != nil {
			t.Fatalf("correction on an ended entry: %v", err)
		}
		// Village B neither reads nor writes them.
		_, err = e.svc.Contacts(villageB(), in.ID)
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.AddContact(villageB(), other.ID, floating.ContactInput{ContactDate: "2026-04-01", Method: "phone", Content: "电话"})
		wantCode(t, err, apperr.NotFound, "")
	})
}

func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		p := e.person(t, "张伟", ourID)
		out := e.create(t, villageA(), outInput(p.ID))
		in := e.create(t, villageA(), inInput())
		count := func(ctx context.Context, f floating.Filter) int {
			t.Helper()
			f.Page, f.Size = 1, 20
			items, total, err := e.svc.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != total {
				t.Fatalf("page of %d items for a total of %d", len(items), total)
			}
			return total
		}
		checks := []struct {
			name string
			ctx  context.Context
			f    floating.Filter
			want int
		}{
			{"village A", villageA(), floating.Filter{}, 2},
			{"village A out", villageA(), floating.Filter{Direction: floating.Out}, 1},
			{"village A in", villageA(), floating.Filter{Direction: floating.In}, 1},
			{"township A", townshipA(), floating.Filter{}, 2},
			{"county", countyCtx(), floating.Filter{}, 2},
			{"county, village A2", countyCtx(), floating.Filter{Division: testfix.VillageA2}, 0},
			{"village B", villageB(), floating.Filter{}, 0},
			{"name prefix", countyCtx(), floating.Filter{Q: "张"}, 1},
			{"ID of an out person", countyCtx(), floating.Filter{Q: ourID}, 1},
			{"ID of an in entry", countyCtx(), floating.Filter{Q: strings.ToLower(theirID)}, 1},
			{"ended", countyCtx(), floating.Filter{Status: floating.Ended}, 0},
		}
		for _, c := range checks {
			if got := count(c.ctx, c.f); got != c.want {
				t.Errorf("%s: %d entries, want %d", c.name, got, c.want)
			}
		}
		_, _, err := e.svc.List(villageB(), floating.Filter{Division: testfix.VillageA1, Page: 1, Size: 20})
		wantCode(t, err, apperr.Invalid, "division")
		_, _, err = e.svc.List(villageA(), floating.Filter{Direction: "sideways", Page: 1, Size: 20})
		wantCode(t, err, apperr.Invalid, "direction")
		for _, id := range []int64{out.ID, in.ID} {
			_, err := e.svc.Get(villageB(), id)
			wantCode(t, err, apperr.NotFound, "")
			_, err = e.svc.Reveal(villageB(), id)
			wantCode(t, err, apperr.NotFound, "")
		}
	})
}

// A change of household registration moves the "out" entry to the officers
// of the new village, in the registry's own transaction.
func TestRegistryMoveFollows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		p := e.person(t, "张伟", ourID)
		out := e.create(t, villageA(), outInput(p.ID))
		_, err := e.reg.Update(townshipA(), p.ID, registry.PersonInput{Fields: registry.Fields{Name: p.Name, Sex: p.Sex,
			BirthDate: p.BirthDate, IDNumber: p.IDNumber, Phone: p.Phone, RegisteredDivision: testfix.VillageA2}, Version: p.Version})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Get(townshipA(), out.ID)
		if err != nil || got.Division != testfix.VillageA2 {
			t.Fatalf("entry after the move: %+v %v", got, err)
		}
		if _, err := e.svc.Get(villageA(), out.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("old village still sees the entry: %v", err)
		}
	})
}

// The journal records every change and unmasked view, never a full number.
func TestJournal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		in := e.create(t, villageA(), inInput())
		if _, err := e.svc.Reveal(villageA(), in.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddContact(villageA(), in.ID, floating.ContactInput{ContactDate: "2026-03-01", Method: "phone", Content: "电话联系"}); err != nil {
			t.Fatal(err)
		}
		rows, err := d.Reader().Query(context.Background(), `SELECT action, COALESCE(before_json, ''), COALESCE(after_json, '')
			FROM audit_log WHERE entity = 'floating' ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var actions []string
		for rows.Next() {
			var a, before, after string
			if err := rows.Scan(&a, &before, &after); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(before+after, theirID) || strings.Contains(before+after, "13700002222") {
				t.Fatalf("journal holds a full number: %s %s", before, after)
			}
			actions = append(actions, a)
		}
		if strings.Join(actions, ",") != "floating.create,floating.unmask,floating.contact" {
			t.Fatalf("journal actions %v", actions)
		}
	})
}
