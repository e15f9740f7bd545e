package sheet_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"jisheng/internal/apperr"
	"jisheng/internal/sheet"
)

// readAll opens b and returns the header and every row (cells copied).
func readAll(t *testing.T, b []byte, limit int64) (*sheet.Reader, []sheet.Row, error) {
	t.Helper()
	rd, err := sheet.Open(bytes.NewReader(b), int64(len(b)), limit)
	if err != nil {
		return nil, nil, err
	}
	defer rd.Close()
	var rows []sheet.Row
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rd, rows, nil
		}
		if err != nil {
			return rd, rows, err
		}
		if len(row.Cells) != len(rd.Header()) {
			t.Fatalf("row %d has %d cells for %d header columns", row.Line, len(row.Cells), len(rd.Header()))
		}
		row.Cells = append([]string(nil), row.Cells...)
		rows = append(rows, row)
	}
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gb18030(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// foreignXLSX is a workbook as an officer's Excel might save it, made with
// excelize's ordinary API: a blank first row, numbers, a second sheet.
func foreignXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "人员"))
	must(f.SetSheetRow("人员", "A2", &[]any{" 姓名 ", "年龄", "公民身份号码"}))
	must(f.SetSheetRow("人员", "A3", &[]any{"张三", 30, "11010519491231002X"}))
	must(f.SetSheetRow("人员", "A5", &[]any{"李四", 7, nil, "多出来的"}))
	_, err := f.NewSheet("其他")
	must(err)
	must(f.SetSheetRow("其他", "A1", &[]any{"不读"}))
	path := filepath.Join(t.TempDir(), "foreign.xlsx")
	must(f.SaveAs(path))
	b, err := os.ReadFile(path)
	must(err)
	return b
}

