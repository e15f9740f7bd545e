package registry

import (
	"slices"

	"jisheng/internal/auth"
)

// Option is one value of an enumeration with its Chinese label.
type Option struct {
	Value any    `json:"value"`
	Label string `json:"label"`
}

type enum []Option

func (e enum) has(v string) bool {
	return slices.ContainsFunc(e, func(o Option) bool { return o.Value == v })
}

func (e enum) label(v string) string {
	for _, o := range e {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

func (e enum) values() string {
	s := ""
	for i, o := range e {
		if i > 0 {
			s += "、"
		}
		s += o.Value.(string) + "（" + o.Label + "）"
	}
	return s
}

var (
	sexes = enum{{"male", "男"}, {"female", "女"}}

	hukouTypes = enum{{"agricultural", "农业"}, {"non_agricultural", "非农业"}, {"resident", "居民"}}

	maritalStatuses = enum{{"unmarried", "未婚"}, {"first_married", "初婚"}, {"remarried", "再婚"},
		{"divorced", "离婚"}, {"widowed", "丧偶"}}

	relations = enum{{"head", "户主"}, {"spouse", "配偶"}, {"child", "子女"}, {"parent", "父母"},
		{"parent_in_law", "公婆/岳父母"}, {"grandparent", "祖父母/外祖父母"}, {"grandchild", "孙子女/外孙子女"},
		{"sibling", "兄弟姐妹"}, {"child_in_law", "儿媳/女婿"}, {"other", "其他"}}

	statuses = enum{{"alive", "健在"}, {"deceased", "死亡"}, {"moved_out", "已迁出"}}

	// eventKinds are the life events (events.go); void says an event never happened.
	eventKinds = enum{{"birth", "出生"}, {"death", "死亡"}, {"first_marriage", "初婚"}, {"remarriage", "再婚"},
		{"divorce", "离婚"}, {"widowed", "丧偶"}, {"move_in", "迁入"}, {"move_out", "迁出"}, {"transfer", "县内迁户"},
		{"leave", "流出"}, {"arrive", "流入"}, {"return", "返回"}, {"adoption", "收养"}, {"void", "作废"}}

	// auditEntities are the kinds of record the journal names.
	auditEntities = enum{{"person", "人员"}, {"household", "户"}, {"floating", "流动人口登记"},
		{"health_case", "服务个案"}, {"health_visit", "随访"}, {"service_card", "服务卡"}, {"health_task", "年度任务数"},
		{"appointment_slot", "预约时段"}, {"appointment_booking", "预约"},
		{"supply", "药具流水"}, {"supply_item", "药具目录"}, {"supply_site", "药具库点"}, {"benefit_param", "待遇参数"},
		{"user", "用户"}, {"division", "区划"}, {"system", "系统"}}
)

// Ethnicities are the 56 groups of GB/T 3304 in its order, then its codes 97
// and 98 for the unrecognised and for naturalised citizens of foreign descent.
var Ethnicities = []string{"汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
	"满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
	"拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族",
	"撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族",
	"鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
	"基诺族", "其他", "外国血统中国籍人士"}

// Enums is the answer of GET /api/v1/meta/enums: every enumeration the
// client shows, with labels, so that labels live in one place.
type Enums struct {
	Sex           []Option `json:"sex"`
	HukouType     []Option `json:"hukou_type"`
	MaritalStatus []Option `json:"marital_status"`
	Relation      []Option `json:"relation"`
	Status        []Option `json:"status"`
	Ethnicity     []Option `json:"ethnicity"`
	Role          []Option `json:"role"`
	DivisionLevel []Option `json:"division_level"`
	AuditEntity   []Option `json:"audit_entity"`
	EventKind     []Option `json:"event_kind"`
}

// AllEnums assembles the enumerations.
func AllEnums() Enums {
	e := Enums{Sex: sexes, HukouType: hukouTypes, MaritalStatus: maritalStatuses, Relation: relations, Status: statuses,
		AuditEntity: auditEntities, EventKind: eventKinds}
	for _, n := range Ethnicities {
		e.Ethnicity = append(e.Ethnicity, Option{n, n})
	}
	for _, r := range auth.Roles {
		e.Role = append(e.Role, Option{string(r), r.Name()})
	}
	for i, n := range []string{"省", "市", "县", "乡镇/街道", "村/居", "村民小组"} {
		e.DivisionLevel = append(e.DivisionLevel, Option{i + 1, n})
	}
	return e
}
