package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jisheng/internal/account"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
)

func TestBenefitScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		// The fixture's mother (born 1990-03-07) has two children; her 特扶 and 奖扶 fail with reasons.
		evaluate := func(program string, person int64, date string) map[string]any {
			return map[string]any{"program": program, "person_id": person, "date": date}
		}
		s.play(t, map[string]*client{}, []scenario{
			{"anonymous programs", "", "GET", "/api/v1/benefit/programs", nil, 401, nil},
			{"the public page needs no session", "", "GET", "/api/v1/public/postings/nosuchcode", nil, 404, func(t *testing.T, b string) {
				if !strings.Contains(b, "公示不存在") {
					t.Errorf("public page: %s", b)
				}
			}},
			{"a wrong verification code", "", "GET", "/api/v1/public/notices/ABCDEFGHJKLM", nil, 404, func(t *testing.T, b string) {
				if !strings.Contains(b, "验证码") {
					t.Errorf("verify: %s", b)
				}
			}},
			{"no rejection notices yet", "villagea", "POST", "/api/v1/benefit/notices", map[string]any{"kind": "rejection", "program": "jiangfu", "year": 2026}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("notices: %s", b)
				}
			}},
			{"the notices PDF before any is issued", "villagea", "GET", "/api/v1/benefit/notices/pdf?kind=rejection&program=jiangfu&year=2026", nil, 200, func(t *testing.T, b string) {
				if !strings.HasPrefix(b, "%PDF-1.5") || !strings.HasSuffix(b, "%%EOF\n") {
					t.Errorf("notices PDF: %.40q", b)
				}
			}},
			{"the notices PDF of an unknown kind", "villagea", "GET", "/api/v1/benefit/notices/pdf?kind=fine&program=jiangfu", nil, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"kind"`) {
					t.Errorf("kind: %s", b)
				}
			}},
			{"the notices PDF with a bad cycle", "villagea", "GET", "/api/v1/benefit/notices/pdf?kind=payment&program=jiangfu&cycle_id=x", nil, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"cycle_id"`) {
					t.Errorf("cycle: %s", b)
				}
			}},
			{"leaders do not print notices", "viewer", "GET", "/api/v1/benefit/notices/pdf?kind=rejection&program=jiangfu", nil, 403, nil},
			{"no notices PDF without a session", "", "GET", "/api/v1/benefit/notices/pdf?kind=rejection&program=jiangfu", nil, 401, nil},
			{"the public poster PDF of an unknown code", "", "GET", "/api/v1/public/postings/nosuchcode/pdf", nil, 404, nil},
			{"the poster PDF of a posting that is not there", "villagea", "GET", "/api/v1/benefit/postings/999/pdf", nil, 404, nil},
			{"a village posts an empty list", "villagea", "POST", "/api/v1/benefit/postings", map[string]any{"program": "jiangfu",
				"year": 2026, "level": "village", "division": villageA}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, "没有等待公示的对象") {
					t.Errorf("empty posting: %s", b)
				}
			}},
			{"another village posts A's list", "villageb", "POST", "/api/v1/benefit/postings", map[string]any{"program": "jiangfu",
				"year": 2026, "level": "village", "division": villageA}, 404, nil},
			{"sysadmin has no benefits", "admin", "GET", "/api/v1/benefit/programs", nil, 403, nil},
			{"leaders read the programs", "viewer", "GET", "/api/v1/benefit/programs?date=2026-01-01", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"code":"childcare"`) || !strings.Contains(b, `"key":"annual_amount","value":"360000"`) ||
					!strings.Contains(b, "每孩每年3600元") {
					t.Errorf("programs: %.600s", b)
				}
			}},
			{"leaders do not evaluate", "viewer", "POST", "/api/v1/benefit/evaluate", evaluate("jiangfu", f.mother.ID, ""), 403, nil},
			{"owner evaluates 奖扶", "villagea", "POST", "/api/v1/benefit/evaluate", evaluate("jiangfu", f.mother.ID, "2026-11-22"), 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"eligible":false`) || !strings.Contains(b, `"code":"age","label":"年满规定年龄","passed":false`) ||
					!strings.Contains(b, `"age":"36"`) || !strings.Contains(b, `"id":`) {
					t.Errorf("jiangfu decision: %s", b)
				}
			}},
			{"childcare for the younger child", "villagea", "POST", "/api/v1/benefit/evaluate", evaluate("childcare", f.child2.ID, "2024-06-01"), 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"eligible":false`) || !strings.Contains(b, "育儿补贴已实施") {
					t.Errorf("before the scheme: %s", b)
				}
			}},
			{"another village evaluates", "villageb", "POST", "/api/v1/benefit/evaluate", evaluate("jiangfu", f.mother.ID, ""), 404, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"person_id"`) {
					t.Errorf("field: %s", b)
				}
			}},
			{"another village attests", "villageb", "POST", "/api/v1/benefit/facts", map[string]any{"person_id": f.mother.ID,
				"key": "policy_compliant", "value": "yes", "evidence": "核实表"}, 404, nil},
			{"attest", "villagea", "POST", "/api/v1/benefit/facts", map[string]any{"person_id": f.mother.ID,
				"key": "policy_compliant", "value": "yes", "evidence": "核实表"}, 201, nil},
			{"attest without evidence", "villagea", "POST", "/api/v1/benefit/facts", map[string]any{"person_id": f.mother.ID,
				"key": "policy_compliant", "value": "yes"}, 400, nil},
			{"unknown program", "villagea", "POST", "/api/v1/benefit/evaluate", evaluate("pension", f.mother.ID, ""), 400, nil},
			{"bad date", "villagea", "POST", "/api/v1/benefit/evaluate", evaluate("jiangfu", f.mother.ID, "2026-02-30"), 400, nil},
			{"village sets a parameter", "villagea", "PUT", "/api/v1/benefit/params", map[string]any{"program": "jiangfu",
				"key": "topup_annual", "scope": county, "from": "2027-01-01", "value": "24000", "basis": "县文件"}, 403, nil},
			{"county tops up", "county", "PUT", "/api/v1/benefit/params", map[string]any{"program": "jiangfu",
				"key": "topup_annual", "scope": county, "from": "2027-01-01", "value": "24000", "basis": "县文件"}, 200, nil},
			{"the top-up shows in 2027", "county", "GET", "/api/v1/benefit/programs?date=2027-01-01", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"key":"topup_annual","value":"24000","scope":"341523","level":"county"`) {
					t.Errorf("county layer: %.900s", b)
				}
			}},
			{"sweep 育儿补贴", "villagea", "POST", "/api/v1/benefit/sweeps", map[string]any{"program": "childcare", "year": 2026}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"added":`) {
					t.Errorf("sweep: %s", b)
				}
			}},
			{"apply twice", "villagea", "POST", "/api/v1/benefit/candidates", map[string]any{"program": "jiangfu", "year": 2026, "person_id": f.mother.ID}, 201, nil},
			{"the second application", "villagea", "POST", "/api/v1/benefit/candidates", map[string]any{"program": "jiangfu", "year": 2026, "person_id": f.mother.ID}, 409, nil},
			{"another village applies", "villageb", "POST", "/api/v1/benefit/candidates", map[string]any{"program": "jiangfu", "year": 2027, "person_id": f.mother.ID}, 404, nil},
			{"the village queue", "villagea", "GET", "/api/v1/benefit/candidates?mine=1&program=jiangfu", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"stage":"village_check"`) || !strings.Contains(b, `"eligible":false`) || strings.Contains(b, motherID) {
					t.Errorf("queue: %s", b)
				}
			}},
			{"another village's queue", "villageb", "GET", "/api/v1/benefit/candidates?program=jiangfu", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("village B sees A's candidates: %s", b)
				}
			}},
			{"an account", "villagea", "POST", "/api/v1/benefit/accounts", map[string]any{"person_id": f.mother.ID, "bank": "舒城农商银行",
				"account_name": "王秀英", "account_no": "6217 0000 1234 5678"}, 201, func(t *testing.T, b string) {
				if strings.Contains(b, "6217000012345678") || !strings.Contains(b, "6217********5678") {
					t.Errorf("account answered unmasked: %s", b)
				}
			}},
			{"a village generates a payroll", "villagea", "POST", "/api/v1/benefit/cycles", map[string]any{"program": "jiangfu", "period": "2026-Q4"}, 403, nil},
			{"the county generates an empty payroll", "county", "POST", "/api/v1/benefit/cycles", map[string]any{"program": "jiangfu", "period": "2026-Q4"}, 201, nil},
			{"generating again returns it", "county", "POST", "/api/v1/benefit/cycles", map[string]any{"program": "jiangfu", "period": "2026-Q4"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"created":false`) {
					t.Errorf("second generation: %s", b)
				}
			}},
			{"bank layouts", "county", "GET", "/api/v1/benefit/bank-layouts", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"key":"rcc-fixed-gbk"`) {
					t.Errorf("layouts: %.300s", b)
				}
			}},
			{"an empty cycle's bank file", "county", "GET", "/api/v1/benefit/cycles/1/bankfile?layout=generic-csv", nil, 409, nil},
			{"another village's bank file", "villageb", "GET", "/api/v1/benefit/cycles/1/bankfile?layout=generic-csv", nil, 404, nil},
			{"a return without a file", "county", "POST", "/api/v1/benefit/cycles/1/returns?layout=generic-csv", map[string]any{}, 400, nil},
			{"the journal holds the decisions", "county", "GET", fmt.Sprintf("/api/v1/audit?entity=person&entity_id=%d&action=benefit.evaluate", f.mother.ID), nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, `"param_version":"annual_amount=96000@national/2012-01-01`) {
					t.Errorf("journal: %.400s", b)
				}
			}},
		})
	})
}

