package stats_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/health"
	"jisheng/internal/idno"
	"jisheng/internal/quality"
	"jisheng/internal/stats"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// person is a fixture row of persons.
type person struct {
	id                         int64
	sex, birth, village, hukou string
	marital, status, death     string
	mother, father, spouse     int64
}

// The fixture county, figures worked out by hand below. Today is
// 2026-12-20; the year is 2026.
//
//	A1: 1 mother (1995, married, non-agricultural), 2 her husband, 3 their
//	    girl (2020), 4 their boy (2026-02-10: 二孩, urban); 5 a woman (1980,
//	    married) whose husband 6 is sterilised; 7 her boy (2026-07-01, 三孩,
//	    rural) after 8 (2005) and 9 (2008)
//	A2: 10 a married woman born 1976-12-31 (50 on the last day of 2026),
//	    11 a married woman (2001) with an IUD, 12 her girl (2026-09-09,
//	    一孩), 13 a man who died 2026-03-03, 14 one who died 2025-11-11
//	B1: 15 a girl (2026-01-01, 一孩) of 16 (1998, married, condoms
//	    2026-03-01 to 2026-10-01), 17 a boy (2026-12-31, mother unknown)
//	B2: 18 a married woman who moved out of the county
var fixturePersons = []person{
	{id: 1, sex: "female", birth: "1995-03-10", village: testfix.VillageA1, hukou: "non_agricultural", marital: "first_married", spouse: 2},
	{id: 2, sex: "male", birth: "1993-01-01", village: testfix.VillageA1, marital: "first_married", spouse: 1},
	{id: 3, sex: "female", birth: "2020-05-01", village: testfix.VillageA1, mother: 1, father: 2},
	{id: 4, sex: "male", birth: "2026-02-10", village: testfix.VillageA1, mother: 1, father: 2},
	{id: 5, sex: "female", birth: "1980-06-15", village: testfix.VillageA1, marital: "remarried", spouse: 6},
	{id: 6, sex: "male", birth: "1978-03-03", village: testfix.VillageA1, marital: "first_married", spouse: 5},
	{id: 7, sex: "male", birth: "2026-07-01", village: testfix.VillageA1, mother: 5, father: 6},
	{id: 8, sex: "female", birth: "2005-01-20", village: testfix.VillageA1, mother: 5, father: 6},
	{id: 9, sex: "male", birth: "2008-08-08", village: testfix.VillageA1, mother: 5, father: 6},
	{id: 10, sex: "female", birth: "1976-12-31", village: testfix.VillageA2, marital: "first_married"},
	{id: 11, sex: "female", birth: "2001-04-01", village: testfix.VillageA2, marital: "first_married"},
	{id: 12, sex: "female", birth: "2026-09-09", village: testfix.VillageA2, mother: 11},
	{id: 13, sex: "male", birth: "1940-01-01", village: testfix.VillageA2, status: "deceased", death: "2026-03-03"},
	{id: 14, sex: "male", birth: "1950-01-01", village: testfix.VillageA2, status: "deceased", death: "2025-11-11"},
	{id: 15, sex: "female", birth: "2026-01-01", village: testfix.VillageB1, mother: 16},
	{id: 16, sex: "female", birth: "1998-02-02", village: testfix.VillageB1, marital: "first_married"},
	{id: 17, sex: "male", birth: "2026-12-31", village: testfix.VillageB1},
	{id: 18, sex: "female", birth: "1990-01-01", village: testfix.VillageB2, marital: "first_married", status: "moved_out"},
}

func nullable(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
	case int64:
		if x == 0 {
			return nil
		}
	}
	return v
}

