package stats

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/testfix"
)

// rollupDates are the dates the rollup is checked at: year and month ends,
// a leap day, the end of February before a leap year's bound and days
// inside a month, so that births on an age group's bound and deaths in the
// date's month fall on either side.
var rollupDates = []string{"2025-12-31", "2026-12-31", "2024-02-29", "2026-06-15", "2025-03-01", "2026-01-31", "2026-06-30", "2023-02-28"}

// seedRollupCounty writes persons whose birth and death dates sit on and
// around the age bounds of rollupDates, with unknown birth dates, statuses
// other than alive, marital states, spans (a changed registration) and
// spouses using contraception; then edits and deletes some, so that the
// triggers' updates are part of what is checked.
func seedRollupCounty(t *testing.T, d *db.DB) {
	t.Helper()
	testfix.Divisions(t, d)
	ctx := context.Background()
	rnd := rand.New(rand.NewSource(7))
	villages := []string{testfix.VillageA1, testfix.VillageA2, testfix.VillageB1, testfix.VillageB2, testfix.TownA}
	var births []string
	for _, date := range rollupDates {
		for i := 0; i < ageBands; i++ {
			bound := yearsBefore(date, 5*i)
			births = append(births, bound, dayAfter(bound), dayAfter(dayAfter(bound)), bound[:7]+"-01", bound[:7]+"-28")
		}
	}
	births = append(births, "", "1901-01-01", "2027-01-01")
	now := db.Now()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		for id := 1; id <= 600; id++ {
			v := villages[rnd.Intn(len(villages))]
			sex := []string{"male", "female"}[rnd.Intn(2)]
			birth := births[rnd.Intn(len(births))]
			status, death := "alive", ""
			switch rnd.Intn(10) {
			case 0, 1:
				status = "deceased"
				date := rollupDates[rnd.Intn(len(rollupDates))]
				death = []string{date, dayAfter(date), date[:7] + "-01", "2020-05-05", ""}[rnd.Intn(5)]
			case 2:
				status = "moved_out"
			}
			marital := []any{nil, "first_married", "remarried", "divorced"}[rnd.Intn(4)]
			hukou := []any{nil, "agricultural", "non_agricultural", "resident"}[rnd.Intn(4)]
			var birthArg any = birth
			if birth == "" && rnd.Intn(2) == 0 {
				birthArg = nil
			}
			var deathArg any
			if death != "" {
				deathArg = death
			}
			if _, err := tx.Exec(ctx, `INSERT INTO persons (id, name, sex, birth_date, hukou_type, marital_status, reg_division,
				reg_path, res_division, res_path, status, death_date, created_at, created_by, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'fixture', ?, 'fixture')`,
				id, fmt.Sprintf("人员%d", id), sex, birthArg, hukou, marital, v, testfix.Path(v), v, testfix.Path(v),
				status, deathArg, now, now); err != nil {
				return err
			}
		}
		// Couples and their contraception: a woman counts by her own
		// method or her husband's.
		for id := 2; id <= 600; id += 7 {
			if _, err := tx.Exec(ctx, `UPDATE persons SET spouse_id = ? WHERE id = ?`, id-1, id); err != nil {
				return err
			}
			method := []string{"iud", "condom", "none", "male_sterilisation"}[id%4]
			until := []any{nil, "2026-01-31", "2025-06-30"}[id%3]
			if _, err := tx.Exec(ctx, `INSERT INTO contraceptive_use (person_id, method, since, until, source, recorded_by, created_at)
				VALUES (?, ?, ?, ?, 'officer', 'fixture', ?)`, id-1+id%2, method, "2024-01-01", until, now); err != nil {
				return err
			}
		}
		// Registrations that changed: counted by their spans.
		for id := 5; id <= 600; id += 23 {
			from := []string{"2020-01-01", "2025-12-31", "2026-02-01"}[id%3]
			if _, err := tx.Exec(ctx, `INSERT INTO person_spans (person_id, from_date, to_date, status, sex, reg_path, res_path, away)
				VALUES (?, ?, ?, 'alive', 'female', ?, ?, 0), (?, ?, NULL, 'alive', 'male', ?, ?, 0)`,
				id, "1990-01-01", from, testfix.Path(testfix.VillageB2), testfix.Path(testfix.VillageB2),
				id, from, testfix.Path(testfix.VillageA1), testfix.Path(testfix.VillageA1)); err != nil {
				return err
			}
		}
		// Edits and deletions go through the update and delete triggers.
		edits := []string{
			`UPDATE persons SET reg_path = ?, reg_division = ? WHERE id % 11 = 0`,
			`UPDATE persons SET status = 'deceased', death_date = '2026-01-15' WHERE id % 13 = 0`,
			`UPDATE persons SET birth_date = '2021-12-31', marital_status = 'first_married' WHERE id % 17 = 0`,
			`UPDATE persons SET hukou_type = 'non_agricultural', sex = 'female' WHERE id % 19 = 0`,
		}
		for i, q := range edits {
			var args []any
			if i == 0 {
				args = []any{testfix.Path(testfix.VillageB1), testfix.VillageB1}
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM persons WHERE id % 29 = 0 AND spouse_id IS NULL AND id NOT IN
			(SELECT spouse_id FROM persons WHERE spouse_id IS NOT NULL) AND id NOT IN (SELECT person_id FROM person_spans)
			AND id NOT IN (SELECT person_id FROM contraceptive_use)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func dayAfter(date string) string {
	p, _ := time.Parse(time.DateOnly, date)
	return p.AddDate(0, 0, 1).Format(time.DateOnly)
}

// TestRollupCountsAsTheRows holds the counted population and married women
// (person_rollup and the edge months) to the count of their rows, at every
// date, for a county read by townships (depth 1), a township by villages,
// a village (depth 0) and a county by villages, keeping every dimension or
// fewer, on both engines; and the rollup table to a
// recount of the persons after inserts, edits and deletions.
func TestRollupCountsAsTheRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seedRollupCounty(t, d)
		ctx := context.Background()
		c := d.Reader()
		want := rowsText(t, c, testfix.RollupRecount)
		got := rowsText(t, c, testfix.RollupRows)
		if got != want {
			t.Fatalf("person_rollup:\n%s\nrecount:\n%s", got, want)
		}
		areas := []struct{ area, child string }{
			{testfix.County, testfix.TownA}, {testfix.TownA, testfix.VillageA1}, {testfix.VillageB1, testfix.VillageB1},
			{testfix.County, testfix.VillageA1},
		}
		for _, code := range []string{"population", "married_women"} {
			s, _ := sourceOf(code)
			rows := s
			rows.counted = ""
			for _, date := range rollupDates {
				for _, ar := range areas {
					for _, sh := range rollupShapes(len(testfix.Path(ar.child))) {
						a := at{date: date, area: testfix.Path(ar.area), today: "2026-12-31", dialect: c.Dialect()}
						byRollup, err := countCube(ctx, c, s, a, sh)
						if err != nil {
							t.Fatal(err)
						}
						byRows, err := countCube(ctx, c, rows, a, sh)
						if err != nil {
							t.Fatal(err)
						}
						if byRows.total("", Filter{}, false) == 0 {
							t.Fatalf("%s at %s in %s %s: no rows; the fixture does not reach it", code, date, ar.area, sh.id())
						}
						if !reflect.DeepEqual(dropZero(byRollup), dropZero(byRows)) {
							t.Errorf("%s at %s in %s %s: rollup\n%v\nrows\n%v", code, date, ar.area, sh.id(), byRollup, byRows)
						}
						if sh.ageFrom != nil || sh.ageTo != nil {
							checkAgeRange(t, ctx, c, rows, a, sh, byRows)
						}
					}
				}
			}
		}
	})
}

