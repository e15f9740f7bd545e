package registry

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// Household is a 户 with its members.
type Household struct {
	ID           int64    `json:"id"`
	HHNo         string   `json:"hh_no"`
	Division     string   `json:"division"`
	DivisionName string   `json:"division_name"`
	Address      string   `json:"address"`
	Version      int      `json:"version"`
	Head         string   `json:"head"`
	MemberCount  int      `json:"member_count"`
	Members      []Member `json:"members,omitempty"`

	path string
}

// Member is a person in a household, as the household page lists them.
type Member struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Sex       string `json:"sex"`
	BirthDate string `json:"birth_date"`
	Relation  string `json:"relation"`
	IDNumber  string `json:"id_number"`
	Status    string `json:"status"`
}

// HouseholdInput creates a household (hh_no optional) or changes its address (with version).
type HouseholdInput struct {
	HHNo     string `json:"hh_no"`
	Division string `json:"division"`
	Address  string `json:"address"`
	Version  int    `json:"version"`
}

const householdCols = `h.id, h.hh_no, h.division_code, h.address, h.version, h.division_path,
	(SELECT m.name FROM persons m WHERE m.household_id = h.id AND m.relation = 'head' ORDER BY m.status, m.id LIMIT 1),
	(SELECT COUNT(*) FROM persons m WHERE m.household_id = h.id AND m.status = 'alive')`

func scanHousehold(sc scanner) (Household, error) {
	var h Household
	var head sql.NullString
	err := sc.Scan(&h.ID, &h.HHNo, &h.Division, &h.Address, &h.Version, &h.path, &head, &h.MemberCount)
	h.Head = head.String
	return h, err
}

func loadHousehold(ctx context.Context, c db.Conn, pr *auth.Principal, id int64) (Household, error) {
	cond, args := db.Subtree("h.division_path", pr.DivisionPath)
	h, err := scanHousehold(c.QueryRow(ctx, `SELECT `+householdCols+` FROM households h WHERE h.id = ? AND `+cond,
		append([]any{id}, args...)...))
	return h, db.NotFound(err, "户不存在")
}

var hhNoPattern = regexp.MustCompile(`^[0-9A-Za-z-]{1,32}$`)

