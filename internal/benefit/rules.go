package benefit

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Facts are what the rules read about a person (or a child) on a date:
// the registry's records and the facts an officer attested (a certificate,
// a disability level) that the registry does not hold.
type Facts struct {
	Person   Member            `json:"person"`
	Spouse   *Member           `json:"spouse,omitempty"`
	Parents  []Member          `json:"parents,omitempty"`  // for a child's programs
	Children []Member          `json:"children"`           // born or adopted
	Siblings []Member          `json:"siblings,omitempty"` // a child's parents' children, the child included
	Attested map[string]string `json:"attested"`           // see the Attested* keys
}

// Member is a person as the rules see them.
type Member struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Sex        string `json:"sex"`
	Birth      string `json:"birth_date"`
	DeathDate  string `json:"death_date,omitempty"`
	Hukou      string `json:"hukou_type"`
	County     string `json:"county"`
	Adopted    bool   `json:"adopted,omitempty"`
	Disability int    `json:"disability_level,omitempty"` // attested level of a child's disability certificate, 0 if none
}

// Attested fact keys.
const (
	AttestPolicyCompliant  = "policy_compliant"      // 1973–2001 无政策外生育: yes/no
	AttestComplication     = "complication_level"    // 计划生育手术并发症等级 1–3
	AttestOnlyChildCert    = "only_child_cert_date"  // 光荣证发证日期
	AttestOnlyChildCertFor = "only_child_cert_child" // 光荣证所载子女的人员编号
)

// alive reports whether m is alive on date.
func (m Member) alive(date string) bool { return m.DeathDate == "" || m.DeathDate > date }

// ageOn is m's age in whole years on date; -1 without a birth date.
func ageOn(birth, date string) int {
	b, err1 := time.Parse(time.DateOnly, birth)
	d, err2 := time.Parse(time.DateOnly, date)
	if err1 != nil || err2 != nil {
		return -1
	}
	age := d.Year() - b.Year()
	if d.Month() < b.Month() || (d.Month() == b.Month() && d.Day() < b.Day()) {
		age--
	}
	return age
}

// Reason is one criterion with the values it used and whether it passed.
type Reason struct {
	Code   string            `json:"code"`
	Label  string            `json:"label"`
	Passed bool              `json:"passed"`
	Values map[string]string `json:"values"`
}

type result struct {
	reasons []Reason
	monthly int64
	annual  int64
	subtype string
}

func (r *result) check(code, label string, passed bool, kv ...string) bool {
	vals := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		vals[kv[i]] = kv[i+1]
	}
	r.reasons = append(r.reasons, Reason{Code: code, Label: label, Passed: passed, Values: vals})
	return passed
}

func (r result) eligible() bool {
	for _, x := range r.reasons {
		if !x.Passed {
			return false
		}
	}
	return len(r.reasons) > 0
}

func itoa(n int) string     { return strconv.Itoa(n) }
func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// amountInForce checks that an amount parameter is in force on the date.
func (r *result) amountInForce(p *Params, key string) (int64, bool) {
	v, ok := p.Get(key)
	r.check("amount_in_force", "发放标准已生效", ok, "key", key, "value_fen", v)
	return atoi64(v), ok
}

func evalJiangFu(f Facts, p *Params, date string) result {
	var r result
	me := f.Person
	r.check("birth_after", "出生日期不早于规定日期", me.Birth >= p.Text("min_birth"), "birth_date", me.Birth, "min_birth", p.Text("min_birth"))
	age, min := ageOn(me.Birth, date), int(p.Int("min_age"))
	r.check("age", "年满规定年龄", age >= min, "age", itoa(age), "min_age", itoa(min), "date", date)
	r.check("hukou", "户口性质符合", slices.Contains(p.List("hukou"), me.Hukou), "hukou_type", me.Hukou, "allowed", p.Text("hukou"))
	r.check("alive", "本人健在", me.alive(date), "death_date", me.DeathDate)
	compliant := f.Attested[AttestPolicyCompliant]
	r.check("policy_compliant", "1973至2001年间无政策外生育（经村级核实）", compliant == "yes", "attested", orUnknown(compliant))
	living, daughters, ever := childrenOn(f.Children, date)
	ok := living == 1 || (living == 2 && daughters == 2) || (living == 0 && ever > 0)
	r.check("children", "现存一个子女、两个女孩或子女死亡现无子女", ok,
		"children_ever", itoa(ever), "children_living", itoa(living), "daughters_living", itoa(daughters))
	if amount, ok := r.amountInForce(p, "annual_amount"); ok {
		r.annual = amount + p.Sum("topup_annual")
		r.monthly = r.annual / 12
	}
	return r
}

