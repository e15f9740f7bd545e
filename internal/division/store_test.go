package division

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
)

func load(t testing.TB, d *db.DB, county, validFrom string) (int, error) {
	t.Helper()
	var n int
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		var err error
		n, err = LoadCounty(context.Background(), tx, county, validFrom)
		return err
	})
	return n, err
}

func mustLoad(t testing.TB, d *db.DB, county string) int {
	t.Helper()
	n, err := load(t, d, county, "")
	if err != nil {
		t.Fatalf("LoadCounty(%s): %v", county, err)
	}
	return n
}

func codesOf(ds []Division) string {
	var s []string
	for _, d := range ds {
		s = append(s, d.Code)
	}
	return strings.Join(s, " ")
}

func countRows(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM divisions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func assertCode(t *testing.T, err error, code apperr.Code, field, msg string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not *apperr.Error (want %s %q)", err, code, msg)
	}
	if ae.Code != code || ae.Field != field || ae.Message != msg {
		t.Errorf("error = {%s %q %q}, want {%s %q %q}", ae.Code, ae.Field, ae.Message, code, field, msg)
	}
}

func TestLoadCounty(t *testing.T) {
	defaultFixture(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if n := mustLoad(t, d, "341523"); n != 12 {
			t.Errorf("first load: %d new, want 12", n)
		}
		if n := mustLoad(t, d, "341523"); n != 0 {
			t.Errorf("second load: %d new, want 0", n)
		}
		if n := countRows(t, d); n != 12 {
			t.Errorf("%d rows after loading twice, want 12", n)
		}
		// A neighbour shares the province and city.
		if n := mustLoad(t, d, "341522"); n != 3 {
			t.Errorf("neighbour county: %d new, want 3", n)
		}
		if n := mustLoad(t, d, "419001"); n != 5 {
			t.Errorf("419001: %d new, want 5", n)
		}

		r := d.Reader()
		v, err := Get(ctx, r, "341523100201")
		if err != nil {
			t.Fatal(err)
		}
		want := Division{Code: "341523100201", Name: "桃溪村委会", Level: LevelVillage, ParentCode: "341523100",
			Path: "/34/3415/341523/341523100/341523100201/", Source: SourceNBS, ValidFrom: DataDate}
		if v != want {
			t.Errorf("Get = %+v, want %+v", v, want)
		}
		p, err := Get(ctx, r, "34")
		if err != nil || p.ParentCode != "" || !p.HasChildren || p.Path != "/34/" {
			t.Errorf("Get(34) = %+v, %v", p, err)
		}
		_, err = Get(ctx, r, "341523999")
		assertCode(t, err, apperr.NotFound, "", "区划不存在")

		kids, err := Children(ctx, r, "341523")
		if err != nil {
			t.Fatal(err)
		}
		if got := codesOf(kids); got != "341523001 341523100 341523200 341523400" {
			t.Errorf("Children(341523) = %s", got)
		}
		for _, k := range kids {
			if !k.HasChildren {
				t.Errorf("%s: HasChildren = false", k.Code)
			}
		}
		kids, err = Children(ctx, r, "341523100")
		if err != nil {
			t.Fatal(err)
		}
		if got := codesOf(kids); got != "341523100001 341523100201" || kids[0].HasChildren {
			t.Errorf("Children(341523100) = %s (%+v)", got, kids)
		}
		if kids, _ := Children(ctx, r, ""); codesOf(kids) != "34 41" {
			t.Errorf("Children(\"\") = %s", codesOf(kids))
		}
		if kids, err := Children(ctx, r, "999999"); err != nil || len(kids) != 0 {
			t.Errorf("Children(unknown) = %v, %v", kids, err)
		}
		for _, c := range []struct {
			area  string
			level int
			want  string
		}{
			{"/34/3415/341523/", LevelVillage, "341523001001 341523100001 341523100201 341523200200 341523400498"},
			{"/34/3415/341523/341523100/", LevelVillage, "341523100001 341523100201"},
			{"/34/3415/341523/341523100/341523100201/", LevelVillage, "341523100201"},
			{"/34/", LevelCounty, "341522 341523"},
			{"/41/", LevelVillage, "419001001001"},
		} {
			if got, err := Within(ctx, r, c.area, c.level); err != nil || codesOf(got) != c.want {
				t.Errorf("Within(%s, %d) = %s, %v; want %s", c.area, c.level, codesOf(got), err, c.want)
			}
		}
		roots, err := Roots(ctx, r)
		if err != nil || codesOf(roots) != "341522 341523 419001" {
			t.Errorf("Roots = %s, %v", codesOf(roots), err)
		}
		anc, err := Ancestors(ctx, r, v)
		if err != nil || codesOf(anc) != "34 3415 341523 341523100" {
			t.Errorf("Ancestors = %s, %v", codesOf(anc), err)
		}
		if anc[2].Name != "舒城县" || anc[0].Level != LevelProvince || !anc[3].HasChildren {
			t.Errorf("Ancestors = %+v", anc)
		}
		if anc, err := Ancestors(ctx, r, p); err != nil || len(anc) != 0 {
			t.Errorf("Ancestors(province) = %v, %v", anc, err)
		}
		jy, _ := Get(ctx, r, "419001")
		if anc, _ := Ancestors(ctx, r, jy); codesOf(anc) != "41 4190" || anc[1].Name != "省直辖县级行政区划" {
			t.Errorf("Ancestors(419001) = %+v", anc)
		}
	})
}

