// Package idno parses, validates, upgrades and masks resident ID numbers
// (公民身份号码) as defined by GB 11643-1999.
//
// A number has 18 characters: a 6-digit address code (the county that issued
// it; abolished county codes stay valid for life, so only the province part is
// checked), an 8-digit birth date, a 3-digit sequence whose last digit gives
// the sex (odd male, even female) and a check character. Numbers issued before
// 1999 have 15 digits (2-digit year, no check character) and are upgraded to
// 18 on parsing. Residence permits of Hong Kong, Macau and Taiwan residents
// follow the same rules with address codes 810000, 820000 and 830000.
//
// Every validation failure is an *apperr.Error on the field "id_number" whose
// Chinese message names the exact reason, so an officer knows what to fix.
package idno

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jisheng/internal/apperr"
)

// Field is the name of the field every validation error refers to.
const Field = "id_number"

// dateLayout is the civil date form used across the application.
const dateLayout = "2006-01-02"

// minBirthYear rejects birth years no living holder can have. The standard's
// own example number belongs to someone born in 1880, so the bound is far
// below any real holder and only catches garbage such as year 0000.
const minBirthYear = 1800

// Sex is the sex encoded in the sequence part of a number.
type Sex string

const (
	Male   Sex = "male"
	Female Sex = "female"
)

// Chinese returns the word shown to users.
func (s Sex) Chinese() string {
	switch s {
	case Male:
		return "男"
	case Female:
		return "女"
	}
	return "未知"
}

// ID is a parsed, valid resident ID number.
type ID struct {
	Number      string    // normalised 18 characters, check character X upper case
	AddressCode string    // first 6 digits: the issuing county
	BirthDate   time.Time // midnight UTC of the civil birth date
	Sex         Sex
	Upgraded    bool // the input was a 15-digit pre-1999 number
}

// BirthDateString returns the birth date as "YYYY-MM-DD".
func (id ID) BirthDateString() string { return id.BirthDate.Format(dateLayout) }

// Parse validates s against today's date in the local time zone.
// See ParseAt.
func Parse(s string) (ID, error) { return ParseAt(s, time.Now()) }

// ParseAt validates s and returns the normalised number. now decides what
// "in the future" means, so tests are deterministic; its own location gives
// today's civil date.
//
// Surrounding white space is trimmed and a lower-case x is accepted; nothing
// else is repaired. Checks run from the coarsest to the finest (length,
// characters, province, birth date, check character) so the message names
// the first thing to fix: a mistyped birth date is reported as such and not
// merely as a wrong check character.
func ParseAt(s string, now time.Time) (ID, error) {
	s = strings.TrimSpace(s)
	if err := checkLengthAndChars(s); err != nil {
		return ID{}, err
	}
	upgraded := len(s) == 15
	number := strings.ToUpper(s)
	if upgraded {
		number = upgrade15(s)
	}
	if err := checkAddress(number[:6]); err != nil {
		return ID{}, err
	}
	birth, err := checkBirthDate(number[6:14], now)
	if err != nil {
		return ID{}, err
	}
	if want := CheckChar(number[:17]); number[17] != want {
		return ID{}, invalid(fmt.Sprintf("校验码错误，按前17位计算应为 %c", want))
	}
	return ID{
		Number:      number,
		AddressCode: number[:6],
		BirthDate:   birth,
		Sex:         sexOf(number[16]),
		Upgraded:    upgraded,
	}, nil
}

func invalid(msg string) *apperr.Error { return apperr.InvalidField(Field, msg) }

// checkLengthAndChars counts characters rather than bytes so that a number
// typed with full-width digits is reported as "not digits", which tells the
// officer what is actually wrong, instead of "wrong length".
func checkLengthAndChars(s string) error {
	n := utf8.RuneCountInString(s)
	if n != 18 && n != 15 {
		return invalid(fmt.Sprintf("公民身份号码应为18位（或旧式15位），输入的是%d位", n))
	}
	for i, r := range []rune(s) {
		if isDigit(r) || (n == 18 && i == 17 && (r == 'X' || r == 'x')) {
			continue
		}
		if n == 15 {
			return invalid(fmt.Sprintf("旧式15位公民身份号码只能由数字组成，第%d位“%c”不是数字", i+1, r))
		}
		return invalid(fmt.Sprintf("公民身份号码前17位只能是数字、最后一位是数字或X，第%d位“%c”不符合", i+1, r))
	}
	return nil
}

func isDigit[T rune | byte](c T) bool { return c >= '0' && c <= '9' }

// upgrade15 turns a pre-1999 number into its 18-digit form: those numbers
// were issued only to people born in the 1900s, so the century is "19".
func upgrade15(s string) string {
	first17 := s[:6] + "19" + s[6:]
	return first17 + string(CheckChar(first17))
}

