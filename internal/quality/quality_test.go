package quality_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
	"jisheng/internal/quality"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var today = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type env struct {
	d   *db.DB
	k   *fieldcrypt.Keyring
	reg *registry.Service
	q   *quality.Service
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
	e := env{d: d, k: k, reg: registry.NewService(d, j, k, clock), q: quality.NewService(d, j, k, clock)}
	e.reg.OnChange(e.q.OnRegistryChange)
	return e
}

func villageA() context.Context { return testfix.Ctx(auth.RoleVillage, testfix.VillageA1) }

var seq = 100

// complete returns the fields of a person with every required field and a
// valid ID number agreeing with them: a record with no findings.
func complete(name, sex, birth, village string) registry.Fields {
	seq += 2
	n := seq
	if sex == "male" {
		n++
	}
	return registry.Fields{Name: name, Sex: sex, BirthDate: birth, IDNumber: idno.Generate(testfix.County, birth, n%1000),
		Ethnicity: "汉族", HukouType: "agricultural", MaritalStatus: "unmarried", RegisteredDivision: village}
}

func (e env) create(t *testing.T, ctx context.Context, f registry.Fields) registry.Person {
	t.Helper()
	p, err := e.reg.Create(ctx, registry.PersonInput{Fields: f})
	if err != nil {
		t.Fatalf("create %s: %v", f.Name, err)
	}
	return p
}

// update changes a person through the registry service, as an officer does.
func (e env) update(t *testing.T, ctx context.Context, id int64, change func(*registry.Fields)) registry.Person {
	t.Helper()
	p, err := e.reg.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	f := p.Fields
	change(&f)
	p, err = e.reg.Update(ctx, id, registry.PersonInput{Fields: f, Version: p.Version})
	if err != nil {
		t.Fatalf("update %d: %v", id, err)
	}
	return p
}

// legacy is a person as an old system left it, written straight into the
// table: the registry refuses such records today.
type legacy struct {
	name, sex, birth, id, village string
}

