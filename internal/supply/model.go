package supply

import (
	"strconv"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/check"
	"jisheng/internal/choice"
)

func init() {
	audit.RegisterActions(map[string]string{
		"supply.item_create":    "新增药具目录",
		"supply.item_update":    "修改药具目录",
		"supply.site_create":    "新增药具库点",
		"supply.site_update":    "修改药具库点",
		"supply.receipt":        "药具入库",
		"supply.transfer":       "药具调拨",
		"supply.stocktake":      "药具盘点",
		"supply.dispense":       "药具发放到人",
		"supply.reverse":        "冲正药具流水",
		"supply.machine_import": "导入自助发放机日志",
		"supply.method":         "登记避孕方法",
		"supply.person_view":    "查看个人避孕方法和药具发放记录",
	})
}

// Option is one value of an enumeration with its Chinese label.
type Option = choice.Option

type enum = choice.List

// MethodNone records that a person uses no method (or stopped one).
const MethodNone = "none"

// Sources of a method register entry.
const (
	SourceDispensing = "dispensing" // chosen when contraceptives were handed over
	SourceProcedure  = "procedure"  // IUD insertion or removal, sterilisation (health services)
	SourceOfficer    = "officer"    // told to an officer and recorded by them
)

// Kinds of a ledger move.
const (
	KindReceipt   = "receipt"
	KindTransfer  = "transfer"
	KindStocktake = "stocktake"
	KindDispense  = "dispense"
	KindReversal  = "reversal"
)

// Kinds of a site.
const (
	SiteStation = "station"
	SiteRoom    = "room"
	SiteMachine = "machine"
)

var (
	// methods are the contraceptive methods a person may choose, in the
	// order forms and figures list them.
	methods = enum{{Value: "iud", Label: "宫内节育器"}, {Value: "female_sterilisation", Label: "女性绝育"}, {Value: "male_sterilisation", Label: "男性绝育"},
		{Value: "implant", Label: "皮下埋植"}, {Value: "injection", Label: "避孕针"}, {Value: "oral", Label: "口服避孕药"}, {Value: "condom", Label: "避孕套"},
		{Value: "spermicide", Label: "外用避孕药"}, {Value: "other", Label: "其他"}, {Value: MethodNone, Label: "未避孕/停用"}}
	siteKinds = enum{{Value: SiteStation, Label: "服务站"}, {Value: SiteRoom, Label: "村级药具室"}, {Value: SiteMachine, Label: "自助发放机"}}
	moveKinds = enum{{Value: KindReceipt, Label: "入库"}, {Value: KindTransfer, Label: "调拨"}, {Value: KindStocktake, Label: "盘点调整"},
		{Value: KindDispense, Label: "发放到人"}, {Value: KindReversal, Label: "冲正"}}
	useSources  = enum{{Value: SourceDispensing, Label: "药具发放"}, {Value: SourceProcedure, Label: "手术记录"}, {Value: SourceOfficer, Label: "专干登记"}}
	expiryKinds = enum{{Value: ExpiryOK, Label: "有效"}, {Value: ExpiryNear, Label: "近效期"}, {Value: ExpiryExpired, Label: "已过期"}}
)

// Expiry statuses of a batch on a date.
const (
	ExpiryOK      = "ok"
	ExpiryNear    = "near"
	ExpiryExpired = "expired"
)

// DefaultNearDays is how many days before its expiry a batch is reported as
// near expiry unless the caller asks for another window.
const DefaultNearDays = 90

// Enums is the answer of GET /api/v1/supply/enums.
type Enums struct {
	Methods     []Option `json:"methods"`
	SiteKinds   []Option `json:"site_kinds"`
	MoveKinds   []Option `json:"move_kinds"`
	Sources     []Option `json:"sources"`
	ExpiryKinds []Option `json:"expiry_kinds"`
}

