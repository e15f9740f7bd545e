package registry

import (
	"context"
	"database/sql"
	"math"
	"net/http"
	"strconv"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/httpx"
	"jisheng/internal/idno"
	"jisheng/internal/sheet"
)

func init() {
	audit.RegisterActions(map[string]string{
		"person.export":      "导出人员名单",
		"person.export_full": "导出人员名单（完整号码）",
		"household.export":   "导出户名单",
	})
	names := map[string]string{}
	for _, o := range auditEntities {
		names[o.Value.(string)] = o.Label
	}
	audit.RegisterEntities(names)
}

// exportBatch is how many persons are decorated (division names, ages) at a
// time while an export streams through its cursor.
var exportBatch = 500

// allRows is the LIMIT of a query that reads every row through one cursor.
const allRows = math.MaxInt64

var personExportHeader = []string{"姓名", "性别", "出生日期", "年龄", "公民身份号码", "联系电话", "民族", "户口性质",
	"婚姻状况", "户籍地区划代码", "户籍地", "现居住地区划代码", "现居住地", "户编号", "与户主关系", "孩次", "人员状态", "死亡日期"}

var householdExportHeader = []string{"户编号", "所在区划代码", "所在区划", "地址", "户主", "现有人数"}

// ExportPersons prepares the download of every person the list under f
// shows the caller (f's paging is ignored), in the list's order. ID and
// phone numbers are masked unless full, which needs the unmask permission
// and is journaled as such; every export is journaled with its filters and
// row count before the file leaves the server.
func (s *Service) ExportPersons(ctx context.Context, f Filter, full bool, format sheet.Format) (sheet.Export, error) {
	pr := auth.From(ctx)
	if full && !pr.Can(auth.PermRegistryUnmask) {
		return sheet.Export{}, apperr.New(apperr.Forbidden, "您没有查看完整号码的权限，不能导出完整的身份证号和电话号码")
	}
	c := s.db.Reader()
	area, err := listArea(ctx, c, pr, f.Division)
	if err != nil {
		return sheet.Export{}, err
	}
	sels := s.personSelections(c, area, f, full)
	action := "person.export"
	if full {
		action = "person.export_full"
	}
	return sheet.Export{
		Format: format, Name: sheet.ExportName("人员", exportDivision(pr, f.Division), s.now()), Sheet: "人员",
		Header: personExportHeader,
		Rows: func(write func([]string) error) error {
			for _, sel := range sels {
				if err := s.exportPersons(ctx, c, sel, full, write); err != nil {
					return err
				}
			}
			return nil
		},
		Done: s.journal.ExportJournaled(ctx, s.db, action, "person", personExportFilters(f, full), format),
	}, nil
}

// personSelections are the queries whose rows, one after the other, are
// the list under f: the same selections List pages through, each read
// whole. With full, each also reads the encrypted numbers.
func (s *Service) personSelections(c db.Conn, area string, f Filter, full bool) []db.Select {
	idNumber, q := f.terms()
	var sels []db.Select
	switch {
	case idNumber != "":
		sels = []db.Select{s.idMatch(area, idNumber)}
	case q != "":
		sels = []db.Select{nameWalk(c, area, q)}
	default:
		registered, elsewhere := browseParts(area)
		sels = []db.Select{registered, elsewhere}
	}
	secrets := ", NULL, NULL"
	if full {
		secrets = ", p.id_enc, p.phone_enc"
	}
	for i := range sels {
		sels[i].Cols += secrets
	}
	return sels
}

