// Package qrcode turns a short text (a verification link) into a QR code
// matrix that printed documents draw, as PDF rectangles or an SVG path.
package qrcode

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// QuietZone is the blank margin, in modules, a scanner needs around a code.
const QuietZone = 4

// Matrix is a QR code: Size×Size modules, black or white.
type Matrix struct {
	Size int
	code *qr.Code
}

// Encode makes the QR code of text at error-correction level M (15% of the
// code may be soiled or torn), enough for a notice pinned to a wall.
func Encode(text string) (Matrix, error) {
	if text == "" {
		return Matrix{}, fmt.Errorf("qrcode: empty text")
	}
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return Matrix{}, fmt.Errorf("qrcode: %w", err)
	}
	return Matrix{Size: c.Size, code: c}, nil
}

// Black says whether the module at column x, row y is black.
func (m Matrix) Black(x, y int) bool { return m.code.Black(x, y) }

// Path is the SVG path of the black modules with the quiet zone included,
// for a viewBox of "0 0 n n" where n is Size+2*QuietZone; each run of black
// modules in a row is one rectangle.
func (m Matrix) Path() string {
	var b strings.Builder
	for y := 0; y < m.Size; y++ {
		for x := 0; x < m.Size; {
			if !m.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < m.Size && m.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+QuietZone, y+QuietZone, run, run)
			x += run
		}
	}
	return b.String()
}
