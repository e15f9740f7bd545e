package supply

import (
	"context"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// Site is a place that holds stock: a service station, a village room or a
// dispensing machine.
type Site struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	KindLabel    string `json:"kind_label"`
	Name         string `json:"name"`
	Division     string `json:"division"`
	DivisionName string `json:"division_name"`
	MachineCode  string `json:"machine_code"`
	Active       bool   `json:"active"`
	Version      int    `json:"version"`
	CreatedAt    string `json:"created_at"`
	CreatedBy    string `json:"created_by"`
	UpdatedAt    string `json:"updated_at"`

	path string
}

// SiteInput is the body of creating a site (version 0) or editing one. A
// site's kind and division cannot change once it exists: its stock and
// ledger belong there.
type SiteInput struct {
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Division    string `json:"division"`
	MachineCode string `json:"machine_code"`
	Active      *bool  `json:"active"`
	Version     int    `json:"version"`
}

// SiteFilter selects sites for the list.
type SiteFilter struct {
	Division string
	Kind     string
	Q        string // name contains
	Active   bool   // only active sites
	Page     int
	Size     int
}

// siteLevels says at which division levels a kind of site may stand:
// stations at county or township, rooms in villages (or groups), machines
// anywhere from township down.
var siteLevels = map[string][]int{
	SiteStation: {division.LevelCounty, division.LevelTownship},
	SiteRoom:    {division.LevelVillage, division.LevelGroup},
	SiteMachine: {division.LevelTownship, division.LevelVillage, division.LevelGroup},
}

func cleanSite(in SiteInput) (SiteInput, error) {
	in.Kind, in.Name = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Name)
	in.Division, in.MachineCode = strings.TrimSpace(in.Division), strings.ToUpper(strings.TrimSpace(in.MachineCode))
	if !siteKinds.Has(in.Kind) {
		return in, apperr.InvalidField("kind", "库点类型应为 "+siteKinds.Values())
	}
	if err := check.Text("name", "库点名称", in.Name, maxName, true); err != nil {
		return in, err
	}
	if in.Kind == SiteMachine && !isCode(in.MachineCode, maxCode) {
		return in, apperr.InvalidField("machine_code", "请填写机器编号（不超过 32 位的字母、数字、- 或 _），与发放机日志中的机器编号一致")
	}
	if in.Kind != SiteMachine && in.MachineCode != "" {
		return in, apperr.InvalidField("machine_code", "只有自助发放机填写机器编号")
	}
	if in.Active == nil {
		in.Active = new(bool)
		*in.Active = true
	}
	return in, nil
}

const siteCols = `s.id, s.kind, s.name, s.division_code, s.division_path, s.machine_code, s.active, s.version,
	s.created_at, s.created_by, s.updated_at`

func scanSite(sc scanner) (Site, error) {
	var st Site
	var machine *string
	var active int
	err := sc.Scan(&st.ID, &st.Kind, &st.Name, &st.Division, &st.path, &machine, &active, &st.Version,
		&st.CreatedAt, &st.CreatedBy, &st.UpdatedAt)
	if machine != nil {
		st.MachineCode = *machine
	}
	st.Active, st.KindLabel = active == 1, siteKinds.Label(st.Kind)
	return st, err
}

// loadSite reads one site in pr's scope; others are not found.
func loadSite(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Site, error) {
	cond, args := db.Subtree("s.division_path", pr.DivisionPath)
	st, err := scanSite(c.QueryRow(ctx, `SELECT `+siteCols+` FROM supply_sites s WHERE s.id = ? AND `+cond,
		append([]any{id}, args...)...))
	return st, db.NotFound(err, "药具库点不存在")
}

// siteForMove reads the site a move names in field: outside the caller's
// scope or retired, it cannot take part.
func siteForMove(ctx context.Context, c db.Conn, pr *auth.Principal, field string, id int64) (Site, error) {
	st, err := loadSite(ctx, c, pr, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return st, apperr.InvalidField(field, "所选库点不存在或不在您的管辖范围内")
	}
	if err == nil && !st.Active {
		return st, apperr.InvalidField(field, "库点“"+st.Name+"”已停用")
	}
	return st, err
}

