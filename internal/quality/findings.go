package quality

import (
	"context"
	"database/sql"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// Finding is an open finding as the API lists it, with what identifies its
// record: the entity and id (the web page links to the record's page) and
// the record's summary, sensitive values masked.
type Finding struct {
	Rule         string            `json:"rule"`
	RuleLabel    string            `json:"rule_label"`
	Entity       string            `json:"entity"`
	EntityID     int64             `json:"entity_id"`
	Division     string            `json:"division"`
	DivisionName string            `json:"division_name"`
	Detail       string            `json:"detail"`
	FoundAt      string            `json:"found_at"`
	Person       *PersonSummary    `json:"person,omitempty"`
	Household    *HouseholdSummary `json:"household,omitempty"`
}

// PersonSummary identifies a person in a finding list.
type PersonSummary struct {
	Name      string `json:"name"`
	Sex       string `json:"sex"`
	BirthDate string `json:"birth_date"`
	IDNumber  string `json:"id_number"` // masked
	Status    string `json:"status"`
}

// HouseholdSummary identifies a household in a finding list.
type HouseholdSummary struct {
	HHNo    string `json:"hh_no"`
	Address string `json:"address"`
}

// Filter selects findings for the list page.
type Filter struct {
	Division string // default: the caller's area
	Rule     string // default: every rule
	Page     int
	Size     int
}

// Findings returns a page of the open findings of the caller's area (or of
// a division in it), ordered by division and rule, and their total.
func (s *Service) Findings(ctx context.Context, f Filter) ([]Finding, int, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	area, err := areaOf(ctx, c, pr, f.Division)
	if err != nil {
		return nil, 0, err
	}
	if f.Rule != "" && !knownRule(f.Rule) {
		return nil, 0, apperr.InvalidField("rule", "规则代码 "+f.Rule+" 无效")
	}
	total, err := countOpen(ctx, c, area, f.Rule)
	if err != nil {
		return nil, 0, err
	}
	items, err := s.page(ctx, c, pr, area, f)
	if err != nil {
		return nil, 0, err
	}
	return items, total, s.nameDivisions(ctx, c, items)
}

// areaOf is the subtree a list covers: the caller's area, or a division in
// it; a division above the caller's area means the area itself. Others are
// not found, so their existence does not leak.
func areaOf(ctx context.Context, c db.Conn, pr *auth.Principal, code string) (string, error) {
	if code == "" {
		return pr.DivisionPath, nil
	}
	d, err := division.Get(ctx, c, code)
	switch {
	case err != nil && apperr.CodeOf(err) != apperr.NotFound:
		return "", err
	case err == nil && pr.Covers(d.Path):
		return d.Path, nil
	case err == nil && strings.HasPrefix(pr.DivisionPath, d.Path):
		return pr.DivisionPath, nil
	}
	return "", apperr.NotFoundf("区划不存在或不在您的管辖范围内")
}

// countOpen totals the open findings from the count table.
func countOpen(ctx context.Context, c db.Conn, area, rule string) (int, error) {
	cond, args := db.Subtree("division_path", area)
	if rule != "" {
		cond += " AND tally = ?"
		args = append(args, rule)
	} else {
		cond += " AND tally <> ?"
		args = append(args, TallyIncomplete)
	}
	var n int
	err := c.QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM dq_counts WHERE `+cond, args...).Scan(&n)
	return n, apperr.Wrap(err, "count open findings")
}

func (s *Service) page(ctx context.Context, c db.Conn, pr *auth.Principal, area string, f Filter) ([]Finding, error) {
	cond, args := db.Subtree("f.division_path", area)
	if f.Rule != "" {
		cond += " AND f.rule = ?"
		args = append(args, f.Rule)
	}
	// The record's summary is joined only within the caller's area, in case
	// a finding is stale (a record moved by a bulk change nobody rechecked).
	reg, ra := db.Subtree("p.reg_path", pr.DivisionPath)
	res, sa := db.Subtree("p.res_path", pr.DivisionPath)
	hh, ha := db.Subtree("h.division_path", pr.DivisionPath)
	q := `SELECT f.entity, f.entity_id, f.rule, f.division_path, f.detail, f.found_at,
			p.name, p.sex, p.birth_date, p.id_mask, p.status, h.hh_no, h.address
		FROM dq_findings f
		LEFT JOIN persons p ON f.entity = 'person' AND p.id = f.entity_id AND (` + reg + ` OR ` + res + `)
		LEFT JOIN households h ON f.entity = 'household' AND h.id = f.entity_id AND ` + hh + `
		WHERE ` + cond + ` ORDER BY f.division_path, f.rule, f.entity_id LIMIT ? OFFSET ?`
	all := append(append(append(append([]any{}, ra...), sa...), ha...), args...)
	rows, err := c.Query(ctx, q, append(all, f.Size, (f.Page-1)*f.Size)...)
	if err != nil {
		return nil, apperr.Wrap(err, "list findings")
	}
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		it, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, apperr.Wrap(rows.Err(), "list findings")
}

func scanFinding(rows *sql.Rows) (Finding, error) {
	var it Finding
	var path string
	var name, sex, birth, mask, status, hhNo, address sql.NullString
	if err := rows.Scan(&it.Entity, &it.EntityID, &it.Rule, &path, &it.Detail, &it.FoundAt,
		&name, &sex, &birth, &mask, &status, &hhNo, &address); err != nil {
		return it, apperr.Wrap(err, "scan finding")
	}
	it.RuleLabel, it.Division = RuleLabel(it.Rule), codeOf(path)
	if name.Valid {
		it.Person = &PersonSummary{Name: name.String, Sex: sex.String, BirthDate: birth.String, IDNumber: mask.String,
			Status: status.String}
	}
	if hhNo.Valid {
		it.Household = &HouseholdSummary{HHNo: hhNo.String, Address: address.String}
	}
	return it, nil
}

// codeOf returns the division code a materialised path ends with.
func codeOf(path string) string {
	p := strings.TrimSuffix(path, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

func (s *Service) nameDivisions(ctx context.Context, c db.Conn, items []Finding) error {
	if len(items) == 0 {
		return nil
	}
	codes := make([]string, len(items))
	for i, it := range items {
		codes[i] = it.Division
	}
	names, err := division.DisplayNames(ctx, c, codes)
	for i := range items {
		items[i].DivisionName = names[items[i].Division]
	}
	return err
}
