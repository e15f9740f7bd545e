package supply

import (
	"context"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// MethodCount is the number of persons using one method.
type MethodCount struct {
	Method string `json:"method"`
	Label  string `json:"label"`
	Count  int    `json:"count"`
}

// MethodCounts is the answer of UsersByMethod: every method, zeros included,
// in the order of the enumeration, and the number of persons with any
// recorded method (none included).
type MethodCounts struct {
	Division string        `json:"division"`
	Date     string        `json:"date"`
	Total    int           `json:"total"`
	Methods  []MethodCount `json:"methods"`
}

// ItemTotal is how much of one item was dispensed in a period.
type ItemTotal struct {
	ItemID     int64  `json:"item_id"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	Unit       string `json:"unit"`
	Qty        int    `json:"qty"`         // units dispensed, net of reversals
	MachineQty int    `json:"machine_qty"` // of which by dispensing machines
	// Dispensings counts handings-over net of reversals: one dispensing
	// split over two batches is two moves but one handing-over (line 1).
	Dispensings int `json:"dispensings"`
}

// DispensedTotals is the answer of DispensedByItem.
type DispensedTotals struct {
	Division string      `json:"division"`
	From     string      `json:"from"`
	To       string      `json:"to"`
	Items    []ItemTotal `json:"items"`
}

// UsersByMethod counts the persons whose effective method on date (default
// today) is each method: persons whose registered or residence division
// lies in the subtree of divisionCode (default: the caller's area; always
// within it), not deceased on that date. An entry is effective from its
// since date up to, not including, its until date.
func (s *Service) UsersByMethod(ctx context.Context, divisionCode, date string) (MethodCounts, error) {
	c := s.db.Reader()
	pr := auth.From(ctx)
	area, err := listArea(ctx, c, pr, divisionCode)
	if err != nil {
		return MethodCounts{}, err
	}
	if date, err = figureDate(date, s.today()); err != nil {
		return MethodCounts{}, err
	}
	reg, ra := db.Subtree("p.reg_path", area)
	res, sa := db.Subtree("p.res_path", area)
	args := append(append(append([]any{}, ra...), sa...), date, date, date)
	rows, err := c.Query(ctx, `SELECT u.method, COUNT(DISTINCT u.person_id) FROM contraceptive_use u
		JOIN persons p ON p.id = u.person_id
		WHERE (`+reg+` OR `+res+`) AND u.since <= ? AND (u.until IS NULL OR u.until > ?)
		AND NOT (p.status = 'deceased' AND p.death_date IS NOT NULL AND p.death_date <= ?)
		GROUP BY u.method`, args...)
	if err != nil {
		return MethodCounts{}, apperr.Wrap(err, "users by method")
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var m string
		var n int
		if err := rows.Scan(&m, &n); err != nil {
			return MethodCounts{}, apperr.Wrap(err, "scan method count")
		}
		counts[m] = n
	}
	if err := rows.Err(); err != nil {
		return MethodCounts{}, apperr.Wrap(err, "method count rows")
	}
	out := MethodCounts{Division: areaCode(area), Date: date, Methods: make([]MethodCount, len(methods))}
	for i, o := range methods {
		out.Methods[i] = MethodCount{Method: o.Value, Label: o.Label, Count: counts[o.Value]}
		out.Total += counts[o.Value]
	}
	return out, nil
}

// figureDate checks the date of a figure: default today, not in the future.
func figureDate(date, today string) (string, error) {
	return checkDate("date", "统计日期", date, today)
}

// areaCode is the division code a materialised path ends with ("" for the root).
func areaCode(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return parts[len(parts)-1]
}

// DispensedByItem sums what sites of the division's subtree (within the
// caller's area) dispensed to persons and through machines from from to to
// (inclusive; default the current month up to today), per item, net of
// reversals. A reversal counts on the date of the move it undoes, so a
// period's figure does not change sign when a correction is made later.
func (s *Service) DispensedByItem(ctx context.Context, divisionCode, from, to string) (DispensedTotals, error) {
	c := s.db.Reader()
	area, err := listArea(ctx, c, auth.From(ctx), divisionCode)
	if err != nil {
		return DispensedTotals{}, err
	}
	today := s.today()
	if from, to, err = period(from, to, today[:8]+"01", today); err != nil {
		return DispensedTotals{}, err
	}
	cond, args := db.Subtree("m.division_path", area)
	rows, err := c.Query(ctx, `SELECT i.id, i.code, i.name, i.unit, SUM(-m.qty),
		SUM(CASE WHEN m.source = 'machine' THEN -m.qty ELSE 0 END),
		SUM(CASE WHEN m.kind = 'dispense' AND m.line_no = 1 THEN 1 WHEN m.kind = 'reversal' AND o.line_no = 1 THEN -1 ELSE 0 END)
		FROM supply_moves m LEFT JOIN supply_moves o ON o.id = m.reverses_id
		JOIN supply_items i ON i.id = m.item_id
		WHERE (m.kind = 'dispense' OR (m.kind = 'reversal' AND o.kind = 'dispense')) AND `+cond+`
		AND COALESCE(o.moved_on, m.moved_on) >= ? AND COALESCE(o.moved_on, m.moved_on) <= ?
		GROUP BY i.id, i.code, i.name, i.unit ORDER BY i.code`, append(args, from, to)...)
	if err != nil {
		return DispensedTotals{}, apperr.Wrap(err, "dispensed by item")
	}
	defer rows.Close()
	out := DispensedTotals{Division: areaCode(area), From: from, To: to, Items: []ItemTotal{}}
	for rows.Next() {
		var t ItemTotal
		if err := rows.Scan(&t.ItemID, &t.Code, &t.Name, &t.Unit, &t.Qty, &t.MachineQty, &t.Dispensings); err != nil {
			return DispensedTotals{}, apperr.Wrap(err, "scan dispensed")
		}
		out.Items = append(out.Items, t)
	}
	return out, apperr.Wrap(rows.Err(), "dispensed rows")
}