func (e env) insertLegacy(t *testing.T, l legacy) int64 {
	t.Helper()
	ctx := context.Background()
	var enc []byte
	var bidx, mask any
	if l.id != "" {
		var err error
		if enc, err = e.k.Encrypt("id_number", l.id); err != nil {
			t.Fatal(err)
		}
		bidx, mask = e.k.BlindIndex("id_number", l.id), idno.Mask(l.id)
	}
	var id int64
	err := e.d.Tx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO persons (name, sex, birth_date, id_enc, id_bidx, id_mask, ethnicity,
			hukou_type, marital_status, reg_division, reg_path, res_division, res_path, status, created_at, created_by,
			updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, '汉族', 'agricultural', 'unmarried', ?, ?, ?, ?, 'alive', ?, 'legacy', ?, 'legacy')`,
			l.name, l.sex, l.birth, enc, bidx, mask, l.village, testfix.Path(l.village), l.village, testfix.Path(l.village),
			db.Now(), db.Now())
		return err
	})
	if err != nil {
		t.Fatalf("insert legacy %s: %v", l.name, err)
	}
	return id
}

// recompute runs a full recompute as the operator at the command line.
func (e env) recompute(t *testing.T) quality.Result {
	t.Helper()
	res, err := e.q.Recompute(testfix.CLI(), nil)
	if err != nil {
		t.Fatalf("recompute: %v", err)
	}
	return res
}

// findings returns the rules found for one record, sorted, with their details.
func (e env) findings(t *testing.T, entity string, id int64) map[string]string {
	t.Helper()
	rows, err := e.d.Reader().Query(context.Background(), `SELECT rule, detail FROM dq_findings WHERE entity = ? AND entity_id = ?`, entity, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var r, d string
		if err := rows.Scan(&r, &d); err != nil {
			t.Fatal(err)
		}
		out[r] = d
	}
	return out
}

func (e env) wantFinding(t *testing.T, entity string, id int64, rule, detailPart string) {
	t.Helper()
	got := e.findings(t, entity, id)
	d, ok := got[rule]
	if !ok {
		t.Fatalf("%s %d: no %s finding; has %v", entity, id, rule, got)
	}
	if !strings.Contains(d, detailPart) {
		t.Fatalf("%s %d: %s detail %q lacks %q", entity, id, rule, d, detailPart)
	}
}

func (e env) wantNone(t *testing.T, entity string, id int64, rule string) {
	t.Helper()
	if d, ok := e.findings(t, entity, id)[rule]; ok {
		t.Fatalf("%s %d: unexpected %s finding %q", entity, id, rule, d)
	}
}

// wantConsistent checks that a full recompute agrees with what the change
// hooks left: it must find nothing to add, change or clear.
func (e env) wantConsistent(t *testing.T) {
	t.Helper()
	if res := e.recompute(t); res.Changes != (quality.Changes{}) {
		t.Fatalf("recompute after hooks changed %+v: the hook and the recompute disagree", res.Changes)
	}
}

func TestPersonRules(t *testing.T) {
	cases := []struct {
		name   string
		rule   string
		detail string
		// make creates the doubtful record(s) and returns the person the
		// finding is about; legacy data is picked up by a recompute.
		make func(t *testing.T, e env) int64
		// fix repairs it through the registry service.
		fix func(t *testing.T, e env, id int64)
	}{
		{"wrong check character", quality.RuleIDInvalid, "校验码错误",
			func(t *testing.T, e env) int64 {
				good := idno.Generate(testfix.County, "1980-04-05", 121)
				bad := good[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", good[17])+1)%11])
				id := e.insertLegacy(t, legacy{"赵一", "male", "1980-04-05", bad, testfix.VillageA1})
				e.recompute(t)
				return id
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) { f.IDNumber = idno.Generate(testfix.County, "1980-04-05", 121) })
			}},
		{"impossible birth date in the ID", quality.RuleIDInvalid, "出生日期无效",
			func(t *testing.T, e env) int64 {
				bad := withCheck(testfix.County + "19800231" + "121")
				id := e.insertLegacy(t, legacy{"赵二", "male", "1980-02-28", bad, testfix.VillageA1})
				e.recompute(t)
				return id
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) { f.IDNumber = idno.Generate(testfix.County, "1980-02-28", 121) })
			}},
		{"ID birth date disagrees", quality.RuleIDMismatch, "出生日期与登记的出生日期不一致",
			func(t *testing.T, e env) int64 {
				f := complete("钱三", "female", "1985-05-05", testfix.VillageA1)
				f.BirthDate = "1985-05-06" // the registry accepts it with a warning
				return e.create(t, villageA(), f).ID
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) { f.BirthDate = "1985-05-05" })
			}},
		{"ID sex disagrees", quality.RuleIDMismatch, "性别（女）与登记的性别（男）不一致",
			func(t *testing.T, e env) int64 {
				f := complete("钱四", "female", "1986-06-06", testfix.VillageA1)
				f.Sex = "male"
				return e.create(t, villageA(), f).ID
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) { f.Sex = "female" })
			}},
		{"no ID number", quality.RuleMissingID, "未登记公民身份号码",
			func(t *testing.T, e env) int64 {
				f := complete("孙五", "male", "1990-01-01", testfix.VillageA1)
				f.IDNumber = ""
				return e.create(t, villageA(), f).ID
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) { f.IDNumber = idno.Generate(testfix.County, "1990-01-01", 333) })
			}},
		{"required fields empty", quality.RuleMissingFields, "缺少民族、户口性质、婚姻状况",
			func(t *testing.T, e env) int64 {
				f := complete("李六", "male", "1991-01-01", testfix.VillageA1)
				f.Ethnicity, f.HukouType, f.MaritalStatus = "", "", ""
				return e.create(t, villageA(), f).ID
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) {
					f.Ethnicity, f.HukouType, f.MaritalStatus = "回族", "resident", "unmarried"
				})
			}},
		{"married without spouse", quality.RuleMarriedNoSpouse, "婚姻状况为初婚，但未关联配偶",
			func(t *testing.T, e env) int64 {
				f := complete("周七", "female", "1988-08-08", testfix.VillageA1)
				f.MaritalStatus = "first_married"
				return e.create(t, villageA(), f).ID
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) { f.MaritalStatus = "divorced" })
			}},
		{"married, then died", quality.RuleMarriedNoSpouse, "再婚",
			func(t *testing.T, e env) int64 {
				f := complete("周八", "male", "1940-08-08", testfix.VillageA1)
				f.MaritalStatus = "remarried"
				return e.create(t, villageA(), f).ID
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) { f.Status, f.DeathDate = "deceased", "2024-01-01" })
			}},
		{"mother too young", quality.RuleMotherAge, "生育时母亲年龄为 13 周岁",
			func(t *testing.T, e env) int64 {
				m := e.create(t, villageA(), complete("吴母", "female", "2000-06-02", testfix.VillageA1))
				c := complete("吴子", "male", "2014-06-01", testfix.VillageA1)
				c.MotherID = &m.ID
				return e.create(t, villageA(), c).ID
			},
			func(t *testing.T, e env, id int64) {
				// The mother's record was wrong: fixing it clears her child's finding.
				c, _ := e.reg.Get(villageA(), id)
				e.update(t, villageA(), *c.MotherID, func(f *registry.Fields) {
					f.BirthDate, f.IDNumber = "1990-06-02", idno.Generate(testfix.County, "1990-06-02", 444)
				})
			}},
		{"mother too old", quality.RuleMotherAge, "生育时母亲年龄为 56 周岁",
			func(t *testing.T, e env) int64 {
				m := e.create(t, villageA(), complete("郑母", "female", "1950-03-01", testfix.VillageA1))
				c := complete("郑子", "female", "2006-03-01", testfix.VillageA1)
				c.MotherID = &m.ID
				return e.create(t, villageA(), c).ID
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) { f.MotherID = nil })
			}},
		{"child born before its mother", quality.RuleChildBeforeParent, "不晚于母亲的出生日期",
			func(t *testing.T, e env) int64 {
				m := e.create(t, villageA(), complete("冯母", "female", "1980-01-01", testfix.VillageA1))
				c := complete("冯子", "male", "2010-01-01", testfix.VillageA1)
				c.MotherID = &m.ID
				child := e.create(t, villageA(), c)
				// The registry checks the order when a parent is linked, not
				// when the parent's own birth date is edited later.
				e.update(t, villageA(), m.ID, func(f *registry.Fields) { f.BirthDate = "2012-01-01" })
				return child.ID
			},
			func(t *testing.T, e env, id int64) {
				c, _ := e.reg.Get(villageA(), id)
				e.update(t, villageA(), *c.MotherID, func(f *registry.Fields) { f.BirthDate = "1980-01-01" })
			}},
		{"child born before its father", quality.RuleChildBeforeParent, "不晚于父亲的出生日期",
			func(t *testing.T, e env) int64 {
				fa := e.create(t, villageA(), complete("陈父", "male", "1980-01-01", testfix.VillageA1))
				c := complete("陈子", "male", "2010-01-01", testfix.VillageA1)
				c.FatherID = &fa.ID
				child := e.create(t, villageA(), c)
				e.update(t, villageA(), child.ID, func(f *registry.Fields) {
					f.BirthDate, f.IDNumber = "1979-12-31", idno.Generate(testfix.County, "1979-12-31", 555)
					f.FatherID = nil
				})
				// Linking the father again is refused by the registry now, so
				// the legacy link is written directly.
				e.relink(t, child.ID, "father_id", fa.ID)
				return child.ID
			},
			func(t *testing.T, e env, id int64) {
				e.update(t, villageA(), id, func(f *registry.Fields) {
					f.BirthDate, f.IDNumber = "2010-01-01", idno.Generate(testfix.County, "2010-01-01", 557)
				})
			}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				id := c.make(t, e)
				e.wantFinding(t, quality.EntityPerson, id, c.rule, c.detail)
				e.wantConsistent(t)
				c.fix(t, e, id)
				e.wantNone(t, quality.EntityPerson, id, c.rule)
				e.wantConsistent(t)
			})
		}
	})
}

// relink writes a parent link straight into the table, as legacy data has
// it, and lets the registry's hooks recheck the child.
func (e env) relink(t *testing.T, child int64, col string, parent int64) {
	t.Helper()
	ctx := context.Background()
	err := e.d.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE persons SET `+col+` = ? WHERE id = ?`, parent, child); err != nil {
			return err
		}
		return e.reg.Notify(ctx, tx, registry.Changed{Persons: []int64{child}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func withCheck(first17 string) string { return first17 + string(idno.CheckChar(first17)) }
