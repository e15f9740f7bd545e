package health

// Programs are declared here as data: their stages, the fields each stage
// needs, the coded outcomes figures count, and the rules that schedule
// visits. The functions in schedule.go and validate.go evaluate them; no
// program has code of its own.

// Program codes.
const (
	BirthReg  = "birth_reg" // 生育登记
	PrePreg   = "prepreg"   // 孕前优生健康检查
	Pregnancy = "pregnancy" // 孕产期随访
	PostOp    = "postop"    // 术后随访
	Screening = "screening" // 妇女病/两癌筛查
)

// Subject says who a program serves.
type Subject string

const (
	SubjectWoman  Subject = "woman"  // a woman
	SubjectCouple Subject = "couple" // a woman and her partner
	SubjectParent Subject = "parent" // a mother or father, with or without a partner
	SubjectPerson Subject = "person" // anyone (male sterilisation follow-up serves men)
)

// Program is one service line.
type Program struct {
	Code    string  `json:"code"`
	Name    string  `json:"name"`
	Subject Subject `json:"subject"`
	// Basis names the law or national guideline the service follows.
	Basis  string      `json:"basis"`
	Stages []Stage     `json:"stages"`
	Visits []VisitRule `json:"visits"`
}

// Stage is a step a case can reach.
type Stage struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Next lists the stages that may follow this one; empty for a final stage.
	Next []string `json:"next"`
	// Closes says reaching the stage ends the case.
	Closes bool `json:"closes,omitempty"`
	// CodeField names the field whose value is kept in the clear as the
	// step's code, for figures (result, diagnosis, procedure type…).
	CodeField string  `json:"code_field,omitempty"`
	Fields    []Field `json:"fields"`
	// ClosesWhen ends the case when the step's code is one of these (a
	// normal screening result needs no further step).
	ClosesWhen []string `json:"closes_when,omitempty"`
}

// Field is one value recorded at a stage.
type Field struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"` // text, date, choice, choices, number
	Required bool     `json:"required"`
	Options  []Option `json:"options,omitempty"`
}

// Option is one allowed value of a choice field.
type Option struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// VisitRule schedules one visit (or one due step) of a case.
type VisitRule struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Anchor is the stage whose date starts the clock, or "opened".
	Anchor string `json:"anchor"`
	// AnchorField, if set, takes the anchor date from this field of the
	// anchor step instead (the expected delivery date).
	AnchorField string `json:"anchor_field,omitempty"`
	// When, if set, schedules the visit only when the anchor step's code is
	// one of these values.
	When   []string `json:"when,omitempty"`
	Days   int      `json:"days,omitempty"`
	Months int      `json:"months,omitempty"`
	// Window is how many days after the due date a visit still counts as on time.
	Window int `json:"window"`
	// RepeatUntil makes the visit recur: after each visit done, the next is
	// due the same interval later, until the case reaches this stage.
	RepeatUntil string `json:"repeat_until,omitempty"`
	// DoneBy, if set, means the item is not a visit but a step: it is done
	// when the case reaches this stage rather than by a contact.
	DoneBy string `json:"done_by,omitempty"`
	// LapsesAt lists stages at which an open item of this rule is no longer
	// needed (a pregnancy visit once the birth is recorded).
	LapsesAt []string `json:"lapses_at,omitempty"`
}

// Outcomes of a visit contact.
const (
	MethodHome       = "home"        // 入户随访
	MethodPhone      = "phone"       // 电话随访
	MethodNotReached = "not_reached" // 未联系上
)

// NotReachedReasons are the reasons an officer picks when nobody was reached.
var NotReachedReasons = []Option{
	{"away", "外出不在家"}, {"no_answer", "电话无人接听"}, {"wrong_number", "电话号码有误"},
	{"declined", "本人不愿接受随访"}, {"moved", "已搬离"}, {"other", "其他"},
}

// ProcedureTypes are the family-planning procedures followed up after.
var ProcedureTypes = []Option{
	{"iud_insertion", "放置宫内节育器"}, {"iud_removal", "取出宫内节育器"},
	{"female_sterilisation", "输卵管绝育术"}, {"male_sterilisation", "输精管绝育术"},
	{"induced_abortion", "人工流产"},
}

