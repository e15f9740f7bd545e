package main

import (
	"strings"
	"testing"
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
			{"the report as an official table", "county", "GET", "/api/v1/stats/report/xlsx?period=2021-SY", nil, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "PK") {
					t.Errorf("xlsx: %.20q", b)
				}
			}},
		})
	})
}
