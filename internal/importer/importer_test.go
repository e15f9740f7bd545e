package importer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
	"jisheng/internal/importer"
	"jisheng/internal/registry"
	"jisheng/internal/sheet"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var today = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

type env struct {
	d   *db.DB
	reg *registry.Service
	im  *importer.Importer
}

func setup(t *testing.T, d *db.DB) env {
	t.Helper()
	testfix.Divisions(t, d)
	k, err := fieldcrypt.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	j, _ := audit.New(k.AuditKey(), audit.AlgHMACSHA256)
	reg := registry.NewService(d, j, k, func() time.Time { return today })
	return env{d: d, reg: reg, im: importer.New(d, reg)}
}

const header = "姓名,性别,出生日期,公民身份号码,民族,户口性质,婚姻状况,联系电话,户籍地区划代码,现居住地区划代码,户编号,与户主关系"

// id returns a valid ID number for a birth date and a sequence (odd: male).
func id(birth string, seq int) string { return idno.Generate(testfix.County, birth, seq) }

func countyCtx() context.Context  { return testfix.Ctx(auth.RoleCounty, testfix.County) }
func villageCtx() context.Context { return testfix.Ctx(auth.RoleVillage, testfix.VillageA1) }

func (e env) run(t *testing.T, ctx context.Context, data []byte, opt importer.Options) (*importer.Result, error) {
	t.Helper()
	if opt.Kind == "" {
		opt.Kind = importer.Persons
	}
	if opt.FileName == "" {
		opt.FileName = "test.csv"
	}
	return e.im.Run(ctx, bytes.NewReader(data), int64(len(data)), opt)
}

func (e env) count(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := e.d.Reader().QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func csvFile(rows ...string) []byte {
	return []byte("\ufeff" + header + "\r\n" + strings.Join(rows, "\r\n") + "\r\n")
}

func TestImportPersonsCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		data := csvFile(
			"张伟,男,1980-03-01,"+id("19800301", 11)+",汉族,农业,初婚,13800138000,"+testfix.VillageA1+",,"+testfix.VillageA1+"-0001,户主",
			"李娜,女,1982/5/6,"+id("19820506", 22)+",汉,农业,初婚,,"+testfix.VillageA1+","+testfix.VillageB1+","+testfix.VillageA1+"-0001,配偶",
			"张小明,男,20100910,,汉族,农业,未婚,,"+testfix.VillageA2+",,,",
		)
		res, err := e.run(t, countyCtx(), data, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Applied || res.Rows != 3 || res.Valid != 3 || res.Invalid != 0 || res.Created != 3 || res.HouseholdsCreated != 1 {
			t.Fatalf("result %+v", res)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM persons`); n != 3 {
			t.Fatalf("persons %d", n)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM households WHERE hh_no = '`+testfix.VillageA1+`-0001'`); n != 1 {
			t.Fatalf("households %d", n)
		}
		// The second row: date normalised, short ethnicity accepted, residence elsewhere, masked ID stored.
		var birth, eth, res2, mask, rel string
		err = d.Reader().QueryRow(context.Background(), `SELECT birth_date, ethnicity, res_division, id_mask, relation
			FROM persons WHERE name = '李娜'`).Scan(&birth, &eth, &res2, &mask, &rel)
		if err != nil {
			t.Fatal(err)
		}
		if birth != "1982-05-06" || eth != "汉族" || res2 != testfix.VillageB1 || mask != idno.Mask(id("19820506", 22)) || rel != "spouse" {
			t.Fatalf("stored %s %s %s %s %s", birth, eth, res2, mask, rel)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'person.import'`); n != 1 {
			t.Fatalf("journal entries %d", n)
		}
		// Loading the same file again finds every ID already registered and writes nothing.
		res, err = e.run(t, countyCtx(), data, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || res.Invalid != 2 || !strings.Contains(res.Errors[0].Reason, "已登记") {
			t.Fatalf("second load %+v", res)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM persons`); n != 3 {
			t.Fatalf("persons after second load %d", n)
		}
	})
}

