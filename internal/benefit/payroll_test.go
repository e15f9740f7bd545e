package benefit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func townA() context.Context { return testfix.Ctx(auth.RoleTownship, testfix.TownA) }

// approveToPayroll takes a candidate at the village check through every
// stage, postings included, to payroll.
func approveToPayroll(t *testing.T, e env, id int64) {
	t.Helper()
	step := func(ctx context.Context) {
		t.Helper()
		c, err := e.svc.Candidate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Review(ctx, id, benefit.ReviewInput{Action: "approve", Version: c.Version}); err != nil {
			t.Fatalf("approve at %s: %v", c.Stage, err)
		}
	}
	post := func(ctx context.Context, level, division string) {
		t.Helper()
		p, err := e.svc.OpenPosting(ctx, benefit.PostingInput{Program: benefit.JiangFu, Year: 2026, Level: level, Division: division})
		if err != nil {
			t.Fatalf("%s posting: %v", level, err)
		}
		*e.now = e.now.AddDate(0, 0, 7)
		if _, err := e.svc.ClosePosting(ctx, p.ID); err != nil {
			t.Fatalf("close %s posting: %v", level, err)
		}
	}
	step(villageA())
	post(villageA(), "village", testfix.VillageA1)
	step(townA())
	step(countyCtx())
	post(countyCtx(), "county", testfix.County)
	if c, _ := e.svc.Candidate(countyCtx(), id); c.Stage != benefit.StagePayroll {
		t.Fatalf("candidate at %s, want payroll", c.Stage)
	}
}

func TestPayroll(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		father := e.person(t, "张建国", "male", "1960-03-01", nil, nil)
		e.person(t, "张丽", "female", "1990-05-01", nil, &father.ID)
		e.attest(t, villageA(), father.ID, benefit.AttestPolicyCompliant, "yes")
		c, err := e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 2026, PersonID: father.ID})
		if err != nil {
			t.Fatal(err)
		}
		approveToPayroll(t, e, c.ID)

		cyc, err := e.svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.JiangFu, Period: "2026-Q4"})
		if err != nil || cyc.LineCount != 0 || len(cyc.Flags) != 1 || cyc.Flags[0].Reason != "缺少发放账户" {
			t.Fatalf("without an account: %+v %v", cyc, err)
		}
		err = e.svc.SetAccount(villageA(), benefit.AccountInput{PersonID: father.ID, Bank: "舒城农商银行", AccountName: "张建国", AccountNo: "62170000123"})
		if err != nil {
			t.Fatal(err)
		}
		err = e.svc.SetAccount(villageB(), benefit.AccountInput{PersonID: father.ID, Bank: "x", AccountName: "x", AccountNo: "62170000123"})
		wantCode(t, err, apperr.NotFound, "person_id")
		err = e.svc.SetAccount(villageA(), benefit.AccountInput{PersonID: father.ID, Bank: "x", AccountName: "x", AccountNo: "6217-abc"})
		wantCode(t, err, apperr.Invalid, "account_no")

		again, err := e.svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.JiangFu, Period: "2026-Q4"})
		if err != nil || again.ID != cyc.ID || again.Created {
			t.Fatalf("a second generation made a new cycle: %+v %v", again, err)
		}
		nov, err := e.svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.JiangFu, Period: "2026-11"})
		if err != nil || nov.LineCount != 1 || nov.TotalFen != 8000 {
			t.Fatalf("November: %+v %v", nov, err)
		}
		var mask string
		if err := d.Reader().QueryRow(context.Background(), `SELECT account_mask FROM benefit_payroll_lines WHERE cycle_id = ?`, nov.ID).Scan(&mask); err != nil || mask != "6217***0123" {
			t.Errorf("line account %q %v", mask, err)
		}

		// A death on 25 November stops payment from December.
		if _, err := e.reg.RecordEvent(villageA(), registry.EventInput{PersonID: father.ID, Kind: "death", Date: "2026-11-25"}); err != nil {
			t.Fatal(err)
		}
		dec, err := e.svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.JiangFu, Period: "2026-12"})
		if err != nil || dec.LineCount != 0 || len(dec.Flags) != 1 || dec.Flags[0].Reason != "已于 2026-11-25 死亡，停发" {
			t.Fatalf("December, after the death: %+v %v", dec, err)
		}
		checkNotices(t, e, nov.ID, dec.ID)
		if cs, err := e.svc.Cycles(villageA(), benefit.JiangFu); err != nil || len(cs) != 3 || cs[0].ID != dec.ID {
			t.Errorf("cycles seen from the village: %+v %v", cs, err)
		}
		// November's line fails at the bank; the next cycle carries it.
		bankRoundTrip(t, e, d, nov.ID)
		jan, err := e.svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.JiangFu, Period: "2027-01"})
		if err != nil || jan.LineCount != 1 || jan.TotalFen != 8000 {
			t.Fatalf("January 2027 carries November's failed line: %+v %v", jan, err)
		}
		var status string
		if err := d.Reader().QueryRow(context.Background(), `SELECT status FROM benefit_payroll_lines WHERE cycle_id = ?`, nov.ID).Scan(&status); err != nil || status != "carried" {
			t.Errorf("November's line is %q after being carried", status)
		}
		_, err = e.svc.GeneratePayroll(villageA(), benefit.CycleInput{Program: benefit.JiangFu, Period: "2026-10"})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.JiangFu, Period: "2026-13"})
		wantCode(t, err, apperr.Invalid, "period")
	})
}

