package bankfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"jisheng/internal/apperr"
	"jisheng/internal/sheet"
)

// ReturnLayout describes one bank's return file (回盘文件): where each
// value sits and which status codes mean paid. It is data, like Layout.
type ReturnLayout struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Format is csv, xlsx or fixed; csv and xlsx are told apart by content,
	// so a bank that sends one for the other is still read.
	Format string `json:"format"`
	// Encoding of a fixed file: utf-8 | gbk | gb18030. A csv file's is
	// recognised from its content, as the sheet package does.
	Encoding string `json:"encoding,omitempty"`
	// Separator splits a fixed line into fields numbered by Index; without
	// one, fields are byte ranges (Start, Width).
	Separator string `json:"separator,omitempty"`
	// Skip is how many lines to pass over before the details: in a fixed
	// file the first non-blank lines (a header such as "H|…"); in csv and
	// xlsx the rows after the column-label row, which is always the first.
	Skip int `json:"skip,omitempty"`
	// Ignore lists prefixes of lines that are not details (a trailer "T|",
	// a row "合计"); in csv and xlsx the first non-empty cell is looked at.
	Ignore []string      `json:"ignore,omitempty"`
	Fields []ReturnField `json:"fields"`
	// PaidCodes and FailedCodes are the status codes meaning paid and not
	// paid, compared ignoring ASCII case. "*" among FailedCodes makes any
	// other code a failure (banks have dozens of failure codes); without it
	// a code in neither list is an error, so a new code is never guessed.
	PaidCodes   []string `json:"paid_codes"`
	FailedCodes []string `json:"failed_codes"`
}

// ReturnField says where one value of a return line is.
type ReturnField struct {
	// Name is seq, account_no, amount, status or message.
	Name   string `json:"name"`
	Column int    `json:"column,omitempty"` // csv, xlsx: column number, from 1
	Label  string `json:"label,omitempty"`  // csv, xlsx: column label, instead of Column
	Start  int    `json:"start,omitempty"`  // fixed without separator: first byte, from 1
	Width  int    `json:"width,omitempty"`  // fixed without separator: bytes
	Index  int    `json:"index,omitempty"`  // fixed with separator: field number, from 1
	// AmountUnit is the unit of the amount: yuan (default, "960.00") or
	// fen ("96000").
	AmountUnit string `json:"amount_unit,omitempty"`
}

// ReturnLine is one line of a return file. A value the layout does not
// read is zero: Seq 0, AccountNo "", AmountFen 0; a blank or zero amount is
// 0 too (some banks state no amount on failed lines), and Reconcile does
// not compare a zero value.
type ReturnLine struct {
	LineNo      int    `json:"line_no"` // line of the file, from 1
	Seq         int    `json:"seq,omitempty"`
	AccountNo   string `json:"account_no,omitempty"`
	AmountFen   int64  `json:"amount_fen,omitempty"`
	Paid        bool   `json:"paid"`
	BankCode    string `json:"bank_code"`              // the status code as the bank wrote it
	BankMessage string `json:"bank_message,omitempty"` // the bank's reason, for a failure
}

// MaxReturnSize is the largest return file read (64 MB: a 50,000-line
// return is a few MB).
const MaxReturnSize = 64 << 20

var returnLabels = map[string]string{
	"seq": "序号", "account_no": "账号", "amount": "金额", "status": "处理结果", "message": "银行说明",
}

var returnNames = []string{"seq", "account_no", "amount", "status", "message"}

// ParseReturnLayout reads a return layout from JSON and validates it.
func ParseReturnLayout(data []byte) (ReturnLayout, error) {
	var l ReturnLayout
	if err := decodeStrict(data, &l); err != nil {
		return ReturnLayout{}, err
	}
	return l, l.Validate()
}

