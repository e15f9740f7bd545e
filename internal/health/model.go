package health

import (
	"time"

	"jisheng/internal/audit"
)

func init() {
	audit.RegisterActions(map[string]string{
		"health.case_open":   "新建服务个案",
		"health.step":        "登记服务环节",
		"health.reopen":      "重新打开个案",
		"health.view":        "查看健康服务记录",
		"health.contact":     "登记随访",
		"health.reschedule":  "调整随访日期",
		"health.card_issue":  "发放服务卡",
		"health.card_revoke": "注销服务卡",
		"health.card_lookup": "刷服务卡查询",
		"health.task_set":    "设置年度任务数",
		"health.assign":      "分派随访",
	})
}

// CaseInput opens a case.
type CaseInput struct {
	Program   string         `json:"program"`
	PersonID  int64          `json:"person_id"`
	PartnerID *int64         `json:"partner_id,omitempty"`
	Date      string         `json:"date"`
	Fields    map[string]any `json:"fields"`
	// RequestKey is chosen by the client once per form: a retried or
	// double-tapped submission returns the case the first one created.
	RequestKey string `json:"request_key"`
}

// StepInput records a stage reached.
type StepInput struct {
	Stage      string         `json:"stage"`
	Date       string         `json:"date"`
	Fields     map[string]any `json:"fields"`
	RequestKey string         `json:"request_key"`
}

// ReopenInput reopens a closed case.
type ReopenInput struct {
	Reason string `json:"reason"`
}

// Case is a service episode as lists show it: no health details.
type Case struct {
	ID          int64  `json:"id"`
	Program     string `json:"program"`
	ProgramName string `json:"program_name"`
	PersonID    int64  `json:"person_id"`
	Name        string `json:"name"`
	IDNumber    string `json:"id_number"` // masked
	PartnerID   *int64 `json:"partner_id,omitempty"`
	PartnerName string `json:"partner_name,omitempty"`
	Division    string `json:"division"`
	Village     string `json:"village"`
	Stage       string `json:"stage"`
	StageName   string `json:"stage_name"`
	Status      string `json:"status"`
	OpenedOn    string `json:"opened_on"`
	ClosedOn    string `json:"closed_on,omitempty"`
	RegNo       string `json:"reg_no,omitempty"`
	NextDue     string `json:"next_due,omitempty"`
	Version     int    `json:"version"`
	CreatedBy   string `json:"created_by"`
	path        string
}

// CaseDetail is a case with its history: reading it is audited.
type CaseDetail struct {
	Case
	// Place names the serving village with its county and township
	// ("舒城县 城关镇 东苑社区居委会"), for printed records.
	Place  string  `json:"place"`
	Steps  []Step  `json:"steps"`
	Visits []Visit `json:"visits"`
}

// Step is one recorded stage with its details.
type Step struct {
	ID         int64          `json:"id"`
	Stage      string         `json:"stage"`
	StageName  string         `json:"stage_name"`
	Date       string         `json:"date"`
	Code       string         `json:"code,omitempty"`
	Fields     map[string]any `json:"fields"`
	RecordedBy string         `json:"recorded_by"`
	CreatedAt  string         `json:"created_at"`
}

