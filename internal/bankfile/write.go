package bankfile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/sheet"
)

// Line is one payment of a batch.
type Line struct {
	// Seq numbers the payment within its batch (from 1, unique); a return
	// file names the payment by it.
	Seq         int    `json:"seq"`
	AccountNo   string `json:"account_no"`
	AccountName string `json:"account_name"`
	IDNumber    string `json:"id_number,omitempty"`
	BankCode    string `json:"bank_code,omitempty"` // 开户行行号, for banks that want it
	Purpose     string `json:"purpose,omitempty"`
	Remark      string `json:"remark,omitempty"`
	AmountFen   int64  `json:"amount_fen"`
}

// Batch is one payment file's content.
type Batch struct {
	No           string `json:"no"`
	Date         string `json:"date"` // YYYY-MM-DD
	PayerName    string `json:"payer_name,omitempty"`
	PayerAccount string `json:"payer_account,omitempty"`
	Lines        []Line `json:"lines"`
}

// Summary is what a written file holds: the count and control total its
// header states.
type Summary struct {
	Count    int   `json:"count"`
	TotalFen int64 `json:"total_fen"`
}

// Write writes batch to w in layout and returns its count and total. Every
// payment is checked before anything is written, so when the layout, the
// batch or any payment is wrong w receives nothing, and the error (an
// *apperr.Error caused by Problems) lists every bad payment. Only a failure
// of w itself leaves a partial file, which the caller discards. The same
// layout and batch always give the same bytes.
func Write(w io.Writer, layout Layout, batch Batch) (Summary, error) {
	if err := layout.Validate(); err != nil {
		return Summary{}, err
	}
	fw, err := newFileWriter(&layout, &batch)
	if err != nil {
		return Summary{}, err
	}
	if err := fw.run(); err != nil { // the checking pass
		return Summary{}, err
	}
	if err := fw.probs.err(); err != nil {
		return Summary{}, err
	}
	if err := fw.start(w); err != nil {
		return Summary{}, apperr.Wrap(err, "write bank file")
	}
	if err := fw.run(); err != nil { // the writing pass
		fw.abandon()
		return Summary{}, apperr.Wrap(err, "write bank file")
	}
	if err := fw.finish(); err != nil {
		return Summary{}, apperr.Wrap(err, "write bank file")
	}
	return fw.sum, nil
}

// cfield is a field with its defaults resolved.
type cfield struct {
	Field
	info   fieldInfo
	right  bool
	pad    byte
	unit   string
	format string
	date   string
}

type crecord struct {
	sep    string
	fields []cfield
}

func compile(r *Record) *crecord {
	if r == nil {
		return nil
	}
	cr := &crecord{sep: r.Separator, fields: make([]cfield, len(r.Fields))}
	for i, f := range r.Fields {
		info := fields[f.Name]
		cf := cfield{Field: f, info: info, pad: ' ', unit: Yuan, format: AmountPoint, date: DateDash}
		cf.right = f.Align == AlignRight || (f.Align == "" && (info.kind == kindNumber || info.kind == kindMoney))
		if f.Pad != "" {
			cf.pad = f.Pad[0]
		}
		if f.AmountUnit != "" {
			cf.unit = f.AmountUnit
		}
		switch {
		case f.AmountFormat != "":
			cf.format = f.AmountFormat
		case cf.unit == Fen:
			cf.format = AmountPlain
		}
		if f.DateFormat != "" {
			cf.date = f.DateFormat
		}
		if cf.Label == "" {
			cf.Label = info.label
		}
		cr.fields[i] = cf
	}
	return cr
}

// fileWriter runs over a batch twice: once checking every payment (nothing
// written), once writing.
type fileWriter struct {
	l       *Layout
	b       *Batch
	cs      *charset
	header  *crecord
	detail  *crecord
	trailer *crecord
	eol     string
	delim   string
	sum     Summary
	probs   collector
	seqs    map[int]int // seq → position, in the checking pass
	refused []string    // fields of the current payment checkLine refused

	writing bool
	out     *bufio.Writer
	book    *sheet.Writer
	dst     io.Writer

	raw    []byte   // the value being formatted, UTF-8
	enc    []byte   // the value in the file's encoding
	padded []byte   // the value padded to its width (csv)
	line   []byte   // the line being built (csv, fixed)
	cells  []string // the row being built (xlsx)
}