func TestImportEncodingsAndXLSX(t *testing.T) {
	row := "王芳,女,1990-01-02," + id("19900102", 2) + ",汉族,非农业,未婚,,341523100001,,,"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(header + "\n" + row + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	gb18030, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(header + "\n" + row + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"utf8":    []byte(header + "\n" + row + "\n"),
		"utf8bom": []byte("\ufeff" + header + "\n" + row + "\n"),
		"gbk":     gbk,
		"gb18030": gb18030,
		"xlsx":    xlsxFile(t, strings.Split(header, ","), strings.Split(row, ",")),
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			e := setup(t, dbtest.SQLite(t))
			res, err := e.run(t, countyCtx(), data, importer.Options{FileName: "f." + name})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Applied || res.Created != 1 {
				t.Fatalf("result %+v", res)
			}
			var got string
			if err := e.d.Reader().QueryRow(context.Background(), `SELECT name FROM persons`).Scan(&got); err != nil || got != "王芳" {
				t.Fatalf("name %q %v", got, err)
			}
		})
	}
}

func xlsxFile(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDryRunWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		data := csvFile("张伟,男,1980-03-01," + id("19800301", 11) + ",汉族,农业,初婚,," + testfix.VillageA1 + ",," + testfix.VillageA1 + "-0001,户主")
		res, err := e.run(t, countyCtx(), data, importer.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || res.Valid != 1 || res.Invalid != 0 || !strings.Contains(res.Message, "预检通过") {
			t.Fatalf("result %+v", res)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM persons`) + e.count(t, `SELECT COUNT(*) FROM households`); n != 0 {
			t.Fatalf("dry run wrote %d rows", n)
		}
	})
}

// TestBadRowsChangeNothing: one bad row keeps every row of the file out, and
// each bad row is reported with a reason naming its column.
func TestBadRowsChangeNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		taken := id("19700101", 31)
		if _, err := e.reg.Create(countyCtx(), registry.PersonInput{Fields: registry.Fields{Name: "已有", IDNumber: taken,
			RegisteredDivision: testfix.VillageA1}}); err != nil {
			t.Fatal(err)
		}
		good := "好人,男,1980-03-01," + id("19800301", 11) + ",汉族,农业,初婚,," + testfix.VillageA1 + ",,,"
		cases := []struct {
			row, want string
		}{
			{"未知村,男,1980-03-01,,汉族,农业,初婚,,341523100999,,,", "户籍地区划代码 341523100999 不存在"},
			{"坏日期,男,1980-02-30,,汉族,农业,初婚,," + testfix.VillageA1 + ",,,", "出生日期"},
			{"文字日期,男,去年,,汉族,农业,初婚,," + testfix.VillageA1 + ",,,", "不是日期"},
			{"坏号码,男,,34152319800101001X,汉族,农业,初婚,," + testfix.VillageA1 + ",,,", "公民身份号码"},
			{"已登记,男,1970-01-01," + taken + ",汉族,农业,初婚,," + testfix.VillageA1 + ",,,", "已登记"},
			{"重复,男,1980-03-01," + id("19800301", 11) + ",汉族,农业,初婚,," + testfix.VillageA1 + ",,,", "与文件第 2 行重复"},
			{"性别错,男人,1980-03-01,,汉族,农业,初婚,," + testfix.VillageA1 + ",,,", "性别"},
			{"婚姻错,男,1980-03-01,,汉族,农业,已婚,," + testfix.VillageA1 + ",,,", "婚姻状况"},
			{"无关系,男,1980-03-01,,汉族,农业,初婚,," + testfix.VillageA1 + ",," + testfix.VillageA1 + "-0009,", "与户主关系"},
			{"\"=HYPERLINK(\"\"x\"\")\",男,1980-03-01,,汉族,农业,初婚,," + testfix.VillageA1 + ",,,", "姓名"},
		}
		rows := []string{good}
		for _, c := range cases {
			rows = append(rows, c.row)
		}
		res, err := e.run(t, countyCtx(), csvFile(rows...), importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || res.Valid != 1 || res.Invalid != len(cases) {
			t.Fatalf("result %+v", res)
		}
		for i, c := range cases {
			got := res.Errors[i]
			if got.Line != i+3 || !strings.Contains(got.Reason, c.want) {
				t.Errorf("row %d: line %d reason %q, want %q", i+3, got.Line, got.Reason, c.want)
			}
		}
		if n := e.count(t, `SELECT COUNT(*) FROM persons`); n != 1 {
			t.Fatalf("persons %d, want only the one created before", n)
		}
		// The error report holds each bad row as it was, with its reason; a
		// cell a spreadsheet would run as a formula is neutralised.
		var buf bytes.Buffer
		if err := res.WriteErrorReport(&buf, sheet.XLSX); err != nil {
			t.Fatal(err)
		}
		rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		h := rd.Header()
		if h[0] != "原文件行号" || h[1] != "姓名" || h[len(h)-1] != "错误原因" {
			t.Fatalf("report header %v", h)
		}
		var lines int
		for {
			r, err := rd.Next()
			if err != nil {
				break
			}
			lines++
			if r.Cells[0] == "12" && !strings.HasPrefix(r.Cells[1], "'=") {
				t.Errorf("formula not neutralised: %q", r.Cells[1])
			}
			if r.Cells[0] == "3" && (r.Cells[1] != "未知村" || !strings.Contains(r.Cells[len(r.Cells)-1], "不存在")) {
				t.Errorf("report row %v", r.Cells)
			}
		}
		if lines != len(cases) {
			t.Fatalf("report rows %d", lines)
		}
	})
}

func TestFileProblems(t *testing.T) {
	e := setup(t, dbtest.SQLite(t))
	valid := csvFile("好人,男,1980-03-01,,汉族,农业,初婚,," + testfix.VillageA1 + ",,,")
	cases := []struct {
		name  string
		data  []byte
		limit int64
		want  string
	}{
		{"zero bytes", nil, 0, "文件为空"},
		{"header only", []byte(header + "\n"), 0, ""},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), 0, "不是"},
		{"old xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00\x00\x00\x00\x00"), 0, "不是"},
		{"missing headers", []byte("姓名,性别\n张三,男\n"), 0, "缺少表头"},
		{"unknown header", []byte(header + ",备注说明\n"), 0, "无法识别的表头"},
		{"too large", valid, 10, "大小上限"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := e.run(t, countyCtx(), c.data, importer.Options{Limit: c.limit})
			if c.want == "" {
				if err != nil || res.Rows != 0 || res.Applied && res.Created != 0 {
					t.Fatalf("%+v %v", res, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if ae, ok := err.(*apperr.Error); !ok || ae.Field != "file" && ae.Field != "" {
				t.Fatalf("error %#v should concern the file", err)
			}
		})
	}
	if n := e.count(t, `SELECT COUNT(*) FROM persons`); n != 0 {
		t.Fatalf("persons %d", n)
	}
}

// TestScope: a village officer may load only persons of their own village.
func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		data := csvFile(
			"本村,男,1980-03-01,,汉族,农业,初婚,,"+testfix.VillageA1+",,,",
			"外村,男,1980-03-01,,汉族,农业,初婚,,"+testfix.VillageB1+",,,",
		)
		res, err := e.run(t, villageCtx(), data, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || res.Invalid != 1 || res.Errors[0].Line != 3 || !strings.Contains(res.Errors[0].Reason, "管辖范围") {
			t.Fatalf("result %+v", res)
		}
		viewer := testfix.Ctx(auth.RoleViewer, testfix.County)
		if _, err := e.run(t, viewer, data, importer.Options{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("viewer: %v", err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM persons`); n != 0 {
			t.Fatalf("persons %d", n)
		}
	})
}

