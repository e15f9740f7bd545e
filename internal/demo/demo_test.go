package demo_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/demo"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const today = "2025-06-30"

func keyring(t testing.TB) *fieldcrypt.Keyring {
	t.Helper()
	k, err := fieldcrypt.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func generate(t testing.TB, d *db.DB, persons int, seed int64) demo.Stats {
	t.Helper()
	st, err := demo.Generate(context.Background(), d, keyring(t), demo.Options{
		County: testfix.County, Persons: persons, Seed: seed, Today: today})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return st
}

func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// yearsBefore returns the date n years before today, for age conditions.
func yearsBefore(n int) string { return fmt.Sprintf("%04d%s", 2025-n, today[4:]) }

func TestGenerate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		testfix.Divisions(t, d)
		settings := writerSettings(t, d)
		var calls []int
		st, err := demo.Generate(context.Background(), d, keyring(t), demo.Options{
			County: testfix.County, Persons: 2000, Seed: 42, Today: today,
			Progress: func(done, total int) {
				if total != 2000 {
					t.Errorf("progress total = %d", total)
				}
				calls = append(calls, done)
			}})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == 0 || calls[len(calls)-1] != 2000 {
			t.Errorf("progress calls %v should end with 2000", calls)
		}
		for i := 1; i < len(calls); i++ {
			if calls[i] < calls[i-1] {
				t.Errorf("progress went backwards: %v", calls)
			}
		}
		checkPopulation(t, d, st, 2000)
		if after := writerSettings(t, d); after != settings {
			t.Errorf("writer connection: %s after the load, %s before", after, settings)
		}
		if d.Dialect() == db.Postgres {
			// The identity sequences have moved past the ids written.
			for _, table := range []string{"persons", "households"} {
				next := count(t, d, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id'))`)
				if max := count(t, d, `SELECT MAX(id) FROM `+table); next <= max {
					t.Errorf("%s: next id %d, highest %d", table, next, max)
				}
			}
		}
	})
}

// writerSettings returns SQLite's cache_size and temp_store on the writer
// connection, which Generate changes for the load and restores ("" on
// PostgreSQL).
func writerSettings(t *testing.T, d *db.DB) string {
	t.Helper()
	if d.Dialect() != db.SQLite {
		return ""
	}
	var cache, temp int
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		if err := tx.QueryRow(context.Background(), `PRAGMA cache_size`).Scan(&cache); err != nil {
			return err
		}
		return tx.QueryRow(context.Background(), `PRAGMA temp_store`).Scan(&temp)
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("cache_size %d, temp_store %d", cache, temp)
}