func newFileWriter(l *Layout, b *Batch) (*fileWriter, error) {
	if err := checkBatch(l, b); err != nil {
		return nil, err
	}
	fw := &fileWriter{l: l, b: b, cs: newCharset(l.Encoding), header: compile(l.Header), detail: compile(&l.Detail),
		trailer: compile(l.Trailer), eol: "\r\n", delim: l.delimiter(), seqs: make(map[int]int, len(b.Lines))}
	if l.LineEnd == LF {
		fw.eol = "\n"
	}
	return fw, nil
}

// checkBatch checks the batch's own values, the ones every line repeats.
func checkBatch(l *Layout, b *Batch) error {
	switch {
	case strings.TrimSpace(b.No) == "":
		return apperr.InvalidField("batch.no", "批次号为空")
	case !cleanText(b.No):
		return apperr.InvalidField("batch.no", "批次号含有控制字符或无效字符")
	case !validDate(b.Date):
		return apperr.InvalidField("batch.date", "批次日期应为 YYYY-MM-DD 格式的有效日期")
	case l.uses("payer_name") && strings.TrimSpace(b.PayerName) == "":
		return apperr.InvalidField("batch.payer_name", "付款户名为空，而文件格式需要它")
	case l.uses("payer_account") && strings.TrimSpace(b.PayerAccount) == "":
		return apperr.InvalidField("batch.payer_account", "付款账号为空，而文件格式需要它")
	case !cleanText(b.PayerName):
		return apperr.InvalidField("batch.payer_name", "付款户名含有控制字符或无效字符")
	case !cleanText(b.PayerAccount):
		return apperr.InvalidField("batch.payer_account", "付款账号含有控制字符或无效字符")
	case len(b.Lines) == 0:
		return apperr.InvalidField("batch.lines", "批次中没有付款明细")
	}
	return nil
}

func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// start begins the writing pass on w.
func (fw *fileWriter) start(w io.Writer) error {
	fw.writing, fw.dst = true, w
	if fw.l.Format == FormatXLSX {
		return nil // the workbook starts with its first row, in emit
	}
	fw.out = bufio.NewWriterSize(w, 64<<10)
	if fw.l.BOM {
		_, err := fw.out.Write([]byte{0xEF, 0xBB, 0xBF})
		return err
	}
	return nil
}

// run builds every record of the file: header, labels, details, trailer.
// The header needs the count and total, which the checking pass summed.
func (fw *fileWriter) run() error {
	total := fw.totals()
	if fw.header != nil {
		fw.record(fw.header, nil, 0, total)
		if err := fw.emit(); err != nil {
			return err
		}
	}
	if fw.l.Labels {
		fw.labels()
		if err := fw.emit(); err != nil {
			return err
		}
	}
	for i := range fw.b.Lines {
		ln := &fw.b.Lines[i]
		if !fw.writing {
			fw.checkLine(i, ln)
		}
		fw.record(fw.detail, ln, i+1, total)
		if err := fw.emit(); err != nil {
			return err
		}
	}
	if fw.trailer != nil {
		fw.record(fw.trailer, nil, -1, total)
		if err := fw.emit(); err != nil {
			return err
		}
	}
	return nil
}

// totals sums the batch (on the checking pass, refusing a total too large
// for int64; the writing pass reuses the checked sum).
func (fw *fileWriter) totals() Summary {
	if fw.writing {
		return fw.sum
	}
	var s Summary
	for _, ln := range fw.b.Lines {
		if ln.AmountFen > 0 && s.TotalFen > math.MaxInt64-ln.AmountFen {
			fw.probs.add(0, "total", "批次总金额超出可表示的范围")
			break
		}
		s.TotalFen += max(ln.AmountFen, 0)
	}
	s.Count = len(fw.b.Lines)
	fw.sum = s
	return s
}

// checkLine checks the values of a payment that do not depend on the
// layout: a bank needs an account, a name and a positive amount, and the
// return file names payments by a unique seq.
func (fw *fileWriter) checkLine(i int, ln *Line) {
	fw.refused = fw.refused[:0]
	add := func(field, msg string) {
		fw.probs.add(i+1, field, fw.where(i+1, ln)+msg)
		fw.refused = append(fw.refused, field)
	}
	switch {
	case ln.Seq <= 0:
		add("seq", "序号应为正整数")
	case fw.seqs[ln.Seq] > 0:
		add("seq", fmt.Sprintf("序号与第 %d 笔重复", fw.seqs[ln.Seq]))
	default:
		fw.seqs[ln.Seq] = i + 1
	}
	switch {
	case ln.AccountNo == "":
		add("account_no", "账号为空")
	case !validAccount(ln.AccountNo):
		add("account_no", "账号只能由数字、英文字母和连字符组成，不能有空格")
	}
	if strings.TrimSpace(ln.AccountName) == "" {
		add("account_name", "户名为空")
	}
	switch {
	case ln.AmountFen < 0:
		add("amount", "金额不能为负数")
	case ln.AmountFen == 0:
		add("amount", "金额应大于 0")
	}
	for _, v := range []struct{ field, value string }{{"account_name", ln.AccountName}, {"id_number", ln.IDNumber},
		{"bank_code", ln.BankCode}, {"purpose", ln.Purpose}, {"remark", ln.Remark}} {
		if !cleanText(v.value) {
			add(v.field, FieldLabel(v.field)+"含有换行、控制字符或无效字符")
		}
	}
}

