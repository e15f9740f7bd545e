package bankfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"jisheng/internal/apperr"
)

// File formats.
const (
	FormatCSV = "csv"
	// FormatXLSX is written through the sheet package: every cell is text,
	// and a value a spreadsheet would run as a formula gets a leading quote.
	FormatXLSX  = "xlsx"
	FormatFixed = "fixed" // fixed-width text, optionally with separators
)

// Character encodings of csv and fixed files. GB18030 is GBK plus the rare
// characters GBK lacks, which some names need.
const (
	UTF8    = "utf-8"
	GBK     = "gbk"
	GB18030 = "gb18030"
)

// Line ends.
const (
	CRLF = "crlf"
	LF   = "lf"
)

// Alignments within a fixed width.
const (
	AlignLeft  = "left"
	AlignRight = "right"
)

// Amount units and formats. "0.00" has a decimal point and two decimals;
// "0" has none (whole yuan, or fen as banks with implied decimals want).
const (
	Yuan        = "yuan"
	Fen         = "fen"
	AmountPoint = "0.00"
	AmountPlain = "0"
)

// Date formats of a batch date in a file.
const (
	DateDash  = "yyyy-mm-dd"
	DatePlain = "yyyymmdd"
	DateSlash = "yyyy/mm/dd"
)

// Layout describes one bank's batch payment file. It is data: stored as
// JSON, edited by an administrator, checked by Validate.
type Layout struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Format      string `json:"format"`             // csv | xlsx | fixed
	Encoding    string `json:"encoding,omitempty"` // csv and fixed: utf-8 | gbk | gb18030
	LineEnd     string `json:"line_end,omitempty"` // csv and fixed: crlf | lf
	// BOM starts a UTF-8 CSV with a byte-order mark, without which Excel on
	// Chinese Windows reads the file as GBK.
	BOM bool `json:"bom,omitempty"`
	// Delimiter separates CSV cells; "" is a comma.
	Delimiter string `json:"delimiter,omitempty"`
	// Labels writes a row of column labels before the details (csv, and
	// always for xlsx).
	Labels    bool    `json:"labels,omitempty"`
	SheetName string  `json:"sheet_name,omitempty"` // xlsx
	Header    *Record `json:"header,omitempty"`     // batch header record, first in the file
	Detail    Record  `json:"detail"`               // one per payment
	Trailer   *Record `json:"trailer,omitempty"`    // last in the file
}

// Record is the layout of one kind of line.
type Record struct {
	// Separator goes between the fields of a fixed-format line ("|" makes
	// "H|B001|3|2880.00|20250101"); "" puts them side by side. With a
	// separator a field's width is optional. Values are checked for the
	// separator as text: in GBK a character's second byte may equal an
	// ASCII separator ('|' is the second byte of 弢), which only a bank
	// splitting bytes rather than characters would trip over.
	Separator string  `json:"separator,omitempty"`
	Fields    []Field `json:"fields"`
}

// Field is one value of a record.
type Field struct {
	// Name says what goes in: see FieldNames.
	Name string `json:"name"`
	// Label is the column label in csv and xlsx files (default: the
	// field's Chinese name).
	Label string `json:"label,omitempty"`
	// Value is the text of a "literal" field.
	Value string `json:"value,omitempty"`
	// Width in bytes of the file's encoding; required in fixed format
	// without separator, not allowed in xlsx. The value is padded to it.
	Width int    `json:"width,omitempty"`
	Align string `json:"align,omitempty"` // left | right; default right for numbers, left for text
	Pad   string `json:"pad,omitempty"`   // one ASCII character; default space
	// AmountUnit and AmountFormat apply to amount and total: yuan "0.00"
	// (the default), yuan "0" (whole yuan only) or fen "0".
	AmountUnit   string `json:"amount_unit,omitempty"`
	AmountFormat string `json:"amount_format,omitempty"`
	DateFormat   string `json:"date_format,omitempty"` // date: yyyy-mm-dd (default) | yyyymmdd | yyyy/mm/dd
	// Truncate lets a name, purpose or remark that is too wide be shortened
	// (never through a character) instead of refusing the batch.
	Truncate bool `json:"truncate,omitempty"`
}

// fieldKind groups field names by how their value is formatted.
type fieldKind int

