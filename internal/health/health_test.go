package health_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/health"
	"jisheng/internal/idno"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type env struct {
	d     *db.DB
	reg   *registry.Service
	svc   *health.Service
	clock *time.Time
	seq   int
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	testfix.Divisions(t, d)
	k, j := testfix.Keys(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a Monday
	e := &env{d: d, clock: &now}
	clock := func() time.Time { return *e.clock }
	e.reg = registry.NewService(d, j, k, clock)
	e.svc = health.NewService(d, j, k, clock)
	return e
}

// setDay moves the clock to date (10:00 in China).
func (e *env) setDay(t *testing.T, date string) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		t.Fatal(err)
	}
	*e.clock = d.Add(2 * time.Hour)
}

func villageA() context.Context  { return testfix.Ctx(auth.RoleVillage, testfix.VillageA1) }
func villageB() context.Context  { return testfix.Ctx(auth.RoleVillage, testfix.VillageB1) }
func townshipA() context.Context { return testfix.Ctx(auth.RoleTownship, testfix.TownA) }
func countyCtx() context.Context { return testfix.Ctx(auth.RoleCounty, testfix.County) }

// person registers a resident of village; female when female is true.
func (e *env) person(t *testing.T, village, name, birth string, female bool) registry.Person {
	t.Helper()
	e.seq++
	n := 2*e.seq + 1
	if female {
		n++
	}
	id := idno.Generate(testfix.County, birth, n%1000)
	p, err := e.reg.Create(testfix.Ctx(auth.RoleVillage, village), registry.PersonInput{Fields: registry.Fields{Name: name,
		IDNumber: id, Phone: "13800001111", RegisteredDivision: village}})
	if err != nil {
		t.Fatalf("person %s: %v", name, err)
	}
	return p
}

func (e *env) open(t *testing.T, ctx context.Context, in health.CaseInput) health.Case {
	t.Helper()
	c, err := e.svc.OpenCase(ctx, in)
	if err != nil {
		t.Fatalf("open %+v: %v", in, err)
	}
	return c
}

func (e *env) step(t *testing.T, ctx context.Context, id int64, in health.StepInput) health.CaseDetail {
	t.Helper()
	d, err := e.svc.RecordStep(ctx, id, in)
	if err != nil {
		t.Fatalf("step %+v: %v", in, err)
	}
	return d
}

