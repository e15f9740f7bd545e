package bankfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"jisheng/internal/apperr"
	"jisheng/internal/sheet"
)

// TestWriteGolden: small batches in every kind of text layout give exactly
// the bytes a bank expects: encoding, widths in bytes of the encoding,
// padding, quoting, header and trailer with count and total.
func TestWriteGolden(t *testing.T) {
	cases := []struct {
		name   string
		layout Layout
		want   func(t *testing.T) []byte
	}{
		{
			name: "csv utf-8 with BOM, labels, CRLF and quoting",
			layout: Layout{Name: "t", Format: FormatCSV, Encoding: UTF8, LineEnd: CRLF, BOM: true, Labels: true,
				Detail: Record{Fields: []Field{{Name: "seq"}, {Name: "account_no"}, {Name: "account_name"},
					{Name: "amount", Label: "金额"}, {Name: "remark"}}}},
			want: func(*testing.T) []byte {
				return []byte("\xEF\xBB\xBF序号,账号,户名,金额,备注\r\n" +
					"1,6228480012345678901,张三,960.00,2025年\r\n" +
					"2,6230520012345678,欧阳秀英,590.00,\r\n" +
					"3,6217001234,李四,0.05,\"补发,\"\"一月\"\"\"\r\n")
			},
		},
		{
			name: "csv gbk, pipe delimiter, LF, header and trailer records, amounts in fen",
			layout: Layout{Name: "t", Format: FormatCSV, Encoding: GBK, LineEnd: LF, Delimiter: "|",
				Header:  &Record{Fields: []Field{{Name: "batch_no"}, {Name: "count"}, {Name: "total", AmountUnit: Fen}}},
				Detail:  Record{Fields: []Field{{Name: "seq", Width: 4, Pad: "0"}, {Name: "account_name"}, {Name: "amount", AmountUnit: Fen}}},
				Trailer: &Record{Fields: []Field{{Name: "literal", Value: "END"}, {Name: "count"}}}},
			want: func(t *testing.T) []byte {
				want := gbk(t, "B2025001|3|155005\n0001|张三|96000\n0002|欧阳秀英|59000\n0003|李四|5\nEND|3\n")
				if !bytes.Contains(want, []byte("0001|\xD5\xC5\xC8\xFD|")) { // 张三 in GBK, pinned independently of the encoder
					t.Fatal("GBK of 张三 is not D5C5 C8FD")
				}
				return want
			},
		},
		{
			name: "fixed gbk: H|… header, widths in GBK bytes, zero-padded fen, purpose truncated between characters",
			layout: Layout{Name: "t", Format: FormatFixed, Encoding: GBK, LineEnd: CRLF,
				Header: &Record{Separator: "|", Fields: []Field{{Name: "literal", Value: "H"}, {Name: "batch_no"}, {Name: "count"},
					{Name: "total"}, {Name: "date", DateFormat: DatePlain}}},
				Detail: Record{Fields: []Field{{Name: "seq", Width: 4, Pad: "0"}, {Name: "account_no", Width: 20},
					{Name: "account_name", Width: 10}, {Name: "amount", Width: 10, Pad: "0", AmountUnit: Fen},
					{Name: "purpose", Width: 7, Truncate: true}}}},
			want: func(t *testing.T) []byte {
				return gbk(t, "H|B2025001|3|1550.05|20250301\r\n"+
					"00016228480012345678901 张三      0000096000奖励扶 \r\n"+
					"00026230520012345678    欧阳秀英  0000059000特别扶 \r\n"+
					"00036217001234          李四      0000000005       \r\n")
			},
		},
		{
			name: "fixed utf-8: 3-byte characters, name truncated to 8 bytes, fixed-width trailer",
			layout: Layout{Name: "t", Format: FormatFixed, Encoding: UTF8, LineEnd: LF,
				Detail: Record{Fields: []Field{{Name: "seq", Width: 3}, {Name: "account_name", Width: 8, Truncate: true},
					{Name: "amount", Width: 9}, {Name: "id_number", Width: 18, Align: AlignRight}}},
				Trailer: &Record{Fields: []Field{{Name: "literal", Value: "T", Width: 1}, {Name: "count", Width: 6, Pad: "0"},
					{Name: "total", Width: 12, Pad: "0", AmountUnit: Fen}}}},
			want: func(*testing.T) []byte {
				return []byte("  1张三     960.0034152319600101001X\n" +
					"  2欧阳     590.00341523195802020025\n" +
					"  3李四       0.05                  \n" +
					"T000003000000155005\n")
			},
		},
		{
			name: "fixed gb18030: a character outside GBK takes 4 bytes",
			layout: Layout{Name: "t", Format: FormatFixed, Encoding: GB18030, LineEnd: LF,
				Detail: Record{Separator: ",", Fields: []Field{{Name: "seq"}, {Name: "account_name", Width: 8}, {Name: "amount", AmountUnit: Yuan, AmountFormat: AmountPlain}}}},
			want: func(*testing.T) []byte { return []byte("7,\xD5\xC5\x95\x32\x82\x36  ,12\n") },
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := sampleBatch()
			if c.layout.Encoding == GB18030 {
				b.Lines = []Line{{Seq: 7, AccountNo: "1", AccountName: "张\U00020000", AmountFen: 1200}}
			}
			var buf bytes.Buffer
			sum, err := Write(&buf, c.layout, b)
			if err != nil {
				t.Fatal(err)
			}
			want := c.want(t)
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("got\n%q\nwant\n%q", buf.Bytes(), want)
			}
			var total int64
			for _, ln := range b.Lines {
				total += ln.AmountFen
			}
			if sum != (Summary{Count: len(b.Lines), TotalFen: total}) {
				t.Fatalf("summary %+v", sum)
			}
		})
	}
}

