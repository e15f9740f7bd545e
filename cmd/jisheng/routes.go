package main

import (
	"net/http"

	"jisheng/internal/account"
	"jisheng/internal/appointment"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/bankfile"
	"jisheng/internal/benefit"
	"jisheng/internal/division"
	"jisheng/internal/floating"
	"jisheng/internal/health"
	"jisheng/internal/httpx"
	"jisheng/internal/importer"
	"jisheng/internal/quality"
	"jisheng/internal/registry"
	"jisheng/internal/stats"
	"jisheng/internal/supply"
)

// routes is the route table of the API: every endpoint, who may call it,
// and what the API document says about it.
func routes(a *app) []httpx.Route {
	acc := account.NewHandlers(a.accounts)
	reg := registry.NewHandlers(a.registry)
	div := division.NewHandlers(a.db, a.journal)
	aud := audit.NewHandlers(a.db, a.journal)
	flo := floating.NewHandlers(a.floating)
	imp := importer.NewHandlers(importer.New(a.db, a.registry), a.importLimit)
	dq := quality.NewHandlers(a.quality)
	hs := health.NewHandlers(a.health)
	sup := supply.NewHandlers(a.supply)
	apt := appointment.NewHandlers(a.appoint)
	ben := benefit.NewHandlers(a.benefit)
	st := stats.NewHandlers(stats.NewService(a.db, a.journal, nil))
	const (
		S  = httpx.Signed
		P  = httpx.Public
		SA = httpx.SignedAnyPassword
	)
	return []httpx.Route{
		{Pattern: "GET /healthz", Access: P, Handler: healthz, Summary: "健康检查", Tag: "system", Out: healthStatus{}},
		{Pattern: "GET /api/v1/openapi.json", Access: P, Handler: nil, Summary: "接口文档（OpenAPI 3.1）", Tag: "system"},
		{Pattern: "GET /api/v1/meta/enums", Access: P, Handler: registry.ServeEnums, Summary: "枚举值及中文名称", Tag: "system", Out: registry.Enums{}},

		{Pattern: "POST /api/v1/login", Access: P, Handler: acc.Login, Summary: "登录", Tag: "session", In: account.Credentials{}, Out: account.LoginAnswer{}},
		{Pattern: "POST /api/v1/logout", Access: SA, Handler: acc.Logout, Summary: "退出登录", Tag: "session"},
		{Pattern: "GET /api/v1/me", Access: SA, Handler: acc.Me, Summary: "当前用户", Tag: "session", Out: account.Me{}},
		{Pattern: "POST /api/v1/me/password", Access: SA, Handler: acc.ChangePassword, Summary: "修改本人密码", Tag: "session", In: account.PasswordChange{}},

		{Pattern: "GET /api/v1/stats/overview", Perm: auth.PermStatsRead, Handler: reg.Overview, Summary: "辖区人口概况", Tag: "registry", Out: registry.Overview{}, Query: []string{"division"}},
		{Pattern: "GET /api/v1/stats/indicators", Perm: auth.PermStatsRead, Handler: st.Catalog, Summary: "统计指标及口径（分子、分母、筛选、单位、小数位）", Tag: "stats", Out: httpx.List[stats.Indicator]{}},
		{Pattern: "GET /api/v1/stats/report", Perm: auth.PermStatsRead, Handler: st.Report, Summary: "统计报表：区划及其下级在某期间的全部指标（期间：2026、2026-03、2026-Q1、2026-H1、2026-SY）", Tag: "stats", Out: stats.Report{}, Query: []string{"division", "period", "indicators"}},
		{Pattern: "GET /api/v1/stats/trend", Perm: auth.PermStatsRead, Handler: st.Trend, Summary: "逐月趋势：期间内每个月的指标值（1 至 6 项指标）", Tag: "stats", Out: stats.Trend{}, Query: []string{"division", "period", "indicators"}},
		{Pattern: "GET /api/v1/stats/report/xlsx", Perm: auth.PermStatsRead, Handler: st.ReportXLSX, Summary: "统计报表 .xlsx（标题、填报单位、统计期间、填报日期）", Tag: "stats", Query: []string{"division", "period", "indicators"}},
		{Pattern: "POST /api/v1/stats/filings", Perm: auth.PermStatsFile, Handler: st.Generate, Summary: "生成本级某期统计报表（报告期结束后；已上报或已接收的不能重新生成）", Tag: "stats", In: stats.FilingInput{}, Out: stats.Filing{}},
		{Pattern: "GET /api/v1/stats/filings/waiting", Perm: auth.PermStatsRead, Handler: st.Waiting, Summary: "待我接收：直属下级已上报、尚未退回或接收的报表", Tag: "stats", Out: httpx.List[stats.Filing]{}},
		{Pattern: "GET /api/v1/stats/filings/{id}", Perm: auth.PermStatsRead, Handler: st.Filing, Summary: "上报报表（快照、状态和处理记录）", Tag: "stats", Out: stats.Filing{}},
		{Pattern: "POST /api/v1/stats/filings/{id}/act", Perm: auth.PermStatsFile, Handler: st.Act, Summary: "报表处理：本级 review（审核）、submit（上报）；上一级 return（退回，须理由）、accept（接收后锁定）；须带 version", Tag: "stats", In: stats.ActInput{}, Out: stats.Filing{}},
		{Pattern: "GET /api/v1/stats/filings/{id}/differences", Perm: auth.PermStatsRead, Handler: st.Differences, Summary: "按现有记录重算，与上报快照不一致的数字（快照不变）", Tag: "stats", Out: httpx.List[stats.Difference]{}},
		{Pattern: "GET /api/v1/stats/board", Perm: auth.PermStatsRead, Handler: st.Board, Summary: "上报进度：本级及下级某期报表的状态、截止日期和是否逾期", Tag: "stats", Out: stats.Board{}, Query: []string{"division", "period"}},
		{Pattern: "GET /api/v1/stats/report/pdf", Perm: auth.PermStatsRead, Handler: st.ReportPDF, Summary: "统计报表 PDF（打印用，中文字体）", Tag: "stats", Query: []string{"division", "period", "indicators"}},
		{Pattern: "GET /api/v1/stats/filings/{id}/pdf", Perm: auth.PermStatsRead, Handler: st.FilingPDF, Summary: "上报报表快照 PDF（注明状态）", Tag: "stats"},
		{Pattern: "GET /api/v1/stats/records", Perm: auth.PermRegistryRead, Handler: st.Records, Summary: "某个数字背后的记录（已脱敏；条数等于该数字）", Tag: "stats", Out: stats.RecordPage{}, Query: []string{"indicator", "term", "division", "period", "by", "key", "at", "page", "size"}},
		{Pattern: "GET /api/v1/stats/population", Perm: auth.PermStatsRead, Handler: reg.Population, Summary: "某日的户籍人口和居住人口（默认今天）", Tag: "events", Out: registry.Population{}, Query: []string{"division", "date"}},

		{Pattern: "GET /api/v1/divisions/{code}", Perm: auth.PermStatsRead, Handler: div.Get, Summary: "区划及其上级", Tag: "division", Out: division.Detail{}},
		{Pattern: "GET /api/v1/divisions/{code}/children", Perm: auth.PermStatsRead, Handler: div.Children, Summary: "下级区划", Tag: "division", Out: httpx.List[division.Division]{}},
		{Pattern: "POST /api/v1/divisions/{code}/groups", Perm: auth.PermDivisionManage, Handler: div.AddGroup, Summary: "新增村民小组", Tag: "division", In: division.GroupInput{}, Out: division.Division{}},

		{Pattern: "GET /api/v1/persons", Perm: auth.PermRegistryRead, Handler: reg.ListPersons, Summary: "查询人员（姓名前缀、身份证号、区划）", Tag: "registry", Out: httpx.List[registry.Person]{}, Query: []string{"q", "id_number", "division", "page", "size"}},
		{Pattern: "GET /api/v1/persons/export", Perm: auth.PermRegistryRead, Handler: reg.ExportPersons, Summary: "导出人员名单（.xlsx/.csv；默认脱敏，full=1 导出完整号码须有查看完整号码权限，记入审计）", Tag: "registry", Query: []string{"q", "id_number", "division", "format", "full"}},
		{Pattern: "POST /api/v1/persons", Perm: auth.PermRegistryWrite, Handler: reg.CreatePerson, Summary: "新增人员", Tag: "registry", In: registry.PersonInput{}, Out: registry.Person{}},
		{Pattern: "GET /api/v1/persons/{id}", Perm: auth.PermRegistryRead, Handler: reg.GetPerson, Summary: "人员详情", Tag: "registry", Out: registry.Person{}},
		{Pattern: "PUT /api/v1/persons/{id}", Perm: auth.PermRegistryWrite, Handler: reg.UpdatePerson, Summary: "修改人员（须带 version）", Tag: "registry", In: registry.PersonInput{}, Out: registry.Person{}},
		{Pattern: "GET /api/v1/persons/{id}/sensitive", Perm: auth.PermRegistryUnmask, Handler: reg.RevealPerson, Summary: "查看完整身份证号和电话（记入审计）", Tag: "registry", Out: registry.Sensitive{}},
		{Pattern: "GET /api/v1/households", Perm: auth.PermRegistryRead, Handler: reg.ListHouseholds, Summary: "查询户", Tag: "registry", Out: httpx.List[registry.Household]{}, Query: []string{"q", "division", "page", "size"}},
		{Pattern: "GET /api/v1/households/export", Perm: auth.PermRegistryRead, Handler: reg.ExportHouseholds, Summary: "导出户名单（.xlsx/.csv，记入审计）", Tag: "registry", Query: []string{"q", "division", "format"}},
		{Pattern: "POST /api/v1/households", Perm: auth.PermRegistryWrite, Handler: reg.CreateHousehold, Summary: "新增户", Tag: "registry", In: registry.HouseholdInput{}, Out: registry.Household{}},
		{Pattern: "GET /api/v1/households/{id}", Perm: auth.PermRegistryRead, Handler: reg.GetHousehold, Summary: "户及成员", Tag: "registry", Out: registry.Household{}},
		{Pattern: "PUT /api/v1/households/{id}", Perm: auth.PermRegistryWrite, Handler: reg.UpdateHousehold, Summary: "修改户地址（须带 version）", Tag: "registry", In: registry.HouseholdInput{}, Out: registry.Household{}},

		{Pattern: "GET /api/v1/persons/{id}/events", Perm: auth.PermRegistryRead, Handler: reg.ListEvents, Summary: "人员事件记录（含已更正、已作废的记录）", Tag: "events", Out: httpx.List[registry.Event]{}},
		{Pattern: "POST /api/v1/persons/{id}/events", Perm: auth.PermRegistryWrite, Handler: reg.RecordEvent, Summary: "登记人员事件或更正（corrects）、作废（kind=void）已有事件", Tag: "events", In: registry.EventInput{}, Out: registry.Event{}},
		{Pattern: "POST /api/v1/events/birth", Perm: auth.PermRegistryWrite, Handler: reg.RecordBirth, Summary: "出生登记（同时新建人员）", Tag: "events", In: registry.EventInput{}, Out: registry.Event{}},
		{Pattern: "GET /api/v1/persons/{id}/state", Perm: auth.PermRegistryRead, Handler: reg.PersonState, Summary: "人员在某日的状态（默认今天）", Tag: "events", Out: registry.PersonState{}, Query: []string{"date"}},
		{Pattern: "GET /api/v1/separation", Perm: auth.PermRegistryRead, Handler: reg.ListSeparated, Summary: "人户分离名单：away 户在人不在，present 人在户不在", Tag: "events", Out: httpx.List[registry.Separated]{}, Query: []string{"division", "kind", "page", "size"}},
		{Pattern: "GET /api/v1/separation/counts", Perm: auth.PermStatsRead, Handler: reg.SeparationCounts, Summary: "人户分离人数（本区划及各下级区划）", Tag: "events", Out: registry.SeparationCounts{}, Query: []string{"division"}},

		{Pattern: "GET /api/v1/import/guide", Perm: auth.PermRegistryWrite, Handler: imp.Guide, Summary: "导入文件的列、示例和填写说明", Tag: "import", Out: importer.Guide{}, Query: []string{"type"}},
		{Pattern: "GET /api/v1/import/template", Perm: auth.PermRegistryWrite, Handler: imp.Template, Summary: "下载导入模板（.xlsx 或 .csv）", Tag: "import", Query: []string{"type", "format"}},
		{Pattern: "POST /api/v1/import/jobs", Perm: auth.PermRegistryWrite, Handler: imp.Start, Summary: "上传文件开始预检或导入（multipart，字段 file）", Tag: "import", Out: importer.Job{}, Query: []string{"type", "dry_run"}},
		{Pattern: "GET /api/v1/import/jobs/{id}", Perm: auth.PermRegistryWrite, Handler: imp.Get, Summary: "导入任务的进度和结果", Tag: "import", Out: importer.Job{}},
		{Pattern: "GET /api/v1/import/jobs/{id}/errors", Perm: auth.PermRegistryWrite, Handler: imp.Errors, Summary: "下载错误报告（原始行加错误原因）", Tag: "import", Query: []string{"format"}},

		{Pattern: "GET /api/v1/floating/enums", Perm: auth.PermRegistryRead, Handler: floating.ServeEnums, Summary: "流动人口枚举值及中文名称", Tag: "floating", Out: floating.Enums{}},
		{Pattern: "GET /api/v1/floating", Perm: auth.PermRegistryRead, Handler: flo.List, Summary: "查询流动人口登记（流出/流入）", Tag: "floating", Out: httpx.List[floating.Entry]{}, Query: []string{"direction", "division", "q", "status", "page", "size"}},
		{Pattern: "POST /api/v1/floating", Perm: auth.PermRegistryWrite, Handler: flo.Create, Summary: "新增流动人口登记", Tag: "floating", In: floating.EntryInput{}, Out: floating.Entry{}},
		{Pattern: "GET /api/v1/floating/{id}", Perm: auth.PermRegistryRead, Handler: flo.Get, Summary: "流动人口登记详情", Tag: "floating", Out: floating.Entry{}},
		{Pattern: "PUT /api/v1/floating/{id}", Perm: auth.PermRegistryWrite, Handler: flo.Update, Summary: "修改流动人口登记（须带 version）", Tag: "floating", In: floating.EntryInput{}, Out: floating.Entry{}},
		{Pattern: "POST /api/v1/floating/{id}/end", Perm: auth.PermRegistryWrite, Handler: flo.End, Summary: "结束流动人口登记（须带 version）", Tag: "floating", In: floating.EndInput{}, Out: floating.Entry{}},
		{Pattern: "GET /api/v1/floating/{id}/sensitive", Perm: auth.PermRegistryUnmask, Handler: flo.Reveal, Summary: "查看流动人口完整身份证号和电话（记入审计）", Tag: "floating", Out: floating.Sensitive{}},
		{Pattern: "GET /api/v1/floating/{id}/contacts", Perm: auth.PermRegistryRead, Handler: flo.Contacts, Summary: "联系服务记录", Tag: "floating", Out: httpx.List[floating.Contact]{}},
		{Pattern: "POST /api/v1/floating/{id}/contacts", Perm: auth.PermRegistryWrite, Handler: flo.AddContact, Summary: "新增联系服务记录（只增不改，更正须新增记录）", Tag: "floating", In: floating.ContactInput{}, Out: floating.Contact{}},
		{Pattern: "GET /api/v1/floating/exchange/export", Perm: auth.PermRegistryUnmask, Handler: flo.Export, Summary: "导出给外县的流动人口交换文件（含完整身份证号，记入审计）", Tag: "floating", Query: []string{"county", "format"}},
		{Pattern: "POST /api/v1/floating/exchange/import", Perm: auth.PermRegistryWrite, Handler: flo.Import, Summary: "导入外县交换文件：核对（dry_run=1）或核对并应用（dry_run=0）；multipart，字段 file", Tag: "floating", Out: floating.ImportReport{}, Query: []string{"county", "dry_run", "village", "report"}},

		{Pattern: "GET /api/v1/users", Perm: auth.PermUsersManage, Handler: acc.ListUsers, Summary: "查询用户", Tag: "users", Out: httpx.List[account.User]{}, Query: []string{"q", "page", "size"}},
		{Pattern: "GET /api/v1/users/export", Perm: auth.PermUsersManage, Handler: acc.ExportUsers, Summary: "导出用户名单（.xlsx/.csv，记入审计）", Tag: "users", Query: []string{"q", "format"}},
		{Pattern: "POST /api/v1/users", Perm: auth.PermUsersManage, Handler: acc.CreateUser, Summary: "新增用户", Tag: "users", In: account.NewUser{}, Out: account.User{}},
		{Pattern: "GET /api/v1/users/{id}", Perm: auth.PermUsersManage, Handler: acc.GetUser, Summary: "用户详情", Tag: "users", Out: account.User{}},
		{Pattern: "PUT /api/v1/users/{id}", Perm: auth.PermUsersManage, Handler: acc.UpdateUser, Summary: "修改用户（须带 version）", Tag: "users", In: account.UserUpdate{}, Out: account.User{}},
		{Pattern: "POST /api/v1/users/{id}/password", Perm: auth.PermUsersManage, Handler: acc.ResetPassword, Summary: "重置用户密码", Tag: "users", In: account.PasswordReset{}},
		{Pattern: "POST /api/v1/users/{id}/unlock", Perm: auth.PermUsersManage, Handler: acc.Unlock, Summary: "解锁用户", Tag: "users"},

		{Pattern: "GET /api/v1/audit", Perm: auth.PermAuditRead, Handler: aud.List, Summary: "审计日志", Tag: "audit", Out: httpx.List[audit.View]{}, Query: []string{"user", "entity", "entity_id", "action", "from", "to", "page", "size"}},
		{Pattern: "GET /api/v1/audit/export", Perm: auth.PermAuditRead, Handler: aud.Export, Summary: "导出审计日志（.xlsx/.csv，记入审计）", Tag: "audit", Query: []string{"user", "entity", "entity_id", "action", "from", "to", "format"}},
		{Pattern: "GET /api/v1/audit/verify", Perm: auth.PermAuditRead, Handler: aud.Verify, Summary: "校验审计日志哈希链", Tag: "audit", Out: audit.VerifyResult{}},

		{Pattern: "GET /api/v1/quality/findings", Perm: auth.PermRegistryRead, Handler: dq.ListFindings, Summary: "数据质量问题清单（可按区划、规则筛选）", Tag: "quality", Out: httpx.List[quality.Finding]{}, Query: []string{"division", "rule", "page", "size"}},
		{Pattern: "GET /api/v1/quality/summary", Perm: auth.PermStatsRead, Handler: dq.Summary, Summary: "数据质量概况：信息完整率、身份证号准确率、各规则问题数（含下级区划）", Tag: "quality", Out: quality.Summary{}, Query: []string{"division"}},
		{Pattern: "GET /api/v1/quality/ranking", Perm: auth.PermStatsRead, Handler: dq.Ranking, Summary: "数据质量排名（村或乡镇）", Tag: "quality", Out: quality.Ranking{}, Query: []string{"division", "level"}},
		{Pattern: "POST /api/v1/quality/recompute", Perm: auth.PermStatsRead, Handler: dq.Recompute, Summary: "重新计算辖区全部数据质量问题（县级管理员）", Tag: "quality", Out: quality.Result{}},
		{Pattern: "GET /api/v1/quality/recompute", Perm: auth.PermStatsRead, Handler: dq.RecomputeStatus, Summary: "重新计算的进度和上次结果", Tag: "quality", Out: quality.Progress{}},

		{Pattern: "GET /api/v1/health/programs", Perm: auth.PermHealthRead, Handler: health.ServePrograms, Summary: "服务项目的环节、字段和随访规则", Tag: "health", Out: health.Catalog{}},
		{Pattern: "GET /api/v1/health/cases", Perm: auth.PermHealthRead, Handler: hs.ListCases, Summary: "服务个案列表（不含健康详情）", Tag: "health", Out: httpx.List[health.Case]{}, Query: []string{"program", "division", "status", "q", "person_id", "page", "size"}},
		{Pattern: "POST /api/v1/health/cases", Perm: auth.PermHealthWrite, Handler: hs.OpenCase, Summary: "新建服务个案（生育登记即时登记，不审批；带 request_key 防重复提交）", Tag: "health", In: health.CaseInput{}, Out: health.Case{}},
		{Pattern: "GET /api/v1/health/cases/{id}", Perm: auth.PermHealthRead, Handler: hs.GetCase, Summary: "服务个案详情（记入审计）", Tag: "health", Out: health.CaseDetail{}},
		{Pattern: "POST /api/v1/health/cases/{id}/steps", Perm: auth.PermHealthWrite, Handler: hs.RecordStep, Summary: "登记个案的下一环节或结案", Tag: "health", In: health.StepInput{}, Out: health.CaseDetail{}},
		{Pattern: "POST /api/v1/health/cases/{id}/reopen", Perm: auth.PermHealthWrite, Handler: hs.Reopen, Summary: "重新打开已结案个案（须说明原因，记入审计）", Tag: "health", In: health.ReopenInput{}, Out: health.CaseDetail{}},
		{Pattern: "GET /api/v1/health/worklist", Perm: auth.PermHealthRead, Handler: hs.WorkList, Summary: "随访工作清单：逾期、今天、本周；mine=1 或 officer=用户名 只看某位专干的", Tag: "health", Out: health.WorkList{}, Query: []string{"division", "bucket", "program", "mine", "officer", "page", "size"}},
		{Pattern: "POST /api/v1/health/visits/{id}/contacts", Perm: auth.PermHealthWrite, Handler: hs.RecordContact, Summary: "登记随访结果：入户、电话或未联系上（带 request_key 防重复提交）", Tag: "health", In: health.ContactInput{}, Out: health.Visit{}},
		{Pattern: "POST /api/v1/health/visits/{id}/reschedule", Perm: auth.PermHealthWrite, Handler: hs.Reschedule, Summary: "调整随访日期（应随访日期不变）", Tag: "health", In: health.RescheduleInput{}, Out: health.Visit{}},
		{Pattern: "POST /api/v1/health/visits/{id}/assign", Perm: auth.PermHealthWrite, Handler: hs.Assign, Summary: "把随访分派给负责的专干（username 为空则交回本村）", Tag: "health", In: health.AssignInput{}, Out: health.Visit{}},
		{Pattern: "GET /api/v1/health/officers", Perm: auth.PermHealthWrite, Handler: acc.Officers, Summary: "负责某村（居）的专干，供分派随访", Tag: "health", Out: httpx.List[account.OfficerView]{}, Query: []string{"division"}},
		{Pattern: "GET /api/v1/health/persons/{id}/record", Perm: auth.PermHealthRead, Handler: hs.PersonRecord, Summary: "个人服务档案（记入审计）", Tag: "health", Out: health.ServiceRecord{}},
		{Pattern: "POST /api/v1/health/cards", Perm: auth.PermHealthWrite, Handler: hs.IssueCard, Summary: "发放服务卡（一卡通）", Tag: "health", In: health.CardInput{}, Out: health.Card{}},
		{Pattern: "GET /api/v1/health/cards/{no}", Perm: auth.PermHealthRead, Handler: hs.LookupCard, Summary: "刷卡查询服务档案（全县通用，记入审计）", Tag: "health", Out: health.ServiceRecord{}},
		{Pattern: "POST /api/v1/health/cards/{no}/revoke", Perm: auth.PermHealthWrite, Handler: hs.RevokeCard, Summary: "注销服务卡（遗失、损坏）", Tag: "health", In: health.ReopenInput{}, Out: health.Card{}},
		{Pattern: "GET /api/v1/health/figures", Perm: auth.PermStatsRead, Handler: hs.Figures, Summary: "健康服务统计：孕前优生完成率和覆盖率、随访及时率、筛查、手术", Tag: "health", Out: health.Figures{}, Query: []string{"division", "from", "to"}},
		{Pattern: "PUT /api/v1/health/tasks", Perm: auth.PermHealthWrite, Handler: hs.SetTask, Summary: "设置孕前优生健康检查年度任务数（县级）", Tag: "health", In: health.TaskInput{}, Out: health.TaskInput{}},

		{Pattern: "GET /api/v1/supply/enums", Handler: sup.ServeEnums, Summary: "药具管理枚举值（避孕方法、库点类型、流水类型）及中文名称", Tag: "supply", Out: supply.Enums{}},
		{Pattern: "GET /api/v1/supply/items", Perm: auth.PermSupplyManage, Handler: sup.Items, Summary: "药具目录", Tag: "supply", Out: httpx.List[supply.Item]{}, Query: []string{"active"}},
		{Pattern: "POST /api/v1/supply/items", Perm: auth.PermSupplyManage, Handler: sup.CreateItem, Summary: "新增药具（县级）", Tag: "supply", In: supply.ItemInput{}, Out: supply.Item{}},
		{Pattern: "PUT /api/v1/supply/items/{id}", Perm: auth.PermSupplyManage, Handler: sup.UpdateItem, Summary: "修改药具（县级，须带 version）", Tag: "supply", In: supply.ItemInput{}, Out: supply.Item{}},
		{Pattern: "GET /api/v1/supply/sites", Perm: auth.PermSupplyManage, Handler: sup.Sites, Summary: "药具库点（服务站、村级药具室、自助发放机）", Tag: "supply", Out: httpx.List[supply.Site]{}, Query: []string{"division", "kind", "q", "active", "page", "size"}},
		{Pattern: "POST /api/v1/supply/sites", Perm: auth.PermSupplyManage, Handler: sup.CreateSite, Summary: "新增药具库点", Tag: "supply", In: supply.SiteInput{}, Out: supply.Site{}},
		{Pattern: "GET /api/v1/supply/sites/{id}", Perm: auth.PermSupplyManage, Handler: sup.GetSite, Summary: "药具库点详情", Tag: "supply", Out: supply.Site{}},
		{Pattern: "PUT /api/v1/supply/sites/{id}", Perm: auth.PermSupplyManage, Handler: sup.UpdateSite, Summary: "修改药具库点名称、机器编号或启停（须带 version）", Tag: "supply", In: supply.SiteInput{}, Out: supply.Site{}},
		{Pattern: "GET /api/v1/supply/stock", Perm: auth.PermSupplyManage, Handler: sup.Stock, Summary: "库存（按库点和批号，含效期状态）", Tag: "supply", Out: httpx.List[supply.StockRow]{}, Query: []string{"division", "site_id", "item_id", "status", "days", "empty", "page", "size"}},
		{Pattern: "GET /api/v1/supply/moves", Perm: auth.PermSupplyManage, Handler: sup.Moves, Summary: "药具流水（只增不改，不含领取人信息）", Tag: "supply", Out: httpx.List[supply.Move]{}, Query: []string{"site_id", "item_id", "kind", "source", "from", "to", "page", "size"}},
		{Pattern: "POST /api/v1/supply/receipts", Perm: auth.PermSupplyManage, Handler: sup.Receipt, Summary: "入库（上级配发或供应商）", Tag: "supply", In: supply.ReceiptInput{}, Out: supply.OpResult{}},
		{Pattern: "POST /api/v1/supply/transfers", Perm: auth.PermSupplyManage, Handler: sup.Transfer, Summary: "调拨/出库到下级库点（未指定批号时先到期先出）", Tag: "supply", In: supply.TransferInput{}, Out: supply.OpResult{}},
		{Pattern: "POST /api/v1/supply/stocktakes", Perm: auth.PermSupplyManage, Handler: sup.Stocktake, Summary: "盘点：按实盘数生成调整流水（有差异须填原因）", Tag: "supply", In: supply.StocktakeInput{}, Out: supply.OpResult{}},
		{Pattern: "POST /api/v1/supply/dispense", Perm: auth.PermHealthWrite, Handler: sup.Dispense, Summary: "发放到人（记录知情选择的避孕方法）", Tag: "supply", In: supply.DispenseInput{}, Out: supply.OpResult{}},
		{Pattern: "POST /api/v1/supply/moves/{id}/reverse", Perm: auth.PermSupplyManage, Handler: sup.Reverse, Summary: "冲正一条流水（新增反向流水，原流水保留）", Tag: "supply", In: supply.ReverseInput{}, Out: supply.OpResult{}},
		{Pattern: "GET /api/v1/supply/machine-logs/template", Perm: auth.PermSupplyManage, Handler: sup.LogTemplate, Summary: "下载自助发放机日志模板（.xlsx 或 .csv）", Tag: "supply", Query: []string{"format"}},
		{Pattern: "POST /api/v1/supply/machine-logs/import", Perm: auth.PermSupplyManage, Handler: sup.ImportLog, Summary: "导入自助发放机日志：预检（dry_run=1）或导入（dry_run=0）；multipart，字段 file；重复导入自动跳过", Tag: "supply", Out: supply.LogReport{}, Query: []string{"dry_run"}},
		{Pattern: "GET /api/v1/supply/alerts", Perm: auth.PermSupplyManage, Handler: sup.Alerts, Summary: "低库存和近效期/已过期预警", Tag: "supply", Out: supply.Alerts{}, Query: []string{"division", "site_id", "days"}},
		{Pattern: "GET /api/v1/supply/persons/{id}/methods", Perm: auth.PermHealthRead, Handler: sup.PersonMethods, Summary: "个人避孕方法登记和药具发放记录（记入审计）", Tag: "supply", Out: supply.PersonMethods{}},
		{Pattern: "POST /api/v1/supply/persons/{id}/methods", Perm: auth.PermHealthWrite, Handler: sup.RecordMethod, Summary: "登记个人知情选择的避孕方法（结束原方法）", Tag: "supply", In: supply.OfficerMethodInput{}, Out: supply.MethodUse{}},
		{Pattern: "GET /api/v1/supply/figures/methods", Perm: auth.PermHealthRead, Handler: sup.MethodFigures, Summary: "某日各避孕方法的使用人数", Tag: "supply", Out: supply.MethodCounts{}, Query: []string{"division", "date"}},
		{Pattern: "GET /api/v1/supply/figures/dispensed", Perm: auth.PermStatsRead, Handler: sup.DispensedFigures, Summary: "期间内各药具发放数量（扣除冲正）", Tag: "supply", Out: supply.DispensedTotals{}, Query: []string{"division", "from", "to"}},

		{Pattern: "GET /api/v1/appointments/enums", Perm: auth.PermHealthRead, Handler: appointment.ServeEnums, Summary: "预约服务枚举值及中文名称", Tag: "appointment", Out: appointment.Enums{}},
		{Pattern: "GET /api/v1/appointments/slots", Perm: auth.PermHealthRead, Handler: apt.ListSlots, Summary: "查询预约时段（日期范围，含剩余名额）", Tag: "appointment", Out: httpx.List[appointment.Slot]{}, Query: []string{"from", "to", "kind", "status", "division", "page", "size"}},
		{Pattern: "POST /api/v1/appointments/slots", Perm: auth.PermHealthWrite, Handler: apt.CreateSlots, Summary: "新增预约时段（repeat_weeks≥2 时每周重复，全部成功或全部不建）", Tag: "appointment", In: appointment.SlotInput{}, Out: httpx.List[appointment.Slot]{}},
		{Pattern: "GET /api/v1/appointments/slots/{id}", Perm: auth.PermHealthRead, Handler: apt.GetSlot, Summary: "预约时段详情", Tag: "appointment", Out: appointment.Slot{}},
		{Pattern: "POST /api/v1/appointments/slots/{id}/cancel", Perm: auth.PermHealthWrite, Handler: apt.CancelSlot, Summary: "取消时段及其全部未服务的预约（须带 version 和原因）", Tag: "appointment", In: appointment.CancelSlotInput{}, Out: appointment.Slot{}},
		{Pattern: "GET /api/v1/appointments/slots/{id}/bookings", Perm: auth.PermHealthRead, Handler: apt.SlotBookings, Summary: "时段的预约名单（仅本辖区人员，记入审计）", Tag: "appointment", Out: httpx.List[appointment.Booking]{}},
		{Pattern: "POST /api/v1/appointments/slots/{id}/bookings", Perm: auth.PermHealthWrite, Handler: apt.Book, Summary: "预约（request_key 相同的重复提交返回首次的预约，200）", Tag: "appointment", In: appointment.BookInput{}, Out: appointment.Booking{}},
		{Pattern: "POST /api/v1/appointments/bookings/{id}/cancel", Perm: auth.PermHealthWrite, Handler: apt.CancelBooking, Summary: "取消预约（须填原因，释放名额）", Tag: "appointment", In: appointment.CancelInput{}, Out: appointment.Booking{}},
		{Pattern: "POST /api/v1/appointments/bookings/{id}/attend", Perm: auth.PermHealthWrite, Handler: apt.Attend, Summary: "标记到场（预约日当天或之后）", Tag: "appointment", Out: appointment.Booking{}},
		{Pattern: "POST /api/v1/appointments/bookings/{id}/no-show", Perm: auth.PermHealthWrite, Handler: apt.NoShow, Summary: "标记未到（预约日当天或之后）", Tag: "appointment", Out: appointment.Booking{}},
		{Pattern: "GET /api/v1/appointments/persons/{id}/bookings", Perm: auth.PermHealthRead, Handler: apt.PersonBookings, Summary: "人员的预约记录（记入审计）", Tag: "appointment", Out: httpx.List[appointment.Booking]{}},
		{Pattern: "GET /api/v1/appointments/schedule", Perm: auth.PermHealthRead, Handler: apt.Schedule, Summary: "某日预约日程表（可按服务站区划、服务方式筛选；记入审计）", Tag: "appointment", Out: appointment.Schedule{}, Query: []string{"date", "division", "kind"}},
		{Pattern: "GET /api/v1/appointments/counts", Perm: auth.PermStatsRead, Handler: apt.Counts, Summary: "预约人数统计（按服务项目和状态，报表用）", Tag: "appointment", Out: appointment.Counts{}, Query: []string{"from", "to"}},

		{Pattern: "GET /api/v1/benefit/programs", Perm: auth.PermBenefitRead, Handler: ben.Programs, Summary: "待遇项目及本县现行参数（金额、年龄、日期，含层级和依据）；history=1 另列本县适用各层级参数的全部版本", Tag: "benefit", Out: httpx.List[benefit.ProgramParams]{}, Query: []string{"date", "history"}},
		{Pattern: "PUT /api/v1/benefit/params", Perm: auth.PermBenefitWrite, Handler: ben.SetParam, Summary: "设置本县参数层（加发、放宽条件；已用于测算的版本不可改）", Tag: "benefit", In: benefit.Param{}, Out: benefit.Param{}},
		{Pattern: "POST /api/v1/benefit/facts", Perm: auth.PermBenefitWrite, Handler: ben.Attest, Summary: "登记核实信息（光荣证、残疾等级、并发症、1973至2001年生育情况）", Tag: "benefit", In: benefit.AttestInput{}, Out: benefit.AttestInput{}},
		{Pattern: "POST /api/v1/benefit/evaluate", Perm: auth.PermBenefitWrite, Handler: ben.Evaluate, Summary: "资格测算：是否符合、金额、逐条理由和参数版本（结果留存，记入审计）", Tag: "benefit", In: benefit.EvaluateInput{}, Out: benefit.StoredDecision{}},
		{Pattern: "POST /api/v1/benefit/sweeps", Perm: auth.PermBenefitWrite, Handler: ben.Sweep, Summary: "年度摸底：按规则在辖区内查找符合（或只缺核实信息）的对象，每人每项目每年只登记一次", Tag: "benefit", In: benefit.SweepInput{}, Out: benefit.SweepResult{}},
		{Pattern: "POST /api/v1/benefit/candidates", Perm: auth.PermBenefitWrite, Handler: ben.Apply, Summary: "登记申请（与摸底产生同样的待遇对象，附资格测算）", Tag: "benefit", In: benefit.ApplicationInput{}, Out: benefit.Candidate{}},
		{Pattern: "GET /api/v1/benefit/candidates", Perm: auth.PermBenefitRead, Handler: ben.Queue, Summary: "待遇对象；mine=1 为本人所在环节的审核队列，q 按姓名（部分）查找", Tag: "benefit", Out: httpx.List[benefit.Candidate]{}, Query: []string{"program", "year", "stage", "division", "q", "mine", "page", "size"}},
		{Pattern: "GET /api/v1/benefit/candidates/{id}", Perm: auth.PermBenefitRead, Handler: ben.GetCandidate, Summary: "待遇对象详情", Tag: "benefit", Out: benefit.Candidate{}},
		{Pattern: "POST /api/v1/benefit/candidates/{id}/review", Perm: auth.PermBenefitWrite, Handler: ben.Review, Summary: "审核：通过、驳回（须理由）、退回（须理由）或重新测算；须带 version", Tag: "benefit", In: benefit.ReviewInput{}, Out: benefit.Candidate{}},
		{Pattern: "POST /api/v1/benefit/postings", Perm: auth.PermBenefitWrite, Handler: ben.OpenPosting, Summary: "发布公示：本级等待公示的对象名单快照（姓名、身份证号脱敏），公示期按参数", Tag: "benefit", In: benefit.PostingInput{}, Out: benefit.Posting{}},
		{Pattern: "GET /api/v1/benefit/postings", Perm: auth.PermBenefitRead, Handler: ben.ListPostings, Summary: "公示列表", Tag: "benefit", Out: httpx.List[benefit.Posting]{}, Query: []string{"program", "year"}},
		{Pattern: "GET /api/v1/benefit/postings/{id}", Perm: auth.PermBenefitRead, Handler: ben.GetPosting, Summary: "公示详情（名单和未处理异议数）", Tag: "benefit", Out: benefit.Posting{}},
		{Pattern: "POST /api/v1/benefit/postings/{id}/close", Perm: auth.PermBenefitWrite, Handler: ben.ClosePosting, Summary: "公示期满且无未处理异议：名单内对象进入下一环节", Tag: "benefit", Out: benefit.Posting{}},
		{Pattern: "POST /api/v1/benefit/postings/{id}/objections", Perm: auth.PermBenefitWrite, Handler: ben.RecordObjection, Summary: "登记公示异议（可匿名）", Tag: "benefit", In: benefit.ObjectionInput{}, Out: benefit.ObjectionAnswer{}},
		{Pattern: "POST /api/v1/benefit/objections/{id}/settle", Perm: auth.PermBenefitWrite, Handler: ben.SettleObjection, Summary: "处理异议：成立则该对象退回核实、名单须重新公示", Tag: "benefit", In: benefit.SettleInput{}, Out: benefit.SettleInput{}},
		{Pattern: "GET /api/v1/public/postings/{code}", Access: P, Handler: ben.PublicPosting, Summary: "公开的公示名单（无需登录，只读，已脱敏）", Tag: "benefit", Out: benefit.Posting{}},
		{Pattern: "POST /api/v1/benefit/accounts", Perm: auth.PermBenefitWrite, Handler: ben.SetAccount, Summary: "登记发放账户（银行卡或社保卡，加密保存、脱敏显示，记入审计）", Tag: "benefit", In: benefit.AccountInput{}, Out: benefit.AccountInput{}},
		{Pattern: "POST /api/v1/benefit/cycles", Perm: auth.PermBenefitWrite, Handler: ben.GeneratePayroll, Summary: "生成发放批次（县级；同一项目同一期只生成一次，重复请求返回已有批次）", Tag: "benefit", In: benefit.CycleInput{}, Out: benefit.Cycle{}},
		{Pattern: "POST /api/v1/benefit/notices", Perm: auth.PermBenefitWrite, Handler: ben.IssueNotices, Summary: "出具书面通知（审批、未通过及理由、发放、停发）并返回本辖区该类通知，供按村批量打印", Tag: "benefit", In: benefit.NoticeRequest{}, Out: httpx.List[benefit.Notice]{}},
		{Pattern: "GET /api/v1/public/notices/{code}", Access: P, Handler: ben.VerifyNotice, Summary: "凭验证码核验书面通知真伪（无需登录）", Tag: "benefit", Out: benefit.VerifiedNotice{}},
		{Pattern: "GET /api/v1/benefit/bank-layouts", Perm: auth.PermBenefitWrite, Handler: ben.BankLayoutList, Summary: "银行代发文件和回盘文件格式（示例，须按开户行说明调整）", Tag: "benefit", Out: httpx.List[bankfile.Example]{}},
		{Pattern: "GET /api/v1/benefit/cycles/{id}/bankfile", Perm: auth.PermBenefitWrite, Handler: ben.BankFile, Summary: "下载银行代发文件（含完整账号，记入审计）", Tag: "benefit", Query: []string{"layout", "payer_name", "payer_account"}},
		{Pattern: "POST /api/v1/benefit/cycles/{id}/returns", Perm: auth.PermBenefitWrite, Handler: ben.Reconcile, Summary: "导入银行回盘：逐笔标记成功或失败（附银行原因），对不上的进入异常清单；multipart，字段 file", Tag: "benefit", Out: benefit.ReconcileReport{}, Query: []string{"layout"}},
		{Pattern: "POST /api/v1/benefit/evaluate-all", Perm: auth.PermBenefitWrite, Handler: ben.EvaluateAll, Summary: "全县各项目资格测算（县级管理员；符合或只缺核实信息者留存测算结果）", Tag: "benefit", In: benefit.EvaluateAllInput{}, Out: benefit.BulkResult{}},
		{Pattern: "PUT /api/v1/benefit/bank-layouts", Perm: auth.PermBenefitWrite, Handler: ben.SaveBankLayout, Summary: "保存本县银行代发文件和回盘文件格式（县级；JSON 格式定义，保存前校验）", Tag: "benefit", In: benefit.LayoutInput{}, Out: bankfile.Example{}},
		{Pattern: "GET /api/v1/benefit/candidates/{id}/reviews", Perm: auth.PermBenefitRead, Handler: ben.Reviews, Summary: "待遇对象的审核记录（谁、何时、何种处理、理由）", Tag: "benefit", Out: httpx.List[benefit.Review]{}},
		{Pattern: "GET /api/v1/benefit/decisions/{id}", Perm: auth.PermBenefitRead, Handler: ben.Decision, Summary: "留存的资格测算结果（逐条理由和参数版本）", Tag: "benefit", Out: benefit.StoredDecision{}},
		{Pattern: "GET /api/v1/benefit/postings/{id}/pdf", Perm: auth.PermBenefitRead, Handler: ben.PosterPDF, Summary: "公示海报 PDF（按村分页，含网上公示二维码）", Tag: "benefit"},
		{Pattern: "GET /api/v1/public/postings/{code}/pdf", Access: P, Handler: ben.PublicPosterPDF, Summary: "公开的公示海报 PDF（无需登录，已脱敏）", Tag: "benefit"},
		{Pattern: "GET /api/v1/benefit/notices/pdf", Perm: auth.PermBenefitWrite, Handler: ben.NoticesPDF, Summary: "已出具的书面通知 PDF（每人一页、按村排序，含验证码和核验二维码）", Tag: "benefit", Query: []string{"kind", "program", "year", "cycle_id"}},
		{Pattern: "POST /api/v1/benefit/candidates/{id}/payee", Perm: auth.PermBenefitWrite, Handler: ben.ChangePayee, Summary: "更换领取人（本人，或儿童项目中登记的父母）；须带 version 和理由，已生成的发放记录不变，自下一批次起生效，记入审计", Tag: "benefit", In: benefit.PayeeInput{}, Out: benefit.PayeeAnswer{}},
		{Pattern: "GET /api/v1/benefit/persons/{id}/facts", Perm: auth.PermBenefitRead, Handler: ben.PersonFacts, Summary: "人员已登记的核实信息：各项现行值和全部登记记录（记入审计）", Tag: "benefit", Out: benefit.PersonFacts{}},
		{Pattern: "GET /api/v1/benefit/persons/{id}/account", Perm: auth.PermBenefitRead, Handler: ben.PersonAccount, Summary: "人员现行发放账户（账号脱敏）；未登记时 404", Tag: "benefit", Out: benefit.PersonAccount{}},
		{Pattern: "GET /api/v1/benefit/cycles", Perm: auth.PermBenefitRead, Handler: ben.Cycles, Summary: "发放批次列表", Tag: "benefit", Out: httpx.List[benefit.Cycle]{}, Query: []string{"program"}},
	}
}

type healthStatus struct {
	Status string `json:"status"`
}

func healthz(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, healthStatus{Status: "ok"})
}
