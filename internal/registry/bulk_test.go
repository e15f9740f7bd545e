package registry_test

import (
	"fmt"
	"testing"

	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/idno"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

// TestBulkLoadKeepsIndexesAndCounts loads persons the way an import does,
// once into an empty table (which rebuilds the indexes on SQLite) and once
// into a fuller one, and checks that the indexes, the count tables and the
// journal end as if every person had been created one by one.
func TestBulkLoadKeepsIndexesAndCounts(t *testing.T) {
	defer registry.SetBulkIndexThreshold(5)()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := testfix.Ctx(auth.RoleCounty, testfix.County)
		pr := auth.From(ctx)
		indexes := func() int {
			if d.Dialect() != db.SQLite {
				return 0
			}
			var n int
			d.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'persons'`).Scan(&n)
			return n
		}
		before := indexes()
		load := func(first, n int) {
			pi := e.svc.NewPersonImport(pr, d.Reader())
			pi.Expect(n)
			var items []registry.ImportItem
			var lines []int
			for i := first; i < first+n; i++ {
				reg, res := testfix.VillageA1, testfix.VillageA1
				if i%3 == 0 {
					res = testfix.VillageB1
				}
				it, err := pi.Prepare(ctx, registry.ImportRow{Fields: registry.Fields{
					Name: fmt.Sprintf("批量%c", '甲'+rune(i)), IDNumber: idno.Generate(testfix.County, "19800101", 2*i+1),
					RegisteredDivision: reg, ResidenceDivision: res, Relation: "child"}, HouseholdNo: fmt.Sprintf("B-%d", i/4)})
				if err != nil {
					t.Fatal(err)
				}
				items, lines = append(items, it), append(lines, i+2)
			}
			err := d.Tx(ctx, func(tx *db.Tx) error {
				defer pi.Close()
				errs, err := pi.CheckBatch(ctx, tx, items, lines)
				if err != nil {
					return err
				}
				for _, e := range errs {
					if e != nil {
						return e
					}
				}
				if err := pi.InsertBatch(ctx, tx, items); err != nil {
					return err
				}
				return pi.Finish(ctx, tx, "t.csv", n)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		load(0, 12)
		load(12, 3)
		if got := indexes(); got != before {
			t.Fatalf("person indexes %d, before the load %d", got, before)
		}
		var persons, counted, away, awayCounted, households, hhCounted int
		q := func(sql string, dst *int) {
			if err := d.Reader().QueryRow(ctx, sql).Scan(dst); err != nil {
				t.Fatal(err)
			}
		}
		q(`SELECT COUNT(*) FROM persons`, &persons)
		q(`SELECT COALESCE(SUM(n), 0) FROM person_counts`, &counted)
		q(`SELECT COUNT(*) FROM persons WHERE reg_path <> res_path`, &away)
		q(`SELECT COALESCE(SUM(n), 0) FROM person_away`, &awayCounted)
		q(`SELECT COUNT(*) FROM households`, &households)
		q(`SELECT COALESCE(SUM(n), 0) FROM household_counts`, &hhCounted)
		if persons != 15 || counted != 15 || away != 5 || awayCounted != 5 || households != 4 || hhCounted != 4 {
			t.Fatalf("persons %d/%d, away %d/%d, households %d/%d", persons, counted, away, awayCounted, households, hhCounted)
		}
		checkRollup(t, d)
		// The triggers are back: a person created the ordinary way is counted.
		e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "单个", Sex: "male", BirthDate: "1990-01-01",
			RegisteredDivision: testfix.VillageA2}})
		q(`SELECT COALESCE(SUM(n), 0) FROM person_counts`, &counted)
		if counted != 16 {
			t.Fatalf("count after an ordinary create: %d", counted)
		}
		checkRollup(t, d)
		list, total, err := e.svc.List(ctx, registry.Filter{Q: "批量", Division: testfix.VillageA1, Page: 1, Size: 20})
		if err != nil || total != 15 || len(list) == 0 {
			t.Fatalf("name search after the load: %d %v", total, err)
		}
	})
}
