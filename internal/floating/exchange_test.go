package floating_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/floating"
	"jisheng/internal/idno"
	"jisheng/internal/registry"
	"jisheng/internal/sheet"
	"jisheng/internal/testfix"
)

func countyA() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County) }
func countyB() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County2) }

// sameEngine opens a second, empty database on d's engine: the other
// county's installation.
func sameEngine(t *testing.T, d *db.DB) *db.DB {
	if d.Dialect() == db.Postgres {
		return dbtest.Postgres(t)
	}
	return dbtest.SQLite(t)
}

// exportFile builds the exchange file as the download would, audit entry included.
func exportFile(t *testing.T, svc *floating.Service, ctx context.Context, county string, f sheet.Format) []byte {
	t.Helper()
	exp, err := svc.ExchangeExport(ctx, county, f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, f, exp.Sheet, exp.Header)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := exp.Rows(func(cells []string) error { n++; return w.Write(cells) }); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := exp.Done(n); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAll(t *testing.T, data []byte) [][]string {
	t.Helper()
	rd, err := sheet.Open(bytes.NewReader(data), int64(len(data)), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	out := [][]string{rd.Header()}
	for {
		row, err := rd.Next()
		if err != nil {
			break
		}
		out = append(out, append([]string(nil), row.Cells...))
	}
	return out
}

// personIn registers a person of village code in the registry.
func (e env) personIn(t *testing.T, ctx context.Context, code, name, id string) registry.Person {
	t.Helper()
	p, err := e.reg.Create(ctx, registry.PersonInput{Fields: registry.Fields{Name: name, IDNumber: id, RegisteredDivision: code}})
	if err != nil {
		t.Fatalf("person %s: %v", name, err)
	}
	return p
}

var (
	zhangID = idno.Generate(testfix.County, "1992-05-06", 31)  // A's resident living in B, known to B: matched
	liID    = idno.Generate(testfix.County, "1990-01-01", 22)  // A's resident living in B, unknown to B: new
	wangID  = idno.Generate(testfix.County, "1985-01-01", 11)  // A's resident, B has him under another name: conflicting
	chenID  = idno.Generate(testfix.County2, "1995-08-09", 42) // B's resident living in A: new for B
	farID   = idno.Generate(testfix.County, "1988-02-02", 51)  // A's resident living in a third county: not exported
)

// countyAData fills county A's register; it returns A's service.
func countyAData(t *testing.T, d *db.DB) env {
	a := setup(t, d)
	ctx := countyA()
	for _, p := range []struct{ name, id, county string }{
		{"张伟", zhangID, testfix.County2}, {"李娜", liID, testfix.County2}, {"王强", wangID, testfix.County2},
		{"赵磊", farID, "320571"},
	} {
		person := a.personIn(t, ctx, testfix.VillageA1, p.name, p.id)
		a.create(t, ctx, floating.EntryInput{Direction: floating.Out, PersonID: &person.ID, Place: "霍邱县城关镇",
			OtherCounty: p.county, Since: "2024-03-01", Phone: "13912345678"})
	}
	a.create(t, ctx, floating.EntryInput{Direction: floating.In, Name: "陈静", IDNumber: chenID, Phone: "13700002222",
		Place: "霍邱县城关镇师部社区", OtherCounty: testfix.County2, Division: testfix.VillageA2, Since: "2025-02-01"})
	// Someone whose origin is unknown is not exported to anyone.
	a.create(t, ctx, floating.EntryInput{Direction: floating.In, Name: "周敏", Sex: "female", BirthDate: "1990-01-01",
		Place: "河南省固始县", Division: testfix.VillageA1, Since: "2026-01-01"})
	return a
}

// countyBData fills county B's register: 张伟 known and consistent (origin
// county still blank), 王强 known as 王刚, 陈静 a registered resident
// without an "out" entry.
func countyBData(t *testing.T, d *db.DB) env {
	b := setup(t, d)
	ctx := countyB()
	b.create(t, ctx, floating.EntryInput{Direction: floating.In, Name: "张伟", IDNumber: zhangID, Place: "舒城县",
		Division: testfix.Village2, Since: "2024-03-05"})
	b.create(t, ctx, floating.EntryInput{Direction: floating.In, Name: "王刚", IDNumber: wangID, Place: "舒城县",
		OtherCounty: testfix.County, Division: testfix.Village2, Since: "2024-03-05"})
	b.personIn(t, ctx, testfix.Village2, "陈静", chenID)
	return b
}

func TestExchangeRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		a := countyAData(t, d)
		file := exportFile(t, a.svc, countyA(), testfix.County2, sheet.XLSX)
		rows := readAll(t, file)
		if strings.Join(rows[0], ",") != "方向,姓名,性别,出生日期,公民身份号码,联系电话,户籍地区划代码,现居住地(描述),现居住地区县代码,流动日期,导出县代码" {
			t.Fatalf("header %v", rows[0])
		}
		if len(rows) != 5 {
			t.Fatalf("exported %d rows, want 4: %v", len(rows)-1, rows)
		}
		byID := map[string][]string{}
		for _, r := range rows[1:] {
			byID[r[4]] = r
			if r[10] != testfix.County {
				t.Fatalf("导出县代码 %q", r[10])
			}
		}
		if r := byID[zhangID]; r == nil || r[0] != "流出" || r[1] != "张伟" || r[2] != "男" || r[3] != "1992-05-06" ||
			r[5] != "13912345678" || r[6] != testfix.VillageA1 || r[8] != testfix.County2 || r[9] != "2024-03-01" {
			t.Fatalf("流出 row %v", r)
		}
		if r := byID[chenID]; r == nil || r[0] != "流入" || r[6] != testfix.County2 || !strings.Contains(r[7], "沙埂村") ||
			r[8] != testfix.County || r[5] != "13700002222" {
			t.Fatalf("流入 row %v", r)
		}
		if byID[farID] != nil {
			t.Fatal("a resident living in a third county was exported")
		}

		bdb := sameEngine(t, d)
		b := countyBData(t, bdb)
		imp := func(dry bool, village string) floating.ImportReport {
			t.Helper()
			rep, err := b.svc.Import(countyB(), bytes.NewReader(file), int64(len(file)),
				floating.ImportOptions{County: testfix.County, Village: village, DryRun: dry})
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		rep := imp(true, "")
		want := floating.ImportSummary{Total: 4, Matched: 1, New: 2, Conflicting: 1}
		if rep.Summary != want {
			t.Fatalf("dry run summary %+v, want %+v: %+v", rep.Summary, want, rep.Rows)
		}
		for _, r := range rep.Rows {
			if r.Status == floating.Conflicting {
				if r.Name != "王强" || len(r.Differences) != 1 || r.Differences[0].Field != "姓名" || r.Differences[0].Ours != "王刚" {
					t.Fatalf("conflict %+v", r)
				}
			}
			if strings.Contains(r.IDNumber, wangID[6:14]) {
				t.Fatalf("report shows a full ID: %+v", r)
			}
		}
		if n := countEntries(t, bdb); n != 2 {
			t.Fatalf("dry run wrote: %d entries", n)
		}
		// Applying needs a village for the new arrival the registry does not place.
		_, err := b.svc.Import(countyB(), bytes.NewReader(file), int64(len(file)),
			floating.ImportOptions{County: testfix.County, DryRun: false})
		if ae := apperr.As(err); err == nil || ae.Field != "village" {
			t.Fatalf("apply without a village: %v", err)
		}
		if n := countEntries(t, bdb); n != 2 {
			t.Fatalf("refused apply wrote: %d entries", n)
		}
		rep = imp(false, testfix.Village2)
		want.Created, want.Updated = 2, 1
		if rep.Summary != want {
			t.Fatalf("apply summary %+v, want %+v", rep.Summary, want)
		}
		// 李娜 arrived, 陈静 left; 张伟's origin county is filled in; 王刚 untouched.
		checks := []struct {
			q, dir, county, name string
		}{{liID, floating.In, testfix.County, "李娜"}, {chenID, floating.Out, testfix.County, "陈静"},
			{zhangID, floating.In, testfix.County, "张伟"}, {wangID, floating.In, testfix.County, "王刚"}}
		for _, c := range checks {
			items, _, err := b.svc.List(countyB(), floating.Filter{Q: c.q, Page: 1, Size: 20})
			if err != nil || len(items) != 1 || items[0].Direction != c.dir || items[0].OtherCounty != c.county || items[0].Name != c.name {
				t.Fatalf("%s after apply: %+v %v", c.name, items, err)
			}
		}
		// Importing the same file again finds everything but the conflict matched.
		rep = imp(true, "")
		if want := (floating.ImportSummary{Total: 4, Matched: 3, Conflicting: 1}); rep.Summary != want {
			t.Fatalf("second import %+v", rep.Summary)
		}
		if got := journalActions(t, bdb, "floating_exchange"); got != "floating.import" {
			t.Fatalf("B's exchange journal %q", got)
		}
		if got := journalActions(t, d, "floating_exchange"); got != "floating.export" {
			t.Fatalf("A's exchange journal %q", got)
		}
	})
}

