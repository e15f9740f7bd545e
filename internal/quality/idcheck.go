package quality

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
)

// What is wrong with an ID number, as IDFacts reports it.
const (
	IDOK     = ""       // a valid number
	IDFormat = "format" // length, characters or the province part of the address code
	IDDate   = "date"   // the birth date part is no real date, or lies in the future
	IDCheck  = "check"  // only the check character is wrong
)

// fieldID is the encryption context and blind-index domain of ID numbers,
// the same as the registry's.
const fieldID = "id_number"

// IDFacts checks an ID number as GB 11643-1999 defines it (through
// internal/idno, which decides validity everywhere in jisheng) and returns
// what is wrong (IDOK when nothing), and the birth date ("YYYY-MM-DD") and
// sex ("male"/"female") the number encodes when they can be read: for a
// valid number and for one whose only fault is the check character. today
// decides what a future birth date is.
//
// The kinds of fault are told apart by repairing the number: if it parses
// once its check character is recomputed, only the check character was
// wrong; if it parses once its birth date is replaced by a known-good one,
// the date was wrong; otherwise the format or the address code is.
func IDFacts(number string, today time.Time) (check, birth, sex string) {
	if id, err := idno.ParseAt(number, today); err == nil {
		return IDOK, id.BirthDateString(), string(id.Sex)
	}
	s := strings.ToUpper(strings.TrimSpace(number))
	if !idno.Looks(s) {
		return IDFormat, "", ""
	}
	if len(s) == 15 { // pre-1999: the century is 19, there is no check character
		s = s[:6] + "19" + s[6:] + "0"
	}
	if id, err := idno.ParseAt(withCheck(s[:17]), today); err == nil {
		return IDCheck, id.BirthDateString(), string(id.Sex)
	}
	if _, err := idno.ParseAt(withCheck(s[:6]+"19800101"+s[14:17]), today); err == nil {
		return IDDate, "", ""
	}
	return IDFormat, "", ""
}

func withCheck(first17 string) string { return first17 + string(idno.CheckChar(first17)) }

// idFaultText is the detail of an id_invalid finding. It names the fault
// without quoting the number: lists show ID numbers masked, and a detail
// such as "出生日期 1990-13-45 无效" would reveal the masked digits.
var idFaultText = map[string]string{
	IDFormat: "号码格式错误（位数、字符或地址码不符合 GB 11643）",
	IDDate:   "号码中的出生日期无效（不存在的日期或晚于今天）",
	IDCheck:  "校验码错误",
}

// mismatchText is the detail of an id_mismatch finding, or "" when the
// number agrees with the recorded sex and birth date. The number's sex is
// named (the masked number shows the digit that encodes it); its birth date
// is not. Empty recorded values are not compared: missing_fields reports them.
func mismatchText(idBirth, idSex, birth, sex string) string {
	var parts []string
	if sex != "" && idSex != sex {
		parts = append(parts, "身份证号中的性别（"+sexLabel(idSex)+"）与登记的性别（"+sexLabel(sex)+"）不一致")
	}
	if birth != "" && idBirth != birth {
		parts = append(parts, "身份证号中的出生日期与登记的出生日期不一致")
	}
	return strings.Join(parts, "；")
}

func sexLabel(s string) string {
	switch s {
	case "male":
		return "男"
	case "female":
		return "女"
	}
	return "未填"
}

// rowProducer makes one pass over the persons in scope for the rules that
// look at one row: it decrypts and checks each ID number, and reads the
// verdicts of the other row rules, which SQL computes in the same pass. On
// a SQLite subtree it also gathers the probable-duplicate candidates.
// Decrypting a million numbers takes well under a second, so nothing
// derived from them is stored beside the ciphertext (see the package
// comment).
func rowProducer(cipher fieldcrypt.FieldCipher, today func() time.Time) func(context.Context, db.Conn, scope, Params, *output) error {
	return func(ctx context.Context, c db.Conn, sc scope, _ Params, out *output) error {
		cond, args := sc.personCond(c, "p")
		// Path, birth date and name come as one text column: every column
		// a million rows carry costs an allocation per row in the driver.
		rows, err := c.Query(ctx, `SELECT p.id, p.reg_path || '|' || COALESCE(p.birth_date, '') || '|' || p.name, p.id_enc, `+
			rowFlagsSQL("p")+` FROM persons p WHERE `+cond, args...)
		if err != nil {
			return apperr.Wrap(err, "person rows")
		}
		defer rows.Close()
		check := newIDChecker(today())
		var id, flags int64
		var text, enc sql.RawBytes
		verdicts := map[int64][]verdict{} // by flags: a county has few combinations
		for rows.Next() {
			if err := rows.Scan(&id, &text, &enc, &flags); err != nil {
				return apperr.Wrap(err, "scan person row")
			}
			path, birth, name := splitRow(text)
			if out.dups != nil {
				out.dups.see(id, path, birth, name)
			}
			if len(enc) > 0 {
				number, err := cipher.Decrypt(fieldID, enc)
				if err != nil {
					return apperr.Wrap(err, "decrypt id number")
				}
				sex := sexFemale
				if flags&flagMale != 0 {
					sex = sexMale
				}
				if rule, detail := check.verdict(number, birth, sex); rule != "" {
					out.offer(EntityPerson, id, rule, path, detail, nil)
				}
			}
			flags &^= flagMale
			if flags == 0 {
				continue
			}
			vs, ok := verdicts[flags]
			if !ok {
				vs = rowVerdicts(flags, nil)
				verdicts[flags] = vs
			}
			for _, v := range vs {
				out.offer(EntityPerson, id, v.rule, path, v.detail, nil)
			}
		}
		return apperr.Wrap(rows.Err(), "person rows")
	}
}