func seed(t *testing.T, d *db.DB) {
	t.Helper()
	testfix.Divisions(t, d)
	ctx := context.Background()
	now := db.Now()
	err := d.Tx(ctx, func(tx *db.Tx) (err error) {
		exec := func(q string, args ...any) {
			if err == nil {
				_, err = tx.Exec(ctx, q, args...)
			}
		}
		for _, p := range fixturePersons {
			hukou, status := p.hukou, p.status
			if hukou == "" {
				hukou = "agricultural"
			}
			if status == "" {
				status = "alive"
			}
			path := testfix.Path(p.village)
			exec(`INSERT INTO persons (id, name, sex, birth_date, id_mask, hukou_type, marital_status, reg_division, reg_path,
				res_division, res_path, status, death_date, created_at, created_by, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'fixture', ?, 'fixture')`,
				p.id, fmt.Sprintf("人员%d", p.id), p.sex, p.birth, "341523********00"+fmt.Sprintf("%02d", p.id), hukou,
				nullable(p.marital), p.village, path, p.village, path, status, nullable(p.death), now, now)
		}
		for _, p := range fixturePersons {
			exec(`UPDATE persons SET mother_id = ?, father_id = ?, spouse_id = ? WHERE id = ?`,
				nullable(p.mother), nullable(p.father), nullable(p.spouse), p.id)
		}
		// Marriages: 11's first marriage; 16's in 2025; 5's remarriage
		// corrected to a day later (counted once); 1's voided.
		event := func(id, person int64, kind, date, village string, corrects int64) {
			exec(`INSERT INTO person_events (id, person_id, kind, event_date, corrects_id, division_path, created_at, created_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'fixture')`, id, person, kind, date, nullable(corrects), testfix.Path(village), now)
		}
		event(1, 11, "first_marriage", "2026-05-20", testfix.VillageA2, 0)
		event(2, 16, "first_marriage", "2025-06-01", testfix.VillageB1, 0)
		event(3, 5, "remarriage", "2026-08-08", testfix.VillageA1, 0)
		event(4, 5, "remarriage", "2026-08-09", testfix.VillageA1, 3)
		event(5, 1, "first_marriage", "2026-01-15", testfix.VillageA1, 0)
		event(6, 1, "void", "2026-01-15", testfix.VillageA1, 5)
		// Methods: 6 sterilised (counts for his wife 5), 11 an IUD, 16
		// condoms that ended before the year did.
		use := func(person int64, method, since, until string) {
			exec(`INSERT INTO contraceptive_use (person_id, method, since, until, source, recorded_by, created_at)
				VALUES (?, ?, ?, ?, 'officer', 'fixture', ?)`, person, method, since, nullable(until), now)
		}
		use(6, "male_sterilisation", "2015-01-01", "")
		use(11, "iud", "2024-05-01", "")
		use(16, "condom", "2026-03-01", "2026-10-01")
		use(1, "none", "2026-01-01", "")
		// Health cases and their steps.
		caseID := int64(0)
		openCase := func(program string, person int64, village, opened, status, closed string) int64 {
			caseID++
			exec(`INSERT INTO health_cases (id, program, person_id, division_code, division_path, stage, status, opened_on,
				closed_on, created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, 'x', ?, ?, ?, ?, 'fixture', ?, 'fixture')`,
				caseID, program, person, village, testfix.Path(village), status, opened, nullable(closed), now, now)
			return caseID
		}
		step := func(c int64, stage, date, code string) {
			exec(`INSERT INTO health_steps (case_id, stage, step_date, code, recorded_by, created_at) VALUES (?, ?, ?, ?, 'fixture', ?)`,
				c, stage, date, nullable(code), now)
		}
		step(openCase(health.PostOp, 11, testfix.VillageA2, "2024-05-01", "closed", "2024-11-01"), "procedure", "2024-05-01", "iud_insertion")
		step(openCase(health.PostOp, 1, testfix.VillageA1, "2026-04-04", "open", ""), "procedure", "2026-04-04", "induced_abortion")
		postop16 := openCase(health.PostOp, 16, testfix.VillageB1, "2026-06-06", "open", "")
		step(postop16, "procedure", "2026-06-06", "induced_abortion")
		s1 := openCase(health.Screening, 1, testfix.VillageA1, "2026-03-01", "closed", "2026-03-10")
		s5 := openCase(health.Screening, 5, testfix.VillageA1, "2026-03-01", "closed", "2026-06-01")
		s10 := openCase(health.Screening, 10, testfix.VillageA2, "2026-03-01", "open", "")
		for _, c := range []int64{s1, s5, s10} {
			step(c, "examined", "2026-03-01", "")
		}
		step(s1, "result", "2026-03-10", "normal")
		step(s5, "result", "2026-03-10", "positive")
		step(s10, "result", "2026-03-10", "suspicious")
		step(s5, "diagnosis", "2026-04-01", "cin2")
		step(s10, "diagnosis", "2026-04-01", "cin1")
		step(s5, "treatment", "2026-05-01", "")
		p1 := openCase(health.PrePreg, 1, testfix.VillageA1, "2026-02-01", "open", "")
		p11 := openCase(health.PrePreg, 11, testfix.VillageA2, "2026-02-01", "open", "")
		step(p1, "enrolled", "2026-02-01", "")
		step(p11, "enrolled", "2026-02-01", "")
		step(p11, "examined", "2026-03-01", "")
		exec(`INSERT INTO health_tasks (division_code, year, program, number, updated_at, updated_by) VALUES (?, 2026, ?, 4, ?, 'fixture')`,
			testfix.County, health.PrePreg, now)
		exec(`INSERT INTO health_tasks (division_code, year, program, number, updated_at, updated_by) VALUES (?, 2026, ?, 2, ?, 'fixture')`,
			testfix.VillageA2, health.PrePreg, now)
		// Follow-ups of 16's procedure: on time, late, missed, and one due next year.
		visit := func(seq int, due string, window int, status, done string) {
			exec(`INSERT INTO health_visits (case_id, person_id, program, kind, seq, division_path, due_on, window_days, planned_on,
				status, done_on, created_at, updated_at) VALUES (?, 16, ?, 'week1', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				postop16, health.PostOp, seq, testfix.Path(testfix.VillageB1), due, window, due, status, nullable(done), now, now)
		}
		visit(1, "2026-06-13", 3, "done", "2026-06-15")
		visit(2, "2026-07-06", 7, "done", "2026-07-20")
		visit(3, "2026-09-06", 7, "open", "")
		visit(4, "2027-01-06", 7, "open", "")
		// Benefits: a 2026-Q1 奖扶 cycle with two lines paid and one failed.
		exec(`INSERT INTO benefit_cycles (id, program, period, period_from, period_to, division_code, division_path, line_count,
			total_fen, created_by, created_at) VALUES (1, 'jiangfu', '2026-Q1', '2026-01-01', '2026-03-31', ?, ?, 3, 72000, 'fixture', ?)`,
			testfix.County, testfix.Path(testfix.County), now)
		for i, p := range []int64{2, 6, 13} {
			village := fixturePersons[p-1].village
			exec(`INSERT INTO benefit_candidates (id, program, year, person_id, source, division_path, stage, annual_fen, created_at,
				created_by, updated_at) VALUES (?, 'jiangfu', 2026, ?, 'sweep', ?, 'payroll', 96000, ?, 'fixture', ?)`,
				i+1, p, testfix.Path(village), now, now)
			status := "paid"
			if p == 13 {
				status = "failed"
			}
			exec(`INSERT INTO benefit_payroll_lines (cycle_id, seq, candidate_id, payee_id, account_enc, account_mask, account_name,
				bank, months, amount_fen, trace, status, division_path) VALUES (1, ?, ?, ?, ?, '6217********0000', '人员', '农商银行',
				3, 24000, '[]', ?, ?)`, i+1, i+1, p, []byte{0}, status, testfix.Path(village))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// now is the fixture's clock, settable by a test that moves time on.
var now = time.Date(2026, 12, 20, 2, 0, 0, 0, time.UTC)

func countyCtx() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County) }

func rowOf(t *testing.T, rep stats.Report, code string) stats.Row {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("no row %s", code)
	return stats.Row{}
}

func val(f *float64) string {
	if f == nil {
		return "—"
	}
	return fmt.Sprint(*f)
}

func TestIndicatorsByHand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seed(t, d)
		svc := newService(t, d)
		rep, err := svc.Report(countyCtx(), stats.ReportInput{Period: "2026"})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			code  string
			num   int64
			den   int64 // -1: none
			value string
		}{
			// 15 alive on 2026-12-31 (not 13, 14 dead, 18 moved out).
			{"population", 15, -1, "15"},
			{"births", 5, -1, "5"},
			{"births_first", 2, -1, "2"},
			{"births_second", 1, -1, "1"},
			{"births_third_plus", 1, -1, "1"},
			{"births_urban", 1, -1, "1"},
			{"births_rural", 4, -1, "4"},
			// 3 boys (4, 7, 17), 2 girls (12, 15): 150.0.
			{"sex_ratio_at_birth", 3, 2, "150"},
			// Average population (11 + 15) ÷ 2 = 13: 5 ÷ 13 × 1000 = 384.615…
			{"birth_rate", 5, 13, "384.62"},
			{"deaths", 1, -1, "1"},
			{"death_rate", 1, 13, "76.92"},
			{"natural_growth_rate", 4, 13, "307.69"},
			{"marriages", 2, -1, "2"},
			// 1, 5, 11, 16; 10 turned 50 on 2026-12-31; 18 moved out.
			{"married_women_15_49", 4, -1, "4"},
			{"contraceptive_users", 2, -1, "2"},
			{"contraceptive_rate", 2, 4, "50"},
			{"procedures", 2, -1, "2"},
			{"abortion_birth_ratio", 2, 5, "0.4"},
			{"prepreg_examined", 1, -1, "1"},
			{"prepreg_completion", 1, 4, "25"},
			{"prepreg_coverage", 1, 2, "50"},
			// 1 and 5 of 1, 5 and 10 are 15–49.
			{"exam_rate", 2, 4, "50"},
			{"screening_examined", 3, -1, "3"},
			{"screening_positive", 2, -1, "2"},
			{"screening_positive_rate", 2, 3, "66.67"},
			{"screening_diagnosed", 2, -1, "2"},
			{"screening_treatment_rate", 1, 1, "100"},
			{"screening_closure_rate", 2, 3, "66.67"},
			{"follow_ups_due", 3, -1, "3"},
			{"follow_up_timeliness", 1, 3, "33.33"},
			{"benefit_recipients", 2, -1, "2"},
			{"benefit_amount", 48000, -1, "480"},
		}
		for _, c := range cases {
			r := rowOf(t, rep, c.code)
			den := int64(-1)
			if r.Den != nil {
				den = *r.Den
			}
			if r.Num != c.num || den != c.den || val(r.Value) != c.value {
				t.Errorf("%s (%s): num %d den %d value %s, want %d %d %s", c.code, r.Name, r.Num, den, val(r.Value), c.num, c.den, c.value)
			}
		}
		if br := rowOf(t, rep, "birth_rate"); br.DenStart == nil || *br.DenStart != 11 || *br.DenEnd != 15 {
			t.Errorf("birth rate's populations: %+v", br.Figure)
		}
		// Children: the two townships.
		births := rowOf(t, rep, "births")
		if len(rep.Children) != 2 || len(births.Children) != 2 || births.Children[0].Num != 3 || births.Children[1].Num != 2 {
			t.Errorf("births by township: %+v %+v", rep.Children, births.Children)
		}
		parts := map[string]int64{}
		for _, p := range births.Parts {
			parts[p.By+"="+p.Key] = p.Value
		}
		for k, want := range map[string]int64{"sex=male": 3, "sex=female": 2, "code=1": 2, "code=2": 1, "code=3": 1, "code=": 1,
			"urban=1": 1, "urban=0": 4} {
			if parts[k] != want {
				t.Errorf("births part %s = %d, want %d", k, parts[k], want)
			}
		}
	})
}

// TestEveryFigureDrillsDown lists the records behind every figure and
// part of the fixture's reports and compares their number with the figure.
func TestEveryFigureDrillsDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seed(t, d)
		svc := newService(t, d)
		for _, p := range []string{"2026", "2025", "2026-SY", "2026-Q3", "2026-12"} {
			rep, err := svc.Report(countyCtx(), stats.ReportInput{Period: p})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Rows {
				check := func(term string, want int64, by, key, division string) {
					page, err := svc.Records(countyCtx(), stats.RecordQuery{Indicator: r.Code, Term: term, Period: p, By: by, Key: key,
						Division: division, Page: 1, Size: 1000})
					if err != nil {
						t.Fatalf("%s %s %s: %v", p, r.Code, term, err)
					}
					got := int64(page.Total)
					if r.NumTerm.Sum && term == "num" {
						got = page.AmountFen
					}
					if got != want {
						t.Errorf("%s %s %s %s=%s in %s: %d records, figure %d", p, r.Code, term, by, key, division, got, want)
					}
				}
				if r.NumTerm.Minus == nil {
					check("num", r.Num, "", "", "")
					for _, c := range r.Children {
						check("num", c.Num, "", "", c.Division)
					}
					for _, part := range r.Parts {
						check("num", part.Value, part.By, part.Key, "")
					}
				}
				if r.Den != nil && r.DenTerm.Task == "" && !r.DenTerm.Average {
					check("den", *r.Den, "", "", "")
				}
			}
		}
	})
}

func TestPeriodsAndScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seed(t, d)
		svc := newService(t, d)
		// The statistical year 2026 runs 2025-10-01 to 2026-09-30: births
		// 4, 7, 12, 15 (not 17, born 2026-12-31); deaths 13 and 14.
		rep, err := svc.Report(countyCtx(), stats.ReportInput{Period: "2026-SY", Indicators: []string{"births", "deaths", "married_women_15_49"}})
		if err != nil {
			t.Fatal(err)
		}
		if b, dd := rowOf(t, rep, "births"), rowOf(t, rep, "deaths"); b.Num != 4 || dd.Num != 2 {
			t.Errorf("statistical year: births %d deaths %d", b.Num, dd.Num)
		}
		// On 2025-12-31 woman 10 was 49 (and 18 had not yet moved: the
		// fixture moved her without events, so she is out in every period).
		rep, err = svc.Report(countyCtx(), stats.ReportInput{Period: "2025", Indicators: []string{"married_women_15_49"}})
		if err != nil {
			t.Fatal(err)
		}
		if w := rowOf(t, rep, "married_women_15_49"); w.Num != 5 {
			t.Errorf("2025 married women 15-49: %d, want 5", w.Num)
		}
		// Paging: the five 2026 births two at a time, in village then date order.
		var seen []int64
		for page := 1; page <= 3; page++ {
			rp, err := svc.Records(countyCtx(), stats.RecordQuery{Indicator: "births", Period: "2026", Page: page, Size: 2})
			if err != nil || rp.Total != 5 {
				t.Fatalf("page %d: %+v %v", page, rp, err)
			}
			for _, r := range rp.Items {
				seen = append(seen, r.PersonID)
			}
		}
		if fmt.Sprint(seen) != "[4 7 12 15 17]" {
			t.Errorf("births over three pages: %v", seen)
		}
		// A village sees its own figures; another's division is not found.
		village := testfix.Ctx(auth.RoleVillage, testfix.VillageA1)
		rep, err = svc.Report(village, stats.ReportInput{Period: "2026", Indicators: []string{"births"}})
		if err != nil || rowOf(t, rep, "births").Num != 2 || len(rep.Children) != 0 {
			t.Errorf("village report: %+v %v", rep, err)
		}
		_, err = svc.Report(village, stats.ReportInput{Period: "2026", Division: testfix.VillageB1})
		wantCode(t, err, apperr.NotFound, "division")
		_, err = svc.Records(village, stats.RecordQuery{Indicator: "births", Period: "2026", Division: testfix.VillageB1})
		wantCode(t, err, apperr.NotFound, "division")
		_, err = svc.Report(countyCtx(), stats.ReportInput{Period: "2026-13"})
		wantCode(t, err, apperr.Invalid, "period")
		_, err = svc.Report(countyCtx(), stats.ReportInput{Period: "2026", Indicators: []string{"planned_birth_rate"}})
		wantCode(t, err, apperr.Invalid, "indicators")
		_, err = svc.Records(countyCtx(), stats.RecordQuery{Indicator: "prepreg_completion", Term: "den", Period: "2026"})
		wantCode(t, err, apperr.Invalid, "term")
		_, err = svc.Records(countyCtx(), stats.RecordQuery{Indicator: "births", By: "age", Key: "1", Period: "2026"})
		wantCode(t, err, apperr.Invalid, "by")
	})
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code || (field != "" && ae.Field != field) {
		t.Fatalf("error %v, want %s on %q", err, code, field)
	}
}

func TestTrendSumsToTheYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seed(t, d)
		svc := newService(t, d)
		tr, err := svc.Trend(countyCtx(), stats.ReportInput{Period: "2026", Indicators: []string{"births", "population"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Months) != 12 {
			t.Fatalf("%d months", len(tr.Months))
		}
		var births []int64
		var sum int64
		// Figures come in report order: population, then births.
		for _, m := range tr.Months {
			if m.Figures[0].Code != "population" || m.Figures[1].Code != "births" {
				t.Fatalf("order %+v", m.Figures)
			}
			births = append(births, m.Figures[1].Num)
			sum += m.Figures[1].Num
		}
		want := []int64{1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1} // 15, 4, 7, 12, 17
		if fmt.Sprint(births) != fmt.Sprint(want) || sum != 5 {
			t.Errorf("births by month %v, want %v", births, want)
		}
		// Population at the end of March: the 11 of 2025-12-31, less 13
		// (died 3 March), plus 15 and 4 born in January and February.
		if got := tr.Months[2].Figures[0].Num; got != 12 {
			t.Errorf("population at the end of March: %d, want 12", got)
		}
		// From 2027 on, months have not begun on 2026-12-20.
		next, err := svc.Trend(countyCtx(), stats.ReportInput{Period: "2027-Q1", Indicators: []string{"births"}})
		if err != nil || !next.Months[0].Future || len(next.Months[0].Figures) != 0 {
			t.Errorf("future months: %+v %v", next.Months, err)
		}
		_, err = svc.Trend(countyCtx(), stats.ReportInput{Period: "2026"})
		wantCode(t, err, apperr.Invalid, "indicators")
	})
}

// TestTrendEqualsMonthlyReports holds every indicator's trend figure to
// the report of that month: the trend counts dated flows once for the
// year, by month, and everything else month by month.
func TestTrendEqualsMonthlyReports(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seed(t, d)
		svc := newService(t, d)
		var codes []string
		for _, in := range stats.Indicators() {
			codes = append(codes, in.Code)
		}
		for start := 0; start < len(codes); start += 6 {
			batch := codes[start:min(start+6, len(codes))]
			tr, err := svc.Trend(countyCtx(), stats.ReportInput{Period: "2026", Indicators: batch})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tr.Months {
				rep, err := svc.Report(countyCtx(), stats.ReportInput{Period: m.Period.Code, Indicators: batch})
				if err != nil {
					t.Fatal(err)
				}
				if m.Future {
					continue
				}
				for i, f := range m.Figures {
					got, _ := json.Marshal(f.Figure)
					want, _ := json.Marshal(rep.Rows[i].Figure)
					if rep.Rows[i].Code != f.Code || string(got) != string(want) {
						t.Errorf("%s in %s: trend %s, report %s", f.Code, m.Period.Code, got, want)
					}
				}
			}
		}
	})
}

func newService(t *testing.T, d *db.DB) *stats.Service {
	_, j := testfix.Keys(t)
	return stats.NewService(d, j, func() time.Time { return now })
}

// TestDataQualityAgreesWithTheQualityPage computes the data-quality
// findings of the fixture and compares the two indicators with the
// figures the data-quality page shows, for the county and each township.
func TestDataQualityAgreesWithTheQualityPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seed(t, d)
		k, j := testfix.Keys(t)
		// Persons 1, 2 and 5 get valid ID numbers and every required field;
		// 6 an ID number whose check character is wrong.
		ids := map[int64]string{1: idno.Generate(testfix.County, "1995-03-10", 22), 2: idno.Generate(testfix.County, "1993-01-01", 31),
			5: idno.Generate(testfix.County, "1980-06-15", 42)}
		bad := idno.Generate(testfix.County, "1978-03-03", 51)
		ids[6] = bad[:17] + map[bool]string{true: "0", false: "1"}[bad[17] != '0']
		if err := d.Tx(context.Background(), func(tx *db.Tx) error {
			for id, number := range ids {
				enc, err := k.Encrypt("id_number", number)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(context.Background(), `UPDATE persons SET id_enc = ?, id_bidx = ?, ethnicity = '汉族',
					marital_status = COALESCE(marital_status, 'first_married') WHERE id = ?`, enc, k.BlindIndex("id_number", number), id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		dq := quality.NewService(d, j, k, func() time.Time { return now })
		if _, err := dq.Recompute(countyCtx(), nil); err != nil {
			t.Fatal(err)
		}
		page, err := dq.Summary(countyCtx(), "")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := newService(t, d).Report(countyCtx(), stats.ReportInput{Period: "2026", Indicators: []string{"dq_coverage", "dq_id_accuracy"}})
		if err != nil {
			t.Fatal(err)
		}
		cov, acc := rowOf(t, rep, "dq_coverage"), rowOf(t, rep, "dq_id_accuracy")
		if int(cov.Num) != page.Complete || int(*cov.Den) != page.Records || int(acc.Num) != page.ValidID || int(*acc.Den) != page.WithID {
			t.Errorf("stats %d/%d, %d/%d; quality page %d/%d, %d/%d", cov.Num, *cov.Den, acc.Num, *acc.Den,
				page.Complete, page.Records, page.ValidID, page.WithID)
		}
		if page.Records != 18 || page.WithID != 4 || page.ValidID != 3 || page.Complete != 4 {
			t.Errorf("quality page %+v, want 18 records, 4 with an ID, 3 valid, 4 complete (a wrong ID is still there)", page.Metrics)
		}
		for i, c := range page.Children {
			if int(cov.Children[i].Num) != c.Complete || int(*cov.Children[i].Den) != c.Records {
				t.Errorf("%s: stats %+v, page %+v", c.Code, cov.Children[i], c.Metrics)
			}
		}
		// The figures come from the kept counts; the records behind them
		// are read row by row, and agree.
		svc := newService(t, d)
		for _, r := range []stats.Row{cov, acc} {
			for _, term := range []struct {
				name string
				want int64
			}{{"num", r.Num}, {"den", *r.Den}} {
				rp, err := svc.Records(countyCtx(), stats.RecordQuery{Indicator: r.Code, Term: term.name, Period: "2026", Size: 1})
				if err != nil || int64(rp.Total) != term.want {
					t.Errorf("%s %s: %d records, figure %d (%v)", r.Code, term.name, rp.Total, term.want, err)
				}
			}
		}
	})
}

// TestReportByVillage holds the county's report by village (全县分村) to
// the county's own report for the county's figures and breakdowns, and to
// each township's report for its villages' figures, in every kind of
// period; each village's figure drills down to as many records.
func TestReportByVillage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seed(t, d)
		svc := newService(t, d)
		for _, p := range []string{"2026", "2025", "2026-SY", "2026-Q3", "2026-H1", "2026-12"} {
			county, err := svc.Report(countyCtx(), stats.ReportInput{Period: p})
			if err != nil {
				t.Fatal(err)
			}
			byVillage, err := svc.Report(countyCtx(), stats.ReportInput{Period: p, By: stats.ByVillage})
			if err != nil {
				t.Fatal(err)
			}
			if byVillage.By != stats.ByVillage || len(byVillage.Rows) != len(county.Rows) {
				t.Fatalf("%s: by %q, %d rows", p, byVillage.By, len(byVillage.Rows))
			}
			want := map[string]stats.ChildFigure{} // row code and village → figure
			var villages []stats.DivisionRef
			for _, town := range county.Children {
				rep, err := svc.Report(countyCtx(), stats.ReportInput{Period: p, Division: town.Code})
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range rep.Children {
					v.Parent, v.ParentName = town.Code, town.Name
					villages = append(villages, v)
				}
				for _, r := range rep.Rows {
					for _, c := range r.Children {
						want[r.Code+"/"+c.Division] = c
					}
				}
			}
			if !reflect.DeepEqual(byVillage.Children, villages) {
				t.Errorf("%s: villages\n%+v\nwant\n%+v", p, byVillage.Children, villages)
			}
			for i, r := range byVillage.Rows {
				c := county.Rows[i]
				if r.Code != c.Code || !reflect.DeepEqual(r.Figure, c.Figure) || !reflect.DeepEqual(r.Parts, c.Parts) {
					t.Errorf("%s %s: county by village %+v %+v, county %+v %+v", p, r.Code, r.Figure, r.Parts, c.Figure, c.Parts)
				}
				if len(r.Children) != len(villages) {
					t.Fatalf("%s %s: %d village figures for %d villages", p, r.Code, len(r.Children), len(villages))
				}
				for _, v := range r.Children {
					if w := want[r.Code+"/"+v.Division]; !reflect.DeepEqual(v, w) {
						t.Errorf("%s %s in %s: %s, township's report %s", p, r.Code, v.Division, figureText(v.Figure), figureText(w.Figure))
					}
					if r.NumTerm.Minus != nil {
						continue
					}
					page, err := svc.Records(countyCtx(), stats.RecordQuery{Indicator: r.Code, Period: p, Division: v.Division, Page: 1, Size: 1000})
					if err != nil {
						t.Fatal(err)
					}
					got := int64(page.Total)
					if r.NumTerm.Sum {
						got = page.AmountFen
					}
					if got != v.Num {
						t.Errorf("%s %s in %s: %d records, figure %d", p, r.Code, v.Division, got, v.Num)
					}
				}
			}
		}
		// A township's report by village is its own report.
		town, err := svc.Report(countyCtx(), stats.ReportInput{Period: "2026", Division: testfix.TownA, By: stats.ByVillage})
		if err != nil || len(town.Children) != 2 || town.Children[0].Parent != "" {
			t.Errorf("township by village: %+v %v", town.Children, err)
		}
		_, err = svc.Report(countyCtx(), stats.ReportInput{Period: "2026", By: "group"})
		wantCode(t, err, apperr.Invalid, "by")
	})
}

func figureText(f stats.Figure) string {
	b, _ := json.Marshal(f)
	return string(b)
}
