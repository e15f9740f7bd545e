package main

import (
	"jisheng/internal/auth"
	"jisheng/internal/health"
	"jisheng/internal/httpx"
)

// healthRoutes are the health-service endpoints of the route table. Every
// read of a person's health record is journaled by the service.
func healthRoutes(a *app) []httpx.Route {
	h := health.NewHandlers(a.health)
	return []httpx.Route{
		{Pattern: "GET /api/v1/health/programs", Perm: auth.PermHealthRead, Handler: health.ServePrograms, Summary: "服务项目的环节、字段和随访规则", Tag: "health", Out: health.Catalog{}},
		{Pattern: "GET /api/v1/health/cases", Perm: auth.PermHealthRead, Handler: h.ListCases, Summary: "服务个案列表（不含健康详情）", Tag: "health", Out: httpx.List[health.Case]{}, Query: []string{"program", "division", "status", "q", "person_id", "page", "size"}},
		{Pattern: "POST /api/v1/health/cases", Perm: auth.PermHealthWrite, Handler: h.OpenCase, Summary: "新建服务个案（生育登记即时登记，不审批；带 request_key 防重复提交）", Tag: "health", In: health.CaseInput{}, Out: health.Case{}},
		{Pattern: "GET /api/v1/health/cases/{id}", Perm: auth.PermHealthRead, Handler: h.GetCase, Summary: "服务个案详情（记入审计）", Tag: "health", Out: health.CaseDetail{}},
		{Pattern: "POST /api/v1/health/cases/{id}/steps", Perm: auth.PermHealthWrite, Handler: h.RecordStep, Summary: "登记个案的下一环节或结案", Tag: "health", In: health.StepInput{}, Out: health.CaseDetail{}},
		{Pattern: "POST /api/v1/health/cases/{id}/reopen", Perm: auth.PermHealthWrite, Handler: h.Reopen, Summary: "重新打开已结案个案（须说明原因，记入审计）", Tag: "health", In: health.ReopenInput{}, Out: health.CaseDetail{}},
		{Pattern: "GET /api/v1/health/worklist", Perm: auth.PermHealthRead, Handler: h.WorkList, Summary: "随访工作清单：逾期、今天、本周；mine=1 或 officer=用户名 只看某位专干的", Tag: "health", Out: health.WorkList{}, Query: []string{"division", "bucket", "program", "mine", "officer", "page", "size"}},
		{Pattern: "POST /api/v1/health/visits/{id}/contacts", Perm: auth.PermHealthWrite, Handler: h.RecordContact, Summary: "登记随访结果：入户、电话或未联系上（带 request_key 防重复提交）", Tag: "health", In: health.ContactInput{}, Out: health.Visit{}},
		{Pattern: "POST /api/v1/health/visits/{id}/reschedule", Perm: auth.PermHealthWrite, Handler: h.Reschedule, Summary: "调整随访日期（应随访日期不变）", Tag: "health", In: health.RescheduleInput{}, Out: health.Visit{}},
		{Pattern: "POST /api/v1/health/visits/{id}/assign", Perm: auth.PermHealthWrite, Handler: h.Assign, Summary: "把随访分派给负责的专干（username 为空则交回本村）", Tag: "health", In: health.AssignInput{}, Out: health.Visit{}},
		{Pattern: "GET /api/v1/health/persons/{id}/record", Perm: auth.PermHealthRead, Handler: h.PersonRecord, Summary: "个人服务档案（记入审计）", Tag: "health", Out: health.ServiceRecord{}},
		{Pattern: "POST /api/v1/health/cards", Perm: auth.PermHealthWrite, Handler: h.IssueCard, Summary: "发放服务卡（一卡通）", Tag: "health", In: health.CardInput{}, Out: health.Card{}},
		{Pattern: "GET /api/v1/health/cards/{no}", Perm: auth.PermHealthRead, Handler: h.LookupCard, Summary: "刷卡查询服务档案（全县通用，记入审计）", Tag: "health", Out: health.ServiceRecord{}},
		{Pattern: "POST /api/v1/health/cards/{no}/revoke", Perm: auth.PermHealthWrite, Handler: h.RevokeCard, Summary: "注销服务卡（遗失、损坏）", Tag: "health", In: health.ReopenInput{}, Out: health.Card{}},
		{Pattern: "GET /api/v1/health/figures", Perm: auth.PermStatsRead, Handler: h.Figures, Summary: "健康服务统计：孕前优生完成率和覆盖率、随访及时率、筛查、手术", Tag: "health", Out: health.Figures{}, Query: []string{"division", "from", "to"}},
		{Pattern: "PUT /api/v1/health/tasks", Perm: auth.PermHealthWrite, Handler: h.SetTask, Summary: "设置孕前优生健康检查年度任务数（县级）", Tag: "health", In: health.TaskInput{}, Out: health.TaskInput{}},
	}
}
