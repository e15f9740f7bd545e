package sheet_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"jisheng/internal/sheet"
)

// FuzzReadCSV feeds any bytes to the reader: it must refuse or read them,
// never panic, and every row must be as wide as the header.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"姓名,公民身份号码\n张三,0013\n", "\xEF\xBB\xBFa,b\r\n1,\"2\n3\"\r\n", "a\n\"unterminated", "a,b\nx\"y,1\n",
		"\xC0\xEE\xCB\xC4,b\n", "\x81\x30\x81\x30,x\n", "\n\n,,\n", "PK\x03\x04", "\xD0\xCF\x11\xE0", "a,,,,\n,,,,x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rd, err := sheet.Open(bytes.NewReader(b), int64(len(b)), 1<<20)
		if err != nil {
			return
		}
		defer rd.Close()
		if len(rd.Header()) == 0 {
			t.Fatal("opened without a header")
		}
		last := 1
		for {
			row, err := rd.Next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			if len(row.Cells) != len(rd.Header()) || row.Line <= last {
				t.Fatalf("row %d (after %d) has %d cells for %d columns", row.Line, last, len(row.Cells), len(rd.Header()))
			}
			last = row.Line
		}
	})
}

const benchRows = 100_000

var benchHeader = []string{"姓名", "性别", "出生日期", "公民身份号码", "民族", "户口性质", "婚姻状况", "联系电话", "户籍地区划代码", "现居住地区划代码", "户编号", "与户主关系"}

func benchRow(i int) []string {
	return []string{"王秀英", "女", "1990-03-07", fmt.Sprintf("3415231990%08d", i), "汉族", "农业", "初婚",
		fmt.Sprintf("139%08d", i), "341523100001", "341523100001", fmt.Sprintf("341523100001-%04d", i%10000), "户主"}
}

// benchFile writes a file of benchRows rows with the package's own writer.
func benchFile(b *testing.B, f sheet.Format) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench."+string(f))
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	buf := bufio.NewWriter(out)
	w, err := sheet.NewWriter(buf, f, "人员", benchHeader)
	if err != nil {
		b.Fatal(err)
	}
	for i := range benchRows {
		if err := w.Write(benchRow(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := buf.Flush(); err != nil {
		b.Fatal(err)
	}
	out.Close()
	return path
}

func benchRead(b *testing.B, path string) {
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rd, err := sheet.OpenFile(path, 0)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		rd.Close()
		if n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
}

func BenchmarkReadCSV(b *testing.B) { benchRead(b, benchFile(b, sheet.CSV)) }

// BenchmarkReadCSVStdlib is the reference for BenchmarkReadCSV: bare
// encoding/csv reusing its record on the same file.
func BenchmarkReadCSVStdlib(b *testing.B) {
	path := benchFile(b, sheet.CSV)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		f, _ := os.Open(path)
		cr := csvReader(f)
		n := -1
		for {
			if _, err := cr.Read(); err != nil {
				break
			}
			n++
		}
		f.Close()
		if n != benchRows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
}

func BenchmarkReadCSVGBK(b *testing.B) {
	path := benchFile(b, sheet.CSV)
	src, _ := os.ReadFile(path)
	gbkPath := filepath.Join(b.TempDir(), "gbk.csv")
	enc := gbkBytes(b, src[3:])
	if err := os.WriteFile(gbkPath, enc, 0o600); err != nil {
		b.Fatal(err)
	}
	benchRead(b, gbkPath)
}

func BenchmarkReadXLSX(b *testing.B) { benchRead(b, benchFile(b, sheet.XLSX)) }

func BenchmarkWriteXLSX(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		w, err := sheet.NewWriter(io.Discard, sheet.XLSX, "人员", benchHeader)
		if err != nil {
			b.Fatal(err)
		}
		for i := range benchRows {
			if err := w.Write(benchRow(i)); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/row")
}
