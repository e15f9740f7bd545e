// Package appointment books service appointments at the service station,
// on the mobile service vehicle (流动服务车) and for home visits: slots with
// a capacity, and bookings that never exceed it, even under concurrent
// requests.
//
// A slot lies at a division: the station's township or county, or the
// village the vehicle or the officer visits. It is visible to users whose
// subtree contains that division and to users below it, so that a village
// officer books residents into the township station; a booking is visible
// only to users in whose scope its person is, so the village officer sees
// how many places remain at the station but not who from other villages
// took them. Taking a place is one conditional UPDATE of the slot's booked
// count; a person holds no two bookings that overlap in time; and the
// client's request key makes a repeated submission return the first
// booking. Slots and bookings are cancelled, never deleted, and every
// change and every view of a booking list is in the audit journal.
package appointment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
)

// Service runs appointment operations, each in one transaction with its audit entry.
type Service struct {
	db      *db.DB
	journal *audit.Journal
	cipher  fieldcrypt.FieldCipher
	now     func() time.Time
}

// NewService returns the appointment service; now may be nil for the real clock.
func NewService(d *db.DB, j *audit.Journal, c fieldcrypt.FieldCipher, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, journal: j, cipher: c, now: now}
}

func (s *Service) today() time.Time { return chinaToday(s.now()) }

// CreateSlots creates a slot, or every slot of a weekly series, in one
// transaction: if any date of the series is refused, none is created.
func (s *Service) CreateSlots(ctx context.Context, in SlotInput) ([]Slot, error) {
	pr := auth.From(ctx)
	c, err := cleanSlot(in, s.today())
	if err != nil {
		return nil, err
	}
	if err := checkCreator(pr, c.Kind); err != nil {
		return nil, err
	}
	var ids []int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		d, err := slotDivision(ctx, tx, pr, c.Kind, c.Division)
		if err != nil {
			return err
		}
		// Serialises creators of the same place, so the overlap check below
		// sees every slot committed before (a double tap creates one series).
		if err := tx.Lock(ctx, "appointment.place:"+d.Code+":"+c.Place); err != nil {
			return apperr.Wrap(err, "lock appointment place")
		}
		ids, err = s.insertSeries(ctx, tx, pr, c, d)
		return err
	})
	if err != nil {
		return nil, err
	}
	return slotsByID(ctx, s.db.Reader(), pr, ids)
}

// checkCreator: village officers offer home visits in their own village;
// stations and the vehicle are run by township or county staff.
func checkCreator(pr *auth.Principal, kind string) error {
	if kind != Home && pathDepth(pr.DivisionPath) >= division.LevelVillage {
		return apperr.New(apperr.Forbidden, "村计生专干只能创建本村的上门服务时段；服务站和流动服务车的时段由乡镇或县级人员创建")
	}
	return nil
}

// slotDivision finds the slot's division in pr's subtree and checks that
// its level suits the kind of place.
func slotDivision(ctx context.Context, tx *db.Tx, pr *auth.Principal, kind, code string) (division.Division, error) {
	d, err := division.GetIn(ctx, tx.Conn, code, pr.DivisionPath)
	if apperr.CodeOf(err) == apperr.NotFound {
		return d, apperr.InvalidField("division", "区划 "+code+" 不存在或不在您的管辖范围内")
	}
	if err != nil {
		return d, err
	}
	switch {
	case kind == Station && d.Level != division.LevelCounty && d.Level != division.LevelTownship:
		return d, apperr.InvalidField("division", "服务站时段应选择服务站所在的乡镇（街道）或县")
	case kind == Vehicle && d.Level != division.LevelTownship && d.Level != division.LevelVillage:
		return d, apperr.InvalidField("division", "流动服务车时段应选择服务车前往的乡镇（街道）或村（居）")
	case kind == Home && d.Level != division.LevelVillage:
		return d, apperr.InvalidField("division", "上门服务时段应选择村（居）委会")
	}
	return d, nil
}

