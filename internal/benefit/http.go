package benefit

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/bankfile"
	"jisheng/internal/db"
	"jisheng/internal/httpx"
	"jisheng/internal/sheet"
)

// Handlers serves the benefit endpoints.
type Handlers struct{ svc *Service }

// NewHandlers returns the HTTP handlers over svc.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ProgramParams is a program with the parameter values in force for the
// caller's county on a date, each with its layer and basis.
type ProgramParams struct {
	Program
	Date   string       `json:"date"`
	Values []ParamValue `json:"values"`
	// History is every version of every parameter at the county's layers,
	// newest first per key; only with history=1.
	History []ParamVersion `json:"history,omitempty"`
}

// ParamValue is one parameter as resolved.
type ParamValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Scope string `json:"scope"`
	Level string `json:"level"`
	From  string `json:"from"`
	Basis string `json:"basis"`
}

// Programs answers GET /benefit/programs?date=&history=: every program with
// the values in force for the caller's county and, with history=1, every
// version of its parameters.
func (h *Handlers) Programs(w http.ResponseWriter, r *http.Request) {
	date := r.URL.Query().Get("date")
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		date = h.svc.today()
	}
	history := false
	switch r.URL.Query().Get("history") {
	case "", "0":
	case "1":
		history = true
	default:
		httpx.WriteError(w, r, apperr.InvalidField("history", "history 应为 1（含历史版本）或 0"))
		return
	}
	county := db.CountyCode(auth.From(r.Context()).DivisionPath)
	var out []ProgramParams
	for _, prog := range Programs() {
		layers, err := h.svc.Layers(r.Context(), h.svc.db.Reader(), prog.Code)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		pp := ProgramParams{Program: prog, Date: date, Values: []ParamValue{}}
		for _, key := range knownKeys(prog.Code) {
			p := NewParams(prog.Code, county, date, layers)
			if topUp(key) {
				if p.Sum(key) == 0 {
					continue
				}
			} else if _, ok := p.Get(key); !ok {
				continue
			}
			for _, u := range p.Version() {
				pp.Values = append(pp.Values, ParamValue{Key: u.Key, Value: u.Value, Scope: u.Scope, Level: Level(u.Scope),
					From: u.From, Basis: p.Basis(u.Key)})
			}
		}
		if history {
			if pp.History, err = h.svc.ParamHistory(r.Context(), h.svc.db.Reader(), prog.Code, county, date); err != nil {
				httpx.WriteError(w, r, err)
				return
			}
		}
		out = append(out, pp)
	}
	httpx.WriteJSON(w, http.StatusOK, httpx.List[ProgramParams]{Items: out, Total: len(out)})
}