// Visit is one scheduled visit or due step.
type Visit struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"case_id"`
	Program    string    `json:"program"`
	Kind       string    `json:"kind"`
	KindName   string    `json:"kind_name"`
	Seq        int       `json:"seq"`
	DueOn      string    `json:"due_on"`
	PlannedOn  string    `json:"planned_on"`
	Window     int       `json:"window_days"`
	Status     string    `json:"status"`
	DoneOn     string    `json:"done_on,omitempty"`
	Method     string    `json:"method,omitempty"`
	LapsedOn   string    `json:"lapsed_on,omitempty"`
	Timeliness string    `json:"timeliness"`
	ByStep     string    `json:"by_step,omitempty"` // the stage that completes it, for due steps
	AssignedTo string    `json:"assigned_to,omitempty"`
	Contacts   []Contact `json:"contacts,omitempty"`
	Version    int       `json:"version"`
}

// Contact is one attempt to reach the person for a visit.
type Contact struct {
	ID         int64  `json:"id"`
	Date       string `json:"date"`
	Method     string `json:"method"`
	Reason     string `json:"reason,omitempty"`
	Note       string `json:"note,omitempty"`
	RecordedBy string `json:"recorded_by"`
	CreatedAt  string `json:"created_at"`
}

// ContactInput records the outcome of a visit in one tap.
type ContactInput struct {
	Method     string `json:"method"` // home, phone, not_reached
	Date       string `json:"date"`   // default today
	Reason     string `json:"reason"` // required when not reached
	Note       string `json:"note"`
	RequestKey string `json:"request_key"`
}

// RescheduleInput moves a visit's planned date; its due date stays.
type RescheduleInput struct {
	Date    string `json:"date"`
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// WorkItem is a row of a work list: a visit with its person, masked.
type WorkItem struct {
	VisitID     int64  `json:"visit_id"`
	CaseID      int64  `json:"case_id"`
	Program     string `json:"program"`
	ProgramName string `json:"program_name"`
	Kind        string `json:"kind"`
	KindName    string `json:"kind_name"`
	ByStep      string `json:"by_step,omitempty"`
	PersonID    int64  `json:"person_id"`
	Name        string `json:"name"`
	IDNumber    string `json:"id_number"`
	Phone       string `json:"phone"`
	Division    string `json:"division"` // the serving village's code
	Village     string `json:"village"`
	DueOn       string `json:"due_on"`
	PlannedOn   string `json:"planned_on"`
	Bucket      string `json:"bucket"` // overdue, today, week, later
	DaysLate    int    `json:"days_late"`
	Attempts    int    `json:"attempts"`
	AssignedTo  string `json:"assigned_to,omitempty"`
	Version     int    `json:"version"`
}

// WorkList is a page of a work list with the size of each bucket.
type WorkList struct {
	Items  []WorkItem     `json:"items"`
	Total  int            `json:"total"`
	Counts map[string]int `json:"counts"`
	Today  string         `json:"today"`
}

// WorkFilter selects a work list.
type WorkFilter struct {
	Division string
	Bucket   string // overdue, today, week, due (all three), all
	Program  string
	// Officer narrows to one officer's list: the visits assigned to them,
	// and the unassigned ones in their area.
	Officer string
	Page    int
	Size    int
}

// CaseFilter selects cases.
type CaseFilter struct {
	Program  string
	Division string
	Status   string
	Q        string
	PersonID int64
	Page     int
	Size     int
}

// Card is a service card (一卡通).
type Card struct {
	CardNo    string `json:"card_no"`
	PersonID  int64  `json:"person_id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	IssuedOn  string `json:"issued_on"`
	RevokedOn string `json:"revoked_on,omitempty"`
}

// CardInput issues a card; CardNo empty means the system numbers it.
type CardInput struct {
	PersonID int64  `json:"person_id"`
	CardNo   string `json:"card_no"`
}

// ServiceRecord is everything done for one person: what a station sees
// after reading the person's card.
type ServiceRecord struct {
	PersonID int64        `json:"person_id"`
	Name     string       `json:"name"`
	Sex      string       `json:"sex"`
	Birth    string       `json:"birth_date"`
	IDNumber string       `json:"id_number"`
	Village  string       `json:"village"`
	Card     *Card        `json:"card,omitempty"`
	Cases    []CaseDetail `json:"cases"`
}

// TaskInput sets an annual task number.
type TaskInput struct {
	Division string `json:"division"`
	Year     int    `json:"year"`
	Program  string `json:"program"`
	Number   int    `json:"number"`
}

// chinaToday is the calendar date in China at now.
func chinaToday(now time.Time) string {
	return now.In(audit.ChinaTime).Format(time.DateOnly)
}
