package benefit_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/testfix"
	"jisheng/internal/testfix/demofix"
)

// The bulk evaluation reaches the same decisions as the person-by-person one.
func TestEvaluateAllAgreesWithEvaluate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		father := e.person(t, "张建国", "male", "1960-03-01", nil, nil)
		mother := e.person(t, "李秀兰", "female", "1962-02-01", nil, nil)
		e.person(t, "张丽", "female", "1990-05-01", &mother.ID, &father.ID)
		e.person(t, "张敏", "female", "1993-08-01", &mother.ID, &father.ID)
		baby := e.person(t, "刘乐", "male", "2025-03-10", &mother.ID, nil)
		e.attest(t, villageA(), father.ID, benefit.AttestPolicyCompliant, "yes")
		res, err := e.svc.EvaluateAll(countyCtx(), "2026-06-30")
		if err != nil {
			t.Fatal(err)
		}
		if res.Persons != 5 || res.Programs[benefit.JiangFu].Eligible != 1 || res.Programs[benefit.JiangFu].ToAttest != 0 || res.Programs[benefit.JiangFu].Examined != 2 ||
			res.Programs[benefit.Childcare].Eligible != 1 || res.Stored == 0 {
			t.Fatalf("bulk result %+v", res)
		}
		for _, c := range []struct {
			program string
			person  int64
		}{{benefit.JiangFu, father.ID}, {benefit.Childcare, baby.ID}} {
			one, err := e.svc.Evaluate(villageA(), benefit.EvaluateInput{Program: c.program, PersonID: c.person, Date: "2026-06-30"})
			if err != nil {
				t.Fatal(err)
			}
			var annual int64
			var version string
			if err := d.Reader().QueryRow(context.Background(), `SELECT annual_fen, param_version FROM benefit_decisions
				WHERE program = ? AND person_id = ? AND id < ? ORDER BY id LIMIT 1`, c.program, c.person, one.ID).Scan(&annual, &version); err != nil {
				t.Fatalf("%s bulk decision: %v", c.program, err)
			}
			if annual != one.AnnualFen || version != one.ParamVersion() {
				t.Errorf("%s: bulk %d %q, single %d %q", c.program, annual, version, one.AnnualFen, one.ParamVersion())
			}
		}
		_, err = e.svc.EvaluateAll(villageA(), "2026-06-30")
		wantCode(t, err, apperr.Forbidden, "")
	})
}

// BenchmarkEvaluateAll judges every program over a generated county and
// stores the decisions. The target is a million persons in under
// 5 s on SQLite:
//
//	JISHENG_BENCH_PERSONS=1000000 go test -run '^$' -bench EvaluateAll -benchtime 1x ./internal/benefit
func BenchmarkEvaluateAll(b *testing.B) {
	d, k, j := demofix.County(b, demofix.Persons(100_000), "2026-06-30")
	svc := benefit.NewService(d, j, k, nil)
	var res benefit.BulkResult
	for b.Loop() {
		var err error
		if res, err = svc.EvaluateAll(countyCtx(), "2026-06-30"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Stored), "decisions")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
	b.Logf("%+v", res)
}

// BenchmarkPayroll generates a quarter's payroll of JISHENG_BENCH_LINES
// (default 50,000) 奖扶 recipients and writes its bank file (fixed-width
// GBK). The target is under 2 s for 50,000 lines:
//
//	go test -run '^$' -bench Payroll -benchtime 1x ./internal/benefit
func BenchmarkPayroll(b *testing.B) {
	lines := 50_000
	if v, err := strconv.Atoi(os.Getenv("JISHENG_BENCH_LINES")); err == nil && v > 0 {
		lines = v
	}
	ctx := context.Background()
	d := dbtest.SQLite(b)
	testfix.Divisions(b, d)
	k, j := testfix.Keys(b)
	if err := seedRecipients(ctx, d, k, lines); err != nil {
		b.Fatal(err)
	}
	svc := benefit.NewService(d, j, k, func() time.Time { return time.Date(2026, 12, 20, 2, 0, 0, 0, time.UTC) })
	period := 0
	var cyc benefit.Cycle
	for b.Loop() {
		period++ // each run a new cycle: generation is idempotent per period
		var err error
		cyc, err = svc.GeneratePayroll(countyCtx(), benefit.CycleInput{Program: benefit.JiangFu, Period: fmt.Sprintf("2026-%02d", period)})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := svc.WriteBankFile(countyCtx(), io.Discard, cyc.ID, benefit.BankFileInput{Layout: "rcc-fixed-gbk"}); err != nil {
			b.Fatal(err)
		}
	}
	if cyc.LineCount != lines {
		b.Fatalf("lines %d, want %d (flags %d)", cyc.LineCount, lines, len(cyc.Flags))
	}
	b.ReportMetric(float64(cyc.LineCount), "lines")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/payroll")
}

// seedRecipients writes n 奖扶 recipients approved for payment, each with
// a daughter, the village's attestation and an account, straight into the
// tables (the benchmark measures the payroll, not the review).
func seedRecipients(ctx context.Context, d *db.DB, k *fieldcrypt.Keyring, n int) error {
	acc, err := k.Encrypt("bank_account", "6217000012345678")
	if err != nil {
		return err
	}
	idEnc, err := k.Encrypt("id_number", "341523196001010011")
	if err != nil {
		return err
	}
	path := testfix.Path(testfix.VillageA1)
	now := db.Now()
	return d.Tx(ctx, func(tx *db.Tx) error {
		for i := 0; i < n; i++ {
			parent, child := int64(2*i+1), int64(2*i+2)
			if _, err := tx.Exec(ctx, `INSERT INTO persons (id, name, sex, birth_date, id_enc, hukou_type, reg_division, reg_path,
				res_division, res_path, created_at, created_by, updated_at, updated_by) VALUES
				(?, '受益人', 'male', '1955-01-01', ?, 'agricultural', ?, ?, ?, ?, ?, 'bench', ?, 'bench'),
				(?, '女儿', 'female', '1985-01-01', NULL, 'agricultural', ?, ?, ?, ?, ?, 'bench', ?, 'bench')`,
				parent, idEnc, testfix.VillageA1, path, testfix.VillageA1, path, now, now,
				child, testfix.VillageA1, path, testfix.VillageA1, path, now, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE persons SET father_id = ? WHERE id = ?`, parent, child); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO benefit_facts (person_id, key, value, evidence, attested_by, attested_at)
				VALUES (?, 'policy_compliant', 'yes', 'bench', 'bench', ?)`, parent, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO benefit_accounts (person_id, bank, account_name, account_enc, account_mask, set_by, set_at)
				VALUES (?, '舒城农商银行', '受益人', ?, '6217********5678', 'bench', ?)`, parent, acc, now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO benefit_candidates (program, year, person_id, source, division_path, stage,
				annual_fen, created_at, created_by, updated_at) VALUES ('jiangfu', 2026, ?, 'sweep', ?, 'payroll', 96000, ?, 'bench', ?)`,
				parent, path, now, now); err != nil {
				return err
			}
		}
		return nil
	})
}
