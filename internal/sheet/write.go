package sheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"jisheng/internal/apperr"
)

// Writer writes rows to an .xlsx workbook of one sheet or to a .csv file.
// Every cell is written as text, each value passed through Neutralise.
type Writer struct {
	format Format
	header []string
	rows   int // rows written, the header included

	// csv
	buf  *bufio.Writer
	csv  *csv.Writer
	safe []string

	// xlsx
	out       io.Writer
	book      *excelize.File
	stream    *excelize.StreamWriter
	sheetName string
	sheets    int
	textStyle int
	headStyle int
	cells     []any
}

// maxSheetRows is how many rows one worksheet holds (Excel's limit); a
// longer export continues on a new sheet that repeats the header.
var maxSheetRows = excelize.TotalRows

// NewWriter starts a file in format f with the header row. A CSV is UTF-8
// with a byte-order mark (without it Excel on Chinese Windows reads GBK and
// garbles the text) and CRLF line ends; an .xlsx is built by excelize's
// StreamWriter, which spools rows to a temporary file, and is written to w
// by Close.
func NewWriter(w io.Writer, f Format, sheetName string, header []string) (*Writer, error) {
	sw := &Writer{format: f, header: header}
	switch f {
	case CSV:
		sw.buf = bufio.NewWriterSize(w, 64<<10)
		if _, err := sw.buf.Write(utf8BOM); err != nil {
			return nil, err
		}
		sw.csv = csv.NewWriter(sw.buf)
		sw.csv.UseCRLF = true
	case XLSX:
		if err := sw.startBook(w, sheetName); err != nil {
			return nil, err
		}
	default:
		return nil, apperr.InvalidField("format", "导出格式应为 xlsx 或 csv")
	}
	return sw, sw.writeHeader()
}

func (w *Writer) startBook(out io.Writer, name string) error {
	w.out, w.book, w.sheetName = out, excelize.NewFile(), cleanSheetName(name)
	var err error
	if w.textStyle, err = w.book.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // 49 is "@", text
		return apperr.Wrap(err, "xlsx style")
	}
	if w.headStyle, err = w.book.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}}); err != nil {
		return apperr.Wrap(err, "xlsx style")
	}
	if err := w.book.SetSheetName(w.book.GetSheetName(0), w.sheetName); err != nil {
		return apperr.Wrap(err, "xlsx sheet name")
	}
	return w.openSheet(w.sheetName)
}

// openSheet starts streaming a sheet: the header row frozen at the top,
// columns as wide as their header and formatted as text, so that a value
// an officer types in later stays text too.
func (w *Writer) openSheet(name string) error {
	if w.sheets > 0 {
		if _, err := w.book.NewSheet(name); err != nil {
			return apperr.Wrap(err, "xlsx new sheet")
		}
	}
	w.sheets++
	var err error
	if w.stream, err = w.book.NewStreamWriter(name); err != nil {
		return apperr.Wrap(err, "xlsx stream")
	}
	if err := w.stream.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return apperr.Wrap(err, "xlsx panes")
	}
	for i, h := range w.header {
		width := min(max(12, float64(displayWidth(h))+4), 60)
		if err := w.stream.SetColWidth(i+1, i+1, width); err != nil {
			return apperr.Wrap(err, "xlsx width")
		}
	}
	if n := len(w.header); n > 0 {
		if err := w.stream.SetColStyle(1, n, w.textStyle); err != nil {
			return apperr.Wrap(err, "xlsx column style")
		}
	}
	return nil
}

// displayWidth counts a CJK character as two columns, as Excel shows it.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// cleanSheetName makes name a valid worksheet name: at most 31 characters,
// none of : \ / ? * [ ].
func cleanSheetName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	name = strings.Trim(name, "'")
	if utf8.RuneCountInString(name) > 31 {
		name = string([]rune(name)[:31])
	}
	if name == "" {
		return "Sheet1"
	}
	return name
}

func (w *Writer) writeHeader() error {
	if w.format == CSV {
		return w.Write(w.header)
	}
	return w.xlsxRow(w.header, w.headStyle)
}

// Write adds a row. Rows may be shorter or longer than the header.
func (w *Writer) Write(cells []string) error {
	if w.format == CSV {
		return w.csvRow(cells)
	}
	if w.rows%maxSheetRows == 0 && w.rows > 0 {
		if err := w.nextSheet(); err != nil {
			return err
		}
	}
	return w.xlsxRow(cells, w.textStyle)
}

func (w *Writer) csvRow(cells []string) error {
	w.safe = w.safe[:0]
	for _, c := range cells {
		w.safe = append(w.safe, Neutralise(c))
	}
	w.rows++
	return w.csv.Write(w.safe)
}

func (w *Writer) xlsxRow(cells []string, style int) error {
	w.cells = w.cells[:0]
	for _, c := range cells {
		w.cells = append(w.cells, Neutralise(c))
	}
	w.rows++
	row := (w.rows-1)%maxSheetRows + 1
	cell, err := excelize.CoordinatesToCellName(1, row)
	if err == nil {
		err = w.stream.SetRow(cell, w.cells, excelize.RowOpts{StyleID: style})
	}
	return apperr.Wrap(err, "xlsx row")
}

// nextSheet continues a file longer than a worksheet holds on a new sheet
// named like "人员（2）", which starts with the header again.
func (w *Writer) nextSheet() error {
	if err := w.stream.Flush(); err != nil {
		return apperr.Wrap(err, "xlsx flush")
	}
	name := cleanSheetName(fmt.Sprintf("%s（%d）", w.sheetName, w.sheets+1))
	if err := w.openSheet(name); err != nil {
		return err
	}
	return w.xlsxRow(w.header, w.headStyle)
}

// Close finishes the file: flushes a CSV, or writes the whole workbook to w
// and removes the StreamWriter's temporary files.
func (w *Writer) Close() error {
	if w.format == CSV {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return err
		}
		return w.buf.Flush()
	}
	defer w.book.Close()
	if err := w.stream.Flush(); err != nil {
		return apperr.Wrap(err, "xlsx flush")
	}
	return apperr.Wrap(w.book.Write(w.out), "xlsx write")
}

// discard abandons an unfinished file, removing the StreamWriter's
// temporary files without writing anything more.
func (w *Writer) discard() {
	if w.book != nil {
		_ = w.book.Close()
	}
}
