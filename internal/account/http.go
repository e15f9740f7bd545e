package account

import (
	"net/http"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/division"
	"jisheng/internal/httpx"
)

// Handlers serves the session and user-management endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// AuthenticateRequest is the httpx.Authenticator of the session cookie.
func (s *Service) AuthenticateRequest(r *http.Request) (*auth.Principal, error) {
	c, err := r.Cookie(SessionCookie)
	token := ""
	if err == nil {
		token = c.Value
	}
	return s.Authenticate(r.Context(), token)
}

func (h *Handlers) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.svc.cfg.SecureCookie || r.TLS != nil, MaxAge: maxAge})
}

func token(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// LoginAnswer is the body of a successful sign-in.
type LoginAnswer struct {
	User Me `json:"user"`
}

// Login signs in with username and password and sets the session cookie.
func (h *Handlers) Login(w http.ResponseWriter, r *http.Request) {
	var in Credentials
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ctx := auth.WithPrincipal(r.Context(), &auth.Principal{IP: httpx.ClientIP(r), RequestID: httpx.RequestID(r.Context())})
	tok, me, err := h.svc.Login(ctx, in, httpx.ClientIP(r), r.UserAgent())
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	h.setCookie(w, r, tok, 0)
	httpx.WriteJSON(w, http.StatusOK, LoginAnswer{User: me})
}

// Logout ends the session and clears the cookie.
func (h *Handlers) Logout(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.Logout(r.Context(), token(r)); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	h.setCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
}

// Me answers the signed-in user's own view.
func (h *Handlers) Me(w http.ResponseWriter, r *http.Request) {
	me, err := h.svc.Me(r.Context())
	httpx.Reply(w, r, http.StatusOK, me, err)
}

// ChangePassword changes the signed-in user's password.
func (h *Handlers) ChangePassword(w http.ResponseWriter, r *http.Request) {
	var in PasswordChange
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if err := h.svc.ChangePassword(r.Context(), token(r), in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ListUsers answers a page of accounts in the caller's area.
func (h *Handlers) ListUsers(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	items, total, err := h.svc.ListUsers(r.Context(), auth.From(r.Context()), r.URL.Query().Get("q"), pg.Page, pg.Size)
	httpx.Reply(w, r, http.StatusOK, httpx.List[User]{Items: items, Total: total}, err)
}

// GetUser answers one account.
func (h *Handlers) GetUser(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		var u User
		if u, err = h.svc.GetUser(r.Context(), auth.From(r.Context()), id); err == nil {
			httpx.WriteJSON(w, http.StatusOK, u)
			return
		}
	}
	httpx.WriteError(w, r, err)
}

// CreateUser adds an account.
func (h *Handlers) CreateUser(w http.ResponseWriter, r *http.Request) {
	var in NewUser
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	u, err := h.svc.CreateUser(r.Context(), in)
	httpx.Reply(w, r, http.StatusCreated, u, err)
}

// UpdateUser changes an account.
func (h *Handlers) UpdateUser(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in UserUpdate
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	u, err := h.svc.UpdateUser(r.Context(), id, in)
	httpx.Reply(w, r, http.StatusOK, u, err)
}

// ResetPassword sets a new password for an account.
func (h *Handlers) ResetPassword(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in PasswordReset
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err == nil {
		err = h.svc.ResetPassword(r.Context(), id, in.Password)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Unlock clears an account's lock-out.
func (h *Handlers) Unlock(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = h.svc.Unlock(r.Context(), id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Officers answers GET …?division=CODE: the officers in the caller's area
// who serve that division, for handing work to one of them.
func (h *Handlers) Officers(w http.ResponseWriter, r *http.Request) {
	p := auth.From(r.Context())
	code := r.URL.Query().Get("division")
	d, err := division.Get(r.Context(), h.svc.db.Reader(), code)
	if err != nil || !p.Covers(d.Path) {
		httpx.WriteError(w, r, &apperr.Error{Code: apperr.NotFound, Field: "division", Message: "区划不存在或不在您的管辖范围内"})
		return
	}
	list, err := h.svc.OfficersFor(r.Context(), p, d.Path)
	httpx.Reply(w, r, http.StatusOK, httpx.List[OfficerView]{Items: list, Total: len(list)}, err)
}
