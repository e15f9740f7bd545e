package appointment

import (
	"context"
	"database/sql"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// slotCols are the columns every slot read selects, in scanSlot order.
const slotCols = `s.id, s.kind, s.division_code, s.division_path, s.place, s.slot_date, s.start_time, s.end_time,
	s.capacity, s.booked, s.service, s.note, s.status, s.cancel_reason, s.version, s.created_by, s.created_at`

type scanner interface{ Scan(...any) error }

func scanSlot(sc scanner) (Slot, error) {
	var sl Slot
	var reason sql.NullString
	err := sc.Scan(&sl.ID, &sl.Kind, &sl.Division, &sl.path, &sl.Place, &sl.Date, &sl.StartTime, &sl.EndTime,
		&sl.Capacity, &sl.Booked, &sl.Service, &sl.Note, &sl.Status, &reason, &sl.Version, &sl.CreatedBy, &sl.CreatedAt)
	sl.CancelReason = reason.String
	return sl, err
}

func readSlots(rows *sql.Rows) ([]Slot, error) {
	defer rows.Close()
	out := []Slot{}
	for rows.Next() {
		sl, err := scanSlot(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan appointment slot")
		}
		out = append(out, sl)
	}
	return out, apperr.Wrap(rows.Err(), "appointment slot rows")
}

// slotVisible is true of a slot (aliased s) that pr may see: one in pr's
// subtree, or one at a division above pr's own, since a village officer
// books residents into the township's or county's station. A slot in a
// sibling subtree (another village's home visits) stays invisible.
func slotVisible(pr *auth.Principal) (string, []any) {
	cond, args := db.Subtree("s.division_path", pr.DivisionPath)
	above := ancestorPaths(pr.DivisionPath)
	if len(above) == 0 {
		return cond, args
	}
	for _, p := range above {
		args = append(args, p)
	}
	return "(" + cond + " OR s.division_path IN (" + db.Placeholders(len(above)) + "))", args
}

// loadSlot reads one slot pr may see; others are not found.
func loadSlot(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Slot, error) {
	cond, args := slotVisible(pr)
	sl, err := scanSlot(c.QueryRow(ctx, `SELECT `+slotCols+` FROM appointment_slots s WHERE s.id = ? AND `+cond,
		append([]any{id}, args...)...))
	return sl, db.NotFound(err, "预约时段不存在")
}

// canManage says whether pr may cancel sl: a slot in pr's own subtree, and
// a station or vehicle slot only for township or county staff, as for
// creating one.
func canManage(pr *auth.Principal, sl Slot) bool {
	if !pr.Covers(sl.path) {
		return false
	}
	return sl.Kind == Home || pathDepth(pr.DivisionPath) < division.LevelVillage
}

// decorateSlots adds labels, remaining places, division names and whether
// pr may manage each slot.
func decorateSlots(ctx context.Context, c db.Conn, pr *auth.Principal, sls []Slot) error {
	codes := make([]string, len(sls))
	for i, sl := range sls {
		codes[i] = sl.Division
	}
	names, err := division.DisplayNames(ctx, c, codes)
	if err != nil {
		return err
	}
	for i := range sls {
		sl := &sls[i]
		sl.DivisionName = names[sl.Division]
		sl.KindLabel, sl.ServiceLabel = kinds.Label(sl.Kind), ServiceLabel(sl.Service)
		sl.Remaining = max(sl.Capacity-sl.Booked, 0)
		if sl.Status != SlotOpen {
			sl.Remaining = 0
		}
		sl.CanManage = canManage(pr, *sl)
	}
	return nil
}

// slotsByID reads the slots ids that pr may see, in date order.
func slotsByID(ctx context.Context, c db.Conn, pr *auth.Principal, ids []int64) ([]Slot, error) {
	if len(ids) == 0 {
		return []Slot{}, nil
	}
	cond, args := slotVisible(pr)
	all := make([]any, 0, len(ids)+len(args))
	for _, id := range ids {
		all = append(all, id)
	}
	rows, err := c.Query(ctx, `SELECT `+slotCols+` FROM appointment_slots s WHERE s.id IN (`+db.Placeholders(len(ids))+`)
		AND `+cond+` ORDER BY s.slot_date, s.start_time, s.id`, append(all, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "read appointment slots")
	}
	out, err := readSlots(rows)
	if err != nil {
		return nil, err
	}
	return out, decorateSlots(ctx, c, pr, out)
}

// personScope restricts persons aliased p to pr's subtree: either the
// registered or the residence division lies in it (as in the registry).
func personScope(pr *auth.Principal) (string, []any) { return db.PersonScope("p", pr.DivisionPath) }

// bookingCols are the columns every booking read selects, in scanBooking
// order: the person by name and masked ID only.
const bookingCols = `b.id, b.slot_id, b.person_id, p.name, p.sex, p.id_mask, b.service, b.note, b.status, b.cancel_reason,
	s.kind, s.slot_date, s.start_time, s.end_time, s.place, s.division_code, b.version,
	b.created_by, b.created_at, b.updated_by, b.updated_at`

const bookingFrom = `appointment_bookings b JOIN appointment_slots s ON s.id = b.slot_id JOIN persons p ON p.id = b.person_id`

func scanBooking(sc scanner) (Booking, error) {
	var b Booking
	var idMask, reason sql.NullString
	err := sc.Scan(&b.ID, &b.SlotID, &b.PersonID, &b.Name, &b.Sex, &idMask, &b.Service, &b.Note, &b.Status, &reason,
		&b.Kind, &b.Date, &b.StartTime, &b.EndTime, &b.Place, &b.Division, &b.Version,
		&b.CreatedBy, &b.CreatedAt, &b.UpdatedBy, &b.UpdatedAt)
	b.IDNumber, b.CancelReason = idMask.String, reason.String
	return b, err
}

// queryBookings reads the bookings matching where (over bookingFrom) that
// pr may see: those of persons in pr's scope.
func queryBookings(ctx context.Context, c db.Conn, pr *auth.Principal, where, order string, args ...any) ([]Booking, error) {
	cond, sargs := personScope(pr)
	rows, err := c.Query(ctx, `SELECT `+bookingCols+` FROM `+bookingFrom+` WHERE `+where+` AND `+cond+` ORDER BY `+order,
		append(args, sargs...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "list appointment bookings")
	}
	defer rows.Close()
	out := []Booking{}
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan appointment booking")
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "appointment booking rows")
	}
	return out, decorateBookings(ctx, c, out)
}