func countEntries(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM floating_entries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func journalActions(t *testing.T, d *db.DB, entity string) string {
	t.Helper()
	rows, err := d.Reader().Query(context.Background(), `SELECT action FROM audit_log WHERE entity = ? ORDER BY seq`, entity)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return strings.Join(out, ",")
}

const exHeader = "方向,姓名,性别,出生日期,公民身份号码,联系电话,户籍地区划代码,现居住地(描述),现居住地区县代码,流动日期,导出县代码\n"

func TestImportRefusesBadFiles(t *testing.T) {
	d := dbtest.SQLite(t)
	b := setup(t, d)
	good := "流出,李娜,女,1990-01-01," + liID + ",," + testfix.VillageA1 + ",城关镇," + testfix.County2 + ",2024-03-01," + testfix.County + "\n"
	cases := []struct {
		name, county, file, want string
		code                     apperr.Code
	}{
		{"empty file", testfix.County, "", "文件为空", apperr.Invalid},
		{"header only", testfix.County, exHeader, "没有数据行", apperr.Invalid},
		{"wrong headers", testfix.County, "姓名,身份证号\n张三,1\n", "缺少表头", apperr.Invalid},
		{"not a spreadsheet", testfix.County, "\x00\x01\x02binary", "不是", apperr.Invalid},
		{"another county's file", "320571", exHeader + good, "与所选对方县 320571 不一致", apperr.Invalid},
		{"own county", testfix.County2, exHeader + good, "不能是本县", apperr.Invalid},
		{"no county", "", exHeader + good, "请填写对方县", apperr.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.svc.Import(countyB(), strings.NewReader(c.file), int64(len(c.file)),
				floating.ImportOptions{County: c.county, DryRun: true})
			if ae := apperr.As(err); err == nil || ae.Code != c.code || !strings.Contains(ae.Message, c.want) {
				t.Fatalf("error %v, want %s containing %q", err, c.code, c.want)
			}
		})
	}
	_, err := b.svc.Import(testfix.Ctx(auth.RoleCounty, testfix.City), strings.NewReader(exHeader+good), 1000,
		floating.ImportOptions{County: testfix.County, DryRun: true})
	if apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("city-level caller: %v", err)
	}
}

