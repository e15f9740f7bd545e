package stats

import (
	"bytes"
	"net/http"

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
	return ReportInput{Division: q.Get("division"), Period: q.Get("period"), Indicators: ParseCodes(q.Get("indicators"))}
}

// Report answers GET /stats/report?division=&period=&indicators=a,b.
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
