package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jisheng/internal/idno"
	"jisheng/internal/sheet"
)

const importHeader = "姓名,性别,出生日期,公民身份号码,民族,户口性质,婚姻状况,联系电话,户籍地区划代码,现居住地区划代码,户编号,与户主关系\n"

type importJob struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
	Field  string `json:"field"`
	Result *struct {
		Rows    int    `json:"rows"`
		Invalid int    `json:"invalid"`
		Created int    `json:"created"`
		Applied bool   `json:"applied"`
		Message string `json:"message"`
	} `json:"result"`
}

// waitJob polls a job until it finishes.
func (c *client) waitJob(id string) importJob {
	c.t.Helper()
	for i := 0; i < 600; i++ {
		var j importJob
		c.json("GET", "/api/v1/import/jobs/"+id, nil, 200, &j)
		if j.Status != "running" {
			return j
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatal("import job did not finish")
	return importJob{}
}

func (c *client) startImport(path string, data []byte) (int, importJob) {
	c.t.Helper()
	a := c.upload(path, data)
	var j importJob
	json.Unmarshal(a.body, &j)
	if a.status != 202 {
		var e struct {
			Error struct {
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"error"`
		}
		json.Unmarshal(a.body, &e)
		j.Field, j.Error = e.Error.Field, e.Error.Message
	}
	return a.status, j
}

func TestImportScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		va, vb, viewer := s.signIn(t, "villagea"), s.signIn(t, "villageb"), s.signIn(t, "viewer")
		own := importHeader + "赵敏,女,1992-02-02," + idno.Generate(county, "19920202", 42) + ",汉族,农业,初婚,," + villageA + "," + villageA + ",,\n"
		other := importHeader + "钱多,男,1992-02-02,,汉族,农业,未婚,," + villageB + "," + villageB + ",,\n"

		cases := []struct {
			name    string
			who     *client
			path    string
			data    string
			status  int
			field   string
			outcome string // the finished job's message, for accepted uploads
		}{
			{"own village, dry run", va, "/api/v1/import/jobs?type=persons&dry_run=1", own, 202, "", "预检通过"},
			{"own village", va, "/api/v1/import/jobs?type=persons", own, 202, "", "导入完成"},
			{"other village's rows", va, "/api/v1/import/jobs?type=persons", other, 202, "", "未导入"},
			{"viewer may not import", viewer, "/api/v1/import/jobs?type=persons", own, 403, "", ""},
			{"unknown type", va, "/api/v1/import/jobs?type=cats", own, 400, "type", ""},
			{"empty file", va, "/api/v1/import/jobs?type=persons", "", 202, "file", "文件为空"},
			{"wrong headers", va, "/api/v1/import/jobs?type=persons", "名字,年龄\n张三,3\n", 202, "file", "缺少表头"},
		}
		var errJob string
		for _, c := range cases {
			st, j := c.who.startImport(c.path, []byte(c.data))
			if st != c.status {
				t.Fatalf("%s: status %d %+v", c.name, st, j)
			}
			if st != 202 {
				if j.Field != c.field {
					t.Errorf("%s: field %q", c.name, j.Field)
				}
				continue
			}
			done := c.who.waitJob(j.ID)
			msg := done.Error
			if done.Result != nil {
				msg = done.Result.Message
			}
			if !strings.Contains(msg, c.outcome) || done.Field != c.field {
				t.Errorf("%s: job %+v: %s", c.name, done, msg)
			}
			if c.name == "other village's rows" {
				errJob = j.ID
			}
			// Nobody else sees the job, not even an officer of another village.
			if st, _ := vb.do("GET", "/api/v1/import/jobs/"+j.ID, nil); st != 404 {
				t.Errorf("%s: another user reads the job: %d", c.name, st)
			}
		}
		var list struct {
			Total int `json:"total"`
		}
		va.json("GET", "/api/v1/persons?q=赵敏", nil, 200, &list)
		if list.Total != 1 {
			t.Fatalf("imported person visible %d times", list.Total)
		}
		vb.json("GET", "/api/v1/persons?q=赵敏", nil, 200, &list)
		if list.Total != 0 {
			t.Fatalf("village B sees the imported person")
		}
		// The load's data-quality findings are in place when it commits:
		// 赵敏 is married with no spouse linked.
		var findings struct {
			Items []struct {
				Rule   string `json:"rule"`
				Person *struct {
					Name string `json:"name"`
				} `json:"person"`
			} `json:"items"`
		}
		va.json("GET", "/api/v1/quality/findings?rule=married_no_spouse", nil, 200, &findings)
		if len(findings.Items) != 1 || findings.Items[0].Person == nil || findings.Items[0].Person.Name != "赵敏" {
			t.Fatalf("findings after the import: %+v", findings.Items)
		}
		rep := va.send("GET", "/api/v1/import/jobs/"+errJob+"/errors?format=xlsx", nil, nil)
		if rep.status != 200 || !strings.Contains(rep.header.Get("Content-Disposition"), "filename*=") {
			t.Fatalf("error report %d %v", rep.status, rep.header)
		}
		rd, err := sheet.Open(bytes.NewReader(rep.body), int64(len(rep.body)), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		row, err := rd.Next()
		if err != nil || row.Cells[1] != "钱多" || !strings.Contains(row.Cells[len(row.Cells)-1], "管辖范围") {
			t.Fatalf("report row %v %v", row.Cells, err)
		}
		rd.Close()
		tpl := va.send("GET", "/api/v1/import/template?type=households&format=csv", nil, nil)
		if tpl.status != 200 || !strings.Contains(string(tpl.body), "户编号,户所在区划代码,地址") {
			t.Fatalf("template %d %q", tpl.status, tpl.body)
		}
	})
}

func TestImportCommand(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		keyFile := filepath.Join(dir, "jisheng.key")
		if _, _, err := runCLI(t, "", "init", "--db", dsn, "--key-file", keyFile, "--county", county); err != nil {
			t.Fatal(err)
		}
		tpl := filepath.Join(dir, "模板.xlsx")
		out, _, err := runCLI(t, "", "import", "template", "persons", tpl)
		if err != nil || !strings.Contains(out, "必填列") {
			t.Fatalf("template: %v %s", err, out)
		}
		rd, err := sheet.OpenFile(tpl, 1<<20)
		if err != nil || !strings.HasPrefix(strings.Join(rd.Header(), ","), strings.TrimSpace(importHeader)) {
			t.Fatalf("template header %v %v", rd, err)
		}
		rd.Close()

		good := filepath.Join(dir, "good.csv")
		os.WriteFile(good, []byte(importHeader+"孙丽,女,1988-08-08,,汉族,农业,初婚,,"+villageA+",,,\n"), 0o600)
		bad := filepath.Join(dir, "bad.csv")
		os.WriteFile(bad, []byte(importHeader+"孙丽,女,1988-08-08,,汉族,农业,初婚,,"+villageA+",,,\n周星,男,1988-13-01,,汉族,农业,初婚,,"+villageA+",,,\n"), 0o600)
		report := filepath.Join(dir, "errors.xlsx")

		if _, _, err := runCLI(t, "", "import", "persons", bad, "--db", dsn, "--key-file", keyFile, "--errors", report); err == nil {
			t.Fatal("a file with errors was accepted")
		}
		if _, err := os.Stat(report); err != nil {
			t.Fatalf("no error report: %v", err)
		}
		out, _, err = runCLI(t, "", "import", "persons", good, "--db", dsn, "--key-file", keyFile, "--dry-run")
		if err != nil || !strings.Contains(out, "预检通过") {
			t.Fatalf("dry run: %v %s", err, out)
		}
		out, stderr, err := runCLI(t, "", "import", "persons", good, "--db", dsn, "--key-file", keyFile)
		if err != nil || !strings.Contains(out, "新增人员 1 条") || !strings.Contains(stderr, "导入人员") {
			t.Fatalf("import: %v %s %s", err, out, stderr)
		}
		for _, args := range [][]string{
			{"import"},
			{"import", "cats", good},
			{"import", "persons"},
			{"import", "persons", good, "--errors", "x.txt"},
			{"import", "persons", filepath.Join(dir, "missing.csv"), "--db", dsn, "--key-file", keyFile},
		} {
			if _, _, err := runCLI(t, "", args...); err == nil {
				t.Errorf("%v accepted", args)
			}
		}
	})
}
