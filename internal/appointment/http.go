package appointment

import (
	"net/http"

	"jisheng/internal/httpx"
)

// Handlers serves the appointment endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ServeEnums answers the enumerations of this package with their labels.
func ServeEnums(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, AllEnums())
}

// ListSlots answers a page of slots in a date range.
func (h *Handlers) ListSlots(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	items, total, err := h.svc.ListSlots(r.Context(), SlotFilter{From: q.Get("from"), To: q.Get("to"), Kind: q.Get("kind"),
		Status: q.Get("status"), Division: q.Get("division"), Page: pg.Page, Size: pg.Size})
	httpx.Reply(w, r, http.StatusOK, httpx.List[Slot]{Items: items, Total: total}, err)
}

// CreateSlots creates a slot or a weekly series and answers them all.
func (h *Handlers) CreateSlots(w http.ResponseWriter, r *http.Request) {
	var in SlotInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	items, err := h.svc.CreateSlots(r.Context(), in)
	httpx.Reply(w, r, http.StatusCreated, httpx.List[Slot]{Items: items, Total: len(items)}, err)
}

// GetSlot answers one slot.
func (h *Handlers) GetSlot(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var sl Slot
	if err == nil {
		sl, err = h.svc.GetSlot(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, sl, err)
}

// CancelSlot cancels a slot with its bookings.
func (h *Handlers) CancelSlot(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in CancelSlotInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var sl Slot
	if err == nil {
		sl, err = h.svc.CancelSlot(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, sl, err)
}

// SlotBookings answers the bookings of a slot the caller may see.
func (h *Handlers) SlotBookings(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var bs []Booking
	if err == nil {
		bs, err = h.svc.SlotBookings(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Booking]{Items: bs, Total: len(bs)}, err)
}

// Book books a person into a slot: 201 for a new booking, 200 with the
// first booking when the request key was sent before.
func (h *Handlers) Book(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in BookInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var b Booking
	created := false
	if err == nil {
		b, created, err = h.svc.Book(r.Context(), id, in)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.Reply(w, r, status, b, err)
}

// CancelBooking cancels a booking with a reason.
func (h *Handlers) CancelBooking(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in CancelInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var b Booking
	if err == nil {
		b, err = h.svc.CancelBooking(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, b, err)
}

// Attend marks a booking as served.
func (h *Handlers) Attend(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var b Booking
	if err == nil {
		b, err = h.svc.Attend(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, b, err)
}

// NoShow marks a booking whose person did not come.
func (h *Handlers) NoShow(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var b Booking
	if err == nil {
		b, err = h.svc.NoShow(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, b, err)
}

// PersonBookings answers a person's bookings.
func (h *Handlers) PersonBookings(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var bs []Booking
	if err == nil {
		bs, err = h.svc.PersonBookings(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Booking]{Items: bs, Total: len(bs)}, err)
}

// Schedule answers a day's schedule: ?date=&division=&kind=.
func (h *Handlers) Schedule(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s, err := h.svc.DaySchedule(r.Context(), q.Get("date"), q.Get("division"), q.Get("kind"))
	httpx.Reply(w, r, http.StatusOK, s, err)
}

// Counts answers booking counts by service and status: ?from=&to=.
func (h *Handlers) Counts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := h.svc.Counts(r.Context(), q.Get("from"), q.Get("to"))
	httpx.Reply(w, r, http.StatusOK, c, err)
}
