package main

import (
	"fmt"
	"strings"
	"testing"
)

// Facts and accounts read back, candidates found by name, the parameter
// history, and a child's payee changed from the mother to the father.
func TestBenefitPersonsAndPayeeScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		va := s.signIn(t, "villagea")
		var father, baby personJSON
		va.json("POST", "/api/v1/persons", map[string]any{"name": "李军", "sex": "male", "birth_date": "1988-04-01",
			"registered_division": villageA, "household_id": f.household, "relation": "spouse"}, 201, &father)
		va.json("POST", "/api/v1/persons", map[string]any{"name": "李乐", "sex": "male", "birth_date": "2025-03-10",
			"registered_division": villageA, "household_id": f.household, "relation": "child", "mother_id": f.mother.ID,
			"father_id": father.ID}, 201, &baby)
		va.json("POST", "/api/v1/benefit/sweeps", map[string]any{"program": "childcare", "year": 2026}, 200, nil)
		var list struct {
			Items []struct {
				ID        int64  `json:"id"`
				PersonID  int64  `json:"person_id"`
				PayeeID   int64  `json:"payee_id"`
				PayeeName string `json:"payee_name"`
				Version   int    `json:"version"`
			} `json:"items"`
		}
		va.json("GET", "/api/v1/benefit/candidates?program=childcare&q=李乐", nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].PersonID != baby.ID || list.Items[0].PayeeID != f.mother.ID || list.Items[0].PayeeName != "王秀英" {
			t.Fatalf("the swept baby, paid to the mother: %+v", list)
		}
		cand := list.Items[0]
		facts := fmt.Sprintf("/api/v1/benefit/persons/%d/facts", f.mother.ID)
		account := fmt.Sprintf("/api/v1/benefit/persons/%d/account", f.mother.ID)
		payee := fmt.Sprintf("/api/v1/benefit/candidates/%d/payee", cand.ID)
		change := func(person int64, reason string, version int) map[string]any {
			return map[string]any{"payee_id": person, "reason": reason, "version": version}
		}

		s.play(t, map[string]*client{"villagea": va}, []scenario{
			{"anonymous facts", "", "GET", facts, nil, 401, nil},
			{"no facts yet", "villagea", "GET", facts, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"facts":[]`) || !strings.Contains(b, `"history":[]`) || !strings.Contains(b, `"name":"王秀英"`) {
					t.Errorf("facts: %s", b)
				}
			}},
			{"attest", "villagea", "POST", "/api/v1/benefit/facts", map[string]any{"person_id": f.mother.ID,
				"key": "policy_compliant", "value": "yes", "evidence": "核实表 2026-17"}, 201, nil},
			{"the facts in force", "villagea", "GET", facts, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"key":"policy_compliant","label":"1973至2001年间无政策外生育","value":"yes","value_label":"是","evidence":"核实表 2026-17","attested_by":"villagea"`) {
					t.Errorf("facts: %s", b)
				}
			}},
			{"leaders read the facts", "viewer", "GET", facts, nil, 200, nil},
			{"another village reads the facts", "villageb", "GET", facts, nil, 404, nil},
			{"sysadmin has no benefits", "admin", "GET", facts, nil, 403, nil},
			{"no account yet", "villagea", "GET", account, nil, 404, func(t *testing.T, b string) {
				if !strings.Contains(b, "尚未登记发放账户") {
					t.Errorf("no account: %s", b)
				}
			}},
			{"an account", "villagea", "POST", "/api/v1/benefit/accounts", map[string]any{"person_id": f.mother.ID, "bank": "舒城农商银行",
				"account_name": "王秀英", "account_no": "6217 0000 1234 5678"}, 201, nil},
			{"the account, masked", "villagea", "GET", account, nil, 200, func(t *testing.T, b string) {
				if strings.Contains(b, "6217000012345678") || !strings.Contains(b, `"account_no":"6217********5678"`) ||
					!strings.Contains(b, `"bank":"舒城农商银行"`) || !strings.Contains(b, `"set_by":"villagea"`) {
					t.Errorf("account: %s", b)
				}
			}},
			{"another village reads the account", "villageb", "GET", account, nil, 404, nil},
			{"a person who is not there", "villagea", "GET", "/api/v1/benefit/persons/99999/account", nil, 404, nil},

			{"candidates by part of the name", "villagea", "GET", "/api/v1/benefit/candidates?q=乐", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, "李乐") {
					t.Errorf("name search: %s", b)
				}
			}},
			{"a name nobody has", "villagea", "GET", "/api/v1/benefit/candidates?q=赵", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("name search: %s", b)
				}
			}},
			{"another village searches A's names", "villageb", "GET", "/api/v1/benefit/candidates?q=李", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("village B finds A's candidates: %s", b)
				}
			}},
			{"a search too long", "villagea", "GET", "/api/v1/benefit/candidates?q=" + strings.Repeat("李", 21), nil, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"q"`) || !strings.Contains(b, "20 个字") {
					t.Errorf("long search: %s", b)
				}
			}},

			{"county tops up", "county", "PUT", "/api/v1/benefit/params", map[string]any{"program": "jiangfu",
				"key": "topup_annual", "scope": county, "from": "2027-01-01", "value": "24000", "basis": "县文件"}, 200, nil},
			{"the programs without history", "county", "GET", "/api/v1/benefit/programs?date=2026-06-01", nil, 200, func(t *testing.T, b string) {
				if strings.Contains(b, `"history"`) || strings.Contains(b, `"value":"72000"`) {
					t.Errorf("history without asking: %.600s", b)
				}
			}},
			{"the parameter history", "county", "GET", "/api/v1/benefit/programs?date=2026-06-01&history=1", nil, 200, func(t *testing.T, b string) {
				for _, want := range []string{
					`"key":"annual_amount","scope":"","level":"national","from":"2009-01-01","to":"2011-12-31","value":"72000"`,
					`"key":"topup_annual","scope":"341523","level":"county","from":"2027-01-01","to":"","value":"24000","basis":"县文件","builtin":false,"set_by":"county"`,
					`"from":"2012-01-01","to":"","value":"96000"`,
				} {
					if !strings.Contains(b, want) {
						t.Errorf("history lacks %s", want)
					}
				}
			}},
			{"a bad history flag", "county", "GET", "/api/v1/benefit/programs?history=yes", nil, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"history"`) {
					t.Errorf("history flag: %s", b)
				}
			}},

			{"leaders do not change payees", "viewer", "POST", payee, change(father.ID, "家庭要求", cand.Version), 403, nil},
			{"another village changes the payee", "villageb", "POST", payee, change(father.ID, "家庭要求", cand.Version), 404, nil},
			{"a payee change without a reason", "villagea", "POST", payee, change(father.ID, "", cand.Version), 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"reason"`) || !strings.Contains(b, "更换理由") {
					t.Errorf("reason: %s", b)
				}
			}},
			{"a payee who is not a parent", "villagea", "POST", payee, change(f.child.ID, "家庭要求", cand.Version), 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"payee_id"`) {
					t.Errorf("not a parent: %s", b)
				}
			}},
			{"a stale version", "villagea", "POST", payee, change(father.ID, "家庭要求", cand.Version-1), 409, nil},
			{"the father becomes the payee", "villagea", "POST", payee, change(father.ID, "父母协商由父亲领取", cand.Version), 200, func(t *testing.T, b string) {
				if !strings.Contains(b, fmt.Sprintf(`"payee_id":%d,"payee_name":"李军"`, father.ID)) ||
					!strings.Contains(b, fmt.Sprintf(`"version":%d`, cand.Version+1)) || !strings.Contains(b, `"lines_kept":0`) ||
					!strings.Contains(b, "尚未登记发放账户") {
					t.Errorf("changed: %s", b)
				}
			}},
			{"the same change again", "villagea", "POST", payee, change(father.ID, "家庭要求", cand.Version), 409, nil},
			{"the journal holds the change", "county", "GET", fmt.Sprintf("/api/v1/audit?entity=benefit_candidate&entity_id=%d&action=benefit.payee", cand.ID), nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, "父母协商由父亲领取") || !strings.Contains(b, "王秀英") {
					t.Errorf("journal: %.600s", b)
				}
			}},
			{"the journal holds the facts read", "county", "GET", fmt.Sprintf("/api/v1/audit?entity=person&entity_id=%d&action=benefit.facts_view", f.mother.ID), nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":3`) {
					t.Errorf("journal: %.300s", b)
				}
			}},
		})
	})
}
