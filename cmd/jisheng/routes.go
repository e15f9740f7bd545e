package main

import (
	"net/http"

	"jisheng/internal/account"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/division"
	"jisheng/internal/httpx"
	"jisheng/internal/registry"
)

// routes is the route table of the API: every endpoint, who may call it,
// and what the API document says about it.
func routes(a *app) []httpx.Route {
	acc := account.NewHandlers(a.accounts)
	reg := registry.NewHandlers(a.registry)
	div := division.NewHandlers(a.db, a.journal)
	aud := audit.NewHandlers(a.db, a.journal)
	const (
		S  = httpx.Signed
		P  = httpx.Public
		SA = httpx.SignedAnyPassword
	)
	return []httpx.Route{
		{Pattern: "GET /healthz", Access: P, Handler: healthz, Summary: "健康检查", Tag: "system", Out: health{}},
		{Pattern: "GET /api/v1/openapi.json", Access: P, Handler: nil, Summary: "接口文档（OpenAPI 3.1）", Tag: "system"},
		{Pattern: "GET /api/v1/meta/enums", Access: P, Handler: registry.ServeEnums, Summary: "枚举值及中文名称", Tag: "system", Out: registry.Enums{}},

		{Pattern: "POST /api/v1/login", Access: P, Handler: acc.Login, Summary: "登录", Tag: "session", In: account.Credentials{}, Out: account.LoginAnswer{}},
		{Pattern: "POST /api/v1/logout", Access: SA, Handler: acc.Logout, Summary: "退出登录", Tag: "session"},
		{Pattern: "GET /api/v1/me", Access: SA, Handler: acc.Me, Summary: "当前用户", Tag: "session", Out: account.Me{}},
		{Pattern: "POST /api/v1/me/password", Access: SA, Handler: acc.ChangePassword, Summary: "修改本人密码", Tag: "session", In: account.PasswordChange{}},

		{Pattern: "GET /api/v1/stats/overview", Perm: auth.PermStatsRead, Handler: reg.Overview, Summary: "辖区人口概况", Tag: "registry", Out: registry.Overview{}, Query: []string{"division"}},

		{Pattern: "GET /api/v1/divisions/{code}", Perm: auth.PermStatsRead, Handler: div.Get, Summary: "区划及其上级", Tag: "division", Out: division.Detail{}},
		{Pattern: "GET /api/v1/divisions/{code}/children", Perm: auth.PermStatsRead, Handler: div.Children, Summary: "下级区划", Tag: "division", Out: httpx.List[division.Division]{}},
		{Pattern: "POST /api/v1/divisions/{code}/groups", Perm: auth.PermDivisionManage, Handler: div.AddGroup, Summary: "新增村民小组", Tag: "division", In: division.GroupInput{}, Out: division.Division{}},

		{Pattern: "GET /api/v1/persons", Perm: auth.PermRegistryRead, Handler: reg.ListPersons, Summary: "查询人员（姓名前缀、身份证号、区划）", Tag: "registry", Out: httpx.List[registry.Person]{}, Query: []string{"q", "id_number", "division", "page", "size"}},
		{Pattern: "POST /api/v1/persons", Perm: auth.PermRegistryWrite, Handler: reg.CreatePerson, Summary: "新增人员", Tag: "registry", In: registry.PersonInput{}, Out: registry.Person{}},
		{Pattern: "GET /api/v1/persons/{id}", Perm: auth.PermRegistryRead, Handler: reg.GetPerson, Summary: "人员详情", Tag: "registry", Out: registry.Person{}},
		{Pattern: "PUT /api/v1/persons/{id}", Perm: auth.PermRegistryWrite, Handler: reg.UpdatePerson, Summary: "修改人员（须带 version）", Tag: "registry", In: registry.PersonInput{}, Out: registry.Person{}},
		{Pattern: "GET /api/v1/persons/{id}/sensitive", Perm: auth.PermRegistryUnmask, Handler: reg.RevealPerson, Summary: "查看完整身份证号和电话（记入审计）", Tag: "registry", Out: registry.Sensitive{}},
		{Pattern: "GET /api/v1/households", Perm: auth.PermRegistryRead, Handler: reg.ListHouseholds, Summary: "查询户", Tag: "registry", Out: httpx.List[registry.Household]{}, Query: []string{"q", "division", "page", "size"}},
		{Pattern: "POST /api/v1/households", Perm: auth.PermRegistryWrite, Handler: reg.CreateHousehold, Summary: "新增户", Tag: "registry", In: registry.HouseholdInput{}, Out: registry.Household{}},
		{Pattern: "GET /api/v1/households/{id}", Perm: auth.PermRegistryRead, Handler: reg.GetHousehold, Summary: "户及成员", Tag: "registry", Out: registry.Household{}},
		{Pattern: "PUT /api/v1/households/{id}", Perm: auth.PermRegistryWrite, Handler: reg.UpdateHousehold, Summary: "修改户地址（须带 version）", Tag: "registry", In: registry.HouseholdInput{}, Out: registry.Household{}},

		{Pattern: "GET /api/v1/users", Perm: auth.PermUsersManage, Handler: acc.ListUsers, Summary: "查询用户", Tag: "users", Out: httpx.List[account.User]{}, Query: []string{"q", "page", "size"}},
		{Pattern: "POST /api/v1/users", Perm: auth.PermUsersManage, Handler: acc.CreateUser, Summary: "新增用户", Tag: "users", In: account.NewUser{}, Out: account.User{}},
		{Pattern: "GET /api/v1/users/{id}", Perm: auth.PermUsersManage, Handler: acc.GetUser, Summary: "用户详情", Tag: "users", Out: account.User{}},
		{Pattern: "PUT /api/v1/users/{id}", Perm: auth.PermUsersManage, Handler: acc.UpdateUser, Summary: "修改用户（须带 version）", Tag: "users", In: account.UserUpdate{}, Out: account.User{}},
		{Pattern: "POST /api/v1/users/{id}/password", Perm: auth.PermUsersManage, Handler: acc.ResetPassword, Summary: "重置用户密码", Tag: "users", In: account.PasswordReset{}},
		{Pattern: "POST /api/v1/users/{id}/unlock", Perm: auth.PermUsersManage, Handler: acc.Unlock, Summary: "解锁用户", Tag: "users"},

		{Pattern: "GET /api/v1/audit", Perm: auth.PermAuditRead, Handler: aud.List, Summary: "审计日志", Tag: "audit", Out: httpx.List[audit.View]{}, Query: []string{"user", "entity", "entity_id", "action", "from", "to", "page", "size"}},
		{Pattern: "GET /api/v1/audit/verify", Perm: auth.PermAuditRead, Handler: aud.Verify, Summary: "校验审计日志哈希链", Tag: "audit", Out: audit.VerifyResult{}},
	}
}

type health struct {
	Status string `json:"status"`
}

func healthz(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, health{Status: "ok"})
}
