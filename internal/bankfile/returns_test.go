package bankfile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/sheet"
)

// smallFixedReturn is a GBK return layout with byte positions:
// seq 1–4, account 5–14, amount in fen 15–22, status 23–24, message 25–44.
func smallFixedReturn() ReturnLayout {
	return ReturnLayout{Name: "t", Format: FormatFixed, Encoding: GBK, Skip: 1, Ignore: []string{"T|"},
		Fields: []ReturnField{{Name: "seq", Start: 1, Width: 4}, {Name: "account_no", Start: 5, Width: 10},
			{Name: "amount", Start: 15, Width: 8, AmountUnit: Fen}, {Name: "status", Start: 23, Width: 2},
			{Name: "message", Start: 25, Width: 20}},
		PaidCodes: []string{"00"}, FailedCodes: []string{"E1", "E2"}}
}

func parseBytes(b []byte, l ReturnLayout) ([]ReturnLine, error) {
	return ParseReturn(bytes.NewReader(b), int64(len(b)), l)
}

func fmtLines(ls []ReturnLine) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%d:%d:%s:%d:%v:%s:%s\n", l.LineNo, l.Seq, l.AccountNo, l.AmountFen, l.Paid, l.BankCode, l.BankMessage)
	}
	return b.String()
}

// TestParseReturnFixed: a GBK fixed-width return is read by byte position:
// the header skipped, a trailer ignored, blank lines passed over, Chinese
// messages decoded, codes matched ignoring case, file line numbers kept.
func TestParseReturnFixed(t *testing.T) {
	file := gbk(t, "H|B1|3|1550.05\r\n"+
		"0001"+"6222000001"+"00096000"+"00"+"\r\n"+
		"\r\n"+
		"0002"+"6222000002"+"00059000"+"E1"+"账户已销户\r\n"+
		"0003"+"6222000003"+"00000005"+"e1"+"户名不符          \r\n"+
		"T|3|155005")
	got, err := parseBytes(file, smallFixedReturn())
	if err != nil {
		t.Fatal(err)
	}
	want := "2:1:6222000001:96000:true:00:\n" +
		"4:2:6222000002:59000:false:E1:账户已销户\n" +
		"5:3:6222000003:5:false:e1:户名不符\n"
	if fmtLines(got) != want {
		t.Fatalf("got\n%swant\n%s", fmtLines(got), want)
	}
}

// TestParseReturnFixedProblems: every bad line of a fixed return is
// reported, each as "第 N 行 field：…" with the file's line number, and no
// lines are returned.
func TestParseReturnFixedProblems(t *testing.T) {
	file := gbk(t, "H\n"+
		"000X"+"6222000001"+"00096000"+"00\n"+ // 2: seq
		"0002"+"6222000002"+"0009A000"+"00\n"+ // 3: amount
		"0003"+"6222000003"+"00000001"+"ZZ\n"+ // 4: unknown status
		"0004"+"6222000004"+"0000000"+"张0\n"+ // 5: a character across the end of the amount
		"0005"+"6222000005"+"00000001"+"\x0100\n"+ // 6: control character
		"0006"+"          "+"00000001"+"00\n"+ // 7: blank account
		"0007"+"6222000007"+"00000001"+"E2") // 8: bad GBK in the message, appended below
	file = append(file, 0x81, 0x20, '\n')
	file = append(file, bytes.Repeat([]byte("9"), maxLine+10)...)   // 9: far too long
	file = append(file, "\n0010"+"6222000010"+"00000001"+"E2\n"...) // 10: good
	_, err := parseBytes(file, smallFixedReturn())
	want := []string{
		"第 2 行：序号「000X」不是正整数",
		"第 3 行：金额格式不正确（「0009A000」）",
		"第 4 行：处理结果代码「ZZ」既不在成功代码中也不在失败代码中（请在回盘格式中补充）",
		"第 5 行：金额（第 15–22 字节）截断了一个汉字（回盘格式的位置与文件不符，或文件编码不是 GBK）",
		"第 6 行：含有控制字符，文件可能已损坏或不是文本文件",
		"第 7 行：账号为空",
		"第 8 行：银行说明（第 25–44 字节）不是有效的 GBK 文字",
		"第 9 行：超过 65536 字节，不是回盘明细行（文件可能不是定长文本）",
	}
	ae := wantInvalid(t, err, "共 8 处问题：第 2 行：序号")
	ps := problemsOf(err)
	if len(ps) != len(want) {
		t.Fatalf("problems:\n%v", ps)
	}
	for i, p := range ps {
		if p.Message != want[i] || p.Line != i+2 {
			t.Errorf("problem %d: line %d %q, want %q", i, p.Line, p.Message, want[i])
		}
	}
	if ae.Row != 0 {
		t.Fatalf("row %d on a many-problem error", ae.Row)
	}
}