// provinces holds the first two digits of every province-level division
// code, plus 81/82/83 used by Hong Kong, Macau and Taiwan residence permits.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// checkAddress only checks the province: county codes are retired and
// renumbered over time while numbers already issued keep the old code, so a
// full county list would wrongly reject real people.
func checkAddress(code string) error {
	if !provinces[code[:2]] {
		return invalid(fmt.Sprintf("地址码 %s 不正确：前两位 %s 不是有效的省级行政区划代码", code, code[:2]))
	}
	return nil
}

// checkBirthDate parses YYYYMMDD and rejects impossible and future dates.
func checkBirthDate(yyyymmdd string, now time.Time) (time.Time, error) {
	shown := yyyymmdd[:4] + "-" + yyyymmdd[4:6] + "-" + yyyymmdd[6:]
	birth, err := time.Parse("20060102", yyyymmdd)
	if err != nil || birth.Year() < minBirthYear {
		return time.Time{}, invalid(fmt.Sprintf("出生日期 %s 不是有效的日期", shown))
	}
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if birth.After(today) {
		return time.Time{}, invalid(fmt.Sprintf("出生日期 %s 晚于今天（%s）", shown, today.Format(dateLayout)))
	}
	return birth, nil
}

func sexOf(seqDigit byte) Sex {
	if (seqDigit-'0')%2 == 1 {
		return Male
	}
	return Female
}

// weights are the GB 11643-1999 weights of positions 1–17 (2^(18-i) mod 11).
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps S mod 11 to the check character.
const checkChars = "10X98765432"

// CheckChar returns the check character for the first 17 digits of a number.
// It returns 0 when first17 is not exactly 17 ASCII digits.
func CheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if !isDigit(c) {
			return 0
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11]
}

// Mismatch compares a person's recorded sex ("male"/"female", or 男/女) and
// birth date ("YYYY-MM-DD") with what the ID number encodes, and returns a
// Chinese warning per disagreement. Registries contain legacy errors, so a
// disagreement is a data-quality finding for the caller to show, not a
// reason to refuse the record. Empty or unrecognised values are not compared.
func Mismatch(id ID, sex string, birthDate string) []string {
	var warnings []string
	if recorded := normaliseSex(sex); recorded != "" && recorded != id.Sex {
		warnings = append(warnings, fmt.Sprintf("身份证号显示性别为%s，登记性别为%s", id.Sex.Chinese(), recorded.Chinese()))
	}
	if recorded := strings.TrimSpace(birthDate); recorded != "" && recorded != id.BirthDateString() {
		warnings = append(warnings, fmt.Sprintf("身份证号显示出生日期为 %s，登记出生日期为 %s", id.BirthDateString(), recorded))
	}
	return warnings
}

func normaliseSex(s string) Sex {
	switch strings.TrimSpace(s) {
	case "male", "男":
		return Male
	case "female", "女":
		return Female
	}
	return ""
}

// Mask hides the birth date and most of the sequence of a number for lists
// and exports: "341523********123X". The address code stays visible because
// officers recognise their own counties by it. Values shorter than a 15-digit
// number (typos, other documents) are masked completely, since keeping 10
// characters of them would reveal almost everything. Length is preserved.
func Mask(number string) string {
	r := []rune(number)
	if len(r) < 15 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// Looks reports whether a search query has the shape of an ID number: 15
// digits, or 17 digits followed by a digit or X. It does not validate; a
// search box uses it to decide between a blind-index lookup and a name search.
func Looks(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) || (len(s) == 18 && i == 17 && (c == 'X' || c == 'x')) {
			continue
		}
		return false
	}
	return true
}

// Generate builds a valid 18-digit number from a 6-digit address code, a
// birth date ("YYYY-MM-DD" or "YYYYMMDD") and a sequence 0–999 (odd gives a
// man, even a woman). It is meant for demo data and tests, and panics on
// malformed arguments because those are programming errors.
func Generate(address string, birth string, seq int) string {
	birth = strings.ReplaceAll(birth, "-", "")
	if len(address) != 6 || !allDigits(address) {
		panic(fmt.Sprintf("idno.Generate: address %q is not 6 digits", address))
	}
	if _, err := time.Parse("20060102", birth); err != nil {
		panic(fmt.Sprintf("idno.Generate: birth %q is not a date", birth))
	}
	if seq < 0 || seq > 999 {
		panic(fmt.Sprintf("idno.Generate: seq %d is outside 0–999", seq))
	}
	first17 := fmt.Sprintf("%s%s%03d", address, birth, seq)
	return first17 + string(CheckChar(first17))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
