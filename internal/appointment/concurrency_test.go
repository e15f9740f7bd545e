package appointment_test

import (
	"context"
	"sync"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/appointment"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/testfix"
)

// outcome is what one concurrent booking attempt got.
type outcome struct {
	booking appointment.Booking
	created bool
	err     error
}

// bookAll fires one booking per input at once, from as many goroutines,
// and returns what each got.
func bookAll(ctx context.Context, svc *appointment.Service, slotID int64, inputs []appointment.BookInput) []outcome {
	out := make([]outcome, len(inputs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, in := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			b, created, err := svc.Book(ctx, slotID, in)
			out[i] = outcome{b, created, err}
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func TestConcurrentBookingsNeverOverfill(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		sl := e.slot(t, townshipA(), stationInput(1, "09:00", "11:00", 5))
		persons := e.persons(t, 20, testfix.VillageA1)
		inputs := make([]appointment.BookInput, len(persons))
		for i, p := range persons {
			inputs[i] = appointment.BookInput{PersonID: p, RequestKey: newKey()}
		}
		ok, full := 0, 0
		for _, o := range bookAll(townshipA(), e.svc, sl.ID, inputs) {
			switch {
			case o.err == nil && o.created:
				ok++
			case apperr.CodeOf(o.err) == apperr.Conflict && apperr.As(o.err).Message == "该时段已约满":
				full++
			default:
				t.Errorf("unexpected outcome: %+v", o)
			}
		}
		if ok != 5 || full != 15 {
			t.Fatalf("%d booked and %d refused as full, want 5 and 15", ok, full)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM appointment_bookings WHERE slot_id = ? AND status <> 'cancelled'`, sl.ID); n != 5 {
			t.Fatalf("%d active bookings stored", n)
		}
		if got, _ := e.svc.GetSlot(townshipA(), sl.ID); got.Booked != 5 || got.Remaining != 0 {
			t.Fatalf("slot after the rush: %+v", got)
		}
		if n := journaled(t, d, "appointment.book"); n != 5 {
			t.Fatalf("%d booking audit entries, want 5", n)
		}
	})
}

func TestConcurrentRepeatedSubmission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		sl := e.slot(t, townshipA(), stationInput(1, "09:00", "11:00", 5))
		person := e.person(t, "王秀英", testfix.VillageA1)
		inputs := make([]appointment.BookInput, 10)
		for i := range inputs {
			inputs[i] = appointment.BookInput{PersonID: person, RequestKey: "double-tap-0001"}
		}
		ids := map[int64]bool{}
		created := 0
		for _, o := range bookAll(villageA(), e.svc, sl.ID, inputs) {
			if o.err != nil {
				t.Fatalf("a repeated submission failed: %v", o.err)
			}
			ids[o.booking.ID] = true
			if o.created {
				created++
			}
		}
		if len(ids) != 1 || created != 1 {
			t.Fatalf("%d distinct bookings, %d reported as new; want one", len(ids), created)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM appointment_bookings`); n != 1 {
			t.Fatalf("%d bookings stored", n)
		}
		if got, _ := e.svc.GetSlot(villageA(), sl.ID); got.Booked != 1 {
			t.Fatalf("one submission took %d places", got.Booked)
		}
	})
}

// Ten officers booking the same person into one slot at once (each with
// their own key) leave one booking: the rest are told the booking exists.
func TestConcurrentSamePersonOneBooking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		sl := e.slot(t, townshipA(), stationInput(1, "09:00", "11:00", 5))
		person := e.person(t, "王秀英", testfix.VillageA1)
		inputs := make([]appointment.BookInput, 10)
		for i := range inputs {
			inputs[i] = appointment.BookInput{PersonID: person, RequestKey: newKey()}
		}
		ok, refused := 0, 0
		for _, o := range bookAll(townshipA(), e.svc, sl.ID, inputs) {
			switch {
			case o.err == nil:
				ok++
			case apperr.CodeOf(o.err) == apperr.Conflict && apperr.As(o.err).Field == "person_id":
				refused++
			default:
				t.Errorf("unexpected outcome: %+v", o)
			}
		}
		if ok != 1 || refused != 9 {
			t.Fatalf("%d booked, %d refused; want 1 and 9", ok, refused)
		}
		if got, _ := e.svc.GetSlot(townshipA(), sl.ID); got.Booked != 1 {
			t.Fatalf("one person took %d places", got.Booked)
		}
	})
}
