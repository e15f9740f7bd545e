package sheet

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/httpx"
)

// Export is a list download: the file's name and header, the rows, and
// what to do once they are all written.
type Export struct {
	Format Format
	Name   string // file name without extension, e.g. 人员_341523_20261122
	Sheet  string // worksheet name
	Header []string
	// Rows calls write once per row, in order. It pages through the
	// database itself, so no list is ever held whole in memory.
	Rows func(write func(cells []string) error) error
	// Done runs after Rows succeeded, with the number of rows, and before
	// any byte of the file is sent: the export's audit entry goes here, so
	// no exported value leaves the server without it.
	Done func(rows int) error
}

// exportDeadline bounds how long producing and sending one export may take;
// the server's ordinary write timeout is far too short for a county's list.
const exportDeadline = 30 * time.Minute

// Download answers r with the file e describes. The file is built in a
// temporary file first (xlsx must be anyway: a zip's directory comes at its
// end), so a failure half-way answers an error instead of a truncated file
// that looks complete, the audit entry is committed before the download
// starts, and the answer carries its Content-Length. Memory stays small
// whatever the number of rows.
//
// A HEAD request gets the headers only: nothing is read, exported or journaled.
func Download(w http.ResponseWriter, r *http.Request, e Export) {
	h := w.Header()
	h.Set("Content-Type", ContentType(e.Format))
	if r.Method == http.MethodHead {
		h.Set("Content-Disposition", Disposition(FileName(e.Name, e.Format)))
		w.WriteHeader(http.StatusOK)
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(exportDeadline))
	spool, err := os.CreateTemp("", "jisheng-export-*")
	if err != nil {
		httpx.WriteError(w, r, apperr.Wrap(err, "export spool"))
		return
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	size, err := build(spool, e)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	h.Set("Content-Disposition", Disposition(FileName(e.Name, e.Format)))
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, spool)
}

// build writes the file into spool, runs e.Done, and leaves spool at its
// start; it returns the file's size.
func build(spool *os.File, e Export) (int64, error) {
	sw, err := NewWriter(spool, e.Format, e.Sheet, e.Header)
	if err != nil {
		return 0, err
	}
	n := 0
	err = e.Rows(func(cells []string) error {
		n++
		return sw.Write(cells)
	})
	if err != nil {
		sw.discard()
		return 0, apperr.Wrap(err, "export rows")
	}
	if err := sw.Close(); err != nil {
		return 0, apperr.Wrap(err, "export close")
	}
	if e.Done != nil {
		if err := e.Done(n); err != nil {
			return 0, err
		}
	}
	size, err := spool.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = spool.Seek(0, io.SeekStart)
	}
	return size, apperr.Wrap(err, "export spool")
}

// chinaTime is the zone dates in file names are read in.
var chinaTime = time.FixedZone("CST", 8*3600)

// ExportName is the base name of a list download: the list's Chinese name,
// the division it covers and the day in China, as in 人员_341523_20261122.
func ExportName(list, division string, now time.Time) string {
	name := list
	if division != "" {
		name += "_" + division
	}
	return name + "_" + now.In(chinaTime).Format("20060102")
}
