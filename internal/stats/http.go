package stats

import (
	"bytes"
	"net/http"
	"strconv"

	"jisheng/internal/apperr"
	"jisheng/internal/httpx"
	"jisheng/internal/sheet"
)

// Handlers serves the statistics endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// Catalog answers GET /stats/indicators: every indicator with its formula.
func (h *Handlers) Catalog(w http.ResponseWriter, r *http.Request) {
	httpx.Reply(w, r, http.StatusOK, httpx.List[Indicator]{Items: indicators, Total: len(indicators)}, nil)
}

func reportInput(r *http.Request) ReportInput {
	q := r.URL.Query()
	return ReportInput{Division: q.Get("division"), Period: q.Get("period"), Indicators: ParseCodes(q.Get("indicators")), By: q.Get("by")}
}

// Report answers GET /stats/report?division=&period=&indicators=a,b&by=village.
func (h *Handlers) Report(w http.ResponseWriter, r *http.Request) {
	rep, err := h.svc.Report(r.Context(), reportInput(r))
	httpx.Reply(w, r, http.StatusOK, rep, err)
}

// Trend answers GET /stats/trend?division=&period=&indicators=a,b: each
// month's figures, for charts.
func (h *Handlers) Trend(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.Trend(r.Context(), reportInput(r))
	httpx.Reply(w, r, http.StatusOK, t, err)
}

// ReportXLSX answers GET /stats/report/xlsx with the report laid out as an
// official table.
func (h *Handlers) ReportXLSX(w http.ResponseWriter, r *http.Request) {
	rep, err := h.svc.Report(r.Context(), reportInput(r))
	var buf bytes.Buffer
	if err == nil {
		err = WriteXLSX(&buf, rep)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.SendFile(w, sheet.ContentType(sheet.XLSX), sheet.Disposition(reportFileName(rep)+".xlsx"), buf.Bytes())
}

// Records answers GET /stats/records?indicator=&term=&division=&period=&by=&key=&at=&page=&size=.
func (h *Handlers) Records(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	q := r.URL.Query()
	var out RecordPage
	if err == nil {
		out, err = h.svc.Records(r.Context(), RecordQuery{Indicator: q.Get("indicator"), Term: q.Get("term"),
			Division: q.Get("division"), Period: q.Get("period"), By: q.Get("by"), Key: q.Get("key"), At: q.Get("at"),
			Page: pg.Page, Size: pg.Size})
	}
	if err == nil && q.Get("at") != "" && q.Get("at") != "start" && q.Get("at") != "end" {
		err = apperr.InvalidField("at", "at 应为 start（期初）或 end（期末）")
	}
	httpx.Reply(w, r, http.StatusOK, out, err)
}

// reportFileName is the base name of a report file: 统计报表_舒城县_2026.
func reportFileName(rep Report) string {
	return "统计报表_" + rep.Division.Name + "_" + rep.Period.Code
}

// Generate answers POST /stats/filings: the caller's own report for a period.
func (h *Handlers) Generate(w http.ResponseWriter, r *http.Request) {
	var in FilingInput
	err := httpx.DecodeJSON(w, r, &in)
	var f Filing
	if err == nil {
		f, err = h.svc.Generate(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusOK, f, err)
}

// Filing answers GET /stats/filings/{id} with the snapshot and steps.
func (h *Handlers) Filing(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var f Filing
	if err == nil {
		f, err = h.svc.Filing(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, f, err)
}

// Act answers POST /stats/filings/{id}/act.
func (h *Handlers) Act(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in ActInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var f Filing
	if err == nil {
		f, err = h.svc.Act(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, f, err)
}

// Differences answers GET /stats/filings/{id}/differences.
func (h *Handlers) Differences(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var ds []Difference
	if err == nil {
		ds, err = h.svc.Differences(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Difference]{Items: ds, Total: len(ds)}, err)
}

// Board answers GET /stats/board?division=&period=.
func (h *Handlers) Board(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	b, err := h.svc.Board(r.Context(), q.Get("division"), q.Get("period"))
	httpx.Reply(w, r, http.StatusOK, b, err)
}

// ReportPDF answers GET /stats/report/pdf with the report for printing.
func (h *Handlers) ReportPDF(w http.ResponseWriter, r *http.Request) {
	rep, err := h.svc.Report(r.Context(), reportInput(r))
	h.sendPDF(w, r, rep, "", err)
}

// FilingPDF answers GET /stats/filings/{id}/pdf: the snapshot as filed,
// with where it stands.
func (h *Handlers) FilingPDF(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var f Filing
	if err == nil {
		f, err = h.svc.Filing(r.Context(), id)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	h.sendPDF(w, r, *f.Report, filingStamp(f), nil)
}

// filingStamp says where a filing stands, as printed on it.
func filingStamp(f Filing) string {
	s := "报表状态：" + f.StatusName + "（第 " + strconv.Itoa(f.Version) + " 版）"
	switch {
	case f.DecidedAt != "":
		s += "，" + chinaDate(f.DecidedAt) + " 由 " + f.DecidedBy + " 处理"
	case f.SubmittedAt != "":
		s += "，" + chinaDate(f.SubmittedAt) + " 由 " + f.SubmittedBy + " 上报"
	}
	return s
}

func (h *Handlers) sendPDF(w http.ResponseWriter, r *http.Request, rep Report, stamp string, err error) {
	var buf bytes.Buffer
	if err == nil {
		err = WriteReportPDF(&buf, rep, stamp)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.SendFile(w, "application/pdf", sheet.Disposition(reportFileName(rep)+".pdf"), buf.Bytes())
}

// Waiting answers GET /stats/filings/waiting: reports submitted to the caller.
func (h *Handlers) Waiting(w http.ResponseWriter, r *http.Request) {
	fs, err := h.svc.Waiting(r.Context())
	httpx.Reply(w, r, http.StatusOK, httpx.List[Filing]{Items: fs, Total: len(fs)}, err)
}
