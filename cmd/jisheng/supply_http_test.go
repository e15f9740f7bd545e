package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

type supplyOpJSON struct {
	Moves []struct {
		ID      int64  `json:"id"`
		Kind    string `json:"kind"`
		BatchNo string `json:"batch_no"`
		Qty     int    `json:"qty"`
	} `json:"moves"`
	Replayed bool   `json:"replayed"`
	Method   string `json:"method"`
}

type supplySetup struct {
	station, roomA, roomB, machine int64
	condom                         int64
	condomVersion                  int
}

// supplyFixture: a county station with 100 condoms, 30 of them moved to
// village A's room, a room in village B and a machine in village A.
func supplyFixture(t *testing.T, s *testServer) supplySetup {
	t.Helper()
	cty, va, vb := s.signIn(t, "county"), s.signIn(t, "villagea"), s.signIn(t, "villageb")
	var out supplySetup
	var items struct {
		Items []struct {
			ID      int64  `json:"id"`
			Code    string `json:"code"`
			Version int    `json:"version"`
		} `json:"items"`
	}
	va.json("GET", "/api/v1/supply/items?active=1", nil, 200, &items)
	for _, it := range items.Items {
		if it.Code == "BYT01" {
			out.condom, out.condomVersion = it.ID, it.Version
		}
	}
	var site struct {
		ID int64 `json:"id"`
	}
	cty.json("POST", "/api/v1/supply/sites", map[string]any{"kind": "station", "name": "舒城县计生药具站", "division": county}, 201, &site)
	out.station = site.ID
	va.json("POST", "/api/v1/supply/sites", map[string]any{"kind": "room", "name": "东苑社区药具室", "division": villageA}, 201, &site)
	out.roomA = site.ID
	va.json("POST", "/api/v1/supply/sites", map[string]any{"kind": "machine", "name": "东苑社区自助发放机", "division": villageA, "machine_code": "JQ-0001"}, 201, &site)
	out.machine = site.ID
	vb.json("POST", "/api/v1/supply/sites", map[string]any{"kind": "room", "name": "龙潭村药具室", "division": villageB}, 201, &site)
	out.roomB = site.ID
	cty.json("POST", "/api/v1/supply/receipts", map[string]any{"site_id": out.station, "supplier": "六安市卫健委",
		"lines": []map[string]any{{"item_id": out.condom, "batch_no": "C2026", "expiry": "2099-06-30", "qty": 100}}}, 201, nil)
	cty.json("POST", "/api/v1/supply/transfers", map[string]any{"from_site_id": out.station, "to_site_id": out.roomA,
		"lines": []map[string]any{{"item_id": out.condom, "qty": 30}}}, 201, nil)
	return out
}

func TestSupplyScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		sp := supplyFixture(t, s)
		va := s.signIn(t, "villagea")

		// The web sends one request_key per dialog opening; a double tap
		// resends it and gets the first dispensing back.
		dispense := map[string]any{"site_id": sp.roomA, "person_id": f.mother.ID, "item_id": sp.condom, "qty": 3,
			"method": "condom", "request_key": "dlg-6b1f2c"}
		var first, again supplyOpJSON
		va.json("POST", "/api/v1/supply/dispense", dispense, 201, &first)
		va.json("POST", "/api/v1/supply/dispense", dispense, 200, &again)
		if len(first.Moves) != 1 || first.Replayed || !again.Replayed || again.Moves[0].ID != first.Moves[0].ID || first.Method != "condom" {
			t.Fatalf("dispense then retry: %+v %+v", first, again)
		}
		person := fmt.Sprintf("/api/v1/supply/persons/%d/methods", f.mother.ID)
		roomA := fmt.Sprintf("/api/v1/supply/sites/%d", sp.roomA)
		logFile := []byte("机器编号,发放时间,药具编码,数量,批号,服务卡号\nJQ-0001,2026-01-05 08:15:30,BYT01,1,,\n")

		scenarios := []scenario{
			{"anonymous stock", "", "GET", "/api/v1/supply/stock", nil, 401, nil},
			{"anonymous dispense", "", "POST", "/api/v1/supply/dispense", dispense, 401, nil},
			{"anonymous person methods", "", "GET", person, nil, 401, nil},
			{"viewer stock", "viewer", "GET", "/api/v1/supply/stock", nil, 403, nil},
			{"viewer person methods", "viewer", "GET", person, nil, 403, nil},
			{"viewer dispense", "viewer", "POST", "/api/v1/supply/dispense", dispense, 403, nil},
			{"viewer method figures", "viewer", "GET", "/api/v1/supply/figures/methods", nil, 403, nil},
			{"viewer dispensed figures", "viewer", "GET", "/api/v1/supply/figures/dispensed", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"code":"BYT01"`) || !strings.Contains(b, `"qty":3`) {
					t.Errorf("dispensed figures: %s", b)
				}
			}},
			{"sysadmin has no supply", "admin", "GET", "/api/v1/supply/sites", nil, 403, nil},
			{"enums", "viewer", "GET", "/api/v1/supply/enums", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "宫内节育器") || !strings.Contains(b, "未避孕/停用") || !strings.Contains(b, "自助发放机") {
					t.Errorf("enums: %s", b)
				}
			}},
			{"other village reads room", "villageb", "GET", roomA, nil, 404, nil},
			{"other village edits room", "villageb", "PUT", roomA, map[string]any{"name": "改名", "version": 1}, 404, nil},
			{"other village reads person", "villageb", "GET", person, nil, 404, nil},
			{"other village records method", "villageb", "POST", person, map[string]any{"method": "none"}, 404, nil},
			{"other village reverses", "villageb", "POST", fmt.Sprintf("/api/v1/supply/moves/%d/reverse", first.Moves[0].ID), map[string]any{"reason": "x"}, 404, nil},
			{"other village dispenses from A's room", "villageb", "POST", "/api/v1/supply/dispense", map[string]any{"site_id": sp.roomA,
				"person_id": f.mother.ID, "item_id": sp.condom, "qty": 1}, 400, fieldIs("site_id")},
			{"other village dispenses to A's person", "villageb", "POST", "/api/v1/supply/dispense", map[string]any{"site_id": sp.roomB,
				"person_id": f.mother.ID, "item_id": sp.condom, "qty": 1}, 400, fieldIs("person_id")},
			{"other village stock is empty", "villageb", "GET", "/api/v1/supply/stock", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("village B sees stock: %s", b)
				}
			}},
			{"zero quantity", "villagea", "POST", "/api/v1/supply/dispense", map[string]any{"site_id": sp.roomA, "person_id": f.mother.ID,
				"item_id": sp.condom, "qty": 0}, 400, fieldIs("qty")},
			{"more than in stock", "villagea", "POST", "/api/v1/supply/dispense", map[string]any{"site_id": sp.roomA, "person_id": f.mother.ID,
				"item_id": sp.condom, "qty": 500}, 409, func(t *testing.T, b string) {
				if !strings.Contains(b, "库存不足") || !strings.Contains(b, "27") {
					t.Errorf("shortage: %s", b)
				}
			}},
			{"receipt without expiry", "villagea", "POST", "/api/v1/supply/receipts", map[string]any{"site_id": sp.roomA, "supplier": "乡镇",
				"lines": []map[string]any{{"item_id": sp.condom, "batch_no": "X", "qty": 5}}}, 400, fieldIs("lines[0].expiry")},
			{"unknown field", "villagea", "POST", "/api/v1/supply/dispense", `{"site_id":1,"quota":3}`, 400, fieldIs("quota")},
			{"bad days", "villagea", "GET", "/api/v1/supply/alerts?days=0", nil, 400, fieldIs("days")},
			{"bad site filter", "villagea", "GET", "/api/v1/supply/moves?site_id=abc", nil, 400, fieldIs("site_id")},
			{"owner reads person", "villagea", "GET", person, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"method":"condom"`) || !strings.Contains(b, "王秀英") || !strings.Contains(b, `"qty":3`) {
					t.Errorf("person methods: %s", b)
				}
			}},
			{"ledger hides the person", "villagea", "GET", fmt.Sprintf("/api/v1/supply/moves?site_id=%d", sp.roomA), nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":2`) || strings.Contains(b, "王秀英") || strings.Contains(b, "person") || strings.Contains(b, "condom") {
					t.Errorf("ledger: %s", b)
				}
			}},
			{"owner stock", "villagea", "GET", "/api/v1/supply/stock", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, `"qty":27`) || !strings.Contains(b, `"expiry_status":"ok"`) {
					t.Errorf("stock: %s", b)
				}
			}},
			{"owner alerts", "villagea", "GET", "/api/v1/supply/alerts", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"threshold":200`) || !strings.Contains(b, `"qty":27`) {
					t.Errorf("alerts: %s", b)
				}
			}},
			{"owner records a method", "villagea", "POST", person, map[string]any{"method": "iud", "note": "已在服务站放置"}, 201, func(t *testing.T, b string) {
				if !strings.Contains(b, `"source":"officer"`) || !strings.Contains(b, `"method_label":"宫内节育器"`) {
					t.Errorf("recorded method: %s", b)
				}
			}},
			{"township may not edit the catalogue", "towna", "POST", "/api/v1/supply/items", map[string]any{"code": "X1", "name": "x",
				"method": "oral", "unit": "板"}, 403, nil},
			{"county edits with a stale version", "county", "PUT", fmt.Sprintf("/api/v1/supply/items/%d", sp.condom), map[string]any{
				"code": "BYT01", "name": "避孕套", "method": "condom", "unit": "只", "version": sp.condomVersion + 5}, 409, nil},
			{"county method figures", "county", "GET", "/api/v1/supply/figures/methods?division=" + villageA, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, `{"method":"iud","label":"宫内节育器","count":1}`) {
					t.Errorf("method figures: %s", b)
				}
			}},
			{"figures outside the area", "villageb", "GET", "/api/v1/supply/figures/methods?division=" + villageA, nil, 400, fieldIs("division")},
			{"import without a file", "villagea", "POST", "/api/v1/supply/machine-logs/import", `{}`, 400, fieldIs("file")},
			{"template", "villagea", "GET", "/api/v1/supply/machine-logs/template?format=csv", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "机器编号,发放时间,药具编码,数量,批号,服务卡号") {
					t.Errorf("template: %s", b)
				}
			}},
			{"bad id", "villagea", "GET", "/api/v1/supply/sites/abc", nil, 404, nil},
		}
		clients := map[string]*client{"": s.client(t), "villagea": va}
		s.play(t, clients, scenarios)

		// A machine log: checked, imported, and a second import adds nothing.
		var rep struct {
			Applied   bool `json:"applied"`
			New       int  `json:"new"`
			Duplicate int  `json:"duplicate"`
		}
		va.json("POST", "/api/v1/supply/transfers", map[string]any{"from_site_id": sp.roomA, "to_site_id": sp.machine,
			"lines": []map[string]any{{"item_id": sp.condom, "qty": 10}}}, 201, nil)
		for _, step := range []struct {
			query          string
			applied        bool
			new, duplicate int
		}{{"?dry_run=1", false, 1, 0}, {"?dry_run=0", true, 1, 0}, {"?dry_run=0", true, 0, 1}} {
			a := va.upload("/api/v1/supply/machine-logs/import"+step.query, logFile)
			if a.status != 200 || json.Unmarshal(a.body, &rep) != nil || rep.Applied != step.applied || rep.New != step.new || rep.Duplicate != step.duplicate {
				t.Fatalf("import %s: %d %s", step.query, a.status, a.body)
			}
		}
		bad := append(logFile, []byte("JQ-0001,2026-01-05 08:15:31,BYT01,abc,,\n")...)
		if a := va.upload("/api/v1/supply/machine-logs/import?dry_run=0", bad); a.status != 400 || !strings.Contains(string(a.body), "第 3 行：数量") {
			t.Fatalf("bad log applied: %d %s", a.status, a.body)
		}

		// Every view of the person's record and every change is journaled.
		cty := s.signIn(t, "county")
		journal := mustGet(t, cty, fmt.Sprintf("/api/v1/audit?entity=person&entity_id=%d&size=100", f.mother.ID))
		for _, action := range []string{"supply.person_view", "supply.method"} {
			if !strings.Contains(journal, action) {
				t.Fatalf("journal lacks %s: %.600s", action, journal)
			}
		}
		if b := mustGet(t, cty, "/api/v1/audit?entity=supply&size=100"); !strings.Contains(b, "supply.dispense") ||
			!strings.Contains(b, "supply.receipt") || !strings.Contains(b, "supply.machine_import") || strings.Count(b, "supply.dispense") != 1 {
			t.Fatalf("stock journal: %.800s", b)
		}
	})
}

// fieldIs checks that an error answer names field.
func fieldIs(field string) func(t *testing.T, body string) {
	return func(t *testing.T, b string) {
		if !strings.Contains(b, `"field":"`+field+`"`) {
			t.Errorf("error does not name %s: %s", field, b)
		}
	}
}
