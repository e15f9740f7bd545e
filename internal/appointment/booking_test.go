package appointment_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/appointment"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/registry"
	"jisheng/internal/testfix"
)

func TestBookingRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		station := e.slot(t, townshipA(), stationInput(1, "09:00", "11:00", 5))
		countyIn := stationInput(1, "10:00", "12:00", 5)
		countyIn.Division, countyIn.Place = testfix.County, "县服务中心"
		overlapping := e.slot(t, countyCtx(), countyIn)
		later := e.slot(t, townshipA(), stationInput(1, "11:00", "12:00", 5)) // starts when the first ends
		homeA := e.slot(t, villageA(), homeInput(testfix.VillageA1, 2))
		single := e.slot(t, townshipA(), stationInput(3, "09:00", "10:00", 1))
		mother := e.person(t, "王秀英", testfix.VillageA1)
		neighbour := e.person(t, "李芳", testfix.VillageA1)
		villageA2Woman := e.person(t, "赵敏", testfix.VillageA2)
		villageBWoman := e.person(t, "周丽", testfix.VillageB1)
		dead, err := e.reg.Create(countyCtx(), registry.PersonInput{Fields: registry.Fields{Name: "孙兰", Sex: "female",
			BirthDate: "1950-01-01", RegisteredDivision: testfix.VillageA1, Status: "deceased", DeathDate: "2026-01-01"}})
		if err != nil {
			t.Fatal(err)
		}

		first, created, err := e.svc.Book(villageA(), station.ID, appointment.BookInput{PersonID: mother, RequestKey: "key-mother-1", Note: "上午来"})
		if err != nil || !created {
			t.Fatalf("book: %v", err)
		}
		if first.Name != "王秀英" || first.Status != appointment.Booked || first.Service != "prepreg_check" ||
			first.ServiceLabel != "孕前优生检查" || first.Date != date(1) || first.Place != "城关镇计生服务站" || first.Note != "上午来" {
			t.Fatalf("booking %+v", first)
		}
		if sl, _ := e.svc.GetSlot(villageA(), station.ID); sl.Booked != 1 || sl.Remaining != 4 {
			t.Fatalf("slot after booking: %+v", sl)
		}
		// The same submission again answers the first booking and writes nothing.
		again, created, err := e.svc.Book(villageA(), station.ID, appointment.BookInput{PersonID: mother, RequestKey: "key-mother-1", Note: "上午来"})
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("repeat: %+v %v %v", again, created, err)
		}

		cases := []struct {
			name    string
			ctx     context.Context
			slot    int64
			person  int64
			key     string // "" means a fresh one
			code    apperr.Code
			field   string
			message string
		}{
			// A key belongs to its user: the village officer reuses their own.
			{"key reused for another person", villageA(), station.ID, neighbour, "key-mother-1", apperr.Conflict, "request_key", "请求编号"},
			{"same person, same slot, new key", townshipA(), station.ID, mother, "", apperr.Conflict, "person_id", fmt.Sprintf("已预约此时段（预约号 %d）", first.ID)},
			{"same person, overlapping slot", countyCtx(), overlapping.ID, mother, "", apperr.Conflict, "person_id", fmt.Sprintf("城关镇计生服务站，预约号 %d", first.ID)},
			{"person of another village in a home slot", townshipA(), homeA.ID, villageA2Woman, "", apperr.Invalid, "person_id", "上门服务"},
			{"deceased person", townshipA(), station.ID, dead.ID, "", apperr.Invalid, "person_id", "死亡"},
			{"unknown slot", townshipA(), 999999, neighbour, "", apperr.NotFound, "", "预约时段不存在"},
			{"other village books an A1 resident", villageB(), overlapping.ID, neighbour, "", apperr.NotFound, "", "人员不存在"},
			{"other village, A1's home slot", villageB(), homeA.ID, villageBWoman, "", apperr.NotFound, "", "预约时段不存在"},
			{"unknown person", countyCtx(), station.ID, 999999, "", apperr.NotFound, "", "人员不存在"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				key := c.key
				if key == "" {
					key = newKey()
				}
				_, _, err := e.svc.Book(c.ctx, c.slot, appointment.BookInput{PersonID: c.person, RequestKey: key})
				wantCode(t, err, c.code, c.field)
				if !strings.Contains(apperr.As(err).Message, c.message) {
					t.Fatalf("message %q lacks %q", apperr.As(err).Message, c.message)
				}
			})
		}
		// A slot right after the first one does not overlap it.
		e.book(t, villageA(), later.ID, mother)
		// A full slot refuses; cancelling frees the place.
		only := e.book(t, villageA(), single.ID, mother)
		_, _, err = e.svc.Book(villageA(), single.ID, appointment.BookInput{PersonID: neighbour, RequestKey: newKey()})
		wantCode(t, err, apperr.Conflict, "")
		if apperr.As(err).Message != "该时段已约满" {
			t.Fatalf("full slot: %v", err)
		}
		_, err = e.svc.CancelBooking(villageA(), only.ID, appointment.CancelInput{})
		wantCode(t, err, apperr.Invalid, "reason")
		cancelled, err := e.svc.CancelBooking(villageA(), only.ID, appointment.CancelInput{Reason: "临时外出"})
		if err != nil || cancelled.Status != appointment.Cancelled || cancelled.CancelReason != "临时外出" {
			t.Fatalf("cancel: %+v %v", cancelled, err)
		}
		_, err = e.svc.CancelBooking(villageA(), only.ID, appointment.CancelInput{Reason: "再取消"})
		wantCode(t, err, apperr.Conflict, "")
		e.book(t, villageA(), single.ID, neighbour)
		// The freed place went to the neighbour, and the slot is full again.
		if sl, _ := e.svc.GetSlot(villageA(), single.ID); sl.Booked != 1 || sl.Remaining != 0 {
			t.Fatalf("single slot: %+v", sl)
		}
		// Past slots take no booking.
		e.clock.setDay(4)
		_, _, err = e.svc.Book(villageA(), later.ID, appointment.BookInput{PersonID: neighbour, RequestKey: newKey()})
		wantCode(t, err, apperr.Invalid, "")

		if n := count(t, d, `SELECT COUNT(*) FROM appointment_bookings`); n != 4 {
			t.Fatalf("%d bookings stored, want 4", n)
		}
		if n := journaled(t, d, "appointment.book"); n != 4 {
			t.Fatalf("%d booking audit entries, want 4", n)
		}
		if n := journaled(t, d, "appointment.cancel"); n != 1 {
			t.Fatalf("%d cancel audit entries, want 1", n)
		}
	})
}

func TestBookingVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		station := e.slot(t, townshipA(), stationInput(1, "09:00", "11:00", 5))
		a1 := e.person(t, "王秀英", testfix.VillageA1)
		a2 := e.person(t, "赵敏", testfix.VillageA2)
		e.book(t, villageA(), station.ID, a1)
		e.book(t, villageA2(), station.ID, a2)

		names := func(bs []appointment.Booking) string {
			var out []string
			for _, b := range bs {
				out = append(out, b.Name+" "+b.IDNumber)
			}
			return strings.Join(out, ",")
		}
		for _, c := range []struct {
			name string
			got  func() ([]appointment.Booking, error)
			want string
		}{
			{"village A1 sees its resident only", func() ([]appointment.Booking, error) { return e.svc.SlotBookings(villageA(), station.ID) }, "王秀英 "},
			{"village A2 sees its resident only", func() ([]appointment.Booking, error) { return e.svc.SlotBookings(villageA2(), station.ID) }, "赵敏 "},
			{"township sees both", func() ([]appointment.Booking, error) { return e.svc.SlotBookings(townshipA(), station.ID) }, "王秀英 ,赵敏 "},
			{"person's bookings", func() ([]appointment.Booking, error) { return e.svc.PersonBookings(villageA(), a1) }, "王秀英 "},
		} {
			bs, err := c.got()
			if err != nil || names(bs) != c.want {
				t.Errorf("%s: %q %v, want %q", c.name, names(bs), err, c.want)
			}
		}
		// Both villages see the slot's remaining places, counted over everyone.
		if sl, _ := e.svc.GetSlot(villageA(), station.ID); sl.Booked != 2 || sl.Remaining != 3 {
			t.Fatalf("remaining seen by village A1: %+v", sl)
		}
		_, err := e.svc.SlotBookings(villageB(), station.ID)
		wantCode(t, err, apperr.NotFound, "")
		_, err = e.svc.PersonBookings(villageB(), a1)
		wantCode(t, err, apperr.NotFound, "")
		bs, _ := e.svc.PersonBookings(villageA(), a1)
		_, err = e.svc.CancelBooking(villageA2(), bs[0].ID, appointment.CancelInput{Reason: "不是我村的"})
		wantCode(t, err, apperr.NotFound, "")
		// Every view of a booking list is journaled: three slot lists and two
		// of the person's (the refused view wrote nothing).
		if n := journaled(t, d, "appointment.view"); n != 5 {
			t.Fatalf("%d view entries, want 5", n)
		}

		sched, err := e.svc.DaySchedule(villageA(), date(1), testfix.TownA, "")
		if err != nil || len(sched.Slots) != 1 || names(sched.Slots[0].Bookings) != "王秀英 " {
			t.Fatalf("schedule for village A1: %+v %v", sched, err)
		}
		if sched, _ := e.svc.DaySchedule(townshipA(), date(1), "", appointment.Station); len(sched.Slots[0].Bookings) != 2 {
			t.Fatalf("schedule for the township: %+v", sched)
		}
		if sched, _ := e.svc.DaySchedule(villageB(), date(1), "", ""); len(sched.Slots) != 0 {
			t.Fatalf("village B sees township A's schedule: %+v", sched)
		}
		_, err = e.svc.DaySchedule(villageA(), "2026-13-01", "", "")
		wantCode(t, err, apperr.Invalid, "date")
	})
}