// Validate checks the return layout, reporting every problem in one
// Chinese message on the field of the first.
func (l *ReturnLayout) Validate() error {
	p := &problemList{}
	if strings.TrimSpace(l.Name) == "" {
		p.add("name", "回盘格式名称为空")
	}
	fixed := l.Format == FormatFixed
	switch l.Format {
	case FormatCSV, FormatXLSX, FormatFixed:
	case "":
		p.add("format", "请选择回盘文件格式（csv、xlsx 或 fixed）")
	default:
		p.add("format", fmt.Sprintf("回盘文件格式「%s」无效，应为 csv、xlsx 或 fixed", l.Format))
	}
	switch {
	case fixed && l.Encoding != UTF8 && l.Encoding != GBK && l.Encoding != GB18030:
		p.add("encoding", "定长回盘文件须设置字符编码（utf-8、gbk 或 gb18030）")
	case !fixed && l.Encoding != "":
		p.add("encoding", "csv 和 xlsx 回盘文件的编码自动识别，不需设置")
	}
	if l.Separator != "" && (!fixed || !validSeparator(l.Separator)) {
		p.add("separator", "分隔符只用于定长回盘文件，应为 1 到 3 个英文标点或制表符")
	}
	if l.Skip < 0 || l.Skip > 100 {
		p.add("skip", "跳过的行数应在 0 到 100 之间")
	}
	for i, s := range l.Ignore {
		if s == "" || !cleanText(s) {
			p.add(fmt.Sprintf("ignore[%d]", i), fmt.Sprintf("第 %d 个忽略前缀为空或含有控制字符", i+1))
		}
	}
	l.checkFields(p)
	l.checkCodes(p)
	return p.err()
}

func (l *ReturnLayout) checkFields(p *problemList) {
	seen := map[string]bool{}
	for i, f := range l.Fields {
		key := fmt.Sprintf("fields[%d]", i)
		label, ok := returnLabels[f.Name]
		if !ok {
			p.add(key+".name", fmt.Sprintf("第 %d 个字段：未知的字段名「%s」（可用：%s）", i+1, f.Name, strings.Join(returnNames, "、")))
			continue
		}
		title := fmt.Sprintf("第 %d 个字段（%s）", i+1, label)
		if seen[f.Name] {
			p.add(key+".name", title+"：重复")
		}
		seen[f.Name] = true
		l.checkPlace(p, key, title, f)
		if f.AmountUnit != "" && (f.Name != "amount" || (f.AmountUnit != Yuan && f.AmountUnit != Fen)) {
			p.add(key+".amount_unit", title+"：金额单位只用于金额，应为 yuan 或 fen")
		}
	}
	if !seen["status"] {
		p.add("fields", "回盘格式须有处理结果字段（status）")
	}
	if !seen["seq"] && !seen["account_no"] {
		p.add("fields", "回盘格式须有序号（seq）或账号（account_no）字段，才能与发出的明细对账")
	}
}

// checkPlace checks that a field is located the way its format locates
// fields, and only that way.
func (l *ReturnLayout) checkPlace(p *problemList, key, title string, f ReturnField) {
	switch {
	case f.Column < 0 || f.Start < 0 || f.Width < 0 || f.Index < 0:
		p.add(key, title+"：列号、起始字节、宽度和序号不能为负数")
	case f.Column > 16384 || f.Index > 1000 || f.Start+f.Width > maxLine:
		p.add(key, title+"：列号、序号或字节位置超出范围")
	case l.Format == FormatCSV || l.Format == FormatXLSX:
		if (f.Column > 0) == (f.Label != "") || f.Start != 0 || f.Width != 0 || f.Index != 0 {
			p.add(key+".column", title+"：csv 和 xlsx 回盘文件的字段须设置列号 column 或列标题 label 中的一个")
		}
	case l.Format == FormatFixed && l.Separator != "":
		if f.Index == 0 || f.Column != 0 || f.Label != "" || f.Start != 0 || f.Width != 0 {
			p.add(key+".index", title+"：有分隔符的回盘文件按字段序号 index（从 1 起）定位")
		}
	case l.Format == FormatFixed:
		if f.Start == 0 || f.Width == 0 || f.Column != 0 || f.Label != "" || f.Index != 0 {
			p.add(key+".start", title+"：定长回盘文件的字段须设置起始字节 start（从 1 起）和宽度 width")
		}
	}
}

func (l *ReturnLayout) checkCodes(p *problemList) {
	if len(l.PaidCodes) == 0 {
		p.add("paid_codes", "请设置表示付款成功的处理结果代码")
	}
	if len(l.FailedCodes) == 0 {
		p.add("failed_codes", "请设置表示付款失败的处理结果代码（其他代码都算失败时填 *）")
	}
	paid := map[string]bool{}
	for _, c := range l.PaidCodes {
		switch {
		case strings.TrimSpace(c) == "" || c == "*":
			p.add("paid_codes", "成功代码不能为空或 *")
		default:
			paid[codeKey(c)] = true
		}
	}
	for _, c := range l.FailedCodes {
		switch {
		case strings.TrimSpace(c) == "":
			p.add("failed_codes", "失败代码不能为空")
		case paid[codeKey(c)]:
			p.add("failed_codes", fmt.Sprintf("代码「%s」同时出现在成功和失败代码中", c))
		}
	}
}

