package supply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/sheet"
)

// MaxLogFile is the largest dispensing-machine log accepted, in bytes.
const MaxLogFile = 10 << 20

// maxLogRows bounds one log; a machine hands out a few hundred packs a month.
const maxLogRows = 20000

// logHeader is the header of a machine log, in column order of logRow.
var logHeader = []string{"机器编号", "发放时间", "药具编码", "数量", "批号", "服务卡号"}

const (
	colMachine = iota
	colTime
	colItem
	colQty
	colBatch
	colCard
	logCols
)

// LogReport is the answer of a machine-log import: per row whether it is
// new, already imported (skipped) or invalid, and the totals.
type LogReport struct {
	DryRun    bool           `json:"dry_run"`
	Applied   bool           `json:"applied"`
	Total     int            `json:"total"`
	New       int            `json:"new"`
	Duplicate int            `json:"duplicate"`
	Invalid   int            `json:"invalid"`
	Qty       int            `json:"qty"` // units in the new rows
	Rows      []LogRowResult `json:"rows"`
}

// LogRowResult is the verdict on one row of the log.
type LogRowResult struct {
	Row      int    `json:"row"`
	Machine  string `json:"machine"`
	Time     string `json:"time"`
	ItemCode string `json:"item_code"`
	Qty      int    `json:"qty"`
	Batches  string `json:"batches"` // batches the row was taken from
	Status   string `json:"status"`  // new, duplicate or invalid
	Message  string `json:"message"`
}

// Row verdicts.
const (
	RowNew       = "new"
	RowDuplicate = "duplicate"
	RowInvalid   = "invalid"
)

// logRow is a parsed, valid row of a log.
type logRow struct {
	machine string
	at      string // YYYY-MM-DD HH:MM:SS, the machine's local time
	day     string
	item    string
	qty     int
	batch   string
	card    string
}

// timeLayouts are the forms machines and spreadsheets write a time in.
var timeLayouts = []string{"2006-1-2 15:04:05", "2006-1-2 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"2006-1-2T15:04:05", "2006-1-2T15:04", "2006.1.2 15:04:05", "2006.1.2 15:04"}

// parseLogRow validates the cells of one row (in logHeader order) as of
// today. Errors are invalid-input errors whose message starts with the
// name of the column at fault.
func parseLogRow(cells []string, today string) (logRow, error) {
	var r logRow
	r.machine = strings.ToUpper(cells[colMachine])
	if !isCode(r.machine, maxCode) {
		return r, logError(colMachine, "应为不超过 32 位的字母、数字、- 或 _")
	}
	var err error
	if r.at, r.day, err = parseLogTime(cells[colTime], today); err != nil {
		return r, err
	}
	r.item = strings.ToUpper(cells[colItem])
	if !isCode(r.item, 20) {
		return r, logError(colItem, "应为药具目录中的编码，如 BYT01")
	}
	if r.qty, err = parseLogQty(cells[colQty]); err != nil {
		return r, err
	}
	r.batch = cells[colBatch]
	if utf8Len(r.batch) > maxBatch || hasControl(r.batch) {
		return r, logError(colBatch, "不能超过 40 个字，且不能含控制字符")
	}
	r.card = strings.ToUpper(cells[colCard])
	if r.card != "" && !isCode(r.card, maxCode) {
		return r, logError(colCard, "应为不超过 32 位的字母、数字、- 或 _")
	}
	return r, nil
}

func parseLogTime(s, today string) (at, day string, err error) {
	if s == "" {
		return "", "", logError(colTime, "不能为空")
	}
	for _, layout := range timeLayouts {
		t, perr := time.Parse(layout, s)
		if perr != nil {
			continue
		}
		day = t.Format(dateLayout)
		switch {
		case day < "2000-01-01":
			return "", "", logError(colTime, "不能早于 2000 年")
		case day > today:
			return "", "", logError(colTime, "不能晚于今天，请核对机器时钟")
		}
		return t.Format("2006-01-02 15:04:05"), day, nil
	}
	return "", "", logError(colTime, "格式应为 YYYY-MM-DD HH:MM:SS，如 2026-03-01 08:15:30")
}

func parseLogQty(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 1000 || strings.HasPrefix(s, "+") {
		return 0, logError(colQty, "应为 1 到 1000 之间的整数")
	}
	return n, nil
}

func logError(col int, msg string) error {
	return &apperr.Error{Code: apperr.Invalid, Field: logHeader[col], Message: logHeader[col] + msg}
}

func utf8Len(s string) int { return len([]rune(s)) }

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// readLog parses a log file into rows and a report line per row, invalid
// rows already judged.
func readLog(r io.ReaderAt, size int64, today string) ([]logRow, LogReport, error) {
	rep := LogReport{Rows: []LogRowResult{}}
	rd, err := sheet.Open(r, size, MaxLogFile)
	if err != nil {
		return nil, rep, err
	}
	defer rd.Close()
	cols := make([]sheet.Column, logCols)
	for i, h := range logHeader {
		cols[i] = sheet.Column{Name: h, Required: i < colBatch}
	}
	idx, err := sheet.MapHeader(rd.Header(), cols)
	if err != nil {
		return nil, rep, apperr.Newf(apperr.Invalid, "不是自助发放机日志：%s", apperr.As(err).Message)
	}
	var rows []logRow
	for {
		raw, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, rep, err
		}
		if len(rows) == maxLogRows {
			return nil, rep, apperr.Newf(apperr.TooLarge, "日志超过 %d 行上限，请分成几个文件导入", maxLogRows)
		}
		row, line := parseCells(raw, idx, today)
		rows = append(rows, row)
		rep.Rows = append(rep.Rows, line)
	}
	if len(rows) == 0 {
		return nil, rep, apperr.New(apperr.Invalid, "文件中没有数据行")
	}
	return rows, rep, nil
}

