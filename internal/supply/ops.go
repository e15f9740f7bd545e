package supply

import (
	"context"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
)

// ReceiptInput is the body of a receipt (入库): stock arriving at a site from
// outside the county's sites (the city or province, or a supplier).
type ReceiptInput struct {
	SiteID     int64         `json:"site_id"`
	Supplier   string        `json:"supplier"` // who delivered: 上级配发单位或供应商
	MovedOn    string        `json:"moved_on"` // default today
	Note       string        `json:"note"`
	Lines      []ReceiptLine `json:"lines"`
	RequestKey string        `json:"request_key"`
}

// ReceiptLine is one batch received.
type ReceiptLine struct {
	ItemID  int64  `json:"item_id"`
	BatchNo string `json:"batch_no"`
	Expiry  string `json:"expiry"`
	Qty     int    `json:"qty"`
}

// TransferInput is the body of a transfer (调拨/出库到下级): stock moving
// from one site to another, both in the caller's area.
type TransferInput struct {
	FromSiteID int64          `json:"from_site_id"`
	ToSiteID   int64          `json:"to_site_id"`
	MovedOn    string         `json:"moved_on"`
	Note       string         `json:"note"`
	Lines      []TransferLine `json:"lines"`
	RequestKey string         `json:"request_key"`
}

// TransferLine is one item transferred; without a batch number the
// earliest-expiring batches go first.
type TransferLine struct {
	ItemID  int64  `json:"item_id"`
	BatchNo string `json:"batch_no"`
	Qty     int    `json:"qty"`
}

// StocktakeInput is the body of a stock-take (盘点): the quantities counted
// at a site. Every difference from the books becomes an adjustment move
// with the reason, so the books are never silently overwritten.
type StocktakeInput struct {
	SiteID     int64       `json:"site_id"`
	MovedOn    string      `json:"moved_on"`
	Reason     string      `json:"reason"`
	Lines      []CountLine `json:"lines"`
	RequestKey string      `json:"request_key"`
}

// CountLine is the counted quantity of one batch. Expiry is needed only
// for a batch found that was never registered.
type CountLine struct {
	ItemID  int64  `json:"item_id"`
	BatchNo string `json:"batch_no"`
	Expiry  string `json:"expiry"`
	Counted int    `json:"counted"`
}

// ReverseInput is the body of reversing a move (冲正).
type ReverseInput struct {
	Reason     string `json:"reason"`
	RequestKey string `json:"request_key"`
}

func (s *Service) today() string { return chinaDate(s.now()) }

// cleanHeader checks what every stock operation carries.
func cleanHeader(movedOn, note, key *string, lines int, today, noteField, noteLabel string) error {
	var err error
	if *movedOn, err = checkDate("moved_on", "日期", *movedOn, today); err != nil {
		return err
	}
	*note = strings.TrimSpace(*note)
	if err := check.Text(noteField, noteLabel, *note, maxNote, false); err != nil {
		return err
	}
	if *key, err = checkRequestKey(*key); err != nil {
		return err
	}
	if lines == 0 {
		return apperr.InvalidField("lines", "请至少填写一种药具")
	}
	if lines > maxLines {
		return apperr.InvalidField("lines", fmt.Sprintf("一次最多填写 %d 种药具", maxLines))
	}
	return nil
}

func cleanReceipt(in ReceiptInput, today string) (ReceiptInput, error) {
	if err := cleanHeader(&in.MovedOn, &in.Note, &in.RequestKey, len(in.Lines), today, "note", "备注"); err != nil {
		return in, err
	}
	if in.SiteID <= 0 {
		return in, apperr.InvalidField("site_id", "请选择入库库点")
	}
	in.Supplier = strings.TrimSpace(in.Supplier)
	if err := check.Text("supplier", "来源（上级配发单位或供应商）", in.Supplier, maxName, true); err != nil {
		return in, err
	}
	for i := range in.Lines {
		l := &in.Lines[i]
		var err error
		if l.ItemID <= 0 {
			return in, apperr.InvalidField(lineField(i, "item_id"), "请选择药具")
		}
		if l.BatchNo, err = checkBatchNo(lineField(i, "batch_no"), l.BatchNo); err != nil {
			return in, err
		}
		if l.BatchNo == "" {
			return in, apperr.InvalidField(lineField(i, "batch_no"), "请填写批号")
		}
		if l.Expiry, err = checkExpiry(lineField(i, "expiry"), l.Expiry); err != nil {
			return in, err
		}
		if l.Expiry < in.MovedOn {
			return in, apperr.InvalidField(lineField(i, "expiry"), "有效期早于入库日期：过期药具不能入库")
		}
		if err := checkQty(lineField(i, "qty"), l.Qty); err != nil {
			return in, err
		}
	}
	return in, nil
}

