// Package importer loads persons, households and life events from .xlsx and
// .csv files, the way officers receive most of their data (from the police
// household registry, civil affairs, hospitals and other counties).
//
// A file is checked row by row with the same rules as the forms, and then
// applied all-or-nothing in one transaction: either every row is written or
// none is, so a file with errors, or a crash halfway, leaves the registry as
// it was and the officer simply loads the corrected file again. A dry run
// runs every check, including those against the database, and writes
// nothing. Rows that fail are reported with their original cells and a
// reason, as a spreadsheet the officer can fix and load again.
//
// Reading, checking and encrypting a row is CPU work that runs on its own
// goroutine, beside the transaction that checks rows against the database
// and writes them: on a two-core machine the two stages overlap.
package importer

import (
	"context"
	"errors"
	"io"
	"sync/atomic"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/registry"
	"jisheng/internal/sheet"
)

// Kind names what a file holds.
type Kind string

const (
	Persons    Kind = "persons"
	Households Kind = "households"
	Events     Kind = "events"
)

// Kinds are the kinds of import, in the order the CLI and the page list them.
var Kinds = []Kind{Persons, Households, Events}

// Title is the Chinese name of the kind.
func (k Kind) Title() string {
	return map[Kind]string{Persons: "人员", Households: "家庭户", Events: "人口事件"}[k]
}

// ParseKind checks a kind named by a user.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", apperr.InvalidField("type", "导入类型应为 persons（人员）、households（家庭户）或 events（人口事件）")
}

// DefaultLimit is the largest file accepted unless configured otherwise: a
// million persons in .csv take about 100 MB.
const DefaultLimit = 200 << 20

// maxReportedErrors bounds the rows kept for the error report, so that a
// file of a million bad rows does not fill the memory.
const maxReportedErrors = 100000

// Options control one run.
type Options struct {
	Kind     Kind
	FileName string
	DryRun   bool
	Limit    int64 // bytes; 0 means DefaultLimit
	// Progress, when set, is called from the loading goroutine about every
	// one percent of the file.
	Progress func(Progress)
}

// Progress is how far a run has come.
type Progress struct {
	Rows  int   `json:"rows"`
	Bytes int64 `json:"bytes"`
	Total int64 `json:"total"`
}

// Result is what a run found and did.
type Result struct {
	Kind              Kind       `json:"kind"`
	File              string     `json:"file"`
	DryRun            bool       `json:"dry_run"`
	Applied           bool       `json:"applied"`
	Rows              int        `json:"rows"`
	Valid             int        `json:"valid"`
	Invalid           int        `json:"invalid"`
	Warnings          int        `json:"warnings"`
	Created           int        `json:"created"`
	HouseholdsCreated int        `json:"households_created"`
	Errors            []RowError `json:"errors"`           // the first errors, for a page to show
	ErrorsTruncated   bool       `json:"errors_truncated"` // the report lists only the first maxReportedErrors
	Message           string     `json:"message"`

	header []string
	bad    []RowError // every reported error with its cells, for the report file
}

// RowError is a row that cannot be loaded.
type RowError struct {
	Line   int      `json:"line"`
	Reason string   `json:"reason"`
	Cells  []string `json:"-"`
}

// shownErrors is how many errors a Result carries for display.
const shownErrors = 200

func (r *Result) addError(line int, cells []string, reason string) {
	r.Invalid++
	e := RowError{Line: line, Reason: reason, Cells: cells}
	if len(r.Errors) < shownErrors {
		r.Errors = append(r.Errors, RowError{Line: line, Reason: reason})
	}
	if len(r.bad) < maxReportedErrors {
		r.bad = append(r.bad, e)
	} else {
		r.ErrorsTruncated = true
	}
}

// HasErrorReport reports whether the run has rows to put in an error report.
func (r *Result) HasErrorReport() bool { return len(r.bad) > 0 }

// Importer loads files into the registry.
type Importer struct {
	db       *db.DB
	registry *registry.Service
}

// New returns an importer writing through the registry service.
func New(d *db.DB, reg *registry.Service) *Importer {
	return &Importer{db: d, registry: reg}
}

// errRollback ends a transaction that must not commit (a dry run, or a file
// with errors) without being an error of the run.
var errRollback = errors.New("rollback")

