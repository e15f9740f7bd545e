package importer

import (
	"fmt"
	"io"

	"jisheng/internal/sheet"
)

var fmtMsg = fmt.Sprintf

// reasonColumn is the column the error report adds after the original cells.
const reasonColumn = "错误原因"

// WriteErrorReport writes the rows that failed, each with its original cells,
// its line in the file and the reason, so that the officer can fix them and
// load the file again.
func (r *Result) WriteErrorReport(w io.Writer, f sheet.Format) error {
	header := append([]string{"原文件行号"}, r.header...)
	header = append(header, reasonColumn)
	sw, err := sheet.NewWriter(w, f, "错误报告", header)
	if err != nil {
		return err
	}
	for _, e := range r.bad {
		row := make([]string, 0, len(header))
		row = append(row, fmt.Sprint(e.Line))
		row = append(row, e.Cells...)
		for len(row) < len(header)-1 {
			row = append(row, "")
		}
		if err := sw.Write(append(row, e.Reason)); err != nil {
			return err
		}
	}
	if r.ErrorsTruncated {
		if err := sw.Write([]string{"", fmt.Sprintf("错误行过多，仅列出前 %d 行", maxReportedErrors)}); err != nil {
			return err
		}
	}
	return sw.Close()
}

// template is the header and an example row of a kind's file.
type template struct {
	columns []sheet.Column
	example []string
	notes   []string
}

func templateOf(k Kind) (template, error) {
	switch k {
	case Persons:
		return template{columns: personColumns,
			example: []string{"张三", "男", "1990-01-31", "34152319900131001X", "汉族", "农业", "初婚", "13800000000",
				"341523100001", "341523100001", "341523100001-0001", "户主", ""},
			notes: []string{
				"日期一律写成 YYYY-MM-DD；区划代码为12位村（居）委会代码（或村民小组代码）。",
				"性别填 男/女；户口性质填 农业/非农业/居民；婚姻状况填 未婚/初婚/再婚/离婚/丧偶。",
				"与户主关系填 户主/配偶/子女/父母/公婆/岳父母/祖父母/外祖父母/孙子女/外孙子女/兄弟姐妹/儿媳/女婿/其他。",
				"户编号可以是已有的户，也可以是新户（按户籍地所在村新建）；填写户编号时必须填写与户主关系。",
				"现居住地区划代码为空时视为与户籍地相同；死亡日期只对已死亡人员填写。",
				"公民身份号码为空时必须填写性别和出生日期；有号码时，性别和出生日期与号码不一致会作为数据质量问题提示。",
			}}, nil
	case Households:
		return template{columns: householdColumns,
			example: []string{"341523100001-0001", "341523100001", "某某村某某组 12 号"},
			notes: []string{
				"户编号为空时按村自动编号；户所在区划代码为12位村（居）委会代码（或村民小组代码）。",
			}}, nil
	case Events:
		return eventTemplate(), nil
	}
	_, err := ParseKind(string(k))
	return template{}, err
}

// WriteTemplate writes the empty file of a kind: the header row only, with
// every cell stored as text so that Excel keeps ID numbers and codes as
// typed. It holds no example row, which an officer could forget and load;
// the example and the filling rules come with TemplateGuide.
func WriteTemplate(w io.Writer, k Kind, f sheet.Format) error {
	t, err := templateOf(k)
	if err != nil {
		return err
	}
	header := make([]string, len(t.columns))
	for i, c := range t.columns {
		header[i] = c.Name
	}
	sw, err := sheet.NewWriter(w, f, k.Title(), header)
	if err != nil {
		return err
	}
	return sw.Close()
}

// Guide describes a kind's file for the page and the CLI.
type Guide struct {
	Kind     Kind     `json:"kind"`
	Title    string   `json:"title"`
	Columns  []string `json:"columns"`
	Required []string `json:"required"`
	Example  []string `json:"example"`
	Notes    []string `json:"notes"`
}

// TemplateGuide returns the columns, an example row and the filling rules of a kind.
func TemplateGuide(k Kind) (Guide, error) {
	t, err := templateOf(k)
	if err != nil {
		return Guide{}, err
	}
	g := Guide{Kind: k, Title: k.Title(), Example: t.example, Notes: t.notes}
	for _, c := range t.columns {
		g.Columns = append(g.Columns, c.Name)
		if c.Required {
			g.Required = append(g.Required, c.Name)
		}
	}
	return g, nil
}
