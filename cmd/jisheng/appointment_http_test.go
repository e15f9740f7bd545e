package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jisheng/internal/idno"
)

type slotJSON struct {
	ID        int64  `json:"id"`
	Date      string `json:"date"`
	Booked    int    `json:"booked"`
	Remaining int    `json:"remaining"`
	Version   int    `json:"version"`
	Status    string `json:"status"`
}

type slotListJSON struct {
	Items []slotJSON `json:"items"`
	Total int        `json:"total"`
}

type bookingJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Status   string `json:"status"`
}

// chinaDay returns the civil date in China n days from now, as the server sees it.
func chinaDay(n int) string {
	return time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, n).Format("2006-01-02")
}

func slotBody(kind, division, place string, day int, start, end string, capacity int) map[string]any {
	return map[string]any{"kind": kind, "division": division, "place": place, "date": chinaDay(day),
		"start_time": start, "end_time": end, "capacity": capacity, "service": "prepreg_check"}
}

// createSlot creates one slot (or a series) as c and returns the first.
func createSlot(c *client, body map[string]any) slotJSON {
	c.t.Helper()
	var out slotListJSON
	c.json("POST", "/api/v1/appointments/slots", body, 201, &out)
	if len(out.Items) == 0 {
		c.t.Fatalf("no slot created: %+v", out)
	}
	return out.Items[0]
}

func hasField(field string) func(t *testing.T, b string) {
	return func(t *testing.T, b string) {
		if !strings.Contains(b, `"field":"`+field+`"`) {
			t.Errorf("error does not name %s: %s", field, b)
		}
	}
}

func contains(parts ...string) func(t *testing.T, b string) {
	return func(t *testing.T, b string) {
		for _, p := range parts {
			if !strings.Contains(b, p) {
				t.Errorf("answer lacks %q: %.400s", p, b)
			}
		}
	}
}

func TestAppointmentScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		va, vb, ta := s.signIn(t, "villagea"), s.signIn(t, "villageb"), s.signIn(t, "towna")
		var bWoman personJSON
		vb.json("POST", "/api/v1/persons", map[string]any{"name": "周丽", "sex": "female", "birth_date": "1992-02-02",
			"registered_division": villageB}, 201, &bWoman)

		station := createSlot(ta, slotBody("station", townA, "城关镇计生服务站", 1, "09:00", "11:00", 2))
		today := createSlot(ta, slotBody("station", townA, "城关镇计生服务站", 0, "14:00", "16:00", 5))
		homeA := createSlot(va, slotBody("home", villageA, "东苑社区入户", 2, "14:00", "17:00", 3))
		createSlot(vb, slotBody("home", villageB, "龙潭村入户", 2, "14:00", "17:00", 3))
		series := slotBody("station", county, "县妇幼保健计划生育服务中心", 3, "08:30", "11:30", 10)
		series["repeat_weeks"] = 3
		var made slotListJSON
		s.signIn(t, "county").json("POST", "/api/v1/appointments/slots", series, 201, &made)
		if made.Total != 3 || made.Items[2].Date != chinaDay(17) {
			t.Fatalf("weekly series: %+v", made)
		}

		const key = "3f1c0b9e-double-tap"
		var first bookingJSON
		va.json("POST", fmt.Sprintf("/api/v1/appointments/slots/%d/bookings", station.ID),
			map[string]any{"person_id": f.mother.ID, "request_key": key}, 201, &first)
		if first.Name != "王秀英" || first.IDNumber != idno.Mask(motherID) || first.Status != "booked" {
			t.Fatalf("booking: %+v", first)
		}
		var todayBooking bookingJSON
		va.json("POST", fmt.Sprintf("/api/v1/appointments/slots/%d/bookings", today.ID),
			map[string]any{"person_id": f.child2.ID, "request_key": "today-child2-1"}, 201, &todayBooking)

		slots := "/api/v1/appointments/slots"
		stationPath := fmt.Sprintf("%s/%d", slots, station.ID)
		bookPath := stationPath + "/bookings"
		homeAPath := fmt.Sprintf("%s/%d", slots, homeA.ID)
		firstPath := fmt.Sprintf("/api/v1/appointments/bookings/%d", first.ID)
		todayPath := fmt.Sprintf("/api/v1/appointments/bookings/%d", todayBooking.ID)
		motherBookings := fmt.Sprintf("/api/v1/appointments/persons/%d/bookings", f.mother.ID)
		week := "?from=" + chinaDay(0) + "&to=" + chinaDay(6)
		bad := func(edit func(map[string]any)) map[string]any {
			b := slotBody("station", townA, "城关镇计生服务站", 4, "09:00", "11:00", 5)
			edit(b)
			return b
		}

		scenarios := []scenario{
			{"anonymous lists slots", "", "GET", slots, nil, 401, nil},
			{"anonymous books", "", "POST", bookPath, map[string]any{}, 401, nil},
			{"viewer lists slots", "viewer", "GET", slots, nil, 403, nil},
			{"viewer books", "viewer", "POST", bookPath, map[string]any{"person_id": f.mother.ID, "request_key": "viewer-key-1"}, 403, nil},
			{"viewer reads a slot's bookings", "viewer", "GET", bookPath, nil, 403, nil},
			{"viewer reads the counts", "viewer", "GET", "/api/v1/appointments/counts" + week, nil, 200, contains(`"total":{`)},
			{"sysadmin lists slots", "admin", "GET", slots, nil, 403, nil},
			{"village lists its slots", "villagea", "GET", slots + week, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, "城关镇计生服务站") || !strings.Contains(b, "东苑社区入户") || !strings.Contains(b, "县妇幼保健") ||
					strings.Contains(b, "龙潭村入户") {
					t.Errorf("village A's slots: %.600s", b)
				}
			}},
			{"repeated submission answers the first booking", "villagea", "POST", bookPath,
				map[string]any{"person_id": f.mother.ID, "request_key": key}, 200, contains(fmt.Sprintf(`"id":%d,`, first.ID))},
			{"same key, other person", "villagea", "POST", bookPath,
				map[string]any{"person_id": f.child.ID, "request_key": key}, 409, hasField("request_key")},
			{"second booking of the same person", "villagea", "POST", bookPath,
				map[string]any{"person_id": f.mother.ID, "request_key": "mother-again-1"}, 409, contains("已预约此时段", fmt.Sprint(first.ID))},
			{"last place", "villagea", "POST", bookPath, map[string]any{"person_id": f.child.ID, "request_key": "child-station-1"}, 201, nil},
			{"slot full", "towna", "POST", bookPath, map[string]any{"person_id": f.child2.ID, "request_key": "child2-station-1"}, 409, contains("该时段已约满")},
			{"slot shows full", "villagea", "GET", stationPath, nil, 200, contains(`"booked":2`, `"remaining":0`)},
			{"other village books A's resident", "villageb", "POST", fmt.Sprintf("%s/%d/bookings", slots, made.Items[0].ID),
				map[string]any{"person_id": f.mother.ID, "request_key": "vb-mother-0001"}, 404, contains("人员不存在")},
			{"other village reads A's home slot", "villageb", "GET", homeAPath, nil, 404, nil},
			{"other village books into A's home slot", "villageb", "POST", homeAPath + "/bookings",
				map[string]any{"person_id": bWoman.ID, "request_key": "vb-home-a-001"}, 404, contains("预约时段不存在")},
			{"other village reads the township's bookings", "villageb", "GET", bookPath, nil, 404, nil},
			{"other village reads a person's bookings", "villageb", "GET", motherBookings, nil, 404, nil},
			{"other village cancels a booking", "villageb", "POST", firstPath + "/cancel", map[string]any{"reason": "试试"}, 404, nil},
			{"other village marks attended", "villageb", "POST", todayPath + "/attend", nil, 404, nil},
			{"other village books its own into the county", "villageb", "POST", fmt.Sprintf("%s/%d/bookings", slots, made.Items[0].ID),
				map[string]any{"person_id": bWoman.ID, "request_key": "vb-county-001"}, 201, nil},
			{"village reads the station's bookings", "villagea", "GET", bookPath, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":2`) || !strings.Contains(b, "王秀英") || strings.Contains(b, motherID) {
					t.Errorf("bookings: %.500s", b)
				}
			}},
			{"person's bookings", "villagea", "GET", motherBookings, nil, 200, contains(`"total":1`, "城关镇计生服务站")},
			{"end before start", "towna", "POST", slots, bad(func(b map[string]any) { b["end_time"] = "08:00" }), 400, hasField("end_time")},
			{"capacity 0", "towna", "POST", slots, bad(func(b map[string]any) { b["capacity"] = 0 }), 400, hasField("capacity")},
			{"invalid date", "towna", "POST", slots, bad(func(b map[string]any) { b["date"] = "2026-02-30" }), 400, hasField("date")},
			{"bad time", "towna", "POST", slots, bad(func(b map[string]any) { b["start_time"] = "9点" }), 400, hasField("start_time")},
			{"capacity as text", "towna", "POST", slots, bad(func(b map[string]any) { b["capacity"] = "五" }), 400, hasField("capacity")},
			{"unknown field", "towna", "POST", slots, bad(func(b map[string]any) { b["quota"] = 3 }), 400, hasField("quota")},
			{"village creates a station slot", "villagea", "POST", slots, bad(func(map[string]any) {}), 403, nil},
			{"village creates home slot elsewhere", "villagea", "POST", slots,
				slotBody("home", villageA2, "沙埂村入户", 2, "09:00", "10:00", 2), 400, hasField("division")},
			{"book without key", "villagea", "POST", bookPath, map[string]any{"person_id": f.child2.ID}, 400, hasField("request_key")},
			{"attend before the day", "villagea", "POST", firstPath + "/attend", nil, 400, nil},
			{"attend today", "towna", "POST", todayPath + "/attend", nil, 200, contains(`"status":"attended"`)},
			{"attend twice", "towna", "POST", todayPath + "/attend", nil, 409, nil},
			{"no-show on attended", "towna", "POST", todayPath + "/no-show", nil, 409, nil},
			{"cancel without reason", "villagea", "POST", firstPath + "/cancel", map[string]any{}, 400, hasField("reason")},
			{"cancel", "villagea", "POST", firstPath + "/cancel", map[string]any{"reason": "临时外出"}, 200, contains(`"status":"cancelled"`, "临时外出")},
			{"cancelled place is free again", "towna", "POST", bookPath, map[string]any{"person_id": f.child2.ID, "request_key": "child2-station-2"}, 201, nil},
			{"village cancels the township's slot", "villagea", "POST", stationPath + "/cancel", map[string]any{"reason": "停电", "version": 1}, 403, nil},
			{"stale slot version", "towna", "POST", stationPath + "/cancel", map[string]any{"reason": "停电", "version": 9}, 409, nil},
			{"cancel the slot", "towna", "POST", stationPath + "/cancel", map[string]any{"reason": "停电", "version": 1}, 200,
				contains(`"status":"cancelled"`, `"remaining":0`)},
			{"book into the cancelled slot", "towna", "POST", bookPath, map[string]any{"person_id": f.mother.ID, "request_key": "mother-cancelled-1"}, 409, contains("已取消")},
			{"schedule", "towna", "GET", "/api/v1/appointments/schedule?date=" + chinaDay(0) + "&division=" + townA, nil, 200, contains("李红", `"status":"attended"`)},
			{"schedule bad date", "towna", "GET", "/api/v1/appointments/schedule?date=tomorrow", nil, 400, hasField("date")},
			{"counts", "county", "GET", "/api/v1/appointments/counts" + week, nil, 200, contains(`"service":"prepreg_check"`, `"attended":1`)},
			{"counts reversed", "county", "GET", "/api/v1/appointments/counts?from=" + chinaDay(5) + "&to=" + chinaDay(1), nil, 400, hasField("to")},
			{"enums", "villagea", "GET", "/api/v1/appointments/enums", nil, 200, contains("流动服务车", "两癌筛查")},
			{"bad id", "villagea", "GET", slots + "/abc", nil, 404, nil},
		}
		clients := map[string]*client{"": s.client(t), "villagea": va, "villageb": vb, "towna": ta}
		s.play(t, clients, scenarios)

		// Every change and every view of a booking list is in the journal.
		cty := s.signIn(t, "county")
		journal := mustGet(t, cty, fmt.Sprintf("/api/v1/audit?entity=appointment_booking&entity_id=%d", first.ID))
		for _, a := range []string{"appointment.book", "appointment.cancel"} {
			if !strings.Contains(journal, a) {
				t.Fatalf("journal lacks %s: %.500s", a, journal)
			}
		}
		if j := mustGet(t, cty, fmt.Sprintf("/api/v1/audit?entity=appointment_slot&entity_id=%d", station.ID)); !strings.Contains(j, "appointment.slot_cancel") ||
			!strings.Contains(j, "appointment.view") {
			t.Fatalf("slot journal: %.500s", j)
		}
	})
}

