package bankfile

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestExamples: the built-in examples load, validate, say they are
// examples, and survive a JSON round trip through ParseLayout.
func TestExamples(t *testing.T) {
	exs, err := Examples()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, ex := range exs {
		keys = append(keys, ex.Key)
		if !strings.HasPrefix(ex.Layout.Name, "示例") || !strings.Contains(ex.Layout.Description, "示例格式，仅供参考") ||
			!strings.HasPrefix(ex.Return.Name, "示例") || !strings.Contains(ex.Return.Description, "示例格式，仅供参考") {
			t.Errorf("%s is not plainly labelled as an example", ex.Key)
		}
		data, _ := json.Marshal(ex.Layout)
		back, err := ParseLayout(data)
		if err != nil || !reflect.DeepEqual(back, ex.Layout) {
			t.Errorf("%s layout round trip: %v", ex.Key, err)
		}
		data, _ = json.Marshal(ex.Return)
		rback, err := ParseReturnLayout(data)
		if err != nil || !reflect.DeepEqual(rback, ex.Return) {
			t.Errorf("%s return layout round trip: %v", ex.Key, err)
		}
	}
	if strings.Join(keys, " ") != "generic-csv generic-xlsx rcc-fixed-gbk" {
		t.Fatalf("examples %v", keys)
	}
	// Examples are copies: changing one does not change the next call's.
	exs[0].Layout.Detail.Fields[0].Name = "changed"
	again, _ := Examples()
	if again[0].Layout.Detail.Fields[0].Name != "seq" {
		t.Fatal("Examples shares its data")
	}
}