// childrenOn counts a person's children living on date, the daughters
// among them, and every child ever born or adopted by then.
func childrenOn(children []Member, date string) (living, daughters, ever int) {
	for _, c := range children {
		if c.Birth != "" && c.Birth > date {
			continue
		}
		ever++
		if c.alive(date) {
			living++
			if c.Sex == "female" {
				daughters++
			}
		}
	}
	return living, daughters, ever
}

func orUnknown(s string) string {
	if s == "" {
		return "未核实"
	}
	return s
}

// evalTeFu pays the parents of an only child who died or is disabled (the
// woman 49 or older), and persons with a family-planning surgery
// complication; both parts add when both apply.
func evalTeFu(f Facts, p *Params, date string) result {
	var child, comp result
	me := f.Person
	ok := child.check("birth_after", "出生日期不早于规定日期", me.Birth >= p.Text("min_birth"), "birth_date", me.Birth, "min_birth", p.Text("min_birth"))
	ok = child.check("alive", "本人健在", me.alive(date), "death_date", me.DeathDate) && ok
	_, _, ever := childrenOn(f.Children, date)
	ok = child.check("only_child", "只生育或收养一个子女，现无其他子女", ever == 1, "children_ever", itoa(ever)) && ok
	woman := tefuWoman(f)
	age, min := ageOn(woman.Birth, date), int(p.Int("min_woman_age"))
	ok = child.check("woman_age", "女方（单亲家庭为本人）年满规定年龄", age >= min, "who", woman.Name, "age", itoa(age), "min_age", itoa(min)) && ok
	kind := ""
	if ever == 1 {
		kind = onlyChildState(only(f.Children, date), date, p.List("disability_levels"))
	}
	ok = child.check("child_state", "独生子女死亡或伤残（伤残等级在规定范围内）", kind != "", "state", orUnknown(kind)) && ok
	if ok {
		if amount, in := child.amountInForce(p, kind+"_monthly"); in {
			child.monthly, child.subtype = amount+p.Sum("topup_monthly"), kind
		}
	}
	level := atoi64(f.Attested[AttestComplication])
	if level >= 1 && level <= 3 {
		comp.check("complication", "计划生育手术并发症（经鉴定）", true, "level", itoa(int(level)))
		comp.check("alive", "本人健在", me.alive(date), "death_date", me.DeathDate)
		if amount, in := comp.amountInForce(p, fmt.Sprintf("complication_%d_monthly", level)); in {
			comp.monthly = amount
		}
	}
	return combineTeFu(child, comp)
}

// combineTeFu keeps the reasons of the part that applies (both if both);
// when neither does, the child-based reasons say why.
func combineTeFu(child, comp result) result {
	switch ce, pe := child.eligible(), comp.eligible(); {
	case ce && pe:
		return result{reasons: append(child.reasons, comp.reasons...), monthly: child.monthly + comp.monthly,
			annual: 12 * (child.monthly + comp.monthly), subtype: child.subtype + "+complication"}
	case pe:
		comp.subtype, comp.annual = "complication", 12*comp.monthly
		return comp
	}
	child.annual = 12 * child.monthly
	return child
}

// tefuWoman is whose age counts: the woman of the couple, or the person
// alone in a single-parent family.
func tefuWoman(f Facts) Member {
	if f.Person.Sex == "female" || f.Spouse == nil {
		return f.Person
	}
	return *f.Spouse
}

func only(children []Member, date string) Member {
	for _, c := range children {
		if c.Birth == "" || c.Birth <= date {
			return c
		}
	}
	return Member{}
}

// onlyChildState is "death" if the only child died by date, "disability"
// if they hold a certificate of a level in levels, else "".
func onlyChildState(c Member, date string, levels []string) string {
	switch {
	case !c.alive(date):
		return "death"
	case c.Disability > 0 && slices.Contains(levels, itoa(c.Disability)):
		return "disability"
	}
	return ""
}

func evalOnlyChild(f Facts, p *Params, date string) result {
	var r result
	me := f.Person
	issued := f.Attested[AttestOnlyChildCert]
	r.check("certificate", "持有独生子女父母光荣证", issued != "" && issued <= date, "issued", orUnknown(issued))
	r.check("alive", "本人健在", me.alive(date), "death_date", me.DeathDate)
	var child Member
	for _, c := range f.Children {
		if strconv.FormatInt(c.ID, 10) == f.Attested[AttestOnlyChildCertFor] {
			child = c
		}
	}
	age, limit := ageOn(child.Birth, date), int(p.Int("until_child_age"))
	r.check("child_age", "光荣证所载子女未满规定年龄", child.ID != 0 && age >= 0 && age < limit,
		"child", child.Name, "age", itoa(age), "until_age", itoa(limit))
	if amount, ok := r.amountInForce(p, "monthly_amount"); ok {
		r.monthly = amount + p.Sum("topup_monthly")
		r.annual = 12 * r.monthly
	}
	return r
}

