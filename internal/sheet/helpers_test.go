package sheet_test

import (
	"bufio"
	"encoding/csv"
	"io"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func csvReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	return cr
}

func gbkBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