// SetParam answers PUT /benefit/params.
func (h *Handlers) SetParam(w http.ResponseWriter, r *http.Request) {
	var in Param
	err := httpx.DecodeJSON(w, r, &in)
	if err == nil {
		in, err = h.svc.SetParam(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusOK, in, err)
}

// Attest answers POST /benefit/facts.
func (h *Handlers) Attest(w http.ResponseWriter, r *http.Request) {
	var in AttestInput
	err := httpx.DecodeJSON(w, r, &in)
	if err == nil {
		err = h.svc.Attest(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, in, err)
}

// Evaluate answers POST /benefit/evaluate with the stored decision.
func (h *Handlers) Evaluate(w http.ResponseWriter, r *http.Request) {
	var in EvaluateInput
	err := httpx.DecodeJSON(w, r, &in)
	var d StoredDecision
	if err == nil {
		d, err = h.svc.Evaluate(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusOK, d, err)
}

// Sweep answers POST /benefit/sweeps.
func (h *Handlers) Sweep(w http.ResponseWriter, r *http.Request) {
	var in SweepInput
	err := httpx.DecodeJSON(w, r, &in)
	var res SweepResult
	if err == nil {
		res, err = h.svc.Sweep(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusOK, res, err)
}

// Apply answers POST /benefit/candidates.
func (h *Handlers) Apply(w http.ResponseWriter, r *http.Request) {
	var in ApplicationInput
	err := httpx.DecodeJSON(w, r, &in)
	var c Candidate
	if err == nil {
		c, err = h.svc.Apply(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, c, err)
}

// Queue answers GET /benefit/candidates.
func (h *Handlers) Queue(w http.ResponseWriter, r *http.Request) {
	pg, err := httpx.PageParams(r)
	q := r.URL.Query()
	year := 0
	if err == nil && q.Get("year") != "" {
		if year, err = strconv.Atoi(q.Get("year")); err != nil {
			err = apperr.InvalidField("year", "年度应为四位数字")
		}
	}
	var items []Candidate
	var total int
	if err == nil {
		items, total, err = h.svc.Queue(r.Context(), QueueFilter{Program: q.Get("program"), Year: year, Stage: q.Get("stage"),
			Division: q.Get("division"), Query: q.Get("q"), Mine: q.Get("mine") == "1", Page: pg.Page, Size: pg.Size})
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Candidate]{Items: items, Total: total}, err)
}

// GetCandidate answers GET /benefit/candidates/{id}.
func (h *Handlers) GetCandidate(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var c Candidate
	if err == nil {
		c, err = h.svc.Candidate(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, c, err)
}

// Review answers POST /benefit/candidates/{id}/review.
func (h *Handlers) Review(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in ReviewInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var c Candidate
	if err == nil {
		c, err = h.svc.Review(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, c, err)
}

// OpenPosting answers POST /benefit/postings.
func (h *Handlers) OpenPosting(w http.ResponseWriter, r *http.Request) {
	var in PostingInput
	err := httpx.DecodeJSON(w, r, &in)
	var p Posting
	if err == nil {
		p, err = h.svc.OpenPosting(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusCreated, p, err)
}

// ListPostings answers GET /benefit/postings.
func (h *Handlers) ListPostings(w http.ResponseWriter, r *http.Request) {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	ps, err := h.svc.Postings(r.Context(), r.URL.Query().Get("program"), year)
	httpx.Reply(w, r, http.StatusOK, httpx.List[Posting]{Items: ps, Total: len(ps)}, err)
}

// GetPosting answers GET /benefit/postings/{id}.
func (h *Handlers) GetPosting(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var p Posting
	if err == nil {
		p, err = h.svc.Posting(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, p, err)
}

// ClosePosting answers POST /benefit/postings/{id}/close.
func (h *Handlers) ClosePosting(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var p Posting
	if err == nil {
		p, err = h.svc.ClosePosting(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, p, err)
}

// ObjectionAnswer names the ticket an objection opened.
type ObjectionAnswer struct {
	ID int64 `json:"id"`
}

// RecordObjection answers POST /benefit/postings/{id}/objections.
func (h *Handlers) RecordObjection(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in ObjectionInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var out ObjectionAnswer
	if err == nil {
		out.ID, err = h.svc.RecordObjection(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusCreated, out, err)
}

// SettleObjection answers POST /benefit/objections/{id}/settle.
func (h *Handlers) SettleObjection(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in SettleInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	if err == nil {
		err = h.svc.SettleObjection(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, in, err)
}

// PublicPosting answers GET /api/v1/public/postings/{code} without a
// session: the masked list anyone may read during and after the posting.
func (h *Handlers) PublicPosting(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.PublicPosting(r.Context(), r.PathValue("code"))
	httpx.Reply(w, r, http.StatusOK, p, err)
}

// SetAccount answers POST /benefit/accounts.
func (h *Handlers) SetAccount(w http.ResponseWriter, r *http.Request) {
	var in AccountInput
	err := httpx.DecodeJSON(w, r, &in)
	if err == nil {
		err = h.svc.SetAccount(r.Context(), in)
	}
	in.AccountNo = MaskAccount(NormalizeAccount(in.AccountNo))
	httpx.Reply(w, r, http.StatusCreated, in, err)
}

// GeneratePayroll answers POST /benefit/cycles.
func (h *Handlers) GeneratePayroll(w http.ResponseWriter, r *http.Request) {
	var in CycleInput
	err := httpx.DecodeJSON(w, r, &in)
	var c Cycle
	if err == nil {
		c, err = h.svc.GeneratePayroll(r.Context(), in)
	}
	status := http.StatusCreated
	if err == nil && !c.Created {
		status = http.StatusOK
	}
	httpx.Reply(w, r, status, c, err)
}

// IssueNotices answers POST /benefit/notices: issues what is due and
// answers every notice of the kind, for printing in bulk.
func (h *Handlers) IssueNotices(w http.ResponseWriter, r *http.Request) {
	var in NoticeRequest
	err := httpx.DecodeJSON(w, r, &in)
	var ns []Notice
	if err == nil {
		ns, err = h.svc.IssueNotices(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Notice]{Items: ns, Total: len(ns)}, err)
}

// VerifyNotice answers GET /api/v1/public/notices/{code} without a session.
func (h *Handlers) VerifyNotice(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.VerifyNotice(r.Context(), r.PathValue("code"))
	httpx.Reply(w, r, http.StatusOK, v, err)
}

// BankFile answers GET /benefit/cycles/{id}/bankfile?layout=&payer_name=&payer_account=
// with the file for the bank (journaled: full account numbers leave the system).
func (h *Handlers) BankFile(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	q := r.URL.Query()
	var buf bytes.Buffer
	_, name, err := h.svc.WriteBankFile(r.Context(), &buf, id, BankFileInput{Layout: q.Get("layout"),
		PayerName: q.Get("payer_name"), PayerAccount: q.Get("payer_account")})
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.SendFile(w, "application/octet-stream", sheet.Disposition(name), buf.Bytes())
}

// PosterPDF answers GET /benefit/postings/{id}/pdf: the poster per village.
func (h *Handlers) PosterPDF(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var p Posting
	if err == nil {
		p, err = h.svc.Posting(r.Context(), id)
	}
	h.sendPoster(w, r, p, p.PublicCode, err)
}

// PublicPosterPDF answers GET /public/postings/{code}/pdf without a session.
func (h *Handlers) PublicPosterPDF(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	p, err := h.svc.PublicPosting(r.Context(), code)
	h.sendPoster(w, r, p, code, err)
}

// sendPoster answers the poster with a QR code of its public page (the
// public view of a posting carries no code of its own).
func (h *Handlers) sendPoster(w http.ResponseWriter, r *http.Request, p Posting, code string, err error) {
	var buf bytes.Buffer
	if err == nil {
		err = WritePosterPDF(&buf, p, httpx.Origin(r)+"/public/postings/"+url.PathEscape(code))
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	name := fmt.Sprintf("%s公示-%d年度-第%d版.pdf", p.ProgramName, p.Year, p.ListVersion)
	httpx.SendFile(w, "application/pdf", sheet.Disposition(name), buf.Bytes())
}

// NoticesPDF answers GET /benefit/notices/pdf?kind=&program=&year=&cycle_id=
// with the notices of that kind already issued in the caller's area, one per
// page in village order.
func (h *Handlers) NoticesPDF(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := NoticeRequest{Kind: q.Get("kind"), Program: q.Get("program")}
	var err error
	if in.Year, err = optionalInt(q.Get("year"), "year", "年度应为四位数字"); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	cycle, err := optionalInt(q.Get("cycle_id"), "cycle_id", "发放批次应为数字")
	in.CycleID = int64(cycle)
	var ns []Notice
	if err == nil {
		ns, err = h.svc.Notices(r.Context(), in)
	}
	var buf bytes.Buffer
	if err == nil {
		err = WriteNoticesPDF(&buf, "书面通知", ns, httpx.Origin(r)+"/public/notices/")
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	name := fmt.Sprintf("书面通知-%s-%s.pdf", in.Program, in.Kind)
	httpx.SendFile(w, "application/pdf", sheet.Disposition(name), buf.Bytes())
}

// optionalInt reads an optional whole-number query parameter.
func optionalInt(v, field, msg string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, apperr.InvalidField(field, msg)
	}
	return n, nil
}

// Reconcile answers POST /benefit/cycles/{id}/returns?layout= with the
// bank's return file in the multipart part "file".
func (h *Handlers) Reconcile(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var data []byte
	if err == nil {
		data, err = httpx.ReceiveFile(r, bankfile.MaxReturnSize)
	}
	var rep ReconcileReport
	if err == nil {
		rep, err = h.svc.Reconcile(r.Context(), id, r.URL.Query().Get("layout"), bytes.NewReader(data), int64(len(data)))
	}
	httpx.Reply(w, r, http.StatusOK, rep, err)
}

// BankLayoutList answers GET /benefit/bank-layouts.
func (h *Handlers) BankLayoutList(w http.ResponseWriter, r *http.Request) {
	ex, err := h.svc.BankLayouts(r.Context())
	httpx.Reply(w, r, http.StatusOK, httpx.List[bankfile.Example]{Items: ex, Total: len(ex)}, err)
}

// EvaluateAllInput asks for a county-wide evaluation.
type EvaluateAllInput struct {
	Date string `json:"date"`
}

// EvaluateAll answers POST /benefit/evaluate-all.
func (h *Handlers) EvaluateAll(w http.ResponseWriter, r *http.Request) {
	var in EvaluateAllInput
	err := httpx.DecodeJSON(w, r, &in)
	var res BulkResult
	if err == nil {
		if in.Date == "" {
			in.Date = h.svc.today()
		}
		res, err = h.svc.EvaluateAll(r.Context(), in.Date)
	}
	httpx.Reply(w, r, http.StatusOK, res, err)
}

// SaveBankLayout answers PUT /benefit/bank-layouts.
func (h *Handlers) SaveBankLayout(w http.ResponseWriter, r *http.Request) {
	var in LayoutInput
	err := httpx.DecodeJSON(w, r, &in)
	var ex bankfile.Example
	if err == nil {
		ex, err = h.svc.SaveBankLayout(r.Context(), in)
	}
	httpx.Reply(w, r, http.StatusOK, ex, err)
}

// Reviews answers GET /benefit/candidates/{id}/reviews.
func (h *Handlers) Reviews(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var rs []Review
	if err == nil {
		rs, err = h.svc.Reviews(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, httpx.List[Review]{Items: rs, Total: len(rs)}, err)
}

// Decision answers GET /benefit/decisions/{id}.
func (h *Handlers) Decision(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var d StoredDecision
	if err == nil {
		d, err = h.svc.StoredDecisionOf(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, d, err)
}

// Cycles answers GET /benefit/cycles.
func (h *Handlers) Cycles(w http.ResponseWriter, r *http.Request) {
	cs, err := h.svc.Cycles(r.Context(), r.URL.Query().Get("program"))
	httpx.Reply(w, r, http.StatusOK, httpx.List[Cycle]{Items: cs, Total: len(cs)}, err)
}

// ChangePayee answers POST /benefit/candidates/{id}/payee.
func (h *Handlers) ChangePayee(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var in PayeeInput
	if err == nil {
		err = httpx.DecodeJSON(w, r, &in)
	}
	var out PayeeAnswer
	if err == nil {
		out, err = h.svc.ChangePayee(r.Context(), id, in)
	}
	httpx.Reply(w, r, http.StatusOK, out, err)
}

// PersonFacts answers GET /benefit/persons/{id}/facts.
func (h *Handlers) PersonFacts(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var out PersonFacts
	if err == nil {
		out, err = h.svc.PersonFacts(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, out, err)
}

// PersonAccount answers GET /benefit/persons/{id}/account, the number masked.
func (h *Handlers) PersonAccount(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	var out PersonAccount
	if err == nil {
		out, err = h.svc.PersonAccount(r.Context(), id)
	}
	httpx.Reply(w, r, http.StatusOK, out, err)
}