const (
	kindText    fieldKind = iota // free text
	kindCode                     // account numbers, ID numbers, codes: never shortened
	kindNumber                   // seq, count
	kindMoney                    // amount, total
	kindDate                     // date
	kindLiteral                  // literal
	kindFiller                   // filler
)

type fieldInfo struct {
	label    string
	kind     fieldKind
	detail   bool // allowed in a detail record
	batch    bool // allowed in a header or trailer record
	truncate bool // may be shortened
}

// fields lists every field name a layout may use.
var fields = map[string]fieldInfo{
	"seq":           {"序号", kindNumber, true, false, false},
	"account_no":    {"账号", kindCode, true, false, false},
	"account_name":  {"户名", kindText, true, false, true},
	"id_number":     {"身份证号", kindCode, true, false, false},
	"amount":        {"金额", kindMoney, true, false, false},
	"purpose":       {"用途", kindText, true, false, true},
	"remark":        {"备注", kindText, true, false, true},
	"bank_code":     {"开户行行号", kindCode, true, false, false},
	"batch_no":      {"批次号", kindCode, true, true, false},
	"date":          {"日期", kindDate, true, true, false},
	"payer_name":    {"付款户名", kindText, true, true, true},
	"payer_account": {"付款账号", kindCode, true, true, false},
	"count":         {"总笔数", kindNumber, false, true, false},
	"total":         {"总金额", kindMoney, false, true, false},
	"literal":       {"固定值", kindLiteral, true, true, false},
	"filler":        {"填充", kindFiller, true, true, false},
}

// detailNames and batchNames are the field names in the order they are
// listed in messages.
var (
	detailNames = []string{"seq", "account_no", "account_name", "id_number", "amount", "purpose", "remark",
		"bank_code", "batch_no", "date", "payer_name", "payer_account", "literal", "filler"}
	batchNames = []string{"batch_no", "date", "payer_name", "payer_account", "count", "total", "literal", "filler"}
)

// FieldNames returns the field names a detail record and a header or
// trailer record may use, for a layout editor.
func FieldNames() (detail, batch []string) {
	return append([]string(nil), detailNames...), append([]string(nil), batchNames...)
}

// FieldLabel returns the Chinese name of a field name ("" if unknown).
func FieldLabel(name string) string { return fields[name].label }

// ParseLayout reads a layout from JSON, refusing unknown keys (a misspelt
// key would otherwise be silently ignored), and validates it.
func ParseLayout(data []byte) (Layout, error) {
	var l Layout
	if err := decodeStrict(data, &l); err != nil {
		return Layout{}, err
	}
	return l, l.Validate()
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &apperr.Error{Code: apperr.Invalid, Field: "layout", Message: jsonMessage(err), Err: err}
	}
	if dec.More() {
		return apperr.InvalidField("layout", "格式配置 JSON 之后还有多余的内容")
	}
	return nil
}

