package benefit_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var today = time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)

func villageA() context.Context  { return testfix.Ctx(auth.RoleVillage, testfix.VillageA1) }
func villageB() context.Context  { return testfix.Ctx(auth.RoleVillage, testfix.VillageB1) }
func countyCtx() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County) }

type env struct {
	reg *registry.Service
	svc *benefit.Service
	now *time.Time
}

func setup(t *testing.T, d *db.DB) env {
	t.Helper()
	testfix.Divisions(t, d)
	k, j := testfix.Keys(t)
	now := today
	clock := func() time.Time { return now }
	return env{reg: registry.NewService(d, j, k, clock), svc: benefit.NewService(d, j, k, clock), now: &now}
}

func (e env) person(t *testing.T, name, sex, birth string, mother, father *int64) registry.Person {
	t.Helper()
	p, err := e.reg.Create(villageA(), registry.PersonInput{Fields: registry.Fields{Name: name, Sex: sex, BirthDate: birth,
		HukouType: "agricultural", RegisteredDivision: testfix.VillageA1, MotherID: mother, FatherID: father}})
	if err != nil {
		t.Fatalf("person %s: %v", name, err)
	}
	return p
}

func (e env) attest(t *testing.T, ctx context.Context, id int64, key, value string) {
	t.Helper()
	if err := e.svc.Attest(ctx, benefit.AttestInput{PersonID: id, Key: key, Value: value, Evidence: "村委会核实表"}); err != nil {
		t.Fatalf("attest %s=%s: %v", key, value, err)
	}
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code || (field != "" && ae.Field != field) {
		t.Fatalf("error %v, want %s on %q", err, code, field)
	}
}

func TestEvaluateFromTheRegistry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		father := e.person(t, "张建国", "male", "1966-11-22", nil, nil)
		mother := e.person(t, "李秀兰", "female", "1967-02-01", nil, nil)
		e.person(t, "张丽", "female", "1990-05-01", &mother.ID, &father.ID)
		e.person(t, "张敏", "female", "1993-08-01", &mother.ID, &father.ID)

		dec, err := e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: benefit.JiangFu, PersonID: father.ID, Date: "2026-11-22"})
		if err != nil {
			t.Fatal(err)
		}
		if dec.Eligible || len(dec.Failed()) != 1 || dec.Failed()[0] != "1973至2001年间无政策外生育（经村级核实）" {
			t.Fatalf("before the village check: %+v", dec.Failed())
		}
		e.attest(t, villageA(), father.ID, benefit.AttestPolicyCompliant, "yes")
		dec, err = e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: benefit.JiangFu, PersonID: father.ID, Date: "2026-11-22"})
		if err != nil || !dec.Eligible || dec.AnnualFen != 96000 || dec.ID == 0 {
			t.Fatalf("two daughters, 60 today: %+v %v", dec, err)
		}
		if dec.ParamVersion() == "" {
			t.Error("no parameter version")
		}
		// The day before his birthday the same facts are refused.
		dec, _ = e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: benefit.JiangFu, PersonID: father.ID, Date: "2026-11-21"})
		if dec.Eligible {
			t.Error("eligible the day before turning 60")
		}

		// The county adds a top-up; the decision says which versions it read.
		if _, err := e.svc.SetParam(countyCtx(), benefit.Param{Program: benefit.JiangFu, Key: "topup_annual", Scope: testfix.County,
			From: "2026-01-01", Value: "24000", Basis: "舒城县卫健委文件（测试）"}); err != nil {
			t.Fatal(err)
		}
		dec, _ = e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: benefit.JiangFu, PersonID: father.ID, Date: "2026-11-22"})
		if dec.AnnualFen != 120000 {
			t.Errorf("with the county top-up: %d", dec.AnnualFen)
		}
		var stored struct {
			reasons, params, version string
			n                        int
		}
		if err := d.Reader().QueryRow(context.Background(), `SELECT reasons, params, param_version FROM benefit_decisions WHERE id = ?`,
			dec.ID).Scan(&stored.reasons, &stored.params, &stored.version); err != nil {
			t.Fatal(err)
		}
		var reasons []benefit.Reason
		if err := json.Unmarshal([]byte(stored.reasons), &reasons); err != nil || len(reasons) != len(dec.Reasons) {
			t.Errorf("stored reasons %s: %v", stored.reasons, err)
		}
		if stored.version != dec.ParamVersion() || stored.version == "" {
			t.Errorf("stored version %q", stored.version)
		}
		// A version a decision used cannot be changed in place.
		_, err = e.svc.SetParam(countyCtx(), benefit.Param{Program: benefit.JiangFu, Key: "topup_annual", Scope: testfix.County,
			From: "2026-01-01", Value: "30000", Basis: "改"})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.SetParam(villageA(), benefit.Param{Program: benefit.JiangFu, Key: "topup_annual", Scope: testfix.County,
			From: "2027-01-01", Value: "30000", Basis: "村不能设"})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.SetParam(countyCtx(), benefit.Param{Program: benefit.JiangFu, Key: "topup_annual", Scope: "34",
			From: "2027-01-01", Value: "30000", Basis: "县不能设省级"})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.SetParam(countyCtx(), benefit.Param{Program: benefit.JiangFu, Key: "colour", Scope: testfix.County,
			From: "2027-01-01", Value: "1", Basis: "x"})
		wantCode(t, err, apperr.Invalid, "key")
		_, err = e.svc.SetParam(countyCtx(), benefit.Param{Program: benefit.JiangFu, Key: "topup_annual", Scope: testfix.County,
			From: "2027-01-01", Value: "-5", Basis: "x"})
		wantCode(t, err, apperr.Invalid, "value")

		_, err = e.svc.Evaluate(villageB(), benefit.EvaluateInput{Program: benefit.JiangFu, PersonID: father.ID})
		wantCode(t, err, apperr.NotFound, "person_id")
		_, err = e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: "pension", PersonID: father.ID})
		wantCode(t, err, apperr.Invalid, "program")
		err = e.svc.Attest(villageB(), benefit.AttestInput{PersonID: father.ID, Key: benefit.AttestPolicyCompliant, Value: "yes", Evidence: "x"})
		wantCode(t, err, apperr.NotFound, "person_id")
		err = e.svc.Attest(villageA(), benefit.AttestInput{PersonID: father.ID, Key: benefit.AttestPolicyCompliant, Value: "maybe", Evidence: "x"})
		wantCode(t, err, apperr.Invalid, "value")
	})
}

