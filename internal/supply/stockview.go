package supply

import (
	"context"
	"database/sql"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// StockRow is the stock of one batch at one site.
type StockRow struct {
	ID           int64  `json:"id"`
	SiteID       int64  `json:"site_id"`
	SiteName     string `json:"site_name"`
	SiteKind     string `json:"site_kind"`
	ItemID       int64  `json:"item_id"`
	ItemCode     string `json:"item_code"`
	ItemName     string `json:"item_name"`
	Unit         string `json:"unit"`
	BatchNo      string `json:"batch_no"`
	Expiry       string `json:"expiry"`
	Qty          int    `json:"qty"`
	ExpiryStatus string `json:"expiry_status"` // ok, near or expired, as of today
	DaysLeft     int    `json:"days_left"`     // days from today to the expiry date (negative once expired)
}

// StockFilter selects stock rows.
type StockFilter struct {
	Division string
	SiteID   int64
	ItemID   int64
	Status   string // ok, near, expired or "" for all
	Empty    bool   // include batches the site no longer holds
	NearDays int    // window of "near expiry"; 0 means DefaultNearDays
	Page     int
	Size     int
}

// LowStock is a site holding less usable (unexpired) stock of an item than
// the item's threshold.
type LowStock struct {
	SiteID    int64  `json:"site_id"`
	SiteName  string `json:"site_name"`
	SiteKind  string `json:"site_kind"`
	ItemID    int64  `json:"item_id"`
	ItemCode  string `json:"item_code"`
	ItemName  string `json:"item_name"`
	Unit      string `json:"unit"`
	Qty       int    `json:"qty"`
	Threshold int    `json:"threshold"`
}

// Alerts is the answer of GET /supply/alerts.
type Alerts struct {
	Today    string     `json:"today"`
	NearDays int        `json:"near_days"`
	LowStock []LowStock `json:"low_stock"`
	Expiring []StockRow `json:"expiring"` // batches expired or expiring within NearDays, soonest first
}

// maxExpiring bounds the expiry list of one answer; a county with more
// batches than this near expiry has a problem the first page already shows.
const maxExpiring = 500

// checkNearDays checks the "near expiry" window.
func checkNearDays(n int) (int, error) {
	if n == 0 {
		return DefaultNearDays, nil
	}
	if n < 1 || n > 3650 {
		return 0, apperr.InvalidField("days", "近效期天数应为 1 到 3650 之间的整数")
	}
	return n, nil
}

const stockCols = `s.id, s.site_id, st.name, st.kind, s.item_id, i.code, i.name, i.unit, b.batch_no, b.expiry, s.qty`

const stockFrom = `supply_stock s JOIN supply_sites st ON st.id = s.site_id JOIN supply_items i ON i.id = s.item_id
	JOIN supply_batches b ON b.id = s.batch_id`

func readStock(rows *sql.Rows, today string, nearDays int) ([]StockRow, error) {
	defer rows.Close()
	out := []StockRow{}
	for rows.Next() {
		var r StockRow
		if err := rows.Scan(&r.ID, &r.SiteID, &r.SiteName, &r.SiteKind, &r.ItemID, &r.ItemCode, &r.ItemName, &r.Unit,
			&r.BatchNo, &r.Expiry, &r.Qty); err != nil {
			return nil, apperr.Wrap(err, "scan stock")
		}
		r.ExpiryStatus, r.DaysLeft = ExpiryStatus(r.Expiry, today, nearDays), daysBetween(today, r.Expiry)
		out = append(out, r)
	}
	return out, apperr.Wrap(rows.Err(), "stock rows")
}

// Stock returns a page of stock by site and batch in the caller's area.
func (s *Service) Stock(ctx context.Context, f StockFilter) ([]StockRow, int, error) {
	c := s.db.Reader()
	area, err := listArea(ctx, c, auth.From(ctx), f.Division)
	if err != nil {
		return nil, 0, err
	}
	near, err := checkNearDays(f.NearDays)
	if err != nil {
		return nil, 0, err
	}
	today := s.today()
	sel := db.Select{Cols: stockCols, From: stockFrom, OrderBy: "st.division_path, st.name, st.id, i.code, b.expiry, b.batch_no"}
	cond, args := db.Subtree("s.division_path", area)
	sel.Where(cond, args...)
	if err := filterStock(&sel, f, today, near); err != nil {
		return nil, 0, err
	}
	total, err := sel.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count stock")
	}
	rows, err := sel.Page(ctx, c, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list stock")
	}
	out, err := readStock(rows, today, near)
	return out, total, err
}

