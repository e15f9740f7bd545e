package supply

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

// Move is one line of the ledger (流水). Qty is the signed change of the
// site's stock; a transfer changes its destination's stock by -Qty. The
// ledger is stock bookkeeping: it never shows who received a dispensing or
// which method they chose (that is health data, read per person with its
// own permission and audit).
type Move struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	KindLabel   string `json:"kind_label"`
	SiteID      int64  `json:"site_id"`
	SiteName    string `json:"site_name"`
	ToSiteID    *int64 `json:"to_site_id"`
	ToSiteName  string `json:"to_site_name"`
	ItemID      int64  `json:"item_id"`
	ItemCode    string `json:"item_code"`
	ItemName    string `json:"item_name"`
	Unit        string `json:"unit"`
	BatchNo     string `json:"batch_no"`
	Expiry      string `json:"expiry"`
	Qty         int    `json:"qty"`
	BookQty     *int   `json:"book_qty"`    // stock-take: the quantity on the books
	CountedQty  *int   `json:"counted_qty"` // stock-take: the quantity counted
	Supplier    string `json:"supplier"`
	Note        string `json:"note"`
	ReversesID  *int64 `json:"reverses_id"`
	ReversedBy  *int64 `json:"reversed_by"`
	Source      string `json:"source"` // manual or machine
	MachineTime string `json:"machine_time"`
	CardNo      string `json:"card_no"` // masked service-card number of a machine log row
	MovedOn     string `json:"moved_on"`
	CreatedAt   string `json:"created_at"`
	CreatedBy   string `json:"created_by"`
}

// MoveFilter selects ledger lines.
type MoveFilter struct {
	SiteID int64
	ItemID int64
	Kind   string
	Source string
	From   string
	To     string
	Page   int
	Size   int
}

// OpResult is the answer of a stock operation: the moves it wrote, and
// whether they come from an earlier submission with the same request_key.
type OpResult struct {
	Moves    []Move `json:"moves"`
	Replayed bool   `json:"replayed"`
	// Method is the method recorded with a dispensing.
	Method      string `json:"method,omitempty"`
	MethodLabel string `json:"method_label,omitempty"`
}

const moveCols = `m.id, m.kind, m.site_id, s.name, m.to_site_id, t.name, m.item_id, i.code, i.name, i.unit,
	b.batch_no, b.expiry, m.qty, m.book_qty, m.counted_qty, m.supplier, m.note, m.reverses_id,
	(SELECT r.id FROM supply_moves r WHERE r.reverses_id = m.id), m.source, m.machine_time, m.card_mask,
	m.moved_on, m.created_at, m.created_by`

const moveFrom = `supply_moves m JOIN supply_sites s ON s.id = m.site_id LEFT JOIN supply_sites t ON t.id = m.to_site_id
	JOIN supply_items i ON i.id = m.item_id JOIN supply_batches b ON b.id = m.batch_id`

func scanMove(sc scanner) (Move, error) {
	var m Move
	var to, reverses, reversedBy, book, counted sql.NullInt64
	var toName, supplier, machineTime, card sql.NullString
	err := sc.Scan(&m.ID, &m.Kind, &m.SiteID, &m.SiteName, &to, &toName, &m.ItemID, &m.ItemCode, &m.ItemName, &m.Unit,
		&m.BatchNo, &m.Expiry, &m.Qty, &book, &counted, &supplier, &m.Note, &reverses, &reversedBy, &m.Source,
		&machineTime, &card, &m.MovedOn, &m.CreatedAt, &m.CreatedBy)
	m.KindLabel, m.ToSiteID, m.ToSiteName = moveKinds.Label(m.Kind), nullInt64(to), toName.String
	m.ReversesID, m.ReversedBy = nullInt64(reverses), nullInt64(reversedBy)
	m.BookQty, m.CountedQty = nullInt(book), nullInt(counted)
	m.Supplier, m.MachineTime, m.CardNo = supplier.String, machineTime.String, card.String
	return m, err
}

func nullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func readMoves(rows *sql.Rows) ([]Move, error) {
	defer rows.Close()
	out := []Move{}
	for rows.Next() {
		m, err := scanMove(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan move")
		}
		out = append(out, m)
	}
	return out, apperr.Wrap(rows.Err(), "move rows")
}

// moveScope restricts moves aliased m to those touching pr's area: a
// transfer is seen from both its ends.
func moveScope(pr *auth.Principal) (string, []any) {
	from, fa := db.Subtree("m.division_path", pr.DivisionPath)
	to, ta := db.Subtree("m.to_path", pr.DivisionPath)
	return "(" + from + " OR " + to + ")", append(fa, ta...)
}

// Moves returns one page of the ledger of the caller's area, newest first.
func (s *Service) Moves(ctx context.Context, f MoveFilter) ([]Move, int, error) {
	c := s.db.Reader()
	sel := db.Select{Cols: moveCols, From: moveFrom, OrderBy: "m.id DESC"}
	cond, args := moveScope(auth.From(ctx))
	sel.Where(cond, args...)
	if err := filterMoves(&sel, f); err != nil {
		return nil, 0, err
	}
	total, err := sel.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count moves")
	}
	rows, err := sel.Page(ctx, c, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list moves")
	}
	out, err := readMoves(rows)
	return out, total, err
}

func filterMoves(sel *db.Select, f MoveFilter) error {
	if f.SiteID > 0 {
		sel.Where("(m.site_id = ? OR m.to_site_id = ?)", f.SiteID, f.SiteID)
	}
	if f.ItemID > 0 {
		sel.Where("m.item_id = ?", f.ItemID)
	}
	if f.Kind != "" {
		if !moveKinds.Has(f.Kind) {
			return apperr.InvalidField("kind", "流水类型应为 "+moveKinds.Values())
		}
		sel.Where("m.kind = ?", f.Kind)
	}
	if f.Source != "" {
		if f.Source != "manual" && f.Source != "machine" {
			return apperr.InvalidField("source", "来源应为 manual（手工）或 machine（发放机）")
		}
		sel.Where("m.source = ?", f.Source)
	}
	from, to, err := period(f.From, f.To, "", "")
	if err != nil {
		return err
	}
	if from != "" {
		sel.Where("m.moved_on >= ?", from)
	}
	if to != "" {
		sel.Where("m.moved_on <= ?", to)
	}
	return nil
}

// period checks an optional date range [from, to], filling empty ends
// with the defaults given.
func period(from, to, defFrom, defTo string) (string, string, error) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" {
		from = defFrom
	}
	if to == "" {
		to = defTo
	}
	for _, d := range []struct{ field, v string }{{"from", from}, {"to", to}} {
		if d.v == "" {
			continue
		}
		if _, err := checkExpiry(d.field, d.v); err != nil {
			return from, to, apperr.InvalidField(d.field, "日期格式应为 YYYY-MM-DD，且须是真实日期")
		}
	}
	if from != "" && to != "" && from > to {
		return from, to, apperr.InvalidField("to", "结束日期不能早于开始日期")
	}
	return from, to, nil
}

// movesByID reads moves just written or replayed, in id order, within the
// caller's scope.
func movesByID(ctx context.Context, c db.Conn, pr *auth.Principal, ids []int64) ([]Move, error) {
	if len(ids) == 0 {
		return []Move{}, nil
	}
	cond, args := moveScope(pr)
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	rows, err := c.Query(ctx, `SELECT `+moveCols+` FROM `+moveFrom+` WHERE m.id IN (`+db.Placeholders(len(ids))+`) AND `+cond+
		` ORDER BY m.id`, append(in, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "read moves")
	}
	return readMoves(rows)
}

// moveRow is what insertMove stores.
type moveRow struct {
	kind        string
	site        Site
	to          *Site
	b           batch
	qty         int
	book        *int
	counted     *int
	personID    *int64
	method      string
	supplier    string
	note        string
	reverses    *int64
	source      string
	machineTime string
	cardEnc     []byte
	cardMask    string
	logKey      string
	requestKey  string
	line        int
	movedOn     string
}