// evalChildcare decides for a child: under 3, born, alive, registered in
// the county, from the scheme's start. The annual amount is for the
// calendar year of the date, counting only the months the child is
// eligible (ChildcareMonths).
func evalChildcare(f Facts, p *Params, date string) result {
	var r result
	c := f.Person
	start := p.Text("start")
	r.check("in_force", "育儿补贴已实施", start != "" && date >= start, "date", date, "start", orUnknown(start))
	r.check("born", "已出生", c.Birth != "" && c.Birth <= date, "birth_date", c.Birth)
	limit := int(p.Int("until_age"))
	age := ageOn(c.Birth, date)
	r.check("age", "未满规定年龄", age >= 0 && age < limit, "age", itoa(age), "until_age", itoa(limit))
	r.check("alive", "婴幼儿健在", c.alive(date), "death_date", c.DeathDate)
	r.check("registered", "在本县登记户籍", c.County != "", "county", orUnknown(c.County))
	hasParent := len(f.Parents) > 0
	r.check("applicant", "有可作为申领人的父母", hasParent, "parents", itoa(len(f.Parents)))
	if amount, ok := r.amountInForce(p, "annual_amount"); ok && start != "" {
		r.monthly = amount / 12
		year := date[:4]
		months := ChildcareMonths(c.Birth, start, limit, year+"-01-01", year+"-12-31")
		r.annual = int64(months)*r.monthly + p.Sum("topup_annual")
		r.check("months", "本年度可补贴月数", months > 0, "year", year, "months", itoa(months), "monthly_fen", strconv.FormatInt(r.monthly, 10))
	}
	return r
}

// ChildcareMonths counts the months from `from` to `to` (inclusive, whole
// calendar months) for which the childcare subsidy is due: from the month
// of birth (or the scheme's start) up to the month before the one in which
// the child turns `limit`. A child born on 15 June 2023 is due 17 months
// from January 2025 to May 2026: 36 months of life less the 19 spent
// before the scheme began.
func ChildcareMonths(birth, start string, limit int, from, to string) int {
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return 0
	}
	first := monthStart(b)
	end := first.AddDate(limit, 0, 0) // the month of the limit birthday: not due
	for _, lower := range []string{start, from} {
		if t, err := time.Parse(time.DateOnly, lower); err == nil && monthStart(t).After(first) {
			first = monthStart(t)
		}
	}
	if t, err := time.Parse(time.DateOnly, to); err == nil && monthStart(t).AddDate(0, 1, 0).Before(end) {
		end = monthStart(t).AddDate(0, 1, 0)
	}
	n := 0
	for m := first; m.Before(end); m = m.AddDate(0, 1, 0) {
		n++
	}
	return n
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// evalLocal reads its criteria from parameters, so a county defines the
// program without code: sex, age band, household registration, and
// whether the household has only daughters.
func evalLocal(f Facts, p *Params, date string) result {
	var r result
	me := f.Person
	if sex := p.Text("sex"); sex != "" {
		r.check("sex", "性别符合", me.Sex == sex, "sex", me.Sex, "required", sex)
	}
	age, lo, hi := ageOn(me.Birth, date), int(p.Int("min_age")), int(p.Int("max_age"))
	r.check("age", "年龄在规定范围内", age >= lo && age < hi, "age", itoa(age), "min_age", itoa(lo), "max_age", itoa(hi))
	if allowed := p.List("hukou"); len(allowed) > 0 {
		r.check("hukou", "户口性质符合", slices.Contains(allowed, me.Hukou), "hukou_type", me.Hukou, "allowed", p.Text("hukou"))
	}
	r.check("alive", "本人健在", me.alive(date), "death_date", me.DeathDate)
	if p.Text("only_daughters") == "yes" {
		sons := 0
		for _, s := range f.Siblings {
			if s.Sex == "male" && s.alive(date) {
				sons++
			}
		}
		r.check("only_daughters", "纯女户（父母无存活儿子）", sons == 0, "sons_living", itoa(sons))
	}
	if amount, ok := r.amountInForce(p, "annual_amount"); ok {
		r.annual = amount + p.Sum("topup_annual")
		r.monthly = r.annual / 12
	}
	return r
}
