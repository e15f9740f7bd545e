package sheet_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jisheng/internal/sheet"
)

var roundTripHeader = []string{"姓名", "公民身份号码", "联系电话", "编号", "备注"}

// roundTripRows hold what must survive a file: Chinese, leading zeros,
// 18-digit IDs ending in X, and formula triggers.
var roundTripRows = [][]string{
	{"张三", "11010519491231002X", "13912345678", "0013", "普通文本"},
	{"李四", "440524188001010014", "0551-1234567", "000000000000000001", "=HYPERLINK(\"http://x\",\"点我\")"},
	{"王五", "", "+8613912345678", "-5", "@SUM(A1:A2)"},
	{"赵六", "", "", "1e5", "\tcmd"},
	{"钱七", "", "", "", "=cmd|' /C calc'!A0"},
}

// neutralised is roundTripRows as a reader sees them after writing.
func neutralised() [][]string {
	out := make([][]string, len(roundTripRows))
	for i, r := range roundTripRows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = sheet.Neutralise(c)
		}
	}
	return out
}

func writeFile(t *testing.T, f sheet.Format, header []string, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, f, "人员", header)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, f := range []sheet.Format{sheet.XLSX, sheet.CSV} {
		t.Run(string(f), func(t *testing.T) {
			b := writeFile(t, f, roundTripHeader, roundTripRows)
			rd, rows, err := readAll(t, b, 0)
			if err != nil {
				t.Fatal(err)
			}
			if rd.Format() != f || !reflect.DeepEqual(rd.Header(), roundTripHeader) {
				t.Fatalf("format %s header %q", rd.Format(), rd.Header())
			}
			want := neutralised()
			for i, cells := range want {
				if i >= len(rows) || !reflect.DeepEqual(rows[i].Cells, cells) || rows[i].Line != i+2 {
					t.Fatalf("row %d: got %+v, want line %d %q", i, rows[i:], i+2, cells)
				}
			}
			if len(rows) != len(want) {
				t.Fatalf("%d rows, want %d", len(rows), len(want))
			}
		})
	}
}

func TestCSVBytes(t *testing.T) {
	b := writeFile(t, sheet.CSV, []string{"姓名", "备注"}, [][]string{{"张三", "a,b"}, {"李四", "=1+1"}})
	want := "\xEF\xBB\xBF姓名,备注\r\n张三,\"a,b\"\r\n李四,'=1+1\r\n"
	if string(b) != want {
		t.Fatalf("csv bytes %q, want %q", b, want)
	}
}

// TestXLSXCellsAreText opens the written workbook with excelize itself and
// checks that numbers-looking values and neutralised formulas are string
// cells, not numbers or formulas.
func TestXLSXCellsAreText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.xlsx")
	if err := os.WriteFile(path, writeFile(t, sheet.XLSX, roundTripHeader, roundTripRows), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"人员"}) {
		t.Fatalf("sheets %q", got)
	}
	cases := []struct{ cell, value string }{
		{"B2", "11010519491231002X"}, {"C2", "13912345678"}, {"D2", "0013"},
		{"D3", "000000000000000001"}, {"E3", `'=HYPERLINK("http://x","点我")`},
		{"C4", "'+8613912345678"}, {"D4", "'-5"}, {"E4", "'@SUM(A1:A2)"},
		{"D5", "1e5"}, {"E5", "'\tcmd"}, {"E6", "'=cmd|' /C calc'!A0"},
	}
	for _, c := range cases {
		typ, err := f.GetCellType("人员", c.cell)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := f.GetCellValue("人员", c.cell)
		formula, _ := f.GetCellFormula("人员", c.cell)
		if typ != excelize.CellTypeInlineString || v != c.value || formula != "" {
			t.Errorf("%s: type %v value %q formula %q, want text %q", c.cell, typ, v, formula, c.value)
		}
	}
}

func TestLongExportContinuesOnNewSheet(t *testing.T) {
	defer sheet.SetMaxSheetRows(3)()
	rows := [][]string{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}}
	path := filepath.Join(t.TempDir(), "long.xlsx")
	if err := os.WriteFile(path, writeFile(t, sheet.XLSX, []string{"序号"}, rows), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string][]string{"人员": {"序号", "1", "2"}, "人员（2）": {"序号", "3", "4"}, "人员（3）": {"序号", "5"}}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"人员", "人员（2）", "人员（3）"}) {
		t.Fatalf("sheets %q", got)
	}
	for name, cells := range want {
		rows, err := f.Rows(name)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			c, _ := rows.Columns()
			got = append(got, c...)
		}
		rows.Close()
		if !reflect.DeepEqual(got, cells) {
			t.Errorf("sheet %s: %q, want %q", name, got, cells)
		}
	}
}