// ProcedureMethod is the contraceptive method a procedure leaves its
// person with ("none" after an IUD removal until another is chosen), or ""
// when the procedure says nothing about it (an induced abortion).
func ProcedureMethod(procedure string) string {
	switch procedure {
	case "iud_insertion":
		return "iud"
	case "iud_removal":
		return "none"
	case "female_sterilisation", "male_sterilisation":
		return procedure
	}
	return ""
}

// PrePregItems are the service items of the free pre-pregnancy check.
var PrePregItems = []Option{
	{"education", "优生健康教育"}, {"history", "病史询问"}, {"physical", "体格检查"},
	{"gynae", "妇科检查"}, {"leucorrhoea", "白带常规检查"}, {"gonorrhoea", "淋球菌检测"},
	{"chlamydia", "沙眼衣原体检测"}, {"blood", "血液常规检验"}, {"urine", "尿液常规检验"},
	{"blood_type", "血型（ABO、Rh）"}, {"glucose", "血清葡萄糖测定"}, {"liver", "肝功能检测"},
	{"hepatitis_b", "乙型肝炎血清学五项检测"}, {"kidney", "肾功能检测"}, {"thyroid", "甲状腺功能检测"},
	{"syphilis", "梅毒螺旋体筛查"}, {"torch", "风疹病毒、巨细胞病毒、弓形体检测"},
	{"ultrasound", "妇科超声常规检查"}, {"risk", "风险评估和咨询指导"},
}

// ScreeningDiagnoses are the coded diagnoses of screening cases; the
// lesions marked treat need treatment.
var ScreeningDiagnoses = []Option{
	{"none", "未见病变"}, {"cin1", "CIN1（宫颈低级别病变）"}, {"cin2", "CIN2"}, {"cin3", "CIN3"},
	{"cervical_cancer", "宫颈癌"}, {"breast_benign", "乳腺良性病变"}, {"breast_cancer", "乳腺癌"},
	{"other", "其他"},
}

// treatedDiagnoses need treatment; the treatment rate's denominator counts them.
var treatedDiagnoses = []string{"cin2", "cin3", "cervical_cancer", "breast_cancer"}

var yesNo = []Option{{"yes", "是"}, {"no", "否"}}

func note() Field { return Field{Name: "note", Label: "备注", Kind: "text"} }

func required(name, label, kind string, opts ...Option) Field {
	return Field{Name: name, Label: label, Kind: kind, Required: true, Options: opts}
}

func optional(name, label, kind string, opts ...Option) Field {
	return Field{Name: name, Label: label, Kind: kind, Options: opts}
}

