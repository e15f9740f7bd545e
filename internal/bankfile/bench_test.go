package bankfile

import (
	"bytes"
	"testing"
)

// BenchmarkWrite50k writes a 50,000-payment batch in each example layout;
// the payroll around it must stay well under 2 s, so the file should take
// a few hundred ms at most.
func BenchmarkWrite50k(b *testing.B) {
	batch := bigBatch(50_000)
	for _, key := range []string{"generic-csv", "generic-xlsx", "rcc-fixed-gbk"} {
		ex := example(b, key)
		b.Run(key, func(b *testing.B) {
			var size int64
			for b.Loop() {
				cw := &countWriter{}
				if _, err := Write(cw, ex.Layout, batch); err != nil {
					b.Fatal(err)
				}
				size = cw.n
			}
			b.ReportMetric(float64(size), "file-bytes")
		})
	}
}

// BenchmarkParseReturn50k reads a 50,000-line GBK fixed return and
// reconciles it.
func BenchmarkParseReturn50k(b *testing.B) {
	batch := bigBatch(50_000)
	ex := example(b, "rcc-fixed-gbk")
	var file bytes.Buffer
	if _, err := Write(&file, ex.Layout, batch); err != nil {
		b.Fatal(err)
	}
	var ret []byte
	ls := bytes.Split(bytes.TrimSuffix(file.Bytes(), []byte("\r\n")), []byte("\r\n"))
	ret = append(append(ret, ls[0]...), "\r\n"...)
	for _, ln := range ls[1:] {
		ret = append(append(append(ret, ln...), "0000"...), "\r\n"...)
	}
	for b.Loop() {
		got, err := ParseReturn(bytes.NewReader(ret), int64(len(ret)), ex.Return)
		if err != nil {
			b.Fatal(err)
		}
		if r := Reconcile(batch.Lines, got); len(r.Paid) != 50_000 {
			b.Fatalf("%d paid", len(r.Paid))
		}
	}
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
