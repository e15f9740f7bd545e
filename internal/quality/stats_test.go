package quality_test

import (
	"context"
	"fmt"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/idno"
	"jisheng/internal/quality"
	"jisheng/internal/testfix"
)

func TestPercent(t *testing.T) {
	cases := []struct {
		num, den int
		want     string
	}{
		{7, 9, "77.78"}, {1, 3, "33.33"}, {2, 3, "66.67"}, {1, 8, "12.50"},
		{19651, 20000, "98.26"}, // 98.255 exactly: half up
		{19649, 20000, "98.25"}, // 98.245
		{1, 40000, "0.00"},      // 0.0025
		{1, 20000, "0.01"},      // 0.005: half up
		{0, 5, "0.00"}, {5, 5, "100.00"},
		{3, 0, "<nil>"},
	}
	for _, c := range cases {
		got := "<nil>"
		if p := quality.Percent(c.num, c.den); p != nil {
			got = fmt.Sprintf("%.2f", *p)
		}
		if got != c.want {
			t.Errorf("Percent(%d, %d) = %s, want %s", c.num, c.den, got, c.want)
		}
	}
}

// population registers the fixture population of the statistics tests:
//
//	village A1: 6 complete records with valid IDs, 1 lacking its ethnicity,
//	            1 without an ID number, 1 legacy record with a wrong check character
//	village A2: 3 complete records
//	village B1: 1 complete record, 1 legacy record with an impossible birth date in its ID
//	village B2: nobody
func population(t *testing.T, e env) (invalidA1 int64) {
	t.Helper()
	a1, a2 := villageA(), testfix.Ctx(auth.RoleVillage, testfix.VillageA2)
	b1 := testfix.Ctx(auth.RoleVillage, testfix.VillageB1)
	for i := range 6 {
		e.create(t, a1, complete(fmt.Sprintf("甲%c", '一'+rune(i)), "male", fmt.Sprintf("198%d-01-01", i), testfix.VillageA1))
	}
	f := complete("甲七", "female", "1987-01-01", testfix.VillageA1)
	f.Ethnicity = ""
	e.create(t, a1, f)
	f = complete("甲八", "female", "1988-01-01", testfix.VillageA1)
	f.IDNumber = ""
	e.create(t, a1, f)
	bad := idno.Generate(testfix.County, "1989-01-01", 101)
	bad = bad[:17] + map[bool]string{true: "1", false: "2"}[bad[17] != '1']
	invalidA1 = e.insertLegacy(t, legacy{"甲九", "male", "1989-01-01", bad, testfix.VillageA1})
	for i := range 3 {
		e.create(t, a2, complete(fmt.Sprintf("乙%c", '一'+rune(i)), "female", fmt.Sprintf("197%d-02-02", i), testfix.VillageA2))
	}
	e.create(t, b1, complete("丙一", "male", "1965-03-03", testfix.VillageB1))
	e.insertLegacy(t, legacy{"丙二", "male", "1966-03-03", withCheck(testfix.County + "19660230" + "111"), testfix.VillageB1})
	e.recompute(t)
	return invalidA1
}

func pct(p *float64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *p)
}