// parseCells parses one spreadsheet row into a logRow and its report line.
func parseCells(raw sheet.Row, idx []int, today string) (logRow, LogRowResult) {
	cells := make([]string, logCols)
	for i, pos := range idx {
		if pos >= 0 && pos < len(raw.Cells) {
			cells[i] = raw.Cells[pos]
		}
	}
	row, err := parseLogRow(cells, today)
	line := LogRowResult{Row: raw.Line, Machine: cells[colMachine], Time: cells[colTime], ItemCode: cells[colItem], Qty: row.qty}
	switch {
	case err != nil:
		line.Status, line.Message = RowInvalid, apperr.As(err).Message
	case raw.Extra:
		line.Status, line.Message = RowInvalid, "该行在表头以外的列还有内容，请检查是否错列"
	default:
		line.Time, line.Machine, line.ItemCode = row.at, row.machine, row.item
	}
	return row, line
}

// errRollback ends the transaction of a dry run, or of an import with bad
// rows, after every row was judged against the real database.
var errRollback = errors.New("roll back")

// ImportMachineLog reads a dispensing-machine log and books each new row
// as a dispensing at the machine's site, in one transaction. A dry run
// does everything an import does and rolls it back, so its verdicts are
// exactly what applying would do. Applying a log with any bad row writes
// nothing. Rows imported before (same machine, time, item, quantity,
// batch and card, counted by occurrence within the file) are skipped.
func (s *Service) ImportMachineLog(ctx context.Context, r io.ReaderAt, size int64, dryRun bool) (LogReport, error) {
	today := s.today()
	rows, rep, err := readLog(r, size, today)
	if err != nil {
		return rep, err
	}
	rep.DryRun = dryRun
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		im := &logImport{s: s, ctx: ctx, tx: tx, pr: auth.From(ctx), sites: map[string]*Site{}, items: map[string]*Item{}}
		keys := logKeys(s, rows, rep.Rows)
		for i := range rows {
			if err := im.book(rows[i], keys[i], &rep.Rows[i]); err != nil {
				return err
			}
		}
		summariseLog(&rep)
		if dryRun || rep.Invalid > 0 {
			return errRollback
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "supply.machine_import", Entity: "supply",
			EntityID: fmt.Sprint(im.first), After: logSummary(rep),
			Remark: fmt.Sprintf("新增 %d 行（%d 件），跳过已导入 %d 行", rep.New, rep.Qty, rep.Duplicate)})
	})
	if err != nil && !errors.Is(err, errRollback) {
		return LogReport{}, err
	}
	if !dryRun && rep.Invalid > 0 {
		return rep, firstLogError(rep)
	}
	rep.Applied = !dryRun
	return rep, nil
}

func logSummary(rep LogReport) map[string]int {
	return map[string]int{"total": rep.Total, "new": rep.New, "duplicate": rep.Duplicate, "qty": rep.Qty}
}

func summariseLog(rep *LogReport) {
	rep.Total, rep.New, rep.Duplicate, rep.Invalid, rep.Qty = len(rep.Rows), 0, 0, 0, 0
	for _, l := range rep.Rows {
		switch l.Status {
		case RowNew:
			rep.New++
			rep.Qty += l.Qty
		case RowDuplicate:
			rep.Duplicate++
		default:
			rep.Invalid++
		}
	}
}

// firstLogError refuses an import with bad rows, naming the first one.
func firstLogError(rep LogReport) error {
	for _, l := range rep.Rows {
		if l.Status == RowInvalid {
			return &apperr.Error{Code: apperr.Invalid, Field: "file", Row: l.Row, Message: fmt.Sprintf(
				"第 %d 行：%s（共 %d 行有误，未导入任何记录；请先预检查看全部错误）", l.Row, l.Message, rep.Invalid)}
		}
	}
	return nil
}

// logKeys returns each valid row's idempotency key: a keyed digest of its
// content and of how many identical rows came before it in the file, so
// that two packs taken in the same second stay two, and the same log
// imported again yields the same keys. The digest is keyed because the row
// holds a service-card number.
func logKeys(s *Service, rows []logRow, lines []LogRowResult) []string {
	keys := make([]string, len(rows))
	seen := map[string]int{}
	for i, r := range rows {
		if lines[i].Status == RowInvalid {
			continue
		}
		content := strings.Join([]string{r.machine, r.at, r.item, strconv.Itoa(r.qty), r.batch, r.card}, "\x1f")
		seen[content]++
		keys[i] = s.cipher.BlindIndex("supply_machine_log", content+"\x1f"+strconv.Itoa(seen[content]))
	}
	return keys
}