func validAccount(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// where names a record in messages: a payment by position and seq.
func (fw *fileWriter) where(pos int, ln *Line) string {
	switch {
	case pos == 0:
		return "文件头 "
	case pos < 0:
		return "文件尾 "
	}
	return fmt.Sprintf("第 %d 笔（序号 %d）", pos, ln.Seq)
}

// labels builds the row of column labels.
func (fw *fileWriter) labels() {
	fw.line, fw.cells = fw.line[:0], fw.cells[:0]
	for i := range fw.detail.fields {
		f := &fw.detail.fields[i]
		if fw.l.Format == FormatXLSX {
			fw.cells = append(fw.cells, f.Label)
			continue
		}
		fw.raw = append(fw.raw[:0], f.Label...)
		if i > 0 {
			fw.line = append(fw.line, fw.delim...)
		}
		enc, bad := fw.cs.appendString(fw.enc[:0], fw.raw)
		fw.enc = enc
		if bad != 0 {
			fw.probs.add(0, "label", fmt.Sprintf("列标题「%s」含有 %s 编码无法表示的字符「%c」", f.Label, fw.cs.label(), bad))
		}
		fw.appendCSV(nil, enc)
	}
}

// record builds one header, detail or trailer record into fw.line or
// fw.cells, adding a problem for each value that does not fit.
func (fw *fileWriter) record(r *crecord, ln *Line, pos int, sum Summary) {
	fw.line, fw.cells = fw.line[:0], fw.cells[:0]
	for i := range r.fields {
		f := &r.fields[i]
		msg := fw.value(f, ln, sum)
		if msg == "" {
			msg = fw.place(r, f, i)
		}
		if msg != "" && !fw.writing && !(ln != nil && slices.Contains(fw.refused, f.Name)) {
			line := max(pos, 0)
			fw.probs.add(line, f.Name, fw.where(pos, ln)+f.Label+"："+msg)
		}
	}
}

// value puts the field's text, UTF-8, in fw.raw; a non-empty result is why
// it cannot be written.
func (fw *fileWriter) value(f *cfield, ln *Line, sum Summary) string {
	fw.raw = fw.raw[:0]
	switch f.Name {
	case "seq":
		fw.raw = strconv.AppendInt(fw.raw, int64(ln.Seq), 10)
	case "account_no":
		fw.raw = append(fw.raw, ln.AccountNo...)
	case "account_name":
		fw.raw = append(fw.raw, ln.AccountName...)
	case "id_number":
		fw.raw = append(fw.raw, ln.IDNumber...)
	case "bank_code":
		fw.raw = append(fw.raw, ln.BankCode...)
	case "purpose":
		fw.raw = append(fw.raw, ln.Purpose...)
	case "remark":
		fw.raw = append(fw.raw, ln.Remark...)
	case "amount":
		return fw.amount(f, ln.AmountFen)
	case "batch_no":
		fw.raw = append(fw.raw, fw.b.No...)
	case "payer_name":
		fw.raw = append(fw.raw, fw.b.PayerName...)
	case "payer_account":
		fw.raw = append(fw.raw, fw.b.PayerAccount...)
	case "date":
		fw.raw = appendDate(fw.raw, fw.b.Date, f.date)
	case "count":
		fw.raw = strconv.AppendInt(fw.raw, int64(sum.Count), 10)
	case "total":
		return fw.amount(f, sum.TotalFen)
	case "literal":
		fw.raw = append(fw.raw, f.Value...)
	}
	return ""
}

func (fw *fileWriter) amount(f *cfield, fen int64) string {
	if fen <= 0 {
		return "" // refused by checkLine; written as given so the message is about the amount
	}
	var ok bool
	if fw.raw, ok = appendAmount(fw.raw, fen, f.unit, f.format); !ok {
		return fmt.Sprintf("%s 元不是整元，而文件格式要求整元金额", yuanText(fen))
	}
	return ""
}

// place encodes fw.raw, fits it to the field's width and appends it to the
// record being built.
func (fw *fileWriter) place(r *crecord, f *cfield, i int) string {
	if fw.l.Format == FormatXLSX {
		fw.cells = append(fw.cells, string(fw.raw))
		return ""
	}
	sep := r.sep
	if fw.l.Format == FormatCSV {
		sep = fw.delim
	}
	if i > 0 {
		fw.line = append(fw.line, sep...)
	}
	if r.sep != "" && bytes.Contains(fw.raw, []byte(r.sep)) {
		return fmt.Sprintf("「%s」含有分隔符「%s」", fw.raw, r.sep)
	}
	enc, msg := fw.fit(f)
	if msg != "" {
		return msg
	}
	if fw.l.Format == FormatCSV {
		fw.appendCSV(f, enc)
		return ""
	}
	fw.line = fw.appendPadded(fw.line, f, enc)
	return ""
}

// fit encodes fw.raw into fw.enc, within the field's width: shortened
// between characters if the field may be, refused otherwise.
func (fw *fileWriter) fit(f *cfield) ([]byte, string) {
	enc, bad := fw.cs.appendString(fw.enc[:0], fw.raw)
	fw.enc = enc
	if bad != 0 {
		return nil, fmt.Sprintf("「%s」含有 %s 编码无法表示的字符「%c」（可改用 gb18030 编码或修改文字）", fw.raw, fw.cs.label(), bad)
	}
	if f.Width == 0 || len(enc) <= f.Width {
		return enc, ""
	}
	if !f.Truncate {
		return nil, fmt.Sprintf("「%s」长 %d 字节（%s），超过宽度 %d 字节", fw.raw, len(enc), fw.cs.label(), f.Width)
	}
	enc = enc[:0]
	var buf [4]byte
	for _, r := range string(fw.raw) {
		b, _ := fw.cs.appendRune(buf[:0], r)
		if len(enc)+len(b) > f.Width {
			break
		}
		enc = append(enc, b...)
	}
	fw.enc = enc
	return enc, ""
}

// appendPadded appends enc padded to the field's width.
func (fw *fileWriter) appendPadded(dst []byte, f *cfield, enc []byte) []byte {
	pad := f.Width - len(enc)
	if f.right {
		dst = appendRepeat(dst, f.pad, pad)
	}
	dst = append(dst, enc...)
	if !f.right {
		dst = appendRepeat(dst, f.pad, pad)
	}
	return dst
}

func appendRepeat(dst []byte, c byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, c)
	}
	return dst
}

