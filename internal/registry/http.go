package registry

import (
	"net/http"

	"jisheng/internal/httpx"
)

// Handlers serves the registry endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ListPersons answers a page of persons.
func (h *Handlers) ListPersons(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	items, total, err := h.svc.List(r.Context(), Filter{Q: q.Get("q"), IDNumber: q.Get("id_number"),
		Division: q.Get("division"), Page: pg.Page, Size: pg.Size})
	httpx.Reply(w, r, http.StatusOK, httpx.List[Person]{Items: items, Total: total}, err)
}

// CreatePerson registers a person.
func (h *Handlers) CreatePerson(w http.ResponseWriter, r *http.Request) {
	var in PersonInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	p, err := h.svc.Create(r.Context(), in)
	httpx.Reply(w, r, http.StatusCreated, p, err)
}

// GetPerson answers one person.
func (h *Handlers) GetPerson(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var p Person
	if err == nil {
		p, err = h.svc.Get(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, p, err)
}

// UpdatePerson changes a person.
func (h *Handlers) UpdatePerson(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in PersonInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var p Person
	if err == nil {
		p, err = h.svc.Update(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, p, err)
}

// RevealPerson answers the full ID and phone numbers (audited).
func (h *Handlers) RevealPerson(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var s Sensitive
	if err == nil {
		s, err = h.svc.Reveal(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, s, err)
}

// ListHouseholds answers a page of households.
func (h *Handlers) ListHouseholds(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	items, total, err := h.svc.ListHouseholds(r.Context(), HouseholdFilter{Q: q.Get("q"), Division: q.Get("division"),
		Page: pg.Page, Size: pg.Size})
	httpx.Reply(w, r, http.StatusOK, httpx.List[Household]{Items: items, Total: total}, err)
}

// CreateHousehold opens a household.
func (h *Handlers) CreateHousehold(w http.ResponseWriter, r *http.Request) {
	var in HouseholdInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	hh, err := h.svc.CreateHousehold(r.Context(), in)
	httpx.Reply(w, r, http.StatusCreated, hh, err)
}

// GetHousehold answers one household with its members.
func (h *Handlers) GetHousehold(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var hh Household
	if err == nil {
		hh, err = h.svc.GetHousehold(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, hh, err)
}

// UpdateHousehold changes a household's address.
func (h *Handlers) UpdateHousehold(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in HouseholdInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var hh Household
	if err == nil {
		hh, err = h.svc.UpdateHousehold(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, hh, err)
}

// Overview answers the home page counts.
func (h *Handlers) Overview(w http.ResponseWriter, r *http.Request) {
	o, err := h.svc.Overview(r.Context(), r.URL.Query().Get("division"))
	httpx.Reply(w, r, http.StatusOK, o, err)
}

// ServeEnums answers every enumeration with its Chinese labels.
func ServeEnums(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, AllEnums())
}
