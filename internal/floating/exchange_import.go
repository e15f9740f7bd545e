package floating

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
	"jisheng/internal/sheet"
)

// Verdicts of an imported row.
const (
	Matched     = "matched"     // the same person, and our record agrees
	New         = "new"         // a person our register does not have yet
	Conflicting = "conflicting" // the same ID number, but the records disagree: left for an officer
	Invalid     = "invalid"     // the row itself is wrong or does not concern our county
)

var verdicts = enum{{Value: Matched, Label: "一致"}, {Value: New, Label: "新增"}, {Value: Conflicting, Label: "冲突"}, {Value: Invalid, Label: "无效"}}

// MaxExchangeFile is the largest exchange file accepted, in bytes.
const MaxExchangeFile = 20 << 20

// maxExchangeRows bounds the rows of one file: a county's floating register
// holds thousands, not millions.
const maxExchangeRows = 100_000

// ImportOptions says what to do with an exchange file.
type ImportOptions struct {
	County  string // the county that exported the file (county=)
	Village string // our village for new arrivals the registry does not place (village=)
	DryRun  bool
}

// ImportReport is the answer of an import: one line per data row.
type ImportReport struct {
	County    string        `json:"county"`     // the other county
	OwnCounty string        `json:"own_county"` // ours
	DryRun    bool          `json:"dry_run"`
	Summary   ImportSummary `json:"summary"`
	Rows      []ReportRow   `json:"rows"`
}

// ImportSummary counts the rows by verdict, and what applying wrote.
type ImportSummary struct {
	Total       int `json:"total"`
	Matched     int `json:"matched"`
	New         int `json:"new"`
	Conflicting int `json:"conflicting"`
	Invalid     int `json:"invalid"`
	Created     int `json:"created"`
	Updated     int `json:"updated"`
}

// ReportRow is the verdict on one row of the file.
type ReportRow struct {
	Row         int          `json:"row"` // the row number a spreadsheet shows
	Status      string       `json:"status"`
	Direction   string       `json:"direction"` // 流出/流入 as the file says
	Ours        string       `json:"ours"`      // out/in: the entry the row is for us
	Name        string       `json:"name"`
	IDNumber    string       `json:"id_number"` // masked
	Message     string       `json:"message"`
	Differences []Difference `json:"differences,omitempty"`
	EntryID     *int64       `json:"entry_id,omitempty"`
	Action      string       `json:"action,omitempty"` // created or updated, once applied
}

// Difference is one field on which our record and theirs disagree.
type Difference struct {
	Field  string `json:"field"` // the file's column name
	Ours   string `json:"ours"`
	Theirs string `json:"theirs"`
}

// exRow is a parsed data row of an exchange file.
type exRow struct {
	line       int
	theirDir   string // Out or In, as seen from the exporting county
	name       string
	sex        string // male or female
	birth      string
	id         string // normalised
	phone      string // normalised, "" when none
	registered string // 户籍地区划代码
	place      string
	liveCounty string
	since      string
}

// ours is the direction the row has for us: their 流出 lives here (our
// 流入), their 流入 is registered here (our 流出).
func (r exRow) ours() string {
	if r.theirDir == Out {
		return In
	}
	return Out
}

// Import reads an exchange file of county opt.County and reports, per row,
// whether it matches our register, is new to it or conflicts with it. Unless
// opt.DryRun, it then creates entries for the new rows and completes matched
// entries with what they lack, in one transaction with its audit entries;
// conflicting rows are never written. A file that is not an exchange file,
// or comes from another county, is refused whole.
func (s *Service) Import(ctx context.Context, r io.ReaderAt, size int64, opt ImportOptions) (ImportReport, error) {
	pr := auth.From(ctx)
	own, err := ownCounty(pr)
	if err != nil {
		return ImportReport{}, err
	}
	opt.County, opt.Village = strings.TrimSpace(opt.County), strings.TrimSpace(opt.Village)
	if err := otherCounty(opt.County, own); err != nil {
		return ImportReport{}, err
	}
	rows, report, err := readExchange(r, size, opt.County, own, s.today())
	if err != nil {
		return ImportReport{}, err
	}
	report.DryRun = opt.DryRun
	run := func(tx *db.Tx) error {
		m := &matcher{s: s, ctx: ctx, tx: tx, pr: pr, own: own, county: opt.County}
		if err := m.defaultVillage(opt.Village); err != nil {
			return err
		}
		for i, row := range rows {
			if err := m.judge(row, &report.Rows[i]); err != nil {
				return err
			}
		}
		if opt.DryRun {
			return nil
		}
		return m.apply(rows, &report)
	}
	if opt.DryRun {
		err = s.db.ReadTx(ctx, run)
	} else {
		err = s.db.Tx(ctx, run)
	}
	if err != nil {
		return ImportReport{}, err
	}
	report.Summary = summarise(report.Rows, report.Summary)
	return report, nil
}

