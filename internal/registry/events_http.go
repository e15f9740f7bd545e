package registry

import (
	"net/http"

	"jisheng/internal/apperr"
	"jisheng/internal/httpx"
)

// ListEvents answers the events of a person, oldest first.
func (h *Handlers) ListEvents(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var evs []Event
	if err == nil {
		evs, err = h.svc.PersonEvents(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Event]{Items: evs, Total: len(evs)}, err)
}

// RecordEvent records an event (or a correction) of the person in the path.
func (h *Handlers) RecordEvent(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in EventInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err == nil && in.PersonID != 0 && in.PersonID != id {
		err = apperr.InvalidField("person_id", "请求体中的 person_id 与地址中的不一致")
	}
	var ev Event
	if err == nil {
		in.PersonID = id
		ev, err = h.svc.RecordEvent(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, ev, err)
}

// RecordBirth records a birth, creating the child.
func (h *Handlers) RecordBirth(w http.ResponseWriter, r *http.Request) {
	var in EventInput
	err := httpx.DecodeJSON(w, r, &in)
	var ev Event
	if err == nil {
		in.Kind = KindBirth
		in.Corrects = nil
		ev, err = h.svc.RecordEvent(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, ev, err)
}

// PersonState answers a person's state on a date (default today).
func (h *Handlers) PersonState(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var st PersonState
	if err == nil {
		st, err = h.svc.PersonStateAt(r.Context(), id, r.URL.Query().Get("date"))
	}
	httpx.Reply(w, r, http.StatusOK, st, err)
}

// Population answers an area's population on a date (default today).
func (h *Handlers) Population(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := h.svc.PopulationAt(r.Context(), q.Get("division"), q.Get("date"))
	httpx.Reply(w, r, http.StatusOK, p, err)
}

// ListSeparated answers a page of a 人户分离 list.
func (h *Handlers) ListSeparated(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	items, total, err := h.svc.Separation(r.Context(), SeparationFilter{Division: q.Get("division"), Kind: q.Get("kind"),
		Page: pg.Page, Size: pg.Size})
	httpx.Reply(w, r, http.StatusOK, httpx.List[Separated]{Items: items, Total: total}, err)
}

// SeparationCounts answers the sizes of an area's 人户分离 lists.
func (h *Handlers) SeparationCounts(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.CountSeparation(r.Context(), r.URL.Query().Get("division"))
	httpx.Reply(w, r, http.StatusOK, c, err)
}