func TestAttendAndNoShow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		station := e.slot(t, townshipA(), stationInput(1, "09:00", "11:00", 5))
		ps := e.persons(t, 3, testfix.VillageA1)
		came := e.book(t, villageA(), station.ID, ps[0])
		absent := e.book(t, villageA(), station.ID, ps[1])
		cancelled := e.book(t, villageA(), station.ID, ps[2])
		if _, err := e.svc.CancelBooking(villageA(), cancelled.ID, appointment.CancelInput{Reason: "改期"}); err != nil {
			t.Fatal(err)
		}
		// Before the slot's date nobody can have come.
		_, err := e.svc.Attend(townshipA(), came.ID)
		wantCode(t, err, apperr.Invalid, "")
		e.clock.setDay(1)
		got, err := e.svc.Attend(townshipA(), came.ID)
		if err != nil || got.Status != appointment.Attended || got.StatusLabel != "已到场" || got.Version != 2 {
			t.Fatalf("attend: %+v %v", got, err)
		}
		e.clock.setDay(2)
		if got, err = e.svc.NoShow(townshipA(), absent.ID); err != nil || got.Status != appointment.NoShow {
			t.Fatalf("no-show: %+v %v", got, err)
		}
		for _, c := range []struct {
			name string
			err  func() error
			code apperr.Code
		}{
			{"attend twice", func() error { _, err := e.svc.Attend(townshipA(), came.ID); return err }, apperr.Conflict},
			{"no-show after attended", func() error { _, err := e.svc.NoShow(townshipA(), came.ID); return err }, apperr.Conflict},
			{"attend a cancelled booking", func() error { _, err := e.svc.Attend(townshipA(), cancelled.ID); return err }, apperr.Conflict},
			{"cancel an attended booking", func() error {
				_, err := e.svc.CancelBooking(townshipA(), came.ID, appointment.CancelInput{Reason: "误点"})
				return err
			}, apperr.Conflict},
			{"another village marks", func() error { _, err := e.svc.Attend(villageB(), absent.ID); return err }, apperr.NotFound},
		} {
			t.Run(c.name, func(t *testing.T) { wantCode(t, c.err(), c.code, "") })
		}
		// Served and missed bookings keep their places; the cancelled one gave its back.
		if sl, _ := e.svc.GetSlot(townshipA(), station.ID); sl.Booked != 2 {
			t.Fatalf("slot after marking: %+v", sl)
		}
		if journaled(t, d, "appointment.attend") != 1 || journaled(t, d, "appointment.no_show") != 1 {
			t.Fatal("marks not journaled")
		}
	})
}

