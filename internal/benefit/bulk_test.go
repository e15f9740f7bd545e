package benefit_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/demo"
	"jisheng/internal/division"
	"jisheng/internal/testfix"
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
	persons := 100_000
	if v, err := strconv.Atoi(os.Getenv("JISHENG_BENCH_PERSONS")); err == nil && v > 0 {
		persons = v
	}
	ctx := context.Background()
	d := dbtest.SQLite(b)
	if os.Getenv("JISHENG_BENCH_ENGINE") == "postgres" {
		d = dbtest.Postgres(b)
	}
	if division.Known() {
		if err := d.Tx(ctx, func(tx *db.Tx) error {
			_, err := division.LoadCounty(ctx, tx, testfix.County, "")
			return err
		}); err != nil {
			b.Fatal(err)
		}
	} else {
		testfix.Divisions(b, d)
	}
	k, j := testfix.Keys(b)
	start := time.Now()
	if _, err := demo.Generate(ctx, d, k, demo.Options{County: testfix.County, Persons: persons, Seed: 1, Today: "2026-06-30"}); err != nil {
		b.Fatal(err)
	}
	if err := d.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d persons in %.1f s", persons, time.Since(start).Seconds())
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
