package supply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// batch is a batch of an item as the stock functions need it.
type batch struct {
	id     int64
	item   Item
	no     string
	expiry string
}

// ensureBatch returns the item's batch no, registering it with expiry if
// it is new. A batch has one expiry wherever it is, so a different one is a
// typing mistake in field.
func ensureBatch(ctx context.Context, tx *db.Tx, field string, it Item, no, expiry string) (batch, error) {
	// DO NOTHING keeps two receipts of a new batch on PostgreSQL from
	// failing each other; the SELECT then finds whichever row won.
	_, err := tx.Exec(ctx, `INSERT INTO supply_batches (item_id, batch_no, expiry, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (item_id, batch_no) DO NOTHING`, it.ID, no, expiry, db.Now())
	if err != nil {
		return batch{}, apperr.Wrap(err, "insert batch")
	}
	b, err := findBatch(ctx, tx.Conn, field, it, no)
	if err == nil && b.expiry != expiry {
		return b, apperr.InvalidField(field, fmt.Sprintf("批号 %s 已登记的有效期为 %s，与填写的 %s 不一致", no, b.expiry, expiry))
	}
	return b, err
}

// findBatch reads an existing batch of the item; an unknown one is a
// mistake in field.
func findBatch(ctx context.Context, c db.Conn, field string, it Item, no string) (batch, error) {
	b := batch{item: it, no: no}
	err := c.QueryRow(ctx, `SELECT id, expiry FROM supply_batches WHERE item_id = ? AND batch_no = ?`, it.ID, no).
		Scan(&b.id, &b.expiry)
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.InvalidField(field, fmt.Sprintf("%s没有批号为 %s 的记录", it.Name, no))
	}
	return b, apperr.Wrap(err, "find batch")
}

// put adds qty (> 0) of batch b to site's stock.
func put(ctx context.Context, tx *db.Tx, site Site, b batch, qty int) error {
	_, err := tx.Exec(ctx, `INSERT INTO supply_stock (site_id, batch_id, item_id, qty, division_path, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (site_id, batch_id) DO UPDATE SET qty = supply_stock.qty + excluded.qty, updated_at = excluded.updated_at`,
		site.ID, b.id, b.item.ID, qty, site.path, db.Now())
	return apperr.Wrap(err, "put stock")
}

// take removes qty (> 0) of batch b from site's stock, or fails with 库存不足
// and changes nothing. The condition qty >= ? is evaluated on the row as it
// stands when the update locks it (PostgreSQL re-checks it after waiting
// for a concurrent writer; SQLite has one writer), so two concurrent issues
// can never both succeed on stock that covers only one of them.
func take(ctx context.Context, tx *db.Tx, site Site, b batch, qty int) error {
	r, err := tx.Exec(ctx, `UPDATE supply_stock SET qty = qty - ?, updated_at = ?
		WHERE site_id = ? AND batch_id = ? AND qty >= ?`, qty, db.Now(), site.ID, b.id, qty)
	if err != nil {
		return apperr.Wrap(err, "take stock")
	}
	if n, _ := r.RowsAffected(); n == 1 {
		return nil
	}
	have, err := onHand(ctx, tx.Conn, site.ID, b.id)
	if err != nil {
		return err
	}
	return shortage(site, b, have, qty)
}

// onHand is a site's quantity of a batch (0 when it never held any).
func onHand(ctx context.Context, c db.Conn, siteID, batchID int64) (int, error) {
	var n int
	err := c.QueryRow(ctx, `SELECT qty FROM supply_stock WHERE site_id = ? AND batch_id = ?`, siteID, batchID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, apperr.Wrap(err, "stock on hand")
}

func shortage(site Site, b batch, have, want int) error {
	return &apperr.Error{Code: apperr.Conflict, Field: "qty", Message: fmt.Sprintf(
		"库存不足：%s（批号 %s）在%s现有 %d%s，需要 %d%s", b.item.Name, b.no, site.Name, have, b.item.Unit, want, b.item.Unit)}
}

// alloc is a quantity taken from one batch.
type alloc struct {
	b   batch
	qty int
}

// fefo splits qty of an item at a site over its batches, earliest expiry
// first (first expired, first out), skipping batches already expired on
// today: what expires soonest leaves first, so less is thrown away.
func fefo(ctx context.Context, c db.Conn, site Site, it Item, qty int, today string) ([]alloc, error) {
	rows, err := c.Query(ctx, `SELECT b.id, b.batch_no, b.expiry, s.qty FROM supply_stock s
		JOIN supply_batches b ON b.id = s.batch_id
		WHERE s.site_id = ? AND s.item_id = ? AND s.qty > 0 AND b.expiry >= ?
		ORDER BY b.expiry, b.batch_no, b.id`, site.ID, it.ID, today)
	if err != nil {
		return nil, apperr.Wrap(err, "fefo batches")
	}
	defer rows.Close()
	var out []alloc
	left, have := qty, 0
	for rows.Next() && left > 0 {
		b := batch{item: it}
		var n int
		if err := rows.Scan(&b.id, &b.no, &b.expiry, &n); err != nil {
			return nil, apperr.Wrap(err, "scan fefo batch")
		}
		use := min(n, left)
		out = append(out, alloc{b: b, qty: use})
		left -= use
		have += n
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "fefo rows")
	}
	if left > 0 {
		return nil, &apperr.Error{Code: apperr.Conflict, Field: "qty", Message: fmt.Sprintf(
			"库存不足：%s在%s未过期的库存共 %d%s，需要 %d%s", it.Name, site.Name, have, it.Unit, qty, it.Unit)}
	}
	return out, nil
}

// pick is the allocation of a line that names a batch, or FEFO's when it
// does not. A named batch must not be expired when expiredOK is false.
func pick(ctx context.Context, c db.Conn, field string, site Site, it Item, no string, qty int, today string, expiredOK bool) ([]alloc, error) {
	if no == "" {
		return fefo(ctx, c, site, it, qty, today)
	}
	b, err := findBatch(ctx, c, field, it, no)
	if err != nil {
		return nil, err
	}
	if !expiredOK && b.expiry < today {
		return nil, apperr.InvalidField(field, fmt.Sprintf("批号 %s 已于 %s 过期，不能发放", no, b.expiry))
	}
	return []alloc{{b: b, qty: qty}}, nil
}