func TestNeutralise(t *testing.T) {
	cases := map[string]string{
		"": "", "张三": "张三", "0013": "0013", "a=b": "a=b", " =x": " =x",
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
	}
	for in, want := range cases {
		if got := sheet.Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]sheet.Format{"": sheet.XLSX, "xlsx": sheet.XLSX, "CSV": sheet.CSV} {
		if got, err := sheet.ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q %v", in, got, err)
		}
	}
	if _, err := sheet.ParseFormat("xls"); err == nil || !strings.Contains(err.Error(), "xlsx 或 csv") {
		t.Errorf("xls accepted: %v", err)
	}
}

func TestDispositionAndContentType(t *testing.T) {
	d := sheet.Disposition("人员_341523_20261122.xlsx")
	want := `attachment; filename="341523_20261122.xlsx"; filename*=UTF-8''%E4%BA%BA%E5%91%98_341523_20261122.xlsx`
	if d != want {
		t.Fatalf("disposition %s", d)
	}
	if d := sheet.Disposition("a\"b\r\n;c d'.csv"); d != `attachment; filename="abc d'.csv"; filename*=UTF-8''ab%3Bc%20d%27.csv` {
		t.Fatalf("unsafe name: %s", d)
	}
	if !strings.HasPrefix(sheet.ContentType(sheet.CSV), "text/csv") || !strings.Contains(sheet.ContentType(sheet.XLSX), "spreadsheetml") {
		t.Fatal("content types")
	}
}

func TestDownload(t *testing.T) {
	defer func(l *slog.Logger) { slog.SetDefault(l) }(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) // the failures below are logged as internal errors
	export := func(rowsErr, doneErr error, done *int) sheet.Export {
		return sheet.Export{Format: sheet.CSV, Name: "人员_341523_20261122", Sheet: "人员", Header: []string{"姓名"},
			Rows: func(write func([]string) error) error {
				for _, n := range []string{"张三", "李四"} {
					if err := write([]string{n}); err != nil {
						return err
					}
				}
				return rowsErr
			},
			Done: func(n int) error { *done = n; return doneErr }}
	}
	t.Run("ok", func(t *testing.T) {
		var done int
		rec := httptest.NewRecorder()
		sheet.Download(rec, httptest.NewRequest("GET", "/x", nil), export(nil, nil, &done))
		body := rec.Body.String()
		if rec.Code != 200 || body != "\xEF\xBB\xBF姓名\r\n张三\r\n李四\r\n" || done != 2 {
			t.Fatalf("%d %q done=%d", rec.Code, body, done)
		}
		h := rec.Header()
		if h.Get("Content-Length") != "27" || !strings.Contains(h.Get("Content-Disposition"), "%E4%BA%BA%E5%91%98_341523_20261122.csv") ||
			!strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("headers %v", h)
		}
	})
	t.Run("head", func(t *testing.T) {
		done := -1
		rec := httptest.NewRecorder()
		sheet.Download(rec, httptest.NewRequest("HEAD", "/x", nil), export(nil, nil, &done))
		if rec.Code != 200 || rec.Body.Len() != 0 || done != -1 || rec.Header().Get("Content-Disposition") == "" {
			t.Fatalf("HEAD: %d %q done=%d", rec.Code, rec.Body.String(), done)
		}
	})
	for name, c := range map[string]struct {
		rowsErr, doneErr error
		wantDone         bool
	}{
		"rows fail":  {rowsErr: errors.New("db gone")},
		"done fails": {doneErr: errors.New("journal full"), wantDone: true},
	} {
		t.Run(name, func(t *testing.T) {
			done := -1
			rec := httptest.NewRecorder()
			sheet.Download(rec, httptest.NewRequest("GET", "/x", nil), export(c.rowsErr, c.doneErr, &done))
			if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "张三") ||
				rec.Header().Get("Content-Disposition") != "" || (done == 2) != c.wantDone {
				t.Fatalf("%d %q done=%d", rec.Code, rec.Body.String(), done)
			}
		})
	}
}
