package division

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"jisheng/internal/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixtureRows is a small dataset with the quirks of the real one: a city
// named 市辖区, a county-level city under 省直辖县级行政区划, a development
// zone (4xx) township, and neighbouring counties before and after 舒城县.
var fixtureRows = []string{
	"11\t北京市",
	"1101\t市辖区",
	"110101\t东城区",
	"110101001\t东华门街道",
	"110101001001\t多福巷社区居委会",
	"34\t安徽省",
	"3415\t六安市",
	"341522\t霍邱县",
	"341522100\t城关镇",
	"341522100001\t城关社区居委会",
	"341523\t舒城县",
	"341523001\t测试街道",
	"341523001001\t测试社区居委会",
	"341523100\t城关镇",
	"341523100001\t东苑社区居委会",
	"341523100201\t桃溪村委会",
	"341523200\t春秋乡",
	"341523200200\t春秋村委会",
	"341523400\t舒城县经济开发区",
	"341523400498\t开发区虚拟社区",
	"341524\t金寨县",
	"341524100\t梅山镇",
	"41\t河南省",
	"4190\t省直辖县级行政区划",
	"419001\t济源市",
	"419001001\t沁园街道",
	"419001001001\t沁园社区居委会",
}

// bulkRows adds county 341525 with 5 townships of 100 villages each.
func bulkRows() []string {
	rows := []string{"341525\t霍山县"}
	for t := 100; t < 105; t++ {
		rows = append(rows, fmt.Sprintf("341525%03d\t第%d镇", t, t-99))
		for v := 1; v <= 100; v++ {
			rows = append(rows, fmt.Sprintf("341525%03d%03d\t第%d村委会", t, v, v))
		}
	}
	return rows
}

// useFixture makes the package read a gzip dataset of rows (sorted here,
// as gendivisions does) instead of the embedded file, until the test ends.
func useFixture(t testing.TB, rows ...string) {
	t.Helper()
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b string) int {
		ca, _, _ := strings.Cut(a, "\t")
		cb, _, _ := strings.Cut(b, "\t")
		return strings.Compare(ca, cb)
	})
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for _, r := range rows {
		io.WriteString(zw, r+"\n")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	setSource(t, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
}

// useNoData simulates a binary built without the data file.
func useNoData(t testing.TB) {
	setSource(t, func() (io.ReadCloser, error) { return nil, fs.ErrNotExist })
}

func setSource(t testing.TB, s func() (io.ReadCloser, error)) {
	old := source
	source = s
	t.Cleanup(func() { source = old })
}

func defaultFixture(t testing.TB) {
	useFixture(t, append(slices.Clone(fixtureRows), bulkRows()...)...)
}