// insertSeries inserts one slot per date of c, each with its audit entry.
func (s *Service) insertSeries(ctx context.Context, tx *db.Tx, pr *auth.Principal, c cleanedSlot, d division.Division) ([]int64, error) {
	ids := make([]int64, 0, len(c.dates))
	now := db.Now()
	for i, date := range c.dates {
		if err := checkPlaceFree(ctx, tx, pr, c, d.Code, date); err != nil {
			return nil, err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO appointment_slots (kind, division_code, division_path, place, slot_date,
			start_time, end_time, capacity, service, note, created_at, created_by, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Kind, d.Code, d.Path, c.Place, date, c.StartTime, c.EndTime, c.Capacity, c.Service, c.Note,
			now, pr.Username, now, pr.Username)
		if err != nil {
			return nil, apperr.Wrap(err, "insert appointment slot")
		}
		after := c.SlotInput
		after.Date = date
		remark := ""
		if len(c.dates) > 1 {
			remark = fmt.Sprintf("每周重复，共 %d 个时段中的第 %d 个", len(c.dates), i+1)
		}
		if err := s.journal.Append(ctx, tx, audit.Entry{Action: "appointment.slot_create", Entity: "appointment_slot",
			EntityID: fmt.Sprint(id), After: after, Remark: remark}); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// checkPlaceFree refuses a slot that overlaps an open one at the same place
// on date: almost always the same slot entered twice. Home visits by two
// officers in one village may overlap, so for them only the same officer's
// slots count.
func checkPlaceFree(ctx context.Context, tx *db.Tx, pr *auth.Principal, c cleanedSlot, code, date string) error {
	q := `SELECT id, start_time, end_time FROM appointment_slots WHERE division_code = ? AND kind = ? AND place = ?
		AND slot_date = ? AND status = 'open' AND start_time < ? AND end_time > ?`
	args := []any{code, c.Kind, c.Place, date, c.EndTime, c.StartTime}
	if c.Kind == Home {
		q += ` AND created_by = ?`
		args = append(args, pr.Username)
	}
	var id int64
	var start, end string
	err := tx.QueryRow(ctx, q+` LIMIT 1`, args...).Scan(&id, &start, &end)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return apperr.Wrap(err, "appointment place check")
	}
	return &apperr.Error{Code: apperr.Conflict, Field: "date", Message: fmt.Sprintf(
		"%s %s–%s 在「%s」已有时段（编号 %d），时间重叠；如需增加名额请取消原时段后重建", date, start, end, c.Place, id)}
}

// GetSlot returns one slot the caller may see.
func (s *Service) GetSlot(ctx context.Context, id int64) (Slot, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	sl, err := loadSlot(ctx, c, pr, id)
	if err != nil {
		return sl, err
	}
	sls := []Slot{sl}
	err = decorateSlots(ctx, c, pr, sls)
	return sls[0], err
}

// ListSlots returns one page of the slots the caller may see in a date
// range, in date and time order, with their remaining places.
func (s *Service) ListSlots(ctx context.Context, f SlotFilter) ([]Slot, int, error) {
	pr := auth.From(ctx)
	from, to, err := dateRange(f.From, f.To, s.today(), true)
	if err != nil {
		return nil, 0, err
	}
	sel := db.Select{Cols: slotCols, From: "appointment_slots s", OrderBy: "s.slot_date, s.start_time, s.id"}
	cond, args := slotVisible(pr)
	sel.Where(cond, args...)
	sel.Where("s.slot_date >= ? AND s.slot_date <= ?", from, to)
	if err := filterSlots(&sel, f); err != nil {
		return nil, 0, err
	}
	c := s.db.Reader()
	total, err := sel.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count appointment slots")
	}
	page, size := max(f.Page, 1), f.Size
	if size <= 0 {
		size = 20
	}
	rows, err := sel.Page(ctx, c, page, size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list appointment slots")
	}
	out, err := readSlots(rows)
	if err != nil {
		return nil, 0, err
	}
	return out, total, decorateSlots(ctx, c, pr, out)
}

// filterSlots adds the kind, status and division conditions of f to sel.
func filterSlots(sel *db.Select, f SlotFilter) error {
	if f.Kind != "" {
		if !kinds.Has(f.Kind) {
			return apperr.InvalidField("kind", "服务方式应为 "+kinds.Values())
		}
		sel.Where("s.kind = ?", f.Kind)
	}
	if f.Status != "" {
		if !slotStatuses.Has(f.Status) {
			return apperr.InvalidField("status", "时段状态应为 "+slotStatuses.Values())
		}
		sel.Where("s.status = ?", f.Status)
	}
	if f.Division != "" {
		sel.Where("s.division_code = ?", f.Division)
	}
	return nil
}

// CancelSlot cancels an open slot and every booking in it that is not yet
// served, with the reason. Nobody is notified by the system; the officer
// tells the persons.
func (s *Service) CancelSlot(ctx context.Context, id int64, in CancelSlotInput) (Slot, error) {
	pr := auth.From(ctx)
	reason, err := cleanReason(in.Reason)
	if err != nil {
		return Slot{}, err
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		cur, err := s.slotForCancel(ctx, tx, pr, id, in.Version)
		if err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `UPDATE appointment_slots SET status = 'cancelled', cancel_reason = ?, version = version + 1,
			updated_at = ?, updated_by = ? WHERE id = ? AND version = ? AND status = 'open'`,
			reason, db.Now(), pr.Username, id, cur.Version)
		if err != nil {
			return apperr.Wrap(err, "cancel appointment slot")
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errStaleSlot()
		}
		cancelled, err := s.cancelSlotBookings(ctx, tx, pr, id, "时段取消："+reason)
		if err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "appointment.slot_cancel", Entity: "appointment_slot",
			EntityID: fmt.Sprint(id), Before: map[string]any{"status": cur.Status, "booked": cur.Booked},
			After:  map[string]any{"status": SlotCancelled, "reason": reason, "cancelled_bookings": cancelled},
			Remark: fmt.Sprintf("同时取消 %d 个预约", len(cancelled))})
	})
	if err != nil {
		return Slot{}, err
	}
	return s.GetSlot(ctx, id)
}