// readExchange parses the file; it returns the rows with one report line
// each, in file order, invalid rows already judged.
func readExchange(r io.ReaderAt, size int64, county, own string, today time.Time) ([]exRow, ImportReport, error) {
	report := ImportReport{County: county, OwnCounty: own, Rows: []ReportRow{}}
	rd, err := sheet.Open(r, size, MaxExchangeFile)
	if err != nil {
		return nil, report, err
	}
	defer rd.Close()
	idx, err := sheet.MapHeader(rd.Header(), exchangeColumns())
	if err != nil {
		return nil, report, apperr.Newf(apperr.Invalid, "不是流动人口交换文件：%s", apperr.As(err).Message)
	}
	var rows []exRow
	firstLine := map[string]int{}
	for {
		raw, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, report, err
		}
		if len(rows) == maxExchangeRows {
			return nil, report, apperr.Newf(apperr.TooLarge, "文件超过 %d 行上限", maxExchangeRows)
		}
		cells := pick(raw.Cells, idx)
		if err := checkFrom(cells[colFrom], county, raw.Line); err != nil {
			return nil, report, err
		}
		row, err := parseRow(cells, today)
		row.line = raw.Line
		line := ReportRow{Row: raw.Line, Direction: cells[colDirection], Name: cells[colName], IDNumber: idno.Mask(cells[colID])}
		switch {
		case err != nil:
			line.Status, line.Message = Invalid, apperr.As(err).Message
		case raw.Extra:
			line.Status, line.Message = Invalid, "该行在表头以外的列还有内容，请检查是否错列"
		default:
			line.Ours, line.IDNumber = row.ours(), idno.Mask(row.id)
			if msg := row.concerns(own); msg != "" {
				line.Status, line.Message = Invalid, msg
			} else if first, dup := firstLine[row.id]; dup {
				line.Status, line.Message = Invalid, fmt.Sprintf("与第 %d 行的公民身份号码重复", first)
			} else {
				firstLine[row.id] = raw.Line
			}
		}
		rows = append(rows, row)
		report.Rows = append(report.Rows, line)
	}
	if len(rows) == 0 {
		return nil, report, apperr.New(apperr.Invalid, "文件中没有数据行")
	}
	return rows, report, nil
}

func exchangeColumns() []sheet.Column {
	cols := make([]sheet.Column, len(exchangeHeader))
	for i, h := range exchangeHeader {
		cols[i] = sheet.Column{Name: h, Required: true}
	}
	return cols
}

// pick returns the row's cells in exchangeHeader order.
func pick(cells []string, idx []int) []string {
	out := make([]string, colCount)
	for i, pos := range idx {
		if pos >= 0 && pos < len(cells) {
			out[i] = cells[pos]
		}
	}
	return out
}

// checkFrom refuses a file exported by another county than the one the
// officer chose: its rows would be matched against the wrong neighbour.
func checkFrom(from, county string, line int) error {
	if from == county {
		return nil
	}
	msg := fmt.Sprintf("第 %d 行的导出县代码为“%s”，与所选对方县 %s 不一致：请确认文件来自该县，或重新选择对方县", line, from, county)
	if from == "" {
		msg = fmt.Sprintf("第 %d 行缺少导出县代码：请使用对方县系统导出的交换文件", line)
	}
	return &apperr.Error{Code: apperr.Invalid, Field: "county", Row: line, Message: msg}
}