// TestWriteFixedWidths: every detail line of a GBK fixed layout is exactly
// as many bytes as the widths add up to, whatever the names.
func TestWriteFixedWidths(t *testing.T) {
	ex := example(t, "rcc-fixed-gbk")
	width := 0
	for _, f := range ex.Layout.Detail.Fields {
		width += f.Width
	}
	var buf bytes.Buffer
	if _, err := Write(&buf, ex.Layout, sampleBatch()); err != nil {
		t.Fatal(err)
	}
	ls := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\r\n")), []byte("\r\n"))
	for _, ln := range ls[1:] {
		if len(ln) != width {
			t.Errorf("line %q is %d bytes, want %d", fromGBK(t, ln), len(ln), width)
		}
	}
}

// TestWriteHeaderCountTotal: the header of a large batch states exactly
// the number of lines and the sum of their amounts, as does the Summary.
func TestWriteHeaderCountTotal(t *testing.T) {
	b := bigBatch(1234)
	var want int64
	for _, ln := range b.Lines {
		want += ln.AmountFen
	}
	var buf bytes.Buffer
	sum, err := Write(&buf, example(t, "rcc-fixed-gbk").Layout, b)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(buf.String(), "\r\n")
	parts := strings.Split(head, "|")
	if len(parts) != 5 || parts[0] != "H" || parts[1] != b.No || parts[4] != "20250301" {
		t.Fatalf("header %q", head)
	}
	total, msg := parseAmount(parts[3], Yuan)
	if parts[2] != "1234" || msg != "" || total != want {
		t.Fatalf("header %q: count %s total %d, want 1234 and %d", head, parts[2], total, want)
	}
	if sum.Count != 1234 || sum.TotalFen != want {
		t.Fatalf("summary %+v", sum)
	}
	if n := strings.Count(buf.String(), "\r\n"); n != 1235 {
		t.Fatalf("%d lines, want 1235", n)
	}
}