func TestCancelSlot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		station := e.slot(t, townshipA(), stationInput(0, "15:00", "17:00", 5)) // today
		ps := e.persons(t, 3, testfix.VillageA1)
		served := e.book(t, villageA(), station.ID, ps[0])
		e.book(t, villageA(), station.ID, ps[1])
		e.book(t, townshipA(), station.ID, ps[2])
		if _, err := e.svc.Attend(townshipA(), served.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			call func(appointment.CancelSlotInput) error
			code apperr.Code
			fld  string
		}{
			{"village officer, township's station", func(in appointment.CancelSlotInput) error {
				_, err := e.svc.CancelSlot(villageA(), station.ID, in)
				return err
			}, apperr.Forbidden, ""},
			{"another township", func(in appointment.CancelSlotInput) error {
				_, err := e.svc.CancelSlot(townshipB(), station.ID, in)
				return err
			}, apperr.NotFound, ""},
			{"no reason", func(in appointment.CancelSlotInput) error {
				in.Reason = ""
				_, err := e.svc.CancelSlot(townshipA(), station.ID, in)
				return err
			}, apperr.Invalid, "reason"},
			{"stale version", func(in appointment.CancelSlotInput) error {
				in.Version = 7
				_, err := e.svc.CancelSlot(townshipA(), station.ID, in)
				return err
			}, apperr.Conflict, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantCode(t, c.call(appointment.CancelSlotInput{Reason: "医生外出培训", Version: 1}), c.code, c.fld)
			})
		}
		sl, err := e.svc.CancelSlot(townshipA(), station.ID, appointment.CancelSlotInput{Reason: "医生外出培训", Version: 1})
		if err != nil || sl.Status != appointment.SlotCancelled || sl.CancelReason != "医生外出培训" || sl.Version != 2 ||
			sl.Booked != 1 || sl.Remaining != 0 {
			t.Fatalf("cancelled slot: %+v %v", sl, err)
		}
		bs, _ := e.svc.SlotBookings(townshipA(), station.ID)
		var statuses []string
		for _, b := range bs {
			statuses = append(statuses, b.Status+":"+b.CancelReason)
		}
		if strings.Join(statuses, ",") != "attended:,cancelled:时段取消：医生外出培训,cancelled:时段取消：医生外出培训" {
			t.Fatalf("bookings after the slot was cancelled: %v", statuses)
		}
		_, _, err = e.svc.Book(villageA(), station.ID, appointment.BookInput{PersonID: ps[1], RequestKey: newKey()})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.CancelSlot(townshipA(), station.ID, appointment.CancelSlotInput{Reason: "再次", Version: 2})
		wantCode(t, err, apperr.Conflict, "")
		if journaled(t, d, "appointment.slot_cancel") != 1 || journaled(t, d, "appointment.cancel") != 2 {
			t.Fatal("slot cancellation not journaled with its bookings")
		}
		// A past slot stays as it was.
		past := e.slot(t, townshipA(), stationInput(1, "09:00", "10:00", 5))
		e.clock.setDay(2)
		_, err = e.svc.CancelSlot(townshipA(), past.ID, appointment.CancelSlotInput{Reason: "补记", Version: 1})
		wantCode(t, err, apperr.Invalid, "")
	})
}
