package registry_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func (e env) separated(t *testing.T, ctx context.Context, code, kind string) []string {
	t.Helper()
	list, total, err := e.svc.Separation(ctx, registry.SeparationFilter{Division: code, Kind: kind, Page: 1, Size: 50})
	if err != nil {
		t.Fatalf("%s list of %s: %v", kind, code, err)
	}
	if total != len(list) {
		t.Errorf("%s list of %s: total %d for %d rows", kind, code, total, len(list))
	}
	var out []string
	for _, p := range list {
		out = append(out, fmt.Sprintf("%s:%s:%s", p.Name, p.OtherDivision, p.AwayPlace))
	}
	slices.Sort(out)
	return out
}

func TestSeparationLists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := testfix.Ctx(auth.RoleCounty, testfix.County)
		a1, a2, b1 := testfix.VillageA1, testfix.VillageA2, testfix.VillageB1
		e.person(t, ctx, "在家", "male", "1980-01-01", a1, "")
		e.person(t, ctx, "邻村住", "male", "1981-01-01", a1, a2)
		e.person(t, ctx, "外镇住", "female", "1982-01-01", a1, b1)
		away := e.person(t, ctx, "外出", "female", "1983-01-01", a2, "")
		e.event(t, ctx, registry.EventInput{PersonID: away.ID, Kind: registry.KindLeave, Date: "2020-02-02",
			EventDetails: registry.EventDetails{Place: "浙江省义乌市"}})
		e.create(t, ctx, registry.PersonInput{Fields: registry.Fields{Name: "已故", Sex: "male", BirthDate: "1930-01-01",
			RegisteredDivision: a1, ResidenceDivision: b1, Status: "deceased", DeathDate: "2020-01-01"}})
		group := "341523100001001"
		addGroup(t, d, a1, group)
		e.person(t, ctx, "组内住", "male", "1984-01-01", a1, group) // same village: not separated at village level

		cases := []struct {
			code, kind string
			want       []string
		}{
			{a1, registry.SeparationAway, []string{"外镇住:" + b1 + ":", "邻村住:" + a2 + ":"}},
			{a1, registry.SeparationPresent, nil},
			{a2, registry.SeparationAway, []string{"外出::浙江省义乌市"}},
			{a2, registry.SeparationPresent, []string{"邻村住:" + a1 + ":"}},
			{b1, registry.SeparationPresent, []string{"外镇住:" + a1 + ":"}},
			{testfix.TownA, registry.SeparationAway, []string{"外出::浙江省义乌市", "外镇住:" + b1 + ":"}},
			{testfix.TownA, registry.SeparationPresent, nil},
			{group, registry.SeparationPresent, []string{"组内住:" + a1 + ":"}},
			{testfix.County, registry.SeparationAway, []string{"外出::浙江省义乌市"}},
		}
		for _, c := range cases {
			if got := e.separated(t, ctx, c.code, c.kind); !slices.Equal(got, c.want) {
				t.Errorf("%s %s: %v, want %v", c.code, c.kind, got, c.want)
			}
		}

		counts, err := e.svc.CountSeparation(ctx, testfix.TownA)
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string][2]int{}
		for _, ch := range counts.Children {
			byCode[ch.Code] = [2]int{ch.Away, ch.Present}
		}
		if counts.Away != 2 || counts.Present != 0 || byCode[a1] != [2]int{2, 0} || byCode[a2] != [2]int{1, 1} {
			t.Errorf("township counts %+v", counts)
		}

		// The officer of 龙潭村 sees who lives there but is registered elsewhere,
		// and nothing of 城关镇's lists.
		ctxB := testfix.Ctx(auth.RoleVillage, b1)
		if got := e.separated(t, ctxB, "", registry.SeparationPresent); !slices.Equal(got, []string{"外镇住:" + a1 + ":"}) {
			t.Errorf("village B's own present list: %v", got)
		}
		_, _, err = e.svc.Separation(ctxB, registry.SeparationFilter{Division: a1, Kind: registry.SeparationAway, Page: 1, Size: 20})
		refused(t, "another village's list", err, apperr.NotFound, "", "不在您的管辖范围内")
		_, err = e.svc.CountSeparation(ctxB, testfix.TownA)
		refused(t, "another township's counts", err, apperr.NotFound, "", "不在您的管辖范围内")
		_, _, err = e.svc.Separation(ctx, registry.SeparationFilter{Kind: "both", Page: 1, Size: 20})
		refused(t, "bad kind", err, apperr.Invalid, "kind", "away")

		// Returning ends the away entry.
		e.event(t, ctx, registry.EventInput{PersonID: away.ID, Kind: registry.KindReturn, Date: "2021-02-02"})
		if got := e.separated(t, ctx, a2, registry.SeparationAway); len(got) != 0 {
			t.Errorf("after return: %v", got)
		}
	})
}

func addGroup(t *testing.T, d *db.DB, village, code string) {
	t.Helper()
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO divisions (code, name, level, parent_code, path, source, valid_from, created_at)
			VALUES (?, '第一村民组', 6, ?, ?, 'local', '2023-06-30', ?)`, code, village, testfix.Path(code), db.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The lists walk the partial indexes of separated persons on SQLite (named
// in the query, which fails if the index cannot serve it); PostgreSQL
// chooses by its statistics.
func TestSeparationUsesPartialIndexes(t *testing.T) {
	d := dbtest.SQLite(t)
	for kind, index := range map[string]string{"away": "persons_sep_reg", "present": "persons_sep_res"} {
		sel, args := registry.SeparationQueryForTest(d.Reader(), kind, testfix.Path(testfix.VillageA1))
		rows, err := d.Reader().Query(context.Background(), "EXPLAIN QUERY PLAN "+sel, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		if !strings.Contains(strings.Join(plan, "\n"), index) {
			t.Errorf("%s list plan does not use %s:\n%s", kind, index, strings.Join(plan, "\n"))
		}
	}
}
