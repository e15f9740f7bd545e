package appointment_test

import (
	"context"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/appointment"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/testfix"
)

// countsFixture books a known set of services in days 1–3 and one outside,
// then serves some on day 3: see the expected tables in TestCounts.
func countsFixture(t *testing.T, e *env) {
	t.Helper()
	p := e.persons(t, 4, testfix.VillageA1)
	villageBWoman := e.person(t, "周丽", testfix.VillageB1)
	s1 := e.slot(t, townshipA(), stationInput(1, "09:00", "11:00", 5)) // prepreg_check
	screeningIn := stationInput(2, "09:00", "11:00", 5)
	screeningIn.Division, screeningIn.Place, screeningIn.Service = testfix.County, "县妇幼保健院", "screening"
	s2 := e.slot(t, countyCtx(), screeningIn)
	s3 := e.slot(t, villageA(), homeInput(testfix.VillageA1, 3)) // postop
	talkIn := stationInput(3, "09:00", "10:00", 30)
	talkIn.Service = "健康讲座"
	s4 := e.slot(t, townshipA(), talkIn)
	s5 := e.slot(t, townshipA(), stationInput(10, "09:00", "11:00", 5)) // outside the period

	attend := e.book(t, villageA(), s1.ID, p[0])
	absent := e.book(t, villageA(), s1.ID, p[1])
	cancel := e.book(t, villageA(), s1.ID, p[2])
	e.book(t, villageA(), s1.ID, p[3])
	attend2 := e.book(t, countyCtx(), s2.ID, p[0])
	e.book(t, countyCtx(), s2.ID, villageBWoman)
	// The booking names its own service, which counts instead of the slot's.
	if _, _, err := e.svc.Book(villageA(), s3.ID, appointment.BookInput{PersonID: p[1], Service: "contraception", RequestKey: newKey()}); err != nil {
		t.Fatal(err)
	}
	e.book(t, villageA(), s4.ID, p[2])
	e.book(t, villageA(), s5.ID, p[3])

	if _, err := e.svc.CancelBooking(villageA(), cancel.ID, appointment.CancelInput{Reason: "改约"}); err != nil {
		t.Fatal(err)
	}
	e.clock.setDay(3)
	for _, id := range []int64{attend.ID, attend2.ID} {
		if _, err := e.svc.Attend(countyCtx(), id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.NoShow(countyCtx(), absent.ID); err != nil {
		t.Fatal(err)
	}
}

func TestCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		countsFixture(t, e)
		row := func(service string, booked, attended, noShow, cancelled int) appointment.CountRow {
			return appointment.CountRow{Service: service, ServiceLabel: appointment.ServiceLabel(service), Booked: booked,
				Attended: attended, NoShow: noShow, Cancelled: cancelled, Total: booked + attended + noShow + cancelled}
		}
		total := func(booked, attended, noShow, cancelled int) appointment.CountRow {
			r := row("", booked, attended, noShow, cancelled)
			r.ServiceLabel = "合计"
			return r
		}
		cases := []struct {
			name  string
			ctx   context.Context
			rows  []appointment.CountRow
			total appointment.CountRow
		}{
			{"village A1: its residents only", villageA(), []appointment.CountRow{
				row("prepreg_check", 1, 1, 1, 1), row("screening", 0, 1, 0, 0), row("contraception", 1, 0, 0, 0), row("健康讲座", 1, 0, 0, 0),
			}, total(3, 2, 1, 1)},
			{"county: village B1's screening too", countyCtx(), []appointment.CountRow{
				row("prepreg_check", 1, 1, 1, 1), row("screening", 1, 1, 0, 0), row("contraception", 1, 0, 0, 0), row("健康讲座", 1, 0, 0, 0),
			}, total(4, 2, 1, 1)},
			{"village B1", villageB(), []appointment.CountRow{row("screening", 1, 0, 0, 0)}, total(1, 0, 0, 0)},
			{"village A2: nobody", villageA2(), []appointment.CountRow{}, total(0, 0, 0, 0)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := e.svc.Counts(c.ctx, date(1), date(3))
				if err != nil {
					t.Fatal(err)
				}
				if got.From != date(1) || got.To != date(3) || len(got.Rows) != len(c.rows) || got.Total != c.total {
					t.Fatalf("counts %+v, want rows %+v total %+v", got, c.rows, c.total)
				}
				for i := range c.rows {
					if got.Rows[i] != c.rows[i] {
						t.Errorf("row %d: %+v, want %+v", i, got.Rows[i], c.rows[i])
					}
				}
			})
		}
		// Day 10 alone holds the booking outside the period.
		if got, _ := e.svc.Counts(countyCtx(), date(10), date(10)); got.Total.Booked != 1 || got.Total.Total != 1 {
			t.Fatalf("day 10: %+v", got)
		}
		_, err := e.svc.Counts(countyCtx(), date(3), date(1))
		wantCode(t, err, apperr.Invalid, "to")
		_, err = e.svc.Counts(countyCtx(), "", date(1))
		wantCode(t, err, apperr.Invalid, "from")
	})
}
