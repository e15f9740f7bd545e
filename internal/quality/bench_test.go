package quality_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"

	"jisheng/internal/db"
	"jisheng/internal/quality"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
	"jisheng/internal/testfix/demofix"
)

// BenchmarkRecompute measures a full recompute over a generated county:
// "cold" starts from an empty findings table (the first recompute of a
// loaded county writes every finding), "steady" recomputes an unchanged
// county (the usual case, which writes nothing). The county has
// JISHENG_BENCH_PERSONS persons (default 20,000) in the 426 real villages of
// 舒城县 when the embedded division data is built, else in the test fixture's
// villages, on SQLite (or PostgreSQL with JISHENG_BENCH_ENGINE=postgres).
// The target is a million persons in under 10 s:
//
//	JISHENG_BENCH_PERSONS=1000000 go test -run '^$' -bench Recompute -benchtime 1x ./internal/quality
//
// The generated county has no spouse links (the generator predates them),
// so about 60% of its persons carry a married_no_spouse finding: the cold
// run writes far more findings than a real county would.
func BenchmarkRecompute(b *testing.B) {
	persons := 20_000
	if v, err := strconv.Atoi(os.Getenv("JISHENG_BENCH_PERSONS")); err == nil && v > 0 {
		persons = v
	}
	d, q := benchCounty(b, persons)
	ctx := testfix.CLI()
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if err := d.Tx(ctx, func(tx *db.Tx) error {
				if _, err := tx.Exec(ctx, `DELETE FROM dq_findings`); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `DELETE FROM dq_counts`)
				return err
			}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := q.Recompute(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(res.Findings), "findings")
		}
		b.ReportMetric(float64(persons)*float64(b.N)/b.Elapsed().Seconds(), "persons/s")
	})
	b.Run("steady", func(b *testing.B) {
		for b.Loop() {
			if _, err := q.Recompute(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(persons)*float64(b.N)/b.Elapsed().Seconds(), "persons/s")
	})
}

func benchCounty(b testing.TB, persons int) (*db.DB, *quality.Service) {
	b.Helper()
	d, k, j := demofix.County(b, persons, "2026-06-30")
	return d, quality.NewService(d, j, k, nil)
}

// BenchmarkHook measures the change hook on a batch of 1,000 persons, as a
// bulk import notifies it, in a county of JISHENG_BENCH_PERSONS persons
// (the transaction is rolled back each time).
func BenchmarkHook(b *testing.B) {
	persons := 20_000
	if v, err := strconv.Atoi(os.Getenv("JISHENG_BENCH_PERSONS")); err == nil && v > 0 {
		persons = v
	}
	d, q := benchCounty(b, persons)
	ctx := context.Background()
	if _, err := q.Recompute(testfix.CLI(), nil); err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	ids := make([]int64, batch)
	for i := range ids {
		ids[i] = int64(persons/2 + i)
	}
	rollback := errors.New("roll back")
	for b.Loop() {
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if err := q.OnRegistryChange(ctx, tx, registry.Changed{Persons: ids}); err != nil {
				return err
			}
			return rollback
		})
		if err != rollback {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*batch), "µs/person")
}