// appendCSV appends one encoded CSV cell, quoted (RFC 4180) when it holds
// the delimiter or a quote. No multi-byte GBK or GB18030 sequence contains
// the byte of '"', so doubling that byte is safe in every encoding; the
// delimiter is looked for in the UTF-8 text, where a GBK trail byte cannot
// pass for it.
func (fw *fileWriter) appendCSV(f *cfield, enc []byte) {
	if f != nil && f.Width > 0 {
		fw.padded = fw.appendPadded(fw.padded[:0], f, enc)
		enc = fw.padded
	}
	if !bytes.Contains(fw.raw, []byte(fw.delim)) && !bytes.ContainsRune(fw.raw, '"') {
		fw.line = append(fw.line, enc...)
		return
	}
	fw.line = append(fw.line, '"')
	for _, c := range enc {
		if c == '"' {
			fw.line = append(fw.line, '"')
		}
		fw.line = append(fw.line, c)
	}
	fw.line = append(fw.line, '"')
}

// emit hands the record just built to the file on the writing pass.
func (fw *fileWriter) emit() error {
	if !fw.writing {
		return nil
	}
	if fw.l.Format != FormatXLSX {
		fw.line = append(fw.line, fw.eol...)
		_, err := fw.out.Write(fw.line)
		return err
	}
	if fw.book == nil {
		name := fw.l.SheetName
		if name == "" {
			name = "代发明细"
		}
		book, err := sheet.NewWriter(fw.dst, sheet.XLSX, name, append([]string(nil), fw.cells...))
		if err != nil {
			return err
		}
		fw.book = book
		return nil
	}
	return fw.book.Write(fw.cells)
}

// finish completes the file.
func (fw *fileWriter) finish() error {
	if fw.book != nil {
		return fw.book.Close()
	}
	return fw.out.Flush()
}

// abandon releases a workbook's temporary files after a failed write (only
// an error of w itself gets there).
func (fw *fileWriter) abandon() {
	if fw.book != nil {
		_ = fw.book.Close()
	}
}
