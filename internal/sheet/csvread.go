package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"jisheng/internal/apperr"
)

// encoding is the character set of a CSV file.
type encoding int

const (
	utf8Text encoding = iota
	gb18030Text
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// csvSource reads a CSV file with encoding/csv reusing its record, decoding
// GB18030 through a transform.Reader only when the file is not UTF-8.
type csvSource struct {
	r   *csv.Reader
	enc encoding
	// row is the spreadsheet row of the last record and nextLine the file
	// line just after it: a record spans as many lines as its quoted
	// newlines, and blank lines, which encoding/csv skips, are rows too.
	row, nextLine int
}

func openCSV(r io.ReaderAt, size int64, head []byte) (source, error) {
	var start int64
	enc := utf8Text
	if bytes.HasPrefix(head, utf8BOM) {
		start = 3
	} else {
		var err error
		if enc, err = detectEncoding(r, size); err != nil {
			return nil, err
		}
	}
	var in io.Reader = io.NewSectionReader(r, start, size-start)
	if enc == gb18030Text {
		in = transform.NewReader(in, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(bufio.NewReaderSize(in, 64<<10))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	return &csvSource{r: cr, enc: enc, nextLine: 1}, nil
}

// detectEncoding tells UTF-8 from GB18030 (a superset of GBK, which Excel
// on Chinese Windows writes) by the first stretch of non-ASCII bytes: pure
// ASCII up to there reads the same in both. Later rows are checked as they
// are read (see checkCells).
func detectEncoding(r io.ReaderAt, size int64) (encoding, error) {
	at, ok, err := firstNonASCII(r, size)
	if err != nil || !ok {
		return utf8Text, err
	}
	win := make([]byte, min(4096, size-at))
	if _, err := r.ReadAt(win, at); err != nil && !errors.Is(err, io.EOF) {
		return utf8Text, apperr.Wrap(err, "read csv")
	}
	atEOF := at+int64(len(win)) == size
	switch {
	case validUTF8Prefix(win, atEOF), validUTF8Prefix(firstRun(win), atEOF || len(firstRun(win)) < len(win)):
		// A file whose first Chinese text is UTF-8 is UTF-8; GBK bytes
		// further on are refused by row rather than the whole file garbled.
		return utf8Text, nil
	case validGB18030Prefix(win, atEOF):
		return gb18030Text, nil
	}
	return utf8Text, apperr.New(apperr.Invalid, msgBadEncoding)
}

const msgBadEncoding = "无法识别文件的字符编码（应为 UTF-8 或 GBK/GB18030），请在 Excel 中另存为“CSV UTF-8”或 .xlsx"

// firstRun returns the leading non-ASCII bytes of b.
func firstRun(b []byte) []byte {
	for i, c := range b {
		if c < utf8.RuneSelf {
			return b[:i]
		}
	}
	return b
}

// firstNonASCII returns the offset of the first byte >= 0x80.
func firstNonASCII(r io.ReaderAt, size int64) (int64, bool, error) {
	buf := make([]byte, 64<<10)
	for off := int64(0); off < size; off += int64(len(buf)) {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		for i, c := range buf[:n] {
			if c >= utf8.RuneSelf {
				return off + int64(i), true, nil
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, false, apperr.Wrap(err, "read csv")
		}
	}
	return 0, false, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a character cut at
// the end of the window unless the window ends the file.
func validUTF8Prefix(b []byte, atEOF bool) bool {
	if !atEOF {
		for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
			if utf8.RuneStart(b[len(b)-i]) {
				if !utf8.FullRune(b[len(b)-i:]) {
					b = b[:len(b)-i]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// validGB18030Prefix reports whether b decodes as GB18030 without a
// replacement character; the decoder leaves a cut sequence at the end of
// the window undecoded rather than replacing it.
func validGB18030Prefix(b []byte, atEOF bool) bool {
	dst := make([]byte, 2*len(b)+16)
	n, _, err := simplifiedchinese.GB18030.NewDecoder().Transform(dst, b, atEOF)
	if err != nil && !errors.Is(err, transform.ErrShortSrc) {
		return false
	}
	return !bytes.ContainsRune(dst[:n], utf8.RuneError)
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, io.EOF
	}
	if err != nil {
		return 0, nil, s.parseError(err)
	}
	start, _ := s.r.FieldPos(0)
	s.row += 1 + start - s.nextLine
	newlines := 0
	for _, c := range rec {
		newlines += strings.Count(c, "\n")
	}
	s.nextLine = start + 1 + newlines
	if err := s.checkCells(rec); err != nil {
		return 0, nil, err
	}
	return s.row, rec, nil
}

// checkCells refuses a row whose bytes are not of the file's encoding: a
// UTF-8 file with GBK rows further down, or bytes GB18030 cannot decode.
func (s *csvSource) checkCells(rec []string) error {
	for _, c := range rec {
		bad := false
		if s.enc == utf8Text {
			bad = !utf8.ValidString(c)
		} else {
			bad = strings.ContainsRune(c, utf8.RuneError)
		}
		if bad {
			return apperr.New(apperr.Invalid, fmt.Sprintf("第 %d 行含有无法识别的字符：", s.row)+msgBadEncoding)
		}
	}
	return nil
}

// parseError names the row of a CSV syntax error in Chinese.
func (s *csvSource) parseError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return apperr.Wrap(err, "read csv")
	}
	row := s.row + 1 + pe.StartLine - s.nextLine
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		return apperr.Newf(apperr.Invalid, "第 %d 行：引号不成对，以双引号开头的单元格须以双引号结束", row)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return apperr.Newf(apperr.Invalid, "第 %d 行：未加引号的单元格中含有双引号（单元格内的双引号应写成两个 \"\"，并用双引号括起整个单元格）", row)
	}
	return apperr.Newf(apperr.Invalid, "第 %d 行无法解析：%v", row, pe.Err)
}

func (s *csvSource) close() error { return nil }
