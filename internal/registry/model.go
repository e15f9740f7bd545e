// Package registry keeps the population registry (全员人口信息): persons,
// households (户) with each member's relation to the head, and parent-child
// links from which a mother's birth order of children is derived.
//
// ID and phone numbers are stored encrypted with a masked copy for lists and
// a keyed blind index for exact lookup by ID; the full values leave the
// server only through a separate, audited request. Every query is limited
// to the caller's division subtree in its SQL: a person belongs to the areas
// of both their registered (户籍地) and actual residence (现居住地) division,
// so both the village that keeps their household registration and the
// village they live in can serve them.
package registry

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"jisheng/internal/apperr"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
)

// Fields are the editable fields of a person, the same in what the API
// shows (with the ID and phone numbers masked) and in what it accepts.
type Fields struct {
	Name               string `json:"name"`
	Sex                string `json:"sex"`
	BirthDate          string `json:"birth_date"`
	IDNumber           string `json:"id_number"`
	Phone              string `json:"phone"`
	Ethnicity          string `json:"ethnicity"`
	HukouType          string `json:"hukou_type"`
	MaritalStatus      string `json:"marital_status"`
	RegisteredDivision string `json:"registered_division"`
	ResidenceDivision  string `json:"residence_division"`
	HouseholdID        *int64 `json:"household_id"`
	Relation           string `json:"relation"`
	MotherID           *int64 `json:"mother_id"`
	FatherID           *int64 `json:"father_id"`
	Status             string `json:"status"`
	DeathDate          string `json:"death_date"`
}

// Person is a person as the API shows them: sensitive values masked.
type Person struct {
	ID int64 `json:"id"`
	Fields
	Version int `json:"version"`

	RegisteredDivisionName string   `json:"registered_division_name"`
	ResidenceDivisionName  string   `json:"residence_division_name"`
	HouseholdNo            string   `json:"household_no"`
	MotherName             string   `json:"mother_name"`
	FatherName             string   `json:"father_name"`
	BirthOrder             *int     `json:"birth_order"`
	Age                    *int     `json:"age"`
	CreatedAt              string   `json:"created_at"`
	UpdatedAt              string   `json:"updated_at"`
	Children               []Child  `json:"children,omitempty"`
	Warnings               []string `json:"warnings,omitempty"`

	regPath, resPath string
	idEnc, phoneEnc  []byte
}

// Child is one child of a person with its birth order among the mother's children.
type Child struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Sex        string `json:"sex"`
	BirthDate  string `json:"birth_date"`
	BirthOrder *int   `json:"birth_order"`
}

// Sensitive holds the full values of a person's protected fields.
type Sensitive struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// PersonInput is the body of creating (POST) or editing (PUT) a person.
type PersonInput struct {
	ID int64 `json:"id,omitempty"`
	Fields
	Version int `json:"version"`
}

// cleaned is a validated input ready for storage.
type cleaned struct {
	PersonInput
	idNumber string // normalised; "" when none
	idBidx   string
	idMask   string
	phone    string // normalised; "" when none
	warnings []string
}

const dateLayout = "2006-01-02"

// earliestBirth bounds plausible birth dates; the oldest valid ID numbers
// encode births in the 1880s.
const earliestBirth = "1880-01-01"

// clean validates in and derives what follows from a valid ID number. today
// is the civil date in China, for "not in the future" checks.
func clean(in PersonInput, today time.Time) (cleaned, error) {
	c := cleaned{PersonInput: in}
	trimAll(&c.PersonInput)
	if err := checkName(c.Name); err != nil {
		return c, err
	}
	if err := c.cleanID(today); err != nil {
		return c, err
	}
	if c.Sex == "" {
		return c, apperr.InvalidField("sex", "请填写性别（或填写公民身份号码自动识别）")
	}
	if !sexes.has(c.Sex) {
		return c, apperr.InvalidField("sex", "性别应为 male（男）或 female（女）")
	}
	if c.BirthDate == "" {
		return c, apperr.InvalidField("birth_date", "请填写出生日期（或填写公民身份号码自动识别）")
	}
	if err := checkDate("birth_date", "出生日期", c.BirthDate, today); err != nil {
		return c, err
	}
	if c.Phone != "" {
		p, err := fieldcrypt.NormalisePhone(c.Phone)
		if err != nil {
			return c, err
		}
		c.phone = p
	}
	if err := c.checkEnums(); err != nil {
		return c, err
	}
	if c.RegisteredDivision == "" {
		return c, apperr.InvalidField("registered_division", "请选择户籍地（村/居委会）")
	}
	if c.ResidenceDivision == "" {
		c.ResidenceDivision = c.RegisteredDivision
	}
	if c.HouseholdID != nil && c.Relation == "" {
		return c, apperr.InvalidField("relation", "请填写与户主关系")
	}
	if c.HouseholdID == nil && c.Relation != "" {
		return c, apperr.InvalidField("household_id", "填写了与户主关系，请同时选择所在户")
	}
	return c, c.checkLife(today)
}

