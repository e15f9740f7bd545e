package demo_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"jisheng/internal/db"
	"jisheng/internal/demo"
	"jisheng/internal/division"
)

// JISHENG_DEMO_DB=/path/x.db JISHENG_DEMO_N=1000000 go test -run TestMillion
func TestMillion(t *testing.T) {
	path := os.Getenv("JISHENG_DEMO_DB")
	if path == "" {
		t.Skip()
	}
	n, _ := strconv.Atoi(os.Getenv("JISHENG_DEMO_N"))
	ctx := context.Background()
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := d.Tx(ctx, func(tx *db.Tx) error { _, err := division.LoadCounty(ctx, tx, "341523", ""); return err }); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	last := time.Now()
	st, err := demo.Generate(ctx, d, keyring(t), demo.Options{County: "341523", Persons: n, Seed: 1, Today: "2025-06-30",
		Progress: func(done, total int) {
			if done%100000 < 10000 || done == total {
				t.Logf("%7d/%d %.1fs (+%.1fs)", done, total, time.Since(start).Seconds(), time.Since(last).Seconds())
				last = time.Now()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v, %.0f persons/s", st, float64(st.Persons)/st.Duration.Seconds())
}
