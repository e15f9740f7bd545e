package bankfile

import (
	"strconv"
	"strings"
)

// appendAmount renders fen in unit and format by integer arithmetic; ok is
// false when the format cannot show the amount exactly (fen in whole yuan).
// fen is never negative here: Write refuses negative amounts first.
func appendAmount(dst []byte, fen int64, unit, format string) (out []byte, ok bool) {
	switch {
	case unit == Fen:
		return strconv.AppendInt(dst, fen, 10), true
	case format == AmountPlain:
		if fen%100 != 0 {
			return dst, false
		}
		return strconv.AppendInt(dst, fen/100, 10), true
	}
	dst = strconv.AppendInt(dst, fen/100, 10)
	c := fen % 100
	return append(dst, '.', byte('0'+c/10), byte('0'+c%10)), true
}

// yuanText renders fen as yuan with two decimals, for messages.
func yuanText(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	b, _ := appendAmount([]byte(sign), fen, Yuan, AmountPoint)
	return string(b)
}

// maxYuanDigits bounds the integer digits of an amount read from a file so
// that fen fits an int64 with room for a sum (10^15 yuan is far beyond any
// benefit payment).
const maxYuanDigits = 15

// parseAmount reads an amount a bank wrote, in yuan ("960.00", "960",
// "1,234.5") or fen ("96000", "000000096000"); the result is fen. A
// non-empty second result says what is wrong with it.
func parseAmount(s, unit string) (int64, string) {
	s = strings.ReplaceAll(s, ",", "")
	if strings.HasPrefix(s, "-") {
		return 0, "金额不能为负数"
	}
	whole, frac, dot := strings.Cut(s, ".")
	switch {
	case unit == Fen && dot:
		return 0, "以分为单位的金额不应有小数点"
	case whole == "" || !allDigits(whole) || !allDigits(frac) || (dot && frac == ""):
		return 0, "金额格式不正确"
	case len(frac) > 2:
		return 0, "金额最多两位小数"
	}
	whole = strings.TrimLeft(whole, "0")
	digits := maxYuanDigits
	if unit == Fen {
		digits += 2
	}
	if len(whole) > digits {
		return 0, "金额过大"
	}
	v, _ := strconv.ParseInt("0"+whole, 10, 64)
	if unit == Fen {
		return v, ""
	}
	frac += "00"[len(frac):]
	f, _ := strconv.ParseInt(frac, 10, 64)
	return v*100 + f, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendDate renders a YYYY-MM-DD date in a layout's date format.
func appendDate(dst []byte, iso, format string) []byte {
	switch format {
	case DatePlain:
		return append(append(append(dst, iso[:4]...), iso[5:7]...), iso[8:10]...)
	case DateSlash:
		return append(append(append(append(append(dst, iso[:4]...), '/'), iso[5:7]...), '/'), iso[8:10]...)
	}
	return append(dst, iso...)
}
