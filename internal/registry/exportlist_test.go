package registry

import (
	"context"
	"slices"
	"testing"
	"time"

	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
	"jisheng/internal/sheet"
	"jisheng/internal/testfix"
)

// TestExportPersonsStreamsInListOrder exports through batches smaller than
// the list, so rows are decorated across batch boundaries, and checks the
// order (registered by name, then residents registered elsewhere), the
// scope, masking, full values and the journal entry.
func TestExportPersonsStreamsInListOrder(t *testing.T) {
	defer func(n int) { exportBatch = n }(exportBatch)
	exportBatch = 2
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		testfix.Divisions(t, d)
		k, err := fieldcrypt.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
		if err != nil {
			t.Fatal(err)
		}
		j, _ := audit.New(k.AuditKey(), audit.AlgHMACSHA256)
		now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		svc := NewService(d, j, k, func() time.Time { return now })
		county := testfix.Ctx(auth.RoleCounty, testfix.County)
		add := func(name, birth, reg, res string, seq int) string {
			id := idno.Generate("341523", birth, seq)
			if _, err := svc.Create(county, PersonInput{Fields: Fields{Name: name, IDNumber: id, Phone: "13900000000",
				RegisteredDivision: reg, ResidenceDivision: res}}); err != nil {
				t.Fatalf("create %s: %v", name, err)
			}
			return id
		}
		first := add("周一", "1980-01-01", testfix.VillageA1, "", 11)
		add("吴二", "1981-01-01", testfix.VillageA1, "", 12)
		add("郑三", "1982-01-01", testfix.VillageA1, "", 13)
		add("陈四", "1983-01-01", testfix.VillageB1, testfix.VillageA1, 14) // lives in A1, registered in B1
		add("林五", "1984-01-01", testfix.VillageB1, "", 15)

		export := func(ctx context.Context, f Filter, full bool) ([][]string, int) {
			t.Helper()
			ex, err := svc.ExportPersons(ctx, f, full, sheet.CSV)
			if err != nil {
				t.Fatal(err)
			}
			var rows [][]string
			if err := ex.Rows(func(cells []string) error { rows = append(rows, slices.Clone(cells)); return nil }); err != nil {
				t.Fatal(err)
			}
			if err := ex.Done(len(rows)); err != nil {
				t.Fatal(err)
			}
			return rows, len(rows)
		}
		col := func(rows [][]string, name string) []string {
			i := slices.Index(personExportHeader, name)
			var out []string
			for _, r := range rows {
				out = append(out, r[i])
			}
			return out
		}

		village := testfix.Ctx(auth.RoleVillage, testfix.VillageA1)
		rows, _ := export(village, Filter{}, false)
		// Registered in A1 by name in byte order (吴 E5 90 B4 < 周 E5 91 A8 < 郑 E9 83 91), then the resident.
		if names := col(rows, "姓名"); !slices.Equal(names, []string{"吴二", "周一", "郑三", "陈四"}) {
			t.Fatalf("names %q", names)
		}
		if ids := col(rows, "公民身份号码"); ids[1] != idno.Mask(first) || col(rows, "联系电话")[1] != "139****0000" {
			t.Fatalf("not masked: %q", rows[1])
		}
		if r := rows[3]; r[slices.Index(personExportHeader, "户籍地")] != "晓天镇 龙潭村委会" || r[3] != "43" {
			t.Fatalf("decoration of the last batch: %q", r)
		}
		rows, _ = export(village, Filter{}, true)
		if ids := col(rows, "公民身份号码"); ids[1] != first || col(rows, "联系电话")[1] != "13900000000" {
			t.Fatalf("full values: %q", rows[1])
		}
		viewer := testfix.Ctx(auth.RoleViewer, testfix.County)
		if _, err := svc.ExportPersons(viewer, Filter{}, true, sheet.XLSX); err == nil {
			t.Fatal("a viewer exported full numbers")
		}
		if _, n := export(viewer, Filter{Q: "郑"}, false); n != 1 {
			t.Fatalf("name search exported %d", n)
		}

		entries, _, err := audit.List(context.Background(), d.Reader(), auth.Operator("t"), audit.Filter{Entity: "person", Page: 1, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries[:3] {
			actions = append(actions, e.Action+" "+string(e.After))
		}
		want := []string{`person.export {"filters":{"q":"郑"},"format":"csv","rows":1}`,
			`person.export_full {"filters":{"full":"1"},"format":"csv","rows":4}`,
			`person.export {"filters":{},"format":"csv","rows":4}`}
		if !slices.Equal(actions, want) {
			t.Fatalf("journal\n%q\nwant\n%q", actions, want)
		}
	})
}