// checkPopulation runs the structural checks on a generated database.
func checkPopulation(t *testing.T, d *db.DB, st demo.Stats, persons int) {
	t.Helper()
	n := count(t, d, `SELECT COUNT(*) FROM persons`)
	if n != persons || st.Persons != persons {
		t.Fatalf("persons: %d rows, stats %d, want %d", n, st.Persons, persons)
	}
	if h := count(t, d, `SELECT COUNT(*) FROM households`); h != st.Households || h == 0 {
		t.Errorf("households: %d rows, stats %d", h, st.Households)
	}
	if mean := float64(n) / float64(st.Households); mean < 2.5 || mean > 3.6 {
		t.Errorf("mean household size %.2f, want about 3", mean)
	}
	if st.Villages != 4 {
		t.Errorf("villages = %d, want 4", st.Villages)
	}

	// Households: exactly one head each, numbered per village, members registered there.
	if bad := count(t, d, `SELECT COUNT(*) FROM households h WHERE
		(SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.relation = 'head') <> 1`); bad != 0 {
		t.Errorf("%d households without exactly one head", bad)
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM households h WHERE NOT EXISTS
		(SELECT 1 FROM persons p WHERE p.household_id = h.id AND p.status = 'alive')`); bad != 0 {
		t.Errorf("%d households without a living member", bad)
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM persons p JOIN households h ON h.id = p.household_id
		WHERE p.reg_division <> h.division_code OR p.reg_path <> h.division_path`); bad != 0 {
		t.Errorf("%d persons registered outside their household's village", bad)
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM persons WHERE household_id IS NULL`); bad != 0 {
		t.Errorf("%d persons without household", bad)
	}
	rows, err := d.Reader().Query(context.Background(), `SELECT hh_no, division_code, address FROM households ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	hhNo := regexp.MustCompile(`^(\d{12})-(\d{4})$`)
	for rows.Next() {
		var no, code, addr string
		if err := rows.Scan(&no, &code, &addr); err != nil {
			t.Fatal(err)
		}
		if m := hhNo.FindStringSubmatch(no); m == nil || m[1] != code {
			t.Errorf("hh_no %q does not match village %s", no, code)
		}
		if !strings.HasPrefix(addr, "舒城县") || !strings.HasSuffix(addr, " 号") {
			t.Errorf("address %q", addr)
		}
	}
	rows.Close()

	// Enumerations.
	for _, c := range []struct{ col, values string }{
		{"relation", `'head', 'spouse', 'child', 'parent', 'parent_in_law', 'grandparent', 'grandchild', 'sibling', 'child_in_law'`},
		{"marital_status", `'unmarried', 'first_married', 'remarried', 'divorced', 'widowed'`},
		{"hukou_type", `'agricultural', 'non_agricultural', 'resident'`},
		{"status", `'alive', 'deceased'`},
		{"created_by", `'demo'`},
		{"updated_by", `'demo'`},
	} {
		if bad := count(t, d, `SELECT COUNT(*) FROM persons WHERE `+c.col+` IS NULL OR `+c.col+` NOT IN (`+c.values+`)`); bad != 0 {
			t.Errorf("%d persons with an invalid %s", bad, c.col)
		}
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM persons WHERE version <> 1 OR created_at <> updated_at`); bad != 0 {
		t.Errorf("%d persons with version or timestamps off", bad)
	}
	if han := count(t, d, `SELECT COUNT(*) FROM persons WHERE ethnicity = '汉族'`); float64(han) < 0.97*float64(n) {
		t.Errorf("only %d of %d persons 汉族", han, n)
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM persons WHERE relation IN ('child', 'grandchild')
		AND birth_date > ? AND marital_status <> 'unmarried'`, yearsBefore(20)); bad != 0 {
		t.Errorf("%d married children under 20", bad)
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM persons p JOIN persons h ON h.household_id = p.household_id
		AND h.relation = 'head' WHERE p.relation = 'spouse' AND (p.sex = h.sex OR p.marital_status = 'unmarried')`); bad != 0 {
		t.Errorf("%d spouses of the same sex as the head, or unmarried", bad)
	}

	// Spouses of similar age; parents of the right sex and age.
	pairs := query(t, d, `SELECT h.birth_date, p.birth_date FROM persons p JOIN persons h ON h.household_id = p.household_id
		AND h.relation = 'head' WHERE p.relation = 'spouse'`)
	for _, pr := range pairs {
		if gap := math.Abs(yearsOf(pr[0], pr[1])); gap > 5.05 {
			t.Errorf("head born %s, spouse %s: %.1f years apart", pr[0], pr[1], gap)
		}
	}
	if len(pairs) < st.Households/3 {
		t.Errorf("only %d heads with a spouse among %d households", len(pairs), st.Households)
	}
	links := query(t, d, `SELECT c.birth_date, m.sex, m.birth_date, 'mother', m.status, COALESCE(m.death_date, '') FROM persons c
		JOIN persons m ON m.id = c.mother_id UNION ALL
		SELECT c.birth_date, f.sex, f.birth_date, 'father', f.status, COALESCE(f.death_date, '') FROM persons c
		JOIN persons f ON f.id = c.father_id`)
	for _, l := range links {
		age := yearsOf(l[2], l[0])
		want := map[string]string{"mother": "female", "father": "male"}[l[3]]
		switch {
		case l[1] != want:
			t.Errorf("%s of a child born %s is %s", l[3], l[0], l[1])
		case l[3] == "mother" && (age < 14 || age >= 43):
			t.Errorf("mother born %s, child %s: %.1f years", l[2], l[0], age)
		case l[3] == "father" && age < 14:
			t.Errorf("father born %s, child %s: %.1f years", l[2], l[0], age)
		case l[4] == "deceased" && l[5] < l[0]:
			t.Errorf("%s died %s before the birth %s", l[3], l[5], l[0])
		}
	}
	if len(links) < n/4 {
		t.Errorf("only %d parent links among %d persons", len(links), n)
	}
	// Births per mother: mostly 1–2, some 3, third children before 2021 only
	// for mothers of the old cohorts.
	if bad := count(t, d, `SELECT COUNT(*) FROM persons m WHERE (SELECT COUNT(*) FROM persons c WHERE c.mother_id = m.id) > 5`); bad != 0 {
		t.Errorf("%d mothers of more than 5 linked children", bad)
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM persons c JOIN persons m ON m.id = c.mother_id
		WHERE c.birth_date >= '1991-01-01' AND c.birth_date < '2021-06-01'
		AND (SELECT COUNT(*) FROM persons s WHERE s.mother_id = c.mother_id AND s.birth_date < c.birth_date) >= 2`); bad != 0 {
		t.Errorf("%d third children born 1991 to May 2021", bad)
	}

	// Shares.
	boys := count(t, d, `SELECT COUNT(*) FROM persons WHERE birth_date > ? AND sex = 'male'`, yearsBefore(20))
	girls := count(t, d, `SELECT COUNT(*) FROM persons WHERE birth_date > ? AND sex = 'female'`, yearsBefore(20))
	ratio := float64(boys) / float64(girls) * 100
	alive := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive'`)
	old := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive' AND birth_date <= ?`, yearsBefore(60))
	deceased := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'deceased'`)
	away := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive' AND res_division <> reg_division`)
	adults := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive' AND birth_date <= ?`, yearsBefore(22))
	married := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive' AND birth_date <= ?
		AND marital_status IN ('first_married', 'remarried')`, yearsBefore(22))
	phones := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive' AND birth_date <= ? AND phone_enc IS NOT NULL`, yearsBefore(18))
	grown := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive' AND birth_date <= ?`, yearsBefore(18))
	shares := []struct {
		name      string
		v, lo, hi float64
	}{
		{"sex ratio of the last 20 years' births", ratio, 95, 118},
		{"share aged 60+", pct(old, alive), 14, 26},
		{"deceased share", pct(deceased, n), 0.3, 1.5},
		{"living-away share", pct(away, alive), 5, 15},
		{"married share of adults 22+", pct(married, adults), 60, 90},
		{"adults with a phone", pct(phones, grown), 55, 85},
	}
	for _, s := range shares {
		if s.v < s.lo || s.v > s.hi {
			t.Errorf("%s = %.2f, want %.0f–%.0f", s.name, s.v, s.lo, s.hi)
		}
	}
	if deceased != st.Deceased || away != st.LivingAway {
		t.Errorf("stats deceased %d away %d, database %d and %d", st.Deceased, st.LivingAway, deceased, away)
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM persons WHERE (status = 'deceased') <> (death_date IS NOT NULL)
		OR death_date <= birth_date OR death_date >= ?`, today); bad != 0 {
		t.Errorf("%d persons with an inconsistent death date", bad)
	}
	if bad := count(t, d, `SELECT COUNT(*) FROM persons WHERE phone_enc IS NOT NULL AND (birth_date > ? OR status <> 'alive')`, yearsBefore(18)); bad != 0 {
		t.Errorf("%d children or deceased with a phone", bad)
	}
	under5 := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive' AND birth_date > ?`, yearsBefore(5))
	if under5 != st.BoysUnder5+st.GirlsUnder5 {
		t.Errorf("under 5: %d in the database, stats %d + %d", under5, st.BoysUnder5, st.GirlsUnder5)
	}

	checkNumbers(t, d, n)
}

