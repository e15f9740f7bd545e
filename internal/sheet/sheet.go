// Package sheet reads and writes the spreadsheets officers exchange with
// jisheng: .xlsx workbooks and .csv files, as saved by Excel or WPS on
// Chinese Windows (UTF-8 with or without BOM, or GBK/GB18030).
//
// Both directions stream: the reader walks a workbook with excelize's row
// iterator and a CSV with encoding/csv reusing one record, and the writer
// uses excelize's StreamWriter, so a file of a million rows never sits in
// memory. Every cell is text, both ways: ID numbers, phone numbers and codes
// must keep their leading zeros and their eighteen digits, which a number
// cell would turn into 3.41523E+17. Values a spreadsheet would run as a
// formula are neutralised on the way out (CSV injection).
package sheet

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"jisheng/internal/apperr"
)

// Format is a spreadsheet file format.
type Format string

// The formats jisheng reads and writes.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ParseFormat reads a format parameter: "" means .xlsx, the format officers
// open by double-clicking; anything else but xlsx or csv is refused on the
// field "format".
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(strings.TrimSpace(s))) {
	case "", XLSX:
		return XLSX, nil
	case CSV:
		return CSV, nil
	}
	return "", apperr.InvalidField("format", "导出格式应为 xlsx 或 csv")
}

// ContentType is the media type of a file in format f.
func ContentType(f Format) string {
	if f == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// FileName returns base with the extension of format f.
func FileName(base string, f Format) string { return base + "." + string(f) }

// Disposition returns a Content-Disposition value that downloads a file
// named name. Browsers read the UTF-8 name from filename*; the plain
// filename is an ASCII fallback (without the non-ASCII letters) for clients
// that know only that form. Quotes, backslashes and control characters are
// dropped so the header cannot be broken out of.
func Disposition(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' {
			return -1
		}
		return r
	}, name)
	if name == "" {
		name = "download"
	}
	ascii := strings.Map(func(r rune) rune {
		if r >= utf8.RuneSelf || r == ';' || r == '%' {
			return -1
		}
		return r
	}, name)
	if ascii = strings.Trim(ascii, "_ -"); ascii == "" || ascii[0] == '.' {
		ascii = "download" + ascii
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, pathEscape(name))
}

// pathEscape percent-encodes the UTF-8 bytes of s outside RFC 5987's
// attr-char set.
func pathEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

// Neutralise returns s unchanged unless a spreadsheet would take it for a
// formula: then it is prefixed with a single quote, as OWASP advises
// against CSV injection. The triggers are '=', '+', '-', '@', tab and
// carriage return at the start. '-' also starts a negative number; the cell
// is text anyway, so it is neutralised too rather than guessed at.
func Neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
