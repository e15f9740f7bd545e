// Package floating keeps the floating-population service register (流动人口服务):
// our registered residents who live in another county (流出, direction "out")
// and people from elsewhere who live in one of our villages (流入, "in"), how
// to reach them, and dated contact records of the services offered (visits,
// calls, free contraceptives by informed choice, pre-pregnancy checks,
// childcare-subsidy information). It also reads and writes the exchange file
// two counties use to compare their registers.
//
// It is a service register and nothing else: the 2021 amendment of the
// Population and Family Planning Law and the repeal of the floating-population
// regulation removed the marriage-and-birth certificate (婚育证明) and every
// control built on it, so there is no certificate, approval or check here.
//
// An "out" entry belongs to a person of the registry and reads name, sex,
// birth date and ID number from there; an "in" entry keeps its own, since
// the person is usually not in our registry. ID and phone numbers are
// encrypted under the field names the registry uses ("id_number", "phone"),
// so one blind index finds the same person in both tables. Every entry has
// the division path of its responsible village (the registered village of an
// "out" person, the residence village of an "in" entry) and every query is
// limited to the caller's subtree of it in SQL. Entries are ended, never
// deleted; contact records are append-only and corrected by a new record
// that names the wrong one.
package floating

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/check"
	"jisheng/internal/choice"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/idno"
)

func init() {
	audit.RegisterActions(map[string]string{
		"floating.create":  "新增流动人口登记",
		"floating.update":  "修改流动人口登记",
		"floating.end":     "结束流动人口登记",
		"floating.unmask":  "查看流动人口完整号码",
		"floating.contact": "新增流动人口联系记录",
		"floating.export":  "导出流动人口交换文件",
		"floating.import":  "导入流动人口交换文件",
	})
}

// Directions of an entry, as seen from our county.
const (
	Out = "out" // 流出: our registered resident living in another county
	In  = "in"  // 流入: a person from elsewhere living in one of our villages
)

// Entry statuses.
const (
	Active = "active"
	Ended  = "ended"
)

// Field names used as encryption context and blind-index domain; the same
// as the registry's, so that a blind index matches across both tables.
const (
	fieldID    = "id_number"
	fieldPhone = "phone"
)

// Option is one value of an enumeration with its Chinese label.
type Option = choice.Option

type enum = choice.List

var (
	directions = enum{{Value: Out, Label: "流出"}, {Value: In, Label: "流入"}}
	statuses   = enum{{Value: Active, Label: "在册"}, {Value: Ended, Label: "已结束"}}
	sexes      = enum{{Value: "male", Label: "男"}, {Value: "female", Label: "女"}}
	methods    = enum{{Value: "visit", Label: "上门"}, {Value: "phone", Label: "电话"}, {Value: "wechat", Label: "微信"}, {Value: "sms", Label: "短信"}, {Value: "other", Label: "其他"}}
	// services lists what an officer offers a floating resident; every one
	// is voluntary, contraceptives by the person's informed choice.
	services = enum{{Value: "contraceptives", Label: "免费避孕药具（知情选择）"}, {Value: "pre_pregnancy_check", Label: "孕前优生健康检查"},
		{Value: "childcare_subsidy", Label: "育儿补贴政策"}, {Value: "maternal_health", Label: "孕产期保健"},
		{Value: "child_health", Label: "儿童保健与预防接种"}, {Value: "policy_advice", Label: "政策咨询"}}
)

// Enums is the answer of GET /api/v1/floating/enums.
type Enums struct {
	Directions []Option `json:"directions"`
	Statuses   []Option `json:"statuses"`
	Methods    []Option `json:"methods"`
	Services   []Option `json:"services"`
}

// AllEnums returns the enumerations of this package with their labels.
func AllEnums() Enums {
	return Enums{Directions: directions, Statuses: statuses, Methods: methods, Services: services}
}

// Entry is one register entry as the API shows it: numbers masked.
type Entry struct {
	ID           int64  `json:"id"`
	Direction    string `json:"direction"`
	PersonID     *int64 `json:"person_id"`
	Name         string `json:"name"`
	Sex          string `json:"sex"`
	BirthDate    string `json:"birth_date"`
	IDNumber     string `json:"id_number"`
	Phone        string `json:"phone"`
	Place        string `json:"place"`        // out: where they live now; in: where they come from
	OtherCounty  string `json:"other_county"` // 6-digit county code of the other side, if known
	Division     string `json:"division"`     // responsible village in our county
	DivisionName string `json:"division_name"`
	Since        string `json:"since"`
	Status       string `json:"status"`
	EndedOn      string `json:"ended_on"`
	EndReason    string `json:"end_reason"`
	Note         string `json:"note"`
	Version      int    `json:"version"`
	LastContact  string `json:"last_contact"`
	NextFollowUp string `json:"next_follow_up"`
	ContactCount int    `json:"contact_count"`
	CreatedAt    string `json:"created_at"`
	CreatedBy    string `json:"created_by"`
	UpdatedAt    string `json:"updated_at"`
	UpdatedBy    string `json:"updated_by"`

	Warnings []string `json:"warnings,omitempty"`

	path string
}

