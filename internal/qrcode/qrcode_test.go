package qrcode

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"jisheng/internal/testfix"
)

// TestCodesDecodeWithARealScanner draws each code as a PNG and reads it back
// with zbarimg, the decoder of Debian's zbar-tools.
func TestCodesDecodeWithARealScanner(t *testing.T) {
	zbar := testfix.Tool(t, "zbarimg", "zbar-tools")
	cases := []string{
		"http://127.0.0.1:8080/public/notices/3F9A0C2D71BE",
		"https://jisheng.example.gov.cn/public/postings/" + strings.Repeat("a1b2", 8),
		"验证码 ABCDEF123456",
	}
	for _, text := range cases {
		m, err := Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "code.png")
		writePNG(t, file, m, 4)
		out, err := exec.Command(zbar, "--quiet", "--raw", file).Output()
		if err != nil {
			t.Fatalf("%s: zbarimg: %v", text, err)
		}
		if got := strings.TrimRight(string(out), "\n"); got != text {
			t.Errorf("decoded %q, want %q", got, text)
		}
	}
}

func TestPathCoversExactlyTheBlackModules(t *testing.T) {
	m, err := Encode("ABC")
	if err != nil {
		t.Fatal(err)
	}
	black := 0
	for y := 0; y < m.Size; y++ {
		for x := 0; x < m.Size; x++ {
			if m.Black(x, y) {
				black++
			}
		}
	}
	// Each rectangle "M x yhNv1h-Nz" covers N modules.
	covered := 0
	for _, seg := range strings.Split(m.Path(), "z")[:strings.Count(m.Path(), "z")] {
		var x, y, n, back int
		if _, err := fmt.Sscanf(seg, "M%d %dh%dv1h-%d", &x, &y, &n, &back); err != nil || n != back || x < QuietZone || y < QuietZone {
			t.Fatalf("bad segment %q", seg)
		}
		covered += n
	}
	if covered != black || m.Size != 21 {
		t.Errorf("covered %d of %d black modules, size %d (want 21 for version 1)", covered, black, m.Size)
	}
	if _, err := Encode(""); err == nil {
		t.Error("empty text encoded")
	}
}

func writePNG(t *testing.T, file string, m Matrix, scale int) {
	t.Helper()
	n := (m.Size + 2*QuietZone) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			cx, cy := x/scale-QuietZone, y/scale-QuietZone
			c := color.Gray{Y: 255}
			if cx >= 0 && cy >= 0 && cx < m.Size && cy < m.Size && m.Black(cx, cy) {
				c = color.Gray{}
			}
			img.SetGray(x, y, c)
		}
	}
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}