// checkAgeRange holds a cube counted over an age range in SQL to the cube
// of every dimension read through the same range as a filter.
func checkAgeRange(t *testing.T, ctx context.Context, c db.Conn, s Source, a at, sh shape, ranged cube) {
	t.Helper()
	full, err := countCube(ctx, c, s, a, shape{keyLen: sh.keyLen, dims: allDims})
	if err != nil {
		t.Fatal(err)
	}
	f := Filter{AgeFrom: sh.ageFrom, AgeTo: sh.ageTo}
	keys := map[string]bool{}
	for k := range full {
		keys[k] = true
	}
	for k := range ranged {
		keys[k] = true
	}
	for k := range keys {
		if got, want := ranged.total(k, Filter{}, false), full.total(k, f, false); got != want {
			t.Errorf("%s at %s %s, %s: %d in the range counted in SQL, %d by filter", s.Code, a.date, sh.id(), k, got, want)
		}
	}
}

// rollupShapes are the shapes the rollup is checked in: every dimension,
// fewer, and age ranges counted in SQL.
func rollupShapes(keyLen int) []shape {
	return []shape{
		{keyLen: keyLen, dims: allDims}, {keyLen: keyLen}, {keyLen: keyLen, dims: dimSex},
		{keyLen: keyLen, dims: dimUrban}, {keyLen: keyLen, dims: dimBand}, {keyLen: keyLen, dims: dimSex | dimBand},
		{keyLen: keyLen, ageFrom: age(15), ageTo: age(49)}, {keyLen: keyLen, dims: dimSex, ageTo: age(4)},
		{keyLen: keyLen, ageFrom: age(60)}, {keyLen: keyLen, ageFrom: age(0), ageTo: age(89)},
	}
}

// dropZero removes the cells a rollup counts to zero (a person taken back
// out for their spans), which the rows never show.
func dropZero(cb cube) cube {
	out := cube{}
	for k, cells := range cb {
		for cl, t := range cells {
			if t.n != 0 || t.amount != 0 {
				if out[k] == nil {
					out[k] = map[cell]tally{}
				}
				out[k][cl] = t
			}
		}
	}
	return out
}

func rowsText(t *testing.T, c db.Conn, q string) string {
	t.Helper()
	rows, err := c.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var depth, urban, married, n int64
		var path, sex, status, bm, dm string
		if err := rows.Scan(&depth, &path, &sex, &urban, &married, &status, &bm, &dm, &n); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintln(depth, path, sex, urban, married, status, bm, dm, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