func TestOpenDetectsFormatAndEncoding(t *testing.T) {
	type want struct {
		format sheet.Format
		header []string
		rows   []sheet.Row
		err    string // substring of the error message
	}
	row := func(line int, extra bool, cells ...string) sheet.Row {
		return sheet.Row{Line: line, Cells: cells, Extra: extra}
	}
	cases := []struct {
		name  string
		data  func(t *testing.T) []byte
		limit int64
		want  want
	}{
		{"utf-8", func(*testing.T) []byte { return []byte("姓名,公民身份号码\n张三,0013\n") }, 0,
			want{sheet.CSV, []string{"姓名", "公民身份号码"}, []sheet.Row{row(2, false, "张三", "0013")}, ""}},
		{"utf-8 with BOM and CRLF", func(*testing.T) []byte { return []byte("\xEF\xBB\xBF 姓名 ,性别\r\n张三 , 男\r\n") }, 0,
			want{sheet.CSV, []string{"姓名", "性别"}, []sheet.Row{row(2, false, "张三", "男")}, ""}},
		{"gbk", func(t *testing.T) []byte { return gbk(t, "姓名,性别,户籍地\r\n王秀英,女,东苑社区\r\n") }, 0,
			want{sheet.CSV, []string{"姓名", "性别", "户籍地"}, []sheet.Row{row(2, false, "王秀英", "女", "东苑社区")}, ""}},
		{"gb18030 four-byte characters", func(t *testing.T) []byte { return gb18030(t, "姓名,备注\n龑𠀀,€\n") }, 0,
			want{sheet.CSV, []string{"姓名", "备注"}, []sheet.Row{row(2, false, "龑𠀀", "€")}, ""}},
		{"ascii header, gbk data", func(t *testing.T) []byte { return append([]byte("name,sex\nx,y\n"), gbk(t, "张三,男\n")...) }, 0,
			want{sheet.CSV, []string{"name", "sex"}, []sheet.Row{row(2, false, "x", "y"), row(3, false, "张三", "男")}, ""}},
		{"quoted newlines and blank lines keep spreadsheet rows", func(*testing.T) []byte {
			return []byte("姓名,地址\n张三,\"第一行\r\n第二行\"\n\n,\n李四,\"a,\"\"b\"\"\"\n")
		}, 0, want{sheet.CSV, []string{"姓名", "地址"}, []sheet.Row{row(2, false, "张三", "第一行\n第二行"), row(5, false, "李四", `a,"b"`)}, ""}},
		{"ragged rows", func(*testing.T) []byte { return []byte("a,b,c,,\n1,2\n1,2,3,4\n,,,x\n") }, 0,
			want{sheet.CSV, []string{"a", "b", "c"}, []sheet.Row{row(2, false, "1", "2", ""), row(3, true, "1", "2", "3"), row(4, true, "", "", "")}, ""}},
		{"header after blank lines", func(*testing.T) []byte { return []byte("\n , \n姓名\n张三\n") }, 0,
			want{sheet.CSV, []string{"姓名"}, []sheet.Row{row(4, false, "张三")}, ""}},
		{"xlsx", foreignXLSX, 0,
			want{sheet.XLSX, []string{"姓名", "年龄", "公民身份号码"},
				[]sheet.Row{row(3, false, "张三", "30", "11010519491231002X"), row(5, true, "李四", "7", "")}, ""}},
		{"empty file", func(*testing.T) []byte { return []byte(" \r\n\r\n,,\n") }, 0, want{err: "文件为空"}},
		{"zero bytes", func(*testing.T) []byte { return nil }, 0, want{err: "文件为空"}},
		{"png", func(*testing.T) []byte { return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") }, 0, want{err: "文件不是 .xlsx 或 .csv 表格"}},
		{"pdf", func(*testing.T) []byte { return []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n") }, 0, want{err: "文件不是 .xlsx 或 .csv 表格"}},
		{"old xls", func(*testing.T) []byte {
			return append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...)
		}, 0, want{err: "文件不是 .xlsx 或 .csv 表格"}},
		{"word document in a zip", func(*testing.T) []byte { return []byte("PK\x03\x04 not really a zip") }, 0, want{err: "无法读取 .xlsx"}},
		{"utf-16", func(*testing.T) []byte { return []byte("\xFF\xFEa\x00,\x00b\x00") }, 0, want{err: "UTF-16"}},
		{"binary", func(*testing.T) []byte { return []byte("a,b\n\x00\x01\x02") }, 0, want{err: "文件不是 .xlsx 或 .csv 表格"}},
		{"neither utf-8 nor gb18030", func(*testing.T) []byte { return []byte("a,b\n\x80\xFF,\xFF\x80\n") }, 0, want{err: "无法识别文件的字符编码"}},
		{"gbk rows in a utf-8 file", func(t *testing.T) []byte { return append([]byte("姓名\n张三\n"), gbk(t, "李四\n")...) }, 0,
			want{format: sheet.CSV, header: []string{"姓名"}, rows: []sheet.Row{row(2, false, "张三")}, err: "第 3 行含有无法识别的字符"}},
		{"bare quote", func(*testing.T) []byte { return []byte("a,b\n1,2\nx\"y,3\n") }, 0,
			want{format: sheet.CSV, header: []string{"a", "b"}, rows: []sheet.Row{row(2, false, "1", "2")}, err: "第 3 行"}},
		{"over the limit", func(*testing.T) []byte { return bytes.Repeat([]byte("a,b\n"), 20) }, 64, want{err: "文件超过大小上限 0.0 MB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rd, rows, err := readAll(t, c.data(t), c.limit)
			if c.want.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.want.err) {
					t.Fatalf("error %v, want one containing %q", err, c.want.err)
				}
				if apperr.CodeOf(err) == apperr.Internal {
					t.Fatalf("a bad file is an internal error: %v", err)
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if c.want.format == "" {
				return
			}
			if rd.Format() != c.want.format || !reflect.DeepEqual(rd.Header(), c.want.header) {
				t.Fatalf("format %s header %q, want %s %q", rd.Format(), rd.Header(), c.want.format, c.want.header)
			}
			if !reflect.DeepEqual(rows, c.want.rows) {
				t.Fatalf("rows\n%+v\nwant\n%+v", rows, c.want.rows)
			}
		})
	}
}

func TestOpenLimitMessage(t *testing.T) {
	b := bytes.Repeat([]byte("a\n"), 1<<20)
	_, err := sheet.Open(bytes.NewReader(b), int64(len(b)), 1<<20)
	if err == nil || apperr.As(err).Message != "文件超过大小上限 1 MB" || apperr.CodeOf(err) != apperr.TooLarge {
		t.Fatalf("limit error %v (%s)", err, apperr.CodeOf(err))
	}
}

func TestOpenFileClosesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.csv")
	if err := os.WriteFile(path, []byte("姓名\n张三\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rd, err := sheet.OpenFile(path, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	row, err := rd.Next()
	if err != nil || row.Cells[0] != "张三" {
		t.Fatalf("row %+v %v", row, err)
	}
	if err := rd.Close(); err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(t.TempDir(), "a.xlsx")
	if err := os.WriteFile(xlsx, foreignXLSX(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if rd, err = sheet.OpenFile(xlsx, 1<<20); err != nil || rd.Format() != sheet.XLSX {
		t.Fatalf("open xlsx in place: %v", err)
	}
	if row, err = rd.Next(); err != nil || row.Line != 3 || row.Cells[0] != "张三" {
		t.Fatalf("xlsx row %+v %v", row, err)
	}
	if err := rd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sheet.OpenFile(filepath.Join(t.TempDir(), "none.csv"), 0); err == nil {
		t.Fatal("a missing file opened")
	}
}

func TestMapHeader(t *testing.T) {
	cols := []sheet.Column{{"公民身份号码", true}, {"姓名", true}, {"联系电话（手机）", false}, {"备注", false}}
	cases := []struct {
		name   string
		header []string
		index  []int
		err    string
	}{
		{"exact", []string{"姓名", "公民身份号码", "备注"}, []int{1, 0, -1, 2}, ""},
		{"retyped", []string{"*姓 名", "公民身份号码＊", "联系电话(手机)", ""}, []int{1, 0, 2, -1}, ""},
		{"missing", []string{"备注"}, nil, "缺少表头：公民身份号码、姓名"},
		{"unknown", []string{"姓名", "公民身份号码", "XXX", "身高"}, nil, "无法识别的表头：XXX、身高"},
		{"duplicate", []string{"姓名", "公民身份号码", "姓名", "姓 名"}, nil, "表头重复：姓名"},
		{"all at once", []string{"姓名", "姓名", "XXX"}, nil, "缺少表头：公民身份号码；无法识别的表头：XXX；表头重复：姓名"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			index, err := sheet.MapHeader(c.header, cols)
			if c.err != "" {
				if err == nil || apperr.As(err).Message != c.err || apperr.CodeOf(err) != apperr.Invalid {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(index, c.index) {
				t.Fatalf("index %v %v, want %v", index, err, c.index)
			}
		})
	}
}