// EntryInput is the body of creating (POST) or editing (PUT) an entry.
//
// An "out" entry names its person (person_id) and takes name, sex, birth
// date, ID number and responsible village from the registry, so those
// fields must stay empty. An "in" entry carries them itself; person_id may
// link it to a person already in the registry.
type EntryInput struct {
	Direction   string `json:"direction"`
	PersonID    *int64 `json:"person_id"`
	Name        string `json:"name"`
	Sex         string `json:"sex"`
	BirthDate   string `json:"birth_date"`
	IDNumber    string `json:"id_number"`
	Phone       string `json:"phone"`
	Place       string `json:"place"`
	OtherCounty string `json:"other_county"`
	Division    string `json:"division"`
	Since       string `json:"since"`
	Note        string `json:"note"`
	Version     int    `json:"version"`
}

// EndInput is the body of ending an entry (the person came back, moved on, died…).
type EndInput struct {
	EndedOn string `json:"ended_on"`
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// Sensitive holds the full values of an entry's protected fields.
type Sensitive struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// Filter selects entries for the list page.
type Filter struct {
	Direction string // out, in or "" for both
	Division  string // within the caller's area
	Q         string // name prefix, or a full ID number
	Status    string // active, ended or "" for both
	Page      int
	Size      int
}

// Contact is one dated contact or service record.
type Contact struct {
	ID           int64    `json:"id"`
	EntryID      int64    `json:"entry_id"`
	ContactDate  string   `json:"contact_date"`
	Method       string   `json:"method"`
	Content      string   `json:"content"`
	Services     []string `json:"services"`
	NextFollowUp string   `json:"next_follow_up"`
	CorrectsID   *int64   `json:"corrects_id"`
	CorrectedBy  *int64   `json:"corrected_by"` // the record that corrects this one, if any
	RecordedBy   string   `json:"recorded_by"`
	CreatedAt    string   `json:"created_at"`
}

// ContactInput is the body of adding a contact record. CorrectsID names an
// earlier record of the same entry that this one replaces.
type ContactInput struct {
	ContactDate  string   `json:"contact_date"`
	Method       string   `json:"method"`
	Content      string   `json:"content"`
	Services     []string `json:"services"`
	NextFollowUp string   `json:"next_follow_up"`
	CorrectsID   *int64   `json:"corrects_id"`
}

const dateLayout = "2006-01-02"

// Text limits, in characters.
const (
	maxName    = 50
	maxPlace   = 100
	maxNote    = 500
	maxContent = 1000
	maxReason  = 200
)

// cleanedEntry is a validated entry input ready for storage.
type cleanedEntry struct {
	EntryInput
	idNumber string // normalised, "" when none
	phone    string // normalised, "" when none
	warnings []string
}

// cleanEntry validates in for direction dir. What needs the database
// (the person, the village, duplicates) is checked by Service.resolve.
func cleanEntry(dir string, in EntryInput, today time.Time) (cleanedEntry, error) {
	c := cleanedEntry{EntryInput: in}
	trimEntry(&c.EntryInput)
	c.Direction = dir
	if !directions.Has(dir) {
		return c, apperr.InvalidField("direction", "方向应为 "+directions.Values())
	}
	var err error
	if c.phone, err = fieldcrypt.NormalisePhone(c.Phone); err != nil {
		return c, err
	}
	if dir == Out {
		err = c.checkOut()
	} else {
		err = c.checkIn(today)
	}
	if err != nil {
		return c, err
	}
	if c.OtherCounty != "" && !isCountyCode(c.OtherCounty) {
		return c, apperr.InvalidField("other_county", "区县代码应为 6 位数字，如 341522")
	}
	if err := check.Text("place", placeLabel(dir), c.Place, maxPlace, true); err != nil {
		return c, err
	}
	if err := check.Text("note", "备注", c.Note, maxNote, false); err != nil {
		return c, err
	}
	if c.Since == "" {
		return c, apperr.InvalidField("since", "请填写流动日期")
	}
	if err := checkDate("since", "流动日期", c.Since, today); err != nil {
		return c, err
	}
	if c.BirthDate != "" && c.Since < c.BirthDate {
		return c, apperr.InvalidField("since", "流动日期不能早于出生日期")
	}
	return c, nil
}

func placeLabel(dir string) string {
	if dir == Out {
		return "现居住地"
	}
	return "户籍地（来源地）"
}

func trimEntry(in *EntryInput) {
	for _, s := range []*string{&in.Direction, &in.Name, &in.Sex, &in.BirthDate, &in.IDNumber, &in.Phone,
		&in.Place, &in.OtherCounty, &in.Division, &in.Since, &in.Note} {
		*s = strings.TrimSpace(*s)
	}
}

// checkOut: an "out" entry takes the person's own data from the registry,
// so that a correction there shows here too.
func (c *cleanedEntry) checkOut() error {
	if c.PersonID == nil {
		return apperr.InvalidField("person_id", "请选择流出的本县户籍人员")
	}
	for _, f := range []struct{ field, value string }{{"name", c.Name}, {"sex", c.Sex}, {"birth_date", c.BirthDate},
		{"id_number", c.IDNumber}, {"division", c.Division}} {
		if f.value != "" {
			return apperr.InvalidField(f.field, "流出人员的姓名、性别、出生日期、身份证号和户籍村取自人员信息，请在人员信息中修改")
		}
	}
	return nil
}

func (c *cleanedEntry) checkIn(today time.Time) error {
	if err := checkName(c.Name); err != nil {
		return err
	}
	if c.IDNumber != "" {
		id, err := idno.ParseAt(c.IDNumber, today)
		if err != nil {
			return err
		}
		c.idNumber = id.Number
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
	}
	if c.Sex == "" {
		return apperr.InvalidField("sex", "请填写性别（或填写公民身份号码自动识别）")
	}
	if !sexes.Has(c.Sex) {
		return apperr.InvalidField("sex", "性别应为 male（男）或 female（女）")
	}
	if c.BirthDate == "" {
		return apperr.InvalidField("birth_date", "请填写出生日期（或填写公民身份号码自动识别）")
	}
	if err := checkDate("birth_date", "出生日期", c.BirthDate, today); err != nil {
		return err
	}
	if c.Division == "" {
		return apperr.InvalidField("division", "请选择现居住的村（居）委会")
	}
	return nil
}

func checkName(name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return apperr.InvalidField("name", "请填写姓名")
	}
	if n > maxName {
		return apperr.InvalidField("name", "姓名不能超过 50 个字")
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.IsDigit(r) || strings.ContainsRune(`<>"'%;\/`, r) {
			return apperr.InvalidField("name", "姓名含有不允许的字符")
		}
	}
	return nil
}

