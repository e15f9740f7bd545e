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

// Events is JISHENG_BENCH_EVENTS, or three per person when it is not a
// positive number.
func Events(persons int) int {
	if v, err := strconv.Atoi(os.Getenv("JISHENG_BENCH_EVENTS")); err == nil && v > 0 {
		return v
	}
	return 3 * persons
}

// AddEvents writes n life events over the county's persons, three per
// person at most, so that reads by kind and date meet a registry's volume
// of history: each person's birth, then a first marriage (the married) or
// a move into the village, then a transfer, dated years after the birth
// and never after today. The demo generator writes persons only.
func AddEvents(b testing.TB, d *db.DB, n int, today string) {
	b.Helper()
	ctx := context.Background()
	second := `CASE WHEN p.marital_status IN ('first_married', 'remarried') THEN 'first_marriage' ELSE 'move_in' END`
	after := func(years string) string {
		if d.Dialect() == db.Postgres {
			return `LEAST((p.birth_date::date + make_interval(years => ` + years + `))::text, ?)`
		}
		return `MIN(date(p.birth_date, '+' || (` + years + `) || ' years'), ?)`
	}
	kinds := []struct{ kind, date string }{
		{"'birth'", "p.birth_date"},
		{second, after("20 + CAST(p.id % 10 AS INTEGER)")},
		{"'transfer'", after("5 + CAST(p.id % 15 AS INTEGER)")},
	}
	start := time.Now()
	written := 0
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for _, k := range kinds {
			if written >= n {
				break
			}
			var args []any
			if k.date != "p.birth_date" {
				args = append(args, today)
			}
			args = append(args, db.Now(), n-written)
			res, err := tx.Exec(ctx, `INSERT INTO person_events (person_id, kind, event_date, division_path, created_at, created_by)
				SELECT p.id, `+k.kind+`, `+k.date+`, p.reg_path, ?, 'bench' FROM persons p
				WHERE p.birth_date IS NOT NULL AND p.birth_date <> '' ORDER BY p.id LIMIT ?`, args...)
			if err != nil {
				return err
			}
			rows, _ := res.RowsAffected()
			written += int(rows)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote %d events in %.1f s", written, time.Since(start).Seconds())
}
