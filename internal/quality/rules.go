package quality

import (
	"strconv"
	"strings"

	"jisheng/internal/division"
)

// Rule codes. Each finding names one; the labels below are what users see.
const (
	RuleIDInvalid         = "id_invalid"          // the ID number fails GB 11643 (format, birth date or check character)
	RuleIDMismatch        = "id_mismatch"         // a valid ID number whose birth date or sex disagrees with the record
	RuleIDDuplicate       = "id_duplicate"        // the same ID number on two or more persons
	RuleProbableDuplicate = "probable_duplicate"  // same name, birth date and registered village, different persons
	RuleMotherAge         = "mother_age"          // the mother's age at this child's birth is outside the plausible range
	RuleChildBeforeParent = "child_before_parent" // born on or before a parent's birth date
	RuleEventAfterDeath   = "event_after_death"   // an effective event dated after the death date
	RuleHouseholdNoHead   = "household_no_head"   // a household with living members and no living head
	RuleMarriedNoSpouse   = "married_no_spouse"   // married, alive, and no spouse linked
	RuleMissingID         = "missing_id"          // no ID number
	RuleMissingFields     = "missing_fields"      // another required field is empty
)

// Entities a finding can be about.
const (
	EntityPerson    = "person"
	EntityHousehold = "household"
)

// TallyIncomplete is the count kept beside the rules' counts: persons
// lacking at least one required field (missing_id or missing_fields). A
// person lacking both is one incomplete record, so it cannot be summed from
// the two rules' counts.
const TallyIncomplete = "incomplete"

// RuleInfo describes a rule for the API and the web page.
type RuleInfo struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Entity string `json:"entity"`
	Hint   string `json:"hint"` // what to check, shown beside the finding list
}

// Rules lists every rule in the order pages show them.
var Rules = []RuleInfo{
	{RuleIDInvalid, "身份证号无效", EntityPerson, "核对公民身份号码的位数、出生日期和校验码"},
	{RuleIDMismatch, "身份证号与登记信息不符", EntityPerson, "身份证号中的出生日期或性别与登记的不一致，核对后更正其一"},
	{RuleIDDuplicate, "身份证号重复", EntityPerson, "同一公民身份号码登记在多条人员记录中，核实是否重复登记"},
	{RuleProbableDuplicate, "疑似重复登记", EntityPerson, "同村有姓名和出生日期都相同的人员，核实是否为同一人"},
	{RuleMotherAge, "生育年龄异常", EntityPerson, "母亲生育时的年龄不在合理范围内，核对母亲或子女的出生日期及母子关系"},
	{RuleChildBeforeParent, "出生早于父母", EntityPerson, "本人出生日期不晚于父亲或母亲，核对出生日期及亲子关系"},
	{RuleEventAfterDeath, "死亡后仍有事件", EntityPerson, "死亡日期之后还登记了事件，核对死亡日期或更正该事件"},
	{RuleHouseholdNoHead, "户无户主", EntityHousehold, "户内有健在成员但没有户主，请指定户主"},
	{RuleMarriedNoSpouse, "已婚未关联配偶", EntityPerson, "婚姻状况为已婚但未关联配偶，请关联配偶或更正婚姻状况"},
	{RuleMissingID, "缺少身份证号", EntityPerson, "补录公民身份号码"},
	{RuleMissingFields, "必填项缺失", EntityPerson, "补录缺少的必填项"},
}

