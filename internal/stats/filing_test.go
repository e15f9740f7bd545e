package stats_test

import (
	"context"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/stats"
	"jisheng/internal/testfix"
)

// TestFilingUpward takes village A1's November report through generation,
// review, submission, a return with its reason, a second round and
// acceptance, checking who may do what at each step, that the accepted
// snapshot is locked even against SQL, and that a later birth shows as a
// difference without changing it.
func TestFilingUpward(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		seed(t, d)
		svc := newService(t, d)
		village := testfix.Ctx(auth.RoleVillage, testfix.VillageA1)
		other := testfix.Ctx(auth.RoleVillage, testfix.VillageA2)
		town := testfix.Ctx(auth.RoleTownship, testfix.TownA)
		townB := testfix.Ctx(auth.RoleTownship, testfix.TownB)
		county := countyCtx()

		_, err := svc.Generate(village, stats.FilingInput{Period: "2026-12"})
		wantCode(t, err, apperr.Invalid, "period") // December has not ended on the 20th
		f, err := svc.Generate(village, stats.FilingInput{Period: "2026-11"})
		if err != nil || f.Status != stats.Draft || f.Version != 1 || f.DueOn != "2026-12-05" || f.Report == nil || !f.Late {
			t.Fatalf("generated %+v %v", f, err)
		}
		act := func(ctx context.Context, action, remark string) (stats.Filing, error) {
			return svc.Act(ctx, f.ID, stats.ActInput{Action: action, Remark: remark, Version: f.Version})
		}
		_, err = act(town, "review", "")
		wantCode(t, err, apperr.Forbidden, "")
		_, err = act(other, "review", "")
		wantCode(t, err, apperr.NotFound, "")
		_, err = act(village, "submit", "")
		wantCode(t, err, apperr.Conflict, "") // review comes first
		_, err = svc.Act(village, f.ID, stats.ActInput{Action: "review", Version: 99})
		wantCode(t, err, apperr.Conflict, "")
		_, err = act(village, "approve", "")
		wantCode(t, err, apperr.Invalid, "action")
		for _, step := range []string{"review", "submit"} {
			if f, err = act(village, step, ""); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
		if f.Status != stats.Submitted || f.SubmittedAt == "" || !f.Late {
			t.Fatalf("submitted on the 20th, due the 5th: %+v", f)
		}
		_, err = svc.Generate(village, stats.FilingInput{Period: "2026-11"})
		wantCode(t, err, apperr.Conflict, "")
		_, err = act(county, "accept", "")
		wantCode(t, err, apperr.Forbidden, "") // the township accepts a village's report
		_, err = act(townB, "accept", "")
		wantCode(t, err, apperr.NotFound, "")
		_, err = act(town, "return", "  ")
		wantCode(t, err, apperr.Invalid, "remark")
		if f, err = act(town, "return", "出生人数与台账不符，请核实后重报"); err != nil || f.Status != stats.Returned {
			t.Fatalf("returned %+v %v", f, err)
		}
		if mine, _ := svc.Filing(village, f.ID); strings.Join(mine.Actions, ",") != "generate" || mine.Parent != testfix.TownA {
			t.Errorf("the village may only generate a returned report again: %v (parent %s)", mine.Actions, mine.Parent)
		}
		if f, err = svc.Generate(village, stats.FilingInput{Period: "2026-11"}); err != nil || f.Status != stats.Draft || f.Version != 5 ||
			f.SubmittedAt != "" || f.Remark != "" {
			t.Fatalf("generated again %+v %v", f, err)
		}
		for _, step := range []string{"review", "submit"} {
			if f, err = act(village, step, ""); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
		if waiting, err := svc.Waiting(town); err != nil || len(waiting) != 1 || waiting[0].ID != f.ID || !waiting[0].Late {
			t.Errorf("the township's waiting list: %+v %v", waiting, err)
		}
		if waiting, _ := svc.Waiting(townB); len(waiting) != 0 {
			t.Errorf("another township waits for A1: %+v", waiting)
		}
		if theirs, _ := svc.Filing(town, f.ID); strings.Join(theirs.Actions, ",") != "return,accept" {
			t.Errorf("the township's actions on a submitted report: %v", theirs.Actions)
		}
		if f, err = act(town, "accept", ""); err != nil || f.Status != stats.Accepted || f.DecidedBy == "" {
			t.Fatalf("accepted %+v %v", f, err)
		}
		if waiting, _ := svc.Waiting(town); len(waiting) != 0 {
			t.Errorf("an accepted report still waits: %+v", waiting)
		}
		var actions []string
		for _, s := range f.Steps {
			actions = append(actions, s.Action)
		}
		if got := strings.Join(actions, ","); got != "generate,review,submit,return,generate,review,submit,accept" || f.Steps[3].Remark == "" {
			t.Errorf("steps %s %+v", got, f.Steps)
		}
		_, err = svc.Generate(village, stats.FilingInput{Period: "2026-11"})
		wantCode(t, err, apperr.Conflict, "")
		for _, q := range []string{`UPDATE stat_reports SET snapshot = '{}' WHERE id = ?`, `DELETE FROM stat_reports WHERE id = ?`} {
			err := d.Tx(context.Background(), func(tx *db.Tx) error { _, err := tx.Exec(context.Background(), q, f.ID); return err })
			if err == nil || !strings.Contains(err.Error(), "locked") {
				t.Fatalf("%s on an accepted report: %v", q, err)
			}
		}

		// A birth recorded late for November: a difference, the snapshot as filed.
		if err := d.Tx(context.Background(), func(tx *db.Tx) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO persons (id, name, sex, birth_date, reg_division, reg_path,
			res_division, res_path, created_at, created_by, updated_at, updated_by) VALUES (99, '补录', 'female', '2026-11-15', ?, ?, ?, ?,
			'2026-12-20T00:00:00.000Z', 'x', '2026-12-20T00:00:00.000Z', 'x')`, testfix.VillageA1, testfix.Path(testfix.VillageA1),
				testfix.VillageA1, testfix.Path(testfix.VillageA1))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		diffs, err := svc.Differences(town, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		births := false
		for _, df := range diffs {
			if df.Indicator == "births" && df.Filed.Num == 0 && df.Now.Num == 1 {
				births = true
			}
		}
		if !births {
			t.Errorf("differences %+v", diffs)
		}
		again, err := svc.Filing(village, f.ID)
		if err != nil || rowOf(t, *again.Report, "births").Num != 0 {
			t.Errorf("the snapshot moved: %v", err)
		}
		_, err = svc.Filing(other, f.ID)
		wantCode(t, err, apperr.NotFound, "")

		// The township's board: A1 filed (late), A2 not at all.
		b, err := svc.Board(town, "", "2026-11")
		if err != nil || len(b.Children) != 2 || b.Filed != 1 {
			t.Fatalf("board %+v %v", b, err)
		}
		if c := b.Children[0]; c.Division != testfix.VillageA1 || c.Status != stats.Accepted || !c.Late {
			t.Errorf("A1 on the board: %+v", c)
		}
		if c := b.Children[1]; c.Status != "" || c.StatusName != "未生成" || !c.Late {
			t.Errorf("A2 on the board: %+v", c)
		}
		if b.Own.Status != "" || !b.Own.Late {
			t.Errorf("the township's own line: %+v", b.Own)
		}
	})
}
