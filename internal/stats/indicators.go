package stats

// Indicators are declared here as data. Each is a count (or sum) of a
// source under filters, or a ratio of two such terms scaled and rounded
// half up (domain reference section 6). None of the indicators that lost
// their legal basis in 2021 is declared: no 计划生育率, 政策符合率,
// 计划外怀孕率, 补救率, nor any birth "within or outside plan".

// Term is a count of a source's rows (or the sum of their amounts) under
// filters. Stocks are counted at the end of the period; Average counts a
// stock at the end of the day before the period and at its end and takes
// the mean, as rates per thousand call for.
type Term struct {
	Source  string `json:"source"`
	Filters Filter `json:"filters,omitempty"`
	Sum     bool   `json:"sum,omitempty"`
	Average bool   `json:"average,omitempty"`
	// Minus is subtracted: births minus deaths for the natural growth rate.
	Minus *Term `json:"minus,omitempty"`
	// Task is an annual task set for the division (孕前优生); it has no
	// records behind it.
	Task string `json:"task,omitempty"`
}

// Filter narrows a source's rows. Empty fields do not filter. Ages are
// whole years at the date the rows are counted at (the end of the period),
// in five-year groups: AgeFrom and AgeTo are multiples of 5 minus 0 and 1
// (15 and 49).
type Filter struct {
	Sex     string   `json:"sex,omitempty"`
	Codes   []string `json:"codes,omitempty"`
	Urban   *bool    `json:"urban,omitempty"`
	AgeFrom *int     `json:"age_from,omitempty"`
	AgeTo   *int     `json:"age_to,omitempty"`
	// AgeUnknown keeps only rows without a birth date (a breakdown's "年龄不详").
	AgeUnknown bool `json:"age_unknown,omitempty"`
}

// Indicator is a figure the county reports.
type Indicator struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Group   string `json:"group"`
	Unit    string `json:"unit"` // 人, 例, 元, %, ‰, or "" for a plain ratio
	Formula string `json:"formula"`
	NumTerm Term   `json:"numerator"`
	DenTerm *Term  `json:"denominator,omitempty"`
	// Scale and Decimals make a ratio: num ÷ den × Scale, rounded half up
	// to Decimals places.
	Scale    int64 `json:"scale,omitempty"`
	Decimals int   `json:"decimals,omitempty"`
	// By breaks the numerator down: "sex", "age" (five-year groups), "code"
	// (the source's codes) or "urban".
	By []string `json:"by,omitempty"`
}

func age(n int) *int { return &n }

var (
	yes = true
	no  = false
)

var women15to49 = Filter{AgeFrom: age(15), AgeTo: age(49)}

// Groups in the order reports show them.
var groups = []string{"人口", "出生与婚姻", "避孕节育", "孕产与优生", "妇女病筛查", "随访服务", "奖励扶助", "数据质量"}

