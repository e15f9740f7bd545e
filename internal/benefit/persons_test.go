package benefit_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/testfix"
)

func journalCount(t *testing.T, d *db.DB, action, entityID string) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?`,
		action, entityID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPersonFactsAndAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mother := e.person(t, "王芳", "female", "1970-06-10", nil, nil)
		son := e.person(t, "王强", "male", "1995-01-01", &mother.ID, nil)

		pf, err := e.svc.PersonFacts(villageA(), mother.ID)
		if err != nil || len(pf.Facts) != 0 || len(pf.History) != 0 || pf.Name != "王芳" {
			t.Fatalf("no facts yet: %+v %v", pf, err)
		}
		e.attest(t, villageA(), mother.ID, benefit.AttestPolicyCompliant, "no")
		e.attest(t, villageA(), mother.ID, benefit.AttestPolicyCompliant, "yes") // corrected: the latest is in force
		e.attest(t, villageA(), mother.ID, benefit.AttestComplication, "2")
		if err := e.svc.Attest(villageA(), benefit.AttestInput{PersonID: mother.ID, Key: benefit.AttestOnlyChildCertFor,
			Value: "1", Evidence: "x"}); err == nil {
			t.Fatal("a certificate naming someone else's child")
		}
		e.attest(t, villageA(), mother.ID, benefit.AttestOnlyChildCertFor, itoa(son.ID))
		e.attest(t, villageA(), son.ID, benefit.AttestDisability, "3")

		pf, err = e.svc.PersonFacts(villageA(), mother.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, f := range pf.Facts {
			got = append(got, f.Key+"="+f.Value+"/"+f.ValueLabel)
		}
		want := []string{"policy_compliant=yes/是", "complication_level=2/二级", "only_child_cert_child=" + itoa(son.ID) + "/王强"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("facts in force: %v, want %v", got, want)
		}
		if len(pf.History) != 4 || pf.History[0].Key != benefit.AttestOnlyChildCertFor || pf.History[3].Value != "no" ||
			pf.History[3].Label != "1973至2001年间无政策外生育" || pf.History[2].ValueLabel != "是" {
			t.Errorf("history newest first: %+v", pf.History)
		}
		f := pf.Facts[0]
		if f.Evidence != "村委会核实表" || f.AttestedBy != "village-"+testfix.VillageA1 || f.AttestedAt == "" {
			t.Errorf("who attested, when and on what: %+v", f)
		}
		if sf, err := e.svc.PersonFacts(townA(), son.ID); err != nil || len(sf.Facts) != 1 || sf.Facts[0].ValueLabel != "三级" {
			t.Errorf("the son's disability seen by the township: %+v %v", sf, err)
		}
		if n := journalCount(t, d, "benefit.facts_view", itoa(mother.ID)); n != 2 {
			t.Errorf("%d journal entries for reading the facts, want 2", n)
		}
		_, err = e.svc.PersonFacts(villageB(), mother.ID)
		wantCode(t, err, apperr.NotFound, "person_id")

		// The account: none, then the latest of two, masked.
		_, err = e.svc.PersonAccount(villageA(), mother.ID)
		wantCode(t, err, apperr.NotFound, "")
		for _, no := range []string{"6217 0000 1111 2222", "6228-4800-1234-5678"} {
			if err := e.svc.SetAccount(villageA(), benefit.AccountInput{PersonID: mother.ID, Bank: "舒城农商银行", AccountName: "王芳",
				AccountNo: no}); err != nil {
				t.Fatal(err)
			}
		}
		acc, err := e.svc.PersonAccount(villageA(), mother.ID)
		if err != nil || acc.AccountNo != "6228********5678" || acc.Bank != "舒城农商银行" || acc.AccountName != "王芳" ||
			acc.SetBy != "village-"+testfix.VillageA1 || acc.SetAt == "" {
			t.Fatalf("account: %+v %v", acc, err)
		}
		_, err = e.svc.PersonAccount(villageB(), mother.ID)
		wantCode(t, err, apperr.NotFound, "person_id")
	})
}

func TestQueueByName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		for _, name := range []string{"张建国", "李建华", "王_明"} {
			p := e.person(t, name, "male", "1960-03-01", nil, nil)
			if _, err := e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 2026, PersonID: p.ID}); err != nil {
				t.Fatal(err)
			}
		}
		names := func(ctx context.Context, q string) []string {
			t.Helper()
			list, total, err := e.svc.Queue(ctx, benefit.QueueFilter{Query: q, Page: 1, Size: 20})
			if err != nil {
				t.Fatalf("q=%q: %v", q, err)
			}
			out := []string{}
			for _, c := range list {
				out = append(out, c.Name)
			}
			if total != len(out) {
				t.Errorf("q=%q: total %d for %d rows", q, total, len(out))
			}
			return out
		}
		cases := []struct{ q, want string }{
			{"建", "张建国,李建华"}, {" 建国 ", "张建国"}, {"李建华", "李建华"}, {"_", "王_明"}, {"%", ""}, {"赵", ""}, {"", "张建国,李建华,王_明"},
		}
		for _, c := range cases {
			if got := strings.Join(names(villageA(), c.q), ","); got != c.want {
				t.Errorf("q=%q: %s, want %s", c.q, got, c.want)
			}
		}
		if got := names(villageB(), "建"); len(got) != 0 {
			t.Errorf("another village finds A's candidates by name: %v", got)
		}
		_, _, err := e.svc.Queue(villageA(), benefit.QueueFilter{Query: strings.Repeat("张", 21), Page: 1, Size: 20})
		wantCode(t, err, apperr.Invalid, "q")
		if _, _, err := e.svc.Queue(villageA(), benefit.QueueFilter{Query: strings.Repeat("张", 20), Page: 1, Size: 20}); err != nil {
			t.Errorf("20 characters: %v", err)
		}
	})
}

func TestParamHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		for _, v := range []struct{ from, value string }{{"2026-01-01", "24000"}, {"2027-07-01", "36000"}} {
			if _, err := e.svc.SetParam(countyCtx(), benefit.Param{Program: benefit.JiangFu, Key: "topup_annual", Scope: testfix.County,
				From: v.from, Value: v.value, Basis: "县文件（测试）"}); err != nil {
				t.Fatal(err)
			}
		}
		// Another county's layer is not this county's history.
		if _, err := e.svc.SetParam(testfix.CLI(), benefit.Param{Program: benefit.JiangFu, Key: "topup_annual", Scope: "341522",
			From: "2026-01-01", Value: "99900", Basis: "外县文件"}); err != nil {
			t.Fatal(err)
		}
		hist, err := e.svc.ParamHistory(context.Background(), d.Reader(), benefit.JiangFu, testfix.County, "2026-11-22")
		if err != nil {
			t.Fatal(err)
		}
		var amounts, topups []string
		for _, v := range hist {
			line := v.From + ">" + v.To + "=" + v.Value + "@" + v.Level
			if v.InForce {
				line += "*"
			}
			switch v.Key {
			case "annual_amount":
				amounts = append(amounts, line)
				if !v.Builtin || v.SetBy != "" || v.Basis == "" {
					t.Errorf("built-in version: %+v", v)
				}
			case "topup_annual":
				topups = append(topups, line)
				if v.Builtin || v.SetBy != "county-"+testfix.County || v.SetAt == "" || v.Basis != "县文件（测试）" {
					t.Errorf("county version: %+v", v)
				}
			}
		}
		if want := "2012-01-01>=96000@national*,2009-01-01>2011-12-31=72000@national,2004-01-01>2008-12-31=60000@national"; strings.Join(amounts, ",") != want {
			t.Errorf("annual amounts:\n%s\nwant\n%s", strings.Join(amounts, ","), want)
		}
		if want := "2027-07-01>=36000@county,2026-01-01>2027-06-30=24000@county*"; strings.Join(topups, ",") != want {
			t.Errorf("top-ups:\n%s\nwant\n%s", strings.Join(topups, ","), want)
		}
		if hist[0].Key != "min_birth" {
			t.Errorf("keys not in the program's order: %+v", hist[0])
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