// parseRow validates the cells of one row (in exchangeHeader order).
// Errors name the column.
func parseRow(cells []string, today time.Time) (exRow, error) {
	var r exRow
	switch cells[colDirection] {
	case wordOut:
		r.theirDir = Out
	case wordIn:
		r.theirDir = In
	default:
		return r, columnError(colDirection, "应为“流出”或“流入”")
	}
	if err := checkName(cells[colName]); err != nil {
		return r, columnError(colName, apperr.As(err).Message)
	}
	r.name = cells[colName]
	id, err := idno.ParseAt(cells[colID], today)
	if err != nil {
		return r, columnError(colID, apperr.As(err).Message)
	}
	r.id = id.Number
	if r.sex, err = parseSex(cells[colSex], id); err != nil {
		return r, err
	}
	if r.birth, err = parseDate(colBirth, cells[colBirth], id.BirthDateString(), today); err != nil {
		return r, err
	}
	if r.phone, err = fieldcrypt.NormalisePhone(cells[colPhone]); err != nil {
		return r, columnError(colPhone, apperr.As(err).Message)
	}
	r.registered = cells[colRegistered]
	if division.CodeLevel(r.registered) < division.LevelCounty {
		return r, columnError(colRegistered, "应为 6 至 15 位区划代码")
	}
	r.place = cells[colPlace]
	if err := check.Text("place", exchangeHeader[colPlace], r.place, maxPlace, false); err != nil {
		return r, columnError(colPlace, apperr.As(err).Message)
	}
	r.liveCounty = cells[colLiveCounty]
	if !isCountyCode(r.liveCounty) {
		return r, columnError(colLiveCounty, "应为 6 位区县代码")
	}
	if r.since, err = parseDate(colSince, cells[colSince], "", today); err != nil {
		return r, err
	}
	if r.since < r.birth {
		return r, columnError(colSince, "不能早于出生日期")
	}
	return r, nil
}

func columnError(col int, msg string) error {
	return apperr.InvalidField(exchangeHeader[col], exchangeHeader[col]+"："+msg)
}

// parseSex reads 男/女 (or male/female); empty takes the ID number's.
func parseSex(s string, id idno.ID) (string, error) {
	switch s {
	case "":
		return string(id.Sex), nil
	case "男", "male":
		return "male", nil
	case "女", "female":
		return "female", nil
	}
	return "", columnError(colSex, "应为“男”或“女”")
}

// dateForms are the ways spreadsheet programs write a date as text.
var dateForms = []string{"2006-01-02", "2006/1/2", "2006-1-2", "20060102", "2006.1.2", "2006年1月2日"}

// parseDate reads a date of column col in any of dateForms; empty gives def
// (an error if def is empty too).
func parseDate(col int, s, def string, today time.Time) (string, error) {
	if s == "" {
		if def == "" {
			return "", columnError(col, "不能为空")
		}
		return def, nil
	}
	for _, f := range dateForms {
		t, err := time.Parse(f, s)
		if err != nil {
			continue
		}
		if t.After(today) || t.Year() < 1880 {
			return "", columnError(col, "日期应在 1880 年至今天之间")
		}
		return t.Format(dateLayout), nil
	}
	return "", columnError(col, "应为日期，如 2024-03-01")
}

// concerns returns why a row does not concern our county, or "".
func (r exRow) concerns(own string) string {
	if r.theirDir == Out {
		if r.liveCounty != own {
			return fmt.Sprintf("现居住地区县代码为 %s，不是本县（%s），与本县无关", r.liveCounty, own)
		}
		if strings.HasPrefix(r.registered, own) {
			return "对方记为其流出人员，但户籍地区划代码属于本县"
		}
		return ""
	}
	if !strings.HasPrefix(r.registered, own) {
		return fmt.Sprintf("户籍地区划代码为 %s，不属于本县（%s），与本县无关", r.registered, own)
	}
	return ""
}

// summarise counts the rows by verdict; the write counts are kept.
func summarise(rows []ReportRow, prev ImportSummary) ImportSummary {
	sum := ImportSummary{Total: len(rows), Created: prev.Created, Updated: prev.Updated}
	for _, r := range rows {
		switch r.Status {
		case Matched:
			sum.Matched++
		case New:
			sum.New++
		case Conflicting:
			sum.Conflicting++
		default:
			sum.Invalid++
		}
	}
	return sum
}

// matcher judges and applies the rows of one import inside its transaction.
type matcher struct {
	s       *Service
	ctx     context.Context
	tx      *db.Tx
	pr      *auth.Principal
	own     string // our county
	county  string // theirs
	village place  // for new arrivals the registry does not place; zero if none

	// per judged row: the entry it matched, or the person a new entry is for
	entry   []int64
	person  []*int64
	placeOf []place
}

