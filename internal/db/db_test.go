package db_test

import (
	"context"
	"fmt"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestMigrationsApplyOnceAndRecordVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		pending, err := d.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) != 0 {
			t.Fatalf("pending after migrate = %d, want 0", len(pending))
		}
		applied, err := d.Migrate(ctx, false)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %d, err %v; want 0, nil", len(applied), err)
		}
		all, _ := d.Migrations()
		done, _ := d.Applied(ctx)
		for _, m := range all {
			if !done[m.Version] {
				t.Errorf("migration %d not recorded", m.Version)
			}
		}
	})
}

func TestTxRollsBackOnErrorAndTranslatesUniqueViolation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, "a", "1"); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, "a", "2")
			return err
		})
		if apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("duplicate key error code = %q (%v), want conflict", apperr.CodeOf(err), err)
		}
		var n int
		if err := d.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE key = ?`, "a").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rows after rolled-back tx = %d, want 0", n)
		}
	})
}

func TestInsertIDAndPaging(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var ids []int64
		err := d.Tx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO divisions (code, name, level, path, source, valid_from, created_at)
				VALUES ('34', '安徽省', 1, '/34/', 'nbs2023', '2023-06-30', ?)`, db.Now()); err != nil {
				return err
			}
			for i := 0; i < 25; i++ {
				id, err := tx.InsertID(ctx, `INSERT INTO households (hh_no, division_code, division_path, created_at, created_by, updated_at, updated_by)
					VALUES (?, '34', '/34/', ?, 't', ?, 't')`, fmt.Sprintf("H%02d", i), db.Now(), db.Now())
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				t.Fatalf("ids not increasing: %v", ids)
			}
		}
		sel := db.Select{Cols: "hh_no", From: "households", OrderBy: "hh_no"}
		cond, args := db.Subtree("division_path", "/34/")
		sel.Where(cond, args...)
		sel.Where("hh_no >= ?", "H05")
		total, err := sel.Count(ctx, d.Reader())
		if err != nil || total != 20 {
			t.Fatalf("count %d %v", total, err)
		}
		rows, err := sel.Page(ctx, d.Reader(), 2, 8)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			got = append(got, s)
		}
		if len(got) != 8 || got[0] != "H13" {
			t.Fatalf("page 2: %v", got)
		}
	})
}

func TestSubtreeRange(t *testing.T) {
	lo, hi := db.SubtreeRange("/34/3415/341523/")
	cases := []struct {
		path string
		in   bool
	}{
		{"/34/3415/341523/", true},
		{"/34/3415/341523/341523100/341523100201/", true},
		{"/34/3415/3415230/", false}, // a sibling whose code starts the same way
		{"/34/3415/341522/", false},
		{"/34/3415/341524/", false},
	}
	for _, c := range cases {
		if got := c.path >= lo && c.path < hi; got != c.in {
			t.Errorf("%s in subtree = %v, want %v", c.path, got, c.in)
		}
	}
	if lo2, _ := db.SubtreeRange("/34"); lo2 != "/34/" {
		t.Errorf("path without trailing slash: %q", lo2)
	}
}

// TestPostgresRunsWithoutJIT checks that the connections turn JIT off (a
// report's queries paid more to compile than to run) and that an address
// setting jit itself keeps its choice.
func TestPostgresRunsWithoutJIT(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if d.Dialect() != db.Postgres {
			return
		}
		var jit string
		if err := d.Reader().QueryRow(context.Background(), `SHOW jit`).Scan(&jit); err != nil || jit != "off" {
			t.Errorf("jit = %q, %v; want off", jit, err)
		}
	})
	for dsn, want := range map[string]string{
		"postgres://u@h/db":                 "postgres://u@h/db?jit=off",
		"postgres://u@h/db?sslmode=disable": "postgres://u@h/db?jit=off&sslmode=disable",
		"postgres://u@h/db?jit=on":          "postgres://u@h/db?jit=on",
	} {
		if got := db.WithoutJIT(dsn); got != want {
			t.Errorf("WithoutJIT(%s) = %s, want %s", dsn, got, want)
		}
	}
}
