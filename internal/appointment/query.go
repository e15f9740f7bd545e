package appointment

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// Booking lists name persons beside the service they booked, which is
// health data: each read runs in a write transaction so that its audit
// entry is written with it, as for every view of a health record.

// SlotBookings lists the bookings of a slot the caller may see, only those
// of persons in the caller's scope: a village officer sees their own
// residents at the township station, not other villages'.
func (s *Service) SlotBookings(ctx context.Context, slotID int64) ([]Booking, error) {
	pr := auth.From(ctx)
	var out []Booking
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		sl, err := loadSlot(ctx, tx.Conn, pr, slotID)
		if err != nil {
			return err
		}
		if out, err = queryBookings(ctx, tx.Conn, pr, "b.slot_id = ?", "b.id", slotID); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "appointment.view", Entity: "appointment_slot",
			EntityID: fmt.Sprint(slotID), Remark: fmt.Sprintf("查看 %s %s–%s %s 的预约名单（%d 人）",
				sl.Date, sl.StartTime, sl.EndTime, sl.Place, len(out))})
	})
	return out, err
}

// PersonBookings lists a person's bookings, newest slot first. The person
// must be in the caller's scope.
func (s *Service) PersonBookings(ctx context.Context, personID int64) ([]Booking, error) {
	pr := auth.From(ctx)
	var out []Booking
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := loadPerson(ctx, tx.Conn, pr, personID); err != nil {
			return err
		}
		var err error
		out, err = queryBookings(ctx, tx.Conn, pr, "b.person_id = ?", "s.slot_date DESC, s.start_time DESC, b.id DESC", personID)
		if err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "appointment.view", Entity: "person",
			EntityID: fmt.Sprint(personID), Remark: fmt.Sprintf("查看人员的预约记录（%d 条）", len(out))})
	})
	return out, err
}

// DaySchedule is a day's schedule (日程表): the slots of date the caller
// may see, optionally of one division (a station's township) and kind, in
// time order, each with the bookings of persons in the caller's scope.
func (s *Service) DaySchedule(ctx context.Context, date, divisionCode, kind string) (Schedule, error) {
	pr := auth.From(ctx)
	day, err := parseDate("date", "日期", date)
	if err != nil {
		return Schedule{}, err
	}
	out := Schedule{Date: day.Format(dateLayout), Slots: []ScheduleSlot{}}
	f := SlotFilter{Kind: kind, Division: strings.TrimSpace(divisionCode)}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		sls, err := daySlots(ctx, tx.Conn, pr, out.Date, f)
		if err != nil {
			return err
		}
		n := 0
		for _, sl := range sls {
			bs, err := queryBookings(ctx, tx.Conn, pr, "b.slot_id = ?", "b.id", sl.ID)
			if err != nil {
				return err
			}
			n += len(bs)
			out.Slots = append(out.Slots, ScheduleSlot{Slot: sl, Bookings: bs})
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "appointment.view", Entity: "appointment_schedule",
			EntityID: out.Date, Remark: fmt.Sprintf("查看 %s 预约日程（%d 个时段，%d 人）", out.Date, len(sls), n)})
	})
	return out, err
}

// daySlots reads the slots of one date pr may see, narrowed by f.
func daySlots(ctx context.Context, c db.Conn, pr *auth.Principal, date string, f SlotFilter) ([]Slot, error) {
	sel := db.Select{Cols: slotCols, From: "appointment_slots s", OrderBy: "s.start_time, s.id"}
	cond, args := slotVisible(pr)
	sel.Where(cond, args...)
	sel.Where("s.slot_date = ?", date)
	if err := filterSlots(&sel, f); err != nil {
		return nil, err
	}
	// A day has a handful of slots; the bound only guards the page size.
	rows, err := sel.PageAt(ctx, c, 0, 500)
	if err != nil {
		return nil, apperr.Wrap(err, "day slots")
	}
	sls, err := readSlots(rows)
	if err != nil {
		return nil, err
	}
	return sls, decorateSlots(ctx, c, pr, sls)
}

// Counts returns the bookings of slots dated from..to (inclusive) of
// persons in the caller's scope, by service and status: a figure for
// reports, so it names nobody.
func (s *Service) Counts(ctx context.Context, from, to string) (Counts, error) {
	pr := auth.From(ctx)
	from, to, err := dateRange(from, to, s.today(), false)
	if err != nil {
		return Counts{}, err
	}
	cond, args := personScope(pr)
	rows, err := s.db.Reader().Query(ctx, `SELECT b.service, b.status, COUNT(*) FROM `+bookingFrom+`
		WHERE s.slot_date >= ? AND s.slot_date <= ? AND `+cond+` GROUP BY b.service, b.status`,
		append([]any{from, to}, args...)...)
	if err != nil {
		return Counts{}, apperr.Wrap(err, "count appointment bookings")
	}
	defer rows.Close()
	byService := map[string]*CountRow{}
	for rows.Next() {
		var service, status string
		var n int
		if err := rows.Scan(&service, &status, &n); err != nil {
			return Counts{}, apperr.Wrap(err, "scan appointment counts")
		}
		row := byService[service]
		if row == nil {
			row = &CountRow{Service: service, ServiceLabel: ServiceLabel(service)}
			byService[service] = row
		}
		row.add(status, n)
	}
	if err := rows.Err(); err != nil {
		return Counts{}, apperr.Wrap(err, "appointment count rows")
	}
	return countsOf(from, to, byService), nil
}

func (r *CountRow) add(status string, n int) {
	switch status {
	case Booked:
		r.Booked += n
	case Attended:
		r.Attended += n
	case NoShow:
		r.NoShow += n
	case Cancelled:
		r.Cancelled += n
	}
	r.Total += n
}

// countsOf orders the rows (known services in their listed order, then
// free-text ones by name) and sums the total.
func countsOf(from, to string, byService map[string]*CountRow) Counts {
	out := Counts{From: from, To: to, Rows: []CountRow{}, Total: CountRow{Service: "", ServiceLabel: "合计"}}
	for _, row := range byService {
		out.Rows = append(out.Rows, *row)
		out.Total.Booked += row.Booked
		out.Total.Attended += row.Attended
		out.Total.NoShow += row.NoShow
		out.Total.Cancelled += row.Cancelled
		out.Total.Total += row.Total
	}
	rank := func(s string) int {
		for i, o := range services {
			if o.Value == s {
				return i
			}
		}
		return len(services)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i].Service, out.Rows[j].Service
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return a < b
	})
	return out
}