func insertMove(ctx context.Context, tx *db.Tx, m moveRow, by string) (int64, error) {
	var toID, toPath any
	if m.to != nil {
		toID, toPath = m.to.ID, m.to.path
	}
	if m.source == "" {
		m.source = "manual"
	}
	if m.line == 0 {
		m.line = 1
	}
	var card any
	if len(m.cardEnc) > 0 {
		card = m.cardEnc
	}
	return tx.InsertID(ctx, `INSERT INTO supply_moves (kind, site_id, to_site_id, item_id, batch_id, qty, book_qty,
		counted_qty, person_id, method, supplier, note, reverses_id, source, machine_time, card_enc, card_mask, log_key,
		request_key, line_no, moved_on, division_path, to_path, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.kind, m.site.ID, toID, m.b.item.ID, m.b.id, m.qty, intArg(m.book), intArg(m.counted), idArg(m.personID),
		nullText(m.method), nullText(m.supplier), m.note, idArg(m.reverses), m.source, nullText(m.machineTime), card,
		nullText(m.cardMask), nullText(m.logKey), nullText(m.requestKey), m.line, m.movedOn, m.site.path, toPath,
		db.Now(), by)
}

func intArg(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// submission is an earlier request with the same request_key.
type submission struct {
	ids    []int64
	method string
}

// findSubmission looks up the moves of an earlier request with key. A key
// someone else used, or used for another kind of operation, is refused
// rather than answered with another person's moves.
func findSubmission(ctx context.Context, c db.Conn, pr *auth.Principal, key, kind string) (submission, bool, error) {
	var sub submission
	if key == "" {
		return sub, false, nil
	}
	rows, err := c.Query(ctx, `SELECT id, kind, created_by, method FROM supply_moves WHERE request_key = ? ORDER BY line_no`, key)
	if err != nil {
		return sub, false, apperr.Wrap(err, "find submission")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k, by string
		var method sql.NullString
		if err := rows.Scan(&id, &k, &by, &method); err != nil {
			return sub, false, apperr.Wrap(err, "scan submission")
		}
		if by != pr.Username || k != kind {
			return sub, false, &apperr.Error{Code: apperr.Conflict, Field: "request_key", Message: "该 request_key 已用于另一笔操作，请刷新页面后重新提交"}
		}
		sub.ids, sub.method = append(sub.ids, id), method.String
	}
	return sub, len(sub.ids) > 0, apperr.Wrap(rows.Err(), "submission rows")
}

// submit runs write (which returns the ids of the moves it wrote) in one
// transaction, unless a submission with the same key exists: then its
// moves are answered again and nothing is written. A concurrent twin that
// commits first makes this one fail on the unique index; it then answers
// the twin's moves too.
func (s *Service) submit(ctx context.Context, key, kind string, write func(tx *db.Tx) ([]int64, error)) (OpResult, error) {
	pr := auth.From(ctx)
	if res, ok, err := s.replay(ctx, pr, key, kind); ok || err != nil {
		return res, err
	}
	var ids []int64
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		ids, err = write(tx)
		return err
	})
	if err != nil && key != "" && db.IsUniqueViolation(err) {
		if res, ok, rerr := s.replay(ctx, pr, key, kind); ok || rerr != nil {
			return res, rerr
		}
	}
	if err != nil {
		return OpResult{}, err
	}
	moves, err := movesByID(ctx, s.db.Reader(), pr, ids)
	return OpResult{Moves: moves}, err
}

func (s *Service) replay(ctx context.Context, pr *auth.Principal, key, kind string) (OpResult, bool, error) {
	c := s.db.Reader()
	sub, ok, err := findSubmission(ctx, c, pr, key, kind)
	if !ok || err != nil {
		return OpResult{}, false, err
	}
	moves, err := movesByID(ctx, c, pr, sub.ids)
	return OpResult{Moves: moves, Replayed: true, Method: sub.method, MethodLabel: methods.Label(sub.method)}, true, err
}

// journalRemark sums up the moves of an operation for the audit journal.
func journalRemark(kind string, ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return moveKinds.Label(kind) + "，流水号 " + strings.Join(parts, "、")
}
