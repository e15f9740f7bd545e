package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jisheng/internal/stats"
)

func TestStatsScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		register(t, s) // village A: a mother (1990), a boy born 2015-01-02, a girl born 2021-06-01
		s.play(t, map[string]*client{}, []scenario{
			{"anonymous", "", "GET", "/api/v1/stats/report?period=2021", nil, 401, nil},
			{"the indicators and their formulas", "viewer", "GET", "/api/v1/stats/indicators", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"code":"sex_ratio_at_birth"`) || strings.Contains(b, "计划生育率") {
					t.Errorf("catalog: %.300s", b)
				}
			}},
			{"the village's 2021 births", "villagea", "GET", "/api/v1/stats/report?period=2021&indicators=births,population", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"code":"births"`) || !strings.Contains(b, `"num":1,`) {
					t.Errorf("report: %.600s", b)
				}
			}},
			{"the county sees the village's birth under its township", "county", "GET", "/api/v1/stats/report?period=2021&indicators=births", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"division":"341523100","num":1`) {
					t.Errorf("county report: %.900s", b)
				}
			}},
			{"the county by village", "county", "GET", "/api/v1/stats/report?period=2021&indicators=births&by=village", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"by":"village"`) || !strings.Contains(b, `"division":"`+villageA+`","num":1`) ||
					!strings.Contains(b, `"parent":"341523100"`) {
					t.Errorf("county by village: %.900s", b)
				}
			}},
			{"a village by village sees itself alone", "villageb", "GET", "/api/v1/stats/report?period=2021&indicators=births&by=village&division=" + villageA, nil, 404, nil},
			{"an unknown breakdown", "county", "GET", "/api/v1/stats/report?period=2021&by=street", nil, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"by"`) || !strings.Contains(b, "分列方式") {
					t.Errorf("by: %s", b)
				}
			}},
			{"the county by village as an official table", "county", "GET", "/api/v1/stats/report/xlsx?period=2021&by=village", nil, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "PK") {
					t.Errorf("xlsx: %.20q", b)
				}
			}},
			{"the girl behind the figure", "villagea", "GET", "/api/v1/stats/records?indicator=births&period=2021", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, `"name":"李红"`) || !strings.Contains(b, `"date":"2021-06-01"`) {
					t.Errorf("records: %s", b)
				}
			}},
			{"another village's report", "villageb", "GET", "/api/v1/stats/report?period=2021&division=" + villageA, nil, 404, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"division"`) {
					t.Errorf("scope: %s", b)
				}
			}},
			{"another village's records", "villageb", "GET", "/api/v1/stats/records?indicator=births&period=2021&division=" + villageA, nil, 404, nil},
			{"another village's own records do not include A's", "villageb", "GET", "/api/v1/stats/records?indicator=births&period=2021", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("village B: %s", b)
				}
			}},
			{"the sysadmin reads figures, not persons", "admin", "GET", "/api/v1/stats/records?indicator=births&period=2021&division=" + county, nil, 403, nil},
			{"a bad period", "county", "GET", "/api/v1/stats/report?period=2021-13", nil, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"period"`) || !strings.Contains(b, "统计年度") {
					t.Errorf("period: %s", b)
				}
			}},
			{"an indicator the law no longer has", "county", "GET", "/api/v1/stats/report?period=2021&indicators=planned_birth_rate", nil, 400, nil},
			{"a bad at", "county", "GET", "/api/v1/stats/records?indicator=birth_rate&term=den&period=2021&at=middle", nil, 400, nil},
			{"leaders do not file", "viewer", "POST", "/api/v1/stats/filings", map[string]any{"period": "2026-10"}, 403, nil},
			{"the village generates October", "villagea", "POST", "/api/v1/stats/filings", map[string]any{"period": "2026-10"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"status":"draft"`) || !strings.Contains(b, `"due_on":"2026-11-05"`) || !strings.Contains(b, `"report":{`) {
					t.Errorf("generated: %.400s", b)
				}
			}},
			{"another village reads it", "villageb", "GET", "/api/v1/stats/filings/1", nil, 404, nil},
			{"another village reviews it", "villageb", "POST", "/api/v1/stats/filings/1/act", map[string]any{"action": "review", "version": 1}, 404, nil},
			{"the village reviews", "villagea", "POST", "/api/v1/stats/filings/1/act", map[string]any{"action": "review", "version": 1}, 200, nil},
			{"a stale version", "villagea", "POST", "/api/v1/stats/filings/1/act", map[string]any{"action": "submit", "version": 1}, 409, nil},
			{"the village submits", "villagea", "POST", "/api/v1/stats/filings/1/act", map[string]any{"action": "submit", "version": 2}, 200, nil},
			{"the township's waiting list", "towna", "GET", "/api/v1/stats/filings/waiting", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, `"actions":["return","accept"]`) {
					t.Errorf("waiting: %.300s", b)
				}
			}},
			{"nothing waits for a village", "villageb", "GET", "/api/v1/stats/filings/waiting", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("waiting: %.300s", b)
				}
			}},
			{"the township returns without a reason", "towna", "POST", "/api/v1/stats/filings/1/act", map[string]any{"action": "return", "version": 3}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"remark"`) {
					t.Errorf("return: %s", b)
				}
			}},
			{"the township accepts", "towna", "POST", "/api/v1/stats/filings/1/act", map[string]any{"action": "accept", "version": 3}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"status":"accepted"`) {
					t.Errorf("accept: %.300s", b)
				}
			}},
			{"the township's board", "towna", "GET", "/api/v1/stats/board?period=2026-10", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"division":"`+villageA+`"`) || !strings.Contains(b, `"filed":1`) {
					t.Errorf("board: %.600s", b)
				}
			}},
			{"nothing changed since", "towna", "GET", "/api/v1/stats/filings/1/differences", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("differences: %.300s", b)
				}
			}},
			{"the report for printing", "county", "GET", "/api/v1/stats/report/pdf?period=2021", nil, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "%PDF-") {
					t.Errorf("pdf: %.20q", b)
				}
			}},
			{"the accepted filing for printing", "towna", "GET", "/api/v1/stats/filings/1/pdf", nil, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "%PDF-") {
					t.Errorf("pdf: %.20q", b)
				}
			}},
			{"another village prints it", "villageb", "GET", "/api/v1/stats/filings/1/pdf", nil, 404, nil},
			{"the report as an official table", "county", "GET", "/api/v1/stats/report/xlsx?period=2021-SY", nil, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "PK") {
					t.Errorf("xlsx: %.20q", b)
				}
			}},
		})
	})
}

// TestReportCommand computes a demo county's yearly report from the command
// line as JSON and as .xlsx; bad flags name the flag.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	dsn, key := filepath.Join(dir, "demo.db"), filepath.Join(dir, "jisheng.key")
	if _, _, err := runCLI(t, "", "demo", "--db", dsn, "--key-file", key, "--persons", "400"); err != nil {
		t.Fatalf("demo: %v", err)
	}
	out, _, err := runCLI(t, "", "report", "--db", dsn, "--key-file", key, "--division", county, "--period", "2025",
		"--indicators", "population,births")
	var rep stats.Report
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Rows) != 2 || rep.Rows[0].Num == 0 ||
		rep.Period.From != "2025-01-01" || len(rep.Children) == 0 {
		t.Fatalf("json report: %v\n%.400s", err, out)
	}
	file := filepath.Join(dir, "r.xlsx")
	out, _, err = runCLI(t, "", "report", "--db", dsn, "--key-file", key, "--division", county, "--period", "2025-SY",
		"--format", "xlsx", "--out", file)
	if b, rerr := os.ReadFile(file); err != nil || rerr != nil || !bytes.HasPrefix(b, []byte("PK")) || !strings.Contains(out, "已生成") {
		t.Fatalf("xlsx report: %v %v\n%s", err, rerr, out)
	}
	out, _, err = runCLI(t, "", "report", "--db", dsn, "--key-file", key, "--division", county, "--period", "2025",
		"--indicators", "population", "--by", "village")
	var byVillage stats.Report
	if err != nil || json.Unmarshal([]byte(out), &byVillage) != nil || len(byVillage.Children) <= len(rep.Children) ||
		byVillage.Rows[0].Num != rep.Rows[0].Num || byVillage.Children[0].ParentName == "" {
		t.Fatalf("report by village: %v\n%.400s", err, out)
	}
	for _, bad := range [][]string{{"--period", "2025"}, {"--division", county, "--period", "2025-14"},
		{"--division", county, "--period", "2025", "--format", "doc"}, {"--division", county, "--period", "2025", "--by", "town"}} {
		if _, _, err := runCLI(t, "", append([]string{"report", "--db", dsn, "--key-file", key}, bad...)...); err == nil {
			t.Errorf("report %v: no error", bad)
		}
	}
}