// TestWriteDeterministic: the same batch in the same layout gives the same
// bytes, for every example (the workbook included).
func TestWriteDeterministic(t *testing.T) {
	exs, err := Examples()
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		var a, b bytes.Buffer
		if _, err := Write(&a, ex.Layout, bigBatch(300)); err != nil {
			t.Fatal(ex.Key, err)
		}
		if _, err := Write(&b, ex.Layout, bigBatch(300)); err != nil {
			t.Fatal(ex.Key, err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Len() == 0 {
			t.Errorf("%s: two writes differ (%d and %d bytes)", ex.Key, a.Len(), b.Len())
		}
	}
}

// TestWriteXLSX: the workbook holds the batch row, the labels and every
// payment as text, read back through the sheet package.
func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Write(&buf, example(t, "generic-xlsx").Layout, sampleBatch()); err != nil {
		t.Fatal(err)
	}
	rd, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if rd.Format() != sheet.XLSX {
		t.Fatalf("format %s", rd.Format())
	}
	want := [][]string{
		{"批次号", "B2025001", "付款单位", "某县卫生健康委员会", "付款账号", "1234567890", "总笔数", "3", "总金额（元）", "1550.05"},
		{"序号", "账号", "户名", "身份证号", "金额（元）", "用途", "备注"},
		{"1", "6228480012345678901", "张三", "34152319600101001X", "960.00", "奖励扶助金", "2025年"},
		{"2", "6230520012345678", "欧阳秀英", "341523195802020025", "590.00", "特别扶助金"},
		{"3", "6217001234", "李四", "", "0.05", "", `补发,"一月"`},
	}
	got := [][]string{rd.Header()}
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, trimRight(row.Cells))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func trimRight(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return append([]string(nil), cells[:n]...)
}