func (e *env) detail(t *testing.T, ctx context.Context, id int64) health.CaseDetail {
	t.Helper()
	d, err := e.svc.Detail(ctx, id, false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func visitOf(t *testing.T, d health.CaseDetail, kind string, seq int) health.Visit {
	t.Helper()
	for _, v := range d.Visits {
		if v.Kind == kind && v.Seq == seq {
			return v
		}
	}
	t.Fatalf("case %d has no visit %s/%d: %+v", d.ID, kind, seq, d.Visits)
	return health.Visit{}
}

func wantCode(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code || (field != "" && ae.Field != field) {
		t.Fatalf("error %v, want %s on %q", err, code, field)
	}
}

func journalCount(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	var n int
	if err := d.Reader().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ?`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPostOpFollowUps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		w := e.person(t, testfix.VillageA1, "李芳", "1995-04-01", true)
		c := e.open(t, villageA(), health.CaseInput{Program: health.PostOp, PersonID: w.ID, Date: "2026-01-31",
			Fields: map[string]any{"procedure_type": "iud_insertion"}})
		det := e.detail(t, villageA(), c.ID)
		want := map[string]string{"week1": "2026-02-07", "month1": "2026-02-28", "month3": "2026-04-30", "month6": "2026-07-31"}
		if len(det.Visits) != 4 {
			t.Fatalf("visits %+v", det.Visits)
		}
		for kind, due := range want {
			if v := visitOf(t, det, kind, 1); v.DueOn != due || v.PlannedOn != due || v.Status != "open" {
				t.Errorf("%s: %+v, want due %s", kind, v, due)
			}
		}
		// Today is 2 March: week1 and month1 are overdue; week1 is late by now, month1 still within its window.
		if v := visitOf(t, det, "week1", 1); v.Timeliness != health.Missed {
			t.Errorf("week1 timeliness %s", v.Timeliness)
		}
		for _, kind := range []string{"week1", "month1", "month3", "month6"} {
			v := visitOf(t, e.detail(t, villageA(), c.ID), kind, 1)
			e.setDay(t, max(v.DueOn, "2026-03-02"))
			if _, err := e.svc.RecordContact(villageA(), v.ID, health.ContactInput{Method: health.MethodPhone}); err != nil {
				t.Fatalf("%s: %v", kind, err)
			}
		}
		det = e.detail(t, villageA(), c.ID)
		if det.Status != "closed" || det.Stage != "closed" {
			t.Fatalf("case not closed after its last visit: %s/%s", det.Status, det.Stage)
		}
		if v := visitOf(t, det, "week1", 1); v.Timeliness != health.Late || v.DoneOn != "2026-03-02" {
			t.Errorf("week1 done late: %+v", v)
		}
		if v := visitOf(t, det, "month6", 1); v.Timeliness != health.OnTime {
			t.Errorf("month6 on time: %+v", v)
		}
	})
}

func TestPregnancyVisitsRecurUntilDelivery(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		w := e.person(t, testfix.VillageA1, "王丽", "1996-06-01", true)
		e.setDay(t, "2026-01-10")
		c := e.open(t, villageA(), health.CaseInput{Program: health.Pregnancy, PersonID: w.ID,
			Fields: map[string]any{"expected_date": "2026-08-20"}})
		v1 := visitOf(t, e.detail(t, villageA(), c.ID), "antenatal", 1)
		if v1.DueOn != "2026-03-10" {
			t.Fatalf("first visit due %s", v1.DueOn)
		}
		e.setDay(t, "2026-03-05")
		if _, err := e.svc.RecordContact(villageA(), v1.ID, health.ContactInput{Method: health.MethodHome, Note: "血压正常"}); err != nil {
			t.Fatal(err)
		}
		det := e.detail(t, villageA(), c.ID)
		v2 := visitOf(t, det, "antenatal", 2)
		if v2.DueOn != "2026-05-05" || v2.Status != "open" {
			t.Fatalf("second visit %+v", v2)
		}
		if got := visitOf(t, det, "antenatal", 1).Contacts; len(got) != 1 || got[0].Note != "血压正常" {
			t.Errorf("contact note not kept: %+v", got)
		}
		e.setDay(t, "2026-04-28")
		det = e.step(t, villageA(), c.ID, health.StepInput{Stage: "delivered", Fields: map[string]any{"outcome": "live_birth"}})
		if v := visitOf(t, det, "antenatal", 2); v.Status != "lapsed" || v.Timeliness != health.NotDue {
			t.Errorf("antenatal visit after delivery: %+v", v)
		}
		pp := visitOf(t, det, "postpartum", 1)
		if pp.DueOn != "2026-05-05" {
			t.Errorf("postpartum due %s", pp.DueOn)
		}
		e.setDay(t, "2026-05-03")
		if _, err := e.svc.RecordContact(villageA(), pp.ID, health.ContactInput{Method: health.MethodHome}); err != nil {
			t.Fatal(err)
		}
		if det = e.detail(t, villageA(), c.ID); det.Status != "closed" {
			t.Errorf("pregnancy case not closed after the postpartum visit: %s", det.Status)
		}
	})
}

func TestScreeningToClosure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		w := e.person(t, testfix.VillageA1, "赵敏", "1980-02-01", true)
		e.setDay(t, "2026-02-01")
		c := e.open(t, villageA(), health.CaseInput{Program: health.Screening, PersonID: w.ID,
			Fields: map[string]any{"items": []any{"tct", "hpv"}}})
		_, err := e.svc.RecordStep(villageA(), c.ID, health.StepInput{Stage: "diagnosis", Fields: map[string]any{"diagnosis": "cin2"}})
		wantCode(t, err, apperr.Conflict, "")
		e.setDay(t, "2026-02-20")
		det := e.step(t, villageA(), c.ID, health.StepInput{Stage: "result", Fields: map[string]any{"result": "positive"}})
		if v := visitOf(t, det, "result", 1); v.Status != "done" || v.DoneOn != "2026-02-20" {
			t.Errorf("result item not done by the step: %+v", v)
		}
		if v := visitOf(t, det, "further_exam", 1); v.DueOn != "2026-03-22" {
			t.Errorf("further exam due %s", v.DueOn)
		}
		e.step(t, villageA(), c.ID, health.StepInput{Stage: "further_exam", Fields: map[string]any{"exam": "colposcopy"}})
		det = e.step(t, villageA(), c.ID, health.StepInput{Stage: "diagnosis", Fields: map[string]any{"diagnosis": "cin2"}})
		if det.Status != "open" {
			t.Fatal("a CIN2 diagnosis closed the case")
		}
		det = e.step(t, villageA(), c.ID, health.StepInput{Stage: "treatment", Fields: map[string]any{"treatment": "LEEP 术"}})
		if det.Status != "closed" || det.ClosedOn != "2026-02-20" {
			t.Errorf("treatment did not close the case: %+v", det.Case)
		}
		if det.Steps[len(det.Steps)-1].Fields["treatment"] != "LEEP 术" {
			t.Errorf("details not readable: %+v", det.Steps)
		}
		// A normal result closes a screening at once.
		w2 := e.person(t, testfix.VillageA1, "钱红", "1982-03-01", true)
		c2 := e.open(t, villageA(), health.CaseInput{Program: health.Screening, PersonID: w2.ID, Fields: map[string]any{"items": []any{"breast_us"}}})
		if det := e.step(t, villageA(), c2.ID, health.StepInput{Stage: "result", Fields: map[string]any{"result": "normal"}}); det.Status != "closed" {
			t.Errorf("normal result left the case %s", det.Status)
		}
	})
}

func TestBirthRegistration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		mother := e.person(t, testfix.VillageA1, "孙梅", "1994-01-01", true)
		father := e.person(t, testfix.VillageA2, "周强", "1992-01-01", false)
		first := e.open(t, villageA(), health.CaseInput{Program: health.BirthReg, PersonID: mother.ID,
			Fields: map[string]any{"kind": "pregnancy", "expected_date": "2026-09-01"}})
		if first.RegNo != "SY341523-2026-000001" || first.Status != "closed" || first.StageName != "已登记" {
			t.Fatalf("registration %+v", first)
		}
		if d := e.detail(t, villageA(), first.ID); d.Place != "舒城县 城关镇 东苑社区居委会" {
			t.Errorf("place %q", d.Place)
		}
		_, err := e.svc.Reopen(villageA(), first.ID, health.ReopenInput{Reason: "写错了"})
		wantCode(t, err, apperr.Conflict, "")
		// No approval, no birth-order limit, no marriage requirement: a third
		// registration and a single father's are registered the same way.
		for i := 0; i < 2; i++ {
			e.open(t, villageA(), health.CaseInput{Program: health.BirthReg, PersonID: mother.ID, Fields: map[string]any{"kind": "birth", "birth_date": "2026-02-01"}})
		}
		single := e.open(t, townshipA(), health.CaseInput{Program: health.BirthReg, PersonID: father.ID,
			Fields: map[string]any{"kind": "birth", "birth_date": "2026-02-01"}})
		if single.RegNo != "SY341523-2026-000004" {
			t.Errorf("fourth number %s", single.RegNo)
		}
		_, err = e.svc.OpenCase(villageA(), health.CaseInput{Program: health.BirthReg, PersonID: mother.ID, Fields: map[string]any{}})
		wantCode(t, err, apperr.Invalid, "fields.kind")
	})
}

func TestScopeIdempotencyAndReopening(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		w := e.person(t, testfix.VillageA1, "吴霞", "1993-05-05", true)
		man := e.person(t, testfix.VillageA1, "郑伟", "1990-05-05", false)
		in := health.CaseInput{Program: health.PostOp, PersonID: w.ID, Date: "2026-02-20",
			Fields: map[string]any{"procedure_type": "induced_abortion"}, RequestKey: "k-open-1"}

		_, err := e.svc.OpenCase(villageB(), in)
		wantCode(t, err, apperr.NotFound, "person_id")
		c := e.open(t, villageA(), in)
		again := e.open(t, villageA(), in) // a retried submission
		if again.ID != c.ID {
			t.Fatalf("retry created case %d beside %d", again.ID, c.ID)
		}
		_, err = e.svc.OpenCase(villageA(), health.CaseInput{Program: health.Pregnancy, PersonID: man.ID})
		wantCode(t, err, apperr.Invalid, "person_id")

		v := visitOf(t, e.detail(t, villageA(), c.ID), "week1", 1)
		_, err = e.svc.RecordContact(villageB(), v.ID, health.ContactInput{Method: health.MethodHome})
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.Detail(villageB(), c.ID, true)
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.RecordContact(villageA(), v.ID, health.ContactInput{Method: health.MethodNotReached})
		wantCode(t, err, apperr.Invalid, "reason")

		// Ten taps of the same button at once record one contact.
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.RecordContact(villageA(), v.ID, health.ContactInput{Method: health.MethodNotReached,
					Reason: "away", RequestKey: "k-contact-1"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("repeated tap: %v", err)
			}
		}
		if got := visitOf(t, e.detail(t, villageA(), c.ID), "week1", 1); len(got.Contacts) != 1 || got.Status != "open" {
			t.Fatalf("after ten taps: %+v", got)
		}

		// A closed case is changed only after reopening it with a reason.
		e.step(t, villageA(), c.ID, health.StepInput{Stage: "closed", Fields: map[string]any{"reason": "moved"}})
		_, err = e.svc.RecordContact(villageA(), v.ID, health.ContactInput{Method: health.MethodHome})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.RecordStep(villageA(), c.ID, health.StepInput{Stage: "closed", Fields: map[string]any{"reason": "other"}})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.Reopen(villageA(), c.ID, health.ReopenInput{Reason: " "})
		wantCode(t, err, apperr.Invalid, "reason")
		_, err = e.svc.Reopen(villageB(), c.ID, health.ReopenInput{Reason: "误结案"})
		wantCode(t, err, apperr.NotFound, "")
		det, err := e.svc.Reopen(villageA(), c.ID, health.ReopenInput{Reason: "误结案，本人仍在村"})
		if err != nil || det.Status != "open" || det.Stage != "procedure" {
			t.Fatalf("reopen: %+v %v", det.Case, err)
		}
		if journalCount(t, d, "health.reopen") != 1 {
			t.Error("reopening not journaled")
		}
		if last := det.Steps[len(det.Steps)-1]; last.Stage != "reopened" || last.Fields["reason"] != "误结案，本人仍在村" {
			t.Errorf("reopen step %+v", last)
		}
		if got := visitOf(t, det, "week1", 1); got.Status != "open" || got.LapsedOn != "" {
			t.Errorf("the visit closing had ended is not due again: %+v", got)
		}
		if _, err := e.svc.RecordContact(villageA(), v.ID, health.ContactInput{Method: health.MethodHome}); err != nil {
			t.Errorf("visit after reopening: %v", err)
		}
	})
}

func TestHealthReadsAreJournaled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		w := e.person(t, testfix.VillageA1, "冯雪", "1990-01-01", true)
		c := e.open(t, villageA(), health.CaseInput{Program: health.Screening, PersonID: w.ID, Fields: map[string]any{"items": []any{"tct"}}})
		if _, err := e.svc.Detail(townshipA(), c.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PersonRecord(villageA(), w.ID); err != nil {
			t.Fatal(err)
		}
		if n := journalCount(t, d, "health.view"); n != 2 {
			t.Errorf("health.view journaled %d times, want 2", n)
		}
		list, _, err := e.svc.ListCases(villageA(), health.CaseFilter{Page: 1, Size: 20})
		if err != nil || len(list) != 1 || !strings.Contains(list[0].IDNumber, "********") {
			t.Errorf("list not masked: %+v %v", list, err)
		}
	})
}

func TestWorkListBucketsAndRescheduling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.setDay(t, "2026-01-01")
		// Procedures on dates that put the week-1 visits overdue, today and later this week.
		dates := map[string]string{"过期": "2026-02-20", "今天": "2026-02-23", "本周": "2026-02-26", "下周": "2026-03-05"}
		ids := map[string]int64{}
		for name, day := range dates {
			e.setDay(t, day)
			w := e.person(t, testfix.VillageA1, name, "1990-01-01", true)
			ids[name] = e.open(t, villageA(), health.CaseInput{Program: health.PostOp, PersonID: w.ID,
				Fields: map[string]any{"procedure_type": "iud_removal"}}).ID
		}
		e.setDay(t, "2026-03-02") // Monday; week-1 visits: 02-27 overdue, 03-02 today, 03-05 this week, 03-12 later
		other := e.person(t, testfix.VillageB1, "外村", "1990-01-01", true)
		e.open(t, villageB(), health.CaseInput{Program: health.PostOp, PersonID: other.ID, Date: "2026-02-23",
			Fields: map[string]any{"procedure_type": "iud_removal"}})
		wl, err := e.svc.WorkList(villageA(), health.WorkFilter{Bucket: health.BucketDue, Page: 1, Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"overdue": 1, "today": 1, "week": 1, "due": 3}
		for k, n := range want {
			if wl.Counts[k] != n {
				t.Errorf("count %s = %d, want %d (%v)", k, wl.Counts[k], n, wl.Counts)
			}
		}
		if wl.Total != 3 || wl.Items[0].Name != "过期" || wl.Items[0].Bucket != "overdue" || wl.Items[0].DaysLate != 3 {
			t.Fatalf("work list %+v", wl.Items)
		}
		town, err := e.svc.WorkList(townshipA(), health.WorkFilter{Bucket: health.BucketToday, Page: 1, Size: 50})
		if err != nil || town.Total != 1 {
			t.Errorf("township today: %+v %v", town, err)
		}
		county, _ := e.svc.WorkList(countyCtx(), health.WorkFilter{Bucket: health.BucketToday, Page: 1, Size: 50})
		if county.Total != 2 {
			t.Errorf("county today: %d", county.Total)
		}
		_, err = e.svc.WorkList(villageA(), health.WorkFilter{Division: testfix.VillageB1, Page: 1, Size: 50})
		wantCode(t, err, apperr.NotFound, "division")
		_, err = e.svc.WorkList(villageA(), health.WorkFilter{Bucket: "soon", Page: 1, Size: 50})
		wantCode(t, err, apperr.Invalid, "bucket")

		// Rescheduling moves the planned date, not the due date.
		item := wl.Items[0]
		_, err = e.svc.Reschedule(villageA(), item.VisitID, health.RescheduleInput{Date: "2026-03-10", Reason: "外出务工", Version: item.Version + 1})
		wantCode(t, err, apperr.Conflict, "")
		v, err := e.svc.Reschedule(villageA(), item.VisitID, health.RescheduleInput{Date: "2026-03-10", Reason: "外出务工", Version: item.Version})
		if err != nil || v.PlannedOn != "2026-03-10" || v.DueOn != "2026-02-27" {
			t.Fatalf("reschedule: %+v %v", v, err)
		}
		if wl, _ = e.svc.WorkList(villageA(), health.WorkFilter{Bucket: health.BucketOverdue, Page: 1, Size: 50}); wl.Total != 0 {
			t.Errorf("rescheduled visit still overdue: %+v", wl.Items)
		}
		e.setDay(t, "2026-03-10")
		v, err = e.svc.RecordContact(villageA(), item.VisitID, health.ContactInput{Method: health.MethodHome})
		if err != nil || v.Timeliness != health.Late {
			t.Errorf("visit done on its new date is late against its due date: %+v %v", v, err)
		}
	})
}

func TestCards(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		w := e.person(t, testfix.VillageA1, "陈静", "1991-01-01", true)
		e.open(t, villageA(), health.CaseInput{Program: health.Screening, PersonID: w.ID, Fields: map[string]any{"items": []any{"tct"}}})
		card, err := e.svc.IssueCard(villageA(), health.CardInput{PersonID: w.ID})
		if err != nil || !strings.HasPrefix(card.CardNo, "341523000000001") || !health.ValidCardNo(card.CardNo) {
			t.Fatalf("card %+v %v", card, err)
		}
		_, err = e.svc.IssueCard(villageA(), health.CardInput{PersonID: w.ID})
		wantCode(t, err, apperr.Conflict, "")
		// Any station of the county finds the record; another county's does not.
		rec, err := e.svc.LookupCard(villageB(), card.CardNo)
		if err != nil || rec.Name != "陈静" || len(rec.Cases) != 1 || rec.Card == nil {
			t.Fatalf("lookup from another township: %+v %v", rec, err)
		}
		_, err = e.svc.LookupCard(testfix.Ctx(auth.RoleVillage, testfix.Village2), card.CardNo)
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.LookupCard(villageB(), card.CardNo[:15]+string('0'+(card.CardNo[15]-'0'+1)%10)) // check digit off by one
		wantCode(t, err, apperr.Invalid, "card_no")
		if n := journalCount(t, d, "health.card_lookup"); n != 1 {
			t.Errorf("lookups journaled %d", n)
		}
		if _, err := e.svc.RevokeCard(villageB(), card.CardNo, "遗失"); err == nil {
			t.Error("another village revoked the card")
		}
		if _, err := e.svc.RevokeCard(villageA(), card.CardNo, "遗失"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.LookupCard(villageA(), card.CardNo)
		wantCode(t, err, apperr.Conflict, "")
		if again, err := e.svc.IssueCard(villageA(), health.CardInput{PersonID: w.ID}); err != nil || again.CardNo == card.CardNo {
			t.Errorf("replacement card %+v %v", again, err)
		}
	})
}

// cn names the people of a fixture; names take no digits.
var cn = []string{"甲", "乙", "丙", "丁", "戊"}

func TestLuhnCardNumbers(t *testing.T) {
	cases := map[string]bool{"79927398713": true, "79927398710": false, "3415230000000014": true, "341523000000001": false,
		"34152300000000a4": false, "": false}
	for no, want := range cases {
		if got := health.ValidCardNo(no); got != want {
			t.Errorf("ValidCardNo(%q) = %v", no, got)
		}
	}
}

func TestFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		e.setDay(t, "2026-01-05")
		// Pre-pregnancy: 4 couples enrolled in A1, 3 examined; one couple in B1 enrolled and examined.
		for i := 0; i < 4; i++ {
			w := e.person(t, testfix.VillageA1, "妻"+cn[i], "1995-01-01", true)
			c := e.open(t, villageA(), health.CaseInput{Program: health.PrePreg, PersonID: w.ID})
			if i < 3 {
				e.step(t, villageA(), c.ID, health.StepInput{Stage: "examined", Fields: map[string]any{"items": []any{"education", "physical"}}})
			}
		}
		wb := e.person(t, testfix.VillageB1, "乙妻", "1995-01-01", true)
		cb := e.open(t, villageB(), health.CaseInput{Program: health.PrePreg, PersonID: wb.ID})
		e.step(t, villageB(), cb.ID, health.StepInput{Stage: "examined", Fields: map[string]any{"items": []any{"education"}}})
		if err := e.svc.SetTask(countyCtx(), health.TaskInput{Division: testfix.TownA, Year: 2026, Program: health.PrePreg, Number: 8}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetTask(countyCtx(), health.TaskInput{Division: testfix.TownB, Year: 2026, Program: health.PrePreg, Number: 2}); err != nil {
			t.Fatal(err)
		}
		err := e.svc.SetTask(villageA(), health.TaskInput{Division: testfix.VillageA1, Year: 2026, Program: health.PrePreg, Number: 2})
		wantCode(t, err, apperr.Forbidden, "")

		// Screening: 3 examined; 2 results (1 positive, 1 normal → closed); the positive diagnosed CIN3 and treated.
		var screened []int64
		for i := 0; i < 3; i++ {
			w := e.person(t, testfix.VillageA1, "筛"+cn[i], "1980-01-01", true)
			screened = append(screened, e.open(t, villageA(), health.CaseInput{Program: health.Screening, PersonID: w.ID,
				Fields: map[string]any{"items": []any{"tct"}}}).ID)
		}
		e.setDay(t, "2026-01-20")
		e.step(t, villageA(), screened[0], health.StepInput{Stage: "result", Fields: map[string]any{"result": "positive"}})
		e.step(t, villageA(), screened[1], health.StepInput{Stage: "result", Fields: map[string]any{"result": "normal"}})
		e.step(t, villageA(), screened[0], health.StepInput{Stage: "further_exam", Fields: map[string]any{"exam": "biopsy"}})
		e.step(t, villageA(), screened[0], health.StepInput{Stage: "diagnosis", Fields: map[string]any{"diagnosis": "cin3"}})

		// Procedures: 2 IUD insertions and 1 induced abortion in January; week-1 visits due in January.
		for i, typ := range []string{"iud_insertion", "iud_insertion", "induced_abortion"} {
			w := e.person(t, testfix.VillageA1, "术"+cn[i], "1992-01-01", true)
			e.open(t, villageA(), health.CaseInput{Program: health.PostOp, PersonID: w.ID, Date: "2026-01-10",
				Fields: map[string]any{"procedure_type": typ}})
		}
		// Week-1 visits due 01-17 (window 7): one done on time, one late, one never.
		e.setDay(t, "2026-01-18")
		wl, _ := e.svc.WorkList(villageA(), health.WorkFilter{Program: health.PostOp, Bucket: health.BucketAll, Page: 1, Size: 50})
		var week1 []health.WorkItem
		for _, it := range wl.Items {
			if it.Kind == "week1" {
				week1 = append(week1, it)
			}
		}
		if len(week1) != 3 {
			t.Fatalf("week-1 visits: %+v", week1)
		}
		if _, err := e.svc.RecordContact(villageA(), week1[0].VisitID, health.ContactInput{Method: health.MethodPhone}); err != nil {
			t.Fatal(err)
		}
		e.setDay(t, "2026-01-30")
		if _, err := e.svc.RecordContact(villageA(), week1[1].VisitID, health.ContactInput{Method: health.MethodHome}); err != nil {
			t.Fatal(err)
		}
		e.setDay(t, "2026-02-10")
		e.step(t, villageA(), screened[0], health.StepInput{Stage: "treatment", Fields: map[string]any{"treatment": "锥切"}})

		f, err := e.svc.Figures(countyCtx(), testfix.TownA, "2026-01-01", "2026-01-31")
		if err != nil {
			t.Fatal(err)
		}
		pp := f.PrePreg
		if pp.Examined != 3 || pp.Planning != 4 || pp.Task == nil || *pp.Task != 8 || *pp.Completion != 37.5 || *pp.Coverage != 75 {
			t.Errorf("prepreg %+v", pp)
		}
		s := f.Screening
		if s.Examined != 3 || s.Results != 2 || s.Positive != 1 || s.FurtherExams != 1 || s.Diagnosed != 1 || s.NeedTreatment != 1 ||
			s.Treated != 0 || s.Closed != 1 || *s.PositiveRate != 33.33 || *s.TreatmentRate != 0 || *s.ClosureRate != 50 {
			t.Errorf("screening in January %+v", s)
		}
		// January's follow-ups: three week-1 visits due 01-17: on time, late, missed (today is 10 Feb).
		if fu := f.FollowUps; fu.Due != 3 || fu.OnTime != 1 || fu.Late != 1 || fu.Missed != 1 || *fu.OnTimeRate != 33.33 {
			t.Errorf("follow-ups %+v", fu)
		}
		byType := map[string]int{}
		for _, p := range f.Procedures {
			byType[p.Type] = p.Count
		}
		if byType["iud_insertion"] != 2 || byType["induced_abortion"] != 1 || byType["female_sterilisation"] != 0 {
			t.Errorf("procedures %+v", f.Procedures)
		}
		county, err := e.svc.Figures(countyCtx(), testfix.County, "2026-01-01", "2026-12-31")
		if err != nil {
			t.Fatal(err)
		}
		if c := county.PrePreg; c.Examined != 4 || c.Task == nil || *c.Task != 10 || *c.Completion != 40 {
			t.Errorf("county prepreg (task summed from townships) %+v", c)
		}
		if county.Screening.Treated != 1 || *county.Screening.TreatmentRate != 100 {
			t.Errorf("county screening over the year %+v", county.Screening)
		}
		_, err = e.svc.Figures(villageB(), testfix.TownA, "2026-01-01", "2026-01-31")
		wantCode(t, err, apperr.NotFound, "division")
		_, err = e.svc.Figures(countyCtx(), "", "2026-02-01", "2026-01-31")
		wantCode(t, err, apperr.Invalid, "to")
	})
}
