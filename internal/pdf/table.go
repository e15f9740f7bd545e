package pdf

// Column is one column of a table.
type Column struct {
	Title string
	Width float64 // millimetres
	Right bool    // numbers align right
}

// Table lays out rows under a header from a left margin, wrapping each
// cell within its column, and starts a new page (via NewPage, which
// answers the page and the y to continue at) with the header repeated when
// a row would pass Bottom.
type Table struct {
	X, Bottom  float64
	Columns    []Column
	Head, Body Style
	NewPage    func() (*Page, float64)
}

const (
	tableRowHeight = 7.5
	tableLineStep  = 4.6
)

// Width is the table's width.
func (t Table) Width() float64 {
	w := 0.0
	for _, c := range t.Columns {
		w += c.Width
	}
	return w
}

// Header draws the header row at y and answers the y below it.
func (t Table) Header(page *Page, y float64) float64 {
	page.Line(t.X, y, t.X+t.Width(), y, 0.4)
	titles := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		titles[i] = c.Title
	}
	y = t.cells(page, y, t.Head, titles)
	page.Line(t.X, y, t.X+t.Width(), y, 0.3)
	return y
}

// Rows draws rows from y, breaking pages as needed, and answers the page
// and y it ended on.
func (t Table) Rows(page *Page, y float64, rows [][]string) (*Page, float64) {
	for _, row := range rows {
		if y+t.height(t.Body, row) > t.Bottom {
			page, y = t.NewPage()
			y = t.Header(page, y)
		}
		y = t.cells(page, y, t.Body, row)
		page.Line(t.X, y, t.X+t.Width(), y, 0.1)
	}
	return page, y
}

func (t Table) height(st Style, row []string) float64 {
	lines := 1
	for i, c := range t.Columns {
		if i < len(row) {
			lines = max(lines, len(Wrap(row[i], st.Size, c.Width-3)))
		}
	}
	return tableRowHeight + float64(lines-1)*tableLineStep
}

func (t Table) cells(page *Page, y float64, st Style, row []string) float64 {
	x, lines := t.X, 1
	for i, c := range t.Columns {
		text := ""
		if i < len(row) {
			text = row[i]
		}
		wrapped := Wrap(text, st.Size, c.Width-3)
		for j, line := range wrapped {
			baseline := y + 5.2 + float64(j)*tableLineStep
			if c.Right {
				page.TextRight(x+c.Width-2, baseline, st, line)
			} else {
				page.Text(x+1.5, baseline, st, line)
			}
		}
		lines = max(lines, len(wrapped))
		x += c.Width
	}
	return y + tableRowHeight + float64(lines-1)*tableLineStep
}
