package benefit

// Program codes.
const (
	JiangFu   = "jiangfu"     // 农村部分计划生育家庭奖励扶助
	TeFu      = "tefu"        // 计划生育家庭特别扶助
	OnlyChild = "only_child"  // 独生子女父母奖励
	Childcare = "childcare"   // 育儿补贴
	LocalGirl = "local_girls" // 县级自定项目（示例：关爱女孩助学）
)

// Program is one benefit line. Subject says whom a decision is about: a
// parent ("person") or a child ("child", paid to a parent who applies).
type Program struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Basis   string `json:"basis"`
	// Local programs are defined by a county; their criteria are parameters.
	Local bool `json:"local"`
	eval  func(f Facts, p *Params, date string) result
}

// Programs lists every program in menu order.
func Programs() []Program { return programs }

// ProgramOf returns the program with code.
func ProgramOf(code string) (Program, bool) {
	for _, p := range programs {
		if p.Code == code {
			return p, true
		}
	}
	return Program{}, false
}

var programs = []Program{
	{Code: JiangFu, Name: "农村部分计划生育家庭奖励扶助", Subject: "person", eval: evalJiangFu,
		Basis: "《农村部分计划生育家庭奖励扶助制度试点方案》（2004年）及其后标准调整"},
	{Code: TeFu, Name: "计划生育家庭特别扶助", Subject: "person", eval: evalTeFu,
		Basis: "计划生育家庭特别扶助制度；2022年7月1日起的扶助标准"},
	{Code: OnlyChild, Name: "独生子女父母奖励", Subject: "person", eval: evalOnlyChild,
		Basis: "各省人口与计划生育条例（发放标准和年限由省规定）"},
	{Code: Childcare, Name: "育儿补贴", Subject: "child", eval: evalChildcare,
		Basis: "《育儿补贴制度实施方案》（2025年）"},
	{Code: LocalGirl, Name: "关爱女孩助学（县级项目示例）", Subject: "person", Local: true, eval: evalLocal,
		Basis: "县级自定项目：条件和金额均为参数，由县卫健局按本县文件设置"},
}

// builtin are the national values each program starts from; provinces and
// counties add layers over them (benefit_params) without changing code.
var builtin = []Param{
	{JiangFu, "min_birth", "", "2004-01-01", "1933-01-01", "试点方案：1933年1月1日以后出生"},
	{JiangFu, "min_age", "", "2004-01-01", "60", "试点方案：年满60周岁"},
	{JiangFu, "hukou", "", "2004-01-01", "agricultural", "试点方案：农村居民（农业户口）"},
	{JiangFu, "annual_amount", "", "2004-01-01", "60000", "试点方案：每人每年不低于600元"},
	{JiangFu, "annual_amount", "", "2009-01-01", "72000", "2009年起每人每年不低于720元"},
	{JiangFu, "annual_amount", "", "2012-01-01", "96000", "2012年起每人每年不低于960元"},

	{TeFu, "min_birth", "", "2007-01-01", "1933-01-01", "特别扶助制度：1933年1月1日以后出生"},
	{TeFu, "min_woman_age", "", "2007-01-01", "49", "特别扶助制度：女方年满49周岁（单亲家庭为本人）"},
	{TeFu, "disability_levels", "", "2007-01-01", "1,2,3", "独生子女伤残等级一至三级"},
	{TeFu, "death_monthly", "", "2022-07-01", "59000", "2022年7月1日起：独生子女死亡家庭每人每月590元"},
	{TeFu, "disability_monthly", "", "2022-07-01", "46000", "2022年7月1日起：独生子女伤残家庭每人每月460元"},
	{TeFu, "complication_1_monthly", "", "2022-07-01", "52000", "计划生育手术并发症一级每人每月520元"},
	{TeFu, "complication_2_monthly", "", "2022-07-01", "39000", "计划生育手术并发症二级每人每月390元"},
	{TeFu, "complication_3_monthly", "", "2022-07-01", "26000", "计划生育手术并发症三级每人每月260元"},

	{OnlyChild, "monthly_amount", "", "1980-01-01", "1000", "示例默认值（每月10元），须按本省条例设置"},
	{OnlyChild, "until_child_age", "", "1980-01-01", "18", "示例默认值（至子女18周岁），须按本省条例设置"},

	{Childcare, "start", "", "2025-01-01", "2025-01-01", "育儿补贴自2025年1月1日起实施"},
	{Childcare, "annual_amount", "", "2025-01-01", "360000", "每孩每年3600元"},
	{Childcare, "until_age", "", "2025-01-01", "3", "发放至婴幼儿满3周岁"},

	{LocalGirl, "sex", "", "2025-01-01", "female", "县级项目示例：女孩"},
	{LocalGirl, "min_age", "", "2025-01-01", "6", "县级项目示例：6周岁以上"},
	{LocalGirl, "max_age", "", "2025-01-01", "18", "县级项目示例：不满18周岁"},
	{LocalGirl, "hukou", "", "2025-01-01", "agricultural", "县级项目示例：农业户口"},
	{LocalGirl, "only_daughters", "", "2025-01-01", "yes", "县级项目示例：纯女户"},
	{LocalGirl, "annual_amount", "", "2025-01-01", "50000", "县级项目示例：每人每年500元"},
}

// init gives every program its objection window (公示期), which a
// province or county may lengthen.
func init() {
	for _, p := range programs {
		builtin = append(builtin, Param{p.Code, "objection_days", "", "2004-01-01", "7", "公示期不少于7天"})
	}
}
