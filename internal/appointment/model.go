package appointment

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
		"appointment.slot_create": "新增预约时段",
		"appointment.slot_cancel": "取消预约时段",
		"appointment.book":        "预约服务",
		"appointment.cancel":      "取消预约",
		"appointment.attend":      "标记预约到场",
		"appointment.no_show":     "标记预约未到",
		"appointment.view":        "查看预约名单",
	})
}

// Kinds of service place.
const (
	Station = "station" // 服务站: a township or county service station
	Vehicle = "vehicle" // 流动服务车: visits a village or township on a date
	Home    = "home"    // 上门服务: an officer's home visits in a village
)

// Slot statuses.
const (
	SlotOpen      = "open"
	SlotCancelled = "cancelled"
)

// Booking statuses. Every status but cancelled holds a place of its slot.
const (
	Booked    = "booked"
	Cancelled = "cancelled"
	Attended  = "attended"
	NoShow    = "no_show"
)

// Option is one value of an enumeration with its Chinese label.
type Option = choice.Option

type enum = choice.List

var (
	kinds        = enum{{Value: Station, Label: "服务站"}, {Value: Vehicle, Label: "流动服务车"}, {Value: Home, Label: "上门服务"}}
	slotStatuses = enum{{Value: SlotOpen, Label: "开放"}, {Value: SlotCancelled, Label: "已取消"}}
	statuses     = enum{{Value: Booked, Label: "已预约"}, {Value: Attended, Label: "已到场"}, {Value: NoShow, Label: "未到场"}, {Value: Cancelled, Label: "已取消"}}
	// services are the usual codes; a slot may also name its service in
	// free text. Each is a service the person chooses; contraception by
	// informed choice (知情选择).
	services = enum{{Value: "prepreg_check", Label: "孕前优生检查"}, {Value: "screening", Label: "两癌筛查"},
		{Value: "contraception", Label: "避孕服务（知情选择）"}, {Value: "postop", Label: "术后随访"}, {Value: "pregnancy", Label: "孕期随访"}, {Value: "other", Label: "其他"}}
)

// Enums is the answer of GET /api/v1/appointments/enums.
type Enums struct {
	Kinds        []Option `json:"kinds"`
	Services     []Option `json:"services"`
	Statuses     []Option `json:"statuses"`
	SlotStatuses []Option `json:"slot_statuses"`
}

// AllEnums returns the enumerations of this package with their labels.
func AllEnums() Enums {
	return Enums{Kinds: kinds, Services: services, Statuses: statuses, SlotStatuses: slotStatuses}
}

// ServiceLabel names a service: the label of a known code, else the free
// text itself.
func ServiceLabel(s string) string {
	if l := services.Label(s); l != "" {
		return l
	}
	return s
}

// Slot is one appointment slot as the API shows it.
type Slot struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	KindLabel    string `json:"kind_label"`
	Division     string `json:"division"`
	DivisionName string `json:"division_name"`
	Place        string `json:"place"`
	Date         string `json:"date"`
	StartTime    string `json:"start_time"`
	EndTime      string `json:"end_time"`
	Capacity     int    `json:"capacity"`
	Booked       int    `json:"booked"`
	Remaining    int    `json:"remaining"`
	Service      string `json:"service"`
	ServiceLabel string `json:"service_label"`
	Note         string `json:"note"`
	Status       string `json:"status"`
	CancelReason string `json:"cancel_reason"`
	Version      int    `json:"version"`
	CreatedBy    string `json:"created_by"`
	CreatedAt    string `json:"created_at"`
	// CanManage tells the page whether to offer cancelling the slot.
	CanManage bool `json:"can_manage"`

	path string
}

// SlotInput is the body of creating a slot, or a weekly series of slots
// when RepeatWeeks is 2 or more (the same weekday and times, one a week).
type SlotInput struct {
	Kind        string `json:"kind"`
	Division    string `json:"division"`
	Place       string `json:"place"`
	Date        string `json:"date"`
	StartTime   string `json:"start_time"`
	EndTime     string `json:"end_time"`
	Capacity    int    `json:"capacity"`
	Service     string `json:"service"`
	Note        string `json:"note"`
	RepeatWeeks int    `json:"repeat_weeks"`
}