// TestLayoutValidate: each mistake in a layout is refused with a Chinese
// message naming the field path.
func TestLayoutValidate(t *testing.T) {
	base := func() Layout {
		return Layout{Name: "t", Format: FormatFixed, Encoding: GBK, LineEnd: CRLF,
			Header: &Record{Separator: "|", Fields: []Field{{Name: "literal", Value: "H"}, {Name: "count"}, {Name: "total"}}},
			Detail: Record{Fields: []Field{{Name: "seq", Width: 6, Pad: "0"}, {Name: "account_no", Width: 20},
				{Name: "account_name", Width: 20, Truncate: true}, {Name: "amount", Width: 12, AmountUnit: Fen}}}}
	}
	if l := base(); l.Validate() != nil {
		t.Fatal(l.Validate())
	}
	cases := []struct {
		name  string
		edit  func(*Layout)
		field string
		want  string
	}{
		{"no name", func(l *Layout) { l.Name = " " }, "name", "格式名称为空"},
		{"unknown format", func(l *Layout) { l.Format = "txt" }, "format", "文件格式「txt」无效"},
		{"no format", func(l *Layout) { l.Format = "" }, "format", "请选择文件格式"},
		{"no encoding", func(l *Layout) { l.Encoding = "" }, "encoding", "请选择字符编码"},
		{"unknown encoding", func(l *Layout) { l.Encoding = "big5" }, "encoding", "字符编码「big5」无效"},
		{"xlsx with encoding", func(l *Layout) {
			*l = Layout{Name: "t", Format: FormatXLSX, Encoding: GBK, Labels: true, Detail: Record{Fields: []Field{{Name: "seq"}}}}
		}, "encoding", "xlsx 文件不设置字符编码"},
		{"xlsx without labels", func(l *Layout) {
			*l = Layout{Name: "t", Format: FormatXLSX, Detail: Record{Fields: []Field{{Name: "seq"}}}}
		}, "labels", "xlsx 文件须有列标题行"},
		{"xlsx with width", func(l *Layout) {
			*l = Layout{Name: "t", Format: FormatXLSX, Labels: true, Detail: Record{Fields: []Field{{Name: "seq", Width: 3}}}}
		}, "detail.fields[0].width", "xlsx 文件不设置宽度"},
		{"no line end", func(l *Layout) { l.LineEnd = "" }, "line_end", "换行符应为 crlf"},
		{"BOM on GBK", func(l *Layout) { l.BOM = true }, "bom", "只用于 UTF-8 编码的 csv"},
		{"labels on fixed", func(l *Layout) { l.Labels = true }, "labels", "定长文件没有列标题行"},
		{"delimiter on fixed", func(l *Layout) { l.Delimiter = "|" }, "delimiter", "只用于 csv"},
		{"quote as delimiter", func(l *Layout) { l.Format = FormatCSV; l.Delimiter = `"`; l.Header.Separator = "" }, "delimiter", "不能是双引号"},
		{"separator in csv", func(l *Layout) { l.Format = FormatCSV }, "header.separator", "文件头：分隔符 separator 只用于定长文件"},
		{"letter separator", func(l *Layout) { l.Header.Separator = "x" }, "header.separator", "分隔符应为 1 到 3 个英文标点"},
		{"empty detail", func(l *Layout) { l.Detail.Fields = nil }, "detail.fields", "明细：至少需要一个字段"},
		{"unknown field", func(l *Layout) { l.Detail.Fields[1].Name = "acct" }, "detail.fields[1].name", "明细第 2 个字段：未知的字段名「acct」（可用：seq、account_no"},
		{"empty field name", func(l *Layout) { l.Detail.Fields[1].Name = "" }, "detail.fields[1].name", "字段名为空"},
		{"count in a detail", func(l *Layout) { l.Detail.Fields[1].Name = "count" }, "detail.fields[1].name", "未知的字段名「count」"},
		{"seq in a header", func(l *Layout) { l.Header.Fields[1].Name = "seq" }, "header.fields[1].name", "文件头第 2 个字段：未知的字段名「seq」（可用：batch_no"},
		{"zero width", func(l *Layout) { l.Detail.Fields[1].Width = 0 }, "detail.fields[1].width", "明细第 2 个字段（账号）：定长格式须设置宽度"},
		{"negative width", func(l *Layout) { l.Detail.Fields[1].Width = -1 }, "detail.fields[1].width", "宽度不能为负数"},
		{"huge width", func(l *Layout) { l.Detail.Fields[1].Width = 5000 }, "detail.fields[1].width", "宽度不能超过 1000 字节"},
		{"bad align", func(l *Layout) { l.Detail.Fields[1].Align = "center" }, "detail.fields[1].align", "对齐方式应为 left 或 right"},
		{"two-character pad", func(l *Layout) { l.Detail.Fields[1].Pad = "00" }, "detail.fields[1].pad", "填充字符应为一个英文字符"},
		{"pad without width", func(l *Layout) { l.Header.Fields[1].Pad = "0" }, "header.fields[1].pad", "填充字符须与宽度一起设置"},
		{"pad is the separator", func(l *Layout) { l.Header.Fields[1].Pad = "|"; l.Header.Fields[1].Width = 3 }, "header.fields[1].pad", "填充字符不能是分隔符"},
		{"truncated account", func(l *Layout) { l.Detail.Fields[1].Truncate = true }, "detail.fields[1].truncate", "账号、金额等不允许截断"},
		{"truncate without width", func(l *Layout) {
			l.Header.Fields = append(l.Header.Fields, Field{Name: "payer_name", Truncate: true})
		}, "header.fields[3].truncate", "截断须与宽度一起设置"},
		{"unit on a name", func(l *Layout) { l.Detail.Fields[2].AmountUnit = Fen }, "detail.fields[2].amount_unit", "只用于金额和总金额"},
		{"bad unit", func(l *Layout) { l.Detail.Fields[3].AmountUnit = "jiao" }, "detail.fields[3].amount_unit", "金额单位应为 yuan"},
		{"bad amount format", func(l *Layout) { l.Detail.Fields[3].AmountFormat = "#,##0.00" }, "detail.fields[3].amount_format", "金额格式应为 0.00"},
		{"fen with decimals", func(l *Layout) { l.Detail.Fields[3].AmountFormat = AmountPoint }, "detail.fields[3].amount_format", "以分为单位的金额没有小数"},
		{"date format on seq", func(l *Layout) { l.Detail.Fields[0].DateFormat = DatePlain }, "detail.fields[0].date_format", "日期格式只用于日期字段"},
		{"bad date format", func(l *Layout) {
			l.Header.Fields = append(l.Header.Fields, Field{Name: "date", DateFormat: "dd.mm.yyyy"})
		}, "header.fields[3].date_format", "日期格式应为 yyyy-mm-dd"},
		{"literal without value", func(l *Layout) { l.Header.Fields[0].Value = "" }, "header.fields[0].value", "固定值字段须设置 value"},
		{"value on a field", func(l *Layout) { l.Detail.Fields[0].Value = "1" }, "detail.fields[0].value", "只有固定值（literal）字段可以设置 value"},
		{"literal wider than width", func(l *Layout) {
			l.Detail.Fields = append(l.Detail.Fields, Field{Name: "literal", Value: "代发", Width: 3})
		}, "detail.fields[4].width", "固定值比宽度长"},
		{"newline in a label", func(l *Layout) { l.Detail.Fields[0].Label = "序\n号" }, "detail.fields[0].label", "列标题含有控制字符"},
		{"sheet name on csv", func(l *Layout) { l.SheetName = "x" }, "sheet_name", "工作表名称只用于 xlsx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := base()
			c.edit(&l)
			ae := wantInvalid(t, l.Validate(), c.want)
			if ae.Field != c.field {
				t.Fatalf("field %q, want %q (%s)", ae.Field, c.field, ae.Message)
			}
		})
	}
}