func pct(a, b int) float64 { return float64(a) / float64(b) * 100 }

// yearsOf returns the years from date a to date b.
func yearsOf(a, b string) float64 {
	ta, _ := time.Parse(time.DateOnly, a)
	tb, _ := time.Parse(time.DateOnly, b)
	return tb.Sub(ta).Hours() / 24 / 365.2425
}

func query(t *testing.T, d *db.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := d.Reader().Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkNumbers decrypts ID and phone numbers of a sample and checks them
// against the stored masks, blind indexes, sex and birth date, and that no
// two persons share an ID number.
func checkNumbers(t *testing.T, d *db.DB, n int) {
	t.Helper()
	if distinct := count(t, d, `SELECT COUNT(DISTINCT id_bidx) FROM persons`); distinct != n {
		t.Errorf("%d distinct ID blind indexes among %d persons", distinct, n)
	}
	k := keyring(t)
	now, _ := time.Parse(time.DateOnly, today)
	rows, err := d.Reader().Query(context.Background(), `SELECT id, sex, birth_date, id_enc, id_bidx, id_mask, phone_enc, phone_mask
		FROM persons WHERE id % 7 = 0 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sampled, otherCounty := 0, 0
	for rows.Next() {
		var id int64
		var sex, birth, bidx, mask string
		var idEnc, phoneEnc []byte
		var phoneMask sql.NullString
		if err := rows.Scan(&id, &sex, &birth, &idEnc, &bidx, &mask, &phoneEnc, &phoneMask); err != nil {
			t.Fatal(err)
		}
		sampled++
		number, err := k.Decrypt("id_number", idEnc)
		if err != nil {
			t.Fatalf("person %d: %v", id, err)
		}
		parsed, err := idno.ParseAt(number, now)
		if err != nil {
			t.Errorf("person %d: ID %s invalid: %v", id, number, err)
			continue
		}
		if w := idno.Mismatch(parsed, sex, birth); len(w) > 0 {
			t.Errorf("person %d: %v", id, w)
		}
		if parsed.AddressCode[:2] != "34" {
			t.Errorf("person %d: address code %s outside Anhui", id, parsed.AddressCode)
		}
		if parsed.AddressCode != testfix.County {
			otherCounty++
		}
		if mask != idno.Mask(number) || bidx != k.BlindIndex("id_number", number) {
			t.Errorf("person %d: mask %s or blind index does not match the number", id, mask)
		}
		if phoneEnc == nil {
			if phoneMask.Valid {
				t.Errorf("person %d: phone mask without phone", id)
			}
			continue
		}
		phone, err := k.Decrypt("phone", phoneEnc)
		if err != nil {
			t.Fatalf("person %d phone: %v", id, err)
		}
		if norm, err := fieldcrypt.NormalisePhone(phone); err != nil || norm != phone || len(phone) != 11 {
			t.Errorf("person %d: phone %q not a normalised mobile number (%v)", id, phone, err)
		}
		if phoneMask.String != fieldcrypt.MaskPhone(phone) {
			t.Errorf("person %d: phone mask %q", id, phoneMask.String)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if sampled < n/8 || otherCounty == 0 || otherCounty > sampled/4 {
		t.Errorf("sampled %d numbers, %d from other counties", sampled, otherCounty)
	}
}

func TestRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := keyring(t)
		testfix.Divisions(t, d)
		cases := []struct {
			name  string
			o     demo.Options
			field string
			msg   string
		}{
			{"unknown county", demo.Options{County: "341524", Persons: 10}, "county", "区县 341524 尚未导入区划，请先运行 jisheng init --county 341524"},
			{"not a county", demo.Options{County: "3415", Persons: 10}, "county", "区县代码"},
			{"a township", demo.Options{County: "341523100", Persons: 10}, "county", "区县代码"},
			{"no persons", demo.Options{County: testfix.County, Persons: 0}, "persons", "人数"},
			{"too many", demo.Options{County: testfix.County, Persons: demo.MaxPersons + 1}, "persons", "人数"},
			{"bad date", demo.Options{County: testfix.County, Persons: 10, Today: "2025-02-30"}, "today", "日期"},
		}
		for _, c := range cases {
			_, err := demo.Generate(ctx, d, k, c.o)
			e := apperr.As(err)
			if e.Code != apperr.Invalid || e.Field != c.field || !strings.Contains(e.Message, c.msg) {
				t.Errorf("%s: got %v, want invalid %s containing %q", c.name, err, c.field, c.msg)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM persons`); n != 0 {
			t.Fatalf("%d persons after refusals", n)
		}

		generate(t, d, 50, 1)
		_, err := demo.Generate(ctx, d, k, demo.Options{County: testfix.County, Persons: 50, Seed: 2, Today: today})
		e := apperr.As(err)
		if e.Code != apperr.Invalid || e.Field != "county" || e.Message != "该区县已有人员数据，演示数据只能生成在空库中" {
			t.Errorf("second run: got %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM persons`); n != 50 {
			t.Errorf("%d persons after the refused second run, want 50", n)
		}
	})
}