// exportPersons writes the persons of sel, read through one cursor and
// decorated in batches on other connections of the pool.
func (s *Service) exportPersons(ctx context.Context, c db.Conn, sel db.Select, full bool, write func([]string) error) error {
	rows, err := sel.PageAt(ctx, c, 0, allRows)
	if err != nil {
		return apperr.Wrap(err, "export persons")
	}
	defer rows.Close()
	batch := make([]Person, 0, exportBatch)
	flush := func() error {
		if err := s.decorate(ctx, s.db.Reader(), batch); err != nil {
			return err
		}
		for _, p := range batch {
			if err := write(personCells(p)); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		p, err := s.scanExported(rows, full)
		if err != nil {
			return err
		}
		if batch = append(batch, p); len(batch) == exportBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return apperr.Wrap(err, "export persons rows")
	}
	return flush()
}

// scanExported reads a person with the birth order and, when full, the
// decrypted ID and phone numbers in place of the masks.
func (s *Service) scanExported(rows *sql.Rows, full bool) (Person, error) {
	var order sql.NullInt64
	var idEnc, phoneEnc []byte
	p, err := scanPerson(rows, &order, &idEnc, &phoneEnc)
	if err != nil {
		return p, apperr.Wrap(err, "scan person")
	}
	if order.Valid {
		n := int(order.Int64)
		p.BirthOrder = &n
	}
	if !full {
		return p, nil
	}
	if idEnc != nil {
		if p.IDNumber, err = s.cipher.Decrypt(fieldID, idEnc); err != nil {
			return p, apperr.Wrap(err, "decrypt id")
		}
	}
	if phoneEnc != nil {
		if p.Phone, err = s.cipher.Decrypt(fieldPhone, phoneEnc); err != nil {
			return p, apperr.Wrap(err, "decrypt phone")
		}
	}
	return p, nil
}

// personCells is a person's row of the download, enumerations in Chinese.
func personCells(p Person) []string {
	return []string{p.Name, sexes.label(p.Sex), p.BirthDate, intCell(p.Age), p.IDNumber, p.Phone, p.Ethnicity,
		hukouTypes.label(p.HukouType), maritalStatuses.label(p.MaritalStatus), p.RegisteredDivision,
		p.RegisteredDivisionName, p.ResidenceDivision, p.ResidenceDivisionName, p.HouseholdNo,
		relations.label(p.Relation), intCell(p.BirthOrder), statuses.label(p.Status), p.DeathDate}
}

func intCell(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// personExportFilters is what the journal records of an export's filters:
// an ID number searched for appears masked, as everywhere in the journal.
func personExportFilters(f Filter, full bool) map[string]string {
	idNumber, q := f.terms()
	m := map[string]string{"q": q, "division": f.Division}
	if idNumber != "" {
		m["id_number"] = idno.Mask(searchableID(idNumber))
	}
	if full {
		m["full"] = "1"
	}
	return m
}

// exportDivision is the division code a download's file name carries.
func exportDivision(pr *auth.Principal, filter string) string {
	if filter != "" {
		return filter
	}
	return pr.DivisionCode
}

// ExportHouseholds prepares the download of every household the list under
// f shows the caller, in the list's order, journaled like ExportPersons.
func (s *Service) ExportHouseholds(ctx context.Context, f HouseholdFilter, format sheet.Format) (sheet.Export, error) {
	pr := auth.From(ctx)
	c := s.db.Reader()
	area, err := listArea(ctx, c, pr, f.Division)
	if err != nil {
		return sheet.Export{}, err
	}
	q := strings.TrimSpace(f.Q)
	sel := householdSelect(area, q)
	return sheet.Export{
		Format: format, Name: sheet.ExportName("户", exportDivision(pr, f.Division), s.now()), Sheet: "户",
		Header: householdExportHeader,
		Rows:   func(write func([]string) error) error { return s.exportHouseholds(ctx, c, sel, write) },
		Done: s.journal.ExportJournaled(ctx, s.db, "household.export", "household",
			map[string]string{"q": q, "division": f.Division}, format),
	}, nil
}

func (s *Service) exportHouseholds(ctx context.Context, c db.Conn, sel db.Select, write func([]string) error) error {
	rows, err := sel.PageAt(ctx, c, 0, allRows)
	if err != nil {
		return apperr.Wrap(err, "export households")
	}
	defer rows.Close()
	batch := make([]Household, 0, exportBatch)
	flush := func() error {
		codes := make([]string, len(batch))
		for i, h := range batch {
			codes[i] = h.Division
		}
		names, err := division.DisplayNames(ctx, s.db.Reader(), codes)
		if err != nil {
			return err
		}
		for _, h := range batch {
			if err := write([]string{h.HHNo, h.Division, names[h.Division], h.Address, h.Head, strconv.Itoa(h.MemberCount)}); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		h, err := scanHousehold(rows)
		if err != nil {
			return apperr.Wrap(err, "scan household")
		}
		if batch = append(batch, h); len(batch) == exportBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return apperr.Wrap(err, "export households rows")
	}
	return flush()
}

// parseFull reads the full= parameter of a person export.
func parseFull(s string) (bool, error) {
	switch s {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, apperr.InvalidField("full", "参数 full 应为 0 或 1")
}

// ExportPersons answers the person list under the list's filters as a file
// (format=xlsx|csv; full=1 for unmasked numbers).
func (h *Handlers) ExportPersons(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format, err := sheet.ParseFormat(q.Get("format"))
	var full bool
	if err == nil {
		full, err = parseFull(q.Get("full"))
	}
	var ex sheet.Export
	if err == nil {
		ex, err = h.svc.ExportPersons(r.Context(), Filter{Q: q.Get("q"), IDNumber: q.Get("id_number"),
			Division: q.Get("division")}, full, format)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	sheet.Download(w, r, ex)
}

// ExportHouseholds answers the household list under the list's filters as a file.
func (h *Handlers) ExportHouseholds(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format, err := sheet.ParseFormat(q.Get("format"))
	var ex sheet.Export
	if err == nil {
		ex, err = h.svc.ExportHouseholds(r.Context(), HouseholdFilter{Q: q.Get("q"), Division: q.Get("division")}, format)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	sheet.Download(w, r, ex)
}