func filterStock(sel *db.Select, f StockFilter, today string, near int) error {
	if !f.Empty {
		sel.Where("s.qty > 0")
	}
	if f.SiteID > 0 {
		sel.Where("s.site_id = ?", f.SiteID)
	}
	if f.ItemID > 0 {
		sel.Where("s.item_id = ?", f.ItemID)
	}
	switch f.Status {
	case "":
	case ExpiryExpired:
		sel.Where("b.expiry < ?", today)
	case ExpiryNear:
		sel.Where("b.expiry >= ? AND b.expiry <= ?", today, addDays(today, near))
	case ExpiryOK:
		sel.Where("b.expiry > ?", addDays(today, near))
	default:
		return apperr.InvalidField("status", "效期状态应为 "+expiryKinds.Values())
	}
	return nil
}

// Alerts returns the low-stock sites and the batches near or past expiry
// in the caller's area (narrowed to a division or a site). Low stock is
// judged on unexpired stock, for active items with a threshold at active
// sites that stock the item at all: a village room that never keeps IUDs
// is not short of them.
func (s *Service) Alerts(ctx context.Context, divisionCode string, siteID int64, nearDays int) (Alerts, error) {
	c := s.db.Reader()
	area, err := listArea(ctx, c, auth.From(ctx), divisionCode)
	if err != nil {
		return Alerts{}, err
	}
	out := Alerts{Today: s.today()}
	if out.NearDays, err = checkNearDays(nearDays); err != nil {
		return Alerts{}, err
	}
	if out.LowStock, err = lowStock(ctx, c, area, siteID, out.Today); err != nil {
		return Alerts{}, err
	}
	out.Expiring, err = expiring(ctx, c, area, siteID, out.Today, out.NearDays)
	return out, err
}

func lowStock(ctx context.Context, c db.Conn, area string, siteID int64, today string) ([]LowStock, error) {
	cond, args := db.Subtree("s.division_path", area)
	q := `SELECT st.id, st.name, st.kind, i.id, i.code, i.name, i.unit,
		SUM(CASE WHEN b.expiry >= ? THEN s.qty ELSE 0 END), i.low_stock
		FROM ` + stockFrom + `
		WHERE st.active = 1 AND i.active = 1 AND i.low_stock > 0 AND ` + cond
	args = append([]any{today}, args...)
	if siteID > 0 {
		q += ` AND s.site_id = ?`
		args = append(args, siteID)
	}
	q += ` GROUP BY st.division_path, st.id, st.name, st.kind, i.id, i.code, i.name, i.unit, i.low_stock
		HAVING SUM(CASE WHEN b.expiry >= ? THEN s.qty ELSE 0 END) < i.low_stock
		ORDER BY st.division_path, st.name, st.id, i.code`
	rows, err := c.Query(ctx, q, append(args, today)...)
	if err != nil {
		return nil, apperr.Wrap(err, "low stock")
	}
	defer rows.Close()
	out := []LowStock{}
	for rows.Next() {
		var l LowStock
		if err := rows.Scan(&l.SiteID, &l.SiteName, &l.SiteKind, &l.ItemID, &l.ItemCode, &l.ItemName, &l.Unit, &l.Qty, &l.Threshold); err != nil {
			return nil, apperr.Wrap(err, "scan low stock")
		}
		out = append(out, l)
	}
	return out, apperr.Wrap(rows.Err(), "low stock rows")
}

func expiring(ctx context.Context, c db.Conn, area string, siteID int64, today string, near int) ([]StockRow, error) {
	cond, args := db.Subtree("s.division_path", area)
	q := `SELECT ` + stockCols + ` FROM ` + stockFrom + ` WHERE s.qty > 0 AND b.expiry <= ? AND ` + cond
	args = append([]any{addDays(today, near)}, args...)
	if siteID > 0 {
		q += ` AND s.site_id = ?`
		args = append(args, siteID)
	}
	rows, err := c.Query(ctx, q+` ORDER BY b.expiry, st.name, st.id, i.code LIMIT ?`, append(args, maxExpiring)...)
	if err != nil {
		return nil, apperr.Wrap(err, "expiring stock")
	}
	return readStock(rows, today, near)
}