func TestParsePeriod(t *testing.T) {
	cases := []struct{ in, from, to string }{
		{"2026", "2026-01-01", "2026-12-31"}, {"2026-Q1", "2026-01-01", "2026-03-31"}, {"2026-Q4", "2026-10-01", "2026-12-31"},
		{"2028-02", "2028-02-01", "2028-02-29"}, {"2026-Q5", "", ""}, {"2026-00", "", ""}, {"26", "", ""}, {"2026-1", "", ""},
	}
	for _, c := range cases {
		p, err := benefit.ParsePeriod(c.in)
		if (err == nil) != (c.from != "") || p.From != c.from || p.To != c.to {
			t.Errorf("ParsePeriod(%q) = %+v %v", c.in, p, err)
		}
	}
}

// checkNotices issues the approval, payment and stop notices of the
// payroll test and checks them on the public verification page.
func checkNotices(t *testing.T, e env, paid, stopped int64) {
	t.Helper()
	req := benefit.NoticeRequest{Kind: benefit.NoticeApproval, Program: benefit.JiangFu, Year: 2026}
	first, err := e.svc.IssueNotices(villageA(), req)
	if err != nil || len(first) != 1 || first[0].Body.Title != "农村部分计划生育家庭奖励扶助审批通知" || first[0].Body.AmountFen != 96000 {
		t.Fatalf("approval notices: %+v %v", first, err)
	}
	again, _ := e.svc.IssueNotices(villageA(), req)
	if len(again) != 1 || again[0].VerifyCode != first[0].VerifyCode {
		t.Errorf("issuing again made a new notice: %+v", again)
	}
	pay, err := e.svc.IssueNotices(villageA(), benefit.NoticeRequest{Kind: benefit.NoticePayment, Program: benefit.JiangFu, Year: 2026, CycleID: paid})
	if err != nil || len(pay) != 1 || pay[0].Body.Title != "领取农村部分计划生育家庭奖励扶助的通知" || pay[0].Body.AmountFen != 8000 ||
		pay[0].Body.Account != "6217***0123" {
		t.Fatalf("payment notices: %+v %v", pay, err)
	}
	stop, err := e.svc.IssueNotices(villageA(), benefit.NoticeRequest{Kind: benefit.NoticeStop, Program: benefit.JiangFu, CycleID: stopped})
	if err != nil || len(stop) != 1 || stop[0].Body.Reasons[0] != "已于 2026-11-25 死亡，停发" {
		t.Fatalf("stop notices: %+v %v", stop, err)
	}
	if other, _ := e.svc.IssueNotices(villageB(), req); len(other) != 0 {
		t.Errorf("village B sees A's notices: %+v", other)
	}
	_, err = e.svc.IssueNotices(villageA(), benefit.NoticeRequest{Kind: benefit.NoticePayment, Program: benefit.JiangFu})
	wantCode(t, err, apperr.Invalid, "cycle_id")
	v, err := e.svc.VerifyNotice(context.Background(), strings.ToLower(pay[0].VerifyCode))
	if err != nil || v.Name != "张*国" || v.Amount != 8000 {
		t.Errorf("verification: %+v %v", v, err)
	}
	_, err = e.svc.VerifyNotice(context.Background(), "AAAAAAAAAAAA")
	wantCode(t, err, apperr.NotFound, "")
}