func TestSummaryArithmetic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		population(t, e)
		county := testfix.Ctx(auth.RoleCounty, testfix.County)

		town, err := e.q.Summary(county, testfix.TownA)
		if err != nil {
			t.Fatal(err)
		}
		// Township A: 12 records, 10 complete; 11 with an ID, 10 of them valid.
		if town.Records != 12 || town.Complete != 10 || pct(town.Coverage) != "83.33" ||
			town.WithID != 11 || town.ValidID != 10 || pct(town.IDAccuracy) != "90.91" || town.Open != 3 {
			t.Fatalf("township A: %+v coverage %s accuracy %s", town.Metrics, pct(town.Coverage), pct(town.IDAccuracy))
		}
		want := map[string]string{
			testfix.VillageA1: "records 9 complete 7 cov 77.78 withID 8 valid 7 acc 87.50 open 3 invalid 1 missingID 1 missingFields 1",
			testfix.VillageA2: "records 3 complete 3 cov 100.00 withID 3 valid 3 acc 100.00 open 0 invalid 0 missingID 0 missingFields 0",
		}
		if len(town.Children) != 2 {
			t.Fatalf("children %+v", town.Children)
		}
		for _, c := range town.Children {
			got := fmt.Sprintf("records %d complete %d cov %s withID %d valid %d acc %s open %d invalid %d missingID %d missingFields %d",
				c.Records, c.Complete, pct(c.Coverage), c.WithID, c.ValidID, pct(c.IDAccuracy), c.Open,
				c.Findings[quality.RuleIDInvalid], c.Findings[quality.RuleMissingID], c.Findings[quality.RuleMissingFields])
			if got != want[c.Code] {
				t.Errorf("%s: %s\nwant %s", c.Code, got, want[c.Code])
			}
		}

		top, err := e.q.Summary(county, "")
		if err != nil {
			t.Fatal(err)
		}
		if top.Division.Code != testfix.County || top.Records != 14 || pct(top.IDAccuracy) != "84.62" || pct(top.Coverage) != "85.71" {
			t.Fatalf("county: %+v %s %s", top.Metrics, pct(top.IDAccuracy), pct(top.Coverage))
		}
		if len(top.Children) != 2 || top.Children[1].Code != testfix.TownB || pct(top.Children[1].IDAccuracy) != "50.00" {
			t.Fatalf("county children: %+v", top.Children)
		}
	})
}

func TestRanking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		population(t, e)
		rk, err := e.q.Ranking(testfix.Ctx(auth.RoleViewer, testfix.County), "", "village")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range rk.Items {
			got = append(got, fmt.Sprintf("%d %s %s/%s %s", it.Rank, it.Code, pct(it.IDAccuracy), pct(it.Coverage), pct(it.OpenPer100)))
		}
		want := []string{
			"1 " + testfix.VillageA2 + " 100.00/100.00 0.00",
			"2 " + testfix.VillageA1 + " 87.50/77.78 33.33",
			"3 " + testfix.VillageB1 + " 50.00/100.00 50.00",
			"4 " + testfix.VillageB2 + " -/- -",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("ranking\n got %v\nwant %v", got, want)
		}
		if rk.Items[1].Parent != "城关镇" || rk.Score == "" {
			t.Fatalf("parent %q score %q", rk.Items[1].Parent, rk.Score)
		}
		towns, err := e.q.Ranking(testfix.Ctx(auth.RoleCounty, testfix.County), testfix.County, "township")
		if err != nil || len(towns.Items) != 2 || towns.Items[0].Code != testfix.TownA {
			t.Fatalf("township ranking %+v %v", towns.Items, err)
		}
		_, err = e.q.Ranking(villageA(), "", "township")
		if ae := apperr.As(err); ae.Code != apperr.Invalid || ae.Field != "level" {
			t.Fatalf("village officer ranking townships: %v", err)
		}
		_, err = e.q.Ranking(villageA(), "", "county")
		if apperr.As(err).Field != "level" {
			t.Fatalf("unknown level: %v", err)
		}
	})
}