// jsonMessage explains a JSON decoding error in Chinese.
func jsonMessage(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("格式配置不是有效的 JSON（第 %d 个字节附近）", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("格式配置不是有效的 JSON：「%s」的值类型不对", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "): // encoding/json has no error type for it
		return "格式配置不是有效的 JSON：有未知的键 " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "格式配置不是有效的 JSON"
}

// problemList gathers the problems of a layout so an administrator sees
// all of them at once; the error names the first field.
type problemList struct {
	field string
	msgs  []string
}

func (p *problemList) add(field, msg string) {
	if p.field == "" {
		p.field = field
	}
	p.msgs = append(p.msgs, msg)
}

func (p *problemList) err() error {
	if len(p.msgs) == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Field: p.field, Message: strings.Join(p.msgs, "；")}
}

// Validate checks the layout, reporting every problem in one Chinese
// message on the field of the first.
func (l *Layout) Validate() error {
	p := &problemList{}
	if strings.TrimSpace(l.Name) == "" {
		p.add("name", "格式名称为空")
	}
	text := l.Format == FormatCSV || l.Format == FormatFixed
	switch l.Format {
	case FormatCSV, FormatFixed, FormatXLSX:
	case "":
		p.add("format", "请选择文件格式（csv、xlsx 或 fixed）")
	default:
		p.add("format", fmt.Sprintf("文件格式「%s」无效，应为 csv、xlsx 或 fixed", l.Format))
	}
	l.checkText(p, text)
	if l.Format == FormatXLSX && !l.Labels {
		p.add("labels", "xlsx 文件须有列标题行（labels 应为 true）")
	}
	if l.Format == FormatFixed && l.Labels {
		p.add("labels", "定长文件没有列标题行（labels 只用于 csv 和 xlsx）")
	}
	if l.Format != FormatXLSX && l.SheetName != "" {
		p.add("sheet_name", "工作表名称只用于 xlsx 文件")
	}
	if l.Header != nil {
		l.checkRecord(p, "header", "文件头", l.Header, true)
	}
	l.checkRecord(p, "detail", "明细", &l.Detail, false)
	if l.Trailer != nil {
		l.checkRecord(p, "trailer", "文件尾", l.Trailer, true)
	}
	return p.err()
}

// checkText checks the settings of text files (csv and fixed).
func (l *Layout) checkText(p *problemList, text bool) {
	switch {
	case !text && l.Encoding != "" && l.Encoding != UTF8:
		p.add("encoding", "xlsx 文件不设置字符编码")
	case text && l.Encoding == "":
		p.add("encoding", "请选择字符编码（utf-8、gbk 或 gb18030）")
	case text && l.Encoding != UTF8 && l.Encoding != GBK && l.Encoding != GB18030:
		p.add("encoding", fmt.Sprintf("字符编码「%s」无效，应为 utf-8、gbk 或 gb18030", l.Encoding))
	}
	switch {
	case !text && l.LineEnd != "":
		p.add("line_end", "xlsx 文件不设置换行符")
	case text && l.LineEnd != CRLF && l.LineEnd != LF:
		p.add("line_end", "换行符应为 crlf（Windows）或 lf")
	}
	if l.BOM && (l.Format != FormatCSV || l.Encoding != UTF8) {
		p.add("bom", "字节顺序标记（BOM）只用于 UTF-8 编码的 csv 文件")
	}
	if l.Delimiter != "" {
		if l.Format != FormatCSV {
			p.add("delimiter", "分隔符 delimiter 只用于 csv 文件（定长文件请在记录中设置 separator）")
		} else if !validDelimiter(l.Delimiter) {
			p.add("delimiter", "csv 分隔符应为一个英文标点或制表符，且不能是双引号")
		}
	}
}

func validDelimiter(s string) bool {
	if len(s) != 1 {
		return false
	}
	c := s[0]
	return c == '\t' || (c > ' ' && c < 0x7f && c != '"' && !isAlnum(c))
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// delimiter is the CSV delimiter in effect.
func (l *Layout) delimiter() string {
	if l.Delimiter == "" {
		return ","
	}
	return l.Delimiter
}

func (l *Layout) checkRecord(p *problemList, key, title string, r *Record, batch bool) {
	if r.Separator != "" {
		if l.Format != FormatFixed {
			p.add(key+".separator", title+"：分隔符 separator 只用于定长文件（csv 请设置 delimiter）")
		} else if !validSeparator(r.Separator) {
			p.add(key+".separator", title+"：分隔符应为 1 到 3 个英文标点或制表符")
		}
	}
	if len(r.Fields) == 0 {
		p.add(key+".fields", title+"：至少需要一个字段")
	}
	for i := range r.Fields {
		l.checkField(p, fmt.Sprintf("%s.fields[%d]", key, i), fmt.Sprintf("%s第 %d 个字段", title, i+1), r, &r.Fields[i], batch)
	}
}

func validSeparator(s string) bool {
	if len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\t' && (c <= ' ' || c >= 0x7f || isAlnum(c)) {
			return false
		}
	}
	return true
}

