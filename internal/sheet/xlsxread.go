package sheet

import (
	"errors"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"jisheng/internal/apperr"
)

// xmlInMemory is the largest worksheet or shared-string part excelize keeps
// in memory; larger parts are unzipped to a temporary file and read from
// there as the rows are walked.
const xmlInMemory = 16 << 20

// unzipLimit bounds the unzipped size of a workbook of at most limit bytes,
// so a small zip bomb cannot fill the disk with temporary files. Sheet XML
// compresses about tenfold; forty times leaves room for very repetitive
// sheets.
func unzipLimit(limit int64) int64 {
	if limit <= 0 {
		return 8 << 30
	}
	return min(max(limit*40, 512<<20), 8<<30)
}

// xlsxSource walks the first sheet of a workbook with excelize's streaming
// row iterator; rows.Columns allocates the row's cells, nothing more is held.
type xlsxSource struct {
	book *excelize.File
	rows *excelize.Rows
	row  int
}

// openXLSX opens the workbook at path, or one copied to a temporary file
// when it is not on disk: excelize reads an io.Reader whole into memory, but
// opens a file in place, unzipping large parts to temporary files.
func openXLSX(r io.ReaderAt, size, limit int64, path string) (source, error) {
	if path == "" {
		tmp, err := spool(r, size)
		if err != nil {
			return nil, err
		}
		defer os.Remove(tmp)
		path = tmp
	}
	book, err := excelize.OpenFile(path, excelize.Options{
		UnzipSizeLimit: unzipLimit(limit), UnzipXMLSizeLimit: xmlInMemory})
	if err != nil {
		return nil, xlsxError(err)
	}
	sheets := book.GetSheetList()
	if len(sheets) == 0 {
		book.Close()
		return nil, apperr.New(apperr.Invalid, msgNotSheet)
	}
	rows, err := book.Rows(sheets[0])
	if err != nil {
		book.Close()
		return nil, xlsxError(err)
	}
	return &xlsxSource{book: book, rows: rows}, nil
}

// spool copies the size bytes of r to a temporary file and returns its path.
func spool(r io.ReaderAt, size int64) (string, error) {
	tmp, err := os.CreateTemp("", "jisheng-sheet-*.xlsx")
	if err != nil {
		return "", apperr.Wrap(err, "spool xlsx")
	}
	_, err = io.Copy(tmp, io.NewSectionReader(r, 0, size))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", apperr.Wrap(err, "spool xlsx")
	}
	return tmp.Name(), nil
}

// xlsxError explains why a workbook could not be read.
func xlsxError(err error) error {
	if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword) {
		return apperr.New(apperr.Invalid, msgNotSheet)
	}
	if strings.HasPrefix(err.Error(), "unzip size exceeds") { // excelize has no error value for it
		return apperr.New(apperr.Invalid, "工作簿解压后过大，无法读取（请删除多余的工作表或拆分文件）")
	}
	if errors.Is(err, excelize.ErrMaxRows) {
		return apperr.New(apperr.Invalid, "工作表行数超过 Excel 的上限")
	}
	return &apperr.Error{Code: apperr.Invalid, Message: "无法读取 .xlsx 文件：文件已损坏，或不是 Excel 工作簿（请在 Excel 或 WPS 中打开后重新保存）", Err: err}
}

func (s *xlsxSource) next() (int, []string, error) {
	for s.rows.Next() {
		s.row++
		cells, err := s.rows.Columns()
		if err != nil {
			return 0, nil, xlsxError(err)
		}
		if len(cells) > 0 {
			return s.row, cells, nil
		}
	}
	if err := s.rows.Error(); err != nil {
		return 0, nil, xlsxError(err)
	}
	return 0, nil, io.EOF
}

func (s *xlsxSource) close() error {
	return errors.Join(s.rows.Close(), s.book.Close())
}
