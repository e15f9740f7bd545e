// Package demofix builds a generated county for benchmarks: the real
// villages of 舒城县 when the embedded division data is built (else the
// test fixture's), JISHENG_BENCH_PERSONS persons from the demo generator,
// on SQLite or, with JISHENG_BENCH_ENGINE=postgres, on PostgreSQL.
package demofix

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"jisheng/internal/audit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/demo"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/testfix"
)

// Persons is JISHENG_BENCH_PERSONS, or def when it is not a positive number.
func Persons(def int) int {
	if v, err := strconv.Atoi(os.Getenv("JISHENG_BENCH_PERSONS")); err == nil && v > 0 {
		return v
	}
	return def
}

// County generates a county of persons persons as of today (YYYY-MM-DD),
// analysed for the planner, with the keys and journal it was written with.
func County(b testing.TB, persons int, today string) (*db.DB, *fieldcrypt.Keyring, *audit.Journal) {
	b.Helper()
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
	if _, err := demo.Generate(ctx, d, k, demo.Options{County: testfix.County, Persons: persons, Seed: 1, Today: today}); err != nil {
		b.Fatal(err)
	}
	if err := d.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d persons in %.1f s", persons, time.Since(start).Seconds())
	return d, k, j
}