// TestParseReturnSeparated: a separated return is decoded before it is
// split, so a GBK character whose second byte is '|' (弢 is 8F 7C) stays
// whole.
func TestParseReturnSeparated(t *testing.T) {
	l := ReturnLayout{Name: "t", Format: FormatFixed, Encoding: GBK, Separator: "|",
		Fields: []ReturnField{{Name: "seq", Index: 1}, {Name: "account_no", Index: 2}, {Name: "amount", Index: 3},
			{Name: "status", Index: 4}, {Name: "message", Index: 6}},
		PaidCodes: []string{"S"}, FailedCodes: []string{"*"}}
	file := gbk(t, "1|6222000001|960.00|S|陶弢|\n2|6222000002| 590 |X9|陶弢|余额不足\n")
	if !bytes.Contains(file, []byte{0x8F, 0x7C}) {
		t.Fatal("test needs 弢 = 8F 7C")
	}
	got, err := parseBytes(file, l)
	if err != nil {
		t.Fatal(err)
	}
	want := "1:1:6222000001:96000:true:S:\n2:2:6222000002:59000:false:X9:余额不足\n"
	if fmtLines(got) != want {
		t.Fatalf("got\n%swant\n%s", fmtLines(got), want)
	}
}

// TestParseReturnCSV: csv returns are read through the sheet package in
// UTF-8 and GBK, columns found by label whatever their order, a total row
// ignored.
func TestParseReturnCSV(t *testing.T) {
	l := example(t, "generic-csv").Return
	text := "失败原因,处理结果,金额（元）,户名, 账号 ,序号\r\n" +
		",成功,960.00,张三,6228480012345678901,1\r\n" +
		"账号不存在,失败,590.00,欧阳秀英,6230520012345678,2\r\n" +
		"合计,,1550.00,,,\r\n"
	want := "2:1:6228480012345678901:96000:true:成功:\n3:2:6230520012345678:59000:false:失败:账号不存在\n"
	for name, file := range map[string][]byte{"utf-8": []byte("\xEF\xBB\xBF" + text), "gbk": gbk(t, text)} {
		got, err := parseBytes(file, l)
		if err != nil {
			t.Fatal(name, err)
		}
		if fmtLines(got) != want {
			t.Fatalf("%s: got\n%swant\n%s", name, fmtLines(got), want)
		}
	}
}

// TestParseReturnXLSX: an xlsx return is read by column number.
func TestParseReturnXLSX(t *testing.T) {
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, sheet.XLSX, "回盘", []string{"序号", "账号", "户名", "身份证号", "金额", "用途", "备注", "结果", "说明"})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]string{
		{"1", "6228480012345678901", "张三", "", "960.00", "", "", "S", ""},
		{"2", "6230520012345678", "欧阳秀英", "", "590", "", "", "F", "户名不符"},
		{"合计", "", "", "", "1550", "", "", "", ""},
	} {
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := parseBytes(buf.Bytes(), example(t, "generic-xlsx").Return)
	if err != nil {
		t.Fatal(err)
	}
	want := "2:1:6228480012345678901:96000:true:S:\n3:2:6230520012345678:59000:false:F:户名不符\n"
	if fmtLines(got) != want {
		t.Fatalf("got\n%swant\n%s", fmtLines(got), want)
	}
}

// TestParseReturnFileErrors: problems of the whole file are one error on
// the field "file", in Chinese.
func TestParseReturnFileErrors(t *testing.T) {
	csvReturn := example(t, "generic-csv").Return
	xlsxReturn := example(t, "generic-xlsx").Return
	var book bytes.Buffer
	w, _ := sheet.NewWriter(&book, sheet.XLSX, "x", []string{"序号", "账号", "金额"})
	_ = w.Write([]string{"1", "2", "3"})
	_ = w.Close()
	cases := []struct {
		name   string
		file   []byte
		layout ReturnLayout
		want   string
		code   apperr.Code
	}{
		{"empty", nil, smallFixedReturn(), "回盘文件为空", apperr.Invalid},
		{"workbook for a fixed layout", book.Bytes(), smallFixedReturn(), "回盘文件是 Excel 工作簿，而回盘格式设置的是定长文本", apperr.Invalid},
		{"only the header", []byte("H|1\r\n\r\nT|0\r\n"), smallFixedReturn(), "回盘文件中没有明细行", apperr.Invalid},
		{"label missing", []byte("序号,账号,金额（元）,状态\r\n1,2,3,4\r\n"), csvReturn, "回盘文件的表头（第一行，共 4 列）中找不到：「处理结果」（处理结果）、「失败原因」（银行说明）", apperr.Invalid},
		{"columns beyond the header", book.Bytes(), xlsxReturn, "找不到：第 5 列（金额）、第 8 列（处理结果）、第 9 列（银行说明）", apperr.Invalid},
		{"not a spreadsheet", []byte("%PDF-1.4\n"), csvReturn, "回盘文件：文件不是 .xlsx 或 .csv 表格", apperr.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseBytes(c.file, c.layout)
			ae := wantInvalid(t, err, c.want)
			if ae.Field != "file" || ae.Code != c.code {
				t.Fatalf("field %q code %s", ae.Field, ae.Code)
			}
		})
	}
	_, err := ParseReturn(bytes.NewReader(nil), MaxReturnSize+1, csvReturn)
	if ae := apperr.As(err); ae.Code != apperr.TooLarge || ae.Field != "file" {
		t.Fatalf("too large: %v", err)
	}
}

