package appointment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// Book books a person into a slot. The bool answer is false when the
// caller sent this request key before: the booking is then the first one
// and nothing was written, so a double tap or a retry after a lost answer
// never books twice.
func (s *Service) Book(ctx context.Context, slotID int64, in BookInput) (Booking, bool, error) {
	pr := auth.From(ctx)
	in, err := cleanBook(in)
	if err != nil {
		return Booking{}, false, err
	}
	var id int64
	created := false
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if err := lockBooking(ctx, tx, pr, in); err != nil {
			return err
		}
		prev, found, err := bookingByKey(ctx, tx, pr, in.RequestKey)
		if err != nil {
			return err
		}
		if found {
			id = prev.id
			return sameRequest(prev, slotID, in)
		}
		id, err = s.insertBooking(ctx, tx, pr, slotID, in)
		created = err == nil
		return err
	})
	if err != nil {
		return Booking{}, false, err
	}
	b, err := loadBooking(ctx, s.db.Reader(), pr, id)
	return b, created, err
}

// lockBooking serialises (on PostgreSQL; SQLite's single writer already
// does) the submissions of one request key and the bookings of one person,
// so that the key lookup and the overlap check see every booking committed
// before them. Both are taken in this order by every booking, so two
// bookings never wait for each other in a circle.
func lockBooking(ctx context.Context, tx *db.Tx, pr *auth.Principal, in BookInput) error {
	if err := tx.Lock(ctx, "appointment.key:"+pr.Username+":"+in.RequestKey); err != nil {
		return apperr.Wrap(err, "lock request key")
	}
	return apperr.Wrap(tx.Lock(ctx, fmt.Sprintf("appointment.person:%d", in.PersonID)), "lock person bookings")
}

// keyedBooking is a booking found by its request key.
type keyedBooking struct{ id, slotID, personID int64 }

// bookingByKey finds the caller's booking made with request key key. Keys
// belong to their user: another user's key finds nothing.
func bookingByKey(ctx context.Context, tx *db.Tx, pr *auth.Principal, key string) (keyedBooking, bool, error) {
	var k keyedBooking
	err := tx.QueryRow(ctx, `SELECT id, slot_id, person_id FROM appointment_bookings WHERE created_by = ? AND request_key = ?`,
		pr.Username, key).Scan(&k.id, &k.slotID, &k.personID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return k, false, nil
	case err != nil:
		return k, false, apperr.Wrap(err, "booking by request key")
	}
	return k, true, nil
}

// sameRequest accepts a repeated submission only if it books the same
// person into the same slot as the first: a key reused for something else
// is a client error that must not silently answer the wrong booking.
func sameRequest(prev keyedBooking, slotID int64, in BookInput) error {
	if prev.slotID != slotID || prev.personID != in.PersonID {
		return &apperr.Error{Code: apperr.Conflict, Field: "request_key",
			Message: "该请求编号已用于另一次预约，请关闭预约窗口后重新打开"}
	}
	return nil
}