func TestHouseholdHeads(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		hh := testfix.VillageA1 + "-0007"
		data := csvFile(
			"户主一,男,1960-01-01,,汉族,农业,初婚,,"+testfix.VillageA1+",,"+hh+",户主",
			"户主二,男,1961-01-01,,汉族,农业,初婚,,"+testfix.VillageA1+",,"+hh+",户主",
			"外村人,男,1962-01-01,,汉族,农业,初婚,,"+testfix.VillageA2+",,"+hh+",子女",
		)
		res, err := e.run(t, countyCtx(), data, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Invalid != 2 || !strings.Contains(res.Errors[0].Reason, "已有户主（文件第 2 行）") || !strings.Contains(res.Errors[1].Reason, "所在村") {
			t.Fatalf("result %+v", res.Errors)
		}
	})
}

func TestImportHouseholds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		h := "户编号,户所在区划代码,地址\n" +
			",341523100001,东苑 1 号\n" +
			",341523100001,东苑 2 号\n" +
			"A-1,341523100202,沙埂 3 号\n"
		res, err := e.run(t, countyCtx(), []byte(h), importer.Options{Kind: importer.Households})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Applied || res.Created != 3 {
			t.Fatalf("result %+v", res)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM households WHERE hh_no IN ('341523100001-0001', '341523100001-0002', 'A-1')`); n != 3 {
			t.Fatalf("households %d", n)
		}
		res, err = e.run(t, countyCtx(), []byte("户编号,户所在区划代码,地址\nA-1,341523100202,重复\nB-2,341523101200,外\n"),
			importer.Options{Kind: importer.Households})
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || res.Invalid != 1 || !strings.Contains(res.Errors[0].Reason, "已存在") {
			t.Fatalf("result %+v", res)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM households`); n != 3 {
			t.Fatalf("households %d", n)
		}
	})
}