// TestParseReturnCSVSyntax: a CSV that breaks off (an unmatched quote) is
// reported on its line together with the problems before it.
func TestParseReturnCSVSyntax(t *testing.T) {
	file := []byte("序号,账号,金额（元）,处理结果,失败原因\n1,a,1.00,成功,\n2,b,x,成功,\n3,c,1.00,\"失败,\n")
	_, err := parseBytes(file, example(t, "generic-csv").Return)
	wantInvalid(t, err, "共 2 处问题")
	ps := problemsOf(err)
	if len(ps) != 2 || ps[0].Message != "第 3 行：金额格式不正确（「x」）" || ps[1].Line != 4 || !strings.HasPrefix(ps[1].Message, "第 4 行：引号不成对") {
		t.Fatalf("problems %+v", ps)
	}
}

// TestReturnLayoutValidate: mistakes in a return layout are refused with
// the field named.
func TestReturnLayoutValidate(t *testing.T) {
	if l := smallFixedReturn(); l.Validate() != nil {
		t.Fatal(l.Validate())
	}
	cases := []struct {
		name  string
		edit  func(*ReturnLayout)
		field string
		want  string
	}{
		{"no name", func(l *ReturnLayout) { l.Name = "" }, "name", "回盘格式名称为空"},
		{"bad format", func(l *ReturnLayout) { l.Format = "dbf" }, "format", "回盘文件格式「dbf」无效"},
		{"fixed without encoding", func(l *ReturnLayout) { l.Encoding = "" }, "encoding", "定长回盘文件须设置字符编码"},
		{"csv with encoding", func(l *ReturnLayout) { *l = example(t, "generic-csv").Return; l.Encoding = GBK }, "encoding", "编码自动识别"},
		{"separator on csv", func(l *ReturnLayout) { *l = example(t, "generic-csv").Return; l.Separator = "|" }, "separator", "分隔符只用于定长回盘文件"},
		{"skip negative", func(l *ReturnLayout) { l.Skip = -1 }, "skip", "跳过的行数应在 0 到 100 之间"},
		{"empty ignore", func(l *ReturnLayout) { l.Ignore = []string{""} }, "ignore[0]", "第 1 个忽略前缀为空"},
		{"unknown field", func(l *ReturnLayout) { l.Fields[1].Name = "name" }, "fields[1].name", "第 2 个字段：未知的字段名「name」"},
		{"duplicate field", func(l *ReturnLayout) { l.Fields[1].Name = "seq" }, "fields[1].name", "第 2 个字段（序号）：重复"},
		{"no status", func(l *ReturnLayout) { l.Fields = l.Fields[:3] }, "fields", "须有处理结果字段"},
		{"no key", func(l *ReturnLayout) { l.Fields = l.Fields[2:] }, "fields", "须有序号（seq）或账号（account_no）字段"},
		{"fixed without start", func(l *ReturnLayout) { l.Fields[0].Start = 0 }, "fields[0].start", "须设置起始字节 start"},
		{"fixed with a column", func(l *ReturnLayout) { l.Fields[0].Column = 1 }, "fields[0].start", "须设置起始字节 start"},
		{"separated without index", func(l *ReturnLayout) { l.Separator = "|" }, "fields[0].index", "按字段序号 index"},
		{"csv with column and label", func(l *ReturnLayout) { *l = example(t, "generic-csv").Return; l.Fields[0].Column = 1 }, "fields[0].column", "列号 column 或列标题 label 中的一个"},
		{"negative width", func(l *ReturnLayout) { l.Fields[0].Width = -4 }, "fields[0]", "不能为负数"},
		{"start beyond any line", func(l *ReturnLayout) { l.Fields[0].Start = maxLine }, "fields[0]", "字节位置超出范围"},
		{"unit on status", func(l *ReturnLayout) { l.Fields[3].AmountUnit = Fen }, "fields[3].amount_unit", "金额单位只用于金额"},
		{"no paid codes", func(l *ReturnLayout) { l.PaidCodes = nil }, "paid_codes", "请设置表示付款成功的处理结果代码"},
		{"star among paid", func(l *ReturnLayout) { l.PaidCodes = []string{"*"} }, "paid_codes", "成功代码不能为空或 *"},
		{"no failed codes", func(l *ReturnLayout) { l.FailedCodes = nil }, "failed_codes", "其他代码都算失败时填 *"},
		{"code in both", func(l *ReturnLayout) { l.FailedCodes = []string{"e1", " 00"} }, "failed_codes", "代码「 00」同时出现在成功和失败代码中"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := smallFixedReturn()
			l.Fields = append([]ReturnField(nil), l.Fields...)
			c.edit(&l)
			ae := wantInvalid(t, l.Validate(), c.want)
			if ae.Field != c.field {
				t.Fatalf("field %q, want %q (%s)", ae.Field, c.field, ae.Message)
			}
		})
	}
}