// A double tap from a phone sends the same booking several times at once:
// one booking results, and every answer names it.
func TestAppointmentDoubleTapHTTP(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		va := s.signIn(t, "villagea")
		sl := createSlot(s.signIn(t, "towna"), slotBody("station", townA, "城关镇计生服务站", 1, "09:00", "11:00", 5))
		body, _ := json.Marshal(map[string]any{"person_id": f.mother.ID, "request_key": "tap-tap-tap-0001"})
		url := fmt.Sprintf("%s/api/v1/appointments/slots/%d/bookings", s.url, sl.ID)

		type result struct {
			status int
			id     int64
		}
		results := make([]result, 10)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := va.http.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					return
				}
				defer resp.Body.Close()
				var b bookingJSON
				_ = json.NewDecoder(resp.Body).Decode(&b)
				results[i] = result{resp.StatusCode, b.ID}
			}()
		}
		wg.Wait()
		created, ids := 0, map[int64]bool{}
		for _, r := range results {
			if r.status != http.StatusCreated && r.status != http.StatusOK {
				t.Fatalf("answers %+v", results)
			}
			if r.status == http.StatusCreated {
				created++
			}
			ids[r.id] = true
		}
		var got slotJSON
		va.json("GET", fmt.Sprintf("/api/v1/appointments/slots/%d", sl.ID), nil, 200, &got)
		if created != 1 || len(ids) != 1 || got.Booked != 1 {
			t.Fatalf("%d created, ids %v, slot booked %d; want one booking", created, ids, got.Booked)
		}
	})
}
