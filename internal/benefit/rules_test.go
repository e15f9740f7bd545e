package benefit

import (
	"slices"
	"strings"
	"testing"
)

func member(id int64, sex, birth string) Member {
	return Member{ID: id, Name: "成员" + itoa(int(id)), Sex: sex, Birth: birth, Hukou: "agricultural", County: "341523"}
}

func died(m Member, on string) Member { m.DeathDate = on; return m }

// golden is one row of a program's boundary table.
type golden struct {
	name     string
	facts    Facts
	date     string
	layers   []Param
	eligible bool
	monthly  int64
	annual   int64
	failed   string // a label among the failed criteria, when not eligible
}

func runGolden(t *testing.T, program string, rows []golden) {
	t.Helper()
	for _, g := range rows {
		d, ok := Evaluate(program, g.facts, g.date, g.layers)
		if !ok {
			t.Fatalf("%s: unknown program", g.name)
		}
		if d.Eligible != g.eligible || d.MonthlyFen != g.monthly || d.AnnualFen != g.annual {
			t.Errorf("%s: eligible %v monthly %d annual %d (failed %v), want %v %d %d", g.name, d.Eligible, d.MonthlyFen,
				d.AnnualFen, d.Failed(), g.eligible, g.monthly, g.annual)
		}
		if !g.eligible && (g.failed == "" || !slices.ContainsFunc(d.Failed(), func(l string) bool { return strings.Contains(l, g.failed) })) {
			t.Errorf("%s: failed criteria %v do not include %q", g.name, d.Failed(), g.failed)
		}
		if d.Eligible && (len(d.Params) == 0 || d.ParamVersion() == "") {
			t.Errorf("%s: no parameter version recorded", g.name)
		}
		for _, r := range d.Reasons {
			if r.Label == "" || r.Code == "" {
				t.Errorf("%s: reason without a name: %+v", g.name, r)
			}
		}
	}
}

func TestJiangFuBoundaries(t *testing.T) {
	father := member(1, "male", "1966-03-15")
	son, daughter, daughter2 := member(2, "male", "1990-01-01"), member(3, "female", "1992-01-01"), member(4, "female", "1995-01-01")
	base := Facts{Person: father, Children: []Member{son}, Attested: map[string]string{AttestPolicyCompliant: "yes"}}
	with := func(mod func(f *Facts)) Facts {
		f := base
		f.Children = slices.Clone(base.Children)
		f.Attested = map[string]string{AttestPolicyCompliant: "yes"}
		mod(&f)
		return f
	}
	resident := with(func(f *Facts) { f.Person.Hukou = "resident" })
	widen := []Param{{JiangFu, "hukou", "341523", "2024-01-01", "agricultural,resident", "本县：城乡居民户口一并纳入"}}
	topups := []Param{{JiangFu, "topup_annual", "341523", "2024-01-01", "24000", "本县每人每年加发240元"},
		{JiangFu, "topup_annual", "34", "2020-01-01", "12000", "本省每人每年加发120元"}}
	old := with(func(f *Facts) { f.Person.Birth = "1945-05-05" })
	runGolden(t, JiangFu, []golden{
		{"the day before the 60th birthday", base, "2026-03-14", nil, false, 0, 0, "年满规定年龄"},
		{"the 60th birthday", base, "2026-03-15", nil, true, 8000, 96000, ""},
		{"600 yuan in 2008", old, "2008-06-30", nil, true, 5000, 60000, ""},
		{"720 yuan in 2011", old, "2011-12-31", nil, true, 6000, 72000, ""},
		{"960 yuan from 2012", old, "2012-01-01", nil, true, 8000, 96000, ""},
		{"born before 1933", with(func(f *Facts) { f.Person.Birth = "1932-12-31" }), "2026-03-15", nil, false, 0, 0, "出生日期"},
		{"born on 1 January 1933", with(func(f *Facts) { f.Person.Birth = "1933-01-01" }), "2026-03-15", nil, true, 8000, 96000, ""},
		{"the day before his death", with(func(f *Facts) { f.Person.DeathDate = "2026-05-01" }), "2026-04-30", nil, true, 8000, 96000, ""},
		{"the day of his death", with(func(f *Facts) { f.Person.DeathDate = "2026-05-01" }), "2026-05-01", nil, false, 0, 0, "健在"},
		{"not yet checked by the village", with(func(f *Facts) { delete(f.Attested, AttestPolicyCompliant) }), "2026-03-15", nil, false, 0, 0, "无政策外生育"},
		{"a son and a daughter", with(func(f *Facts) { f.Children = append(f.Children, daughter) }), "2026-03-15", nil, false, 0, 0, "现存一个子女"},
		{"two daughters", with(func(f *Facts) { f.Children = []Member{daughter, daughter2} }), "2026-03-15", nil, true, 8000, 96000, ""},
		{"the only son died", with(func(f *Facts) { f.Children = []Member{died(son, "2010-01-01")} }), "2026-03-15", nil, true, 8000, 96000, ""},
		{"never had a child", with(func(f *Facts) { f.Children = nil }), "2026-03-15", nil, false, 0, 0, "现存一个子女"},
		{"a new child after the first died", with(func(f *Facts) {
			f.Children = []Member{died(son, "2010-01-01"), member(5, "male", "2026-04-01")}
		}), "2026-04-01", nil, true, 8000, 96000, ""},
		{"resident registration, national rule", resident, "2026-03-15", widen, true, 8000, 96000, ""},
		{"resident registration before the county widened it", resident, "2023-12-31", append(widen, Param{JiangFu, "min_age", "", "2004-01-01", "55", "test"}), false, 0, 0, "户口性质"},
		{"province and county top-ups add", base, "2026-03-15", topups, true, 11000, 132000, ""},
	})
}

