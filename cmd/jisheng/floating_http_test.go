package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"

	"jisheng/internal/idno"
)

const otherCountyCode = "341522" // 霍邱县, the neighbouring county of the exchange

type floatingJSON struct {
	ID        int64  `json:"id"`
	Direction string `json:"direction"`
	Name      string `json:"name"`
	IDNumber  string `json:"id_number"`
	Phone     string `json:"phone"`
	Division  string `json:"division"`
	Status    string `json:"status"`
	Version   int    `json:"version"`
}

// multipartFile is a multipart body with data as the part "file".
func multipartFile(t *testing.T, name string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func (c *client) upload(path string, data []byte) answer {
	c.t.Helper()
	body, ct := multipartFile(c.t, "交换.csv", data)
	return c.send("POST", path, body, map[string]string{"Content-Type": ct})
}

func TestFloatingScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		va := s.signIn(t, "villagea")
		arrivalID := idno.Generate(otherCountyCode, "1995-08-09", 42)

		var out, in floatingJSON
		va.json("POST", "/api/v1/floating", map[string]any{"direction": "out", "person_id": f.mother.ID,
			"place": "霍邱县城关镇", "other_county": otherCountyCode, "since": "2024-03-01", "phone": "13700001111"}, 201, &out)
		va.json("POST", "/api/v1/floating", map[string]any{"direction": "in", "name": "陈静", "id_number": arrivalID,
			"phone": "13700002222", "place": "霍邱县", "other_county": otherCountyCode, "division": villageA,
			"since": "2025-02-01"}, 201, &in)
		if out.Name != "王秀英" || out.IDNumber != idno.Mask(motherID) || out.Phone != "137****1111" || in.IDNumber != idno.Mask(arrivalID) {
			t.Fatalf("entries not shown masked with their person: %+v %+v", out, in)
		}
		entry := fmt.Sprintf("/api/v1/floating/%d", in.ID)
		edit := map[string]any{"name": "陈静", "id_number": in.IDNumber, "phone": in.Phone, "place": "霍邱县城关镇",
			"other_county": otherCountyCode, "division": villageA, "since": "2025-02-01", "version": in.Version}

		scenarios := []scenario{
			{"anonymous list", "", "GET", "/api/v1/floating", nil, 401, nil},
			{"owner lists out", "villagea", "GET", "/api/v1/floating?direction=out", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, "王秀英") || strings.Contains(b, motherID) {
					t.Errorf("out list: %s", b)
				}
			}},
			{"owner edits", "villagea", "PUT", entry, edit, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"version":2`) || !strings.Contains(b, "霍邱县城关镇") {
					t.Errorf("edit: %s", b)
				}
			}},
			{"stale edit", "villagea", "PUT", entry, edit, 409, nil},
			{"edit without name", "villagea", "PUT", entry, map[string]any{"division": villageA, "place": "霍邱", "since": "2025-02-01", "version": 2}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"name"`) {
					t.Errorf("missing name: %s", b)
				}
			}},
			{"owner adds contact", "villagea", "POST", entry + "/contacts", map[string]any{"contact_date": "2026-01-05",
				"method": "phone", "content": "电话告知育儿补贴申请办法", "services": []string{"childcare_subsidy"}}, 201, nil},
			{"contact in the future", "villagea", "POST", entry + "/contacts", map[string]any{"contact_date": "2999-01-01",
				"method": "phone", "content": "电话"}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"contact_date"`) {
					t.Errorf("future contact: %s", b)
				}
			}},
			{"owner reads contacts", "villagea", "GET", entry + "/contacts", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, "childcare_subsidy") {
					t.Errorf("contacts: %s", b)
				}
			}},
			{"owner unmasks", "villagea", "GET", entry + "/sensitive", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, arrivalID) || !strings.Contains(b, "13700002222") {
					t.Errorf("sensitive: %s", b)
				}
			}},
			{"other village reads", "villageb", "GET", entry, nil, 404, nil},
			{"other village lists", "villageb", "GET", "/api/v1/floating", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("village B sees village A's entries: %s", b)
				}
			}},
			{"other village filters by A", "villageb", "GET", "/api/v1/floating?division=" + villageA, nil, 400, nil},
			{"other village edits", "villageb", "PUT", entry, edit, 404, nil},
			{"other village ends", "villageb", "POST", entry + "/end", map[string]any{"ended_on": "2026-01-01", "reason": "返乡", "version": 2}, 404, nil},
			{"other village unmasks", "villageb", "GET", entry + "/sensitive", nil, 404, nil},
			{"other village reads contacts", "villageb", "GET", entry + "/contacts", nil, 404, nil},
			{"other village adds contact", "villageb", "POST", entry + "/contacts", map[string]any{"contact_date": "2026-01-05",
				"method": "phone", "content": "电话"}, 404, nil},
			{"other village registers A's resident", "villageb", "POST", "/api/v1/floating", map[string]any{"direction": "out",
				"person_id": f.child.ID, "place": "合肥", "since": "2024-03-01"}, 400, nil},
			{"township lists", "towna", "GET", "/api/v1/floating", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":2`) {
					t.Errorf("township list: %s", b)
				}
			}},
			{"viewer lists", "viewer", "GET", "/api/v1/floating?direction=in", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || strings.Contains(b, arrivalID) {
					t.Errorf("viewer list: %s", b)
				}
			}},
			{"viewer cannot create", "viewer", "POST", "/api/v1/floating", map[string]any{}, 403, nil},
			{"viewer cannot unmask", "viewer", "GET", entry + "/sensitive", nil, 403, nil},
			{"viewer cannot export", "viewer", "GET", "/api/v1/floating/exchange/export?county=" + otherCountyCode, nil, 403, nil},
			{"sysadmin has no register", "admin", "GET", "/api/v1/floating", nil, 403, nil},
			{"unknown field", "villagea", "POST", "/api/v1/floating", `{"direction":"in","permit":"婚育证明"}`, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"permit"`) {
					t.Errorf("unknown field: %s", b)
				}
			}},
			{"export own county", "county", "GET", "/api/v1/floating/exchange/export?county=" + county, nil, 400, nil},
			{"export bad format", "county", "GET", "/api/v1/floating/exchange/export?county=" + otherCountyCode + "&format=pdf", nil, 400, nil},
			{"import without file", "county", "POST", "/api/v1/floating/exchange/import?county=" + otherCountyCode, `{}`, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, "multipart") {
					t.Errorf("no file: %s", b)
				}
			}},
			{"bad id", "villagea", "GET", "/api/v1/floating/abc", nil, 404, nil},
			{"enums", "viewer", "GET", "/api/v1/floating/enums", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "知情选择") || !strings.Contains(b, "上门") {
					t.Errorf("enums: %s", b)
				}
			}},
		}
		clients := map[string]*client{"": s.client(t), "villagea": va}
		s.play(t, clients, scenarios)

		// Ending keeps the entry as history.
		var ended floatingJSON
		va.json("POST", entry+"/end", map[string]any{"ended_on": "2026-02-01", "reason": "返回原籍", "version": 2}, 200, &ended)
		if ended.Status != "ended" || ended.Version != 3 {
			t.Fatalf("ended: %+v", ended)
		}
		if b := mustGet(t, va, "/api/v1/floating?status=ended"); !strings.Contains(b, `"total":1`) {
			t.Fatalf("ended list: %s", b)
		}
		// Unmasked views and the changes are in the journal.
		cty := s.signIn(t, "county")
		journal := mustGet(t, cty, fmt.Sprintf("/api/v1/audit?entity=floating&entity_id=%d", in.ID))
		for _, a := range []string{"floating.create", "floating.update", "floating.contact", "floating.unmask", "floating.end"} {
			if !strings.Contains(journal, a) {
				t.Fatalf("journal lacks %s: %.500s", a, journal)
			}
		}
		if strings.Contains(journal, arrivalID) {
			t.Fatal("journal holds a full ID number")
		}
	})
}

func TestFloatingExchangeHTTP(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		va := s.signIn(t, "villagea")
		va.json("POST", "/api/v1/floating", map[string]any{"direction": "out", "person_id": f.mother.ID,
			"place": "霍邱县城关镇", "other_county": otherCountyCode, "since": "2024-03-01"}, 201, nil)
		cty := s.signIn(t, "county")

		// Export for the neighbour: the full ID, and an audit entry with the count.
		a := cty.send("GET", "/api/v1/floating/exchange/export?format=csv&county="+otherCountyCode, nil, nil)
		if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(a.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v %s", a.status, a.header, a.body)
		}
		if !bytes.Contains(a.body, []byte(motherID)) || !bytes.Contains(a.body, []byte("流出,王秀英,女,1990-03-07")) {
			t.Fatalf("export body: %s", a.body)
		}
		if b := mustGet(t, cty, "/api/v1/audit?entity=floating_exchange"); !strings.Contains(b, "floating.export") || !strings.Contains(b, "1 条") {
			t.Fatalf("export journal: %s", b)
		}
		if a := s.signIn(t, "villageb").send("GET", "/api/v1/floating/exchange/export?format=csv&county="+otherCountyCode, nil, nil); a.status != 200 || bytes.Contains(a.body, []byte(motherID)) {
			t.Fatalf("village B's export holds village A's resident: %d %s", a.status, a.body)
		}

		// Their file: the mother (matched), a child as a new 流出 for us, a
		// new arrival, and the other child with a wrong birth date.
		arrival := idno.Generate(otherCountyCode, "1995-08-09", 42)
		child2ID := idno.Generate(county, "2021-06-01", 24)
		file := exHeaderLine +
			exLine("流入", "王秀英", "女", "1990-03-07", motherID, villageA, "霍邱县城关镇", otherCountyCode, "2024-03-01") +
			exLine("流入", "李明", "男", "2015-01-02", child1ID, villageA, "霍邱县城关镇", otherCountyCode, "2025-09-01") +
			exLine("流出", "陈静", "女", "1995-08-09", arrival, "341522100001", "舒城县东苑社区", county, "2025-02-01") +
			exLine("流入", "李红", "女", "2020-06-01", child2ID, villageA, "霍邱县", otherCountyCode, "2025-09-01")
		// 李红 was registered without an ID number; give her one so she can be matched.
		var red personJSON
		cty.json("GET", fmt.Sprintf("/api/v1/persons/%d", f.child2.ID), nil, 200, &red)
		cty.json("PUT", fmt.Sprintf("/api/v1/persons/%d", f.child2.ID), map[string]any{"name": red.Name, "sex": "female",
			"birth_date": "2021-06-01", "id_number": child2ID, "registered_division": villageA, "residence_division": villageA2,
			"household_id": f.household, "relation": "child", "mother_id": f.mother.ID, "version": red.Version}, 200, nil)

		path := "/api/v1/floating/exchange/import?county=" + otherCountyCode
		var rep struct {
			Summary struct{ Total, Matched, New, Conflicting, Invalid, Created, Updated int } `json:"summary"`
			Rows    []struct {
				Row         int                                    `json:"row"`
				Status      string                                 `json:"status"`
				Differences []struct{ Field, Ours, Theirs string } `json:"differences"`
			} `json:"rows"`
		}
		a = cty.upload(path+"&dry_run=1", []byte(file))
		if a.status != 200 || json.Unmarshal(a.body, &rep) != nil {
			t.Fatalf("dry run: %d %s", a.status, a.body)
		}
		if rep.Summary.Total != 4 || rep.Summary.Matched != 1 || rep.Summary.New != 2 || rep.Summary.Conflicting != 1 {
			t.Fatalf("dry run summary %+v", rep.Summary)
		}
		if r := rep.Rows[3]; r.Row != 5 || r.Status != "conflicting" || len(r.Differences) != 1 || r.Differences[0].Field != "出生日期" {
			t.Fatalf("conflicting row %+v", r)
		}
		// The report as a file, for the officer to work through.
		if a := cty.upload(path+"&dry_run=1&report=csv", []byte(file)); a.status != 200 || !bytes.Contains(a.body, []byte("冲突")) {
			t.Fatalf("report file: %d %s", a.status, a.body)
		}
		// Applying without a village for the arrival is refused whole.
		if a := cty.upload(path+"&dry_run=0", []byte(file)); a.status != 400 || !bytes.Contains(a.body, []byte(`"field":"village"`)) {
			t.Fatalf("apply without village: %d %s", a.status, a.body)
		}
		a = cty.upload(path+"&dry_run=0&village="+villageA2, []byte(file))
		if a.status != 200 || json.Unmarshal(a.body, &rep) != nil || rep.Summary.Created != 2 {
			t.Fatalf("apply: %d %s", a.status, a.body)
		}
		if b := mustGet(t, cty, "/api/v1/floating?direction=in&division="+villageA2); !strings.Contains(b, `"total":1`) || !strings.Contains(b, "陈静") {
			t.Fatalf("arrival not registered in village A2: %s", b)
		}
		if b := mustGet(t, cty, "/api/v1/audit?entity=floating_exchange"); !strings.Contains(b, "floating.import") {
			t.Fatalf("import journal: %s", b)
		}

		refusals := []struct {
			name, path, file, want string
			status                 int
		}{
			{"another county's file", "/api/v1/floating/exchange/import?county=320571", file, "不一致", 400},
			{"empty file", path, "", "文件为空", 400},
			{"wrong headers", path, "姓名,身份证号\n张三,1\n", "缺少表头", 400},
			{"bad dry_run", path + "&dry_run=maybe", file, "dry_run", 400},
		}
		for _, r := range refusals {
			if a := cty.upload(r.path, []byte(r.file)); a.status != r.status || !bytes.Contains(a.body, []byte(r.want)) {
				t.Errorf("%s: %d %s", r.name, a.status, a.body)
			}
		}
		// The village B officer imports the same file: nothing of it is theirs.
		vb := s.signIn(t, "villageb")
		a = vb.upload(path+"&dry_run=1", []byte(file))
		if a.status != 200 || json.Unmarshal(a.body, &rep) != nil || rep.Summary.Matched != 0 || rep.Summary.Created != 0 {
			t.Fatalf("village B import: %d %s", a.status, a.body)
		}
	})
}

const exHeaderLine = "方向,姓名,性别,出生日期,公民身份号码,联系电话,户籍地区划代码,现居住地(描述),现居住地区县代码,流动日期,导出县代码\n"

func exLine(dir, name, sex, birth, id, reg, place, live, since string) string {
	return strings.Join([]string{dir, name, sex, birth, id, "", reg, place, live, since, otherCountyCode}, ",") + "\n"
}
