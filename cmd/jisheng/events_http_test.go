package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type eventJSON struct {
	ID          int64  `json:"id"`
	PersonID    int64  `json:"person_id"`
	Kind        string `json:"kind"`
	Date        string `json:"date"`
	Effective   bool   `json:"effective"`
	CorrectedBy *struct {
		ID int64 `json:"id"`
	} `json:"corrected_by"`
}

// TestEventScenarios runs life events, "as of" queries and 人户分离 lists
// through the HTTP API, step by step: each step may use what earlier ones
// created. Callers from another village get 404 for persons of village A.
func TestEventScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		var born, leave eventJSON
		child := fmt.Sprintf("/api/v1/persons/%d", f.child.ID)
		decode := func(t *testing.T, b string, into any) {
			t.Helper()
			if err := json.Unmarshal([]byte(b), into); err != nil {
				t.Fatalf("%v in %s", err, b)
			}
		}
		contains := func(subs ...string) func(t *testing.T, b string) {
			return func(t *testing.T, b string) {
				t.Helper()
				for _, sub := range subs {
					if !strings.Contains(b, sub) {
						t.Errorf("answer lacks %s: %s", sub, b)
					}
				}
			}
		}
		steps := []struct {
			name   string
			user   string
			method string
			path   func() string
			body   func() any
			want   int
			check  func(t *testing.T, body string)
		}{
			{"birth", "villagea", "POST", fixed("/api/v1/events/birth"), func() any {
				return map[string]any{"name": "李小", "sex": "female", "date": "2024-03-03", "mother_id": f.mother.ID,
					"division": villageA, "household_id": f.household, "relation": "child", "place": "舒城县人民医院"}
			}, 201, func(t *testing.T, b string) {
				decode(t, b, &born)
				if born.Kind != "birth" || born.PersonID == 0 || !born.Effective {
					t.Errorf("birth answer %s", b)
				}
			}},
			{"newborn's birth order", "villagea", "GET", func() string { return fmt.Sprintf("/api/v1/persons/%d", born.PersonID) }, nil, 200,
				contains(`"birth_order":3`, `"household_no":"341523100001-0001"`)},
			{"other village records a birth in A", "villageb", "POST", fixed("/api/v1/events/birth"), func() any {
				return map[string]any{"name": "张小", "sex": "male", "date": "2024-03-03", "division": villageA}
			}, 400, contains(`"field":"division"`)},
			{"leave", "villagea", "POST", fixed(child + "/events"), func() any {
				return map[string]any{"kind": "leave", "date": "2023-01-01", "place": "广东省东莞市"}
			}, 201, func(t *testing.T, b string) { decode(t, b, &leave) }},
			{"leave again", "villagea", "POST", fixed(child + "/events"), func() any {
				return map[string]any{"kind": "leave", "date": "2024-01-01", "place": "浙江省"}
			}, 400, contains(`"field":"kind"`, "已登记流出")},
			{"future date", "villagea", "POST", fixed(child + "/events"), func() any {
				return map[string]any{"kind": "return", "date": "2999-01-01"}
			}, 400, contains(`"field":"date"`)},
			{"other village records", "villageb", "POST", fixed(child + "/events"), func() any {
				return map[string]any{"kind": "return", "date": "2024-01-01"}
			}, 404, nil},
			{"other village lists events", "villageb", "GET", fixed(child + "/events"), nil, 404, nil},
			{"other village asks the state", "villageb", "GET", fixed(child + "/state?date=2023-06-01"), nil, 404, nil},
			{"viewer records", "viewer", "POST", fixed(child + "/events"), func() any {
				return map[string]any{"kind": "return", "date": "2024-01-01"}
			}, 403, nil},
			{"events", "villagea", "GET", fixed(child + "/events"), nil, 200, contains(`"total":1`, `"kind_label":"流出"`, `"place":"广东省东莞市"`)},
			{"state before leaving", "villagea", "GET", fixed(child + "/state?date=2022-12-31"), nil, 200, contains(`"away_place":""`, `"has_events":true`)},
			{"state after leaving", "villagea", "GET", fixed(child + "/state?date=2023-01-01"), nil, 200, contains(`"away_place":"广东省东莞市"`, `"away_since":"2023-01-01"`)},
			{"state of a person without events", "villagea", "GET", func() string { return fmt.Sprintf("/api/v1/persons/%d/state?date=1990-03-06", f.mother.ID) }, nil, 200,
				contains(`"exists":false`)},
			{"bad date", "villagea", "GET", fixed(child + "/state?date=2023-13-01"), nil, 400, contains(`"field":"date"`)},
			{"away list", "villagea", "GET", fixed("/api/v1/separation?kind=away"), nil, 200,
				contains(`"total":2`, `"广东省东莞市"`, `"other_division":"`+villageA2+`"`)},
			{"present list of A2", "towna", "GET", fixed("/api/v1/separation?kind=present&division=" + villageA2), nil, 200,
				contains(`"total":1`, `"name":"李红"`, `"other_division":"`+villageA+`"`)},
			{"other village's own list", "villageb", "GET", fixed("/api/v1/separation?kind=away"), nil, 200, contains(`"total":0`)},
			{"other village asks A's list", "villageb", "GET", fixed("/api/v1/separation?kind=away&division=" + villageA), nil, 404, nil},
			{"bad kind", "villagea", "GET", fixed("/api/v1/separation?kind=all"), nil, 400, contains(`"field":"kind"`)},
			{"separation counts", "towna", "GET", fixed("/api/v1/separation/counts"), nil, 200, contains(`"away":1`, `"present":0`)},
			{"population in 2020", "villagea", "GET", fixed("/api/v1/stats/population?division=" + villageA + "&date=2020-01-01"), nil, 200,
				contains(`"registered":{"total":2,"male":1,"female":1}`)},
			{"population today", "villagea", "GET", fixed("/api/v1/stats/population"), nil, 200,
				contains(`"registered":{"total":4,"male":1,"female":3}`, `"resident":{"total":2,"male":0,"female":2}`)},
			{"other village asks A's population", "villageb", "GET", fixed("/api/v1/stats/population?division=" + villageA), nil, 404, nil},
			{"void without a reason", "villagea", "POST", fixed(child + "/events"), func() any {
				return map[string]any{"kind": "void", "corrects": leave.ID}
			}, 400, contains(`"field":"note"`)},
			{"void", "villagea", "POST", fixed(child + "/events"), func() any {
				return map[string]any{"kind": "void", "corrects": leave.ID, "note": "未外出，误登"}
			}, 201, contains(`"kind":"void"`, `"date":"2023-01-01"`)},
			{"voided history", "villagea", "GET", fixed(child + "/events"), nil, 200, func(t *testing.T, b string) {
				var l struct{ Items []eventJSON }
				decode(t, b, &l)
				if len(l.Items) != 2 || l.Items[0].Effective || l.Items[0].CorrectedBy == nil || l.Items[1].Kind != "void" {
					t.Errorf("history after void: %s", b)
				}
			}},
			{"state after void", "villagea", "GET", fixed(child + "/state?date=2023-06-01"), nil, 200, contains(`"away_place":""`)},
			{"edit of an event-owned field", "towna", "PUT", fixed(child), func() any {
				return map[string]any{"name": "李明", "sex": "male", "birth_date": "2015-01-02", "registered_division": villageA2,
					"version": 3}
			}, 400, contains(`"field":"registered_division"`, "登记事件")},
			{"event kinds in enums", "", "GET", fixed("/api/v1/meta/enums"), nil, 200, contains(`"event_kind":[{"value":"birth","label":"出生"}`)},
			{"journal", "county", "GET", fixed("/api/v1/audit?action=event.record"), nil, 200, contains(`"total":2`)},
		}
		clients := map[string]*client{"": s.client(t)}
		for _, st := range steps {
			c, ok := clients[st.user]
			if !ok {
				c = s.signIn(t, st.user)
				clients[st.user] = c
			}
			var body any
			if st.body != nil {
				body = st.body()
			}
			status, b := c.do(st.method, st.path(), body)
			if status != st.want {
				t.Errorf("%s: %s %s → %d, want %d: %s", st.name, st.method, st.path(), status, st.want, b)
				continue
			}
			if st.check != nil {
				t.Run(st.name, func(t *testing.T) { st.check(t, b) })
			}
		}
	})
}

func fixed(p string) func() string { return func() string { return p } }