// logImport books the rows of one log inside one transaction.
type logImport struct {
	s     *Service
	ctx   context.Context
	tx    *db.Tx
	pr    *auth.Principal
	sites map[string]*Site // by machine code; nil: not found
	items map[string]*Item // by code; nil: not found
	first int64            // first move written
}

// book judges one row and, when it is new and valid, takes the stock and
// writes its moves. Only database failures are returned; a row's own
// problems go into its report line.
func (im *logImport) book(r logRow, key string, line *LogRowResult) error {
	if line.Status == RowInvalid {
		return nil
	}
	site, item, msg, err := im.resolve(r)
	if err != nil || msg != "" {
		line.Status, line.Message = RowInvalid, msg
		return err
	}
	var n int
	if err := im.tx.QueryRow(im.ctx, `SELECT COUNT(*) FROM supply_moves WHERE log_key = ?`, key).Scan(&n); err != nil {
		return apperr.Wrap(err, "log key")
	}
	if n > 0 {
		line.Status, line.Message = RowDuplicate, "已导入过，跳过"
		return nil
	}
	allocs, err := pick(im.ctx, im.tx.Conn, "batch", *site, *item, r.batch, r.qty, r.day, true)
	if err == nil {
		err = im.take(*site, allocs)
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			return err
		}
		line.Status, line.Message = RowInvalid, apperr.As(err).Message
		return nil
	}
	line.Status, line.Batches = RowNew, batchList(allocs)
	return im.write(r, key, *site, allocs)
}

// take takes every allocation or none: a shortage on a later batch puts
// back what the earlier ones took, since the transaction goes on.
func (im *logImport) take(site Site, allocs []alloc) error {
	for i, a := range allocs {
		if err := take(im.ctx, im.tx, site, a.b, a.qty); err != nil {
			for _, done := range allocs[:i] {
				if perr := put(im.ctx, im.tx, site, done.b, done.qty); perr != nil {
					return perr
				}
			}
			return err
		}
	}
	return nil
}

func batchList(allocs []alloc) string {
	parts := make([]string, len(allocs))
	for i, a := range allocs {
		parts[i] = fmt.Sprintf("%s×%d", a.b.no, a.qty)
	}
	return strings.Join(parts, "，")
}

// resolve finds the row's machine (in the caller's area) and item; msg
// says what is wrong with the row when one is not found.
func (im *logImport) resolve(r logRow) (*Site, *Item, string, error) {
	site, ok := im.sites[r.machine]
	if !ok {
		cond, args := db.Subtree("s.division_path", im.pr.DivisionPath)
		st, err := scanSite(im.tx.QueryRow(im.ctx, `SELECT `+siteCols+` FROM supply_sites s WHERE s.machine_code = ? AND `+cond,
			append([]any{r.machine}, args...)...))
		switch {
		case err == nil:
			site = &st
		case !errors.Is(err, sql.ErrNoRows):
			return nil, nil, "", apperr.Wrap(err, "machine site")
		}
		im.sites[r.machine] = site
	}
	if site == nil {
		return nil, nil, "机器编号 " + r.machine + " 未登记为自助发放机或不在您的管辖范围内", nil
	}
	item, ok := im.items[r.item]
	if !ok {
		it, err := itemByCode(im.ctx, im.tx.Conn, r.item)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return nil, nil, "", err
		}
		if err == nil {
			item = &it
		}
		im.items[r.item] = item
	}
	if item == nil {
		return nil, nil, "药具编码 " + r.item + " 不在药具目录中", nil
	}
	return site, item, "", nil
}

// write stores the moves of a row; the key goes on the first, which is
// enough to recognise the row again.
func (im *logImport) write(r logRow, key string, site Site, allocs []alloc) error {
	var enc []byte
	if r.card != "" {
		var err error
		if enc, err = im.s.cipher.Encrypt("service_card", r.card); err != nil {
			return apperr.Wrap(err, "encrypt card")
		}
	}
	for i, a := range allocs {
		m := moveRow{kind: KindDispense, site: site, b: a.b, qty: -a.qty, source: "machine", machineTime: r.at,
			cardEnc: enc, cardMask: maskCard(r.card), line: i + 1, movedOn: r.day}
		if i == 0 {
			m.logKey = key
		}
		id, err := insertMove(im.ctx, im.tx, m, im.pr.Username)
		if err != nil {
			return err
		}
		if im.first == 0 {
			im.first = id
		}
	}
	return nil
}

// maskCard keeps the first and last two characters of a service-card number.
func maskCard(card string) string {
	if card == "" {
		return ""
	}
	if len(card) <= 4 {
		return "****"
	}
	return card[:2] + "****" + card[len(card)-2:]
}

// LogTemplate is the header and an example row of a machine log, for the
// template download.
func LogTemplate() (header []string, example []string) {
	return logHeader, []string{"JQ-0001", "2026-03-01 08:15:30", "BYT01", "2", "20250312", ""}
}