// TestSmallCounts checks that tiny targets are met exactly.
func TestSmallCounts(t *testing.T) {
	d := dbtest.SQLite(t)
	testfix.Divisions(t, d)
	st := generate(t, d, 1, 3)
	if st.Persons != 1 || st.Households != 1 || st.Villages != 1 {
		t.Errorf("1 person: %+v", st)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM persons WHERE relation = 'head' AND status = 'alive'`); n != 1 {
		t.Errorf("the only person should be a living head, got %d", n)
	}
	d2 := dbtest.SQLite(t)
	testfix.Divisions(t, d2)
	if st := generate(t, d2, 7, 3); st.Persons != 7 || count(t, d2, `SELECT COUNT(*) FROM persons`) != 7 {
		t.Errorf("7 persons: %+v", st)
	}
}

// TestCancelRemovesRows cancels a generation after its first transaction
// committed: what was written is deleted again.
func TestCancelRemovesRows(t *testing.T) {
	defer demo.SetTxPersons(10_000)()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		testfix.Divisions(t, d)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err := demo.Generate(ctx, d, keyring(t), demo.Options{County: testfix.County, Persons: 30000, Seed: 1, Today: today,
			Progress: func(done, total int) {
				if done > 12000 {
					cancel()
				}
			}})
		if e := apperr.As(err); e.Code != apperr.Unavailable || !strings.Contains(e.Message, "已取消") {
			t.Fatalf("cancelled generation: %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM persons`) + count(t, d, `SELECT COUNT(*) FROM households`); n != 0 {
			t.Errorf("%d rows left after a cancelled generation", n)
		}
		// The county is empty again, so a new run works.
		generate(t, d, 100, 1)
	})
}

