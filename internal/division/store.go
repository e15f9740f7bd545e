package division

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"jisheng/internal/apperr"
	"jisheng/internal/db"
)

// columns are read by scanDivision in this order; hasChildren is appended by
// queries that need it.
const columns = `d.code, d.name, d.level, d.parent_code, d.path, d.urban_rural, d.source, d.valid_from, d.valid_to`

// hasChildren is a column expression, an integer on both engines.
const hasChildren = `CASE WHEN EXISTS (SELECT 1 FROM divisions c WHERE c.parent_code = d.code) THEN 1 ELSE 0 END`

type scanner interface{ Scan(dest ...any) error }

func scanDivision(s scanner, withChildren bool) (Division, error) {
	var d Division
	var parent, urban, validTo sql.NullString
	dest := []any{&d.Code, &d.Name, &d.Level, &parent, &d.Path, &urban, &d.Source, &d.ValidFrom, &validTo}
	var hc int
	if withChildren {
		dest = append(dest, &hc)
	}
	if err := s.Scan(dest...); err != nil {
		return Division{}, err
	}
	d.ParentCode, d.UrbanRural, d.ValidTo = parent.String, urban.String, validTo.String
	d.HasChildren = hc != 0
	return d, nil
}

func queryDivisions(ctx context.Context, c db.Conn, withChildren bool, query string, args ...any) ([]Division, error) {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return nil, apperr.Wrap(err, "query divisions")
	}
	defer rows.Close()
	var out []Division
	for rows.Next() {
		d, err := scanDivision(rows, withChildren)
		if err != nil {
			return nil, apperr.Wrap(err, "scan division")
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "query divisions")
	}
	return out, nil
}

// insertBatch rows go into one multi-row INSERT: 8 columns × 250 rows = 2000
// parameters, far below the limits of both engines (SQLite 32766, PostgreSQL 65535).
const insertBatch = 250