// programs is every program, in menu order.
var programs = []Program{
	{
		Code: BirthReg, Name: "生育登记", Subject: SubjectParent,
		Basis: "《人口与计划生育法》（2021年修正）；生育登记服务不设审批，不限孩次",
		Stages: []Stage{
			{Code: "registered", Name: "已登记", Closes: true, CodeField: "kind", Fields: []Field{
				required("kind", "登记类型", "choice", Option{"pregnancy", "怀孕登记"}, Option{"birth", "出生登记"}),
				optional("expected_date", "预产期", "date"),
				optional("birth_date", "出生日期", "date"),
				optional("partner_name", "配偶姓名", "text"),
				optional("address", "现居住地址", "text"),
				note(),
			}},
		},
	},
	{
		Code: PrePreg, Name: "孕前优生健康检查", Subject: SubjectCouple,
		Basis: "国家免费孕前优生健康检查项目（2013年起全国实施），19项服务",
		Stages: []Stage{
			{Code: "enrolled", Name: "登记（知情同意）", Next: []string{"examined", "closed"}, Fields: []Field{
				optional("partner_name", "丈夫姓名", "text"), note()}},
			{Code: "examined", Name: "检查", Next: []string{"assessed", "closed"}, Fields: []Field{
				required("items", "已完成的检查项目", "choices", PrePregItems...), note()}},
			{Code: "assessed", Name: "风险评估", Next: []string{"counselled", "closed"}, CodeField: "risk", Fields: []Field{
				required("risk", "风险评估结果", "choice", Option{"low", "低风险"}, Option{"high", "高风险"}),
				optional("risk_factors", "风险因素", "text"), note()}},
			{Code: "counselled", Name: "咨询指导", Next: []string{"early_followup", "closed"}, Fields: []Field{
				required("advice", "指导意见", "text"), note()}},
			{Code: "early_followup", Name: "早孕随访", Next: []string{"early_followup", "outcome_followup", "closed"}, CodeField: "pregnant", Fields: []Field{
				required("pregnant", "是否怀孕", "choice", yesNo...),
				optional("expected_date", "预产期", "date"), note()}},
			{Code: "outcome_followup", Name: "妊娠结局随访", Next: []string{"closed"}, Closes: true, CodeField: "outcome", Fields: []Field{
				required("outcome", "妊娠结局", "choice", Option{"live_birth", "活产"}, Option{"stillbirth", "死胎死产"},
					Option{"miscarriage", "自然流产"}, Option{"induced", "人工流产或引产"}, Option{"ectopic", "异位妊娠"}, Option{"other", "其他"}),
				optional("outcome_date", "结局日期", "date"), optional("birth_defect", "出生缺陷", "choice", yesNo...), note()}},
			closedStage(),
		},
		Visits: []VisitRule{
			{Kind: "early_pregnancy", Name: "早孕随访", Anchor: "counselled", Months: 3, Window: 30, DoneBy: "early_followup",
				LapsesAt: []string{"outcome_followup", "closed"}},
			{Kind: "pregnancy_outcome", Name: "妊娠结局随访", Anchor: "early_followup", AnchorField: "expected_date", When: []string{"yes"},
				Days: 30, Window: 30, DoneBy: "outcome_followup", LapsesAt: []string{"closed"}},
		},
	},
	{
		Code: Pregnancy, Name: "孕产期随访", Subject: SubjectWoman,
		Basis: "孕产期保健：至少每两个月随访一次直至分娩，分娩后产后访视",
		Stages: []Stage{
			{Code: "registered", Name: "孕期建档", Next: []string{"delivered", "ended", "closed"}, Fields: []Field{
				optional("last_period", "末次月经", "date"), optional("expected_date", "预产期", "date"), note()}},
			{Code: "delivered", Name: "分娩", Next: []string{"closed"}, CodeField: "outcome", Fields: []Field{
				required("outcome", "分娩结局", "choice", Option{"live_birth", "活产"}, Option{"stillbirth", "死胎死产"}),
				optional("place", "分娩地点", "text"), note()}},
			{Code: "ended", Name: "妊娠终止", Next: []string{"closed"}, Closes: true, CodeField: "outcome", Fields: []Field{
				required("outcome", "终止原因", "choice", Option{"miscarriage", "自然流产"}, Option{"induced", "人工流产或引产"},
					Option{"ectopic", "异位妊娠"}, Option{"other", "其他"}), note()}},
			closedStage(),
		},
		Visits: []VisitRule{
			{Kind: "antenatal", Name: "孕期随访", Anchor: "opened", Months: 2, Window: 14, RepeatUntil: "delivered",
				LapsesAt: []string{"delivered", "ended", "closed"}},
			{Kind: "postpartum", Name: "产后访视", Anchor: "delivered", Days: 7, Window: 21, LapsesAt: []string{"closed"}},
		},
	},
	{
		Code: PostOp, Name: "术后随访", Subject: SubjectPerson,
		Basis: "计划生育手术后第1周、1个月、3个月、6个月随访",
		Stages: []Stage{
			{Code: "procedure", Name: "手术登记", Next: []string{"closed"}, CodeField: "procedure_type", Fields: []Field{
				required("procedure_type", "手术类型", "choice", ProcedureTypes...),
				optional("institution", "手术机构", "text"), note()}},
			closedStage(),
		},
		Visits: []VisitRule{
			{Kind: "week1", Name: "术后1周随访", Anchor: "procedure", Days: 7, Window: 7, LapsesAt: []string{"closed"}},
			{Kind: "month1", Name: "术后1个月随访", Anchor: "procedure", Months: 1, Window: 14, LapsesAt: []string{"closed"}},
			{Kind: "month3", Name: "术后3个月随访", Anchor: "procedure", Months: 3, Window: 30, LapsesAt: []string{"closed"}},
			{Kind: "month6", Name: "术后6个月随访", Anchor: "procedure", Months: 6, Window: 30, LapsesAt: []string{"closed"}},
		},
	},
	{
		Code: Screening, Name: "妇女病及两癌筛查", Subject: SubjectWoman,
		Basis: "农村妇女宫颈癌、乳腺癌检查项目：检查→结果→阳性或可疑→进一步检查→诊断→治疗→结案",
		Stages: []Stage{
			{Code: "examined", Name: "已检查", Next: []string{"result", "closed"}, Fields: []Field{
				required("items", "检查项目", "choices", Option{"tct", "宫颈细胞学（TCT）"}, Option{"hpv", "HPV检测"},
					Option{"breast_us", "乳腺超声"}, Option{"mammography", "乳腺X线"}, Option{"gynae", "妇科检查"}),
				note()}},
			{Code: "result", Name: "结果", Next: []string{"further_exam", "closed"}, CodeField: "result", ClosesWhen: []string{"normal"},
				Fields: []Field{required("result", "筛查结果", "choice", Option{"normal", "未见异常"}, Option{"suspicious", "可疑"},
					Option{"positive", "阳性"}), note()}},
			{Code: "further_exam", Name: "进一步检查", Next: []string{"diagnosis", "closed"}, Fields: []Field{
				required("exam", "检查方式", "choice", Option{"colposcopy", "阴道镜"}, Option{"biopsy", "活检"},
					Option{"breast_imaging", "乳腺影像复查"}, Option{"other", "其他"}), note()}},
			{Code: "diagnosis", Name: "诊断", Next: []string{"treatment", "closed"}, CodeField: "diagnosis",
				ClosesWhen: []string{"none", "breast_benign", "cin1", "other"},
				Fields:     []Field{required("diagnosis", "诊断结果", "choice", ScreeningDiagnoses...), note()}},
			{Code: "treatment", Name: "治疗", Next: []string{"closed"}, Closes: true, Fields: []Field{
				required("treatment", "治疗情况", "text"), optional("institution", "治疗机构", "text"), note()}},
			closedStage(),
		},
		Visits: []VisitRule{
			{Kind: "result", Name: "结果追踪", Anchor: "examined", Days: 30, Window: 0, DoneBy: "result", LapsesAt: []string{"closed"}},
			{Kind: "further_exam", Name: "进一步检查追踪", Anchor: "result", When: []string{"positive", "suspicious"}, Days: 30, Window: 0,
				DoneBy: "further_exam", LapsesAt: []string{"closed"}},
			{Kind: "diagnosis", Name: "诊断追踪", Anchor: "further_exam", Days: 30, Window: 0, DoneBy: "diagnosis", LapsesAt: []string{"closed"}},
			{Kind: "treatment", Name: "治疗追踪", Anchor: "diagnosis", When: treatedDiagnoses, Days: 30, Window: 0,
				DoneBy: "treatment", LapsesAt: []string{"closed"}},
		},
	},
}

