package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

type findingJSON struct {
	Rule     string `json:"rule"`
	Entity   string `json:"entity"`
	EntityID int64  `json:"entity_id"`
	Division string `json:"division"`
	Person   *struct {
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
	} `json:"person"`
}

type findingList struct {
	Items []findingJSON `json:"items"`
	Total int           `json:"total"`
}

// TestQualityScenarios runs the data-quality API after the village A
// officer registered the fixture (a married mother without a linked spouse,
// two children lacking required fields, one without an ID number) and the
// village B officer one incomplete person: each caller sees the findings of
// their own area only, the figures add up, a fix clears its finding, and
// only county-level roles recompute.
func TestQualityScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		var b personJSON
		s.signIn(t, "villageb").json("POST", "/api/v1/persons", map[string]any{"name": "龙一", "sex": "male",
			"birth_date": "1970-01-01", "registered_division": villageB}, 201, &b)

		list := func(into *findingList) func(t *testing.T, body string) {
			return func(t *testing.T, body string) {
				t.Helper()
				if err := json.Unmarshal([]byte(body), into); err != nil {
					t.Fatalf("%v in %s", err, body)
				}
			}
		}
		has := func(subs ...string) func(t *testing.T, body string) {
			return func(t *testing.T, body string) {
				t.Helper()
				for _, sub := range subs {
					if !strings.Contains(body, sub) {
						t.Errorf("answer lacks %s: %.600s", sub, body)
					}
				}
			}
		}
		var ofA, ofB findingList
		steps := []struct {
			name   string
			user   string
			method string
			path   string
			body   any
			want   int
			check  func(t *testing.T, body string)
		}{
			{"anonymous", "", "GET", "/api/v1/quality/findings", nil, 401, nil},
			{"village A lists", "villagea", "GET", "/api/v1/quality/findings", nil, 200, func(t *testing.T, body string) {
				list(&ofA)(t, body)
				rules := map[string]int64{}
				for _, it := range ofA.Items {
					if it.Division != villageA || it.Entity != "person" || it.Person == nil || strings.Contains(it.Person.IDNumber, "19900307") {
						t.Errorf("village A sees %+v", it)
					}
					rules[fmt.Sprint(it.EntityID, it.Rule)] = it.EntityID
				}
				for _, want := range []string{fmt.Sprint(f.mother.ID, "married_no_spouse"), fmt.Sprint(f.child.ID, "missing_fields"),
					fmt.Sprint(f.child2.ID, "missing_id"), fmt.Sprint(f.child2.ID, "missing_fields")} {
					if _, ok := rules[want]; !ok {
						t.Errorf("village A lacks %s: %s", want, body)
					}
				}
				if ofA.Total != 4 || len(ofA.Items) != 4 {
					t.Errorf("village A total %d: %s", ofA.Total, body)
				}
			}},
			{"village B lists its own only", "villageb", "GET", "/api/v1/quality/findings", nil, 200, func(t *testing.T, body string) {
				list(&ofB)(t, body)
				if ofB.Total != 2 || ofB.Items[0].EntityID != b.ID || ofB.Items[1].EntityID != b.ID {
					t.Errorf("village B sees %s", body)
				}
			}},
			{"village B asks for village A", "villageb", "GET", "/api/v1/quality/findings?division=" + villageA, nil, 404, nil},
			{"village B summary of village A", "villageb", "GET", "/api/v1/quality/summary?division=" + villageA, nil, 404, nil},
			{"village B ranking of township A", "villageb", "GET", "/api/v1/quality/ranking?division=" + townA, nil, 404, nil},
			{"filter by rule", "county", "GET", "/api/v1/quality/findings?rule=missing_fields", nil, 200, has(`"total":3`, `"rule_label":"必填项缺失"`, "缺少民族、户口性质、婚姻状况")},
			{"unknown rule", "county", "GET", "/api/v1/quality/findings?rule=nonsense", nil, 400, has(`"field":"rule"`)},
			{"bad page size", "county", "GET", "/api/v1/quality/findings?size=1000", nil, 400, nil},
			{"viewer lists", "viewer", "GET", "/api/v1/quality/findings?size=2&page=3", nil, 200, has(`"total":6`, `"items":[{`)},
			{"sysadmin sees no records", "admin", "GET", "/api/v1/quality/findings", nil, 403, nil},
			{"township summary", "towna", "GET", "/api/v1/quality/summary", nil, 200, has(
				`"code":"`+townA+`"`, `"records":3`, `"complete":1`, `"coverage":33.33`, `"with_id":2`, `"id_accuracy":100`,
				`"code":"`+villageA+`"`, `"open":4`)},
			{"county summary", "viewer", "GET", "/api/v1/quality/summary", nil, 200, has(`"records":4`, `"coverage":25`, `"open":6`,
				`"code":"`+townB+`"`, `"rules":[`)},
			{"village ranking", "county", "GET", "/api/v1/quality/ranking?level=village", nil, 200, has(`"rank":1`, `"level":"village"`,
				`"score":"按身份证号准确率`)},
			{"village officer cannot rank townships", "villagea", "GET", "/api/v1/quality/ranking?level=township", nil, 400, has(`"field":"level"`)},
			{"village officer cannot recompute", "villagea", "POST", "/api/v1/quality/recompute", nil, 403, nil},
			{"viewer cannot recompute", "viewer", "POST", "/api/v1/quality/recompute", nil, 403, nil},
			{"county recomputes", "county", "POST", "/api/v1/quality/recompute", nil, 200, has(`"findings":6`, `"added":0`, `"cleared":0`, `"division":"341523"`)},
			{"county sees the last result", "county", "GET", "/api/v1/quality/recompute", nil, 200, has(`"running":false`, `"last":{`)},
			{"village officer does not", "villagea", "GET", "/api/v1/quality/recompute", nil, 200, func(t *testing.T, body string) {
				if strings.Contains(body, `"last"`) {
					t.Errorf("village officer sees the county's result: %s", body)
				}
			}},
		}
		clients := map[string]*client{"": s.client(t)}
		run := func(name, user, method, path string, body any, want int, check func(*testing.T, string)) {
			t.Run(name, func(t *testing.T) {
				c, ok := clients[user]
				if !ok {
					c = s.signIn(t, user)
					clients[user] = c
				}
				c.t = t
				st, got := c.do(method, path, body)
				if st != want {
					t.Fatalf("status %d, want %d: %.300s", st, want, got)
				}
				if check != nil {
					check(t, got)
				}
			})
		}
		for _, st := range steps {
			run(st.name, st.user, st.method, st.path, st.body, st.want, st.check)
		}

		// The officer completes the first child's record: its finding clears.
		va := s.signIn(t, "villagea")
		var child personJSON
		va.json("GET", fmt.Sprintf("/api/v1/persons/%d", f.child.ID), nil, 200, &child)
		va.json("PUT", fmt.Sprintf("/api/v1/persons/%d", f.child.ID), map[string]any{"name": child.Name, "sex": child.Sex,
			"birth_date": child.BirthDate, "id_number": child.IDNumber, "ethnicity": "汉族", "hukou_type": "non_agricultural",
			"marital_status": "unmarried", "registered_division": villageA, "household_id": f.household, "relation": "child",
			"mother_id": f.mother.ID, "version": child.Version}, 200, nil)
		run("fixed record's finding is gone", "villagea", "GET", "/api/v1/quality/findings?rule=missing_fields", nil, 200, func(t *testing.T, body string) {
			var l findingList
			list(&l)(t, body)
			if l.Total != 1 || l.Items[0].EntityID != f.child2.ID {
				t.Errorf("after the fix: %s", body)
			}
		})
		run("and the figures follow", "towna", "GET", "/api/v1/quality/summary?division="+villageA, nil, 200, has(`"complete":2`, `"coverage":66.67`, `"open":3`))
	})
}

// TestQualityRecomputeCommand: the demo generator writes without the
// registry's hooks and ends with a recompute, so the county's findings are
// there when it is done, and a recompute from the command line finds
// nothing new.
func TestQualityRecomputeCommand(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		key := filepath.Join(t.TempDir(), "jisheng.key")
		if _, _, err := runCLI(t, "", "demo", "--db", dsn, "--key-file", key, "--persons", "300"); err != nil {
			t.Fatalf("demo: %v", err)
		}
		out, errOut, err := runCLI(t, "", "quality", "recompute", "--db", dsn, "--key-file", key)
		if err != nil || !strings.Contains(out, "新发现 0 个问题，更新 0 个，已解决 0 个") ||
			!strings.Contains(out, "已婚未关联配偶") || strings.Contains(out, "现有未处理问题 0 个") ||
			!strings.Contains(errOut, "重新计算数据质量 100%") {
			t.Fatalf("recompute after the demo: %v\n%s\n%s", err, out, errOut)
		}
		if _, _, err := runCLI(t, "", "quality", "nonsense"); err == nil || exitCode(err) != 2 {
			t.Fatalf("unknown subcommand: %v", err)
		}
	})
}