// CancelSlotInput is the body of cancelling a slot with its bookings.
type CancelSlotInput struct {
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// SlotFilter selects slots for the list page.
type SlotFilter struct {
	From, To string // dates, inclusive; From defaults to today, To to From + 13 days
	Kind     string
	Status   string
	Division string // slots at exactly this division (a station's township), optional
	Page     int
	Size     int
}

// Booking is one booking as the API shows it: the person by name and
// masked ID number, with the slot's date, times and place.
type Booking struct {
	ID           int64  `json:"id"`
	SlotID       int64  `json:"slot_id"`
	PersonID     int64  `json:"person_id"`
	Name         string `json:"name"`
	Sex          string `json:"sex"`
	IDNumber     string `json:"id_number"`
	Service      string `json:"service"`
	ServiceLabel string `json:"service_label"`
	Note         string `json:"note"`
	Status       string `json:"status"`
	StatusLabel  string `json:"status_label"`
	CancelReason string `json:"cancel_reason"`
	Kind         string `json:"kind"`
	Date         string `json:"date"`
	StartTime    string `json:"start_time"`
	EndTime      string `json:"end_time"`
	Place        string `json:"place"`
	Division     string `json:"division"`
	DivisionName string `json:"division_name"`
	Version      int    `json:"version"`
	CreatedBy    string `json:"created_by"`
	CreatedAt    string `json:"created_at"`
	UpdatedBy    string `json:"updated_by"`
	UpdatedAt    string `json:"updated_at"`
}

// BookInput is the body of booking a person into a slot. RequestKey is
// made by the client once per booking attempt (once per dialog opening):
// sending it again returns the first booking instead of a second one.
type BookInput struct {
	PersonID   int64  `json:"person_id"`
	Service    string `json:"service"`
	Note       string `json:"note"`
	RequestKey string `json:"request_key"`
}

// CancelInput is the body of cancelling a booking.
type CancelInput struct {
	Reason string `json:"reason"`
}

// ScheduleSlot is one slot of a day's schedule with the bookings the
// caller may see.
type ScheduleSlot struct {
	Slot     Slot      `json:"slot"`
	Bookings []Booking `json:"bookings"`
}

// Schedule is a day's schedule (日程表).
type Schedule struct {
	Date  string         `json:"date"`
	Slots []ScheduleSlot `json:"slots"`
}

// CountRow counts bookings of one service by status.
type CountRow struct {
	Service      string `json:"service"`
	ServiceLabel string `json:"service_label"`
	Booked       int    `json:"booked"`
	Attended     int    `json:"attended"`
	NoShow       int    `json:"no_show"`
	Cancelled    int    `json:"cancelled"`
	Total        int    `json:"total"`
}

// Counts are booking figures of a period for reports: by service and
// status, with the totals.
type Counts struct {
	From  string     `json:"from"`
	To    string     `json:"to"`
	Rows  []CountRow `json:"rows"`
	Total CountRow   `json:"total"`
}

const dateLayout = "2006-01-02"

// Limits.
const (
	maxCapacity    = 200
	maxRepeatWeeks = 52
	maxPlace       = 100
	maxService     = 50
	maxNote        = 200
	maxReason      = 200
	maxAheadDays   = 366 // how far ahead the first slot of a series may lie
	maxRangeDays   = 366 // longest date range of a list or count
	defaultDays    = 14  // the list's default range, two weeks from today
)

// parseClock reads a time of day "HH:MM" (or "H:MM") and returns it in the
// stored fixed-width form, which orders as text the way times do.
func parseClock(field, label, s string) (string, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	bad := apperr.InvalidField(field, label+"格式应为 HH:MM（如 08:30）")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 || !digits(h) || !digits(m) {
		return "", bad
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 23 || mm > 59 {
		return "", apperr.InvalidField(field, label+"应在 00:00 到 23:59 之间")
	}
	return twoDigits(hh) + ":" + twoDigits(mm), nil
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseDate reads a real calendar date "YYYY-MM-DD".
func parseDate(field, label, s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil {
		return t, apperr.InvalidField(field, label+"格式应为 YYYY-MM-DD，且须是真实日期")
	}
	return t, nil
}

// SeriesDates returns the dates of a weekly series: first and the same
// weekday in each of the following weeks, weeks dates in all (at least one).
func SeriesDates(first time.Time, weeks int) []string {
	weeks = max(weeks, 1)
	out := make([]string, weeks)
	for i := range out {
		out[i] = first.AddDate(0, 0, 7*i).Format(dateLayout)
	}
	return out
}

// cleanedSlot is a validated slot input and the dates it creates.
type cleanedSlot struct {
	SlotInput
	dates []string
}

// cleanSlot validates what needs no database: the kind, texts, times,
// capacity and the series' dates (none before today, the first at most a
// year ahead).
func cleanSlot(in SlotInput, today time.Time) (cleanedSlot, error) {
	c := cleanedSlot{SlotInput: in}
	trimSlot(&c.SlotInput)
	if !kinds.Has(c.Kind) {
		return c, apperr.InvalidField("kind", "服务方式应为 "+kinds.Values())
	}
	if c.Division == "" {
		return c, apperr.InvalidField("division", "请选择服务地点所在的区划")
	}
	if c.Place == "" && c.Kind == Home {
		c.Place = "入户服务"
	}
	if err := check.Text("place", "服务地点", c.Place, maxPlace, true); err != nil {
		return c, err
	}
	if err := c.cleanTimes(); err != nil {
		return c, err
	}
	if c.Capacity < 1 || c.Capacity > maxCapacity {
		return c, apperr.InvalidField("capacity", "名额应为 1 到 "+strconv.Itoa(maxCapacity)+" 之间的整数")
	}
	var err error
	if c.Service, err = cleanService(c.Service, true); err != nil {
		return c, err
	}
	if err := check.Text("note", "备注", c.Note, maxNote, false); err != nil {
		return c, err
	}
	return c, c.cleanDates(today)
}

func trimSlot(in *SlotInput) {
	for _, s := range []*string{&in.Kind, &in.Division, &in.Place, &in.Date, &in.StartTime, &in.EndTime, &in.Service, &in.Note} {
		*s = strings.TrimSpace(*s)
	}
}

func (c *cleanedSlot) cleanTimes() error {
	var err error
	if c.StartTime, err = parseClock("start_time", "开始时间", c.StartTime); err != nil {
		return err
	}
	if c.EndTime, err = parseClock("end_time", "结束时间", c.EndTime); err != nil {
		return err
	}
	if c.EndTime <= c.StartTime {
		return apperr.InvalidField("end_time", "结束时间应晚于开始时间 "+c.StartTime)
	}
	return nil
}

func (c *cleanedSlot) cleanDates(today time.Time) error {
	first, err := parseDate("date", "日期", c.Date)
	if err != nil {
		return err
	}
	if first.Before(today) {
		return apperr.InvalidField("date", "日期不能早于今天 "+today.Format(dateLayout))
	}
	if first.After(today.AddDate(0, 0, maxAheadDays)) {
		return apperr.InvalidField("date", "日期不能晚于一年以后")
	}
	if c.RepeatWeeks < 0 || c.RepeatWeeks > maxRepeatWeeks {
		return apperr.InvalidField("repeat_weeks", "重复周数应为 0 到 "+strconv.Itoa(maxRepeatWeeks)+" 之间的整数（0 或 1 表示不重复）")
	}
	c.Date = first.Format(dateLayout)
	c.dates = SeriesDates(first, c.RepeatWeeks)
	return nil
}

// cleanService checks a service: a known code or a short free text.
func cleanService(s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return s, apperr.InvalidField("service", "请填写服务项目")
	}
	return s, check.Text("service", "服务项目", s, maxService, false)
}

// cleanBook validates a booking request.
func cleanBook(in BookInput) (BookInput, error) {
	in.RequestKey, in.Note = strings.TrimSpace(in.RequestKey), strings.TrimSpace(in.Note)
	if !validRequestKey(in.RequestKey) {
		return in, apperr.InvalidField("request_key", "请求编号 request_key 应为 8 到 64 位字母、数字、- 或 _（每次打开预约窗口生成一次）")
	}
	if in.PersonID <= 0 {
		return in, apperr.InvalidField("person_id", "请选择预约的人员")
	}
	var err error
	if in.Service, err = cleanService(in.Service, false); err != nil {
		return in, err
	}
	return in, check.Text("note", "备注", in.Note, maxNote, false)
}

func validRequestKey(k string) bool {
	if len(k) < 8 || len(k) > 64 {
		return false
	}
	for _, r := range k {
		ok := r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

// cleanReason validates the reason of a cancellation.
func cleanReason(s string) (string, error) {
	s = strings.TrimSpace(s)
	return s, check.Text("reason", "取消原因", s, maxReason, true)
}

// dateRange validates a list's or count's date range; empty from means
// today and empty to means from + defaultDays - 1 when defaults are wanted.
func dateRange(from, to string, today time.Time, defaults bool) (string, string, error) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" && defaults {
		from = today.Format(dateLayout)
	}
	if from == "" {
		return "", "", apperr.InvalidField("from", "请填写开始日期")
	}
	f, err := parseDate("from", "开始日期", from)
	if err != nil {
		return "", "", err
	}
	if to == "" && defaults {
		to = f.AddDate(0, 0, defaultDays-1).Format(dateLayout)
	}
	if to == "" {
		return "", "", apperr.InvalidField("to", "请填写结束日期")
	}
	t, err := parseDate("to", "结束日期", to)
	if err != nil {
		return "", "", err
	}
	if t.Before(f) {
		return "", "", apperr.InvalidField("to", "结束日期不能早于开始日期")
	}
	if t.After(f.AddDate(0, 0, maxRangeDays)) {
		return "", "", apperr.InvalidField("to", "日期范围不能超过一年")
	}
	return f.Format(dateLayout), t.Format(dateLayout), nil
}

// pathDepth is the level of a division path: "/34/3415/341523/" is 3 (a
// county); the root "/" of the operator at the command line is 0.
func pathDepth(path string) int {
	return max(strings.Count(path, "/")-1, 0)
}

// ancestorPaths lists the paths strictly above path, nearest last:
// "/34/3415/" gives "/34/". A slot there is visible from below.
func ancestorPaths(path string) []string {
	var out []string
	for i := 1; i < len(path)-1; i++ {
		if path[i] == '/' {
			out = append(out, path[:i+1])
		}
	}
	return out
}

// chinaToday returns today's civil date in China.
func chinaToday(now time.Time) time.Time {
	y, m, d := now.In(chinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// chinaTime is the one zone of China, as the audit journal reads times.
var chinaTime = audit.ChinaTime