var sexMale, sexFemale = []byte("male"), []byte("female")

// splitRow splits "path|birth date|name": neither a path nor a date holds
// '|', a name might.
func splitRow(b []byte) (path, birth, name []byte) {
	i := bytes.IndexByte(b, '|')
	if i < 0 {
		return b, nil, nil
	}
	path, rest := b[:i], b[i+1:]
	j := bytes.IndexByte(rest, '|')
	if j < 0 {
		return path, rest, nil
	}
	return path, rest[:j], rest[j+1:]
}

// idChecker checks many ID numbers against one day. Stored numbers are
// normalised, and nearly all are valid: for those it answers from the
// digits, with the verdicts of idno.ParseAt on each province prefix and
// each birth date remembered in arrays indexed by the digits (a million
// lookups in a map keyed by strings cost a second); anything else goes
// through IDFacts. Both ways agree (TestIDCheckerAgrees).
type idChecker struct {
	today     time.Time
	provinces [100]int8       // by the first two digits: 0 not yet asked, 1 valid, -1 not
	dates     [dateSlots]int8 // by dateSlot
}

// Birth dates from 1800 (idno's lower bound) for 400 years, 31 days to
// every month; other years take the slow path.
const (
	firstYear = 1800
	dateSlots = 400 * 12 * 31
)

func newIDChecker(today time.Time) *idChecker { return &idChecker{today: today} }

// verdict returns the rule a number breaks for a person of the recorded
// birth date and sex, with the finding's detail, or "" when there is none.
func (c *idChecker) verdict(number string, birth, sex []byte) (string, []byte) {
	if c.plainlyValid(number) {
		if sameBirth(number, birth) && sameSex(number, sex) {
			return "", nil
		}
		b := number[6:10] + "-" + number[10:12] + "-" + number[12:14]
		return RuleIDMismatch, []byte(mismatchText(b, sexOf(number), string(birth), string(sex)))
	}
	check, idBirth, idSex := IDFacts(number, c.today)
	if check != IDOK {
		return RuleIDInvalid, []byte(idFaultText[check])
	}
	if m := mismatchText(idBirth, idSex, string(birth), string(sex)); m != "" {
		return RuleIDMismatch, []byte(m)
	}
	return "", nil
}

// plainlyValid reports whether n is a normalised 18-character number that
// idno.ParseAt accepts; false also means "not sure" (the slow path decides).
func (c *idChecker) plainlyValid(n string) bool {
	if len(n) != 18 || !(isDigit(n[17]) || n[17] == 'X') {
		return false
	}
	for i := 0; i < 17; i++ {
		if !isDigit(n[i]) {
			return false
		}
	}
	if idno.CheckChar(n[:17]) != n[17] {
		return false
	}
	p := &c.provinces[int(n[0]-'0')*10+int(n[1]-'0')]
	if *p == 0 {
		*p = verdictOf(idno.ParseAt(withCheck(n[:6]+"19800101001"), c.today))
	}
	slot, ok := dateSlot(n[6:14])
	if *p < 0 || !ok {
		return false
	}
	d := &c.dates[slot]
	if *d == 0 {
		*d = verdictOf(idno.ParseAt(withCheck("110105"+n[6:14]+"001"), c.today))
	}
	return *d > 0
}

func verdictOf(_ idno.ID, err error) int8 {
	if err != nil {
		return -1
	}
	return 1
}

// dateSlot numbers a YYYYMMDD of digits with month 01–12 and day 01–31.
func dateSlot(d string) (int, bool) {
	y := int(d[0]-'0')*1000 + int(d[1]-'0')*100 + int(d[2]-'0')*10 + int(d[3]-'0')
	m := int(d[4]-'0')*10 + int(d[5]-'0')
	day := int(d[6]-'0')*10 + int(d[7]-'0')
	if y < firstYear || y >= firstYear+400 || m < 1 || m > 12 || day < 1 || day > 31 {
		return 0, false
	}
	return ((y-firstYear)*12+m-1)*31 + day - 1, true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// sameBirth compares the birth date in a valid number with a recorded one;
// an empty record is not compared.
func sameBirth(n string, birth []byte) bool {
	return len(birth) == 0 || (len(birth) == 10 && string(birth[0:4]) == n[6:10] &&
		string(birth[5:7]) == n[10:12] && string(birth[8:10]) == n[12:14])
}

func sameSex(n string, sex []byte) bool { return len(sex) == 0 || string(sex) == sexOf(n) }

// sexOf returns the sex a valid number encodes in its 17th digit.
func sexOf(n string) string {
	if (n[16]-'0')%2 == 1 {
		return "male"
	}
	return "female"
}