func codeKey(c string) string { return strings.ToUpper(strings.TrimSpace(c)) }

// ParseReturn reads the return file of size bytes in r. Every line that
// cannot be read becomes a "第 N 行：…" problem; if there are any, the
// error (an *apperr.Error caused by Problems) lists them all and no lines
// are returned. Problems with the file as a whole (empty, too large, a
// column missing) are an error on the field "file".
func ParseReturn(r io.ReaderAt, size int64, layout ReturnLayout) ([]ReturnLine, error) {
	if err := layout.Validate(); err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, apperr.InvalidField("file", "回盘文件为空")
	}
	if size > MaxReturnSize {
		return nil, &apperr.Error{Code: apperr.TooLarge, Field: "file", Message: fmt.Sprintf("回盘文件超过 %d MB", MaxReturnSize>>20)}
	}
	p := newReturnParser(&layout)
	var err error
	if layout.Format == FormatFixed {
		err = p.readFixed(r, size)
	} else {
		err = p.readSheet(r, size)
	}
	if err != nil {
		return nil, err
	}
	if err := p.probs.err(); err != nil {
		return nil, err
	}
	if len(p.lines) == 0 {
		return nil, apperr.InvalidField("file", "回盘文件中没有明细行（请检查回盘格式的跳过行数和忽略前缀）")
	}
	return p.lines, nil
}

type returnParser struct {
	l      *ReturnLayout
	cs     *charset
	paid   map[string]bool
	failed map[string]bool
	others bool     // "*": any other code is a failure
	ignore [][]byte // Ignore in the file's encoding
	vals   []string
	lines  []ReturnLine
	probs  collector
}

func newReturnParser(l *ReturnLayout) *returnParser {
	p := &returnParser{l: l, cs: newCharset(l.Encoding), paid: map[string]bool{}, failed: map[string]bool{},
		vals: make([]string, len(l.Fields))}
	for _, c := range l.PaidCodes {
		p.paid[codeKey(c)] = true
	}
	for _, c := range l.FailedCodes {
		if c == "*" {
			p.others = true
		}
		p.failed[codeKey(c)] = true
	}
	for _, s := range l.Ignore {
		if b, bad := p.cs.appendString(nil, []byte(s)); bad == 0 {
			p.ignore = append(p.ignore, b)
		}
	}
	return p
}

// maxLine bounds a line of a fixed file; a longer one is not a return line
// (a binary file, or one without line ends).
const maxLine = 64 << 10

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

func (p *returnParser) readFixed(r io.ReaderAt, size int64) error {
	var head [8]byte
	n, _ := r.ReadAt(head[:], 0)
	if bytes.HasPrefix(head[:n], zipMagic) || bytes.HasPrefix(head[:n], oleMagic) {
		return apperr.InvalidField("file", "回盘文件是 Excel 工作簿，而回盘格式设置的是定长文本（fixed）")
	}
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), maxLine)
	skipped := 0
	for lineNo := 1; ; lineNo++ {
		line, tooLong, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return apperr.Wrap(err, "read return file")
		}
		if line == nil && !tooLong && err != nil {
			return nil
		}
		if lineNo == 1 && p.cs.name == UTF8 {
			line = bytes.TrimPrefix(line, []byte{0xEF, 0xBB, 0xBF})
		}
		switch {
		case tooLong:
			p.probs.add(lineNo, "", fmt.Sprintf("第 %d 行：超过 %d 字节，不是回盘明细行（文件可能不是定长文本）", lineNo, maxLine))
		case blankLine(line):
		case skipped < p.l.Skip:
			skipped++
		case p.ignored(line):
		default:
			p.fixedLine(lineNo, line)
		}
		if err != nil {
			return nil
		}
	}
}

// readLine reads one line without its line end. A line longer than the
// buffer is consumed to its end and reported as tooLong. At the end of the
// input err is io.EOF, with the last line if it had no line end.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	b, err := br.ReadSlice('\n')
	for errors.Is(err, bufio.ErrBufferFull) {
		tooLong = true
		_, err = br.ReadSlice('\n')
	}
	if tooLong {
		return nil, true, err
	}
	if len(b) == 0 {
		return nil, false, err
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	b = bytes.TrimSuffix(b, []byte{'\r'})
	return b, false, err
}

