// Package pdf writes printable A4 documents (posters, notices) as PDF with
// Chinese text, from the standard library alone.
//
// Chinese text is set in STSong-Light, one of the standard CJK fonts of the
// PDF specification (Adobe-GB1 character collection), addressed through the
// predefined UniGB-UTF16-H CMap. Readers supply the glyphs from their own
// Chinese fonts, as every reader used in China does (Adobe Reader, WPS,
// Foxit, the browsers' viewers), so a document of a hundred pages stays a
// few kilobytes and no font file ships with the binary. A ToUnicode map of
// the characters used lets a reader search and copy the text.
//
// Positions are millimetres from the top-left corner of the page.
package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// A4 page size in millimetres.
const (
	PageWidth  = 210.0
	PageHeight = 297.0
)

const ptPerMM = 72 / 25.4

// Doc is a document being built page by page.
type Doc struct {
	title string
	pages []*Page
	used  map[rune]bool
}

// New starts a document with the title readers show in their window.
func New(title string) *Doc {
	return &Doc{title: title, used: map[rune]bool{}}
}

// Page is one A4 page; its drawing operations append to its content stream.
type Page struct {
	doc     *Doc
	content bytes.Buffer
}

// AddPage appends an empty page and returns it.
func (d *Doc) AddPage() *Page {
	p := &Page{doc: d}
	d.pages = append(d.pages, p)
	return p
}

// Page is the i-th page (from 0), for what is written once all pages are
// known, such as "page 2 of 5".
func (d *Doc) Page(i int) *Page { return d.pages[i] }

// Pages is the number of pages so far.
func (d *Doc) Pages() int { return len(d.pages) }

// Width is how wide s is set at size points, in millimetres. Characters
// below U+0080 are half an em wide (the widths the font dictionary
// declares), everything else a full em.
func Width(s string, size float64) float64 {
	em := 0.0
	for _, r := range s {
		if r < 0x80 {
			em += 0.5
		} else {
			em++
		}
	}
	return em * size / ptPerMM
}

// Style changes how text is set.
type Style struct {
	Size float64 // points
	Bold bool    // simulated by stroking the outline: STSong-Light has no bold face
}

// Text sets s with its baseline at (x, y).
func (p *Page) Text(x, y float64, st Style, s string) {
	s = printable(s)
	if s == "" {
		return
	}
	for _, r := range s {
		p.doc.used[r] = true
	}
	mode := "0 Tr"
	if st.Bold {
		mode = fmt.Sprintf("2 Tr %s w", num(st.Size/30))
	}
	fmt.Fprintf(&p.content, "BT /F1 %s Tf %s %s %s Td <%s> Tj ET\n",
		num(st.Size), mode, num(x*ptPerMM), num((PageHeight-y)*ptPerMM), utf16Hex(s))
}

// TextCentered sets s centred on x.
func (p *Page) TextCentered(x, y float64, st Style, s string) {
	p.Text(x-Width(s, st.Size)/2, y, st, s)
}

// TextRight sets s ending at x.
func (p *Page) TextRight(x, y float64, st Style, s string) {
	p.Text(x-Width(s, st.Size), y, st, s)
}

// Line draws a straight line of the given width in millimetres.
func (p *Page) Line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(&p.content, "%s w %s %s m %s %s l S\n", num(width*ptPerMM),
		num(x1*ptPerMM), num((PageHeight-y1)*ptPerMM), num(x2*ptPerMM), num((PageHeight-y2)*ptPerMM))
}

// Modules fills the black cells of an n×n matrix (a QR code) whose top-left
// corner is at (x, y), each cell module millimetres wide, as one path.
func (p *Page) Modules(x, y, module float64, n int, black func(col, row int) bool) {
	m := module * ptPerMM
	for row := 0; row < n; row++ {
		for col := 0; col < n; {
			if !black(col, row) {
				col++
				continue
			}
			run := 1
			for col+run < n && black(col+run, row) {
				run++
			}
			// Runs of a row become one rectangle, which keeps the path short.
			fmt.Fprintf(&p.content, "%s %s %s %s re\n", num(x*ptPerMM+float64(col)*m),
				num((PageHeight-y)*ptPerMM-float64(row+1)*m), num(float64(run)*m), num(m))
			col += run
		}
	}
	p.content.WriteString("f\n")
}

// Wrap breaks s into lines no wider than width millimetres at size points.
// Chinese text breaks between any two characters; a run of Latin letters or
// digits is kept whole where it fits on a line.
func Wrap(s string, size, width float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lines = append(lines, wrapParagraph(para, size, width)...)
	}
	return lines
}

