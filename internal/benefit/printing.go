package benefit

import (
	"fmt"
	"io"
	"strings"

	"jisheng/internal/pdf"
	"jisheng/internal/qrcode"
)

// The printed documents are laid out on A4 with 20 mm margins; the text
// matches the browser's print pages, so a village may print either.
const (
	marginX  = 20.0
	rightX   = pdf.PageWidth - marginX
	bottomY  = 270.0 // the table stops here; the page number sits below
	qrModule = 0.7   // mm: a 25–33 mm code, which a phone reads from a metre
)

var (
	titleStyle = pdf.Style{Size: 18, Bold: true}
	bodyStyle  = pdf.Style{Size: 12}
	cellStyle  = pdf.Style{Size: 10.5}
	headStyle  = pdf.Style{Size: 10.5, Bold: true}
	smallStyle = pdf.Style{Size: 9}
)

var postingLevels = map[string]string{"village": "村级公示", "county": "县级公示"}

var subtypeNames = map[string]string{"death": "独生子女死亡", "disability": "独生子女伤残", "complication": "手术并发症"}

// subtypeName is a 特扶 category as printed: "death+disability" reads
// "独生子女死亡、独生子女伤残".
func subtypeName(s string) string {
	if s == "" {
		return ""
	}
	parts := strings.Split(s, "+")
	for i, p := range parts {
		if n, ok := subtypeNames[p]; ok {
			parts[i] = n
		}
	}
	return strings.Join(parts, "、")
}

// WritePosterPDF writes the poster of a posting: one poster per village,
// each starting on a new page with its own page numbers, the table carried
// over pages with its header repeated, and a QR code of link (the public
// page) at the foot.
func WritePosterPDF(w io.Writer, p Posting, link string) error {
	code, err := qrcode.Encode(link)
	if err != nil {
		return err
	}
	doc := pdf.New(p.ProgramName + "公示")
	for _, group := range byVillage(p.Entries) {
		first := doc.Pages()
		posterOfVillage(doc, p, group, code, link)
		numberPages(doc, first)
	}
	_, err = doc.WriteTo(w)
	return err
}

// byVillage splits the entries into runs of one village, in posting order
// (which is village order); an empty list is one empty poster.
func byVillage(entries []PostingEntry) [][]PostingEntry {
	if len(entries) == 0 {
		return [][]PostingEntry{nil}
	}
	var groups [][]PostingEntry
	for i, e := range entries {
		if i == 0 || e.Village != entries[i-1].Village {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], e)
	}
	return groups
}

// column is one column of the poster's table.
type column struct {
	title string
	width float64
	right bool
	value func(PostingEntry) string
}

func posterColumns(entries []PostingEntry) []column {
	cols := []column{
		{title: "序号", width: 12, value: func(e PostingEntry) string { return fmt.Sprint(e.Seq) }},
		{title: "姓名", width: 22, value: func(e PostingEntry) string { return e.Name }},
		{title: "公民身份号码", width: 42, value: func(e PostingEntry) string { return e.IDNumber }},
		{title: "村（居）", width: 32, value: func(e PostingEntry) string { return e.Village }},
	}
	for _, e := range entries {
		if e.Subtype != "" {
			// One category a line: "独生子女死亡、" over "独生子女伤残".
			cols = append(cols, column{title: "类别", width: 36, value: func(e PostingEntry) string {
				return strings.ReplaceAll(subtypeName(e.Subtype), "、", "、\n")
			}})
			break
		}
	}
	if len(cols) == 4 {
		cols[3].width += 36
	}
	used := 0.0
	for _, c := range cols {
		used += c.width
	}
	return append(cols, column{title: "年发放（元）", width: rightX - marginX - used, right: true,
		value: func(e PostingEntry) string { return printedYuan(e.AnnualFen) }})
}