// Run checks the file in r (size bytes) and, unless it is a dry run or has
// errors, loads it. Problems with the file as a whole (empty, not a
// spreadsheet, too large, wrong headers) are returned as an error; problems
// with rows are in the result.
func (im *Importer) Run(ctx context.Context, r io.ReaderAt, size int64, opt Options) (*Result, error) {
	pr := auth.From(ctx)
	if pr == nil || !pr.Can(auth.PermRegistryWrite) {
		return nil, apperr.New(apperr.Forbidden, "您没有导入数据的权限")
	}
	if opt.Limit <= 0 {
		opt.Limit = DefaultLimit
	}
	cr := &countingReader{r: r}
	rd, err := sheet.Open(cr, size, opt.Limit)
	if err != nil {
		return nil, fileError(err)
	}
	defer rd.Close()
	res := &Result{Kind: opt.Kind, File: opt.FileName, DryRun: opt.DryRun, header: rd.Header()}
	run := &run{im: im, pr: pr, rd: rd, res: res, opt: opt, read: cr, size: size}
	switch opt.Kind {
	case Persons:
		err = run.persons(ctx)
	case Households:
		err = run.households(ctx)
	case Events:
		err = run.events(ctx)
	default:
		_, err = ParseKind(string(opt.Kind))
	}
	if err != nil {
		return nil, err
	}
	res.Message = summary(res)
	return res, nil
}

// fileError turns a problem with the whole file into an error on the field "file".
func fileError(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if ae.Field == "" {
			return &apperr.Error{Code: ae.Code, Field: "file", Message: ae.Message}
		}
		return ae
	}
	return apperr.InvalidField("file", err.Error())
}

// run is the state of one import.
type run struct {
	im   *Importer
	pr   *auth.Principal
	rd   *sheet.Reader
	res  *Result
	opt  Options
	read *countingReader
	size int64

	reported int64
}

// tick reports progress about every one percent of the file.
func (r *run) tick() {
	if r.opt.Progress == nil {
		return
	}
	at := r.position()
	if at-r.reported >= max(1, r.size/100) || at >= r.size {
		r.reported = at
		r.opt.Progress(Progress{Rows: r.res.Rows, Bytes: min(at, r.size), Total: r.size})
	}
}

// position is how far into the file the run has come, in bytes. A .csv is
// read as it goes, so that is how much has been read. An .xlsx is read
// whole before its first row (it is a zip), so there the rows done are
// turned into bytes at the compressed size of a row, short of the end
// until the run ends.
func (r *run) position() int64 {
	if r.rd.Format() != sheet.XLSX {
		return r.read.max.Load()
	}
	return min(int64(r.res.Rows)*xlsxBytesPerRow, r.size*99/100)
}

// Bytes per data row, roughly, of a persons file in each format.
const (
	csvBytesPerRow  = 110
	xlsxBytesPerRow = 60
)

// transact runs fn in a writing transaction, or in a read transaction for
// a dry run, and commits only when the run is to be applied and has no
// errors.
func (r *run) transact(ctx context.Context, fn func(tx *db.Tx) error) error {
	body := func(tx *db.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if r.opt.DryRun || r.res.Invalid > 0 {
			return errRollback
		}
		return nil
	}
	var err error
	if r.opt.DryRun {
		err = r.im.db.ReadTx(ctx, body)
	} else {
		err = r.im.db.Tx(ctx, body)
	}
	if errors.Is(err, errRollback) {
		return nil
	}
	if err == nil {
		r.res.Applied = true
	}
	return err
}

// countingReader remembers how far into the file a reader has read.
type countingReader struct {
	r   io.ReaderAt
	max atomic.Int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	if end := off + int64(n); end > c.max.Load() {
		c.max.Store(end)
	}
	return n, err
}

func summary(r *Result) string {
	switch {
	case r.Rows == 0:
		return "文件中没有数据行"
	case r.Invalid > 0 && r.DryRun:
		return fmtMsg("预检完成：共 %d 行，%d 行有错误，%d 行可导入。请按错误报告修改后重新导入。", r.Rows, r.Invalid, r.Valid)
	case r.Invalid > 0:
		return fmtMsg("未导入：共 %d 行，%d 行有错误，整个文件没有写入任何数据。请按错误报告修改后重新导入。", r.Rows, r.Invalid)
	case r.DryRun:
		return fmtMsg("预检通过：共 %d 行，全部可以导入。", r.Rows)
	default:
		return fmtMsg("导入完成：共 %d 行，新增%s %d 条。", r.Rows, r.Kind.Title(), r.Created)
	}
}