var indicators = []Indicator{
	{Code: "population", Name: "户籍人口（期末）", Group: "人口", Unit: "人", Formula: "期末在册且存活的户籍人口",
		NumTerm: Term{Source: "population"}, By: []string{"sex", "age", "urban"}},
	{Code: "births", Name: "出生人数", Group: "出生与婚姻", Unit: "人", Formula: "期内出生的活产婴儿，按出生时户籍地",
		NumTerm: Term{Source: "births"}, By: []string{"sex", "code", "urban"}},
	{Code: "births_first", Name: "一孩出生", Group: "出生与婚姻", Unit: "人", Formula: "按母亲活产孩次",
		NumTerm: Term{Source: "births", Filters: Filter{Codes: []string{"1"}}}},
	{Code: "births_second", Name: "二孩出生", Group: "出生与婚姻", Unit: "人", Formula: "按母亲活产孩次",
		NumTerm: Term{Source: "births", Filters: Filter{Codes: []string{"2"}}}},
	{Code: "births_third_plus", Name: "三孩及以上出生", Group: "出生与婚姻", Unit: "人", Formula: "按母亲活产孩次",
		NumTerm: Term{Source: "births", Filters: Filter{Codes: []string{"3"}}}},
	{Code: "births_urban", Name: "城镇出生", Group: "出生与婚姻", Unit: "人", Formula: "父母任一方为非农业户口",
		NumTerm: Term{Source: "births", Filters: Filter{Urban: &yes}}},
	{Code: "births_rural", Name: "农村出生", Group: "出生与婚姻", Unit: "人", Formula: "父母均非非农业户口",
		NumTerm: Term{Source: "births", Filters: Filter{Urban: &no}}},
	{Code: "sex_ratio_at_birth", Name: "出生人口性别比", Group: "出生与婚姻", Unit: "", Formula: "出生男婴数 ÷ 出生女婴数 × 100（女婴=100）",
		NumTerm: Term{Source: "births", Filters: Filter{Sex: "male"}}, DenTerm: &Term{Source: "births", Filters: Filter{Sex: "female"}},
		Scale: 100, Decimals: 1},
	{Code: "birth_rate", Name: "出生率", Group: "出生与婚姻", Unit: "‰", Formula: "出生人数 ÷ 平均人口 × 1000‰；平均人口 =（期初 + 期末）÷ 2",
		NumTerm: Term{Source: "births"}, DenTerm: &Term{Source: "population", Average: true}, Scale: 1000, Decimals: 2},
	{Code: "deaths", Name: "死亡人数", Group: "出生与婚姻", Unit: "人", Formula: "期内死亡，按户籍地",
		NumTerm: Term{Source: "deaths"}, By: []string{"sex"}},
	{Code: "death_rate", Name: "死亡率", Group: "出生与婚姻", Unit: "‰", Formula: "死亡人数 ÷ 平均人口 × 1000‰",
		NumTerm: Term{Source: "deaths"}, DenTerm: &Term{Source: "population", Average: true}, Scale: 1000, Decimals: 2},
	{Code: "natural_growth_rate", Name: "人口自然增长率", Group: "出生与婚姻", Unit: "‰", Formula: "（出生人数 − 死亡人数）÷ 平均人口 × 1000‰",
		NumTerm: Term{Source: "births", Minus: &Term{Source: "deaths"}}, DenTerm: &Term{Source: "population", Average: true},
		Scale: 1000, Decimals: 2},
	{Code: "marriages", Name: "结婚登记", Group: "出生与婚姻", Unit: "对", Formula: "期内登记的初婚和再婚（更正后的）",
		NumTerm: Term{Source: "marriages"}, By: []string{"code"}},
	{Code: "married_women_15_49", Name: "15至49岁已婚妇女", Group: "避孕节育", Unit: "人", Formula: "期末存活、已婚、15至49周岁的户籍妇女",
		NumTerm: Term{Source: "married_women", Filters: women15to49}},
	{Code: "contraceptive_users", Name: "落实避孕措施人数", Group: "避孕节育", Unit: "人", Formula: "15至49岁已婚妇女中期末使用避孕方法者（丈夫的方法计入妻子）",
		NumTerm: Term{Source: "contraceptive_users", Filters: women15to49}, By: []string{"code"}},
	{Code: "contraceptive_rate", Name: "综合节育率", Group: "避孕节育", Unit: "%", Formula: "落实避孕措施人数 ÷ 15至49岁已婚妇女 × 100%",
		NumTerm: Term{Source: "contraceptive_users", Filters: women15to49}, DenTerm: &Term{Source: "married_women", Filters: women15to49},
		Scale: 100, Decimals: 2},
	{Code: "procedures", Name: "计划生育手术", Group: "避孕节育", Unit: "例", Formula: "期内登记的手术（按类型）",
		NumTerm: Term{Source: "procedures"}, By: []string{"code"}},
	{Code: "abortion_birth_ratio", Name: "出生人流比", Group: "避孕节育", Unit: "", Formula: "人工流产例数 ÷ 活产数",
		NumTerm: Term{Source: "procedures", Filters: Filter{Codes: []string{"induced_abortion"}}}, DenTerm: &Term{Source: "births"},
		Scale: 1, Decimals: 2},
	{Code: "prepreg_examined", Name: "孕前优生检查夫妇", Group: "孕产与优生", Unit: "对", Formula: "期内完成检查的夫妇",
		NumTerm: Term{Source: "prepreg_examined"}},
	{Code: "prepreg_completion", Name: "孕前优生任务完成率", Group: "孕产与优生", Unit: "%", Formula: "检查夫妇 ÷ 年度任务数 × 100%",
		NumTerm: Term{Source: "prepreg_examined"}, DenTerm: &Term{Task: "prepreg"}, Scale: 100, Decimals: 2},
	{Code: "prepreg_coverage", Name: "孕前优生覆盖率", Group: "孕产与优生", Unit: "%", Formula: "检查夫妇 ÷ 计划怀孕夫妇 × 100%",
		NumTerm: Term{Source: "prepreg_examined"}, DenTerm: &Term{Source: "prepreg_enrolled"}, Scale: 100, Decimals: 2},
	{Code: "exam_rate", Name: "妇检率", Group: "妇女病筛查", Unit: "%", Formula: "受检妇女 ÷ 应检（15至49岁已婚）妇女 × 100%",
		NumTerm: Term{Source: "screening_examined", Filters: women15to49}, DenTerm: &Term{Source: "married_women", Filters: women15to49},
		Scale: 100, Decimals: 2},
	{Code: "screening_examined", Name: "筛查人数", Group: "妇女病筛查", Unit: "人", Formula: "期内已检查",
		NumTerm: Term{Source: "screening_examined"}},
	{Code: "screening_positive", Name: "阳性或可疑", Group: "妇女病筛查", Unit: "人", Formula: "结果为阳性或可疑",
		NumTerm: Term{Source: "screening_results", Filters: Filter{Codes: []string{"positive", "suspicious"}}}},
	{Code: "screening_positive_rate", Name: "筛查阳性率", Group: "妇女病筛查", Unit: "%", Formula: "阳性或可疑 ÷ 已检查 × 100%",
		NumTerm: Term{Source: "screening_results", Filters: Filter{Codes: []string{"positive", "suspicious"}}},
		DenTerm: &Term{Source: "screening_examined"}, Scale: 100, Decimals: 2},
	{Code: "screening_diagnosed", Name: "确诊人数", Group: "妇女病筛查", Unit: "人", Formula: "期内诊断",
		NumTerm: Term{Source: "screening_diagnosed"}},
	{Code: "screening_treatment_rate", Name: "治疗率", Group: "妇女病筛查", Unit: "%", Formula: "已治疗 ÷ 诊断须治疗（CIN2及以上、宫颈癌、乳腺癌）× 100%",
		NumTerm: Term{Source: "screening_treated"},
		DenTerm: &Term{Source: "screening_diagnosed", Filters: Filter{Codes: []string{"cin2", "cin3", "cervical_cancer", "breast_cancer"}}},
		Scale:   100, Decimals: 2},
	{Code: "screening_closure_rate", Name: "结案率", Group: "妇女病筛查", Unit: "%", Formula: "结案 ÷ 报告结果 × 100%",
		NumTerm: Term{Source: "screening_closed"}, DenTerm: &Term{Source: "screening_results"}, Scale: 100, Decimals: 2},
	{Code: "follow_ups_due", Name: "应随访次数", Group: "随访服务", Unit: "次", Formula: "应随访日期在期内的随访（不含到期步骤）",
		NumTerm: Term{Source: "follow_ups", Filters: Filter{Codes: []string{"on_time", "late", "missed", "pending", "lapsed"}}},
		By:      []string{"code"}},
	{Code: "follow_up_timeliness", Name: "随访及时率", Group: "随访服务", Unit: "%", Formula: "按时随访 ÷（按时 + 逾期完成 + 未随访）× 100%",
		NumTerm: Term{Source: "follow_ups", Filters: Filter{Codes: []string{"on_time"}}},
		DenTerm: &Term{Source: "follow_ups", Filters: Filter{Codes: []string{"on_time", "late", "missed"}}}, Scale: 100, Decimals: 2},
	{Code: "benefit_recipients", Name: "待遇发放人次", Group: "奖励扶助", Unit: "人次", Formula: "期内各批次发放成功的笔数（批次期间在本期内）",
		NumTerm: Term{Source: "benefit_paid"}, By: []string{"code"}},
	{Code: "benefit_amount", Name: "待遇发放金额", Group: "奖励扶助", Unit: "元", Formula: "发放成功的金额合计",
		NumTerm: Term{Source: "benefit_paid", Sum: true}, By: []string{"code"}},
	{Code: "dq_coverage", Name: "信息完整率", Group: "数据质量", Unit: "%", Formula: "必填项齐全的人员记录 ÷ 人员记录 × 100%（当前数据，与数据质量页一致）",
		NumTerm: Term{Source: "dq_records", Filters: Filter{Codes: []string{"complete"}}}, DenTerm: &Term{Source: "dq_records"},
		Scale: 100, Decimals: 2},
	{Code: "dq_id_accuracy", Name: "身份证号准确率", Group: "数据质量", Unit: "%", Formula: "有效身份证号 ÷ 有身份证号的记录 × 100%（当前数据）",
		NumTerm: Term{Source: "dq_ids", Filters: Filter{Codes: []string{"valid"}}}, DenTerm: &Term{Source: "dq_ids"},
		Scale: 100, Decimals: 2},
}

// IndicatorOf finds an indicator by code.
func IndicatorOf(code string) (Indicator, bool) {
	for _, in := range indicators {
		if in.Code == code {
			return in, true
		}
	}
	return Indicator{}, false
}

// Indicators lists every indicator in report order.
func Indicators() []Indicator { return indicators }