// insertBooking checks the slot, the person and their other bookings,
// takes a place and records the booking with its audit entry.
func (s *Service) insertBooking(ctx context.Context, tx *db.Tx, pr *auth.Principal, slotID int64, in BookInput) (int64, error) {
	sl, err := loadSlot(ctx, tx.Conn, pr, slotID)
	if err != nil {
		return 0, err
	}
	if err := s.checkBookable(sl); err != nil {
		return 0, err
	}
	p, err := loadPerson(ctx, tx.Conn, pr, in.PersonID)
	if err != nil {
		return 0, err
	}
	if err := checkPerson(p, sl); err != nil {
		return 0, err
	}
	if err := checkNoOverlap(ctx, tx, in.PersonID, sl); err != nil {
		return 0, err
	}
	if err := takePlace(ctx, tx, sl.ID); err != nil {
		return 0, err
	}
	if in.Service == "" {
		in.Service = sl.Service
	}
	now := db.Now()
	id, err := tx.InsertID(ctx, `INSERT INTO appointment_bookings (slot_id, person_id, service, note, request_key,
		created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sl.ID, in.PersonID, in.Service, in.Note, in.RequestKey, now, pr.Username, now, pr.Username)
	if db.IsUniqueViolation(err) {
		return 0, &apperr.Error{Code: apperr.Conflict, Field: "person_id", Message: "该人员已预约此时段", Err: err}
	}
	if err != nil {
		return 0, apperr.Wrap(err, "insert appointment booking")
	}
	return id, s.journal.Append(ctx, tx, audit.Entry{Action: "appointment.book", Entity: "appointment_booking",
		EntityID: fmt.Sprint(id), After: map[string]any{"slot_id": sl.ID, "person_id": in.PersonID,
			"service": in.Service, "note": in.Note, "status": Booked},
		Remark: fmt.Sprintf("%s %s–%s %s", sl.Date, sl.StartTime, sl.EndTime, sl.Place)})
}

// checkBookable refuses cancelled and past slots. A slot of today stays
// bookable all day: a walk-in is entered after the fact.
func (s *Service) checkBookable(sl Slot) error {
	if sl.Status != SlotOpen {
		return apperr.New(apperr.Conflict, "该时段已取消，不能预约")
	}
	if sl.Date < s.today().Format(dateLayout) {
		return apperr.New(apperr.Invalid, "该时段已过，不能预约")
	}
	return nil
}

// checkPerson: only living persons are booked, and a home visit only for
// someone registered or living in the visited village.
func checkPerson(p personRow, sl Slot) error {
	if p.status != "alive" {
		return apperr.InvalidField("person_id", "该人员已死亡或已迁出，不能预约")
	}
	if sl.Kind == Home && !p.livesIn(sl.path) {
		return apperr.InvalidField("person_id", "上门服务时段只能预约本村（居）户籍或居住的人员")
	}
	return nil
}

// checkNoOverlap refuses a second booking of the person in the same slot
// or in another slot of the same date whose time overlaps, naming the
// booking they already hold.
func checkNoOverlap(ctx context.Context, tx *db.Tx, personID int64, sl Slot) error {
	var id, otherSlot int64
	var date, start, end, place string
	err := tx.QueryRow(ctx, `SELECT b.id, s.id, s.slot_date, s.start_time, s.end_time, s.place
		FROM appointment_bookings b JOIN appointment_slots s ON s.id = b.slot_id
		WHERE b.person_id = ? AND b.status <> 'cancelled' AND s.slot_date = ? AND s.start_time < ? AND s.end_time > ?
		ORDER BY b.id LIMIT 1`, personID, sl.Date, sl.EndTime, sl.StartTime).Scan(&id, &otherSlot, &date, &start, &end, &place)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return apperr.Wrap(err, "overlapping bookings")
	}
	msg := fmt.Sprintf("该人员在 %s %s–%s 已有预约（%s，预约号 %d），与此时段时间重叠", date, start, end, place, id)
	if otherSlot == sl.ID {
		msg = fmt.Sprintf("该人员已预约此时段（预约号 %d）", id)
	}
	return &apperr.Error{Code: apperr.Conflict, Field: "person_id", Message: msg}
}

// takePlace takes one place of an open slot. The condition is in the
// UPDATE itself: concurrent bookings queue on the slot's row (or SQLite's
// single writer) and each sees the count the previous one left, so the
// count never passes the capacity.
func takePlace(ctx context.Context, tx *db.Tx, slotID int64) error {
	r, err := tx.Exec(ctx, `UPDATE appointment_slots SET booked = booked + 1
		WHERE id = ? AND booked < capacity AND status = 'open'`, slotID)
	if err != nil {
		return apperr.Wrap(err, "take appointment place")
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return nil
	}
	// The slot may have been cancelled while this booking waited for it.
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM appointment_slots WHERE id = ?`, slotID).Scan(&status); err != nil {
		return apperr.Wrap(err, "appointment slot status")
	}
	if status != SlotOpen {
		return apperr.New(apperr.Conflict, "该时段已取消，不能预约")
	}
	return apperr.New(apperr.Conflict, "该时段已约满")
}