func TestTeFuBoundaries(t *testing.T) {
	wife := member(1, "female", "1977-06-10")
	husband := member(2, "male", "1975-01-01")
	child := member(3, "male", "2000-01-01")
	deadChild := died(child, "2020-01-01")
	couple := func(me, spouse Member, kids ...Member) Facts {
		return Facts{Person: me, Spouse: &spouse, Children: kids, Attested: map[string]string{}}
	}
	disabled := func(level int) Member { c := child; c.Disability = level; return c }
	single := Facts{Person: member(4, "male", "1977-06-10"), Children: []Member{deadChild}, Attested: map[string]string{}}
	comp := Facts{Person: member(5, "female", "1985-01-01"), Children: []Member{child}, Attested: map[string]string{AttestComplication: "1"}}
	bothFacts := couple(wife, husband, deadChild)
	bothFacts.Attested = map[string]string{AttestComplication: "3"}
	runGolden(t, TeFu, []golden{
		{"the day before the wife turns 49", couple(wife, husband, deadChild), "2026-06-09", nil, false, 0, 0, "女方"},
		{"the day she turns 49", couple(wife, husband, deadChild), "2026-06-10", nil, true, 59000, 708000, ""},
		{"her husband, by her age", couple(husband, wife, deadChild), "2026-06-10", nil, true, 59000, 708000, ""},
		{"her husband the day before", couple(husband, wife, deadChild), "2026-06-09", nil, false, 0, 0, "女方"},
		{"a single father by his own age", single, "2026-06-10", nil, true, 59000, 708000, ""},
		{"the day before the child died", couple(wife, husband, died(child, "2026-07-01")), "2026-06-30", nil, false, 0, 0, "死亡或伤残"},
		{"the day the child died", couple(wife, husband, died(child, "2026-07-01")), "2026-07-01", nil, true, 59000, 708000, ""},
		{"disability level 2", couple(wife, husband, disabled(2)), "2026-06-10", nil, true, 46000, 552000, ""},
		{"disability level 4", couple(wife, husband, disabled(4)), "2026-06-10", nil, false, 0, 0, "死亡或伤残"},
		{"a new child adopted", couple(wife, husband, deadChild, member(6, "female", "2026-07-01")), "2026-07-01", nil, false, 0, 0, "只生育或收养一个子女"},
		{"before the adoption", couple(wife, husband, deadChild, member(6, "female", "2026-07-01")), "2026-06-30", nil, true, 59000, 708000, ""},
		{"before the 2022 rates", couple(member(7, "female", "1970-01-01"), husband, deadChild), "2022-06-30", nil, false, 0, 0, "发放标准"},
		{"the first day of the 2022 rates", couple(member(7, "female", "1970-01-01"), husband, deadChild), "2022-07-01", nil, true, 59000, 708000, ""},
		{"surgery complication level 1", comp, "2026-06-10", nil, true, 52000, 624000, ""},
		{"a death and a complication", bothFacts, "2026-06-10", nil, true, 85000, 1020000, ""},
	})
}

