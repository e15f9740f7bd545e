package stats

import (
	"context"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/period"
)

// RecordQuery asks for the records behind one figure: an indicator's
// numerator, denominator or subtracted term (births minus deaths), for a
// division, a period and optionally one part of a breakdown.
type RecordQuery struct {
	Indicator string
	Term      string // num (default), den, minus
	Division  string
	Period    string
	By, Key   string // a breakdown part: by=sex&key=male
	// At picks the count of an average population: start (the day before
	// the period) or end (default).
	At         string
	Page, Size int
}

// Record is one record behind a figure, masked as lists are.
type Record struct {
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"` // masked
	Sex      string `json:"sex"`
	Birth    string `json:"birth_date"`
	Date     string `json:"date"`
	Code     string `json:"code"`
	Label    string `json:"label"`
	Village  string `json:"village"`
	Amount   int64  `json:"amount_fen,omitempty"`
}

// RecordPage is a page of the records behind a figure; Total is the
// figure's count (or, for amounts, AmountFen its sum).
type RecordPage struct {
	Indicator string   `json:"indicator"`
	Name      string   `json:"indicator_name"`
	Period    string   `json:"period_label"`
	Division  string   `json:"division_name"`
	Source    string   `json:"source"`
	Term      string   `json:"term"`
	Date      string   `json:"date,omitempty"` // a stock's date
	Total     int      `json:"total"`
	AmountFen int64    `json:"amount_fen"`
	Items     []Record `json:"items"`
}

// Records lists the records behind a figure, in the caller's area.
func (s *Service) Records(ctx context.Context, q RecordQuery) (RecordPage, error) {
	pr := auth.From(ctx)
	in, ok := IndicatorOf(q.Indicator)
	if !ok {
		return RecordPage{}, apperr.InvalidField("indicator", "未知的指标："+q.Indicator)
	}
	p, err := period.Parse(q.Period)
	if err != nil {
		return RecordPage{}, err
	}
	t, err := termOf(in, q.Term)
	if err != nil {
		return RecordPage{}, err
	}
	f, err := narrowToPart(in, t, q.By, q.Key)
	if err != nil {
		return RecordPage{}, err
	}
	src, _ := sourceOf(t.Source)
	a := at{from: p.From, to: p.To, date: p.To, today: s.today()}
	if t.Average && q.At == "start" {
		a.date = p.DayBefore()
	}
	out := RecordPage{Indicator: in.Code, Name: in.Name, Period: p.Label, Source: src.Code, Term: termName(q.Term), Items: []Record{}}
	if src.Kind == Stock {
		out.Date = a.date
	}
	err = s.db.ReadTx(ctx, func(tx *db.Tx) error {
		d, err := divisionIn(ctx, tx.Conn, pr, q.Division)
		if err != nil {
			return err
		}
		a.area, a.dialect = d.Path, tx.Conn.Dialect()
		out.Division = d.Name
		out.Items, out.Total, out.AmountFen, err = listRows(ctx, tx.Conn, src, a, f, q.Page, q.Size)
		if err != nil {
			return err
		}
		return labelRecords(ctx, tx.Conn, src, out.Items)
	})
	return out, err
}

func termName(t string) string {
	if t == "" {
		return "num"
	}
	return t
}

// termOf picks the term of an indicator a drill-down lists.
func termOf(in Indicator, name string) (Term, error) {
	switch name {
	case "", "num":
		return in.NumTerm, nil
	case "den":
		if in.DenTerm != nil && in.DenTerm.Task == "" {
			return *in.DenTerm, nil
		}
		if in.DenTerm != nil {
			return Term{}, apperr.InvalidField("term", "任务数是下达的数字，没有对应的记录")
		}
	case "minus":
		if in.NumTerm.Minus != nil {
			return *in.NumTerm.Minus, nil
		}
	}
	return Term{}, apperr.InvalidField("term", "该指标没有这一项："+name)
}

// narrowToPart adds a breakdown part's condition to a term's filter.
func narrowToPart(in Indicator, t Term, by, key string) (Filter, error) {
	if by == "" {
		return t.Filters, nil
	}
	if !contains(in.By, by) || t.Source != in.NumTerm.Source {
		return Filter{}, apperr.InvalidField("by", "该指标不按此分组："+by)
	}
	s, _ := sourceOf(t.Source)
	for _, p := range partsBy(by, s, cube{"": {cell{code: key}: {}}}, t.Filters) {
		if p.Key == key {
			return p.filter(t.Filters), nil
		}
	}
	return Filter{}, apperr.InvalidField("key", "没有这一分组："+key)
}

