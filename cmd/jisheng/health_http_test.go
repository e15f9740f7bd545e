package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

type caseJSON struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Stage  string `json:"stage"`
	RegNo  string `json:"reg_no"`
	Visits []struct {
		ID       int64  `json:"id"`
		Kind     string `json:"kind"`
		Status   string `json:"status"`
		DueOn    string `json:"due_on"`
		Version  int    `json:"version"`
		Contacts []struct {
			Method string `json:"method"`
		} `json:"contacts"`
	} `json:"visits"`
}

func TestHealthScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		va := s.signIn(t, "villagea")
		procedure := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -10).Format(time.DateOnly)

		open := map[string]any{"program": "postop", "person_id": f.mother.ID, "date": procedure,
			"fields": map[string]any{"procedure_type": "iud_insertion", "note": "术后恢复良好"}, "request_key": "tap-1"}
		var c, again caseJSON
		va.json("POST", "/api/v1/health/cases", open, 201, &c)
		va.json("POST", "/api/v1/health/cases", open, 201, &again)
		if again.ID != c.ID {
			t.Fatalf("a retried submission opened case %d beside %d", again.ID, c.ID)
		}
		caseURL := fmt.Sprintf("/api/v1/health/cases/%d", c.ID)
		var det caseJSON
		va.json("GET", caseURL, nil, 200, &det)
		if len(det.Visits) != 4 || det.Visits[0].Kind != "week1" {
			t.Fatalf("scheduled visits: %+v", det.Visits)
		}
		week1 := fmt.Sprintf("/api/v1/health/visits/%d", det.Visits[0].ID)
		month1 := fmt.Sprintf("/api/v1/health/visits/%d", det.Visits[1].ID)
		assign := func(user string) map[string]any {
			return map[string]any{"username": user, "version": det.Visits[1].Version}
		}
		var reg caseJSON
		va.json("POST", "/api/v1/health/cases", map[string]any{"program": "birth_reg", "person_id": f.mother.ID,
			"fields": map[string]any{"kind": "birth", "birth_date": "2026-01-05"}}, 201, &reg)
		if !strings.HasPrefix(reg.RegNo, "SY341523-") {
			t.Fatalf("registration number %q", reg.RegNo)
		}

		scenarios := []scenario{
			{"anonymous work list", "", "GET", "/api/v1/health/worklist", nil, 401, nil},
			{"viewer has no health records", "viewer", "GET", "/api/v1/health/cases", nil, 403, nil},
			{"sysadmin has no health records", "admin", "GET", caseURL, nil, 403, nil},
			{"viewer reads figures", "viewer", "GET", "/api/v1/health/figures?from=2026-01-01&to=2026-12-31", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"type":"iud_insertion","name":"放置宫内节育器","count":1`) {
					t.Errorf("procedure figure: %s", b)
				}
			}},
			{"owner's work list", "villagea", "GET", "/api/v1/health/worklist?bucket=overdue", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, "王秀英") || !strings.Contains(b, `"kind":"week1"`) ||
					strings.Contains(b, "术后恢复良好") || strings.Contains(b, motherID) {
					t.Errorf("overdue list: %s", b)
				}
			}},
			{"lists carry no details", "villagea", "GET", "/api/v1/health/cases", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":2`) || strings.Contains(b, "术后恢复良好") || strings.Contains(b, "iud_insertion") {
					t.Errorf("case list: %s", b)
				}
			}},
			{"other village reads the case", "villageb", "GET", caseURL, nil, 404, nil},
			{"other village's work list", "villageb", "GET", "/api/v1/health/worklist?bucket=all", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("village B sees A's visits: %s", b)
				}
			}},
			{"other village records a visit", "villageb", "POST", week1 + "/contacts", map[string]any{"method": "home"}, 404, nil},
			{"other village opens a case for A's resident", "villageb", "POST", "/api/v1/health/cases",
				map[string]any{"program": "screening", "person_id": f.mother.ID, "fields": map[string]any{"items": []string{"tct"}}}, 404, func(t *testing.T, b string) {
					if !strings.Contains(b, `"field":"person_id"`) {
						t.Errorf("person not named: %s", b)
					}
				}},
			{"other village's work list of A", "villageb", "GET", "/api/v1/health/worklist?division=" + villageA, nil, 404, nil},
			{"bad method", "villagea", "POST", week1 + "/contacts", map[string]any{"method": "letter"}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"method"`) {
					t.Errorf("method not named: %s", b)
				}
			}},
			{"not reached needs a reason", "villagea", "POST", week1 + "/contacts", map[string]any{"method": "not_reached"}, 400, nil},
			{"unknown field", "villagea", "POST", "/api/v1/health/cases", `{"program":"postop","colour":1}`, 400, nil},
			{"unknown stage field", "villagea", "POST", caseURL + "/steps", map[string]any{"stage": "closed",
				"fields": map[string]any{"reason": "moved", "weight": "60"}}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"fields.weight"`) {
					t.Errorf("field not named: %s", b)
				}
			}},
			{"future visit date", "villagea", "POST", week1 + "/contacts", map[string]any{"method": "home", "date": "2999-01-01"}, 400, nil},
			{"phone visit", "villagea", "POST", week1 + "/contacts", map[string]any{"method": "phone", "request_key": "tap-2"}, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"status":"done"`) || !strings.Contains(b, `"method":"phone"`) {
					t.Errorf("visit not done: %s", b)
				}
			}},
			{"double tap", "villagea", "POST", week1 + "/contacts", map[string]any{"method": "phone", "request_key": "tap-2"}, 200, func(t *testing.T, b string) {
				if strings.Count(b, `"recorded_by"`) != 1 {
					t.Errorf("second contact recorded: %s", b)
				}
			}},
			{"assign to an officer of another village", "towna", "POST", month1 + "/assign", assign("villageb"), 404, nil},
			{"other village assigns", "villageb", "POST", month1 + "/assign", assign("villageb"), 404, nil},
			{"assign to an unknown user", "towna", "POST", month1 + "/assign", assign("nobody"), 404, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"username"`) {
					t.Errorf("username not named: %s", b)
				}
			}},
			{"assign to a leader", "county", "POST", month1 + "/assign", assign("viewer"), 400, nil},
			{"officers serving village A", "towna", "GET", "/api/v1/health/officers?division=" + villageA, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"username":"villagea"`) || !strings.Contains(b, `"username":"towna"`) ||
					strings.Contains(b, `"username":"villageb"`) || strings.Contains(b, `"username":"county"`) || strings.Contains(b, `"username":"viewer"`) {
					t.Errorf("officers of village A seen from the township: %s", b)
				}
			}},
			{"officers of another village's area", "villageb", "GET", "/api/v1/health/officers?division=" + villageA, nil, 404, nil},
			{"assign to the village officer", "towna", "POST", month1 + "/assign", assign("villagea"), 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"assigned_to":"villagea"`) {
					t.Errorf("not assigned: %s", b)
				}
			}},
			{"stale assignment", "towna", "POST", month1 + "/assign", assign(""), 409, nil},
			{"the officer's own list", "villagea", "GET", "/api/v1/health/worklist?bucket=all&mine=1", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"assigned_to":"villagea"`) {
					t.Errorf("assigned visit not on the officer's list: %s", b)
				}
			}},
			{"the township looks at one officer's list", "towna", "GET", "/api/v1/health/worklist?bucket=all&officer=villagea", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"kind":"month1"`) {
					t.Errorf("officer list: %s", b)
				}
			}},
			{"an officer outside the township", "towna", "GET", "/api/v1/health/worklist?bucket=all&officer=villageb", nil, 400, nil},
			{"another village officer's list is empty", "county", "GET", "/api/v1/health/worklist?bucket=all&officer=villageb", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("village B officer list: %s", b)
				}
			}},
			{"an unknown officer's list", "towna", "GET", "/api/v1/health/worklist?officer=nobody", nil, 400, nil},
			{"township reads the case", "towna", "GET", caseURL, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "术后恢复良好") {
					t.Errorf("details missing: %s", b)
				}
			}},
			{"close", "villagea", "POST", caseURL + "/steps", map[string]any{"stage": "closed", "fields": map[string]any{"reason": "moved"}}, 200, nil},
			{"closed case refuses a step", "villagea", "POST", caseURL + "/steps", map[string]any{"stage": "closed",
				"fields": map[string]any{"reason": "other"}}, 409, func(t *testing.T, b string) {
				if !strings.Contains(b, "重新打开") {
					t.Errorf("no hint to reopen: %s", b)
				}
			}},
			{"reopen without reason", "villagea", "POST", caseURL + "/reopen", map[string]any{"reason": ""}, 400, nil},
			{"reopen", "villagea", "POST", caseURL + "/reopen", map[string]any{"reason": "误操作结案"}, 200, nil},
			{"journal shows the reads and the reopening", "county", "GET", "/api/v1/audit?entity=health_case&entity_id=" + fmt.Sprint(c.ID), nil, 200, func(t *testing.T, b string) {
				for _, action := range []string{"health.view", "health.reopen", "health.step", "health.case_open"} {
					if !strings.Contains(b, `"action":"`+action+`"`) {
						t.Errorf("journal lacks %s: %s", action, b)
					}
				}
			}},
			{"the procedure set the method", "villagea", "GET", fmt.Sprintf("/api/v1/supply/persons/%d/methods", f.mother.ID), nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"method":"iud"`) || !strings.Contains(b, `"source":"procedure"`) {
					t.Errorf("method register after an IUD insertion: %s", b)
				}
			}},
			{"village sets a task", "villagea", "PUT", "/api/v1/health/tasks", map[string]any{"division": villageA, "year": 2026, "program": "prepreg", "number": 5}, 403, nil},
			{"county sets a task", "county", "PUT", "/api/v1/health/tasks", map[string]any{"division": townA, "year": 2026, "program": "prepreg", "number": 5}, 200, nil},
			{"bad period", "county", "GET", "/api/v1/health/figures?from=2026-13-01&to=2026-12-31", nil, 400, nil},
		}
		s.play(t, map[string]*client{}, scenarios)

		// The card opens the record at a station of another township.
		var card struct {
			CardNo string `json:"card_no"`
		}
		va.json("POST", "/api/v1/health/cards", map[string]any{"person_id": f.mother.ID}, 201, &card)
		vb := s.signIn(t, "villageb")
		if st, body := vb.do("GET", "/api/v1/health/cards/"+card.CardNo, nil); st != 200 || !strings.Contains(body, "王秀英") {
			t.Errorf("card look-up from another township: %d %s", st, body)
		}
		if st, _ := vb.do("GET", "/api/v1/health/cards/12345", nil); st != 400 {
			t.Errorf("malformed card number: %d", st)
		}
	})
}