// TestWriteErrors: a bad payment or batch is refused with a Chinese message
// naming the payment (position and seq) and the field, and nothing is
// written; an invalid layout is refused before the batch is looked at.
func TestWriteErrors(t *testing.T) {
	fixed := Layout{Name: "t", Format: FormatFixed, Encoding: GBK, LineEnd: CRLF,
		Detail: Record{Fields: []Field{{Name: "seq", Width: 4}, {Name: "account_no", Width: 20},
			{Name: "account_name", Width: 8}, {Name: "amount", Width: 8}, {Name: "remark", Width: 12}}}}
	withLine := func(f func(*Line)) func(*Layout, *Batch) {
		return func(_ *Layout, b *Batch) { f(&b.Lines[1]) }
	}
	cases := []struct {
		name  string
		edit  func(*Layout, *Batch)
		want  string
		line  int    // problem's line; 0: not a line problem
		field string // problem's field, or the error's field
	}{
		{"amount too wide", withLine(func(l *Line) { l.AmountFen = 123456789 }), "第 2 笔（序号 2）金额：「1234567.89」长 10 字节（GBK），超过宽度 8 字节", 2, "amount"},
		{"negative amount", withLine(func(l *Line) { l.AmountFen = -100 }), "第 2 笔（序号 2）金额不能为负数", 2, "amount"},
		{"zero amount", withLine(func(l *Line) { l.AmountFen = 0 }), "第 2 笔（序号 2）金额应大于 0", 2, "amount"},
		{"empty account", withLine(func(l *Line) { l.AccountNo = "" }), "第 2 笔（序号 2）账号为空", 2, "account_no"},
		{"account with a space", withLine(func(l *Line) { l.AccountNo = "6228 4800" }), "账号只能由数字、英文字母和连字符组成", 2, "account_no"},
		{"account too wide is never truncated", withLine(func(l *Line) { l.AccountNo = strings.Repeat("1", 21) }), "超过宽度 20 字节", 2, "account_no"},
		{"empty name", withLine(func(l *Line) { l.AccountName = " " }), "第 2 笔（序号 2）户名为空", 2, "account_name"},
		{"name too wide without truncate", withLine(func(l *Line) { l.AccountName = "欧阳秀英子" }), "「欧阳秀英子」长 10 字节（GBK），超过宽度 8 字节", 2, "account_name"},
		{"name outside GBK", withLine(func(l *Line) { l.AccountName = "张\U00020000" }), "含有 GBK 编码无法表示的字符「\U00020000」", 2, "account_name"},
		{"newline in remark", withLine(func(l *Line) { l.Remark = "a\nb" }), "备注含有换行、控制字符或无效字符", 2, "remark"},
		{"invalid UTF-8", withLine(func(l *Line) { l.AccountName = "张\xff" }), "户名含有换行、控制字符或无效字符", 2, "account_name"},
		{"seq zero", withLine(func(l *Line) { l.Seq = 0 }), "第 2 笔（序号 0）序号应为正整数", 2, "seq"},
		{"seq repeated", withLine(func(l *Line) { l.Seq = 1 }), "第 2 笔（序号 1）序号与第 1 笔重复", 2, "seq"},
		{"whole yuan required", func(l *Layout, _ *Batch) { l.Detail.Fields[3].AmountFormat = AmountPlain },
			"第 3 笔（序号 3）金额：0.05 元不是整元", 3, "amount"},
		{"separator in a value", func(l *Layout, b *Batch) { l.Detail.Separator = "|"; b.Lines[1].Remark = "a|b" },
			"第 2 笔（序号 2）备注：「a|b」含有分隔符「|」", 2, "remark"},
		{"header total too wide", func(l *Layout, _ *Batch) { l.Header = &Record{Fields: []Field{{Name: "total", Width: 6}}} },
			"文件头 总金额：「1550.05」长 7 字节（GBK），超过宽度 6 字节", 0, "total"},
		{"trailer count too wide", func(l *Layout, b *Batch) {
			l.Trailer = &Record{Fields: []Field{{Name: "count", Width: 1}}}
			for i := 4; i <= 10; i++ {
				b.Lines = append(b.Lines, Line{Seq: i, AccountNo: "1", AccountName: "王五", AmountFen: 1})
			}
		}, "文件尾 总笔数：「10」长 2 字节（GBK），超过宽度 1 字节", 0, "count"},
		{"label outside the encoding", func(l *Layout, _ *Batch) {
			*l = Layout{Name: "t", Format: FormatCSV, Encoding: GBK, LineEnd: LF, Labels: true, Detail: Record{Fields: []Field{{Name: "seq", Label: "序号😀"}}}}
		}, "列标题「序号😀」含有 GBK 编码无法表示的字符", 0, "label"},
		{"empty batch number", func(_ *Layout, b *Batch) { b.No = "" }, "批次号为空", 0, "batch.no"},
		{"bad date", func(_ *Layout, b *Batch) { b.Date = "2025-02-30" }, "批次日期应为 YYYY-MM-DD", 0, "batch.date"},
		{"payer needed", func(l *Layout, b *Batch) {
			l.Header = &Record{Fields: []Field{{Name: "payer_account", Width: 10}}}
			b.PayerAccount = ""
		}, "付款账号为空，而文件格式需要它", 0, "batch.payer_account"},
		{"no lines", func(_ *Layout, b *Batch) { b.Lines = nil }, "批次中没有付款明细", 0, "batch.lines"},
		{"unknown field name", func(l *Layout, _ *Batch) { l.Detail.Fields[2].Name = "acount_name" }, "明细第 3 个字段：未知的字段名「acount_name」", 0, "detail.fields[2].name"},
		{"zero width", func(l *Layout, _ *Batch) { l.Detail.Fields[1].Width = 0 }, "明细第 2 个字段（账号）：定长格式须设置宽度", 0, "detail.fields[1].width"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, b := fixed, sampleBatch()
			l.Detail.Fields = append([]Field(nil), fixed.Detail.Fields...)
			c.edit(&l, &b)
			var buf bytes.Buffer
			_, err := Write(&buf, l, b)
			ae := wantInvalid(t, err, c.want)
			if buf.Len() != 0 {
				t.Fatalf("%d bytes written despite the error", buf.Len())
			}
			ps := problemsOf(err)
			if ps == nil {
				if ae.Field != c.field {
					t.Fatalf("field %q, want %q", ae.Field, c.field)
				}
				return
			}
			if len(ps) != 1 || ps[0].Line != c.line || ps[0].Field != c.field {
				t.Fatalf("problems %+v, want one on line %d field %s", ps, c.line, c.field)
			}
		})
	}
}