func TestTemplates(t *testing.T) {
	for _, k := range importer.Kinds {
		for _, f := range []sheet.Format{sheet.XLSX, sheet.CSV} {
			var buf bytes.Buffer
			if err := importer.WriteTemplate(&buf, k, f); err != nil {
				t.Fatal(err)
			}
			rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), 1<<20)
			if err != nil {
				t.Fatalf("%s %s: %v", k, f, err)
			}
			g, _ := importer.TemplateGuide(k)
			if strings.Join(rd.Header(), ",") != strings.Join(g.Columns, ",") {
				t.Fatalf("%s header %v", k, rd.Header())
			}
			rd.Close()
		}
	}
	g, _ := importer.TemplateGuide(importer.Persons)
	for _, want := range strings.Split(header, ",") {
		if !strings.Contains(strings.Join(g.Columns, ","), want) {
			t.Errorf("persons template lacks %s", want)
		}
	}
}

func TestImportEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := countyCtx()
		mk := func(name, birth string, seq int) string {
			n := id(strings.ReplaceAll(birth, "-", ""), seq)
			if _, err := e.reg.Create(ctx, registry.PersonInput{Fields: registry.Fields{Name: name, IDNumber: n,
				MaritalStatus: "unmarried", RegisteredDivision: testfix.VillageA1}}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		wife, husband, grandpa := mk("王芳", "1995-02-03", 22), mk("李强", "1993-04-05", 13), mk("李老汉", "1940-01-01", 15)
		head := "公民身份号码,姓名,事件类型,事件日期,性别,母亲身份号码,父亲身份号码,配偶身份号码,配偶姓名,地点,原因,区划代码\n"
		good := head +
			wife + ",王芳,初婚,2024-05-01,,,," + husband + ",,,,\n" +
			",李小宝,出生,2025-06-07,男," + wife + "," + husband + ",,,县医院,," + testfix.VillageA1 + "\n" +
			grandpa + ",李老汉,死亡,2026-01-02,,,,,,家中,疾病,\n"
		bad := good + husband + ",李刚,离婚,2026-02-01,,,,,,,,\n"

		res, err := e.run(t, ctx, []byte(bad), importer.Options{Kind: importer.Events})
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied || res.Invalid != 1 || res.Errors[0].Line != 5 || !strings.Contains(res.Errors[0].Reason, "姓名") {
			t.Fatalf("bad file %+v", res)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM person_events`); n != 0 {
			t.Fatalf("events after a refused file: %d", n)
		}
		res, err = e.run(t, ctx, []byte(good), importer.Options{Kind: importer.Events, DryRun: true})
		if err != nil || res.Invalid != 0 || res.Valid != 3 || res.Applied {
			t.Fatalf("dry run %+v %v", res, err)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM person_events`); n != 0 {
			t.Fatalf("events after a dry run: %d", n)
		}
		res, err = e.run(t, ctx, []byte(good), importer.Options{Kind: importer.Events})
		if err != nil || !res.Applied || res.Created != 3 {
			t.Fatalf("apply %+v %v", res, err)
		}
		var status, spouse string
		if err := d.Reader().QueryRow(context.Background(), `SELECT p.status, s.name FROM persons p
			JOIN persons w ON w.name = '王芳' JOIN persons s ON s.id = w.spouse_id WHERE p.name = '李老汉'`).Scan(&status, &spouse); err != nil {
			t.Fatal(err)
		}
		if status != "deceased" || spouse != "李强" {
			t.Fatalf("state %s %s", status, spouse)
		}
		if n := e.count(t, `SELECT COUNT(*) FROM persons WHERE name = '李小宝' AND mother_id IS NOT NULL AND father_id IS NOT NULL`); n != 1 {
			t.Fatalf("newborn %d", n)
		}
	})
}