// CreateSite adds a site in the caller's area.
func (s *Service) CreateSite(ctx context.Context, in SiteInput) (Site, error) {
	pr := auth.From(ctx)
	if in.Version != 0 {
		return Site{}, apperr.InvalidField("version", "新增库点时不能指定 version")
	}
	in, err := cleanSite(in)
	if err != nil {
		return Site{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		d, err := siteDivision(ctx, tx.Conn, pr, in)
		if err != nil {
			return err
		}
		now := db.Now()
		id, err = tx.InsertID(ctx, `INSERT INTO supply_sites (kind, name, division_code, division_path, machine_code, active,
			created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Kind, in.Name, d.Code, d.Path, nullText(in.MachineCode), boolInt(*in.Active), now, pr.Username, now, pr.Username)
		if err != nil {
			return duplicateMachine(err, in.MachineCode)
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "supply.site_create", Entity: "supply_site",
			EntityID: fmt.Sprint(id), After: in})
	})
	if err != nil {
		return Site{}, err
	}
	return s.Site(ctx, id)
}

// siteDivision checks the site's division: in the caller's area and at a
// level the kind of site stands at.
func siteDivision(ctx context.Context, c db.Conn, pr *auth.Principal, in SiteInput) (division.Division, error) {
	if in.Division == "" {
		return division.Division{}, apperr.InvalidField("division", "请选择库点所在区划")
	}
	d, err := division.GetIn(ctx, c, in.Division, pr.DivisionPath)
	if apperr.CodeOf(err) == apperr.NotFound {
		return d, apperr.InvalidField("division", "区划 "+in.Division+" 不存在或不在您的管辖范围内")
	}
	if err != nil {
		return d, err
	}
	for _, lv := range siteLevels[in.Kind] {
		if d.Level == lv {
			return d, nil
		}
	}
	msg := map[string]string{
		SiteStation: "服务站应设在县级或乡镇（街道）",
		SiteRoom:    "村级药具室应设在村（居）委会或村民小组",
		SiteMachine: "自助发放机应设在乡镇（街道）、村（居）委会或村民小组",
	}[in.Kind]
	return d, apperr.InvalidField("division", msg)
}

func duplicateMachine(err error, code string) error {
	if db.IsUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "machine_code", Message: "机器编号 " + code + " 已登记"}
	}
	return err
}

// UpdateSite renames a site, changes a machine's code or retires (and
// revives) a site. Kind and division stay as they are.
func (s *Service) UpdateSite(ctx context.Context, id int64, in SiteInput) (Site, error) {
	pr := auth.From(ctx)
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		cur, err := loadSite(ctx, tx.Conn, pr, id)
		if err != nil {
			return err
		}
		if k := strings.TrimSpace(in.Kind); k != "" && k != cur.Kind {
			return apperr.InvalidField("kind", "不能修改库点类型，请新建库点")
		}
		if d := strings.TrimSpace(in.Division); d != "" && d != cur.Division {
			return apperr.InvalidField("division", "不能修改库点所在区划，请新建库点并调拨库存")
		}
		in.Kind, in.Division = cur.Kind, cur.Division
		if in, err = cleanSite(in); err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `UPDATE supply_sites SET name = ?, machine_code = ?, active = ?, version = version + 1,
			updated_at = ?, updated_by = ? WHERE id = ? AND version = ?`,
			in.Name, nullText(in.MachineCode), boolInt(*in.Active), db.Now(), pr.Username, id, in.Version)
		if err != nil {
			return duplicateMachine(err, in.MachineCode)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errStale()
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "supply.site_update", Entity: "supply_site",
			EntityID: fmt.Sprint(id), Before: cur, After: in})
	})
	if err != nil {
		return Site{}, err
	}
	return s.Site(ctx, id)
}

// Site returns one site in the caller's scope.
func (s *Service) Site(ctx context.Context, id int64) (Site, error) {
	c := s.db.Reader()
	st, err := loadSite(ctx, c, auth.From(ctx), id)
	if err != nil {
		return st, err
	}
	sites := []Site{st}
	err = nameSites(ctx, c, sites)
	return sites[0], err
}

// Sites returns a page of the sites of the caller's area (narrowed by f).
func (s *Service) Sites(ctx context.Context, f SiteFilter) ([]Site, int, error) {
	c := s.db.Reader()
	area, err := listArea(ctx, c, auth.From(ctx), f.Division)
	if err != nil {
		return nil, 0, err
	}
	sel := db.Select{Cols: siteCols, From: "supply_sites s", OrderBy: "s.division_path, s.kind, s.name, s.id"}
	cond, args := db.Subtree("s.division_path", area)
	sel.Where(cond, args...)
	if f.Kind != "" {
		if !siteKinds.Has(f.Kind) {
			return nil, 0, apperr.InvalidField("kind", "库点类型应为 "+siteKinds.Values())
		}
		sel.Where("s.kind = ?", f.Kind)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		sel.Where("s.name LIKE ?", "%"+escapeLike(q)+"%")
	}
	if f.Active {
		sel.Where("s.active = 1")
	}
	total, err := sel.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count sites")
	}
	rows, err := sel.Page(ctx, c, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list sites")
	}
	defer rows.Close()
	out := []Site{}
	for rows.Next() {
		st, err := scanSite(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "scan site")
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, apperr.Wrap(err, "site rows")
	}
	return out, total, nameSites(ctx, c, out)
}

// escapeLike drops the LIKE wildcards from a search text: a name search is
// literal, and neither engine needs an ESCAPE clause then.
func escapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

// nameSites adds the display names of the sites' divisions.
func nameSites(ctx context.Context, c db.Conn, sites []Site) error {
	if len(sites) == 0 {
		return nil
	}
	codes := make([]string, len(sites))
	for i, st := range sites {
		codes[i] = st.Division
	}
	names, err := division.DisplayNames(ctx, c, codes)
	if err != nil {
		return err
	}
	for i := range sites {
		sites[i].DivisionName = names[sites[i].Division]
	}
	return nil
}

// listArea is the subtree a list or figure covers: the caller's area, or a
// division inside it. A division above the caller's area means the area
// itself; one beside it is refused.
func listArea(ctx context.Context, c db.Conn, pr *auth.Principal, code string) (string, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return pr.DivisionPath, nil
	}
	d, err := division.Get(ctx, c, code)
	switch {
	case err != nil:
		return "", apperr.InvalidField("division", "区划代码 "+code+" 不存在")
	case pr.Covers(d.Path):
		return d.Path, nil
	case strings.HasPrefix(pr.DivisionPath, d.Path):
		return pr.DivisionPath, nil
	}
	return "", apperr.InvalidField("division", "区划 "+code+" 不在您的管辖范围内")
}