func posterOfVillage(doc *pdf.Doc, p Posting, entries []PostingEntry, code qrcode.Matrix, link string) {
	page := doc.AddPage()
	page.TextCentered(pdf.PageWidth/2, 28, titleStyle, p.ProgramName+"公示")
	page.TextCentered(pdf.PageWidth/2, 36, bodyStyle, fmt.Sprintf("%d 年度 · %s · 第 %d 版", p.Year, postingLevels[p.Level], p.ListVersion))
	y := paragraph(page, 48, fmt.Sprintf("根据有关规定，经审核，以下人员拟享受%d年度%s，现予公示。", p.Year, p.ProgramName), true)
	place := p.Place
	if len(entries) > 0 && entries[0].Village != "" && !strings.HasSuffix(place, entries[0].Village) {
		place += "（" + entries[0].Village + "）"
	}
	y = paragraph(page, y, "公示地点："+place, false)
	y = paragraph(page, y, fmt.Sprintf("公示期：%s 至 %s", p.StartsOn, p.EndsOn), false) + 2

	cols := posterColumns(entries)
	table := pdf.Table{X: marginX, Bottom: bottomY, Head: headStyle, Body: cellStyle, NewPage: func() (*pdf.Page, float64) {
		next := doc.AddPage()
		next.Text(marginX, 22, smallStyle, p.ProgramName+"公示（续）")
		return next, 28
	}}
	rows := make([][]string, len(entries))
	var total int64
	for i, e := range entries {
		for _, c := range cols {
			rows[i] = append(rows[i], c.value(e))
		}
		total += e.AnnualFen
	}
	for _, c := range cols {
		table.Columns = append(table.Columns, pdf.Column{Title: c.title, Width: c.width, Right: c.right})
	}
	page, y = table.Rows(page, table.Header(page, y), rows)
	if len(entries) == 0 {
		page.TextCentered(pdf.PageWidth/2, y+5, cellStyle, "名单为空")
		y += 7.5
		page.Line(marginX, y, rightX, y, 0.2)
	}
	// The closing block (total, how to object, QR code, signature) stays in
	// one piece.
	qrSide := float64(code.Size) * qrModule // the white page around it is the quiet zone
	if y+18+qrSide > bottomY+10 {
		page = doc.AddPage()
		y = 28
	}
	page.Text(marginX, y+6, cellStyle, fmt.Sprintf("合计 %d 人", len(entries)))
	page.TextRight(rightX-2, y+6, cellStyle, printedYuan(total))
	y = paragraph(page, y+16, "如有异议，请在公示期内向村（居）委会或乡镇反映，可以实名，也可以匿名。", true)
	page.Modules(marginX, y, qrModule, code.Size, code.Black)
	cx := marginX + qrSide + 5
	page.Text(cx, y+8, smallStyle, "扫码查看网上公示，与本公示一致。")
	for i, line := range pdf.Wrap(link, smallStyle.Size, rightX-cx) {
		page.Text(cx, y+14+float64(i)*4.5, smallStyle, line)
	}
	page.TextRight(rightX, y+qrSide-8, bodyStyle, p.Place)
	page.TextRight(rightX, y+qrSide-1, bodyStyle, p.StartsOn)
	page.Text(marginX, y+qrSide+6, smallStyle, "金额单位：元。姓名和身份证号已按规定部分隐去。")
}

// paragraph sets wrapped body text from y and answers where the next line
// goes; an indented paragraph starts two characters in.
func paragraph(page *pdf.Page, y float64, text string, indent bool) float64 {
	if indent {
		text = "　　" + text
	}
	for _, line := range pdf.Wrap(text, bodyStyle.Size, rightX-marginX) {
		page.Text(marginX, y, bodyStyle, line)
		y += 7.5
	}
	return y
}

// numberPages writes "第 i 页 共 n 页" on the pages from first on.
func numberPages(doc *pdf.Doc, first int) {
	n := doc.Pages() - first
	for i := 0; i < n; i++ {
		doc.Page(first+i).TextCentered(pdf.PageWidth/2, 285, smallStyle, fmt.Sprintf("第 %d 页 共 %d 页", i+1, n))
	}
}

// WriteNoticesPDF writes notices one per page, in the order given (village
// order), each with its verification code and a QR code of the public
// check at verifyBase + code.
func WriteNoticesPDF(w io.Writer, title string, notices []Notice, verifyBase string) error {
	doc := pdf.New(title)
	for _, n := range notices {
		if err := noticePage(doc.AddPage(), n, verifyBase+n.VerifyCode); err != nil {
			return err
		}
	}
	if len(notices) == 0 {
		doc.AddPage().TextCentered(pdf.PageWidth/2, 40, bodyStyle, "没有需要出具的通知")
	}
	_, err := doc.WriteTo(w)
	return err
}

func noticePage(page *pdf.Page, n Notice, link string) error {
	code, err := qrcode.Encode(link)
	if err != nil {
		return err
	}
	b := n.Body
	page.TextCentered(pdf.PageWidth/2, 35, titleStyle, b.Title)
	id := b.IDNumber
	if id == "" {
		id = "—"
	}
	y := paragraph(page, 55, fmt.Sprintf("%s（身份证号 %s）：", b.Name, id), false) + 2
	y = paragraph(page, y, b.Text, true)
	for i, r := range b.Reasons {
		y = paragraph(page, y, fmt.Sprintf("%d. %s", i+1, r), true)
	}
	if b.AmountFen != 0 {
		y = paragraph(page, y+2, "金额："+printedYuan(b.AmountFen)+" 元", true)
	}
	if b.Period != "" {
		y = paragraph(page, y, "期别："+b.Period, true)
	}
	if b.Account != "" {
		y = paragraph(page, y, "发放账户："+b.Account, true)
	}
	page.TextRight(rightX, y+12, bodyStyle, b.Issuer)
	page.TextRight(rightX, y+20, bodyStyle, n.IssuedOn)

	qrSide := float64(code.Size) * qrModule // the white page around it is the quiet zone
	top := bottomY - qrSide
	page.Line(marginX, top-4, rightX, top-4, 0.1)
	page.Modules(marginX, top, qrModule, code.Size, code.Black)
	cx := marginX + qrSide + 5
	page.Text(cx, top+10, bodyStyle, "验证码："+n.VerifyCode)
	page.Text(cx, top+17, smallStyle, "扫码或在公开核验页输入验证码，可查验本通知真伪。")
	for i, line := range pdf.Wrap(link, smallStyle.Size, rightX-cx) {
		page.Text(cx, top+23+float64(i)*4.5, smallStyle, line)
	}
	return nil
}

// printedYuan is an amount as the web pages print it: "1,234.50".
func printedYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	whole := fmt.Sprint(fen / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s%s.%02d", sign, whole, fen%100)
}
