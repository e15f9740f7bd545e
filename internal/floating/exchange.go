package floating

import (
	"context"
	"database/sql"
	"fmt"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/sheet"
)

// The exchange file two counties use to compare their floating-population
// registers. County A exports for county B the records that concern B: A's
// residents living in B (流出, as seen from A) and the people from B living
// in A (流入). B imports the file and matches each row by ID number against
// its own register and registry. Its columns, in this order:
//
//	方向              流出 or 流入, as seen from the exporting county
//	姓名, 性别(男/女), 出生日期(YYYY-MM-DD)
//	公民身份号码      the full number: the other county matches by it
//	联系电话
//	户籍地区划代码    流出: the person's registered division in the exporting county;
//	                  流入: the county of origin
//	现居住地(描述)    流出: the place as recorded; 流入: the village they live in
//	现居住地区县代码  流出: the county they live in (the importing one);
//	                  流入: the exporting county
//	流动日期          since when they live there
//	导出县代码        the exporting county
var exchangeHeader = []string{"方向", "姓名", "性别", "出生日期", "公民身份号码", "联系电话", "户籍地区划代码",
	"现居住地(描述)", "现居住地区县代码", "流动日期", "导出县代码"}

// Column positions in exchangeHeader.
const (
	colDirection = iota
	colName
	colSex
	colBirth
	colID
	colPhone
	colRegistered
	colPlace
	colLiveCounty
	colSince
	colFrom
	colCount
)

// Direction words of the file, as seen from the exporting county.
const (
	wordOut = "流出"
	wordIn  = "流入"
)

// ownCounty is the county the caller works in: the exchange is between
// counties, so a caller above county level has no side to stand on.
func ownCounty(pr *auth.Principal) (string, error) {
	if pr == nil || len(pr.DivisionCode) < 6 {
		return "", apperr.New(apperr.Forbidden, "跨县交换以县为单位进行，请使用县级或县以下的账号")
	}
	return pr.DivisionCode[:6], nil
}

// otherCounty validates the county= parameter of an exchange.
func otherCounty(code, own string) error {
	switch {
	case code == "":
		return apperr.InvalidField("county", "请填写对方县的区县代码（6 位）")
	case !isCountyCode(code):
		return apperr.InvalidField("county", "对方区县代码应为 6 位数字，如 341522")
	case code == own:
		return apperr.InvalidField("county", "对方区县代码不能是本县（"+own+"）")
	}
	return nil
}

// ExchangeExport describes the exchange file for county: the active
// entries of the caller's area whose other side is county, with full ID
// and phone numbers. The download's audit entry, with the number of rows,
// is committed before the first byte leaves the server.
func (s *Service) ExchangeExport(ctx context.Context, county string, f sheet.Format) (sheet.Export, error) {
	pr := auth.From(ctx)
	own, err := ownCounty(pr)
	if err != nil {
		return sheet.Export{}, err
	}
	if err := otherCounty(county, own); err != nil {
		return sheet.Export{}, err
	}
	return sheet.Export{
		Format: f,
		Name:   fmt.Sprintf("流动人口交换_%s至%s_%s", own, county, s.today().Format("20060102")),
		Sheet:  "流动人口交换",
		Header: exchangeHeader,
		Rows:   func(write func([]string) error) error { return s.exportRows(ctx, pr, own, county, write) },
		Done: func(n int) error {
			return s.db.Tx(ctx, func(tx *db.Tx) error {
				return s.journal.Append(ctx, tx, audit.Entry{Action: "floating.export", Entity: "floating_exchange",
					EntityID: county, After: map[string]any{"county": county, "rows": n},
					Remark: fmt.Sprintf("导出给 %s 的流动人口交换文件 %d 条（含完整身份证号和电话）", county, n)})
			})
		},
	}, nil
}

// exportRows writes the rows of the exchange file for county.
func (s *Service) exportRows(ctx context.Context, pr *auth.Principal, own, county string, write func([]string) error) error {
	c := s.db.Reader()
	scope, sa := entryScope(pr)
	area, aa := db.Subtree("e.division_path", division.PathOf(own))
	rows, err := c.Query(ctx, `SELECT e.direction, COALESCE(e.name, p.name), COALESCE(e.sex, p.sex),
		COALESCE(e.birth_date, p.birth_date), COALESCE(e.id_enc, p.id_enc), COALESCE(e.phone_enc, p.phone_enc),
		p.reg_division, e.place, e.division_code, e.since
		FROM `+entryFrom+` WHERE e.status = 'active' AND e.other_county = ? AND `+scope+` AND `+area+`
		ORDER BY e.direction DESC, e.id`, append(append([]any{county}, sa...), aa...)...)
	if err != nil {
		return apperr.Wrap(err, "exchange rows")
	}
	defer rows.Close()
	var out [][]string
	var villages []string
	for rows.Next() {
		var dir, name, sex, since, place, village string
		var birth, reg sql.NullString
		var sec secrets
		if err := rows.Scan(&dir, &name, &sex, &birth, &sec.idEnc, &sec.phoneEnc, &reg, &place, &village, &since); err != nil {
			return apperr.Wrap(err, "scan exchange row")
		}
		full, err := s.open(sec)
		if err != nil {
			return err
		}
		row := []string{wordOut, name, sexes.Label(sex), birth.String, full.IDNumber, full.Phone, reg.String, place,
			county, since, own}
		if dir == In {
			row[colDirection], row[colRegistered], row[colPlace], row[colLiveCounty] = wordIn, county, village, own
			villages = append(villages, village)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return apperr.Wrap(err, "exchange rows")
	}
	return writeWithVillageNames(ctx, c, out, villages, write)
}

// writeWithVillageNames replaces the village codes of 流入 rows by their
// full names (the other county has no table of our villages) and writes
// the rows.
func writeWithVillageNames(ctx context.Context, c db.Conn, out [][]string, villages []string, write func([]string) error) error {
	names, err := division.DisplayNames(ctx, c, villages)
	if err != nil {
		return err
	}
	for _, row := range out {
		if row[colDirection] == wordIn && names[row[colPlace]] != "" {
			row[colPlace] = names[row[colPlace]]
		}
		if err := write(row); err != nil {
			return err
		}
	}
	return nil
}