// RuleLabel returns the Chinese name of a rule code, or the code itself.
func RuleLabel(code string) string {
	for _, r := range Rules {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

func knownRule(code string) bool {
	for _, r := range Rules {
		if r.Code == code {
			return true
		}
	}
	return false
}

// RequiredField is a person field a complete record has. Coverage counts the
// records that have all of them; the ID number's absence is its own rule
// (missing_id) because ID accuracy is measured against the records that
// have one.
type RequiredField struct {
	Column string // persons column; empty (or NULL) means missing
	Label  string
	Rule   string // the rule that reports it missing
}

// RequiredFields is the one list of required person fields. The phone
// number is optional.
var RequiredFields = []RequiredField{
	{"name", "姓名", RuleMissingFields},
	{"sex", "性别", RuleMissingFields},
	{"birth_date", "出生日期", RuleMissingFields},
	{"id_bidx", "公民身份号码", RuleMissingID},
	{"ethnicity", "民族", RuleMissingFields},
	{"hukou_type", "户口性质", RuleMissingFields},
	{"marital_status", "婚姻状况", RuleMissingFields},
	{"reg_division", "户籍地", RuleMissingFields},
	{"res_division", "现居住地", RuleMissingFields},
}

// marriedStatuses are the registry's marital status codes of a married
// person (see registry enums), with their labels.
var marriedStatuses = []struct{ code, label string }{{"first_married", "初婚"}, {"remarried", "再婚"}}

// marriageEvents are the registry's life-event kinds of a marriage.
var marriageEvents = []string{"first_marriage", "remarriage"}

// nonEvents are event kinds that do not count as "an event after death":
// the death itself, and a correction that voids an event.
var nonEvents = []string{"death", "void"}

// Params are the thresholds of the rules. They are defaults a county may
// change (domain reference: every age is a parameter), not legal limits.
type Params struct {
	MotherMinAge int // a mother younger than this at a birth is reported
	MotherMaxAge int // a mother older than this (in full years) at a birth is reported
}

// DefaultParams are the thresholds named by the issue: 14 and 55.
var DefaultParams = Params{MotherMinAge: 14, MotherMaxAge: 55}

// villageLen is the length of a village's materialised path
// ("/34/3415/341523/341523100/341523100001/"): codes have fixed lengths per
// level, so paths do too. A registered path is a village's or a group's.
var villageLen = division.PathLen(division.LevelVillage)

// villageLenSQL is villageLen in SQL text.
var villageLenSQL = strconv.Itoa(villageLen)

// Bits of the row flags (rowFlagsSQL): bit i is set when RequiredFields[i]
// is empty; the two high bits carry the married_no_spouse verdict.
const (
	flagMarriedNoSpouse = 1 << 20
	flagRemarried       = 1 << 21 // with flagMarriedNoSpouse: the status is 再婚, else 初婚
	flagMale            = 1 << 22 // not a verdict: the recorded sex, carried along for the ID check
)

// rowFlagsSQL returns an integer expression on persons alias a with the
// verdicts of the row rules SQL decides: one bit per empty required field,
// and whether a married, living person lacks a spouse; and the recorded
// sex. One integer column costs the pass over a million persons far less
// than a text column per rule; rowVerdicts turns it into findings.
func rowFlagsSQL(a string) string {
	var terms []string
	for i, f := range RequiredFields {
		terms = append(terms, "CASE WHEN COALESCE("+a+"."+f.Column+", '') = '' THEN "+strconv.Itoa(1<<i)+" ELSE 0 END")
	}
	terms = append(terms, `CASE WHEN `+a+`.status = 'alive' AND `+a+`.spouse_id IS NULL AND `+a+`.marital_status IN (`+quoted(marriedCodes())+`)
		AND NOT EXISTS (`+outsideSpouseSQL(a)+`)
		THEN `+strconv.Itoa(flagMarriedNoSpouse)+` + CASE WHEN `+a+`.marital_status = 'remarried' THEN `+strconv.Itoa(flagRemarried)+` ELSE 0 END
		ELSE 0 END`)
	terms = append(terms, "CASE WHEN "+a+".sex = 'male' THEN "+strconv.Itoa(flagMale)+" ELSE 0 END")
	return "(" + strings.Join(terms, " + ") + ")"
}

// outsideSpouseSQL selects the effective marriage events of person alias a
// that name a spouse outside the registry (details.spouse_name, written by
// the registry's life events only when it is set): such a person has a
// spouse, just none to link.
func outsideSpouseSQL(a string) string {
	return `SELECT 1 FROM person_events e WHERE e.person_id = ` + a + `.id AND e.kind IN (` + quoted(marriageEvents) + `)
		AND e.details LIKE '%"spouse_name":%' AND NOT EXISTS (SELECT 1 FROM person_events x WHERE x.corrects_id = e.id)`
}

// verdict is one row rule's finding on a person.
type verdict struct {
	rule   string
	detail []byte
}

// rowVerdicts turns row flags into findings' rules and details.
func rowVerdicts(flags int64, out []verdict) []verdict {
	var missing []string
	for i, f := range RequiredFields {
		if flags&(1<<i) == 0 {
			continue
		}
		if f.Rule == RuleMissingID {
			out = append(out, verdict{RuleMissingID, []byte("未登记" + f.Label)})
		} else {
			missing = append(missing, f.Label)
		}
	}
	if len(missing) > 0 {
		out = append(out, verdict{RuleMissingFields, []byte("缺少" + strings.Join(missing, "、"))})
	}
	if flags&flagMarriedNoSpouse != 0 {
		status := marriedStatuses[0].label
		if flags&flagRemarried != 0 {
			status = marriedStatuses[1].label
		}
		out = append(out, verdict{RuleMarriedNoSpouse, []byte("婚姻状况为" + status + "，但未关联配偶")})
	}
	return out
}

// ageSQL is the full years of age on date `on` of someone born on `birth`
// (both 'YYYY-MM-DD' expressions), written in SQL both engines run.
func ageSQL(birth, on string) string {
	return "(CAST(substr(" + on + ", 1, 4) AS INTEGER) - CAST(substr(" + birth + ", 1, 4) AS INTEGER) - " +
		"CASE WHEN substr(" + on + ", 6, 5) < substr(" + birth + ", 6, 5) THEN 1 ELSE 0 END)"
}

func quoted(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}

func marriedCodes() []string {
	out := make([]string, len(marriedStatuses))
	for i, m := range marriedStatuses {
		out[i] = m.code
	}
	return out
}