// closedStage is the manual end of a case, with its reason.
func closedStage() Stage {
	return Stage{Code: "closed", Name: "结案", Closes: true, CodeField: "reason", Fields: []Field{
		required("reason", "结案原因", "choice", Option{"completed", "服务完成"}, Option{"moved", "迁出或失访"},
			Option{"declined", "本人不再接受服务"}, Option{"died", "死亡"}, Option{"other", "其他"}),
		note()}}
}

// Programs lists every program.
func Programs() []Program { return programs }

// ProgramOf returns the program with code, if any.
func ProgramOf(code string) (Program, bool) {
	for _, p := range programs {
		if p.Code == code {
			return p, true
		}
	}
	return Program{}, false
}

// Stage returns the stage with code, if any.
func (p Program) Stage(code string) (Stage, bool) {
	for _, s := range p.Stages {
		if s.Code == code {
			return s, true
		}
	}
	return Stage{}, false
}

// FirstStage is the stage a new case starts in.
func (p Program) FirstStage() Stage { return p.Stages[0] }

// Rule returns the visit rule of kind, if any.
func (p Program) Rule(kind string) (VisitRule, bool) {
	for _, r := range p.Visits {
		if r.Kind == kind {
			return r, true
		}
	}
	return VisitRule{}, false
}