func isCountyCode(s string) bool {
	if len(s) != 6 || s == "000000" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkDate checks a required civil date: real, not before 1880, not after today.
func checkDate(field, label, s string, today time.Time) error {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return apperr.InvalidField(field, label+"格式应为 YYYY-MM-DD，且须是真实日期")
	}
	if s < "1880-01-01" {
		return apperr.InvalidField(field, label+"不能早于 1880-01-01")
	}
	if t.After(today) {
		return apperr.InvalidField(field, label+"不能晚于今天")
	}
	return nil
}

// cleanEnd validates the ending of an entry that started on since.
func cleanEnd(in EndInput, since string, today time.Time) (EndInput, error) {
	in.EndedOn, in.Reason = strings.TrimSpace(in.EndedOn), strings.TrimSpace(in.Reason)
	if in.EndedOn == "" {
		return in, apperr.InvalidField("ended_on", "请填写结束日期")
	}
	if err := checkDate("ended_on", "结束日期", in.EndedOn, today); err != nil {
		return in, err
	}
	if in.EndedOn < since {
		return in, apperr.InvalidField("ended_on", "结束日期不能早于流动日期 "+since)
	}
	return in, check.Text("reason", "结束原因", in.Reason, maxReason, true)
}

// cleanContact validates a contact record.
func cleanContact(in ContactInput, today time.Time) (ContactInput, error) {
	in.ContactDate, in.Method = strings.TrimSpace(in.ContactDate), strings.TrimSpace(in.Method)
	in.Content, in.NextFollowUp = strings.TrimSpace(in.Content), strings.TrimSpace(in.NextFollowUp)
	if in.ContactDate == "" {
		return in, apperr.InvalidField("contact_date", "请填写联系日期")
	}
	if err := checkDate("contact_date", "联系日期", in.ContactDate, today); err != nil {
		return in, err
	}
	if !methods.Has(in.Method) {
		return in, apperr.InvalidField("method", "联系方式应为 "+methods.Values())
	}
	if err := check.Text("content", "联系内容", in.Content, maxContent, true); err != nil {
		return in, err
	}
	seen := map[string]bool{}
	kept := []string{}
	for _, s := range in.Services {
		s = strings.TrimSpace(s)
		if !services.Has(s) {
			return in, apperr.InvalidField("services", "提供的服务应为 "+services.Values())
		}
		if !seen[s] {
			seen[s] = true
			kept = append(kept, s)
		}
	}
	in.Services = kept
	if in.NextFollowUp != "" {
		if _, err := time.Parse(dateLayout, in.NextFollowUp); err != nil {
			return in, apperr.InvalidField("next_follow_up", "下次随访日期格式应为 YYYY-MM-DD，且须是真实日期")
		}
		if in.NextFollowUp < in.ContactDate {
			return in, apperr.InvalidField("next_follow_up", "下次随访日期不能早于联系日期")
		}
	}
	return in, nil
}

// chinaTime is the one zone of China, as the audit journal reads times.
var chinaTime = audit.ChinaTime

// chinaToday is today's civil date in China, at midnight UTC, for "not in
// the future" checks whatever the server's time zone.
func chinaToday(now time.Time) time.Time {
	y, m, d := now.In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