func TestOnlyChildReward(t *testing.T) {
	child := member(2, "female", "1994-08-20")
	f := Facts{Person: member(1, "female", "1968-01-01"), Children: []Member{child},
		Attested: map[string]string{AttestOnlyChildCert: "1995-05-01", AttestOnlyChildCertFor: "2"}}
	noCert := Facts{Person: f.Person, Children: f.Children, Attested: map[string]string{}}
	henan := []Param{{OnlyChild, "monthly_amount", "41", "2006-01-01", "2000", "河南：每月20元"}}
	f41 := f
	f41.Person.County = "410102"
	runGolden(t, OnlyChild, []golden{
		{"the day before the child turns 18", f, "2012-08-19", nil, true, 1000, 12000, ""},
		{"the child's 18th birthday", f, "2012-08-20", nil, false, 0, 0, "未满规定年龄"},
		{"before the certificate", f, "1995-04-30", nil, false, 0, 0, "光荣证"},
		{"no certificate", noCert, "2000-01-01", nil, false, 0, 0, "光荣证"},
		{"a province's own amount", f41, "2010-01-01", henan, true, 2000, 24000, ""},
		{"that amount does not reach other provinces", f, "2010-01-01", henan, true, 1000, 12000, ""},
	})
}

func TestChildcareBoundaries(t *testing.T) {
	parent := member(9, "female", "1995-01-01")
	child := func(birth string) Facts {
		return Facts{Person: member(1, "male", birth), Parents: []Member{parent}, Attested: map[string]string{}}
	}
	runGolden(t, Childcare, []golden{
		{"before the scheme", child("2024-06-01"), "2024-12-31", nil, false, 0, 0, "已实施"},
		{"born in 2023: the 12 months of 2025", child("2023-06-15"), "2025-01-01", nil, true, 30000, 360000, ""},
		{"born in 2023: January to May 2026", child("2023-06-15"), "2026-06-14", nil, true, 30000, 150000, ""},
		{"the third birthday", child("2023-06-15"), "2026-06-15", nil, false, 0, 0, "未满规定年龄"},
		{"born in March 2025: ten months", child("2025-03-10"), "2025-03-10", nil, true, 30000, 300000, ""},
		{"the day before birth", child("2025-03-10"), "2025-03-09", nil, false, 0, 0, "已出生"},
		{"a child who died", func() Facts { f := child("2025-03-10"); f.Person.DeathDate = "2025-09-01"; return f }(), "2025-09-01", nil, false, 0, 0, "健在"},
		{"no parent to apply", Facts{Person: member(1, "male", "2025-03-10"), Attested: map[string]string{}}, "2025-06-01", nil, false, 0, 0, "申领人"},
		{"a county top-up", child("2025-03-10"), "2025-06-01",
			[]Param{{Childcare, "topup_annual", "341523", "2025-01-01", "60000", "本县每孩每年加发600元"}}, true, 30000, 360000, ""},
	})
}

