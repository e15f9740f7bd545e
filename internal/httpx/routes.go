package httpx

import (
	"net/http"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
)

// Access says who may call a route.
type Access int

const (
	// Signed requires a session and Route.Perm (if set).
	Signed Access = iota
	// Public needs no session (login, health check, enumerations, API document).
	Public
	// SignedAnyPassword requires a session but stays open while the user
	// must still change an administrator-given password.
	SignedAnyPassword
)

// Route is one entry of the route table: the pattern, who may call it, the
// handler, and what the API document says about it.
type Route struct {
	Pattern string // net/http pattern, e.g. "GET /api/v1/persons/{id}"
	Access  Access
	Perm    auth.Permission // required permission for Signed routes; "" means any signed-in user
	Handler http.HandlerFunc
	Summary string // Chinese, for the API document
	Tag     string
	In      any // request body type (zero value), for the API document
	Out     any // response body type (zero value), for the API document
	Query   []string
}

// Authenticator finds the principal of a request from its session, or
// returns an *apperr.Error with code Unauthorized.
type Authenticator func(r *http.Request) (*auth.Principal, error)

// Mount registers routes on mux, each behind its access check.
func Mount(mux *http.ServeMux, routes []Route, authn Authenticator) {
	for _, rt := range routes {
		mux.Handle(rt.Pattern, guard(rt, authn))
	}
}

func guard(rt Route, authn Authenticator) http.Handler {
	if rt.Access == Public {
		return rt.Handler
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := authn(r)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		if p.MustChangePassword && rt.Access != SignedAnyPassword {
			WriteError(w, r, apperr.New(apperr.Forbidden, "请先修改初始密码"))
			return
		}
		if rt.Perm != "" && !p.Can(rt.Perm) {
			WriteError(w, r, apperr.New(apperr.Forbidden, "没有执行此操作的权限"))
			return
		}
		p.IP, p.RequestID = ClientIP(r), RequestID(r.Context())
		rt.Handler(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}