// loadBooking reads one booking of a person in pr's scope; others are not
// found.
func loadBooking(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Booking, error) {
	bs, err := queryBookings(ctx, c, pr, "b.id = ?", "b.id", id)
	if err != nil {
		return Booking{}, err
	}
	if len(bs) == 0 {
		return Booking{}, apperr.NotFoundf("预约不存在")
	}
	return bs[0], nil
}

func decorateBookings(ctx context.Context, c db.Conn, bs []Booking) error {
	codes := make([]string, len(bs))
	for i, b := range bs {
		codes[i] = b.Division
	}
	names, err := division.DisplayNames(ctx, c, codes)
	if err != nil {
		return err
	}
	for i := range bs {
		b := &bs[i]
		b.DivisionName, b.ServiceLabel, b.StatusLabel = names[b.Division], ServiceLabel(b.Service), statuses.Label(b.Status)
	}
	return nil
}

// personRow is what booking needs to know of a person.
type personRow struct {
	status           string
	regPath, resPath string
}

// loadPerson reads a person in pr's scope; others are not found.
func loadPerson(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (personRow, error) {
	cond, args := personScope(pr)
	var p personRow
	err := c.QueryRow(ctx, `SELECT p.status, p.reg_path, p.res_path FROM persons p WHERE p.id = ? AND `+cond,
		append([]any{id}, args...)...).Scan(&p.status, &p.regPath, &p.resPath)
	return p, db.NotFound(err, "人员不存在")
}

// livesIn reports whether the person is registered or lives under path.
func (p personRow) livesIn(path string) bool {
	return strings.HasPrefix(p.regPath, path) || strings.HasPrefix(p.resPath, path)
}