// AllEnums returns the enumerations of this package with their labels.
func AllEnums() Enums {
	return Enums{Methods: methods, SiteKinds: siteKinds, MoveKinds: moveKinds, Sources: useSources, ExpiryKinds: expiryKinds}
}

// MethodLabel is the Chinese name of a method ("" when unknown).
func MethodLabel(m string) string { return methods.Label(m) }

// Text limits, in characters.
const (
	maxName   = 60
	maxSpec   = 60
	maxUnit   = 10
	maxNote   = 500
	maxBatch  = 40
	maxCode   = 32
	maxQty    = 1_000_000
	maxLines  = 50
	maxKeyLen = 64
)

const dateLayout = "2006-01-02"

// chinaTime is the one zone of China, as the audit journal reads times.
var chinaTime = audit.ChinaTime

// chinaDate is the civil date in China of an instant, as YYYY-MM-DD: the
// day a village officer sees on the wall, whatever the server's zone.
func chinaDate(t time.Time) string { return t.In(chinaTime).Format(dateLayout) }

// addDays shifts a valid YYYY-MM-DD date by n days.
func addDays(date string, n int) string {
	t, _ := time.Parse(dateLayout, date)
	return t.AddDate(0, 0, n).Format(dateLayout)
}

// daysBetween is the number of days from a to b (negative when b is earlier).
func daysBetween(a, b string) int {
	ta, _ := time.Parse(dateLayout, a)
	tb, _ := time.Parse(dateLayout, b)
	return int(tb.Sub(ta).Hours() / 24)
}

// ExpiryStatus classifies a batch expiring on expiry as seen on today: a
// batch is usable through its expiry date, and near expiry within nearDays.
func ExpiryStatus(expiry, today string, nearDays int) string {
	switch {
	case expiry < today:
		return ExpiryExpired
	case expiry <= addDays(today, nearDays):
		return ExpiryNear
	}
	return ExpiryOK
}

// isCode reports whether s is a short code of letters, digits, '-' and '_',
// the shape catalogue and machine codes take on labels and in logs.
func isCode(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// checkDate checks an optional civil date that cannot lie after today; ""
// becomes today.
func checkDate(field, label, s, today string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return today, nil
	}
	if _, err := time.Parse(dateLayout, s); err != nil {
		return s, apperr.InvalidField(field, label+"格式应为 YYYY-MM-DD，且须是真实日期")
	}
	if s < "2000-01-01" {
		return s, apperr.InvalidField(field, label+"不能早于 2000-01-01")
	}
	if s > today {
		return s, apperr.InvalidField(field, label+"不能晚于今天")
	}
	return s, nil
}

// checkExpiry checks a batch's expiry date (any real date from 2000 on).
func checkExpiry(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return s, apperr.InvalidField(field, "请填写有效期")
	}
	if _, err := time.Parse(dateLayout, s); err != nil || s < "2000-01-01" || s > "2099-12-31" {
		return s, apperr.InvalidField(field, "有效期格式应为 YYYY-MM-DD，且须是真实日期")
	}
	return s, nil
}

// checkQty checks a positive quantity.
func checkQty(field string, n int) error {
	if n <= 0 || n > maxQty {
		return apperr.InvalidField(field, "数量应为 1 到 1000000 之间的整数")
	}
	return nil
}

// checkBatchNo checks a batch number as printed on the pack; "" is allowed
// where the caller may leave the choice of batch to FEFO.
func checkBatchNo(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	return s, check.Text(field, "批号", s, maxBatch, false)
}

// checkRequestKey checks the client's idempotency key: optional, short and
// plain, since it ends up in a unique index.
func checkRequestKey(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s != "" && !isCode(s, maxKeyLen) {
		return s, apperr.InvalidField("request_key", "request_key 应为不超过 64 位的字母、数字、- 或 _")
	}
	return s, nil
}

// lineField names a field of the i-th line of a request (lines[0].qty).
func lineField(i int, name string) string {
	return "lines[" + strconv.Itoa(i) + "]." + name
}