func TestLoadCountyErrors(t *testing.T) {
	defaultFixture(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, err := load(t, d, "341599", "")
		assertCode(t, err, apperr.Invalid, "county", "未找到区县代码 341599：请使用国家统计局2023年统计用区划代码中的县级代码")
		_, err = load(t, d, "3415", "")
		assertCode(t, err, apperr.Invalid, "county", "区县代码应为6位数字")
		_, err = load(t, d, "341523", "2024/01/01")
		assertCode(t, err, apperr.Invalid, "valid_from", "生效日期应为 YYYY-MM-DD 格式的日期")
		if n := countRows(t, d); n != 0 {
			t.Errorf("%d rows after failed loads", n)
		}
		if n, err := load(t, d, "341522", "2024-01-01"); err != nil || n != 5 {
			t.Fatalf("load with date: %d, %v", n, err)
		}
		g, err := Get(context.Background(), d.Reader(), "341522100001")
		if err != nil || g.ValidFrom != "2024-01-01" {
			t.Errorf("valid_from = %q, %v", g.ValidFrom, err)
		}
	})
}

func TestLoadCountyBulk(t *testing.T) {
	defaultFixture(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		start := time.Now()
		if n := mustLoad(t, d, "341525"); n != 508 {
			t.Errorf("%d new, want 508", n)
		}
		t.Logf("loaded 500 villages in %v", time.Since(start))
		kids, err := Children(context.Background(), d.Reader(), "341525104")
		if err != nil || len(kids) != 100 || kids[99].Code != "341525104100" {
			t.Errorf("Children = %d, %v", len(kids), err)
		}
	})
}

func addGroup(t testing.TB, d *db.DB, village, name string) (Division, error) {
	t.Helper()
	var g Division
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		var err error
		g, err = AddGroup(context.Background(), tx, village, name)
		return err
	})
	return g, err
}