// defaultVillage resolves the village= option, or the caller's own village.
func (m *matcher) defaultVillage(code string) error {
	if code == "" {
		if division.CodeLevel(m.pr.DivisionCode) < division.LevelVillage {
			return nil
		}
		code = m.pr.DivisionCode
	}
	d, err := division.GetIn(m.ctx, m.tx.Conn, code, m.pr.DivisionPath)
	if err != nil || d.Level < division.LevelVillage {
		return apperr.InvalidField("village", "新增流入人员的居住村 "+code+" 不存在、不在您的管辖范围内或不是村（居）委会")
	}
	m.village = place{code: d.Code, path: d.Path}
	return nil
}

// judge sets the verdict of one row; rows already invalid stay so.
func (m *matcher) judge(row exRow, line *ReportRow) error {
	m.entry, m.person, m.placeOf = append(m.entry, 0), append(m.person, nil), append(m.placeOf, place{})
	if line.Status == Invalid {
		return nil
	}
	i := len(m.entry) - 1
	if row.ours() == Out {
		return m.judgeOut(row, line, i)
	}
	return m.judgeIn(row, line, i)
}

// person is what matching needs of a registry person.
type person struct {
	id                            int64
	name, sex, birth, status      string
	regDivision, regPath, resCode string
	resPath                       string
}

func (m *matcher) personByID(id string) (person, bool, error) {
	var p person
	var birth sql.NullString
	err := m.tx.QueryRow(m.ctx, `SELECT id, name, sex, birth_date, status, reg_division, reg_path, res_division, res_path
		FROM persons WHERE id_bidx = ? ORDER BY id LIMIT 1`, m.s.cipher.BlindIndex(fieldID, id)).Scan(
		&p.id, &p.name, &p.sex, &birth, &p.status, &p.regDivision, &p.regPath, &p.resCode, &p.resPath)
	if err == sql.ErrNoRows {
		return p, false, nil
	}
	p.birth = birth.String
	return p, err == nil, apperr.Wrap(err, "match person")
}

// judgeOut: they report one of our registered residents living with them.
func (m *matcher) judgeOut(row exRow, line *ReportRow, i int) error {
	p, found, err := m.personByID(row.id)
	if err != nil {
		return err
	}
	switch {
	case !found:
		conflict(line, "对方记为本县户籍人员，本县人员库中没有该公民身份号码",
			Difference{Field: exchangeHeader[colID], Ours: "（无此人）", Theirs: idno.Mask(row.id)})
		return nil
	case !m.pr.Covers(p.regPath):
		conflict(line, "该人员户籍不在您的管辖范围内")
		return nil
	}
	diffs := identityDiffs(p.name, p.sex, p.birth, row)
	if p.status != "alive" {
		diffs = append(diffs, Difference{Field: "状态", Ours: "已死亡", Theirs: "在对方居住"})
	}
	if len(diffs) > 0 {
		conflict(line, "与本县人员信息不一致", diffs...)
		return nil
	}
	var entryID int64
	var county sql.NullString
	err = m.tx.QueryRow(m.ctx, `SELECT id, other_county FROM floating_entries WHERE direction = 'out' AND status = 'active'
		AND person_id = ?`, p.id).Scan(&entryID, &county)
	switch {
	case err == sql.ErrNoRows:
		m.person[i] = &p.id
		line.Status, line.Message = New, "本县尚无流出登记，应用后新增"
		return nil
	case err != nil:
		return apperr.Wrap(err, "match out entry")
	case county.Valid && county.String != row.liveCounty:
		conflict(line, "本县流出登记的现居住地区县与对方不一致",
			Difference{Field: exchangeHeader[colLiveCounty], Ours: county.String, Theirs: row.liveCounty})
		return nil
	}
	m.entry[i], line.EntryID = entryID, &entryID
	line.Status, line.Message = Matched, "与本县流出登记一致"
	return nil
}

