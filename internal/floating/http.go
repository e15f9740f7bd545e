package floating

import (
	"bytes"
	"net/http"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/httpx"
	"jisheng/internal/sheet"
)

// Handlers serves the floating-population endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// List answers a page of entries.
func (h *Handlers) List(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	items, total, err := h.svc.List(r.Context(), Filter{Direction: q.Get("direction"), Division: q.Get("division"),
		Q: q.Get("q"), Status: q.Get("status"), Page: pg.Page, Size: pg.Size})
	httpx.Reply(w, r, http.StatusOK, httpx.List[Entry]{Items: items, Total: total}, err)
}

// Create registers an entry.
func (h *Handlers) Create(w http.ResponseWriter, r *http.Request) {
	var in EntryInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	e, err := h.svc.Create(r.Context(), in)
	httpx.Reply(w, r, http.StatusCreated, e, err)
}

// Get answers one entry.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var e Entry
	if err == nil {
		e, err = h.svc.Get(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, e, err)
}

// Update changes an entry.
func (h *Handlers) Update(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in EntryInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var e Entry
	if err == nil {
		e, err = h.svc.Update(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, e, err)
}

// End closes an entry.
func (h *Handlers) End(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in EndInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var e Entry
	if err == nil {
		e, err = h.svc.End(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, e, err)
}

// Reveal answers the full ID and phone numbers (audited).
func (h *Handlers) Reveal(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var s Sensitive
	if err == nil {
		s, err = h.svc.Reveal(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, s, err)
}

// Contacts answers an entry's contact records.
func (h *Handlers) Contacts(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var ks []Contact
	if err == nil {
		ks, err = h.svc.Contacts(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Contact]{Items: ks, Total: len(ks)}, err)
}

// AddContact appends a contact record.
func (h *Handlers) AddContact(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in ContactInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var k Contact
	if err == nil {
		k, err = h.svc.AddContact(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusCreated, k, err)
}

// ServeEnums answers the enumerations of this package with their labels.
func ServeEnums(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, AllEnums())
}

// Export answers GET /floating/exchange/export?county=&format=: the
// exchange file for another county, with full ID numbers (audited).
func (h *Handlers) Export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := sheet.ParseFormat(q.Get("format"))
	var exp sheet.Export
	if err == nil {
		exp, err = h.svc.ExchangeExport(r.Context(), q.Get("county"), f)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	sheet.Download(w, r, exp)
}

// Import answers POST /floating/exchange/import?county=&dry_run=&village=&report=
// with a multipart upload in the part "file". dry_run defaults to 1: only
// dry_run=0 writes. report=xlsx|csv answers the report as a file instead
// of JSON.
func (h *Handlers) Import(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dryRun, err := dryRunParam(q.Get("dry_run"))
	var reportFormat sheet.Format
	if err == nil && q.Get("report") != "" {
		reportFormat, err = sheet.ParseFormat(q.Get("report"))
	}
	var data []byte
	if err == nil {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(10 * time.Minute))
		data, err = httpx.ReceiveFile(r, MaxExchangeFile)
	}
	var rep ImportReport
	if err == nil {
		rep, err = h.svc.Import(r.Context(), bytes.NewReader(data), int64(len(data)),
			ImportOptions{County: q.Get("county"), Village: q.Get("village"), DryRun: dryRun})
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	if reportFormat == "" {
		httpx.WriteJSON(w, http.StatusOK, rep)
		return
	}
	header, rows := ReportSheet(rep)
	sheet.Download(w, r, sheet.Export{Format: reportFormat, Name: "流动人口交换核对报告_" + rep.County, Sheet: "核对报告",
		Header: header, Rows: func(write func([]string) error) error {
			for _, row := range rows {
				if err := write(row); err != nil {
					return err
				}
			}
			return nil
		}})
}

func dryRunParam(s string) (bool, error) {
	switch s {
	case "", "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, apperr.InvalidField("dry_run", "dry_run 应为 1（只核对）或 0（核对并应用）")
}
