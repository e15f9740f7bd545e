package stats

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"jisheng/internal/pdf"
)

// Printed reports are A4 portrait: the indicator columns and the total,
// then the divisions below a few at a time, panel after panel.
const (
	printMargin   = 20.0
	printBottom   = 275.0
	firstChildren = 3 // child columns beside the total on the first panel
	moreChildren  = 4 // child columns on each later panel
)

var (
	printTitle = pdf.Style{Size: 16, Bold: true}
	printBody  = pdf.Style{Size: 10}
	printHead  = pdf.Style{Size: 10, Bold: true}
	printSmall = pdf.Style{Size: 9}
)

// WriteReportPDF prints a report as the table filed upward, with a line
// saying where it stands when it is a filing (stamp may be empty).
func WriteReportPDF(w io.Writer, rep Report, stamp string) error {
	doc := pdf.New(reportFileName(rep))
	page := doc.AddPage()
	title := rep.Division.Name + "人口和计划生育服务统计报表"
	page.TextCentered(pdf.PageWidth/2, 26, printTitle, title)
	page.Text(printMargin, 36, printBody, "统计期间："+rep.Period.Label+"（"+rep.Period.From+" 至 "+rep.Period.To+"）")
	page.Text(printMargin, 43, printBody, "填报单位："+rep.Division.Name+"　　填报日期："+rep.Today)
	y := 48.0
	if stamp != "" {
		page.Text(printMargin, 50, printBody, stamp)
		y = 55
	}
	newPage := func() (*pdf.Page, float64) {
		next := doc.AddPage()
		next.Text(printMargin, 20, printSmall, title+"（续）")
		return next, 25
	}
	panels := childPanels(len(rep.Children))
	for i, kids := range panels {
		if i > 0 {
			page, y = newPage()
		}
		table := pdf.Table{X: printMargin, Bottom: printBottom, Head: printHead, Body: printBody, NewPage: newPage,
			Columns: []pdf.Column{{Title: "序号", Width: 12}, {Title: "指标", Width: 44}, {Title: "单位", Width: 12}}}
		if i == 0 {
			table.Columns = append(table.Columns, pdf.Column{Title: "合计", Width: 28, Right: true})
		}
		for _, k := range kids {
			table.Columns = append(table.Columns, pdf.Column{Title: rep.Children[k].title(" "), Width: 24, Right: true})
		}
		page, y = table.Rows(page, table.Header(page, y), panelRows(rep, kids, i == 0))
		y += 4
	}
	page.Text(printMargin, min(y+4, printBottom+8), printSmall,
		"说明：比率四舍五入保留规定位数；平均人口 =（期初 + 期末）÷ 2；“—”为分母为零或未下达任务。")
	for i := 0; i < doc.Pages(); i++ {
		doc.Page(i).TextCentered(pdf.PageWidth/2, 288, printSmall, fmt.Sprintf("第 %d 页 共 %d 页", i+1, doc.Pages()))
	}
	_, err := doc.WriteTo(w)
	return err
}

// childPanels splits the child divisions into panels: a few beside the
// total, then more on each later panel; a report without children has
// one panel with the total alone.
func childPanels(n int) [][]int {
	panels := [][]int{{}}
	for k := 0; k < n; k++ {
		last := panels[len(panels)-1]
		limit := moreChildren
		if len(panels) == 1 {
			limit = firstChildren
		}
		if len(last) == limit {
			panels = append(panels, nil)
		}
		panels[len(panels)-1] = append(panels[len(panels)-1], k)
	}
	return panels
}

// panelRows are the table rows of one panel: a heading row per group, then
// each indicator with its total (first panel) and its children's figures.
func panelRows(rep Report, kids []int, total bool) [][]string {
	var rows [][]string
	group := ""
	for i, r := range rep.Rows {
		if r.Group != group {
			group = r.Group
			rows = append(rows, []string{"", "【" + group + "】"})
		}
		line := []string{strconv.Itoa(i + 1), r.Name, r.Unit}
		if total {
			line = append(line, printedValue(r.Indicator, r.Figure))
		}
		for _, k := range kids {
			if k < len(r.Children) {
				line = append(line, printedValue(r.Indicator, r.Children[k].Figure))
			}
		}
		rows = append(rows, line)
	}
	return rows
}

// printedValue is a figure as printed: counts with thousands separators,
// ratios with their decimals, amounts in yuan, "—" for no value.
func printedValue(in Indicator, f Figure) string {
	switch {
	case f.Value == nil:
		return "—"
	case in.NumTerm.Sum:
		return grouped(strconv.FormatFloat(*f.Value, 'f', 2, 64))
	case in.DenTerm == nil:
		return grouped(strconv.FormatInt(f.Num, 10))
	}
	return strconv.FormatFloat(*f.Value, 'f', in.Decimals, 64)
}

// grouped puts thousands separators into a decimal number.
func grouped(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if frac != "" {
		return sign + whole + "." + frac
	}
	return sign + whole
}