// judgeIn: they report one of their registered residents living with us.
func (m *matcher) judgeIn(row exRow, line *ReportRow, i int) error {
	bidx := m.s.cipher.BlindIndex(fieldID, row.id)
	var entryID int64
	var name, sex, birth, path string
	var county sql.NullString
	err := m.tx.QueryRow(m.ctx, `SELECT id, name, sex, birth_date, other_county, division_path FROM floating_entries
		WHERE direction = 'in' AND status = 'active' AND id_bidx = ?`, bidx).Scan(&entryID, &name, &sex, &birth, &county, &path)
	if err == nil {
		return m.judgeInEntry(row, line, i, entryID, name, sex, birth, county.String, path)
	}
	if err != sql.ErrNoRows {
		return apperr.Wrap(err, "match in entry")
	}
	p, found, err := m.personByID(row.id)
	if err != nil {
		return err
	}
	if !found {
		if m.village.code == "" {
			line.Status, line.Message = New, "本县尚无流入登记，应用前请选择其居住村"
			return nil
		}
		m.placeOf[i] = m.village
		line.Status, line.Message = New, "本县尚无流入登记，应用后登记在默认居住村"
		return nil
	}
	return m.judgeInPerson(row, line, i, p)
}

func (m *matcher) judgeInEntry(row exRow, line *ReportRow, i int, id int64, name, sex, birth, county, path string) error {
	if !m.pr.Covers(path) {
		conflict(line, "该公民身份号码已登记在您管辖范围以外的流入记录中")
		return nil
	}
	diffs := identityDiffs(name, sex, birth, row)
	if county != "" && county != row.registered[:6] {
		diffs = append(diffs, Difference{Field: exchangeHeader[colRegistered], Ours: county, Theirs: row.registered})
	}
	if len(diffs) > 0 {
		conflict(line, "与本县流入登记不一致", diffs...)
		return nil
	}
	m.entry[i], line.EntryID = id, &id
	line.Status, line.Message = Matched, "与本县流入登记一致"
	return nil
}

// judgeInPerson: no entry yet, but the person is in our registry.
func (m *matcher) judgeInPerson(row exRow, line *ReportRow, i int, p person) error {
	switch {
	case strings.HasPrefix(p.regPath, division.PathOf(m.own)):
		conflict(line, "本县人员库登记该人员为本县户籍",
			Difference{Field: exchangeHeader[colRegistered], Ours: p.regDivision, Theirs: row.registered})
		return nil
	case !m.pr.Covers(p.resPath):
		conflict(line, "该人员在本县人员库中，但不在您的管辖范围内")
		return nil
	}
	if diffs := identityDiffs(p.name, p.sex, p.birth, row); len(diffs) > 0 {
		conflict(line, "与本县人员信息不一致", diffs...)
		return nil
	}
	m.person[i], m.placeOf[i] = &p.id, place{code: p.resCode, path: p.resPath}
	line.Status, line.Message = New, "本县尚无流入登记，应用后按人员库的居住村新增"
	return nil
}

func conflict(line *ReportRow, msg string, diffs ...Difference) {
	line.Status, line.Message, line.Differences = Conflicting, msg, diffs
}

// identityDiffs compares name, sex and birth date of our record and theirs.
func identityDiffs(name, sex, birth string, row exRow) []Difference {
	var out []Difference
	if name != row.name {
		out = append(out, Difference{Field: exchangeHeader[colName], Ours: name, Theirs: row.name})
	}
	if sex != row.sex {
		out = append(out, Difference{Field: exchangeHeader[colSex], Ours: sexes.Label(sex), Theirs: sexes.Label(row.sex)})
	}
	if birth != row.birth {
		out = append(out, Difference{Field: exchangeHeader[colBirth], Ours: birth, Theirs: row.birth})
	}
	return out
}

// apply writes the new and matched rows and journals the import.
func (m *matcher) apply(rows []exRow, report *ImportReport) error {
	remark := "由 " + m.county + " 的流动人口交换文件导入"
	for i, row := range rows {
		line := &report.Rows[i]
		var err error
		switch line.Status {
		case New:
			err = m.create(row, line, i, remark)
		case Matched:
			err = m.complete(row, line, m.entry[i], remark)
		}
		if err != nil {
			return err
		}
		switch line.Action {
		case "created":
			report.Summary.Created++
		case "updated":
			report.Summary.Updated++
		}
	}
	sum := summarise(report.Rows, report.Summary)
	return m.s.journal.Append(m.ctx, m.tx, audit.Entry{Action: "floating.import", Entity: "floating_exchange",
		EntityID: m.county, After: sum, Remark: fmt.Sprintf("导入 %s 的交换文件：一致 %d、新增 %d、冲突 %d、无效 %d；新建 %d、补充 %d",
			m.county, sum.Matched, sum.New, sum.Conflicting, sum.Invalid, sum.Created, sum.Updated)})
}

