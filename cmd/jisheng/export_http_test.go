package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jisheng/internal/idno"
)

// exported is a downloaded list: its rows (the header first), and for an
// .xlsx the workbook to look at cell types.
type exported struct {
	rows [][]string
	book *excelize.File
}

// column returns the values of the column named name, without the header.
func (e exported) column(t *testing.T, name string) []string {
	t.Helper()
	i := slices.Index(e.rows[0], name)
	if i < 0 {
		t.Fatalf("no column %s in %q", name, e.rows[0])
	}
	var out []string
	for _, r := range e.rows[1:] {
		v := ""
		if i < len(r) {
			v = r[i]
		}
		out = append(out, v)
	}
	return out
}

// parseExport reads a download back: an .xlsx with excelize, a CSV with
// encoding/csv after checking its byte-order mark.
func parseExport(t *testing.T, a answer) exported {
	t.Helper()
	ct := a.header.Get("Content-Type")
	switch {
	case strings.Contains(ct, "spreadsheetml"):
		book, err := excelize.OpenReader(bytes.NewReader(a.body))
		if err != nil {
			t.Fatalf("not an xlsx: %v", err)
		}
		t.Cleanup(func() { book.Close() })
		rows, err := book.Rows(book.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		var e exported
		for rows.Next() {
			cells, err := rows.Columns()
			if err != nil {
				t.Fatal(err)
			}
			e.rows = append(e.rows, cells)
		}
		e.book = book
		return e
	case strings.HasPrefix(ct, "text/csv"):
		if !bytes.HasPrefix(a.body, []byte("\xEF\xBB\xBF")) || !bytes.Contains(a.body, []byte("\r\n")) {
			t.Fatalf("csv without BOM or CRLF: %.80q", a.body)
		}
		cr := csv.NewReader(bytes.NewReader(a.body[3:]))
		cr.FieldsPerRecord = -1
		rows, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return exported{rows: rows}
	}
	t.Fatalf("not a spreadsheet: %s %.200s", ct, a.body)
	return exported{}
}

type journalItems struct {
	Items []struct {
		Action   string `json:"action"`
		Username string `json:"username"`
		After    struct {
			Filters map[string]string `json:"filters"`
			Format  string            `json:"format"`
			Rows    int               `json:"rows"`
		} `json:"after"`
	} `json:"items"`
}

func TestListExports(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		register(t, s)
		va, vb := s.signIn(t, "villagea"), s.signIn(t, "villageb")
		const formula = "=cmd|' /C calc'!A0"
		va.json("POST", "/api/v1/households", map[string]any{"division": villageA, "address": formula}, 201, nil)
		var hhB struct {
			ID int64 `json:"id"`
		}
		vb.json("POST", "/api/v1/households", map[string]any{"division": villageB, "address": "龙潭村 8 号"}, 201, &hhB)
		otherID := idno.Generate(county, "1985-05-05", 31)
		vb.json("POST", "/api/v1/persons", map[string]any{"name": "赵六", "id_number": otherID, "phone": "13800001111",
			"registered_division": villageB, "household_id": hhB.ID, "relation": "head"}, 201, nil)

		scenarios := []struct {
			name  string
			user  string
			path  string
			want  int
			check func(t *testing.T, a answer, e exported)
		}{
			{"anonymous", "", "/api/v1/persons/export", 401, nil},
			{"village A persons, masked xlsx", "villagea", "/api/v1/persons/export", 200, func(t *testing.T, a answer, e exported) {
				if names := e.column(t, "姓名"); !slices.Equal(names, []string{"李明", "李红", "王秀英"}) {
					t.Errorf("names %q", names)
				}
				if ids := e.column(t, "公民身份号码"); !slices.Contains(ids, idno.Mask(motherID)) || slices.Contains(ids, motherID) {
					t.Errorf("ids not masked: %q", ids)
				}
				if phones := e.column(t, "联系电话"); !slices.Contains(phones, "139****5678") {
					t.Errorf("phones %q", phones)
				}
				row := e.rows[slices.Index(e.column(t, "姓名"), "王秀英")+1]
				for _, label := range []string{"女", "非农业", "初婚", "户主", "健在", "东苑社区居委会"} {
					if !slices.ContainsFunc(row, func(c string) bool { return strings.Contains(c, label) }) {
						t.Errorf("mother's row lacks %s: %q", label, row)
					}
				}
				if cd := a.header.Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape("人员_"+villageA+"_")) || !strings.Contains(cd, ".xlsx") {
					t.Errorf("disposition %s", cd)
				}
				if typ, _ := e.book.GetCellType("人员", "E2"); typ != excelize.CellTypeInlineString {
					t.Errorf("ID cell is not text: %v", typ)
				}
			}},
			{"village B sees only its own", "villageb", "/api/v1/persons/export?format=csv", 200, func(t *testing.T, a answer, e exported) {
				if names := e.column(t, "姓名"); !slices.Equal(names, []string{"赵六"}) {
					t.Errorf("village B export: %q", names)
				}
			}},
			{"village B households", "villageb", "/api/v1/households/export", 200, func(t *testing.T, a answer, e exported) {
				if addr := e.column(t, "地址"); !slices.Equal(addr, []string{"龙潭村 8 号"}) {
					t.Errorf("village B households: %q", addr)
				}
			}},
			{"village B asks for village A", "villageb", "/api/v1/persons/export?division=" + villageA, 400, nil},
			{"name search", "villagea", "/api/v1/persons/export?format=csv&q=" + url.QueryEscape("李"), 200, func(t *testing.T, a answer, e exported) {
				if names := e.column(t, "姓名"); !slices.Equal(names, []string{"李明", "李红"}) {
					t.Errorf("name search: %q", names)
				}
			}},
			{"id search", "villagea", "/api/v1/persons/export?q=" + motherID, 200, func(t *testing.T, a answer, e exported) {
				if names := e.column(t, "姓名"); !slices.Equal(names, []string{"王秀英"}) {
					t.Errorf("id search: %q", names)
				}
			}},
			{"formula neutralised in xlsx", "villagea", "/api/v1/households/export", 200, func(t *testing.T, a answer, e exported) {
				addr := e.column(t, "地址")
				i := slices.Index(addr, "'"+formula)
				if i < 0 || len(addr) != 2 {
					t.Fatalf("addresses %q", addr)
				}
				cell := fmt.Sprintf("D%d", i+2)
				typ, _ := e.book.GetCellType("户", cell)
				if f, _ := e.book.GetCellFormula("户", cell); typ != excelize.CellTypeInlineString || f != "" {
					t.Errorf("address cell type %v formula %q", typ, f)
				}
			}},
			{"formula neutralised in csv", "villagea", "/api/v1/households/export?format=csv", 200, func(t *testing.T, a answer, e exported) {
				if !slices.Contains(e.column(t, "地址"), "'"+formula) || bytes.Contains(a.body, []byte(","+formula)) {
					t.Errorf("csv: %s", a.body)
				}
			}},
			{"viewer may not export full numbers", "viewer", "/api/v1/persons/export?full=1", 403, func(t *testing.T, a answer, _ exported) {
				if !strings.Contains(string(a.body), "完整") {
					t.Errorf("refusal: %s", a.body)
				}
			}},
			{"viewer exports masked", "viewer", "/api/v1/persons/export", 200, func(t *testing.T, a answer, e exported) {
				if len(e.rows) != 5 || slices.Contains(e.column(t, "公民身份号码"), motherID) {
					t.Errorf("viewer export: %q", e.rows)
				}
			}},
			{"county exports full numbers", "county", "/api/v1/persons/export?full=1&format=csv", 200, func(t *testing.T, a answer, e exported) {
				ids, phones := e.column(t, "公民身份号码"), e.column(t, "联系电话")
				if !slices.Contains(ids, motherID) || !slices.Contains(ids, otherID) || !slices.Contains(phones, "13912345678") {
					t.Errorf("full export: %q %q", ids, phones)
				}
			}},
			{"bad format", "villagea", "/api/v1/persons/export?format=xls", 400, func(t *testing.T, a answer, _ exported) {
				if !strings.Contains(string(a.body), `"field":"format"`) {
					t.Errorf("bad format: %s", a.body)
				}
			}},
			{"bad full", "county", "/api/v1/persons/export?full=yes", 400, nil},
			{"users", "county", "/api/v1/users/export?format=csv", 200, func(t *testing.T, a answer, e exported) {
				users := e.column(t, "用户名")
				if !slices.Contains(users, "villageb") || !slices.Contains(users, "county") || !slices.Contains(e.column(t, "角色"), "村计生专干") {
					t.Errorf("users: %q", e.rows)
				}
				if bytes.Contains(a.body, []byte("argon2")) {
					t.Error("password hashes exported")
				}
			}},
			{"users filtered", "county", "/api/v1/users/export?q=VILLAGE", 200, func(t *testing.T, a answer, e exported) {
				if users := e.column(t, "用户名"); !slices.Equal(users, []string{"villagea", "villageb"}) {
					t.Errorf("users matching village: %q", users)
				}
			}},
			{"village officer has no user list", "villagea", "/api/v1/users/export", 403, nil},
			{"audit bad date", "county", "/api/v1/audit/export?from=2026-13-01", 400, func(t *testing.T, a answer, _ exported) {
				if !strings.Contains(string(a.body), `"field":"from"`) {
					t.Errorf("bad date: %s", a.body)
				}
			}},
			{"audit", "county", "/api/v1/audit/export?entity=person", 200, func(t *testing.T, a answer, e exported) {
				if !slices.Contains(e.column(t, "操作"), "新增人员") || !slices.Contains(e.column(t, "对象"), "人员") {
					t.Errorf("audit export: %q", e.rows)
				}
			}},
			{"village officer has no journal", "villagea", "/api/v1/audit/export", 403, nil},
		}
		clients := map[string]*client{"": s.client(t), "villagea": va, "villageb": vb}
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				c, ok := clients[sc.user]
				if !ok {
					c = s.signIn(t, sc.user)
					clients[sc.user] = c
				}
				c.t = t
				a := c.send("GET", sc.path, nil, nil)
				if a.status != sc.want {
					t.Fatalf("status %d, want %d: %.300s", a.status, sc.want, a.body)
				}
				var e exported
				if sc.want == 200 {
					e = parseExport(t, a)
				}
				if sc.check != nil {
					sc.check(t, a, e)
				}
			})
		}

		// Every export is in the journal with its filters and row count;
		// the full one as its own action, and no full ID number anywhere.
		var j journalItems
		s.signIn(t, "county").json("GET", "/api/v1/audit?size=100&entity=person", nil, 200, &j)
		raw, _ := json.Marshal(j)
		if strings.Contains(string(raw), motherID) {
			t.Fatalf("journal holds a full ID number: %s", raw)
		}
		counts := map[string][]int{}
		for _, it := range j.Items {
			if strings.HasPrefix(it.Action, "person.export") {
				counts[it.Action+" "+it.Username] = append(counts[it.Action+" "+it.Username], it.After.Rows)
			}
		}
		want := map[string][]int{
			"person.export villagea":    {1, 2, 3}, // newest first: id search, name search, all
			"person.export villageb":    {1},
			"person.export viewer":      {4},
			"person.export_full county": {4},
		}
		for k, v := range want {
			if !slices.Equal(counts[k], v) {
				t.Errorf("journal %s: rows %v, want %v (all: %v)", k, counts[k], v, counts)
			}
		}
		for _, it := range j.Items {
			if it.Action == "person.export" && it.Username == "villagea" && it.After.Rows == 1 &&
				(it.After.Filters["id_number"] != idno.Mask(motherID) || it.After.Format != "xlsx") {
				t.Errorf("id search journaled as %+v", it.After)
			}
		}
	})
}