// CreateHousehold opens a household in a village of the caller's area. An
// empty hh_no is numbered after the village's highest one: village code,
// '-', four digits.
func (s *Service) CreateHousehold(ctx context.Context, in HouseholdInput) (Household, error) {
	pr := auth.From(ctx)
	in.HHNo, in.Address, in.Division = strings.TrimSpace(in.HHNo), strings.TrimSpace(in.Address), strings.TrimSpace(in.Division)
	if in.HHNo != "" && !hhNoPattern.MatchString(in.HHNo) {
		return Household{}, apperr.InvalidField("hh_no", "户编号应为 1 到 32 位字母、数字或 -")
	}
	if len([]rune(in.Address)) > 200 {
		return Household{}, apperr.InvalidField("address", "地址不能超过 200 个字")
	}
	if in.Version != 0 {
		return Household{}, apperr.InvalidField("version", "新增户时不能指定 version")
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		d, err := personDivision(ctx, tx, "division", "户所在区划", in.Division)
		if err != nil {
			return err
		}
		if !pr.Covers(d.Path) {
			return apperr.InvalidField("division", "户所在区划不在您的管辖范围内")
		}
		if in.HHNo == "" {
			if in.HHNo, err = nextHHNo(ctx, tx, villageOf(d.Code)); err != nil {
				return err
			}
		}
		now := db.Now()
		id, err = tx.InsertID(ctx, `INSERT INTO households (hh_no, division_code, division_path, address, created_at,
			created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			in.HHNo, d.Code, d.Path, in.Address, now, pr.Username, now, pr.Username)
		if apperr.CodeOf(err) == apperr.Conflict {
			return &apperr.Error{Code: apperr.Conflict, Field: "hh_no", Message: "户编号 " + in.HHNo + " 已存在"}
		}
		if err != nil {
			return err
		}
		if err := s.Notify(ctx, tx, Changed{Households: []int64{id}}); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "household.create", Entity: "household", EntityID: fmt.Sprint(id),
			After: map[string]any{"hh_no": in.HHNo, "division": d.Code, "address": in.Address}})
	})
	if err != nil {
		return Household{}, err
	}
	return s.GetHousehold(ctx, id)
}

func nextHHNo(ctx context.Context, tx *db.Tx, village string) (string, error) {
	if err := tx.Lock(ctx, "household.no:"+village); err != nil {
		return "", apperr.Wrap(err, "lock household numbers")
	}
	prefix := village + "-"
	// Longest first, then highest: "-10000" sorts before "-9999" as text.
	var last sql.NullString
	err := tx.QueryRow(ctx, `SELECT hh_no FROM households WHERE hh_no >= ? AND hh_no < ?
		ORDER BY length(hh_no) DESC, hh_no DESC LIMIT 1`, prefix+"0", prefix+":").Scan(&last)
	if err != nil && err != sql.ErrNoRows {
		return "", apperr.Wrap(err, "next hh_no")
	}
	n := 0
	if last.Valid {
		n, _ = strconv.Atoi(strings.TrimPrefix(last.String, prefix))
	}
	return fmt.Sprintf("%s%04d", prefix, n+1), nil
}

// UpdateHousehold changes a household's address.
func (s *Service) UpdateHousehold(ctx context.Context, id int64, in HouseholdInput) (Household, error) {
	pr := auth.From(ctx)
	in.Address = strings.TrimSpace(in.Address)
	if len([]rune(in.Address)) > 200 {
		return Household{}, apperr.InvalidField("address", "地址不能超过 200 个字")
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		h, err := loadHousehold(ctx, tx.Conn, pr, id)
		if err != nil {
			return err
		}
		if (in.HHNo != "" && in.HHNo != h.HHNo) || (in.Division != "" && in.Division != h.Division) {
			return apperr.New(apperr.Invalid, "户编号和所在区划不能修改，只能修改地址")
		}
		if in.Version != h.Version {
			return apperr.New(apperr.Conflict, "该户已被他人修改，请刷新后重试")
		}
		if _, err := tx.Exec(ctx, `UPDATE households SET address = ?, version = version + 1, updated_at = ?, updated_by = ?
			WHERE id = ?`, in.Address, db.Now(), pr.Username, id); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "household.update", Entity: "household", EntityID: fmt.Sprint(id),
			Before: map[string]any{"address": h.Address}, After: map[string]any{"address": in.Address}})
	})
	if err != nil {
		return Household{}, err
	}
	return s.GetHousehold(ctx, id)
}

// GetHousehold returns a household in the caller's area with its members,
// the head first.
func (s *Service) GetHousehold(ctx context.Context, id int64) (Household, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	h, err := loadHousehold(ctx, c, pr, id)
	if err != nil {
		return h, err
	}
	if h.DivisionName, err = division.DisplayName(ctx, c, h.Division); err != nil {
		return h, err
	}
	rows, err := c.Query(ctx, `SELECT id, name, sex, birth_date, relation, id_mask, status FROM persons
		WHERE household_id = ? ORDER BY CASE relation WHEN 'head' THEN 0 WHEN 'spouse' THEN 1 ELSE 2 END, birth_date, id`, id)
	if err != nil {
		return h, apperr.Wrap(err, "members")
	}
	defer rows.Close()
	h.Members = []Member{}
	for rows.Next() {
		var m Member
		var birth, rel, mask sql.NullString
		if err := rows.Scan(&m.ID, &m.Name, &m.Sex, &birth, &rel, &mask, &m.Status); err != nil {
			return h, apperr.Wrap(err, "scan member")
		}
		m.BirthDate, m.Relation, m.IDNumber = birth.String, rel.String, mask.String
		h.Members = append(h.Members, m)
	}
	return h, apperr.Wrap(rows.Err(), "members rows")
}

// HouseholdFilter selects households for the list page.
type HouseholdFilter struct {
	Q        string // household number prefix
	Division string
	Page     int
	Size     int
}

// ListHouseholds returns one page of households in the caller's area.
func (s *Service) ListHouseholds(ctx context.Context, f HouseholdFilter) ([]Household, int, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	area, err := listArea(ctx, c, pr, f.Division)
	if err != nil {
		return nil, 0, err
	}
	q := strings.TrimSpace(f.Q)
	sel := householdSelect(area, q)
	total, err := countHouseholds(ctx, c, sel, area, q == "")
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count households")
	}
	rows, err := sel.Page(ctx, c, f.Page, f.Size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list households")
	}
	defer rows.Close()
	out := []Household{}
	var codes []string
	for rows.Next() {
		h, err := scanHousehold(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "scan household")
		}
		out = append(out, h)
		codes = append(codes, h.Division)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, apperr.Wrap(err, "households rows")
	}
	names, err := division.DisplayNames(ctx, c, codes)
	for i := range out {
		out[i].DivisionName = names[out[i].Division]
	}
	return out, total, err
}

// householdSelect selects the households of area whose number starts with
// q (any when q is empty), by village and number.
func householdSelect(area, q string) db.Select {
	sel := db.Select{Cols: householdCols, From: "households h", OrderBy: "h.division_path, h.hh_no"}
	cond, args := db.Subtree("h.division_path", area)
	sel.Where(cond, args...)
	if q != "" {
		sel.Where("h.hh_no >= ? AND h.hh_no < ?", q, q+"\U0010FFFF")
	}
	return sel
}

// countHouseholds counts the households a list selects: from the trigger-kept
// counts when only the area limits it, else by counting rows.
func countHouseholds(ctx context.Context, c db.Conn, sel db.Select, area string, areaOnly bool) (int, error) {
	if !areaOnly {
		return sel.Count(ctx, c)
	}
	cond, args := db.Subtree("path", area)
	var n int
	err := c.QueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM household_counts WHERE `+cond, args...).Scan(&n)
	return n, err
}