func TestChildcareMonths(t *testing.T) {
	cases := []struct {
		birth, from, to string
		want            int
	}{
		{"2023-06-15", "2025-01-01", "2030-12-31", 17}, // 36 months less the 19 before 2025
		{"2025-03-10", "2025-01-01", "2030-12-31", 36},
		{"2024-12-31", "2025-01-01", "2030-12-31", 35},
		{"2022-01-01", "2025-01-01", "2030-12-31", 0}, // three before the scheme began
		{"2022-02-01", "2025-01-01", "2030-12-31", 1}, // January 2025 only
		{"2025-03-10", "2026-01-01", "2026-12-31", 12},
		{"2025-03-10", "2028-01-01", "2028-12-31", 2}, // January and February 2028
		{"bad", "2025-01-01", "2030-12-31", 0},
	}
	for _, c := range cases {
		if got := ChildcareMonths(c.birth, "2025-01-01", 3, c.from, c.to); got != c.want {
			t.Errorf("born %s, %s–%s: %d months, want %d", c.birth, c.from, c.to, got, c.want)
		}
	}
}

func TestLocalProgramFromParameters(t *testing.T) {
	girl := member(1, "female", "2015-03-01")
	sister := member(2, "female", "2012-01-01")
	brother := member(3, "male", "2018-01-01")
	f := func(sibs ...Member) Facts {
		return Facts{Person: girl, Siblings: append([]Member{girl}, sibs...), Attested: map[string]string{}}
	}
	anyHukou := []Param{{LocalGirl, "hukou", "341523", "2025-06-01", "", "本县：不限户口性质"}}
	town := f(sister)
	town.Person.Hukou = "non_agricultural"
	runGolden(t, LocalGirl, []golden{
		{"a girl in a daughters-only family", f(sister), "2025-03-01", nil, true, 4166, 50000, ""},
		{"with a living brother", f(brother), "2025-03-01", nil, false, 0, 0, "纯女户"},
		{"the day before she turns 18", f(), "2033-02-28", nil, true, 4166, 50000, ""},
		{"her 18th birthday", f(), "2033-03-01", nil, false, 0, 0, "年龄"},
		{"a town girl under the national example", town, "2025-06-01", nil, false, 0, 0, "户口"},
		{"a town girl once the county drops the condition", town, "2025-06-01", anyHukou, true, 4166, 50000, ""},
		{"before the program starts", f(), "2024-12-31", nil, false, 0, 0, "年龄"},
	})
}

func TestParamsLayering(t *testing.T) {
	layers := []Param{
		{JiangFu, "annual_amount", "34", "2020-01-01", "100000", "province"},
		{JiangFu, "annual_amount", "341523", "2025-01-01", "110000", "county"},
		{JiangFu, "annual_amount", "341522", "2019-01-01", "999999", "another county"},
	}
	cases := []struct {
		county, date, want string
	}{
		{"341523", "2019-12-31", "96000"},  // national
		{"341523", "2020-01-01", "100000"}, // province from 2020
		{"341523", "2025-01-01", "110000"}, // county from 2025
		{"341501", "2025-01-01", "100000"}, // another county of the province
		{"110101", "2025-01-01", "96000"},  // another province
	}
	for _, c := range cases {
		p := NewParams(JiangFu, c.county, c.date, layers)
		if got := p.Text("annual_amount"); got != c.want {
			t.Errorf("%s on %s: %s, want %s", c.county, c.date, got, c.want)
		}
		if v := p.Version(); len(v) != 1 || v[0].Value != c.want {
			t.Errorf("%s on %s: version %+v", c.county, c.date, v)
		}
	}
}

func TestMaskName(t *testing.T) {
	cases := map[string]string{"张三": "张*", "张建国": "张*国", "欧阳修文": "欧**文", "李": "李", "": "", " 王芳 ": "王*"}
	for in, want := range cases {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskAccount(t *testing.T) {
	cases := map[string]string{"6217000012345678": "6217********5678", "62170000123": "6217***0123", "12345678": "********"}
	for in, want := range cases {
		if got := MaskAccount(NormalizeAccount(in)); got != want {
			t.Errorf("MaskAccount(%q) = %q, want %q", in, got, want)
		}
	}
	if got := MaskAccount(NormalizeAccount("6217 0000-1234 5678")); got != "6217********5678" {
		t.Errorf("typed with spaces and dashes: %q", got)
	}
}
