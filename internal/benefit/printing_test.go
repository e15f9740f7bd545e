package benefit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"jisheng/internal/testfix"
)

// pdfPages writes b to a file and answers the text of each page as poppler's
// pdftotext reads it.
func pdfPages(t *testing.T, b []byte) (file string, pages []string) {
	t.Helper()
	tool := testfix.Tool(t, "pdftotext", "poppler-utils poppler-data")
	file = filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", file, "-").CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("Error")) {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	pages = strings.Split(string(out), "\f")
	return file, pages[:len(pages)-1]
}

// scanPage renders one page (from 1) and reads its QR code with zbarimg.
func scanPage(t *testing.T, file string, page int) string {
	t.Helper()
	ppm := testfix.Tool(t, "pdftoppm", "poppler-utils poppler-data")
	zbar := testfix.Tool(t, "zbarimg", "zbar-tools")
	prefix := filepath.Join(t.TempDir(), "page")
	n := fmt.Sprint(page)
	if out, err := exec.Command(ppm, "-r", "150", "-f", n, "-l", n, "-png", "-singlefile", file, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", prefix+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg on page %d: %v", page, err)
	}
	return strings.TrimSpace(string(out))
}

func posterFixture() Posting {
	p := Posting{ProgramName: "农村部分计划生育家庭奖励扶助", Year: 2026, Level: "county", Place: "舒城县卫生健康委员会",
		ListVersion: 2, StartsOn: "2026-11-01", EndsOn: "2026-11-07", PublicCode: "c0ffee"}
	for i := 1; i <= 40; i++ {
		p.Entries = append(p.Entries, PostingEntry{Seq: i, Name: fmt.Sprintf("王*%d", i), IDNumber: fmt.Sprintf("341523********%04d", i),
			Village: "春秋村", AnnualFen: 96000})
	}
	p.Entries = append(p.Entries, PostingEntry{Seq: 41, Name: "李*", IDNumber: "341523********0041", Village: "河棚村",
		Subtype: "death+disability", AnnualFen: 1104000})
	return p
}

func TestPosterPDF(t *testing.T) {
	p := posterFixture()
	link := "http://10.0.0.8:8080/public/postings/c0ffee"
	var buf bytes.Buffer
	if err := WritePosterPDF(&buf, p, link); err != nil {
		t.Fatal(err)
	}
	file, pages := pdfPages(t, buf.Bytes())
	// 春秋村: 40 rows need two pages, the closing block fits on the second;
	// 河棚村: one page.
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	checks := []struct {
		page int
		want []string
	}{
		{0, []string{"农村部分计划生育家庭奖励扶助公示", "2026 年度 · 县级公示 · 第 2 版", "公示地点：舒城县卫生健康委员会（春秋村）",
			"公示期：2026-11-01 至 2026-11-07", "序号", "公民身份号码", "王*1", "341523********0001", "960.00", "第 1 页 共 2 页"}},
		{1, []string{"公示（续）", "王*40", "合计 40 人", "38,400.00", "如有异议", "扫码查看网上公示", link, "第 2 页 共 2 页"}},
		{2, []string{"（河棚村）", "类别", "独生子女死亡、", "独生子女伤残", "11,040.00", "合计 1 人", "第 1 页 共 1 页"}},
	}
	for _, c := range checks {
		for _, w := range c.want {
			if !strings.Contains(pages[c.page], w) {
				t.Errorf("page %d lacks %q:\n%s", c.page+1, w, pages[c.page])
			}
		}
	}
	if strings.Contains(pages[0], "类别") {
		t.Error("春秋村 has no 特扶 category, yet its table has the column")
	}
	if got := scanPage(t, file, 2); got != link {
		t.Errorf("QR on the poster reads %q, want %q", got, link)
	}
}

func TestEmptyPosterPDF(t *testing.T) {
	p := posterFixture()
	p.Entries = nil
	var buf bytes.Buffer
	if err := WritePosterPDF(&buf, p, "http://x/public/postings/c0ffee"); err != nil {
		t.Fatal(err)
	}
	if _, pages := pdfPages(t, buf.Bytes()); len(pages) != 1 || !strings.Contains(pages[0], "名单为空") {
		t.Errorf("empty poster: %q", pages)
	}
}

func TestNoticesPDF(t *testing.T) {
	notices := []Notice{
		{Kind: NoticePayment, VerifyCode: "ABCDEF123456", IssuedOn: "2026-11-22", Body: NoticeBody{Title: "领取育儿补贴的通知",
			Name: "王秀英", IDNumber: "341523********0027", Program: "育儿补贴", Year: 2026, AmountFen: 360000, Period: "2026",
			Account: "6217********5678", Issuer: "春秋村民委员会", Text: "您的育儿补贴已发放到登记的账户，请查收。"}},
		{Kind: NoticeRejection, VerifyCode: "ZXCVBN987654", IssuedOn: "2026-11-22", Body: NoticeBody{Title: "奖励扶助申请结果通知",
			Name: "李四", Program: "奖励扶助", Year: 2026, Issuer: "河棚村民委员会", Text: "您的申请经审核未予通过。",
			Reasons: []string{"年满规定年龄：年龄 59，规定 60"}}},
	}
	base := "https://jisheng.example.gov.cn/public/notices/"
	var buf bytes.Buffer
	if err := WriteNoticesPDF(&buf, "书面通知", notices, base); err != nil {
		t.Fatal(err)
	}
	file, pages := pdfPages(t, buf.Bytes())
	if len(pages) != 2 {
		t.Fatalf("%d pages, want one per notice", len(pages))
	}
	want := [][]string{
		{"领取育儿补贴的通知", "王秀英（身份证号 341523********0027）：", "金额：3,600.00 元", "期别：2026", "发放账户：6217********5678",
			"春秋村民委员会", "验证码：ABCDEF123456", base + "ABCDEF123456"},
		{"奖励扶助申请结果通知", "李四（身份证号 —）：", "1. 年满规定年龄：年龄 59，规定 60", "验证码：ZXCVBN987654"},
	}
	for i, ws := range want {
		for _, w := range ws {
			if !strings.Contains(pages[i], w) {
				t.Errorf("notice %d lacks %q:\n%s", i+1, w, pages[i])
			}
		}
		if got := scanPage(t, file, i+1); got != base+notices[i].VerifyCode {
			t.Errorf("notice %d QR reads %q", i+1, got)
		}
	}
}

func TestPrintedYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 96000: "960.00", 360000: "3,600.00", 123456789: "1,234,567.89", -150: "-1.50"} {
		if got := printedYuan(fen); got != want {
			t.Errorf("printedYuan(%d) = %q, want %q", fen, got, want)
		}
	}
}