// bankRoundTrip writes a cycle's bank file and imports the bank's answer:
// the one line failed, plus a line the county never sent.
func bankRoundTrip(t *testing.T, e env, d *db.DB, cycle int64) {
	t.Helper()
	var file bytes.Buffer
	sum, name, err := e.svc.WriteBankFile(countyCtx(), &file, cycle, benefit.BankFileInput{Layout: "generic-csv", PayerName: "舒城县卫生健康委员会"})
	if err != nil || sum.Count != 1 || sum.TotalFen != 8000 || !strings.HasSuffix(name, ".csv") {
		t.Fatalf("bank file: %+v %q %v", sum, name, err)
	}
	if !strings.Contains(file.String(), "62170000123") || !strings.Contains(file.String(), "80.00") {
		t.Errorf("bank file content: %q", file.String())
	}
	_, _, err = e.svc.WriteBankFile(villageA(), &bytes.Buffer{}, cycle, benefit.BankFileInput{Layout: "generic-csv"})
	wantCode(t, err, apperr.NotFound, "")
	_, _, err = e.svc.WriteBankFile(countyCtx(), &bytes.Buffer{}, cycle, benefit.BankFileInput{Layout: "swift"})
	wantCode(t, err, apperr.Invalid, "layout")
	answer := "\ufeff序号,账号,金额（元）,处理结果,失败原因\r\n1,62170000123,80.00,失败,账户已销户\r\n9,62170000999,10.00,成功,\r\n"
	for round := 0; round < 2; round++ { // importing the same file twice changes nothing more
		rep, err := e.svc.Reconcile(countyCtx(), cycle, "generic-csv", strings.NewReader(answer), int64(len(answer)))
		if err != nil || rep.Failed != 1 || rep.Paid != 0 || rep.Unmatched != 1 || rep.Reconciled {
			t.Fatalf("reconcile round %d: %+v %v", round, rep, err)
		}
	}
	var exceptions int
	if err := d.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM benefit_bank_exceptions WHERE cycle_id = ?`, cycle).Scan(&exceptions); err != nil || exceptions != 1 {
		t.Errorf("exception list after two imports: %d %v", exceptions, err)
	}
	bad := "\ufeff序号,账号,金额（元）,处理结果,失败原因\r\nx,62170000123,80.00,成功,\r\n"
	_, err = e.svc.Reconcile(countyCtx(), cycle, "generic-csv", strings.NewReader(bad), int64(len(bad)))
	wantCode(t, err, apperr.Invalid, "")
}

func TestSaveBankLayout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		all, err := e.svc.BankLayouts(context.Background())
		if err != nil || len(all) != 3 {
			t.Fatalf("built-in layouts: %d %v", len(all), err)
		}
		layout, _ := json.Marshal(all[0].Layout)
		ret, _ := json.Marshal(all[0].Return)
		in := benefit.LayoutInput{Key: "shucheng-rcb", Layout: layout, Return: ret}
		_, err = e.svc.SaveBankLayout(villageA(), in)
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.SaveBankLayout(countyCtx(), benefit.LayoutInput{Key: "generic-csv", Layout: layout, Return: ret})
		wantCode(t, err, apperr.Invalid, "key")
		_, err = e.svc.SaveBankLayout(countyCtx(), benefit.LayoutInput{Key: "shucheng-rcb", Layout: json.RawMessage(`{"format":"pdf"}`), Return: ret})
		wantCode(t, err, apperr.Invalid, "")
		if _, err := e.svc.SaveBankLayout(countyCtx(), in); err != nil {
			t.Fatal(err)
		}
		all, _ = e.svc.BankLayouts(context.Background())
		if len(all) != 4 || all[0].Key != "shucheng-rcb" {
			t.Errorf("layouts after saving: %d %q", len(all), all[0].Key)
		}
	})
}
