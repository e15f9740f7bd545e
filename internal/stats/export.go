package stats

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"jisheng/internal/apperr"
)

// WriteXLSX writes a report as the tables officers file: a title, the
// filing unit, the period and the date above a table of indicators with a
// column for the whole division and one per division below it, and a
// second sheet with every indicator's formula.
func WriteXLSX(w io.Writer, rep Report) error {
	f := excelize.NewFile()
	defer f.Close()
	const main = "统计报表"
	if err := f.SetSheetName("Sheet1", main); err != nil {
		return apperr.Wrap(err, "xlsx sheet")
	}
	cols := 5 + len(rep.Children)
	last, _ := excelize.ColumnNumberToName(cols)
	title := rep.Division.Name + "人口和计划生育服务统计报表"
	set := func(cell string, v any) { _ = f.SetCellValue(main, cell, v) }
	set("A1", title)
	_ = f.MergeCell(main, "A1", last+"1")
	set("A2", "填报单位："+rep.Division.Name)
	set("C2", "统计期间："+rep.Period.Label+"（"+rep.Period.From+" 至 "+rep.Period.To+"）")
	set("A3", "填报日期："+rep.Today)
	set("C3", "数据来源：jisheng 计生服务管理系统，各数可追溯到记录")
	header := []any{"序号", "类别", "指标", "单位", "合计"}
	for _, c := range rep.Children {
		header = append(header, c.title("\n"))
	}
	_ = f.SetSheetRow(main, "A5", &header)
	for i, row := range rep.Rows {
		line := []any{i + 1, row.Group, row.Name, row.Unit, cellValue(row.Indicator, row.Figure)}
		for _, c := range row.Children {
			line = append(line, cellValue(row.Indicator, c.Figure))
		}
		_ = f.SetSheetRow(main, "A"+strconv.Itoa(6+i), &line)
	}
	end := 5 + len(rep.Rows)
	set("A"+strconv.Itoa(end+2), "说明：比率按四舍五入保留规定位数；平均人口 =（期初 + 期末）÷ 2；各指标口径见“指标口径”表。")
	if err := styleReport(f, main, last, end); err != nil {
		return err
	}
	if err := writeFormulas(f, rep); err != nil {
		return err
	}
	return apperr.Wrap(f.Write(w), "xlsx write")
}

// cellValue is a figure as the table shows it: a number, or "—" where the
// denominator is zero or a task is not set.
func cellValue(in Indicator, fg Figure) any {
	if fg.Value == nil {
		return "—"
	}
	if in.DenTerm == nil && !in.NumTerm.Sum {
		return fg.Num
	}
	return *fg.Value
}

func styleReport(f *excelize.File, sheet, last string, end int) error {
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return apperr.Wrap(err, "xlsx style")
	}
	border := []excelize.Border{{Type: "left", Style: 1}, {Type: "right", Style: 1}, {Type: "top", Style: 1}, {Type: "bottom", Style: 1}}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true}})
	if err != nil {
		return apperr.Wrap(err, "xlsx style")
	}
	body, err := f.NewStyle(&excelize.Style{Border: border})
	if err != nil {
		return apperr.Wrap(err, "xlsx style")
	}
	_ = f.SetCellStyle(sheet, "A1", last+"1", title)
	_ = f.SetCellStyle(sheet, "A5", last+"5", head)
	if end > 5 {
		_ = f.SetCellStyle(sheet, "A6", last+strconv.Itoa(end), body)
	}
	_ = f.SetColWidth(sheet, "A", "A", 6)
	_ = f.SetColWidth(sheet, "B", "B", 12)
	_ = f.SetColWidth(sheet, "C", "C", 24)
	_ = f.SetColWidth(sheet, "D", "D", 6)
	_ = f.SetColWidth(sheet, "E", last, 12)
	return nil
}

func writeFormulas(f *excelize.File, rep Report) error {
	const sheet = "指标口径"
	if _, err := f.NewSheet(sheet); err != nil {
		return apperr.Wrap(err, "xlsx sheet")
	}
	header := []any{"指标", "单位", "口径"}
	_ = f.SetSheetRow(sheet, "A1", &header)
	for i, row := range rep.Rows {
		line := []any{row.Name, row.Unit, row.Formula}
		_ = f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &line)
	}
	_ = f.SetColWidth(sheet, "A", "A", 24)
	_ = f.SetColWidth(sheet, "C", "C", 80)
	return nil
}
