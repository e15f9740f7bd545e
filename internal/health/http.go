package health

import (
	"net/http"
	"strconv"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/httpx"
)

// Handlers serves the health-service endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// Catalog is every program with its stages, fields and visit rules, and
// the option lists forms need.
type Catalog struct {
	Programs          []Program `json:"programs"`
	NotReachedReasons []Option  `json:"not_reached_reasons"`
}

// ServePrograms answers the program declarations.
func ServePrograms(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, Catalog{Programs: Programs(), NotReachedReasons: NotReachedReasons})
}

// ListCases answers a page of cases.
func (h *Handlers) ListCases(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	q := r.URL.Query()
	var person int64
	if err == nil && q.Get("person_id") != "" {
		if person, err = strconv.ParseInt(q.Get("person_id"), 10, 64); err != nil {
			err = apperr.InvalidField("person_id", "person_id 应为数字")
		}
	}
	var items []Case
	var total int
	if err == nil {
		items, total, err = h.svc.ListCases(r.Context(), CaseFilter{Program: q.Get("program"), Division: q.Get("division"),
			Status: q.Get("status"), Q: q.Get("q"), PersonID: person, Page: pg.Page, Size: pg.Size})
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Case]{Items: items, Total: total}, err)
}

// OpenCase starts a case.
func (h *Handlers) OpenCase(w http.ResponseWriter, r *http.Request) {
	var in CaseInput
	err := httpx.DecodeJSON(w, r, &in)
	var c Case
	if err == nil {
		c, err = h.svc.OpenCase(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, c, err)
}

// GetCase answers a case with its details (journaled).
func (h *Handlers) GetCase(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var d CaseDetail
	if err == nil {
		d, err = h.svc.Detail(r.Context(), id, true)
	}
	httpx.Reply(w, r, http.StatusOK, d, err)
}

// RecordStep records a stage reached.
func (h *Handlers) RecordStep(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in StepInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var d CaseDetail
	if err == nil {
		d, err = h.svc.RecordStep(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, d, err)
}

// Reopen reopens a closed case.
func (h *Handlers) Reopen(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in ReopenInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var d CaseDetail
	if err == nil {
		d, err = h.svc.Reopen(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, d, err)
}

// WorkList answers a work list.
func (h *Handlers) WorkList(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	q := r.URL.Query()
	var wl WorkList
	if err == nil {
		f := WorkFilter{Division: q.Get("division"), Bucket: q.Get("bucket"), Program: q.Get("program"), Page: pg.Page, Size: pg.Size}
		f.Officer = q.Get("officer")
		if q.Get("mine") == "1" {
			f.Officer = auth.From(r.Context()).Username
		}
		wl, err = h.svc.WorkList(r.Context(), f)
	}
	httpx.Reply(w, r, http.StatusOK, wl, err)
}

// RecordContact records a visit's outcome.
func (h *Handlers) RecordContact(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in ContactInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var v Visit
	if err == nil {
		v, err = h.svc.RecordContact(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, v, err)
}

// Reschedule moves a visit's planned date.
func (h *Handlers) Reschedule(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in RescheduleInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var v Visit
	if err == nil {
		v, err = h.svc.Reschedule(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, v, err)
}

// PersonRecord answers a person's service record (journaled).
func (h *Handlers) PersonRecord(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var rec ServiceRecord
	if err == nil {
		rec, err = h.svc.PersonRecord(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, rec, err)
}

// IssueCard issues a service card.
func (h *Handlers) IssueCard(w http.ResponseWriter, r *http.Request) {
	var in CardInput
	err := httpx.DecodeJSON(w, r, &in)
	var c Card
	if err == nil {
		c, err = h.svc.IssueCard(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, c, err)
}

// RevokeCard revokes a card.
func (h *Handlers) RevokeCard(w http.ResponseWriter, r *http.Request) {
	var in ReopenInput
	err := httpx.DecodeJSON(w, r, &in)
	var c Card
	if err == nil {
		c, err = h.svc.RevokeCard(r.Context(), r.PathValue("no"), in.Reason)
	}
	httpx.Reply(w, r, http.StatusOK, c, err)
}

// LookupCard answers the record behind a card (journaled).
func (h *Handlers) LookupCard(w http.ResponseWriter, r *http.Request) {
	rec, err := h.svc.LookupCard(r.Context(), r.PathValue("no"))
	httpx.Reply(w, r, http.StatusOK, rec, err)
}

// Figures answers the health-service figures of an area and period.
func (h *Handlers) Figures(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := h.svc.Figures(r.Context(), q.Get("division"), q.Get("from"), q.Get("to"))
	httpx.Reply(w, r, http.StatusOK, f, err)
}

// SetTask sets an annual task number.
func (h *Handlers) SetTask(w http.ResponseWriter, r *http.Request) {
	var in TaskInput
	err := httpx.DecodeJSON(w, r, &in)
	if err == nil {
		err = h.svc.SetTask(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusOK, in, err)
}

// Assign hands a visit to an officer.
func (h *Handlers) Assign(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in AssignInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var v Visit
	if err == nil {
		v, err = h.svc.Assign(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, v, err)
}