// CancelBooking cancels a booking that is not yet served and frees its
// place.
func (s *Service) CancelBooking(ctx context.Context, id int64, in CancelInput) (Booking, error) {
	pr := auth.From(ctx)
	reason, err := cleanReason(in.Reason)
	if err != nil {
		return Booking{}, err
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		cur, err := loadBooking(ctx, tx.Conn, pr, id)
		if err != nil {
			return err
		}
		if cur.Status != Booked {
			return notBooked(cur, "取消")
		}
		return s.setCancelled(ctx, tx, pr, id, cur.SlotID, reason)
	})
	if err != nil {
		return Booking{}, err
	}
	return loadBooking(ctx, s.db.Reader(), pr, id)
}

func notBooked(b Booking, what string) error {
	return apperr.Newf(apperr.Conflict, "该预约%s，不能再%s", statuses.Label(b.Status), what)
}

// setCancelled cancels a booked booking of slotID and gives its place back.
func (s *Service) setCancelled(ctx context.Context, tx *db.Tx, pr *auth.Principal, id, slotID int64, reason string) error {
	r, err := tx.Exec(ctx, `UPDATE appointment_bookings SET status = 'cancelled', cancel_reason = ?, version = version + 1,
		updated_at = ?, updated_by = ? WHERE id = ? AND status = 'booked'`, reason, db.Now(), pr.Username, id)
	if err != nil {
		return apperr.Wrap(err, "cancel appointment booking")
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "该预约已被他人处理，请刷新后重试")
	}
	if _, err := tx.Exec(ctx, `UPDATE appointment_slots SET booked = booked - 1 WHERE id = ?`, slotID); err != nil {
		return apperr.Wrap(err, "free appointment place")
	}
	return s.journal.Append(ctx, tx, audit.Entry{Action: "appointment.cancel", Entity: "appointment_booking",
		EntityID: fmt.Sprint(id), Before: map[string]any{"status": Booked},
		After: map[string]any{"status": Cancelled, "reason": reason}})
}

// Attend marks a booking as served (到场), on or after the slot's date.
func (s *Service) Attend(ctx context.Context, id int64) (Booking, error) {
	return s.mark(ctx, id, Attended, "appointment.attend")
}

// NoShow marks a booking whose person did not come (未到), on or after the
// slot's date. The place stays taken: the time has passed.
func (s *Service) NoShow(ctx context.Context, id int64) (Booking, error) {
	return s.mark(ctx, id, NoShow, "appointment.no_show")
}

func (s *Service) mark(ctx context.Context, id int64, status, action string) (Booking, error) {
	pr := auth.From(ctx)
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		cur, err := loadBooking(ctx, tx.Conn, pr, id)
		if err != nil {
			return err
		}
		if cur.Status != Booked {
			return notBooked(cur, "标记")
		}
		if today := s.today().Format(dateLayout); today < cur.Date {
			return apperr.Newf(apperr.Invalid, "预约日期 %s 之前不能标记%s", cur.Date, statuses.Label(status))
		}
		r, err := tx.Exec(ctx, `UPDATE appointment_bookings SET status = ?, version = version + 1, updated_at = ?, updated_by = ?
			WHERE id = ? AND status = 'booked'`, status, db.Now(), pr.Username, id)
		if err != nil {
			return apperr.Wrap(err, "mark appointment booking")
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "该预约已被他人处理，请刷新后重试")
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: action, Entity: "appointment_booking",
			EntityID: fmt.Sprint(id), Before: map[string]any{"status": Booked}, After: map[string]any{"status": status}})
	})
	if err != nil {
		return Booking{}, err
	}
	return loadBooking(ctx, s.db.Reader(), pr, id)
}
