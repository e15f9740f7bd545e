package pdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"jisheng/internal/qrcode"
	"jisheng/internal/testfix"
)

func TestWidth(t *testing.T) {
	cases := []struct {
		s    string
		size float64
		want float64 // mm
	}{
		{"", 12, 0},
		{"计生", 72, 2 * 25.4},
		{"AB", 72, 25.4},
		{"第1页", 72, 2.5 * 25.4},
	}
	for _, c := range cases {
		if got := Width(c.s, c.size); abs(got-c.want) > 1e-9 {
			t.Errorf("Width(%q, %v) = %v, want %v", c.s, c.size, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	em := 25.4 / 72 * 12 // one em at 12 pt, in mm
	cases := []struct {
		name  string
		s     string
		width float64
		want  []string
	}{
		{"fits", "计划生育", 4 * em, []string{"计划生育"}},
		{"breaks between characters", "计划生育奖励", 4 * em, []string{"计划生育", "奖励"}},
		{"keeps a number whole", "金额3600元整", 3 * em, []string{"金额", "3600元", "整"}},
		{"breaks an over-long run", "ABCDEFGHIJ", 2 * em, []string{"ABCD", "EFGH", "IJ"}},
		{"keeps paragraphs", "甲\n乙", 4 * em, []string{"甲", "乙"}},
		{"empty", "", 4 * em, []string{""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Wrap(c.s, 12, c.width+1e-9)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("Wrap(%q) = %q, want %q", c.s, got, c.want)
			}
		})
	}
}

// sample is a two-page document with Chinese, Latin, a rare character
// outside the Basic Multilingual Plane and a QR code.
func sample(t *testing.T) ([]byte, string) {
	t.Helper()
	link := "http://127.0.0.1:8080/public/notices/ABCDEF123456"
	doc := New("领取计划生育奖励的通知")
	p := doc.AddPage()
	p.TextCentered(PageWidth/2, 30, Style{Size: 18, Bold: true}, "领取计划生育奖励的通知")
	p.Text(20, 50, Style{Size: 12}, "张𠀋三（身份证号 341523********0012）：")
	p.Text(20, 60, Style{Size: 12}, "金额 960.00 元")
	p.Line(20, 65, 190, 65, 0.3)
	m, err := qrcode.Encode(link)
	if err != nil {
		t.Fatal(err)
	}
	p.Modules(20, 80, 1, m.Size, m.Black)
	doc.AddPage().Text(20, 30, Style{Size: 12}, "第二页")
	var buf bytes.Buffer
	if _, err := doc.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), link
}

// TestCrossReferencePointsAtObjects checks the file's own structure: every
// offset in the xref table starts the object it names, and startxref points
// at the table.
func TestCrossReferencePointsAtObjects(t *testing.T) {
	b, _ := sample(t)
	start := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if start == nil {
		t.Fatal("no startxref at the end")
	}
	at, _ := strconv.Atoi(string(start[1]))
	if !bytes.HasPrefix(b[at:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the table", at)
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(b[at:], -1)
	if len(entries) != 11 { // 7 fixed objects and 2 per page
		t.Fatalf("%d objects, want 11", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := strconv.Itoa(i+1) + " 0 obj\n"; !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Errorf("object %d: offset %d points at %q", i+1, off, b[off:off+12])
		}
	}
}

// TestRealReaderExtractsTheText reads the file with poppler's pdftotext,
// which finds each character through the ToUnicode map.
func TestRealReaderExtractsTheText(t *testing.T) {
	tool := testfix.Tool(t, "pdftotext", "poppler-utils poppler-data")
	b, _ := sample(t)
	file := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", file, "-").CombinedOutput()
	if err != nil || strings.Contains(string(out), "Error") || strings.Contains(string(out), "Warning") {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"领取计划生育奖励的通知", "三（身份证号 341523********0012）：", "金额 960.00 元", "第二页"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q:\n%s", want, text)
		}
	}
	if pages := strings.Count(text, "\f"); pages != 2 {
		t.Errorf("%d pages, want 2", pages)
	}
}

// TestRenderedQRCodeScans renders the first page with poppler's pdftoppm and
// reads the QR code off the picture with zbarimg.
func TestRenderedQRCodeScans(t *testing.T) {
	ppm := testfix.Tool(t, "pdftoppm", "poppler-utils poppler-data")
	zbar := testfix.Tool(t, "zbarimg", "zbar-tools")
	b, link := sample(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "notice.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(ppm, "-r", "150", "-f", "1", "-l", "1", "-png", file, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) != 1 {
		t.Fatalf("rendered %v", pages)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", pages[0]).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != link {
		t.Errorf("scanned %q, want %q", got, link)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