func wrapParagraph(s string, size, width float64) []string {
	var lines []string
	var line []rune
	for _, tok := range tokens(s) {
		candidate := string(line) + tok
		if Width(candidate, size) <= width || len(line) == 0 && Width(tok, size) <= width {
			line = []rune(candidate)
			continue
		}
		if len(line) > 0 {
			lines = append(lines, string(line))
			line = nil
		}
		tok = strings.TrimLeft(tok, " ")
		// A token wider than a line is broken by characters.
		for _, r := range tok {
			if Width(string(line)+string(r), size) > width && len(line) > 0 {
				lines = append(lines, string(line))
				line = nil
			}
			line = append(line, r)
		}
	}
	return append(lines, string(line))
}

// tokens splits s into single non-ASCII characters and runs of ASCII.
func tokens(s string) []string {
	var out []string
	var run strings.Builder
	for _, r := range s {
		if r < 0x80 && r != ' ' {
			run.WriteRune(r)
			continue
		}
		if run.Len() > 0 {
			out = append(out, run.String())
			run.Reset()
		}
		out = append(out, string(r))
	}
	if run.Len() > 0 {
		out = append(out, run.String())
	}
	return out
}

// printable drops control characters, which have no glyph.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xFFFD {
			return -1
		}
		return r
	}, s)
}

func utf16Hex(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// WriteTo writes the document as PDF 1.5.
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	if len(d.pages) == 0 {
		d.AddPage()
	}
	pw := &writer{}
	pw.buf.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	// Objects 1–6 are fixed; pages and their contents follow.
	const catalog, pagesObj, font, cidFont, descriptor, toUnicode = 1, 2, 3, 4, 5, 6
	info := 7
	firstPage := 8
	kids := make([]string, len(d.pages))
	for i := range d.pages {
		kids[i] = fmt.Sprintf("%d 0 R", firstPage+2*i)
	}
	pw.object(catalog, "<< /Type /Catalog /Pages 2 0 R >>")
	pw.object(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 %s %s] >>",
		strings.Join(kids, " "), len(d.pages), num(PageWidth*ptPerMM), num(PageHeight*ptPerMM)))
	pw.object(font, "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H "+
		"/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>")
	// CIDs 1–95 (proportional Latin) and 814–907 (half-width Latin) are
	// declared half an em, the widths Width assumes.
	pw.object(cidFont, "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "+
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R "+
		"/DW 1000 /W [1 95 500 814 907 500] >>")
	pw.object(descriptor, "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "+
		"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
	pw.stream(toUnicode, "", []byte(d.toUnicode()))
	pw.object(info, fmt.Sprintf("<< /Title <FEFF%s> /Producer (jisheng) >>", utf16Hex(printable(d.title))))
	for i, p := range d.pages {
		obj := firstPage + 2*i
		pw.object(obj, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", obj+1))
		pw.stream(obj+1, "/Filter /FlateDecode", deflate(p.content.Bytes()))
	}
	pw.trailer(catalog, info)
	n, err := w.Write(pw.buf.Bytes())
	return int64(n), err
}

// toUnicode maps each code used back to its character, in the CMap syntax
// readers expect (at most 100 entries per block).
func (d *Doc) toUnicode() string {
	runes := make([]rune, 0, len(d.used))
	for r := range d.used {
		// Poppler rejects four-byte entries; characters beyond the Basic
		// Multilingual Plane (rare in names) still print where the
		// reader's font has them, but are not searchable.
		if r <= 0xFFFF {
			runes = append(runes, r)
		}
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Jisheng-UTF16 def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for start := 0; start < len(runes); start += 100 {
		block := runes[start:min(start+100, len(runes))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(block))
		for _, r := range block {
			h := utf16Hex(string(r))
			fmt.Fprintf(&b, "<%s> <%s>\n", h, h)
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.String()
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	z := zlib.NewWriter(&out)
	z.Write(b) // writes to a bytes.Buffer cannot fail
	z.Close()
	return out.Bytes()
}

// writer lays out numbered objects and the cross-reference table.
type writer struct {
	buf     bytes.Buffer
	offsets map[int]int
}

func (w *writer) object(n int, body string) {
	w.begin(n)
	w.buf.WriteString(body)
	w.buf.WriteString("\nendobj\n")
}

func (w *writer) stream(n int, dict string, data []byte) {
	w.begin(n)
	fmt.Fprintf(&w.buf, "<< %s /Length %d >>\nstream\n", dict, len(data))
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

func (w *writer) begin(n int) {
	if w.offsets == nil {
		w.offsets = map[int]int{}
	}
	w.offsets[n] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n", n)
}

func (w *writer) trailer(root, info int) {
	size := len(w.offsets) + 1
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", size)
	for i := 1; i < size; i++ {
		fmt.Fprintf(&w.buf, "%010d 00000 n \n", w.offsets[i])
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", size, root, info, xref)
}