// Only a demonstration database may be served with its dates moved ahead.
func TestDaysAheadOnlyForDemo(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.SQLitePath(t)
	keyFile := filepath.Join(t.TempDir(), "jisheng.key")
	res, err := initialise(operatorCtx(ctx), initOptions{dsn: dsn, keyFile: keyFile, county: county, cipher: "aes-256-gcm",
		auditAlg: "hmac-sha256", admin: "admin", adminPassword: testPassword, passwordChosen: true})
	if err != nil {
		t.Fatal(err)
	}
	res.app.Close()
	cfg := ServeConfig{DSN: dsn, KeyFile: keyFile, Addr: "127.0.0.1:0", Sessions: account.DefaultConfig,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DaysAhead: 8}
	if m, err := NewMain(ctx, cfg); err == nil || !strings.Contains(err.Error(), "演示库") {
		if m != nil {
			m.Close()
		}
		t.Fatalf("a real database served 8 days ahead: %v", err)
	}
	a, err := openApp(ctx, dsn, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.Tx(ctx, func(tx *db.Tx) error { return writeSetting(ctx, tx, settingDemo, "1") }); err != nil {
		t.Fatal(err)
	}
	a.Close()
	m, err := NewMain(ctx, cfg)
	if err != nil {
		t.Fatalf("a demonstration database: %v", err)
	}
	defer m.Close()
	if got, want := m.app.benefit.Today(), time.Now().Add(8*24*time.Hour).In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly); got != want {
		t.Errorf("benefit today %s, want %s", got, want)
	}
}
