package main

import (
	"net/http"

	"jisheng/internal/account"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/division"
	"jisheng/internal/floating"
	"jisheng/internal/httpx"
	"jisheng/internal/importer"
	"jisheng/internal/quality"
	"jisheng/internal/registry"
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
	const (
		S  = httpx.Signed
		P  = httpx.Public
		SA = httpx.SignedAnyPassword
	)
	table := []httpx.Route{
		{Pattern: "GET /healthz", Access: P, Handler: healthz, Summary: "健康检查", Tag: "system", Out: healthStatus{}},
		{Pattern: "GET /api/v1/openapi.json", Access: P, Handler: nil, Summary: "接口文档（OpenAPI 3.1）", Tag: "system"},
		{Pattern: "GET /api/v1/meta/enums", Access: P, Handler: registry.ServeEnums, Summary: "枚举值及中文名称", Tag: "system", Out: registry.Enums{}},

		{Pattern: "POST /api/v1/login", Access: P, Handler: acc.Login, Summary: "登录", Tag: "session", In: account.Credentials{}, Out: account.LoginAnswer{}},
		{Pattern: "POST /api/v1/logout", Access: SA, Handler: acc.Logout, Summary: "退出登录", Tag: "session"},
		{Pattern: "GET /api/v1/me", Access: SA, Handler: acc.Me, Summary: "当前用户", Tag: "session", Out: account.Me{}},
		{Pattern: "POST /api/v1/me/password", Access: SA, Handler: acc.ChangePassword, Summary: "修改本人密码", Tag: "session", In: account.PasswordChange{}},

		{Pattern: "GET /api/v1/stats/overview", Perm: auth.PermStatsRead, Handler: reg.Overview, Summary: "辖区人口概况", Tag: "registry", Out: registry.Overview{}, Query: []string{"division"}},
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
	}
	table = append(table, healthRoutes(a)...)
	table = append(table, supplyRoutes(a)...)
	return append(table, appointmentRoutes(a)...)
}

type healthStatus struct {
	Status string `json:"status"`
}

func healthz(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, healthStatus{Status: "ok"})
}
