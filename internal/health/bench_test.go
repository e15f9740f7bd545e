package health_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/health"
	"jisheng/internal/testfix"
)

// BenchmarkWorkList measures the work list of a township with 20,000 women
// aged 15–49 and 50,000 scheduled visits, all still open (the heaviest
// case: every one of them is counted into a bucket), spread over 20
// villages and over due dates from 60 days ago to 180 days ahead. The
// issue's target is under 50 ms per request on SQLite:
//
//	go test -run '^$' -bench WorkList ./internal/health
//
// JISHENG_BENCH_ENGINE=postgres runs it on the throwaway PostgreSQL server.
func BenchmarkWorkList(b *testing.B) {
	_, svc := benchTownship(b, 20_000, 50_000)
	cases := []struct {
		name   string
		ctx    context.Context
		bucket string
	}{
		{"township/due", testfix.Ctx(auth.RoleTownship, testfix.TownA), health.BucketDue},
		{"township/overdue", testfix.Ctx(auth.RoleTownship, testfix.TownA), health.BucketOverdue},
		{"township/all", testfix.Ctx(auth.RoleTownship, testfix.TownA), health.BucketAll},
		{"village/due", testfix.Ctx(auth.RoleVillage, benchVillage(7)), health.BucketDue},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var last health.WorkList
			for b.Loop() {
				wl, err := svc.WorkList(c.ctx, health.WorkFilter{Bucket: c.bucket, Page: 1, Size: 20})
				if err != nil {
					b.Fatal(err)
				}
				last = wl
			}
			if len(last.Items) == 0 {
				b.Fatalf("empty work list: %+v", last.Counts)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/list")
			b.ReportMetric(float64(last.Counts[health.BucketDue]), "due")
		})
	}
}

// benchVillage is the code of the i-th synthetic village of the bench
// township (the fixture's 城关镇; codes 341523100301…).
func benchVillage(i int) string { return fmt.Sprintf("341523100%03d", 301+i) }

func benchTownship(b *testing.B, women, visits int) (*db.DB, *health.Service) {
	b.Helper()
	var d *db.DB
	if os.Getenv("JISHENG_BENCH_ENGINE") == "postgres" {
		d = dbtest.Postgres(b)
	} else {
		d = dbtest.SQLite(b)
	}
	testfix.Divisions(b, d)
	ctx := context.Background()
	start := time.Now()
	today, _ := time.Parse(time.DateOnly, "2026-03-02")
	err := d.Tx(ctx, func(tx *db.Tx) error {
		if err := benchVillages(ctx, tx, 20); err != nil {
			return err
		}
		if err := benchWomen(ctx, tx, women, today); err != nil {
			return err
		}
		return benchVisits(ctx, tx, women, visits, today)
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d women and %d visits in %.1f s", women, visits, time.Since(start).Seconds())
	return d, setupBench(b, d, today)
}

func setupBench(b *testing.B, d *db.DB, today time.Time) *health.Service {
	b.Helper()
	k, j := testfix.Keys(b)
	return health.NewService(d, j, k, func() time.Time { return today.Add(2 * time.Hour) })
}

func benchVillages(ctx context.Context, tx *db.Tx, n int) error {
	for i := 0; i < n; i++ {
		code := benchVillage(i)
		if _, err := tx.Exec(ctx, `INSERT INTO divisions (code, name, level, parent_code, path, source, valid_from, created_at)
			VALUES (?, ?, 5, ?, ?, 'nbs2023', '2023-06-30', ?)`, code, fmt.Sprintf("测试村%d", i), testfix.TownA,
			testfix.Path(testfix.TownA)+code+"/", db.Now()); err != nil {
			return err
		}
	}
	return nil
}

// benchWomen inserts women aged 15–49 round-robin over the villages.
func benchWomen(ctx context.Context, tx *db.Tx, n int, today time.Time) error {
	const chunk = 500
	now := db.Now()
	for first := 0; first < n; first += chunk {
		rows := min(chunk, n-first)
		args := make([]any, 0, rows*12)
		for i := first; i < first+rows; i++ {
			code := benchVillage(i % 20)
			path := testfix.Path(testfix.TownA) + code + "/"
			birth := today.AddDate(-15-i%35, 0, -i%300).Format(time.DateOnly)
			args = append(args, int64(i+1), fmt.Sprintf("妇女%d", i), "female", birth, fmt.Sprintf("341523********%04d", i%10000),
				code, path, code, path, now, "bench", now)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO persons (id, name, sex, birth_date, id_mask, reg_division, reg_path,
			res_division, res_path, created_at, created_by, updated_at, updated_by) VALUES `+
			db.RepeatValues("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'bench')", rows), args...); err != nil {
			return err
		}
	}
	return nil
}

// benchVisits gives every woman a post-procedure case and spreads the
// visits over the cases, due from 60 days ago to 180 days ahead.
func benchVisits(ctx context.Context, tx *db.Tx, women, visits int, today time.Time) error {
	now := db.Now()
	const chunk = 400
	for first := 0; first < women; first += chunk {
		rows := min(chunk, women-first)
		args := make([]any, 0, rows*10)
		for i := first; i < first+rows; i++ {
			code := benchVillage(i % 20)
			args = append(args, int64(i+1), int64(i+1), code, testfix.Path(testfix.TownA)+code+"/",
				today.AddDate(0, 0, -60).Format(time.DateOnly), now, now)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO health_cases (id, person_id, division_code, division_path, opened_on,
			created_at, updated_at, program, stage, created_by, updated_by) VALUES `+
			db.RepeatValues("(?, ?, ?, ?, ?, ?, ?, 'postop', 'procedure', 'bench', 'bench')", rows), args...); err != nil {
			return err
		}
	}
	for first := 0; first < visits; first += chunk {
		rows := min(chunk, visits-first)
		args := make([]any, 0, rows*8)
		for i := first; i < first+rows; i++ {
			w := i % women
			code := benchVillage(w % 20)
			due := today.AddDate(0, 0, -60+i%240).Format(time.DateOnly)
			args = append(args, int64(w+1), int64(w+1), []string{"week1", "month1", "month3", "month6"}[i/women%4], testfix.Path(testfix.TownA)+code+"/",
				due, due, now, now)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO health_visits (case_id, person_id, kind, division_path, due_on, planned_on,
			created_at, updated_at, program, seq, window_days) VALUES `+
			db.RepeatValues("(?, ?, ?, ?, ?, ?, ?, ?, 'postop', 1, 7)", rows), args...); err != nil {
			return err
		}
	}
	return nil
}
