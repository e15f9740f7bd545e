package stats

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"jisheng/internal/period"
)

func TestWriteXLSXLaysOutAnOfficialTable(t *testing.T) {
	p, _ := period.Parse("2026-SY")
	ratio, count := 110.5, 181.0
	births, _ := IndicatorOf("births")
	sexRatio, _ := IndicatorOf("sex_ratio_at_birth")
	completion, _ := IndicatorOf("prepreg_completion")
	den := int64(86)
	rep := Report{Division: DivisionRef{"341523100", "城关镇", 4}, Period: p, Today: "2026-10-03",
		Children: []DivisionRef{{"341523100001", "东苑社区居委会", 5}},
		Rows: []Row{
			{Indicator: births, Figure: Figure{Num: 181, Value: &count}, Children: []ChildFigure{{"341523100001", Figure{Num: 181, Value: &count}}}},
			{Indicator: sexRatio, Figure: Figure{Num: 95, Den: &den, Value: &ratio}, Children: []ChildFigure{{"341523100001", Figure{Num: 95}}}},
			{Indicator: completion, Figure: Figure{Num: 3}, Children: []ChildFigure{{"341523100001", Figure{Num: 3}}}},
		}}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{
		"A1": "城关镇人口和计划生育服务统计报表",
		"A2": "填报单位：城关镇",
		"C2": "统计期间：2026统计年度（2025年10月1日至2026年9月30日）（2025-10-01 至 2026-09-30）",
		"A3": "填报日期：2026-10-03",
		"E5": "合计", "F5": "东苑社区居委会",
		"C6": "出生人数", "E6": "181", "F6": "181",
		"C7": "出生人口性别比", "E7": "110.5", "F7": "—",
		"C8": "孕前优生任务完成率", "E8": "—",
	}
	for cell, v := range want {
		if got, _ := f.GetCellValue("统计报表", cell); got != v {
			t.Errorf("%s = %q, want %q", cell, got, v)
		}
	}
	if got, _ := f.GetCellValue("指标口径", "C3"); got != sexRatio.Formula {
		t.Errorf("formula sheet: %q", got)
	}
	if merged, _ := f.GetMergeCells("统计报表"); len(merged) != 1 || merged[0].GetStartAxis() != "A1" || merged[0].GetEndAxis() != "F1" {
		t.Errorf("title merge: %v", merged)
	}
}