// listRows reads one page of a source's rows under a filter, in division
// and date order, with the person's name and masked ID, and the count (and
// amount) of them all. The filter is the one the figure's count used (age
// groups by the same dates), so the count is the figure.
func listRows(ctx context.Context, c db.Conn, s Source, a at, f Filter, page, size int) ([]Record, int, int64, error) {
	src := s.bind(a)
	where, args := rowFilter(s, a, f)
	args = append(src.args, args...)
	offset := max(page-1, 0) * size
	if s.classify != nil {
		// Classified in Go: read them all (a period's visits), then page.
		all, err := readRecords(ctx, c, s, a, `SELECT `+recordColumns+` FROM (`+src.sql+`) r JOIN persons p ON p.id = r.person_id
			WHERE `+where+` ORDER BY r.path, r.on_date, r.id`, args, f.Codes)
		if err != nil {
			return nil, 0, 0, err
		}
		var amount int64
		for _, r := range all {
			amount += r.Amount
		}
		from := min(offset, len(all))
		return all[from:min(from+size, len(all))], len(all), amount, nil
	}
	var total int
	var amount int64
	if err := c.QueryRow(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM (`+src.sql+`) r WHERE `+where,
		args...).Scan(&total, &amount); err != nil {
		return nil, 0, 0, apperr.Wrap(err, "count records of "+s.Code)
	}
	items, err := readRecords(ctx, c, s, a, `SELECT `+recordColumns+` FROM (`+src.sql+`) r JOIN persons p ON p.id = r.person_id
		WHERE `+where+` ORDER BY r.path, r.on_date, r.id LIMIT ? OFFSET ?`, append(args, size, offset), nil)
	return items, total, amount, err
}

const recordColumns = `r.id, r.person_id, p.name, COALESCE(p.id_mask, ''), r.sex, COALESCE(r.birth_date, ''),
	r.on_date, COALESCE(r.code, ''), r.path, r.amount`

// rowFilter is a filter as SQL over a source's rows r.
func rowFilter(s Source, a at, f Filter) (string, []any) {
	conds, args := []string{"1 = 1"}, []any{}
	if f.Sex != "" {
		conds, args = append(conds, "r.sex = ?"), append(args, f.Sex)
	}
	if f.Urban != nil {
		v := 0
		if *f.Urban {
			v = 1
		}
		conds, args = append(conds, "r.urban = ?"), append(args, v)
	}
	date := ageDate(s, a)
	if f.AgeUnknown {
		conds = append(conds, "(r.birth_date IS NULL OR r.birth_date = '')")
	}
	if f.AgeFrom != nil || f.AgeTo != nil {
		conds = append(conds, "r.birth_date IS NOT NULL AND r.birth_date <> ''")
	}
	if f.AgeFrom != nil {
		conds, args = append(conds, "r.birth_date <= ?"), append(args, yearsBefore(date, 5*(*f.AgeFrom/5)))
	}
	if f.AgeTo != nil {
		conds, args = append(conds, "r.birth_date > ?"), append(args, yearsBefore(date, *f.AgeTo+1))
	}
	if len(f.Codes) > 0 && s.classify == nil {
		conds = append(conds, "r.code IN ("+db.Placeholders(len(f.Codes))+")")
		for _, code := range f.Codes {
			args = append(args, code)
		}
	}
	return strings.Join(conds, " AND "), args
}

// readRecords runs a record query; a classified source's rows get their
// code in Go and only those with one of codes (if any) are kept.
func readRecords(ctx context.Context, c db.Conn, s Source, a at, q string, args []any, codes []string) ([]Record, error) {
	rows, err := c.Query(ctx, q, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "records of "+s.Code)
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.ID, &r.PersonID, &r.Name, &r.IDNumber, &r.Sex, &r.Birth, &r.Date, &r.Code, &r.Village,
			&r.Amount); err != nil {
			return nil, apperr.Wrap(err, "scan record")
		}
		if s.classify != nil {
			r.Code = s.classify(r.Code, a.today)
			if len(codes) > 0 && !contains(codes, r.Code) {
				continue
			}
		}
		out = append(out, r)
	}
	return out, apperr.Wrap(rows.Err(), "records of "+s.Code)
}

// labelRecords names each record's code and turns its path into the
// village's name.
func labelRecords(ctx context.Context, c db.Conn, s Source, items []Record) error {
	codes := map[string]bool{}
	for _, r := range items {
		codes[lastCode(r.Village)] = true
	}
	list := make([]string, 0, len(codes))
	for k := range codes {
		list = append(list, k)
	}
	names, err := division.DisplayNames(ctx, c, list)
	if err != nil {
		return err
	}
	for i := range items {
		items[i].Village = names[lastCode(items[i].Village)]
		items[i].Label = items[i].Code
		for _, x := range s.Codes {
			if x.Code == items[i].Code {
				items[i].Label = x.Name
			}
		}
	}
	return nil
}

// lastCode is the division code a path ends in.
func lastCode(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return parts[len(parts)-1]
}

// ParseCodes splits a comma list of indicator codes.
func ParseCodes(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