// TestLayoutValidateAll: all problems of a layout come in one message, on
// the field of the first.
func TestLayoutValidateAll(t *testing.T) {
	l := Layout{Name: "t", Format: FormatFixed, Encoding: "latin1", LineEnd: CRLF,
		Detail: Record{Fields: []Field{{Name: "seq"}, {Name: "nope", Width: 3}, {Name: "amount", Width: 5, Truncate: true}}}}
	ae := wantInvalid(t, l.Validate(), "字符编码「latin1」无效")
	for _, want := range []string{"明细第 1 个字段（序号）：定长格式须设置宽度", "未知的字段名「nope」", "明细第 3 个字段（金额）：只有户名"} {
		if !strings.Contains(ae.Message, want) {
			t.Errorf("%q lacks %q", ae.Message, want)
		}
	}
	if ae.Field != "encoding" || strings.Count(ae.Message, "；") != 3 {
		t.Fatalf("field %s, message %s", ae.Field, ae.Message)
	}
}

// TestParseLayoutStrict: a misspelt key or trailing text is refused rather
// than silently ignored.
func TestParseLayoutStrict(t *testing.T) {
	_, err := ParseLayout([]byte(`{"name":"t","format":"csv","encoding":"utf-8","line_end":"lf","detail":{"fields":[{"name":"seq","widht":3}]}}`))
	wantInvalid(t, err, `格式配置不是有效的 JSON：有未知的键 "widht"`)
	_, err = ParseLayout([]byte(`{"name":"t","format":"csv",}`))
	wantInvalid(t, err, "格式配置不是有效的 JSON（第 28 个字节附近）")
	_, err = ParseLayout([]byte(`{"name":"t","format":"csv","detail":{"fields":[{"name":"seq","width":"3"}]}}`))
	wantInvalid(t, err, "「detail.fields.width」的值类型不对")
	_, err = ParseLayout([]byte(`{"name":"t","format":"csv","encoding":"utf-8","line_end":"lf","detail":{"fields":[{"name":"seq"}]}} {}`))
	wantInvalid(t, err, "多余的内容")
	_, err = ParseLayout([]byte(`{"name":"t","format":"csv","encoding":"utf-8","line_end":"lf","detail":{"fields":[{"name":"seq"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseReturnLayout([]byte(`{"name":"t","format":"csv","fields":[{"name":"seq","col":1}]}`))
	wantInvalid(t, err, "格式配置不是有效的 JSON")
}

// TestAmountText: formatting and parsing money is integer arithmetic, exact
// to the fen, in both units.
func TestAmountText(t *testing.T) {
	for _, c := range []struct {
		fen          int64
		unit, format string
		want         string
		ok           bool
	}{
		{96000, Yuan, AmountPoint, "960.00", true}, {5, Yuan, AmountPoint, "0.05", true}, {123456789012, Yuan, AmountPoint, "1234567890.12", true},
		{96000, Yuan, AmountPlain, "960", true}, {96001, Yuan, AmountPlain, "", false}, {96001, Fen, AmountPlain, "96001", true},
	} {
		got, ok := appendAmount(nil, c.fen, c.unit, c.format)
		if string(got) != c.want || ok != c.ok {
			t.Errorf("%d %s %s: %q %v", c.fen, c.unit, c.format, got, ok)
		}
	}
	for _, c := range []struct {
		in, unit string
		fen      int64
		bad      string
	}{
		{"960.00", Yuan, 96000, ""}, {"960", Yuan, 96000, ""}, {"960.5", Yuan, 96050, ""}, {"1,234.05", Yuan, 123405, ""},
		{"0.01", Yuan, 1, ""}, {"000000096000", Fen, 96000, ""}, {"0", Fen, 0, ""},
		{"-1.00", Yuan, 0, "金额不能为负数"}, {"1.234", Yuan, 0, "最多两位小数"}, {"1.", Yuan, 0, "格式不正确"}, {".5", Yuan, 0, "格式不正确"},
		{"abc", Yuan, 0, "格式不正确"}, {"1e3", Yuan, 0, "格式不正确"}, {"96.00", Fen, 0, "不应有小数点"}, {"", Yuan, 0, "格式不正确"},
		{"9999999999999999", Yuan, 0, "金额过大"}, {"999999999999999", Yuan, 99999999999999900, ""},
	} {
		fen, bad := parseAmount(c.in, c.unit)
		if fen != c.fen || !strings.Contains(bad, c.bad) || (c.bad == "") != (bad == "") {
			t.Errorf("parseAmount(%q, %s) = %d %q, want %d %q", c.in, c.unit, fen, bad, c.fen, c.bad)
		}
	}
}