func blankLine(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != 0x1A { // 0x1A: a DOS end-of-file mark
			return false
		}
	}
	return true
}

func (p *returnParser) ignored(line []byte) bool {
	for _, pre := range p.ignore {
		if bytes.HasPrefix(line, pre) {
			return true
		}
	}
	return false
}

// fixedLine reads the values of one line of a fixed file.
func (p *returnParser) fixedLine(lineNo int, line []byte) {
	for _, c := range line {
		if (c < ' ' && c != '\t') || c == 0x7f {
			p.probs.add(lineNo, "", fmt.Sprintf("第 %d 行：含有控制字符，文件可能已损坏或不是文本文件", lineNo))
			return
		}
	}
	if p.l.Separator != "" {
		p.splitLine(lineNo, line)
		return
	}
	for i, f := range p.l.Fields {
		v, msg := p.slice(line, f)
		if msg != "" {
			p.probs.add(lineNo, f.Name, fmt.Sprintf("第 %d 行：%s%s", lineNo, returnLabels[f.Name], msg))
			return
		}
		p.vals[i] = v
	}
	p.finish(lineNo)
}

// slice decodes the bytes of field f, refusing a range that cuts a
// character in half: the layout's positions do not match the file.
func (p *returnParser) slice(line []byte, f ReturnField) (string, string) {
	start := f.Start - 1
	if start >= len(line) {
		return "", "" // banks drop trailing blanks
	}
	end := min(start+f.Width, len(line))
	if !p.cs.boundary(line, start) || !p.cs.boundary(line, end) {
		return "", fmt.Sprintf("（第 %d–%d 字节）截断了一个汉字（回盘格式的位置与文件不符，或文件编码不是 %s）", f.Start, f.Start+f.Width-1, p.cs.label())
	}
	v, ok := p.cs.decode(line[start:end])
	if !ok {
		return "", fmt.Sprintf("（第 %d–%d 字节）不是有效的 %s 文字", f.Start, f.Start+f.Width-1, p.cs.label())
	}
	return strings.TrimSpace(v), ""
}

// splitLine reads a line of separated fields.
func (p *returnParser) splitLine(lineNo int, line []byte) {
	text, ok := p.cs.decode(line)
	if !ok {
		p.probs.add(lineNo, "", fmt.Sprintf("第 %d 行：不是有效的 %s 文字（请检查回盘格式的字符编码）", lineNo, p.cs.label()))
		return
	}
	parts := strings.Split(text, p.l.Separator)
	for i, f := range p.l.Fields {
		p.vals[i] = ""
		if f.Index <= len(parts) {
			p.vals[i] = strings.TrimSpace(parts[f.Index-1])
		}
	}
	p.finish(lineNo)
}

// readSheet reads a csv or xlsx return through the sheet package: the
// first non-blank row holds the column labels.
func (p *returnParser) readSheet(r io.ReaderAt, size int64) error {
	rd, err := sheet.Open(r, size, MaxReturnSize)
	if err != nil {
		return fileError(err)
	}
	defer rd.Close()
	cols, err := p.columns(rd.Header())
	if err != nil {
		return err
	}
	skipped, last := 0, 1
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return p.sheetError(err, last)
		}
		last = row.Line
		switch {
		case skipped < p.l.Skip:
			skipped++
			continue
		case p.ignoredRow(row.Cells):
			continue
		}
		for i, c := range cols {
			p.vals[i] = ""
			if c < len(row.Cells) {
				p.vals[i] = row.Cells[c]
			}
		}
		if p.cleanRow(row.Line) {
			p.finish(row.Line)
		}
	}
}

// fileError puts a problem of the whole file on the field "file".
func fileError(err error) error {
	ae := apperr.As(err)
	if ae.Code == apperr.Internal || ae.Field != "" {
		return err
	}
	return &apperr.Error{Code: ae.Code, Field: "file", Message: "回盘文件：" + ae.Message, Err: ae.Err}
}