func digest(t *testing.T, d *db.DB) string {
	t.Helper()
	h := sha256.New()
	for _, r := range query(t, d, `SELECT name, sex, birth_date, id_mask, reg_division, res_division, relation,
		mother_id, father_id, status FROM persons ORDER BY id`) {
		fmt.Fprintln(h, strings.Join(r, "|"))
	}
	for _, r := range query(t, d, `SELECT hh_no, address FROM households ORDER BY id`) {
		fmt.Fprintln(h, strings.Join(r, "|"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	var digests []string
	for _, d := range []*db.DB{dbtest.SQLite(t), dbtest.SQLite(t), dbtest.Postgres(t)} {
		testfix.Divisions(t, d)
		generate(t, d, 3000, 7)
		digests = append(digests, digest(t, d))
	}
	if digests[0] != digests[1] || digests[0] != digests[2] {
		t.Errorf("same options, different rows: %v", digests)
	}
	other := dbtest.SQLite(t)
	testfix.Divisions(t, other)
	generate(t, other, 3000, 8)
	if digest(t, other) == digests[0] {
		t.Error("a different seed gave the same rows")
	}
}

// TestLargeSample checks the population shares on 100,000 persons, where
// they must be close to their targets.
func TestLargeSample(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 persons; skipped with -short")
	}
	d := dbtest.SQLite(t)
	testfix.Divisions(t, d)
	st := generate(t, d, 100_000, 2025)
	boys := count(t, d, `SELECT COUNT(*) FROM persons WHERE birth_date > ? AND sex = 'male'`, yearsBefore(20))
	girls := count(t, d, `SELECT COUNT(*) FROM persons WHERE birth_date > ? AND sex = 'female'`, yearsBefore(20))
	alive := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive'`)
	old := count(t, d, `SELECT COUNT(*) FROM persons WHERE status = 'alive' AND birth_date <= ?`, yearsBefore(60))
	for _, s := range []struct {
		name      string
		v, lo, hi float64
	}{
		{"sex ratio of the last 20 years' births", float64(boys) / float64(girls) * 100, 103, 110},
		{"share aged 60+", pct(old, alive), 17, 21},
		{"deceased share", pct(st.Deceased, st.Persons), 0.6, 1.0},
		{"living-away share", pct(st.LivingAway, alive), 8, 12},
		{"mean household size", float64(st.Persons) / float64(st.Households), 2.8, 3.3},
	} {
		t.Logf("%s: %.2f", s.name, s.v)
		if s.v < s.lo || s.v > s.hi {
			t.Errorf("%s = %.2f, want %.1f–%.1f", s.name, s.v, s.lo, s.hi)
		}
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	const n = 100_000
	k := keyring(b)
	runs := 0
	for b.Loop() {
		runs++
		b.StopTimer()
		d := dbtest.SQLite(b)
		testfix.Divisions(b, d)
		b.StartTimer()
		if _, err := demo.Generate(context.Background(), d, k, demo.Options{County: testfix.County, Persons: n, Seed: 1, Today: today}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*runs)/b.Elapsed().Seconds(), "persons/s")
}