func TestTeFuAndChildcareFromTheRegistry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mother := e.person(t, "王芳", "female", "1977-06-10", nil, nil)
		son := e.person(t, "王强", "male", "2000-01-01", &mother.ID, nil)
		dec, _ := e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: benefit.TeFu, PersonID: mother.ID})
		if dec.Eligible {
			t.Fatal("特扶 with a healthy only child")
		}
		// A level-2 disability certificate for the son.
		e.attest(t, villageA(), son.ID, benefit.AttestDisability, "2")
		dec, err := e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: benefit.TeFu, PersonID: mother.ID})
		if err != nil || !dec.Eligible || dec.MonthlyFen != 46000 || dec.Subtype != "disability" {
			t.Fatalf("特扶 for a disabled only child: %+v %v", dec, err)
		}

		baby := e.person(t, "刘乐", "male", "2025-03-10", &mother.ID, nil)
		dec, err = e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: benefit.Childcare, PersonID: baby.ID, Date: "2025-06-01"})
		if err != nil || !dec.Eligible || dec.AnnualFen != 300000 {
			t.Fatalf("育儿补贴 for a child born in March 2025: %+v %v", dec, err)
		}
		res, err := e.svc.Sweep(villageA(), benefit.SweepInput{Program: benefit.Childcare, Year: 2025, Date: "2025-06-01"})
		if err != nil || res.Added != 1 {
			t.Fatalf("childcare sweep: %+v %v", res, err)
		}
		list, _, _ := e.svc.Queue(villageA(), benefit.QueueFilter{Program: benefit.Childcare, Page: 1, Size: 10})
		if len(list) != 1 || list[0].ApplicantID == nil || *list[0].ApplicantID != mother.ID {
			t.Errorf("the swept child's applicant is not the mother: %+v", list)
		}
		// With a second child the mother's 特扶 stops.
		dec, _ = e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: benefit.TeFu, PersonID: mother.ID})
		if dec.Eligible {
			t.Error("特扶 after a new child")
		}
	})
}