func TestAddGroup(t *testing.T) {
	defaultFixture(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustLoad(t, d, "341523")
		const village = "341523100201"
		today := time.Now().Format(time.DateOnly)

		g1, err := addGroup(t, d, village, " 第一村民组 ")
		if err != nil {
			t.Fatal(err)
		}
		want := Division{Code: village + "001", Name: "第一村民组", Level: LevelGroup, ParentCode: village,
			Path: "/34/3415/341523/341523100/341523100201/341523100201001/", Source: SourceLocal, ValidFrom: today}
		if g1 != want {
			t.Errorf("AddGroup = %+v, want %+v", g1, want)
		}
		if got, err := Get(ctx, d.Reader(), g1.Code); err != nil || got != g1 {
			t.Errorf("Get(group) = %+v, %v", got, err)
		}
		g2, err := addGroup(t, d, village, "第二村民组")
		if err != nil || g2.Code != village+"002" {
			t.Fatalf("second group = %+v, %v", g2, err)
		}
		// Another village numbers from 001 on its own.
		if g, err := addGroup(t, d, "341523100001", "第一村民组"); err != nil || g.Code != "341523100001001" {
			t.Errorf("other village = %+v, %v", g, err)
		}
		v, _ := Get(ctx, d.Reader(), village)
		if !v.HasChildren {
			t.Error("village with groups: HasChildren = false")
		}
		kids, _ := Children(ctx, d.Reader(), village)
		if codesOf(kids) != village+"001 "+village+"002" {
			t.Errorf("Children(village) = %s", codesOf(kids))
		}

		long := strings.Repeat("组", MaxNameLen)
		tests := []struct {
			village, name string
			code          apperr.Code
			field, msg    string
		}{
			{village, "", apperr.Invalid, "name", "请填写村民小组名称"},
			{village, " 　", apperr.Invalid, "name", "请填写村民小组名称"},
			{village, long + "组", apperr.Invalid, "name", "村民小组名称不能超过50个字"},
			{village, "第三\n组", apperr.Invalid, "name", "村民小组名称不能包含换行、制表符等控制字符"},
			{village, "第一村民组", apperr.Conflict, "name", "桃溪村委会已有名为“第一村民组”的村民小组"},
			{"341523100", "第一组", apperr.Invalid, "parent_code", "村民小组只能添加在村（居）委会下"},
			{village + "001", "第一组", apperr.Invalid, "parent_code", "村民小组只能添加在村（居）委会下"},
			{"341523100999", "第一组", apperr.NotFound, "", "区划不存在"},
			{"abc", "第一组", apperr.NotFound, "", "区划不存在"},
		}
		for _, tt := range tests {
			_, err := addGroup(t, d, tt.village, tt.name)
			assertCode(t, err, tt.code, tt.field, tt.msg)
		}
		if n := countRows(t, d); n != 15 {
			t.Errorf("%d rows after refused groups, want 15", n)
		}
		// 50 characters are accepted.
		g3, err := addGroup(t, d, village, long)
		if err != nil || g3.Code != village+"003" {
			t.Errorf("50-character name: %+v, %v", g3, err)
		}

		// Numbers continue after the highest used, never filling gaps, and an
		// abolished group's name may be used again.
		err = d.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE divisions SET code = ?, path = ? WHERE code = ?`,
				village+"010", PathOf(village+"010"), g3.Code)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE divisions SET valid_to = ? WHERE code = ?`, "2025-12-31", g1.Code)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if g, err := addGroup(t, d, village, "第一村民组"); err != nil || g.Code != village+"011" {
			t.Errorf("after 010: %+v, %v", g, err)
		}

		// An abolished village takes no new groups; a full one neither.
		err = d.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE divisions SET valid_to = ? WHERE code = ?`, "2025-12-31", "341523200200")
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO divisions (code, name, level, parent_code, path, source, valid_from, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, "341523100001999", "第999组", LevelGroup, "341523100001",
				PathOf("341523100001999"), SourceLocal, today, db.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = addGroup(t, d, "341523200200", "第一组")
		assertCode(t, err, apperr.Invalid, "parent_code", "该村（居）委会已撤销，不能再添加村民小组")
		_, err = addGroup(t, d, "341523100001", "第二组")
		assertCode(t, err, apperr.Invalid, "name", "该村（居）委会的村民小组编号已用完（最多999个）")
	})
}

func TestDisplayNames(t *testing.T) {
	defaultFixture(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		mustLoad(t, d, "341523")
		g, err := addGroup(t, d, "341523100001", "第一村民组")
		if err != nil {
			t.Fatal(err)
		}
		r := d.Reader()
		got, err := DisplayNames(ctx, r, []string{"341523100001", g.Code, "341523100", "341523", "34",
			"341523100001", "341523100999", "bad", "", "341523200200"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"341523100001": "城关镇 东苑社区居委会",
			g.Code:         "城关镇 东苑社区居委会 第一村民组",
			"341523100":    "城关镇",
			"341523":       "舒城县",
			"34":           "安徽省",
			"341523200200": "春秋乡 春秋村委会",
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("DisplayNames = %v, want %v", got, want)
		}
		// A township asked for directly after being a prefix of another code.
		got, _ = DisplayNames(ctx, r, []string{"341523100001", "341523100"})
		if got["341523100"] != "城关镇" || len(got) != 2 {
			t.Errorf("DisplayNames = %v", got)
		}
		if got, err := DisplayNames(ctx, r, nil); err != nil || len(got) != 0 {
			t.Errorf("DisplayNames(nil) = %v, %v", got, err)
		}
		name, err := DisplayName(ctx, r, "341523100201")
		if err != nil || name != "城关镇 桃溪村委会" {
			t.Errorf("DisplayName = %q, %v", name, err)
		}
		_, err = DisplayName(ctx, r, "341523100999")
		assertCode(t, err, apperr.NotFound, "", "区划不存在")
	})
}

// TestLoadRealCounty loads 舒城县 from the embedded data on both engines.
func TestLoadRealCounty(t *testing.T) {
	requireData(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := time.Now()
		if n := mustLoad(t, d, "341523"); n != 451 {
			t.Errorf("loaded %d, want 451", n)
		}
		t.Logf("LoadCounty(341523) in %v", time.Since(start))
		kids, err := Children(ctx, d.Reader(), "341523")
		if err != nil || len(kids) != 22 {
			t.Errorf("22 townships expected, got %d, %v", len(kids), err)
		}
		name, err := DisplayName(ctx, d.Reader(), "341523100001")
		if err != nil || name != "城关镇 东苑社区居委会" {
			t.Errorf("DisplayName = %q, %v", name, err)
		}
	})
}

// BenchmarkLoadCounty loads 舒城县 (451 divisions) into a fresh SQLite database.
func BenchmarkLoadCounty(b *testing.B) {
	requireData(b)
	for b.Loop() {
		b.StopTimer()
		d := dbtest.SQLite(b)
		b.StartTimer()
		mustLoad(b, d, "341523")
	}
}