// TestWriteCollectsAllProblems: every bad payment is reported at once, in
// order, so the officer fixes the batch in one go.
func TestWriteCollectsAllProblems(t *testing.T) {
	b := bigBatch(20)
	b.Lines[0].AccountNo = ""
	b.Lines[4].AmountFen = -1
	b.Lines[4].AccountName = ""
	b.Lines[19].Seq = b.Lines[3].Seq
	var buf bytes.Buffer
	_, err := Write(&buf, example(t, "generic-csv").Layout, b)
	wantInvalid(t, err, "共 4 处问题：第 1 笔（序号 1）账号为空；第 5 笔（序号 5）户名为空；第 5 笔（序号 5）金额不能为负数；第 20 笔（序号 4）序号与第 4 笔重复")
	ps := problemsOf(err)
	var got []string
	for _, p := range ps {
		got = append(got, strconv.Itoa(p.Line)+":"+p.Field)
	}
	if strings.Join(got, " ") != "1:account_no 5:account_name 5:amount 20:seq" {
		t.Fatalf("problems %v", got)
	}
	if buf.Len() != 0 {
		t.Fatal("written despite problems")
	}
	if apperr.Status(apperr.CodeOf(err)) != 400 {
		t.Fatalf("status %d", apperr.Status(apperr.CodeOf(err)))
	}
}

// TestTruncateNeverSplitsACharacter: a truncated value is always whole
// characters, padded to exactly the width, in every encoding.
func TestTruncateNeverSplitsACharacter(t *testing.T) {
	name := "欧阳a秀英\U00020000b"
	for _, enc := range []string{UTF8, GB18030} {
		cs := newCharset(enc)
		for w := 1; w <= 20; w++ {
			l := Layout{Name: "t", Format: FormatFixed, Encoding: enc, LineEnd: LF,
				Detail: Record{Fields: []Field{{Name: "account_name", Width: w, Truncate: true}}}}
			b := Batch{No: "1", Date: "2025-01-01", Lines: []Line{{Seq: 1, AccountNo: "1", AccountName: name, AmountFen: 1}}}
			var buf bytes.Buffer
			if _, err := Write(&buf, l, b); err != nil {
				t.Fatal(enc, w, err)
			}
			field := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			text, ok := cs.decode(field)
			if len(field) != w || !ok || !strings.HasPrefix(name, strings.TrimRight(text, " ")) {
				t.Fatalf("%s width %d: %q (%q, valid %v)", enc, w, field, text, ok)
			}
		}
	}
}

// bigBatch is n payments with varied amounts and names.
func bigBatch(n int) Batch {
	names := []string{"张三", "欧阳秀英", "李四", "王小明", "阿依古丽·买买提"}
	b := Batch{No: "B2025001", Date: "2025-03-01", PayerName: "某县卫生健康委员会", PayerAccount: "1234567890", Lines: make([]Line, n)}
	for i := range b.Lines {
		b.Lines[i] = Line{Seq: i + 1, AccountNo: fmt.Sprintf("62284800%011d", i), AccountName: names[i%len(names)],
			IDNumber: fmt.Sprintf("3415231960%08d", i), AmountFen: int64(96000 + (i*7919)%100000), Purpose: "计划生育奖励扶助金",
			Remark: "2025年度"}
	}
	return b
}
