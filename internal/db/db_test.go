package db_test

import (
	"context"
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

func TestInsertIDReturnsNewKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var ids []int64
		err := d.Tx(ctx, func(tx *db.Tx) error {
			for _, c := range []string{"34", "35"} {
				id, err := tx.InsertID(ctx, `INSERT INTO users (username, display_name, password_hash, role, division_code, division_path, created_at, updated_at)
					SELECT ?, 'x', 'h', 'viewer', code, path, ?, ? FROM divisions WHERE code = ?`, "u"+c, db.Now(), db.Now(), "root")
				if err == nil {
					ids = append(ids, id)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 0 {
			t.Fatalf("insert from empty select returned ids %v", ids)
		}
		err = d.Tx(ctx, func(tx *db.Tx) error {
			for _, k := range []string{"x", "y"} {
				_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, k, k)
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