func (l *Layout) checkField(p *problemList, key, title string, r *Record, f *Field, batch bool) {
	info, ok := fields[f.Name]
	if !ok || (batch && !info.batch) || (!batch && !info.detail) {
		names := detailNames
		if batch {
			names = batchNames
		}
		if f.Name == "" {
			p.add(key+".name", title+"：字段名为空（可用："+strings.Join(names, "、")+"）")
		} else {
			p.add(key+".name", fmt.Sprintf("%s：未知的字段名「%s」（可用：%s）", title, f.Name, strings.Join(names, "、")))
		}
		return
	}
	title += "（" + info.label + "）"
	l.checkWidth(p, key, title, r, f, info)
	if f.Align != "" && f.Align != AlignLeft && f.Align != AlignRight {
		p.add(key+".align", title+"：对齐方式应为 left 或 right")
	}
	if f.Pad != "" {
		switch {
		case len(f.Pad) != 1 || f.Pad[0] < ' ' || f.Pad[0] >= 0x7f:
			p.add(key+".pad", title+"：填充字符应为一个英文字符（如空格或 0）")
		case f.Width == 0:
			p.add(key+".pad", title+"：填充字符须与宽度一起设置")
		case f.Pad == r.Separator || (l.Format == FormatCSV && (f.Pad == l.delimiter() || f.Pad == `"`)):
			p.add(key+".pad", title+"：填充字符不能是分隔符或引号")
		}
	}
	l.checkFormats(p, key, title, f, info)
	if f.Truncate && !info.truncate {
		p.add(key+".truncate", title+"：只有户名、用途、备注和付款户名可以截断，账号、金额等不允许截断")
	} else if f.Truncate && f.Width == 0 {
		p.add(key+".truncate", title+"：截断须与宽度一起设置")
	}
	switch {
	case info.kind == kindLiteral && f.Value == "":
		p.add(key+".value", title+"：固定值字段须设置 value")
	case info.kind != kindLiteral && f.Value != "":
		p.add(key+".value", title+"：只有固定值（literal）字段可以设置 value")
	case f.Value != "" && !cleanText(f.Value):
		p.add(key+".value", title+"：固定值含有控制字符")
	}
	if !cleanText(f.Label) {
		p.add(key+".label", title+"：列标题含有控制字符")
	}
}

func (l *Layout) checkWidth(p *problemList, key, title string, r *Record, f *Field, info fieldInfo) {
	switch {
	case f.Width < 0:
		p.add(key+".width", title+"：宽度不能为负数")
	case l.Format == FormatXLSX && f.Width != 0:
		p.add(key+".width", title+"：xlsx 文件不设置宽度")
	case l.Format == FormatFixed && r.Separator == "" && f.Width == 0:
		p.add(key+".width", title+"：定长格式须设置宽度（按文件编码的字节数），且应为正整数")
	case f.Width > 1000:
		p.add(key+".width", title+"：宽度不能超过 1000 字节")
	case info.kind == kindLiteral && f.Width > 0 && f.Value != "" && f.Width < byteLen(f.Value, l.Encoding):
		p.add(key+".width", title+"：固定值比宽度长")
	}
}

func (l *Layout) checkFormats(p *problemList, key, title string, f *Field, info fieldInfo) {
	if info.kind != kindMoney {
		if f.AmountUnit != "" || f.AmountFormat != "" {
			p.add(key+".amount_unit", title+"：金额单位和金额格式只用于金额和总金额")
		}
	} else {
		switch {
		case f.AmountUnit != "" && f.AmountUnit != Yuan && f.AmountUnit != Fen:
			p.add(key+".amount_unit", title+"：金额单位应为 yuan（元）或 fen（分）")
		case f.AmountFormat != "" && f.AmountFormat != AmountPoint && f.AmountFormat != AmountPlain:
			p.add(key+".amount_format", title+"：金额格式应为 0.00（带小数点两位小数）或 0（不带小数点）")
		case f.AmountUnit == Fen && f.AmountFormat == AmountPoint:
			p.add(key+".amount_format", title+"：以分为单位的金额没有小数，格式应为 0")
		}
	}
	if info.kind != kindDate && f.DateFormat != "" {
		p.add(key+".date_format", title+"：日期格式只用于日期字段")
	}
	if f.DateFormat != "" && f.DateFormat != DateDash && f.DateFormat != DatePlain && f.DateFormat != DateSlash {
		p.add(key+".date_format", title+"：日期格式应为 yyyy-mm-dd、yyyymmdd 或 yyyy/mm/dd")
	}
}

// cleanText reports whether s is UTF-8 without control characters, which
// would break a line of a bank file.
func cleanText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += n
	}
	return true
}

// uses reports whether any record of the layout has a field called name.
func (l *Layout) uses(name string) bool {
	for _, r := range []*Record{l.Header, &l.Detail, l.Trailer} {
		if r == nil {
			continue
		}
		for _, f := range r.Fields {
			if f.Name == name {
				return true
			}
		}
	}
	return false
}