func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		invalid := population(t, e)
		list := func(ctx context.Context, f quality.Filter) ([]quality.Finding, int, error) {
			if f.Size == 0 {
				f.Page, f.Size = 1, 20
			}
			return e.q.Findings(ctx, f)
		}
		items, total, err := list(villageA(), quality.Filter{})
		if err != nil || total != 3 || len(items) != 3 {
			t.Fatalf("village A: %d %v %v", total, items, err)
		}
		for _, it := range items {
			if it.Division != testfix.VillageA1 || it.Person == nil || it.DivisionName != "城关镇 东苑社区居委会" {
				t.Fatalf("village A sees %+v", it)
			}
		}
		items, total, _ = list(villageA(), quality.Filter{Rule: quality.RuleIDInvalid})
		if total != 1 || items[0].EntityID != invalid || items[0].Person.Name != "甲九" || items[0].Detail != "校验码错误" ||
			items[0].Person.IDNumber == "" || items[0].Person.IDNumber[6:14] != "********" || items[0].RuleLabel != "身份证号无效" {
			t.Fatalf("invalid-ID finding %+v %+v", items, items[0].Person)
		}

		vb := testfix.Ctx(auth.RoleVillage, testfix.VillageB1)
		items, total, _ = list(vb, quality.Filter{})
		if total != 1 || items[0].Division != testfix.VillageB1 {
			t.Fatalf("village B sees %d: %+v", total, items)
		}
		if _, _, err := list(vb, quality.Filter{Division: testfix.VillageA1}); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("village B asking for village A: %v", err)
		}
		if _, err := e.q.Summary(vb, testfix.VillageA1); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("village B summary of village A: %v", err)
		}
		if _, err := e.q.Ranking(vb, testfix.TownA, "village"); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("village B ranking of township A: %v", err)
		}
		// A division above one's area means the area itself.
		if _, total, _ := list(vb, quality.Filter{Division: testfix.County}); total != 1 {
			t.Fatalf("village B asking for the county sees %d", total)
		}
		if _, total, _ := list(testfix.Ctx(auth.RoleTownship, testfix.TownA), quality.Filter{}); total != 3 {
			t.Fatalf("township A sees %d", total)
		}
		if _, _, err := list(villageA(), quality.Filter{Rule: "nonsense"}); apperr.As(err).Field != "rule" {
			t.Fatalf("unknown rule: %v", err)
		}
		items, total, _ = list(testfix.Ctx(auth.RoleCounty, testfix.County), quality.Filter{Page: 2, Size: 2})
		if total != 4 || len(items) != 2 {
			t.Fatalf("county page 2: %d %+v", total, items)
		}
	})
}

func TestRecomputeKeepsFindingsAndPermission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		population(t, e)
		foundAt := func() map[string]string {
			out := map[string]string{}
			rows, err := d.Reader().Query(context.Background(), `SELECT entity_id, rule, found_at FROM dq_findings`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var r, at string
				rows.Scan(&id, &r, &at)
				out[fmt.Sprint(id, r)] = at
			}
			return out
		}
		before := foundAt()
		var steps []int
		res, err := e.q.Recompute(testfix.Ctx(auth.RoleCounty, testfix.County), func(done, total int) { steps = append(steps, done) })
		if err != nil || res.Changes != (quality.Changes{}) || res.Findings != 4 || res.Division != testfix.County {
			t.Fatalf("second recompute %+v %v", res, err)
		}
		if len(steps) < 3 || steps[len(steps)-1] != len(steps) {
			t.Fatalf("progress steps %v", steps)
		}
		if after := foundAt(); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("found_at changed:\n%v\n%v", before, after)
		}
		for _, role := range []auth.Role{auth.RoleTownship, auth.RoleVillage, auth.RoleViewer} {
			_, err := e.q.Recompute(testfix.Ctx(role, testfix.VillageA1), nil)
			if apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("%s recompute: %v", role, err)
			}
		}
		if p := e.q.JobProgress(testfix.Principal(auth.RoleCounty, testfix.County)); p.Running || p.Last == nil || p.Last.Findings != 4 {
			t.Fatalf("progress after %+v", p)
		}
		if p := e.q.JobProgress(testfix.Principal(auth.RoleVillage, testfix.VillageA1)); p.Last != nil {
			t.Fatalf("a village officer sees the county's last result %+v", p.Last)
		}
		// A record fixed by a direct change no hook saw is cleared by the
		// next recompute, and so are its counts.
		ctx := context.Background()
		err = d.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE persons SET ethnicity = '汉族' WHERE name = '甲七'`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if res := e.recompute(t); res.Cleared != 1 || res.Findings != 3 {
			t.Fatalf("recompute after a direct fix: %+v", res)
		}
		var missing int
		d.Reader().QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM dq_counts WHERE tally = ?`, quality.RuleMissingFields).Scan(&missing)
		if missing != 0 {
			t.Fatalf("counts keep %d missing_fields", missing)
		}
	})
}
