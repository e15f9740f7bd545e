package supply

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/httpx"
	"jisheng/internal/sheet"
)

// Handlers serves the supply endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ServeEnums answers the enumerations with their labels.
func (h *Handlers) ServeEnums(w http.ResponseWriter, r *http.Request) {
	httpx.WriteJSON(w, http.StatusOK, AllEnums())
}

// Items answers the catalogue; active=1 leaves out retired items.
func (h *Handlers) Items(w http.ResponseWriter, r *http.Request) {
	active, err := boolParam(r, "active")
	var items []Item
	if err == nil {
		items, err = h.svc.Items(r.Context(), active)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Item]{Items: items, Total: len(items)}, err)
}

// CreateItem adds an item to the catalogue.
func (h *Handlers) CreateItem(w http.ResponseWriter, r *http.Request) {
	var in ItemInput
	err := httpx.DecodeJSON(w, r, &in)
	var it Item
	if err == nil {
		it, err = h.svc.CreateItem(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, it, err)
}

// UpdateItem changes an item.
func (h *Handlers) UpdateItem(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in ItemInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var it Item
	if err == nil {
		it, err = h.svc.UpdateItem(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, it, err)
}

// Sites answers a page of sites.
func (h *Handlers) Sites(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	var active bool
	if err == nil {
		active, err = boolParam(r, "active")
	}
	var items []Site
	var total int
	if err == nil {
		q := r.URL.Query()
		items, total, err = h.svc.Sites(r.Context(), SiteFilter{Division: q.Get("division"), Kind: q.Get("kind"),
			Q: q.Get("q"), Active: active, Page: pg.Page, Size: pg.Size})
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Site]{Items: items, Total: total}, err)
}

// CreateSite adds a site.
func (h *Handlers) CreateSite(w http.ResponseWriter, r *http.Request) {
	var in SiteInput
	err := httpx.DecodeJSON(w, r, &in)
	var st Site
	if err == nil {
		st, err = h.svc.CreateSite(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, st, err)
}

// GetSite answers one site.
func (h *Handlers) GetSite(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var st Site
	if err == nil {
		st, err = h.svc.Site(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, st, err)
}

// UpdateSite changes a site.
func (h *Handlers) UpdateSite(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in SiteInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var st Site
	if err == nil {
		st, err = h.svc.UpdateSite(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, st, err)
}

// Stock answers a page of stock by site and batch.
func (h *Handlers) Stock(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	f := StockFilter{Division: r.URL.Query().Get("division"), Status: r.URL.Query().Get("status"), Page: pg.Page, Size: pg.Size}
	params(&err, r, &f.SiteID, &f.ItemID, &f.NearDays, &f.Empty)
	var items []StockRow
	var total int
	if err == nil {
		items, total, err = h.svc.Stock(r.Context(), f)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[StockRow]{Items: items, Total: total}, err)
}

// params reads site_id, item_id, days and empty into the given places,
// unless err is already set.
func params(err *error, r *http.Request, site, item *int64, days *int, empty *bool) {
	if *err != nil {
		return
	}
	if *site, *err = idParam(r, "site_id"); *err != nil {
		return
	}
	if *item, *err = idParam(r, "item_id"); *err != nil {
		return
	}
	if *days, *err = daysParam(r); *err != nil {
		return
	}
	*empty, *err = boolParam(r, "empty")
}

// Moves answers a page of the ledger.
func (h *Handlers) Moves(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	q := r.URL.Query()
	f := MoveFilter{Kind: q.Get("kind"), Source: q.Get("source"), From: q.Get("from"), To: q.Get("to"), Page: pg.Page, Size: pg.Size}
	if err == nil {
		f.SiteID, err = idParam(r, "site_id")
	}
	if err == nil {
		f.ItemID, err = idParam(r, "item_id")
	}
	var items []Move
	var total int
	if err == nil {
		items, total, err = h.svc.Moves(r.Context(), f)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Move]{Items: items, Total: total}, err)
}

// operation decodes a body into in and runs op on it, answering 201 with
// the moves, or 200 when a retried submission is answered again.
func operation[T any](w http.ResponseWriter, r *http.Request, op func(in T) (OpResult, error)) {
	var in T
	err := httpx.DecodeJSON(w, r, &in)
	var res OpResult
	if err == nil {
		res, err = op(in)
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	httpx.Reply(w, r, status, res, err)
}

// Receipt books a receipt.
func (h *Handlers) Receipt(w http.ResponseWriter, r *http.Request) {
	operation(w, r, func(in ReceiptInput) (OpResult, error) { return h.svc.Receipt(r.Context(), in) })
}

// Transfer books a transfer.
func (h *Handlers) Transfer(w http.ResponseWriter, r *http.Request) {
	operation(w, r, func(in TransferInput) (OpResult, error) { return h.svc.Transfer(r.Context(), in) })
}

// Stocktake books a stock-take.
func (h *Handlers) Stocktake(w http.ResponseWriter, r *http.Request) {
	operation(w, r, func(in StocktakeInput) (OpResult, error) { return h.svc.Stocktake(r.Context(), in) })
}

// Dispense books a dispensing to a person.
func (h *Handlers) Dispense(w http.ResponseWriter, r *http.Request) {
	operation(w, r, func(in DispenseInput) (OpResult, error) { return h.svc.Dispense(r.Context(), in) })
}

// Reverse reverses a move.
func (h *Handlers) Reverse(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	operation(w, r, func(in ReverseInput) (OpResult, error) { return h.svc.Reverse(r.Context(), id, in) })
}

// Alerts answers low-stock sites and batches near expiry.
func (h *Handlers) Alerts(w http.ResponseWriter, r *http.Request) {
	site, err := idParam(r, "site_id")
	var days int
	if err == nil {
		days, err = daysParam(r)
	}
	var a Alerts
	if err == nil {
		a, err = h.svc.Alerts(r.Context(), r.URL.Query().Get("division"), site, days)
	}
	httpx.Reply(w, r, http.StatusOK, a, err)
}

// PersonMethods answers a person's method register and dispensings (audited).
func (h *Handlers) PersonMethods(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var pm PersonMethods
	if err == nil {
		pm, err = h.svc.PersonMethods(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, pm, err)
}

// RecordMethod records a method an officer was told.
func (h *Handlers) RecordMethod(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in OfficerMethodInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var u MethodUse
	if err == nil {
		u, err = h.svc.RecordOfficerMethod(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusCreated, u, err)
}

// MethodFigures answers the number of persons per method on a date.
func (h *Handlers) MethodFigures(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	mc, err := h.svc.UsersByMethod(r.Context(), q.Get("division"), q.Get("date"))
	httpx.Reply(w, r, http.StatusOK, mc, err)
}

// DispensedFigures answers the quantities dispensed per item in a period.
func (h *Handlers) DispensedFigures(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, err := h.svc.DispensedByItem(r.Context(), q.Get("division"), q.Get("from"), q.Get("to"))
	httpx.Reply(w, r, http.StatusOK, t, err)
}

// ImportLog answers POST /supply/machine-logs/import?dry_run= with a
// multipart upload in the part "file". dry_run defaults to 1: only
// dry_run=0 writes.
func (h *Handlers) ImportLog(w http.ResponseWriter, r *http.Request) {
	dryRun, err := dryRunParam(r.URL.Query().Get("dry_run"))
	var data []byte
	if err == nil {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(5 * time.Minute))
		data, err = httpx.ReceiveFile(r, MaxLogFile)
	}
	var rep LogReport
	if err == nil {
		rep, err = h.svc.ImportMachineLog(r.Context(), bytes.NewReader(data), int64(len(data)), dryRun)
	}
	httpx.Reply(w, r, http.StatusOK, rep, err)
}

// LogTemplate answers the machine-log template (.xlsx or .csv).
func (h *Handlers) LogTemplate(w http.ResponseWriter, r *http.Request) {
	f, err := sheet.ParseFormat(r.URL.Query().Get("format"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	header, example := LogTemplate()
	sheet.Download(w, r, sheet.Export{Format: f, Name: "自助发放机日志模板", Sheet: "发放记录", Header: header,
		Rows: func(write func([]string) error) error { return write(example) }})
}

func dryRunParam(s string) (bool, error) {
	switch s {
	case "", "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, apperr.InvalidField("dry_run", "dry_run 应为 1（只预检）或 0（预检并导入）")
}

func boolParam(r *http.Request, name string) (bool, error) {
	switch r.URL.Query().Get(name) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, apperr.InvalidField(name, "参数 "+name+" 应为 1 或 0")
}

func idParam(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.InvalidField(name, "参数 "+name+" 应为正整数")
	}
	return n, nil
}

func daysParam(r *http.Request) (int, error) {
	s := r.URL.Query().Get("days")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 3650 {
		return 0, apperr.InvalidField("days", "近效期天数应为 1 到 3650 之间的整数")
	}
	return n, nil
}