// create registers the entry of a new row. A row the register refuses
// (checked again with every rule of a typed-in entry) becomes a conflict
// and the rest of the import goes on.
func (m *matcher) create(row exRow, line *ReportRow, i int, remark string) error {
	in := EntryInput{Direction: row.ours(), PersonID: m.person[i], Phone: row.phone, Since: row.since,
		Note: remark}
	if in.Direction == Out {
		in.Place, in.OtherCounty = orText(row.place, "区县代码 "+row.liveCounty), row.liveCounty
	} else {
		if m.placeOf[i].code == "" {
			return apperr.InvalidField("village", fmt.Sprintf("第 %d 行是新的流入人员，请选择其居住村（village 参数）后再应用", row.line))
		}
		in.Name, in.Sex, in.BirthDate, in.IDNumber = row.name, row.sex, row.birth, row.id
		in.Place, in.OtherCounty, in.Division = "户籍地区划代码 "+row.registered, row.registered[:6], m.placeOf[i].code
	}
	c, err := cleanEntry(in.Direction, in, m.s.today())
	var id int64
	if err == nil {
		id, err = m.s.insert(m.ctx, m.tx, &c, remark)
	}
	if code := apperr.CodeOf(err); code == apperr.Invalid || code == apperr.Conflict {
		conflict(line, "未能登记："+apperr.As(err).Message)
		return nil
	}
	if err != nil {
		return err
	}
	line.EntryID, line.Action = &id, "created"
	return nil
}

// complete fills what a matched entry lacks (the other county, a phone
// number) from their row; it never overwrites a value we have.
func (m *matcher) complete(row exRow, line *ReportRow, id int64, remark string) error {
	var county, phoneMask sql.NullString
	var phoneEnc []byte
	if err := m.tx.QueryRow(m.ctx, `SELECT other_county, phone_mask, phone_enc FROM floating_entries WHERE id = ?`, id).Scan(
		&county, &phoneMask, &phoneEnc); err != nil {
		return apperr.Wrap(err, "matched entry")
	}
	before := map[string]string{"other_county": county.String, "phone": phoneMask.String}
	theirCounty := row.liveCounty
	if row.ours() == In {
		theirCounty = row.registered[:6]
	}
	changed := false
	if !county.Valid {
		county, changed = sql.NullString{String: theirCounty, Valid: true}, true
	}
	if !phoneMask.Valid && row.phone != "" {
		enc, err := m.s.cipher.Encrypt(fieldPhone, row.phone)
		if err != nil {
			return apperr.Wrap(err, "encrypt phone")
		}
		phoneEnc, phoneMask, changed = enc, sql.NullString{String: fieldcrypt.MaskPhone(row.phone), Valid: true}, true
	}
	if !changed {
		return nil
	}
	if _, err := m.tx.Exec(m.ctx, `UPDATE floating_entries SET other_county = ?, phone_enc = ?, phone_mask = ?,
		version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?`,
		county.String, nullBytes(phoneEnc), nullText(phoneMask.String), db.Now(), m.pr.Username, id); err != nil {
		return err
	}
	line.Action = "updated"
	return m.s.journal.Append(m.ctx, m.tx, audit.Entry{Action: "floating.update", Entity: "floating",
		EntityID: fmt.Sprint(id), Before: before,
		After: map[string]string{"other_county": county.String, "phone": phoneMask.String}, Remark: remark})
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ReportSheet returns the header and rows of an import report as a
// spreadsheet, for the officer to work through the conflicts.
func ReportSheet(rep ImportReport) (header []string, rows [][]string) {
	header = []string{"行号", "核对结果", "方向（对方）", "本县登记", "姓名", "公民身份号码", "说明", "不一致的字段", "处理"}
	for _, r := range rep.Rows {
		var diffs []string
		for _, d := range r.Differences {
			diffs = append(diffs, fmt.Sprintf("%s：本县“%s”，对方“%s”", d.Field, d.Ours, d.Theirs))
		}
		action := map[string]string{"created": "已新建登记", "updated": "已补充登记"}[r.Action]
		rows = append(rows, []string{fmt.Sprint(r.Row), verdicts.Label(r.Status), r.Direction, directions.Label(r.Ours),
			r.Name, r.IDNumber, r.Message, strings.Join(diffs, "；"), action})
	}
	return header, rows
}