// LoadCounty inserts countyCode's divisions from the embedded NBS data (its
// province and city, the county, its townships and villages) and returns how
// many were new. Divisions already present are left as they are, so loading
// a county twice, or a second county of the same province, is safe. An empty
// validFrom means DataDate.
func LoadCounty(ctx context.Context, tx *db.Tx, countyCode, validFrom string) (int, error) {
	if validFrom == "" {
		validFrom = DataDate
	} else if _, err := time.Parse(time.DateOnly, validFrom); err != nil {
		return 0, apperr.InvalidField("valid_from", "生效日期应为 YYYY-MM-DD 格式的日期")
	}
	divs, err := CountyDivisions(countyCode)
	if err != nil {
		return 0, err
	}
	now := db.Now()
	n := 0
	args := make([]any, 0, 8*insertBatch)
	for start := 0; start < len(divs); start += insertBatch {
		chunk := divs[start:min(start+insertBatch, len(divs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO divisions (code, name, level, parent_code, path, source, valid_from, created_at) VALUES `)
		args = args[:0]
		for i, d := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			var parent any
			if d.ParentCode != "" {
				parent = d.ParentCode
			}
			args = append(args, d.Code, d.Name, d.Level, parent, d.Path, d.Source, validFrom, now)
		}
		q.WriteString(` ON CONFLICT (code) DO NOTHING`)
		res, err := tx.Exec(ctx, q.String(), args...)
		if err != nil {
			return n, apperr.Wrap(err, "load county "+countyCode)
		}
		added, err := res.RowsAffected()
		if err != nil {
			return n, apperr.Wrap(err, "load county "+countyCode)
		}
		n += int(added)
	}
	return n, nil
}

func errNotFound() error { return apperr.NotFoundf("区划不存在") }

// Get returns one division.
func Get(ctx context.Context, c db.Conn, code string) (Division, error) {
	d, err := scanDivision(c.QueryRow(ctx, `SELECT `+columns+`, `+hasChildren+` FROM divisions d WHERE d.code = ?`, code), true)
	if errors.Is(err, sql.ErrNoRows) {
		return Division{}, errNotFound()
	}
	if err != nil {
		return Division{}, apperr.Wrap(db.Translate(err), "get division")
	}
	return d, nil
}

// GetIn returns division code if it lies in the subtree of area (a
// materialised path); others are not found. The condition is in the SQL, as
// for every lookup on behalf of a user.
func GetIn(ctx context.Context, c db.Conn, code, area string) (Division, error) {
	cond, args := db.Subtree("d.path", area)
	d, err := scanDivision(c.QueryRow(ctx, `SELECT `+columns+`, `+hasChildren+` FROM divisions d WHERE d.code = ? AND `+cond,
		append([]any{code}, args...)...), true)
	if errors.Is(err, sql.ErrNoRows) {
		return Division{}, apperr.NotFoundf("区划不存在或不在您的管辖范围内")
	}
	if err != nil {
		return Division{}, apperr.Wrap(db.Translate(err), "get division")
	}
	return d, nil
}

// Children returns the divisions directly under parentCode in code order,
// abolished ones (ValidTo set) included; an empty parentCode lists the
// provinces. An unknown parent has no children.
func Children(ctx context.Context, c db.Conn, parentCode string) ([]Division, error) {
	if parentCode == "" {
		return queryDivisions(ctx, c, true, `SELECT `+columns+`, `+hasChildren+` FROM divisions d WHERE d.parent_code IS NULL ORDER BY d.code`)
	}
	return queryDivisions(ctx, c, true, `SELECT `+columns+`, `+hasChildren+` FROM divisions d WHERE d.parent_code = ? ORDER BY d.code`, parentCode)
}

// Within returns the divisions of a level inside the area whose path is
// given (the area itself included if it is of that level), in path order,
// abolished ones included.
func Within(ctx context.Context, c db.Conn, areaPath string, level int) ([]Division, error) {
	return queryDivisions(ctx, c, false, `SELECT `+columns+` FROM divisions d
		WHERE d.level = ? AND substr(d.path, 1, ?) = ? ORDER BY d.path`, level, len(areaPath), areaPath)
}

// Roots returns the loaded county-level divisions (level 3) in code order:
// the tops of the trees a county installation works in.
func Roots(ctx context.Context, c db.Conn) ([]Division, error) {
	return queryDivisions(ctx, c, true, `SELECT `+columns+`, `+hasChildren+` FROM divisions d WHERE d.level = ? ORDER BY d.code`, LevelCounty)
}

// Ancestors returns the divisions above d, from the province down, read in
// one query from the codes of d's path. Divisions of the path that are not
// in the table are left out.
func Ancestors(ctx context.Context, c db.Conn, d Division) ([]Division, error) {
	path := d.Path
	if path == "" {
		path = PathOf(d.Code)
	}
	codes := pathCodes(path)
	if len(codes) > 0 && codes[len(codes)-1] == d.Code {
		codes = codes[:len(codes)-1]
	}
	if len(codes) == 0 {
		return nil, nil
	}
	args := make([]any, len(codes))
	for i, code := range codes {
		args[i] = code
	}
	out, err := queryDivisions(ctx, c, false,
		`SELECT `+columns+` FROM divisions d WHERE d.code IN (`+db.Placeholders(len(codes))+`) ORDER BY d.level`, args...)
	for i := range out {
		out[i].HasChildren = true // each has d (or an ancestor of d) below it
	}
	return out, err
}

// MaxNameLen is the longest 村民小组 name AddGroup accepts, in characters.
const MaxNameLen = 50

// AddGroup adds a 村民小组 named name under the village villageCode and
// returns it. Its code is the village code followed by the next 3-digit
// number after the highest one the village has used (001, 002, …), so a
// code is never reused for a different group. The caller writes the audit
// entry in tx.
func AddGroup(ctx context.Context, tx *db.Tx, villageCode, name string) (Division, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return Division{}, apperr.InvalidField("name", "请填写村民小组名称")
	case utf8.RuneCountInString(name) > MaxNameLen:
		return Division{}, apperr.InvalidField("name", fmt.Sprintf("村民小组名称不能超过%d个字", MaxNameLen))
	case strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return Division{}, apperr.InvalidField("name", "村民小组名称不能包含换行、制表符等控制字符")
	}
	if CodeLevel(villageCode) != LevelVillage {
		if CodeLevel(villageCode) == 0 {
			return Division{}, errNotFound()
		}
		return Division{}, apperr.InvalidField("parent_code", "村民小组只能添加在村（居）委会下")
	}
	// Lock the village row on PostgreSQL so that two officers adding groups
	// to the same village take turns (SQLite write transactions are already
	// serialised by the single writer).
	lock := ""
	if tx.Dialect() == db.Postgres {
		lock = " FOR UPDATE"
	}
	village, err := scanDivision(tx.QueryRow(ctx, `SELECT `+columns+` FROM divisions d WHERE d.code = ?`+lock, villageCode), false)
	if errors.Is(err, sql.ErrNoRows) {
		return Division{}, errNotFound()
	}
	if err != nil {
		return Division{}, apperr.Wrap(db.Translate(err), "add group")
	}
	if village.Level != LevelVillage {
		return Division{}, apperr.InvalidField("parent_code", "村民小组只能添加在村（居）委会下")
	}
	if village.ValidTo != "" {
		return Division{}, apperr.InvalidField("parent_code", "该村（居）委会已撤销，不能再添加村民小组")
	}

	groups, err := queryDivisions(ctx, tx.Conn, false, `SELECT `+columns+` FROM divisions d WHERE d.parent_code = ? ORDER BY d.code`, villageCode)
	if err != nil {
		return Division{}, err
	}
	last := 0
	for _, g := range groups {
		if g.Name == name && g.ValidTo == "" {
			return Division{}, &apperr.Error{Code: apperr.Conflict, Field: "name",
				Message: fmt.Sprintf("%s已有名为“%s”的村民小组", village.Name, name)}
		}
		if n, err := strconv.Atoi(g.Code[len(villageCode):]); err == nil && n > last {
			last = n
		}
	}
	if last >= 999 {
		return Division{}, apperr.InvalidField("name", "该村（居）委会的村民小组编号已用完（最多999个）")
	}
	code := fmt.Sprintf("%s%03d", villageCode, last+1)
	g := Division{
		Code:       code,
		Name:       name,
		Level:      LevelGroup,
		ParentCode: villageCode,
		Path:       village.Path + code + "/",
		Source:     SourceLocal,
		ValidFrom:  time.Now().Format(time.DateOnly),
	}
	_, err = tx.Exec(ctx, `INSERT INTO divisions (code, name, level, parent_code, path, source, valid_from, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, g.Code, g.Name, g.Level, g.ParentCode, g.Path, g.Source, g.ValidFrom, db.Now())
	if err != nil {
		return Division{}, apperr.Wrap(err, "add group")
	}
	return g, nil
}

// DisplayName returns how lists name a place: for a village "城关镇
// 东苑社区居委会" (township and village), for a group the township, village
// and group, for a township its name, and above that the division's own name.
func DisplayName(ctx context.Context, c db.Conn, code string) (string, error) {
	names, err := DisplayNames(ctx, c, []string{code})
	if err != nil {
		return "", err
	}
	name, ok := names[code]
	if !ok {
		return "", errNotFound()
	}
	return name, nil
}

// maxParams bounds the IN list of one DisplayNames query; a list page never
// comes near it, longer inputs are split.
const maxParams = 3000

// DisplayNames is DisplayName for many codes at once (a page of persons),
// in one query per maxParams codes. Codes that are invalid or not in the
// table are absent from the map; duplicates are fine.
func DisplayNames(ctx context.Context, c db.Conn, codes []string) (map[string]string, error) {
	out := make(map[string]string, len(codes))
	// need: every code and its township and village prefixes.
	seen := map[string]bool{}
	var need []any
	add := func(code string) {
		if !seen[code] {
			seen[code] = true
			need = append(need, code)
		}
	}
	var wanted []string
	isWanted := map[string]bool{}
	for _, code := range codes {
		lv := CodeLevel(code)
		if lv == 0 || isWanted[code] {
			continue
		}
		isWanted[code] = true
		wanted = append(wanted, code)
		add(code)
		for l := LevelTownship; l < lv; l++ {
			add(code[:codeLens[l]])
		}
	}
	names := make(map[string]string, len(need))
	for start := 0; start < len(need); start += maxParams {
		chunk := need[start:min(start+maxParams, len(need))]
		rows, err := c.Query(ctx, `SELECT code, name FROM divisions WHERE code IN (`+db.Placeholders(len(chunk))+`)`, chunk...)
		if err != nil {
			return nil, apperr.Wrap(err, "division names")
		}
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				rows.Close()
				return nil, apperr.Wrap(err, "division names")
			}
			names[code] = name
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, apperr.Wrap(err, "division names")
		}
	}
	for _, code := range wanted {
		own, ok := names[code]
		if !ok {
			continue
		}
		lv := CodeLevel(code)
		var parts []string
		for l := LevelTownship; l < lv; l++ {
			if n, ok := names[code[:codeLens[l]]]; ok {
				parts = append(parts, n)
			}
		}
		out[code] = strings.Join(append(parts, own), " ")
	}
	return out, nil
}