// slotForCancel loads a slot pr may cancel at version.
func (s *Service) slotForCancel(ctx context.Context, tx *db.Tx, pr *auth.Principal, id int64, version int) (Slot, error) {
	cur, err := loadSlot(ctx, tx.Conn, pr, id)
	if err != nil {
		return cur, err
	}
	switch {
	case !canManage(pr, cur):
		return cur, apperr.New(apperr.Forbidden, "只能取消您管辖范围内、由您这一级安排的时段")
	case cur.Status != SlotOpen:
		return cur, apperr.New(apperr.Conflict, "该时段已取消")
	case version != cur.Version:
		return cur, errStaleSlot()
	case cur.Date < s.today().Format(dateLayout):
		return cur, apperr.New(apperr.Invalid, "已过去的时段不能取消")
	}
	return cur, nil
}

func errStaleSlot() error {
	return apperr.New(apperr.Conflict, "该时段已被他人修改，请刷新后重试")
}

// cancelSlotBookings cancels the booked (not yet served) bookings of a
// slot, frees their places and journals each, returning their ids.
func (s *Service) cancelSlotBookings(ctx context.Context, tx *db.Tx, pr *auth.Principal, slotID int64, reason string) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM appointment_bookings WHERE slot_id = ? AND status = 'booked' ORDER BY id`, slotID)
	if err != nil {
		return nil, apperr.Wrap(err, "slot bookings")
	}
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "scan slot booking")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "slot booking rows")
	}
	for _, id := range ids {
		if err := s.setCancelled(ctx, tx, pr, id, slotID, reason); err != nil {
			return nil, err
		}
	}
	return ids, nil
}
