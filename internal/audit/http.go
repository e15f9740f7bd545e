package audit

import (
	"net/http"

	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/httpx"
)

// Handlers serves the journal page.
type Handlers struct {
	db      *db.DB
	journal *Journal
}

// NewHandlers returns the journal handlers.
func NewHandlers(d *db.DB, j *Journal) *Handlers { return &Handlers{db: d, journal: j} }

// List answers a page of the journal, filtered by user, record and dates.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := Filter{User: q.Get("user"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action"),
		From: q.Get("from"), To: q.Get("to"), Page: pg.Page, Size: pg.Size}
	items, total, err := List(r.Context(), h.db.Reader(), auth.From(r.Context()), f)
	httpx.Reply(w, r, http.StatusOK, httpx.List[View]{Items: items, Total: total}, err)
}

// Verify checks the whole chain and answers where it breaks, if it does.
func (h *Handlers) Verify(w http.ResponseWriter, r *http.Request) {
	res, err := h.journal.Verify(r.Context(), h.db)
	httpx.Reply(w, r, http.StatusOK, res, err)
}
