package benefit_test

import (
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/testfix"
)

func TestSweepApplyAndReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		father := e.person(t, "张建国", "male", "1966-03-01", nil, nil)
		e.person(t, "张丽", "female", "1990-05-01", nil, &father.ID)
		e.person(t, "张敏", "female", "1993-08-01", nil, &father.ID)
		e.person(t, "年轻人", "male", "1990-01-01", nil, nil)
		sweep := benefit.SweepInput{Program: benefit.JiangFu, Year: 2026}

		res, err := e.svc.Sweep(villageA(), sweep)
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != 1 || res.ToAttest != 1 || res.Date != "2026-12-31" {
			t.Fatalf("first sweep: %+v", res)
		}
		if res, _ = e.svc.Sweep(villageA(), sweep); res.Added != 0 || res.Existing != 1 {
			t.Fatalf("a second sweep found him again: %+v", res)
		}
		_, err = e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 2026, PersonID: father.ID})
		wantCode(t, err, apperr.Conflict, "")

		queue, total, err := e.svc.Queue(villageA(), benefit.QueueFilter{Mine: true, Page: 1, Size: 20})
		if err != nil || total != 1 || queue[0].Stage != "village_check" || queue[0].Eligible {
			t.Fatalf("village queue: %+v %d %v", queue, total, err)
		}
		c := queue[0]
		if town, n, _ := e.svc.Queue(testfix.Ctx(auth.RoleTownship, testfix.TownA), benefit.QueueFilter{Mine: true, Page: 1, Size: 20}); n != 0 {
			t.Errorf("township queue before the village passed it: %+v", town)
		}
		_, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		wantCode(t, err, apperr.Conflict, "") // the rules still miss the village's check
		_, err = e.svc.Review(villageB(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.Review(testfix.Ctx(auth.RoleTownship, testfix.TownA), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "reject", Version: c.Version})
		wantCode(t, err, apperr.Invalid, "reason")

		e.attest(t, villageA(), father.ID, benefit.AttestPolicyCompliant, "yes")
		c, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "recheck", Version: c.Version})
		if err != nil || !c.Eligible || c.AnnualFen != 96000 || c.Stage != "village_check" {
			t.Fatalf("after the check: %+v %v", c, err)
		}
		_, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version - 1})
		wantCode(t, err, apperr.Conflict, "")
		c, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		if err != nil || c.Stage != "village_posting" {
			t.Fatalf("approved by the village: %+v %v", c, err)
		}
		_, err = e.svc.Review(villageA(), c.ID, benefit.ReviewInput{Action: "approve", Version: c.Version})
		wantCode(t, err, apperr.Conflict, "") // a posting ends by itself, not by a click

		// An application for a resident who does not qualify starts at the village check with its reasons.
		young, err := e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 2026, PersonID: father.ID + 3})
		if err != nil || young.Eligible || len(young.Failed) == 0 || young.Source != "application" {
			t.Fatalf("application: %+v %v", young, err)
		}
		young, err = e.svc.Review(villageA(), young.ID, benefit.ReviewInput{Action: "reject", Reason: "未满60周岁", Version: young.Version})
		if err != nil || young.Stage != "rejected" {
			t.Fatalf("rejected: %+v %v", young, err)
		}
		_, err = e.svc.Apply(villageB(), benefit.ApplicationInput{Program: benefit.Childcare, Year: 2026, PersonID: father.ID})
		wantCode(t, err, apperr.NotFound, "person_id")
		_, err = e.svc.Apply(villageA(), benefit.ApplicationInput{Program: benefit.JiangFu, Year: 1999, PersonID: father.ID})
		wantCode(t, err, apperr.Invalid, "year")
	})
}
