package fieldcrypt

import (
	"strings"

	"jisheng/internal/apperr"
)

// PhoneField is the field name of phone validation errors.
const PhoneField = "phone"

// NormalisePhone returns the canonical form of a Chinese phone number, the
// form that is encrypted and blind-indexed so that "139 1234 5678" and
// "+86 139-1234-5678" find the same person:
//
//   - a mobile number: 11 digits starting with 13–19, e.g. "13912345678";
//   - a landline: area code, a dash, a 7–8 digit local number, e.g.
//     "0564-1234567".
//
// Spaces and dashes are ignored, as is a leading +86, 0086 or 86 (after
// which an area code may lack its leading 0, as in "+86 551 …"). Where the
// area code ends is taken from the national numbering plan (010 and 02x
// have three digits, every other area code four), so the dash may be
// missing or misplaced. A blank input gives "" (no phone) without error.
func NormalisePhone(s string) (string, error) {
	digits := stripSeparators(s)
	if digits == "" {
		return "", nil
	}
	digits = stripCountryCode(digits)
	if !allASCIIDigits(digits) {
		return "", apperr.InvalidField(PhoneField, "电话号码只能包含数字、空格和“-”（可带 +86）")
	}
	if digits[0] == '1' {
		return normaliseMobile(digits)
	}
	if digits[0] == '0' {
		return normaliseLandline(digits)
	}
	return "", apperr.InvalidField(PhoneField, "固定电话请加区号，如 0564-1234567；手机号应为以1开头的11位数字")
}

func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\u3000':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// stripCountryCode removes +86, 0086 or 86. A bare "86" is removed only when
// what follows is a mobile number or starts with an area code, because a
// local landline number without its area code may itself begin with 86.
func stripCountryCode(d string) string {
	for _, prefix := range []string{"+86", "0086"} {
		if rest, ok := strings.CutPrefix(d, prefix); ok {
			return restoreTrunkZero(rest)
		}
	}
	if rest, ok := strings.CutPrefix(d, "86"); ok && (strings.HasPrefix(rest, "0") || (strings.HasPrefix(rest, "1") && len(rest) == 11)) {
		return rest
	}
	return d
}

// restoreTrunkZero puts back the 0 that international format drops from an
// area code: "+86 551 6234 5678" is the landline 0551-62345678, and
// "+86 10 …" is Beijing (no mobile number starts with 10).
func restoreTrunkZero(national string) string {
	if strings.HasPrefix(national, "10") || (national != "" && national[0] >= '2' && national[0] <= '9') {
		return "0" + national
	}
	return national
}

func normaliseMobile(d string) (string, error) {
	if len(d) != 11 {
		return "", apperr.InvalidField(PhoneField, "手机号应为11位数字")
	}
	if d[1] < '3' || d[1] > '9' {
		return "", apperr.InvalidField(PhoneField, "手机号应以13–19开头")
	}
	return d, nil
}

func normaliseLandline(d string) (string, error) {
	areaLen := 4
	if strings.HasPrefix(d, "010") || strings.HasPrefix(d, "02") {
		areaLen = 3
	}
	if len(d) <= areaLen {
		return "", apperr.InvalidField(PhoneField, "固定电话应为区号加7–8位号码，如 0564-1234567")
	}
	area, local := d[:areaLen], d[areaLen:]
	if area[1] == '0' && area != "010" {
		return "", apperr.InvalidField(PhoneField, "区号 "+area+" 不正确")
	}
	if len(local) < 7 || len(local) > 8 {
		return "", apperr.InvalidField(PhoneField, "固定电话号码（区号后）应为7–8位数字，如 0564-1234567")
	}
	// A local number starting with 0 is almost always an area code typed
	// twice or a stray trunk prefix.
	if local[0] == '0' {
		return "", apperr.InvalidField(PhoneField, "固定电话号码（区号后）不能以0开头")
	}
	return area + "-" + local, nil
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// MaskPhone hides the middle of a phone number for lists and exports:
// "13912345678" → "139****5678". Other values of 8 characters or more keep
// their first 3 and last 4 characters; shorter ones are masked completely,
// since keeping 7 characters of them would reveal nearly everything.
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}
