package stats

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jisheng/internal/period"
	"jisheng/internal/testfix"
)

func TestWriteXLSXLaysOutAnOfficialTable(t *testing.T) {
	p, _ := period.Parse("2026-SY")
	ratio, count := 110.5, 181.0
	births, _ := IndicatorOf("births")
	sexRatio, _ := IndicatorOf("sex_ratio_at_birth")
	completion, _ := IndicatorOf("prepreg_completion")
	den := int64(86)
	rep := Report{Division: DivisionRef{Code: "341523100", Name: "城关镇", Level: 4}, Period: p, Today: "2026-10-03",
		Children: []DivisionRef{{Code: "341523100001", Name: "东苑社区居委会", Level: 5}},
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
	// By village, a column names the township too: names repeat across townships.
	rep.By, rep.Children[0].Parent, rep.Children[0].ParentName = ByVillage, "341523100", "城关镇"
	buf.Reset()
	if err := WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got, _ := g.GetCellValue("统计报表", "F5"); got != "城关镇\n东苑社区居委会" {
		t.Errorf("village column by village: %q", got)
	}
}

func TestReportPDF(t *testing.T) {
	tool := testfix.Tool(t, "pdftotext", "poppler-utils poppler-data")
	p, _ := period.Parse("2026")
	births, _ := IndicatorOf("births")
	rate, _ := IndicatorOf("contraceptive_rate")
	amount, _ := IndicatorOf("benefit_amount")
	rep := Report{Division: DivisionRef{Code: "341523", Name: "舒城县", Level: 3}, Period: p, Today: "2027-01-03"}
	v := func(f float64) *float64 { return &f }
	rows := []Row{
		{Indicator: births, Figure: Figure{Num: 12345, Value: v(12345)}},
		{Indicator: rate, Figure: Figure{Num: 1, Value: v(50)}},
		{Indicator: amount, Figure: Figure{Num: 123456789, Value: v(1234567.89)}},
	}
	for i := 0; i < 5; i++ {
		rep.Children = append(rep.Children, DivisionRef{Code: fmt.Sprint(341523100 + i), Name: fmt.Sprintf("乡镇%d", i+1), Level: 4})
		for r := range rows {
			rows[r].Children = append(rows[r].Children, ChildFigure{fmt.Sprint(341523100 + i), Figure{Num: int64(i), Value: v(float64(i))}})
		}
	}
	rows[1].Children[4].Value = nil
	rep.Rows = rows
	var buf bytes.Buffer
	if err := WriteReportPDF(&buf, rep, "报表状态：已接收（第 8 版）"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	pages := strings.Split(string(out), "\f")
	// Panel 1 (total and 乡镇1–3) on page 1, panel 2 (乡镇4–5) on page 2.
	if len(pages) != 3 {
		t.Fatalf("%d pages:\n%s", len(pages)-1, out)
	}
	for _, want := range []string{"舒城县人口和计划生育服务统计报表", "统计期间：2026年（2026-01-01 至 2026-12-31）",
		"报表状态：已接收（第 8 版）", "【出生与婚姻】", "出生人数", "12,345", "50.00", "1,234,567.89", "乡镇1", "乡镇3", "第 1 页 共 2 页"} {
		if !strings.Contains(pages[0], want) {
			t.Errorf("page 1 lacks %q", want)
		}
	}
	for _, want := range []string{"乡镇4", "乡镇5", "—", "第 2 页 共 2 页"} {
		if !strings.Contains(pages[1], want) {
			t.Errorf("page 2 lacks %q:\n%s", want, pages[1])
		}
	}
	if strings.Contains(pages[0], "乡镇4") {
		t.Error("乡镇4 is on the first panel")
	}
}

func TestChildPanels(t *testing.T) {
	for n, want := range map[int]string{0: "[[]]", 3: "[[0 1 2]]", 4: "[[0 1 2] [3]]", 8: "[[0 1 2] [3 4 5 6] [7]]"} {
		if got := fmt.Sprint(childPanels(n)); got != want {
			t.Errorf("childPanels(%d) = %s, want %s", n, got, want)
		}
	}
}