func trimAll(in *PersonInput) {
	for _, s := range []*string{&in.Name, &in.Sex, &in.BirthDate, &in.IDNumber, &in.Phone, &in.Ethnicity,
		&in.HukouType, &in.MaritalStatus, &in.RegisteredDivision, &in.ResidenceDivision, &in.Relation,
		&in.Status, &in.DeathDate} {
		*s = strings.TrimSpace(*s)
	}
	if in.Status == "" {
		in.Status = "alive"
	}
}

func checkName(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return apperr.InvalidField("name", "请填写姓名")
	}
	if n > 50 {
		return apperr.InvalidField("name", "姓名不能超过 50 个字")
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.IsDigit(r) || strings.ContainsRune(`<>"'%;\/`, r) {
			return apperr.InvalidField("name", "姓名含有不允许的字符")
		}
	}
	return nil
}

// cleanID validates the ID number, fills sex and birth date from it when
// missing, and reports a disagreement as a warning: registries hold legacy
// errors, and the officer decides which value is right.
func (c *cleaned) cleanID(today time.Time) error {
	if c.IDNumber == "" {
		return nil
	}
	id, err := idno.ParseAt(c.IDNumber, today)
	if err != nil {
		return err
	}
	c.idNumber, c.idMask = id.Number, idno.Mask(id.Number)
	if id.Upgraded {
		c.warnings = append(c.warnings, "15位身份证号已升级为18位："+idno.Mask(id.Number))
	}
	c.warnings = append(c.warnings, idno.Mismatch(id, c.Sex, c.BirthDate)...)
	if c.Sex == "" {
		c.Sex = string(id.Sex)
	}
	if c.BirthDate == "" {
		c.BirthDate = id.BirthDateString()
	}
	return nil
}

func checkDate(field, label, s string, today time.Time) error {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return apperr.InvalidField(field, label+"格式应为 YYYY-MM-DD，且须是真实日期")
	}
	if s < earliestBirth {
		return apperr.InvalidField(field, label+"不能早于 1880-01-01")
	}
	if t.After(today) {
		return apperr.InvalidField(field, label+"不能晚于今天")
	}
	return nil
}

func (c *cleaned) checkEnums() error {
	checks := []struct {
		field, label, v string
		e               enum
	}{
		{"hukou_type", "户口性质", c.HukouType, hukouTypes},
		{"marital_status", "婚姻状况", c.MaritalStatus, maritalStatuses},
		{"relation", "与户主关系", c.Relation, relations},
		{"status", "人员状态", c.Status, statuses},
	}
	for _, ch := range checks {
		if ch.v != "" && !ch.e.has(ch.v) {
			return apperr.InvalidField(ch.field, ch.label+"无效，可选值："+ch.e.values())
		}
	}
	if c.Ethnicity != "" && !slices.Contains(Ethnicities, c.Ethnicity) {
		return apperr.InvalidField("ethnicity", "民族应为 GB/T 3304 中的民族名称，如 汉族、回族")
	}
	return nil
}

func (c *cleaned) checkLife(today time.Time) error {
	if c.Status != statusDeceased {
		if c.DeathDate != "" {
			return apperr.InvalidField("death_date", "只有死亡人员才填写死亡日期")
		}
		return nil
	}
	if c.DeathDate == "" {
		return apperr.InvalidField("death_date", "请填写死亡日期")
	}
	if err := checkDate("death_date", "死亡日期", c.DeathDate, today); err != nil {
		return err
	}
	if c.DeathDate < c.BirthDate {
		return apperr.InvalidField("death_date", "死亡日期不能早于出生日期")
	}
	return nil
}

// ageOn returns full years from birth to on (both "YYYY-MM-DD").
func ageOn(birth, on string) *int {
	if len(birth) != 10 || len(on) != 10 {
		return nil
	}
	a := atoi(on[:4]) - atoi(birth[:4])
	if on[5:] < birth[5:] {
		a--
	}
	if a < 0 {
		return nil
	}
	return &a
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// ChinaToday returns today's civil date in China.
func ChinaToday(now time.Time) time.Time {
	y, m, d := now.In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var chinaTime = time.FixedZone("CST", 8*3600)
