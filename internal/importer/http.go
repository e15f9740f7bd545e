package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/httpx"
	"jisheng/internal/sheet"
)

// Handlers serve imports over HTTP. An upload becomes a job that runs in
// the background; the page polls it for progress and then fetches the
// result and the error report. Jobs live in memory: they are a view of a
// run, and what a run wrote is in the database and the journal.
type Handlers struct {
	im    *Importer
	limit int64
	dir   string // where uploads wait while they are checked and loaded

	mu   sync.Mutex
	jobs map[string]*Job
}

// NewHandlers returns the import handlers; uploads larger than limit bytes
// are refused (0 means DefaultLimit).
func NewHandlers(im *Importer, limit int64) *Handlers {
	if limit <= 0 {
		limit = DefaultLimit
	}
	return &Handlers{im: im, limit: limit, dir: os.TempDir(), jobs: map[string]*Job{}}
}

// Job is one upload being checked or loaded.
type Job struct {
	ID       string   `json:"id"`
	Kind     Kind     `json:"kind"`
	File     string   `json:"file"`
	DryRun   bool     `json:"dry_run"`
	Status   string   `json:"status"` // running, done, failed
	Progress Progress `json:"progress"`
	Result   *Result  `json:"result,omitempty"`
	Error    string   `json:"error,omitempty"`
	Field    string   `json:"field,omitempty"`
	Started  string   `json:"started"`

	owner    string
	finished time.Time
}

// jobTTL is how long a finished job's result and error report stay available.
const jobTTL = time.Hour