func TestImportRowErrors(t *testing.T) {
	d := dbtest.SQLite(t)
	b := setup(t, d)
	row := func(dir, name, sex, birth, id, reg, live, since string) string {
		return strings.Join([]string{dir, name, sex, birth, id, "", reg, "城关镇", live, since, testfix.County}, ",") + "\n"
	}
	file := exHeader +
		row("流出", "李娜", "", "", liID, testfix.VillageA1, testfix.County2, "2024/3/1") + // 2: fine (new)
		row("外出", "张伟", "男", "", zhangID, testfix.VillageA1, testfix.County2, "2024-03-01") + // 3: direction
		row("流出", "张伟", "男", "", zhangID[:17]+"0", testfix.VillageA1, testfix.County2, "2024-03-01") + // 4: check char (unless 0 is right)
		row("流出", "王强", "男", "", wangID, testfix.VillageA1, "320571", "2024-03-01") + // 5: lives in a third county
		row("流出", "李娜", "女", "", liID, testfix.VillageA1, testfix.County2, "2024-03-01") + // 6: duplicate of 2
		row("流出", "赵磊", "男", "", farID, testfix.VillageA1, testfix.County2, "2099-01-01") + // 7: future date
		row("流入", "陈静", "女", "", chenID, "320571", testfix.County, "2025-02-01") // 8: registered in a third county
	rep, err := b.svc.Import(countyB(), strings.NewReader(file), int64(len(file)),
		floating.ImportOptions{County: testfix.County, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: floating.New, 3: floating.Invalid, 5: floating.Invalid, 6: floating.Invalid,
		7: floating.Invalid, 8: floating.Invalid}
	if idno.CheckChar(zhangID[:17]) != '0' {
		want[4] = floating.Invalid
	}
	msgs := map[int]string{3: "方向", 4: "公民身份号码", 5: "与本县无关", 6: "与第 2 行", 7: "流动日期", 8: "不属于本县"}
	for _, r := range rep.Rows {
		if w, ok := want[r.Row]; ok && r.Status != w {
			t.Errorf("row %d: %s (%s), want %s", r.Row, r.Status, r.Message, w)
		}
		if m, ok := msgs[r.Row]; ok && r.Status == floating.Invalid && !strings.Contains(r.Message, m) {
			t.Errorf("row %d message %q lacks %q", r.Row, r.Message, m)
		}
	}
	if rep.Summary.Total != 7 || rep.Summary.New != 1 || rep.Summary.Invalid != 6 {
		t.Fatalf("summary %+v", rep.Summary)
	}
	header, lines := floating.ReportSheet(rep)
	if header[0] != "行号" || len(lines) != 7 || lines[1][1] != "无效" {
		t.Fatalf("report sheet %v %v", header, lines)
	}
}

func TestExportRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		a := countyAData(t, d)
		for _, c := range []struct {
			name   string
			ctx    context.Context
			county string
			code   apperr.Code
		}{
			{"own county", countyA(), testfix.County, apperr.Invalid},
			{"five digits", countyA(), "34152", apperr.Invalid},
			{"above county", testfix.Ctx(auth.RoleCounty, testfix.City), testfix.County2, apperr.Forbidden},
		} {
			if _, err := a.svc.ExchangeExport(c.ctx, c.county, sheet.CSV); apperr.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		// Village B has no part in A's entries: its file is empty.
		rows := readAll(t, exportFile(t, a.svc, villageB(), testfix.County2, sheet.CSV))
		if len(rows) != 1 {
			t.Fatalf("village B exported %d rows", len(rows)-1)
		}
		if rows := readAll(t, exportFile(t, a.svc, villageA(), testfix.County2, sheet.CSV)); len(rows) != 4 {
			t.Fatalf("village A1 exported %d rows, want its 3 residents", len(rows)-1)
		}
	})
}