// sheetError turns an error in the middle of a CSV (an unmatched quote, a
// stray GBK byte) into a problem of its line; reading cannot go on after it.
func (p *returnParser) sheetError(err error, last int) error {
	ae := apperr.As(err)
	if ae.Code == apperr.Internal {
		return err
	}
	line := last + 1
	if n, serr := fmt.Sscanf(ae.Message, "第 %d 行", &line); n != 1 || serr != nil || line <= 0 {
		line = last + 1
	}
	msg := ae.Message
	if !strings.HasPrefix(msg, fmt.Sprintf("第 %d 行", line)) {
		msg = fmt.Sprintf("第 %d 行：%s", line, msg)
	}
	p.probs.add(line, "", msg)
	return nil
}

// columns finds the column of each field: by number, or by label in the
// header row.
func (p *returnParser) columns(header []string) ([]int, error) {
	cols := make([]int, len(p.l.Fields))
	var missing []string
	for i, f := range p.l.Fields {
		if f.Label == "" {
			cols[i] = f.Column - 1
			if cols[i] >= len(header) {
				missing = append(missing, fmt.Sprintf("第 %d 列（%s）", f.Column, returnLabels[f.Name]))
			}
			continue
		}
		cols[i] = -1
		for j, h := range header {
			if labelKey(h) == labelKey(f.Label) {
				cols[i] = j
				break
			}
		}
		if cols[i] < 0 {
			missing = append(missing, fmt.Sprintf("「%s」（%s）", f.Label, returnLabels[f.Name]))
		}
	}
	if len(missing) > 0 {
		return nil, apperr.InvalidField("file", fmt.Sprintf("回盘文件的表头（第一行，共 %d 列）中找不到：%s", len(header), strings.Join(missing, "、")))
	}
	return cols, nil
}

// labelKey compares column labels without spaces, the way they are
// retyped.
func labelKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\uFEFF' {
			return -1
		}
		return r
	}, s)
}

func (p *returnParser) ignoredRow(cells []string) bool {
	for _, c := range cells {
		if c == "" {
			continue
		}
		for _, pre := range p.l.Ignore {
			if strings.HasPrefix(c, pre) {
				return true
			}
		}
		return false
	}
	return false
}

// cleanRow refuses control characters in the values of a row.
func (p *returnParser) cleanRow(lineNo int) bool {
	for i, v := range p.vals {
		if !cleanText(v) {
			f := p.l.Fields[i].Name
			p.probs.add(lineNo, f, fmt.Sprintf("第 %d 行：%s含有控制字符或无效字符", lineNo, returnLabels[f]))
			return false
		}
	}
	return true
}

// maxSeqDigits bounds a seq so that it fits an int everywhere.
const maxSeqDigits = 9

// finish turns the values in p.vals into a return line, or problems.
func (p *returnParser) finish(lineNo int) {
	rl := ReturnLine{LineNo: lineNo}
	bad := false
	add := func(field, msg string) {
		p.probs.add(lineNo, field, fmt.Sprintf("第 %d 行：%s", lineNo, msg))
		bad = true
	}
	for i, f := range p.l.Fields {
		v := p.vals[i]
		switch f.Name {
		case "seq":
			n, err := strconv.Atoi(strings.TrimLeft(v, "0"))
			switch {
			case v == "":
				add(f.Name, "序号为空")
			case !allDigits(v) || len(strings.TrimLeft(v, "0")) > maxSeqDigits || err != nil || n <= 0:
				add(f.Name, fmt.Sprintf("序号「%s」不是正整数", v))
			default:
				rl.Seq = n
			}
		case "account_no":
			if v == "" {
				add(f.Name, "账号为空")
			}
			rl.AccountNo = v
		case "amount":
			if v == "" {
				continue
			}
			unit := f.AmountUnit
			if unit == "" {
				unit = Yuan
			}
			fen, msg := parseAmount(v, unit)
			if msg != "" {
				add(f.Name, fmt.Sprintf("%s（「%s」）", msg, v))
			}
			rl.AmountFen = fen
		case "status":
			rl.BankCode = v
			switch k := codeKey(v); {
			case v == "":
				add(f.Name, "处理结果为空")
			case p.paid[k]:
				rl.Paid = true
			case p.failed[k] || p.others:
			default:
				add(f.Name, fmt.Sprintf("处理结果代码「%s」既不在成功代码中也不在失败代码中（请在回盘格式中补充）", v))
			}
		case "message":
			rl.BankMessage = v
		}
	}
	if !bad {
		p.lines = append(p.lines, rl)
	}
}
