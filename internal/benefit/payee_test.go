package benefit_test

import (
	"context"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
)

func TestChangePayee(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		mother := e.person(t, "刘芳", "female", "1995-02-01", nil, nil)
		father := e.person(t, "陈刚", "male", "1993-07-01", nil, nil)
		uncle := e.person(t, "陈强", "male", "1990-01-01", nil, nil)
		baby := e.person(t, "陈乐", "male", "2025-03-10", &mother.ID, &father.ID)
		if res, err := e.svc.Sweep(villageA(), benefit.SweepInput{Program: benefit.Childcare, Year: 2026}); err != nil || res.Added != 1 {
			t.Fatalf("sweep: %+v %v", res, err)
		}
		list, _, _ := e.svc.Queue(villageA(), benefit.QueueFilter{Program: benefit.Childcare, Page: 1, Size: 10})
		c := list[0]
		if c.PayeeID != mother.ID || c.PayeeName != "刘芳" || c.PersonID != baby.ID {
			t.Fatalf("the sweep pays the mother: %+v", c)
		}
		for _, acc := range []struct {
			id   int64
			name string
			no   string
		}{{mother.ID, "刘芳", "6217000011112222"}, {father.ID, "陈刚", "6228480012345678"}} {
			if err := e.svc.SetAccount(villageA(), benefit.AccountInput{PersonID: acc.id, Bank: "舒城农商银行", AccountName: acc.name,
				AccountNo: acc.no}); err != nil {
				t.Fatal(err)
			}
		}
		// Straight to payroll: the review is tested elsewhere.
		if err := d.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE benefit_candidates SET stage = ? WHERE id = ?`, benefit.StagePayroll, c.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		nov, err := e.svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.Childcare, Period: "2026-11"})
		if err != nil || nov.LineCount != 1 {
			t.Fatalf("November: %+v %v", nov, err)
		}

		to := func(payee int64, reason string, version int) benefit.PayeeInput {
			return benefit.PayeeInput{PayeeID: payee, Reason: reason, Version: version}
		}
		_, err = e.svc.ChangePayee(villageA(), c.ID, to(father.ID, " ", c.Version))
		wantCode(t, err, apperr.Invalid, "reason")
		_, err = e.svc.ChangePayee(villageA(), c.ID, to(0, "家庭要求", c.Version))
		wantCode(t, err, apperr.Invalid, "payee_id")
		_, err = e.svc.ChangePayee(villageB(), c.ID, to(father.ID, "家庭要求", c.Version))
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.ChangePayee(villageA(), c.ID, to(father.ID, "家庭要求", c.Version-1))
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.ChangePayee(villageA(), c.ID, to(uncle.ID, "家庭要求", c.Version))
		wantCode(t, err, apperr.Invalid, "payee_id")
		_, err = e.svc.ChangePayee(villageA(), c.ID, to(mother.ID, "家庭要求", c.Version))
		wantCode(t, err, apperr.Invalid, "payee_id")

		ans, err := e.svc.ChangePayee(villageA(), c.ID, to(father.ID, "父母协商由父亲领取", c.Version))
		if err != nil || ans.PayeeID != father.ID || ans.PayeeName != "陈刚" || ans.ApplicantID == nil || *ans.ApplicantID != father.ID ||
			ans.Version != c.Version+1 || ans.LinesKept != 1 || len(ans.Warnings) != 1 || !strings.Contains(ans.Warnings[0], "已生成的 1 笔") {
			t.Fatalf("changed to the father: %+v %v", ans, err)
		}
		var before, after string
		if err := d.Reader().QueryRow(ctx, `SELECT before_json, after_json FROM audit_log WHERE action = 'benefit.payee' AND entity_id = ?`,
			itoa(c.ID)).Scan(&before, &after); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(before, `"payee_id":`+itoa(mother.ID)) || !strings.Contains(after, `"payee_id":`+itoa(father.ID)) ||
			!strings.Contains(after, "陈刚") {
			t.Errorf("journal: %s → %s", before, after)
		}

		// November's line keeps the mother; December's pays the father.
		var payee int64
		var mask string
		if err := d.Reader().QueryRow(ctx, `SELECT payee_id, account_mask FROM benefit_payroll_lines WHERE cycle_id = ?`, nov.ID).
			Scan(&payee, &mask); err != nil || payee != mother.ID || mask != "6217********2222" {
			t.Errorf("November's line changed: %d %s %v", payee, mask, err)
		}
		dec, err := e.svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.Childcare, Period: "2026-12"})
		if err != nil || dec.LineCount != 1 {
			t.Fatalf("December: %+v %v", dec, err)
		}
		if err := d.Reader().QueryRow(ctx, `SELECT payee_id, account_mask FROM benefit_payroll_lines WHERE cycle_id = ?`, dec.ID).
			Scan(&payee, &mask); err != nil || payee != father.ID || mask != "6228********5678" {
			t.Errorf("December's line: %d %s %v", payee, mask, err)
		}

		// Back to the child, then a dead parent is refused.
		ans, err = e.svc.ChangePayee(villageA(), c.ID, to(baby.ID, "由本人账户领取", ans.Version))
		if err != nil || ans.PayeeID != baby.ID || ans.ApplicantID != nil || len(ans.Warnings) != 2 {
			t.Fatalf("paid to the child: %+v %v", ans, err)
		}
		if _, err := e.reg.RecordEvent(villageA(), registry.EventInput{PersonID: mother.ID, Kind: "death", Date: "2026-11-20"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ChangePayee(villageA(), c.ID, to(mother.ID, "家庭要求", ans.Version))
		wantCode(t, err, apperr.Invalid, "payee_id")

		// A parent's own program is paid to that parent only.
		e.attest(t, villageA(), father.ID, benefit.AttestPolicyCompliant, "yes")
		jf, err := e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 2026, PersonID: father.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ChangePayee(villageA(), jf.ID, to(baby.ID, "家庭要求", jf.Version))
		wantCode(t, err, apperr.Invalid, "payee_id")

		// A rejected candidate is paid nothing.
		jf, err = e.svc.Review(villageA(), jf.ID, benefit.ReviewInput{Action: "reject", Reason: "未满60周岁", Version: jf.Version})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.ChangePayee(villageA(), jf.ID, to(father.ID, "家庭要求", jf.Version))
		wantCode(t, err, apperr.Conflict, "")
	})
}
