package quality

import (
	"net/http"

	"jisheng/internal/auth"
	"jisheng/internal/httpx"
)

// Handlers serves the data-quality endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ListFindings answers a page of open findings.
func (h *Handlers) ListFindings(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	items, total, err := h.svc.Findings(r.Context(), Filter{Division: q.Get("division"), Rule: q.Get("rule"),
		Page: pg.Page, Size: pg.Size})
	httpx.Reply(w, r, http.StatusOK, httpx.List[Finding]{Items: items, Total: total}, err)
}

// Summary answers a division's figures with its children's.
func (h *Handlers) Summary(w http.ResponseWriter, r *http.Request) {
	s, err := h.svc.Summary(r.Context(), r.URL.Query().Get("division"))
	httpx.Reply(w, r, http.StatusOK, s, err)
}

// Ranking answers the ranking of villages or townships.
func (h *Handlers) Ranking(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rk, err := h.svc.Ranking(r.Context(), q.Get("division"), q.Get("level"))
	httpx.Reply(w, r, http.StatusOK, rk, err)
}

// Recompute runs a full recompute of the caller's area and answers its result.
// The page shows the progress meanwhile from RecomputeStatus.
func (h *Handlers) Recompute(w http.ResponseWriter, r *http.Request) {
	res, err := h.svc.Recompute(r.Context(), nil)
	httpx.Reply(w, r, http.StatusOK, res, err)
}

// RecomputeStatus answers the running recompute's progress and the last result.
func (h *Handlers) RecomputeStatus(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, h.svc.JobProgress(auth.From(r.Context())))
}