// Receipt books stock arriving at a site.
func (s *Service) Receipt(ctx context.Context, in ReceiptInput) (OpResult, error) {
	in, err := cleanReceipt(in, s.today())
	if err != nil {
		return OpResult{}, err
	}
	pr := auth.From(ctx)
	return s.submit(ctx, in.RequestKey, KindReceipt, func(tx *db.Tx) ([]int64, error) {
		site, err := siteForMove(ctx, tx.Conn, pr, "site_id", in.SiteID)
		if err != nil {
			return nil, err
		}
		var ids []int64
		for i, l := range in.Lines {
			it, err := usableItem(ctx, tx.Conn, lineField(i, "item_id"), l.ItemID, false)
			if err != nil {
				return nil, err
			}
			b, err := ensureBatch(ctx, tx, lineField(i, "expiry"), it, l.BatchNo, l.Expiry)
			if err != nil {
				return nil, err
			}
			if err := put(ctx, tx, site, b, l.Qty); err != nil {
				return nil, err
			}
			id, err := insertMove(ctx, tx, moveRow{kind: KindReceipt, site: site, b: b, qty: l.Qty, supplier: in.Supplier,
				note: in.Note, requestKey: in.RequestKey, line: i + 1, movedOn: in.MovedOn}, pr.Username)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, s.journal.Append(ctx, tx, audit.Entry{Action: "supply.receipt", Entity: "supply",
			EntityID: fmt.Sprint(ids[0]), After: in, Remark: journalRemark(KindReceipt, ids)})
	})
}

func cleanTransfer(in TransferInput, today string) (TransferInput, error) {
	if err := cleanHeader(&in.MovedOn, &in.Note, &in.RequestKey, len(in.Lines), today, "note", "备注"); err != nil {
		return in, err
	}
	if in.FromSiteID <= 0 {
		return in, apperr.InvalidField("from_site_id", "请选择调出库点")
	}
	if in.ToSiteID <= 0 {
		return in, apperr.InvalidField("to_site_id", "请选择调入库点")
	}
	if in.ToSiteID == in.FromSiteID {
		return in, apperr.InvalidField("to_site_id", "调出和调入库点不能相同")
	}
	for i := range in.Lines {
		l := &in.Lines[i]
		var err error
		if l.ItemID <= 0 {
			return in, apperr.InvalidField(lineField(i, "item_id"), "请选择药具")
		}
		if l.BatchNo, err = checkBatchNo(lineField(i, "batch_no"), l.BatchNo); err != nil {
			return in, err
		}
		if err := checkQty(lineField(i, "qty"), l.Qty); err != nil {
			return in, err
		}
	}
	return in, nil
}

// Transfer moves stock from one site to another (an issue to a lower
// level, a refill of a machine, a return of expired goods). Both sites lie
// in the caller's area, so a village officer cannot pull stock from a
// neighbouring village.
func (s *Service) Transfer(ctx context.Context, in TransferInput) (OpResult, error) {
	today := s.today()
	in, err := cleanTransfer(in, today)
	if err != nil {
		return OpResult{}, err
	}
	pr := auth.From(ctx)
	return s.submit(ctx, in.RequestKey, KindTransfer, func(tx *db.Tx) ([]int64, error) {
		from, err := siteForMove(ctx, tx.Conn, pr, "from_site_id", in.FromSiteID)
		if err != nil {
			return nil, err
		}
		to, err := siteForMove(ctx, tx.Conn, pr, "to_site_id", in.ToSiteID)
		if err != nil {
			return nil, err
		}
		var ids []int64
		for i, l := range in.Lines {
			it, err := usableItem(ctx, tx.Conn, lineField(i, "item_id"), l.ItemID, true)
			if err != nil {
				return nil, err
			}
			// A named batch may be expired: sending expired goods back up
			// for disposal is a transfer too.
			allocs, err := pick(ctx, tx.Conn, lineField(i, "batch_no"), from, it, l.BatchNo, l.Qty, today, true)
			if err != nil {
				return nil, err
			}
			for _, a := range allocs {
				if err := moveBetween(ctx, tx, from, to, a); err != nil {
					return nil, err
				}
				id, err := insertMove(ctx, tx, moveRow{kind: KindTransfer, site: from, to: &to, b: a.b, qty: -a.qty,
					note: in.Note, requestKey: in.RequestKey, line: len(ids) + 1, movedOn: in.MovedOn}, pr.Username)
				if err != nil {
					return nil, err
				}
				ids = append(ids, id)
			}
		}
		return ids, s.journal.Append(ctx, tx, audit.Entry{Action: "supply.transfer", Entity: "supply",
			EntityID: fmt.Sprint(ids[0]), After: in, Remark: journalRemark(KindTransfer, ids)})
	})
}

// moveBetween takes a.qty from one site and puts it at another. The two
// stock rows are locked in site-id order, so two opposite transfers of one
// batch cannot deadlock on PostgreSQL; a failed take rolls the put back
// with the transaction.
func moveBetween(ctx context.Context, tx *db.Tx, from, to Site, a alloc) error {
	if to.ID < from.ID {
		if err := put(ctx, tx, to, a.b, a.qty); err != nil {
			return err
		}
		return take(ctx, tx, from, a.b, a.qty)
	}
	if err := take(ctx, tx, from, a.b, a.qty); err != nil {
		return err
	}
	return put(ctx, tx, to, a.b, a.qty)
}

func cleanStocktake(in StocktakeInput, today string) (StocktakeInput, error) {
	if err := cleanHeader(&in.MovedOn, &in.Reason, &in.RequestKey, len(in.Lines), today, "reason", "差异原因"); err != nil {
		return in, err
	}
	if in.SiteID <= 0 {
		return in, apperr.InvalidField("site_id", "请选择盘点库点")
	}
	seen := map[string]int{}
	for i := range in.Lines {
		l := &in.Lines[i]
		var err error
		if l.ItemID <= 0 {
			return in, apperr.InvalidField(lineField(i, "item_id"), "请选择药具")
		}
		if l.BatchNo, err = checkBatchNo(lineField(i, "batch_no"), l.BatchNo); err != nil {
			return in, err
		}
		if l.BatchNo == "" {
			return in, apperr.InvalidField(lineField(i, "batch_no"), "请填写批号")
		}
		if l.Counted < 0 || l.Counted > maxQty {
			return in, apperr.InvalidField(lineField(i, "counted"), "实盘数量应为 0 到 1000000 之间的整数")
		}
		key := fmt.Sprint(l.ItemID, "\x00", l.BatchNo)
		if first, dup := seen[key]; dup {
			return in, apperr.InvalidField(lineField(i, "batch_no"), fmt.Sprintf("与第 %d 项是同一药具的同一批号", first+1))
		}
		seen[key] = i
	}
	return in, nil
}

// Stocktake records counted quantities at a site. Each line becomes one
// move: the difference (counted − book, possibly 0: "账实相符" is worth
// recording too) with the book and counted quantities beside it. A
// difference needs a reason.
func (s *Service) Stocktake(ctx context.Context, in StocktakeInput) (OpResult, error) {
	in, err := cleanStocktake(in, s.today())
	if err != nil {
		return OpResult{}, err
	}
	pr := auth.From(ctx)
	return s.submit(ctx, in.RequestKey, KindStocktake, func(tx *db.Tx) ([]int64, error) {
		site, err := siteForMove(ctx, tx.Conn, pr, "site_id", in.SiteID)
		if err != nil {
			return nil, err
		}
		var ids []int64
		for i, l := range in.Lines {
			id, err := s.countLine(ctx, tx, pr, site, in, i, l)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, s.journal.Append(ctx, tx, audit.Entry{Action: "supply.stocktake", Entity: "supply",
			EntityID: fmt.Sprint(ids[0]), After: in, Remark: journalRemark(KindStocktake, ids)})
	})
}

// countLine books one counted batch.
func (s *Service) countLine(ctx context.Context, tx *db.Tx, pr *auth.Principal, site Site, in StocktakeInput, i int, l CountLine) (int64, error) {
	it, err := usableItem(ctx, tx.Conn, lineField(i, "item_id"), l.ItemID, true)
	if err != nil {
		return 0, err
	}
	b, err := countedBatch(ctx, tx, i, it, l)
	if err != nil {
		return 0, err
	}
	book, err := onHand(ctx, tx.Conn, site.ID, b.id)
	if err != nil {
		return 0, err
	}
	if l.Counted != book && in.Reason == "" {
		return 0, apperr.InvalidField("reason", fmt.Sprintf("%s（批号 %s）账面 %d，实盘 %d：请填写差异原因", it.Name, b.no, book, l.Counted))
	}
	if err := setCounted(ctx, tx, site, b, book, l.Counted); err != nil {
		return 0, err
	}
	return insertMove(ctx, tx, moveRow{kind: KindStocktake, site: site, b: b, qty: l.Counted - book, book: &book,
		counted: &l.Counted, note: in.Reason, requestKey: in.RequestKey, line: i + 1, movedOn: in.MovedOn}, pr.Username)
}

// countedBatch finds the counted batch; one never registered (goods found
// without a receipt) needs its expiry to be registered now.
func countedBatch(ctx context.Context, tx *db.Tx, i int, it Item, l CountLine) (batch, error) {
	b, err := findBatch(ctx, tx.Conn, lineField(i, "batch_no"), it, l.BatchNo)
	if err == nil || apperr.CodeOf(err) != apperr.Invalid {
		return b, err
	}
	if strings.TrimSpace(l.Expiry) == "" {
		return b, apperr.InvalidField(lineField(i, "expiry"), fmt.Sprintf("批号 %s 没有入库记录：请填写有效期", l.BatchNo))
	}
	expiry, err := checkExpiry(lineField(i, "expiry"), l.Expiry)
	if err != nil {
		return b, err
	}
	return ensureBatch(ctx, tx, lineField(i, "expiry"), it, l.BatchNo, expiry)
}

// setCounted sets a batch's stock from book to counted in one statement
// that refuses if the stock moved since it was read (a concurrent issue or
// receipt on PostgreSQL): the count would then be against stale books.
func setCounted(ctx context.Context, tx *db.Tx, site Site, b batch, book, counted int) error {
	if book == counted {
		return nil
	}
	r, err := tx.Exec(ctx, `INSERT INTO supply_stock (site_id, batch_id, item_id, qty, division_path, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (site_id, batch_id) DO UPDATE SET qty = excluded.qty, updated_at = excluded.updated_at
		WHERE supply_stock.qty = ?`, site.ID, b.id, b.item.ID, counted, site.path, db.Now(), book)
	if err != nil {
		return apperr.Wrap(err, "set counted stock")
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "盘点期间库存发生变化，请刷新后重新盘点")
	}
	return nil
}

// Reverse undoes a wrong move with a new move that names it and has the
// opposite effect; the wrong move stays in the ledger. Taking back stock
// follows the same rule as any issue: it cannot go below zero.
func (s *Service) Reverse(ctx context.Context, id int64, in ReverseInput) (OpResult, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if err := check.Text("reason", "冲正原因", in.Reason, maxNote, true); err != nil {
		return OpResult{}, err
	}
	var err error
	if in.RequestKey, err = checkRequestKey(in.RequestKey); err != nil {
		return OpResult{}, err
	}
	pr := auth.From(ctx)
	return s.submit(ctx, in.RequestKey, KindReversal, func(tx *db.Tx) ([]int64, error) {
		orig, err := s.reversible(ctx, tx, pr, id)
		if err != nil {
			return nil, err
		}
		if err := undo(ctx, tx, orig); err != nil {
			return nil, err
		}
		rid, err := insertMove(ctx, tx, moveRow{kind: KindReversal, site: orig.site, to: orig.to, b: orig.b, qty: -orig.qty,
			note: in.Reason, reverses: &orig.id, requestKey: in.RequestKey, movedOn: s.today()}, pr.Username)
		if err != nil {
			if db.IsUniqueViolation(err) && in.RequestKey == "" {
				return nil, apperr.New(apperr.Conflict, "该流水已被冲正")
			}
			return nil, err
		}
		return []int64{rid}, s.journal.Append(ctx, tx, audit.Entry{Action: "supply.reverse", Entity: "supply",
			EntityID: fmt.Sprint(orig.id), Before: orig.view, After: in, Remark: fmt.Sprintf("冲正流水 %d，冲正记录 %d", orig.id, rid)})
	})
}

// stored is a move as Reverse needs it.
type stored struct {
	id   int64
	kind string
	site Site
	to   *Site
	b    batch
	qty  int
	view Move
}

// reversible reads a move of the caller's area that may be reversed: not a
// reversal itself, not reversed yet, not a zero stock-take. A transfer is
// reversed only by someone whose area holds both its ends.
func (s *Service) reversible(ctx context.Context, tx *db.Tx, pr *auth.Principal, id int64) (stored, error) {
	var o stored
	var toID *int64
	var batchID, itemID int64
	cond, args := moveScope(pr)
	err := tx.QueryRow(ctx, `SELECT m.id, m.kind, m.site_id, m.to_site_id, m.batch_id, m.item_id, m.qty FROM supply_moves m
		WHERE m.id = ? AND `+cond, append([]any{id}, args...)...).Scan(&o.id, &o.kind, &o.site.ID, &toID, &batchID, &itemID, &o.qty)
	if err := db.NotFound(err, "流水记录不存在"); err != nil {
		return o, err
	}
	moves, err := movesByID(ctx, tx.Conn, pr, []int64{id})
	if err != nil {
		return o, err
	}
	o.view = moves[0]
	if err := reversalAllowed(pr, o); err != nil {
		return o, err
	}
	if o.site, err = loadSite(ctx, tx.Conn, pr, o.site.ID); err != nil {
		return o, outsideArea(err)
	}
	if toID != nil {
		to, err := loadSite(ctx, tx.Conn, pr, *toID)
		if err != nil {
			return o, outsideArea(err)
		}
		o.to = &to
	}
	it, err := loadItem(ctx, tx.Conn, itemID)
	if err != nil {
		return o, err
	}
	o.b = batch{id: batchID, item: it, no: o.view.BatchNo, expiry: o.view.Expiry}
	return o, nil
}

// outsideArea answers a move whose other end lies outside the caller's
// area: they see it (it touches their area) but may not undo the other side.
func outsideArea(err error) error {
	if apperr.CodeOf(err) == apperr.NotFound {
		return apperr.New(apperr.Forbidden, "该流水涉及您管辖范围以外的库点，请由上级冲正")
	}
	return err
}

func reversalAllowed(pr *auth.Principal, o stored) error {
	switch {
	case o.kind == KindReversal:
		return apperr.New(apperr.Invalid, "冲正记录不能再冲正；如冲正有误，请重新办理原业务")
	case o.view.ReversedBy != nil:
		return apperr.Newf(apperr.Conflict, "该流水已被冲正（冲正记录 %d）", *o.view.ReversedBy)
	case o.qty == 0:
		return apperr.New(apperr.Invalid, "盘点相符的记录没有改变库存，无需冲正")
	case o.kind == KindDispense && o.view.Source == "machine":
		return apperr.New(apperr.Invalid, "发放机日志导入的记录不能冲正：机器确已发放；如日志有误请盘点调整")
	case o.kind == KindDispense && !pr.Can(auth.PermHealthWrite):
		return apperr.New(apperr.Forbidden, "冲正发放到人的记录需要健康服务登记权限")
	}
	return nil
}

// undo applies the opposite of o's effect: its site's stock changes by
// -qty, its destination's by +qty.
func undo(ctx context.Context, tx *db.Tx, o stored) error {
	if err := shift(ctx, tx, o.site, o.b, -o.qty); err != nil {
		return err
	}
	if o.to != nil {
		return shift(ctx, tx, *o.to, o.b, o.qty)
	}
	return nil
}

// shift changes a site's stock of a batch by delta, never below zero.
func shift(ctx context.Context, tx *db.Tx, site Site, b batch, delta int) error {
	if delta < 0 {
		return take(ctx, tx, site, b, -delta)
	}
	return put(ctx, tx, site, b, delta)
}