// Guide answers GET /import/guide?type=.
func (h *Handlers) Guide(w http.ResponseWriter, r *http.Request) {
	k, err := ParseKind(r.URL.Query().Get("type"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	g, err := TemplateGuide(k)
	httpx.Reply(w, r, http.StatusOK, g, err)
}

// Template answers GET /import/template?type=&format= with the empty file.
func (h *Handlers) Template(w http.ResponseWriter, r *http.Request) {
	k, err := ParseKind(r.URL.Query().Get("type"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, err := formatParam(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", sheet.ContentType(f))
	w.Header().Set("Content-Disposition", sheet.Disposition(k.Title()+"导入模板."+string(f)))
	_ = WriteTemplate(w, k, f)
}

func formatParam(r *http.Request) (sheet.Format, error) {
	switch r.URL.Query().Get("format") {
	case "", "xlsx":
		return sheet.XLSX, nil
	case "csv":
		return sheet.CSV, nil
	}
	return "", apperr.InvalidField("format", "文件格式应为 xlsx 或 csv")
}

// Start answers POST /import/jobs?type=&dry_run= with a multipart upload
// in the part "file": it stores the file and starts checking or loading it.
func (h *Handlers) Start(w http.ResponseWriter, r *http.Request) {
	k, err := ParseKind(r.URL.Query().Get("type"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	dryRun := r.URL.Query().Get("dry_run") == "1" || r.URL.Query().Get("dry_run") == "true"
	// A large file over a village's weak network takes longer than the
	// server's ordinary read timeout.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(30 * time.Minute))
	path, name, size, err := h.receive(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	pr := auth.From(r.Context())
	job := &Job{ID: newJobID(), Kind: k, File: name, DryRun: dryRun, Status: "running",
		Started: time.Now().Format(time.RFC3339), owner: pr.Username}
	h.add(job)
	// The job outlives the request; it keeps the caller's identity, not its
	// cancellation.
	ctx := auth.WithPrincipal(context.WithoutCancel(r.Context()), pr)
	go h.runJob(ctx, job, path, size)
	httpx.WriteJSON(w, http.StatusAccepted, h.snapshot(job))
}

// receive copies the uploaded part "file" to a temporary file, refusing
// more than the limit without reading it all.
func (h *Handlers) receive(r *http.Request) (path, name string, size int64, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", 0, apperr.InvalidField("file", "请以 multipart/form-data 上传文件（字段名 file）")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return "", "", 0, apperr.InvalidField("file", "没有收到文件（字段名应为 file）")
		}
		if err != nil {
			return "", "", 0, apperr.InvalidField("file", "上传的内容不完整，请重新上传")
		}
		if part.FormName() != "file" {
			continue
		}
		name = filepath.Base(partFileName(part.Header.Get("Content-Disposition")))
		path, size, err = h.store(part)
		return path, name, size, err
	}
}

func partFileName(disposition string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil || params["filename"] == "" {
		return "upload"
	}
	return params["filename"]
}

func (h *Handlers) store(part io.Reader) (string, int64, error) {
	f, err := os.CreateTemp(h.dir, "jisheng-import-*")
	if err != nil {
		return "", 0, apperr.Wrap(err, "store upload")
	}
	n, err := io.Copy(f, io.LimitReader(part, h.limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		os.Remove(f.Name())
		return "", 0, apperr.InvalidField("file", "上传中断，请重新上传")
	case n > h.limit:
		os.Remove(f.Name())
		return "", 0, &apperr.Error{Code: apperr.TooLarge, Field: "file",
			Message: "文件超过大小上限 " + strconv.FormatInt(h.limit>>20, 10) + " MB"}
	}
	return f.Name(), n, nil
}

func (h *Handlers) runJob(ctx context.Context, job *Job, path string, size int64) {
	defer os.Remove(path)
	res, err := h.runFile(ctx, job, path, size)
	h.mu.Lock()
	defer h.mu.Unlock()
	job.finished = time.Now()
	if err != nil {
		job.Status, job.Error = "failed", err.Error()
		var ae *apperr.Error
		if errors.As(err, &ae) {
			job.Error, job.Field = ae.Message, ae.Field
			if ae.Code == apperr.Internal {
				job.Error = "导入时发生系统错误，未写入任何数据；请稍后重试或联系管理员"
			}
		}
		return
	}
	job.Status, job.Result = "done", res
}

func (h *Handlers) runFile(ctx context.Context, job *Job, path string, size int64) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = apperr.New(apperr.Internal, "import panicked")
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return nil, apperr.Wrap(err, "open upload")
	}
	defer f.Close()
	return h.im.Run(ctx, f, size, Options{Kind: job.Kind, FileName: job.File, DryRun: job.DryRun, Limit: h.limit,
		Progress: func(p Progress) {
			h.mu.Lock()
			job.Progress = p
			h.mu.Unlock()
		}})
}

func newJobID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// add keeps job, dropping finished jobs older than jobTTL.
func (h *Handlers) add(job *Job) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, j := range h.jobs {
		if !j.finished.IsZero() && time.Since(j.finished) > jobTTL {
			delete(h.jobs, id)
		}
	}
	h.jobs[job.ID] = job
}

// find returns the caller's job; another user's job is not found.
func (h *Handlers) find(r *http.Request) (*Job, error) {
	id := r.PathValue("id")
	h.mu.Lock()
	defer h.mu.Unlock()
	j := h.jobs[id]
	if j == nil || j.owner != auth.From(r.Context()).Username {
		return nil, apperr.New(apperr.NotFound, "导入任务不存在或已过期")
	}
	return j, nil
}

func (h *Handlers) snapshot(j *Job) Job {
	h.mu.Lock()
	defer h.mu.Unlock()
	return *j
}

// Get answers GET /import/jobs/{id}: status, progress and, when done, the result.
func (h *Handlers) Get(w http.ResponseWriter, r *http.Request) {
	j, err := h.find(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, h.snapshot(j))
}

// Errors answers GET /import/jobs/{id}/errors?format= with the error report.
func (h *Handlers) Errors(w http.ResponseWriter, r *http.Request) {
	j, err := h.find(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f, err := formatParam(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	snap := h.snapshot(j)
	if snap.Result == nil || !snap.Result.HasErrorReport() {
		httpx.WriteError(w, r, apperr.New(apperr.NotFound, "该任务没有错误行"))
		return
	}
	base := strings.TrimSuffix(snap.File, filepath.Ext(snap.File))
	w.Header().Set("Content-Type", sheet.ContentType(f))
	w.Header().Set("Content-Disposition", sheet.Disposition(base+"_错误报告."+string(f)))
	_ = snap.Result.WriteErrorReport(w, f)
}
