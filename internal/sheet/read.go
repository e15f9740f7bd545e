package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"jisheng/internal/apperr"
)

// Row is one data row of a spreadsheet.
type Row struct {
	// Line is the row number a spreadsheet program shows for it; the
	// header is normally line 1. Error reports name rows by it.
	Line int
	// Cells holds one trimmed value per header column.
	Cells []string
	// Extra is set when the row has values to the right of the last header
	// column, which no column takes.
	Extra bool
}

// Reader reads a spreadsheet's header, then its data rows one at a time.
type Reader struct {
	format Format
	header []string
	src    source
	cells  []string
	file   *os.File // opened by OpenFile
}

// source yields the raw rows of one file format: each row's line number and
// untrimmed cells, and io.EOF at the end.
type source interface {
	next() (line int, cells []string, err error)
	close() error
}

// Messages of the refusals of a whole file.
const (
	msgNotSheet = "文件不是 .xlsx 或 .csv 表格"
	msgEmpty    = "文件为空"
)

// sniffSize is how much of the start of a file decides what it is.
const sniffSize = 64 << 10

// Open reads the spreadsheet of size bytes in r. The format comes from the
// content, never from a file name: a zip container is a workbook (its first
// sheet is read), text is CSV, anything else is refused, as are an empty
// file and one larger than limit bytes (limit <= 0: no limit). The first
// non-blank row is the header.
func Open(r io.ReaderAt, size int64, limit int64) (*Reader, error) {
	return open(r, size, limit, "")
}

// open is Open of a file that is also at path on disk ("" when it is not),
// which a workbook is then opened from in place.
func open(r io.ReaderAt, size, limit int64, path string) (*Reader, error) {
	if size <= 0 {
		return nil, apperr.New(apperr.Invalid, msgEmpty)
	}
	if limit > 0 && size > limit {
		return nil, apperr.Newf(apperr.TooLarge, "文件超过大小上限 %s MB", megabytes(limit))
	}
	head := make([]byte, min(size, sniffSize))
	if _, err := r.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, apperr.Wrap(err, "read spreadsheet")
	}
	var src source
	var format Format
	var err error
	switch {
	case bytes.HasPrefix(head, zipMagic):
		format = XLSX
		src, err = openXLSX(r, size, limit, path)
	default:
		if err = checkText(head); err != nil {
			return nil, err
		}
		format = CSV
		src, err = openCSV(r, size, head)
	}
	if err != nil {
		return nil, err
	}
	rd := &Reader{format: format, src: src}
	if err := rd.readHeader(); err != nil {
		src.close()
		return nil, err
	}
	return rd, nil
}

// OpenFile opens the spreadsheet at path; Close closes the file.
func OpenFile(path string, limit int64) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, apperr.Wrap(err, "open spreadsheet")
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, apperr.Wrap(err, "stat spreadsheet")
	}
	rd, err := open(f, st.Size(), limit, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	rd.file = f
	return rd, nil
}

// megabytes renders a byte count in MB for messages: whole when it is.
func megabytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprint(n >> 20)
	}
	return fmt.Sprintf("%.1f", float64(n)/(1<<20))
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	// binaryMagics start formats whose first bytes can pass for text: a PDF
	// begins with a text line and high bytes that decode as GBK.
	binaryMagics = [][]byte{[]byte("%PDF-"), []byte("\x89PNG"), []byte("GIF8"), {0xFF, 0xD8, 0xFF},
		[]byte("Rar!"), {'7', 'z', 0xBC, 0xAF}, {0x1F, 0x8B}, []byte("{\\rtf")}
)

// checkText refuses a start of a file that is not text: known binary
// formats, UTF-16 (Excel's "Unicode text") and control bytes that no CSV
// holds.
func checkText(head []byte) error {
	switch {
	case bytes.HasPrefix(head, oleMagic):
		return apperr.New(apperr.Invalid, msgNotSheet+"（旧版 .xls 或加密的工作簿请在 Excel 中另存为 .xlsx）")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return apperr.New(apperr.Invalid, msgNotSheet+"（文件是 UTF-16 编码的文本，请另存为“CSV UTF-8”或 .xlsx）")
	}
	for _, m := range binaryMagics {
		if bytes.HasPrefix(head, m) {
			return apperr.New(apperr.Invalid, msgNotSheet)
		}
	}
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1A {
			return apperr.New(apperr.Invalid, msgNotSheet)
		}
	}
	return nil
}

// readHeader takes the first non-blank row as the header: trimmed, without
// a byte-order mark, and as wide as its last non-empty cell.
func (r *Reader) readHeader() error {
	for {
		_, raw, err := r.src.next()
		if errors.Is(err, io.EOF) {
			return apperr.New(apperr.Invalid, msgEmpty)
		}
		if err != nil {
			return err
		}
		width := 0
		header := make([]string, len(raw))
		for i, c := range raw {
			header[i] = strings.TrimSpace(strings.ReplaceAll(c, "\uFEFF", ""))
			if header[i] != "" {
				width = i + 1
			}
		}
		if width > 0 {
			r.header = header[:width:width]
			r.cells = make([]string, width)
			return nil
		}
	}
}

// Format returns the format the content was recognised as.
func (r *Reader) Format() Format { return r.format }

// Header returns the header row's trimmed texts.
func (r *Reader) Header() []string { return r.header }

// Next returns the next data row that has a value, skipping blank ones, and
// io.EOF after the last. Row.Cells is reused by the following call: callers
// copy what they keep (the strings themselves are not reused).
func (r *Reader) Next() (Row, error) {
	for {
		line, raw, err := r.src.next()
		if err != nil {
			return Row{}, err
		}
		row := Row{Line: line, Cells: r.cells}
		blank := true
		for i := range r.cells {
			v := ""
			if i < len(raw) {
				v = strings.TrimSpace(raw[i])
			}
			r.cells[i] = v
			blank = blank && v == ""
		}
		for i := len(r.cells); i < len(raw); i++ {
			if strings.TrimSpace(raw[i]) != "" {
				row.Extra, blank = true, false
				break
			}
		}
		if !blank {
			return row, nil
		}
	}
}

// Close releases the reader's temporary files and the file OpenFile opened.
func (r *Reader) Close() error {
	err := r.src.close()
	if r.file != nil {
		err = errors.Join(err, r.file.Close())
	}
	return err
}
