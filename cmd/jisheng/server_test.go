package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"

	"jisheng/internal/account"
	"jisheng/internal/auth"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/idno"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	testPassword = "Shucheng#2026"
	county       = "341523"
	townA        = "341523100"    // 城关镇
	villageA     = "341523100001" // 东苑社区居委会
	villageA2    = "341523100202" // 沙埂村委会
	townB        = "341523101"    // 晓天镇
	villageB     = "341523101200" // 龙潭村委会
)

// testServer is a whole jisheng server on a free port with one account per role.
type testServer struct {
	url string
	app *app
}

func bootServer(t *testing.T, dsn string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	keyFile := filepath.Join(t.TempDir(), "jisheng.key")
	res, err := initialise(operatorCtx(ctx), initOptions{dsn: dsn, keyFile: keyFile, county: county,
		cipher: "aes-256-gcm", auditAlg: "hmac-sha256", admin: "admin", adminPassword: testPassword, passwordChosen: true})
	if err != nil {
		t.Fatalf("initialise: %v", err)
	}
	users := []account.NewUser{
		{Username: "county", Role: auth.RoleCounty, Division: county},
		{Username: "towna", Role: auth.RoleTownship, Division: townA},
		{Username: "villagea", Role: auth.RoleVillage, Division: villageA},
		{Username: "villageb", Role: auth.RoleVillage, Division: villageB},
		{Username: "viewer", Role: auth.RoleViewer, Division: county},
		{Username: "fresh", Role: auth.RoleVillage, Division: villageA}, // must change the password
	}
	for _, u := range users {
		u.DisplayName, u.Password, u.PasswordChosen = "测试"+u.Username, testPassword, u.Username != "fresh"
		if _, err := res.app.accounts.CreateUser(operatorCtx(ctx), u); err != nil {
			t.Fatalf("user %s: %v", u.Username, err)
		}
	}
	res.app.Close()
	m, err := NewMain(ctx, ServeConfig{DSN: dsn, KeyFile: keyFile, Addr: "127.0.0.1:0", Sessions: account.DefaultConfig,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { m.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; m.Close() })
	return &testServer{url: "http://" + m.Addr, app: m.app}
}

// client is one signed-in browser.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func (s *testServer) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: s.url, http: &http.Client{Jar: jar}}
}

func (s *testServer) signIn(t *testing.T, user string) *client {
	t.Helper()
	c := s.client(t)
	if st, body := c.do("POST", "/api/v1/login", map[string]string{"username": user, "password": testPassword}); st != 200 {
		t.Fatalf("login %s: %d %s", user, st, body)
	}
	return c
}

type answer struct {
	status int
	body   []byte
	header http.Header
}

func (c *client) send(method, path string, body any, header map[string]string) answer {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, b, resp.Header}
}

func (c *client) do(method, path string, body any) (int, string) {
	c.t.Helper()
	a := c.send(method, path, body, nil)
	return a.status, string(a.body)
}

func (c *client) json(method, path string, body any, want int, into any) {
	c.t.Helper()
	st, b := c.do(method, path, body)
	if st != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, st, want, b)
	}
	if into != nil {
		if err := json.Unmarshal([]byte(b), into); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

type personJSON struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Sex        string   `json:"sex"`
	BirthDate  string   `json:"birth_date"`
	IDNumber   string   `json:"id_number"`
	Phone      string   `json:"phone"`
	Version    int      `json:"version"`
	Warnings   []string `json:"warnings"`
	BirthOrder *int     `json:"birth_order"`
	Children   []struct {
		ID         int64 `json:"id"`
		BirthOrder *int  `json:"birth_order"`
	} `json:"children"`
}

type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, dbtest.SQLitePath(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, dbtest.PostgresDSN(t, false)) })
}

// fixture is what the village A officer registers before the scenarios run.
type fixture struct {
	household int64
	mother    personJSON
	child     personJSON
	child2    personJSON
}

var (
	motherID = idno.Generate(county, "1990-03-07", 124) // female
	child1ID = idno.Generate(county, "2015-01-02", 13)  // male
)

func register(t *testing.T, s *testServer) fixture {
	t.Helper()
	va := s.signIn(t, "villagea")
	var f fixture
	var hh struct {
		ID   int64  `json:"id"`
		HHNo string `json:"hh_no"`
	}
	va.json("POST", "/api/v1/households", map[string]any{"division": villageA, "address": "东苑小区 3 栋"}, 201, &hh)
	if hh.HHNo != villageA+"-0001" {
		t.Fatalf("household number %q", hh.HHNo)
	}
	f.household = hh.ID
	va.json("POST", "/api/v1/persons", map[string]any{"name": "王秀英", "id_number": motherID, "phone": "13912345678",
		"ethnicity": "汉族", "hukou_type": "non_agricultural", "marital_status": "first_married",
		"registered_division": villageA, "household_id": hh.ID, "relation": "head"}, 201, &f.mother)
	va.json("POST", "/api/v1/persons", map[string]any{"name": "李明", "id_number": child1ID,
		"registered_division": villageA, "household_id": hh.ID, "relation": "child", "mother_id": f.mother.ID}, 201, &f.child)
	va.json("POST", "/api/v1/persons", map[string]any{"name": "李红", "sex": "female", "birth_date": "2021-06-01",
		"registered_division": villageA, "residence_division": villageA2, "household_id": hh.ID, "relation": "child",
		"mother_id": f.mother.ID}, 201, &f.child2)
	return f
}

func TestRegistryScenarios(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		person := fmt.Sprintf("/api/v1/persons/%d", f.mother.ID)

		if f.mother.Sex != "female" || f.mother.BirthDate != "1990-03-07" {
			t.Fatalf("sex and birth date not filled from the ID: %+v", f.mother)
		}
		if f.mother.IDNumber != idno.Mask(motherID) || !strings.HasPrefix(f.mother.IDNumber, "341523********") || f.mother.Phone != "139****5678" {
			t.Fatalf("values not masked: %q %q", f.mother.IDNumber, f.mother.Phone)
		}
		if f.child.BirthOrder == nil || *f.child.BirthOrder != 1 || f.child2.BirthOrder == nil || *f.child2.BirthOrder != 2 {
			t.Fatalf("birth orders: %v %v", f.child.BirthOrder, f.child2.BirthOrder)
		}

		scenarios := []scenario{
			{"anonymous list", "", "GET", "/api/v1/persons", nil, 401, nil},
			{"owner reads", "villagea", "GET", person, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"children":[`) || !strings.Contains(b, `"household_no":"341523100001-0001"`) {
					t.Errorf("detail lacks children or household: %s", b)
				}
			}},
			{"other village reads", "villageb", "GET", person, nil, 404, nil},
			{"other village edits", "villageb", "PUT", person, map[string]any{"name": "改名", "sex": "female",
				"birth_date": "1990-03-07", "registered_division": villageB, "version": 1}, 404, nil},
			{"other village unmasks", "villageb", "GET", person + "/sensitive", nil, 404, nil},
			{"other village household", "villageb", "GET", fmt.Sprintf("/api/v1/households/%d", f.household), nil, 404, nil},
			{"other village list", "villageb", "GET", "/api/v1/persons", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":0`) {
					t.Errorf("village B sees persons of village A: %s", b)
				}
			}},
			{"other village filters by A", "villageb", "GET", "/api/v1/persons?division=" + villageA, nil, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, "管辖范围") || !strings.Contains(b, `"field":"division"`) {
					t.Errorf("division outside the area: %s", b)
				}
			}},
			{"residence village sees resident", "county", "GET", "/api/v1/persons?division=" + villageA2, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, "李红") {
					t.Errorf("persons living in village A2: %s", b)
				}
			}},
			{"township reads", "towna", "GET", person, nil, 200, nil},
			{"county lists", "county", "GET", "/api/v1/persons?size=100", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":3`) {
					t.Errorf("county total: %s", b)
				}
			}},
			{"viewer reads masked", "viewer", "GET", person, nil, 200, func(t *testing.T, b string) {
				if strings.Contains(b, motherID) {
					t.Errorf("viewer got the full ID: %s", b)
				}
			}},
			{"viewer cannot unmask", "viewer", "GET", person + "/sensitive", nil, 403, nil},
			{"viewer cannot edit", "viewer", "PUT", person, map[string]any{}, 403, nil},
			{"sysadmin has no registry", "admin", "GET", "/api/v1/persons", nil, 403, nil},
			{"sysadmin sees overview", "admin", "GET", "/api/v1/stats/overview", nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"persons":3`) || !strings.Contains(b, `"living_away":1`) {
					t.Errorf("overview: %s", b)
				}
			}},
			{"search by full id", "villagea", "GET", "/api/v1/persons?q=" + motherID, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) || !strings.Contains(b, "王秀英") {
					t.Errorf("id search: %s", b)
				}
			}},
			{"search by lower-case x", "villagea", "GET", "/api/v1/persons?id_number=" + strings.ToLower(motherID), nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":1`) {
					t.Errorf("id search with x: %s", b)
				}
			}},
			{"search by name prefix", "villagea", "GET", "/api/v1/persons?q=" + "李" + "&division=" + villageA, nil, 200, func(t *testing.T, b string) {
				if !strings.Contains(b, `"total":2`) {
					t.Errorf("name search: %s", b)
				}
			}},
			{"bad page", "villagea", "GET", "/api/v1/persons?size=1000", nil, 400, nil},
			{"bad json", "villagea", "POST", "/api/v1/persons", `{"name": "张三",`, 400, nil},
			{"unknown field", "villagea", "POST", "/api/v1/persons", `{"name":"张三","colour":"red"}`, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"colour"`) {
					t.Errorf("unknown field not named: %s", b)
				}
			}},
			{"wrong type", "villagea", "POST", "/api/v1/persons", `{"name": 12}`, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"name"`) {
					t.Errorf("type error not named: %s", b)
				}
			}},
			{"oversized body", "villagea", "POST", "/api/v1/persons", `{"name":"` + strings.Repeat("张", 400_000) + `"}`, 413, nil},
			{"invalid check char", "villagea", "POST", "/api/v1/persons", map[string]any{"name": "赵六",
				"id_number": motherID[:17] + wrongCheck(motherID), "registered_division": villageA}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"id_number"`) || !strings.Contains(b, "校验码") {
					t.Errorf("check char error: %s", b)
				}
			}},
			{"impossible date in id", "villagea", "POST", "/api/v1/persons", map[string]any{"name": "赵六",
				"id_number": "341523199002300000", "registered_division": villageA}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, "日期") {
					t.Errorf("date error: %s", b)
				}
			}},
			{"future birth", "villagea", "POST", "/api/v1/persons", map[string]any{"name": "赵六", "sex": "male",
				"birth_date": "2999-01-01", "registered_division": villageA}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"birth_date"`) {
					t.Errorf("future birth: %s", b)
				}
			}},
			{"duplicate id", "villageb", "POST", "/api/v1/persons", map[string]any{"name": "冒名", "id_number": motherID,
				"registered_division": villageB}, 409, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"id_number"`) {
					t.Errorf("duplicate id: %s", b)
				}
			}},
			{"register outside area", "villageb", "POST", "/api/v1/persons", map[string]any{"name": "钱七", "sex": "male",
				"birth_date": "1980-01-01", "registered_division": villageA}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, "管辖范围") {
					t.Errorf("outside area: %s", b)
				}
			}},
			{"father must be male", "villagea", "POST", "/api/v1/persons", map[string]any{"name": "孙八", "sex": "male",
				"birth_date": "2020-01-01", "registered_division": villageA, "father_id": f.mother.ID}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, `"field":"father_id"`) {
					t.Errorf("father sex: %s", b)
				}
			}},
			{"second head", "villagea", "POST", "/api/v1/persons", map[string]any{"name": "周九", "sex": "male",
				"birth_date": "1988-01-01", "registered_division": villageA, "household_id": f.household, "relation": "head"}, 400, func(t *testing.T, b string) {
				if !strings.Contains(b, "已有户主") {
					t.Errorf("second head: %s", b)
				}
			}},
			{"fifteen digits upgraded", "villagea", "POST", "/api/v1/persons", map[string]any{"name": "吴十",
				"id_number": "110105491231002", "registered_division": villageA}, 201, func(t *testing.T, b string) {
				if !strings.Contains(b, `"birth_date":"1949-12-31"`) || !strings.Contains(b, "升级") {
					t.Errorf("15-digit upgrade: %s", b)
				}
			}},
			{"used id refused", "villagea", "POST", "/api/v1/persons", map[string]any{"name": "郑十一",
				"id_number": "11010519491231002X", "registered_division": villageA}, 409, nil},
			{"mismatch warns", "villagea", "POST", "/api/v1/persons", map[string]any{"name": "郑十二", "sex": "male",
				"birth_date": "1980-01-02", "id_number": idno.Generate(county, "1980-01-01", 22), "registered_division": villageA}, 201,
				func(t *testing.T, b string) {
					if !strings.Contains(b, `"warnings":[`) || !strings.Contains(b, "性别") || !strings.Contains(b, "出生日期") {
						t.Errorf("sex and birth date mismatch not reported: %s", b)
					}
				}},
			{"must change password first", "fresh", "GET", "/api/v1/persons", nil, 403, func(t *testing.T, b string) {
				if !strings.Contains(b, "修改初始密码") {
					t.Errorf("forced change: %s", b)
				}
			}},
			{"must change password may read me", "fresh", "GET", "/api/v1/me", nil, 200, nil},
			{"unknown api", "villagea", "GET", "/api/v1/nothing", nil, 404, nil},
			{"bad id", "villagea", "GET", "/api/v1/persons/abc", nil, 404, nil},
		}
		clients := map[string]*client{"": s.client(t)}
		s.play(t, clients, scenarios)
	})
}

func TestUpdateVersionsAndUnmaskAudit(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		s := bootServer(t, dsn)
		f := register(t, s)
		va := s.signIn(t, "villagea")
		path := fmt.Sprintf("/api/v1/persons/%d", f.mother.ID)
		edit := map[string]any{"name": "王秀英", "sex": "female", "birth_date": "1990-03-07", "id_number": f.mother.IDNumber,
			"phone": f.mother.Phone, "ethnicity": "汉族", "hukou_type": "non_agricultural", "marital_status": "remarried",
			"registered_division": villageA, "household_id": f.household, "relation": "head", "version": f.mother.Version}
		var p personJSON
		va.json("PUT", path, edit, 200, &p)
		if p.Version != f.mother.Version+1 || p.IDNumber != f.mother.IDNumber {
			t.Fatalf("after edit: %+v", p)
		}
		// The masked values sent back kept the stored ones.
		var full struct{ IDNumber, Phone string }
		va.json("GET", path+"/sensitive", nil, 200, &struct {
			IDNumber *string `json:"id_number"`
			Phone    *string `json:"phone"`
		}{&full.IDNumber, &full.Phone})
		if full.IDNumber != motherID || full.Phone != "13912345678" {
			t.Fatalf("full values after edit with masks: %+v", full)
		}
		// A second editor with the old version gets 409 and changes nothing.
		edit["marital_status"] = "divorced"
		st, b := va.do("PUT", path, edit)
		if st != 409 {
			t.Fatalf("stale edit: %d %s", st, b)
		}
		va.json("GET", path, nil, 200, &p)
		if p.Version != f.mother.Version+1 || !strings.Contains(mustGet(t, va, path), `"remarried"`) {
			t.Fatalf("stale edit changed the record: %+v", p)
		}
		// Invalid value in an edit: 400 naming the field, nothing written.
		edit["version"], edit["hukou_type"] = p.Version, "城镇"
		st, b = va.do("PUT", path, edit)
		if st != 400 || !strings.Contains(b, `"field":"hukou_type"`) {
			t.Fatalf("invalid edit: %d %s", st, b)
		}
		// The audit journal has the change and the unmasked view, and verifies.
		cty := s.signIn(t, "county")
		var journal struct {
			Items []struct {
				Action   string          `json:"action"`
				Username string          `json:"username"`
				Before   json.RawMessage `json:"before"`
			} `json:"items"`
			Total int `json:"total"`
		}
		cty.json("GET", fmt.Sprintf("/api/v1/audit?entity=person&entity_id=%d", f.mother.ID), nil, 200, &journal)
		actions := map[string]bool{}
		for _, it := range journal.Items {
			actions[it.Action] = true
			if strings.Contains(string(it.Before), motherID) {
				t.Fatalf("journal holds a full ID number: %s", it.Before)
			}
		}
		if !actions["person.create"] || !actions["person.update"] || !actions["person.unmask"] {
			t.Fatalf("journal actions %v", actions)
		}
		var v struct {
			OK      bool `json:"ok"`
			Checked int  `json:"checked"`
		}
		cty.json("GET", "/api/v1/audit/verify", nil, 200, &v)
		if !v.OK || v.Checked < 10 {
			t.Fatalf("verify: %+v", v)
		}
		// Village officers have no journal page.
		if st, _ := va.do("GET", "/api/v1/audit", nil); st != 403 {
			t.Fatalf("village officer reads the journal: %d", st)
		}
	})
}

func mustGet(t *testing.T, c *client, path string) string {
	t.Helper()
	st, b := c.do("GET", path, nil)
	if st != 200 {
		t.Fatalf("GET %s: %d %s", path, st, b)
	}
	return b
}

func TestSessionSecurity(t *testing.T) {
	s := bootServer(t, dbtest.SQLitePath(t))
	anon := s.client(t)

	a := anon.send("GET", "/healthz", nil, nil)
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if a.header.Get(h) == "" {
			t.Errorf("missing security header %s", h)
		}
	}
	// Cross-site state changes are refused before anything else runs.
	a = anon.send("POST", "/api/v1/login", map[string]string{"username": "county", "password": testPassword},
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if a.status != 403 {
		t.Fatalf("cross-site login: %d %s", a.status, a.body)
	}
	// The session cookie is HttpOnly and SameSite.
	a = anon.send("POST", "/api/v1/login", map[string]string{"username": "county", "password": testPassword}, nil)
	ck := a.header.Get("Set-Cookie")
	if a.status != 200 || !strings.Contains(ck, "HttpOnly") || !strings.Contains(ck, "SameSite=Lax") {
		t.Fatalf("login cookie: %d %q", a.status, ck)
	}
	// Five wrong passwords lock the account, even against the right one.
	c := s.client(t)
	for i := 0; i < 4; i++ {
		if st, _ := c.do("POST", "/api/v1/login", map[string]string{"username": "viewer", "password": "Wrong#123x"}); st != 401 {
			t.Fatalf("failure %d: %d", i+1, st)
		}
	}
	if st, b := c.do("POST", "/api/v1/login", map[string]string{"username": "viewer", "password": "Wrong#123x"}); st != 423 || !strings.Contains(b, "锁定") {
		t.Fatalf("fifth failure: %d %s", st, b)
	}
	if st, _ := c.do("POST", "/api/v1/login", map[string]string{"username": "viewer", "password": testPassword}); st != 423 {
		t.Fatalf("right password while locked: %d", st)
	}
	// An admin unlocks (anon signed in as the county admin above); logout ends the session.
	cty := anon
	var users struct {
		Items []struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
		} `json:"items"`
	}
	cty.json("GET", "/api/v1/users?q=viewer", nil, 200, &users)
	if len(users.Items) != 1 {
		t.Fatalf("user search: %+v", users)
	}
	if st, b := cty.do("POST", fmt.Sprintf("/api/v1/users/%d/unlock", users.Items[0].ID), nil); st != 204 {
		t.Fatalf("unlock: %d %s", st, b)
	}
	if st, _ := c.do("POST", "/api/v1/login", map[string]string{"username": "viewer", "password": testPassword}); st != 200 {
		t.Fatalf("login after unlock: %d", st)
	}
	if st, _ := c.do("POST", "/api/v1/logout", nil); st != 204 {
		t.Fatalf("logout: %d", st)
	}
	if st, _ := c.do("GET", "/api/v1/me", nil); st != 401 {
		t.Fatalf("me after logout: %d", st)
	}
	// The forced password change opens the API.
	fresh := s.signIn(t, "fresh")
	if st, b := fresh.do("POST", "/api/v1/me/password", map[string]string{"old_password": testPassword, "new_password": "Better#2027"}); st != 204 {
		t.Fatalf("change password: %d %s", st, b)
	}
	if st, _ := fresh.do("GET", "/api/v1/persons", nil); st != 200 {
		t.Fatalf("after change: %d", st)
	}
}

func TestDivisionsAPIAndDocument(t *testing.T) {
	s := bootServer(t, dbtest.SQLitePath(t))
	va := s.signIn(t, "villagea")
	cty := s.signIn(t, "county")
	var kids struct {
		Items []struct {
			Code string `json:"code"`
			Name string `json:"name"`
		} `json:"items"`
		Total int `json:"total"`
	}
	cty.json("GET", "/api/v1/divisions/"+county+"/children", nil, 200, &kids)
	if kids.Total != 22 || kids.Items[0].Code != townA {
		t.Fatalf("舒城县 townships: %d, first %+v", kids.Total, kids.Items)
	}
	if st, _ := va.do("GET", "/api/v1/divisions/"+townB+"/children", nil); st != 404 {
		t.Fatalf("village officer reads another township: %d", st)
	}
	var g struct {
		Code string `json:"code"`
	}
	cty.json("POST", "/api/v1/divisions/"+villageA+"/groups", map[string]string{"name": "第一村民组"}, 201, &g)
	if g.Code != villageA+"001" {
		t.Fatalf("group code %q", g.Code)
	}
	if st, _ := va.do("POST", "/api/v1/divisions/"+villageA+"/groups", map[string]string{"name": "第二村民组"}); st != 403 {
		t.Fatalf("village officer adds a group: %d", st)
	}
	var d struct {
		Ancestors []struct{ Code string } `json:"ancestors"`
	}
	va.json("GET", "/api/v1/divisions/"+g.Code, nil, 200, &d)
	if len(d.Ancestors) != 1 || d.Ancestors[0].Code != villageA {
		t.Fatalf("ancestors visible to the village officer: %+v", d.Ancestors)
	}

	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	s.client(t).json("GET", "/api/v1/openapi.json", nil, 200, &doc)
	for _, prop := range []string{"id", "name", "id_number", "registered_division", "version", "birth_order"} {
		if _, ok := doc.Components.Schemas["Person"].Properties[prop]; !ok {
			t.Errorf("Person schema lacks %s: %v", prop, doc.Components.Schemas["Person"].Properties)
		}
	}
	for _, rt := range routes(s.app) {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("API document lacks %s", rt.Pattern)
		}
	}
	// Paths outside the API are the web app's.
	a := s.client(t).send("GET", "/persons/12", nil, nil)
	if a.status != 200 || !strings.Contains(a.header.Get("Content-Type"), "text/html") {
		t.Fatalf("app route: %d %s", a.status, a.header.Get("Content-Type"))
	}
}

// wrongCheck returns a check character other than the right one of id.
func wrongCheck(id string) string {
	if id[17] == '1' {
		return "2"
	}
	return "1"
}

// scenario is one row of an HTTP scenario table: who calls what, the status
// they must get, and what the answer must (not) contain.
type scenario struct {
	name   string
	user   string // "" = not signed in
	method string
	path   string
	body   any
	want   int
	check  func(t *testing.T, body string)
}

// play runs the rows in order as subtests, signing each user in once
// (clients holds those already signed in). Every refusal must be the error
// envelope with a Chinese message.
func (s *testServer) play(t *testing.T, clients map[string]*client, rows []scenario) {
	t.Helper()
	if _, ok := clients[""]; !ok {
		clients[""] = s.client(t)
	}
	for _, sc := range rows {
		t.Run(sc.name, func(t *testing.T) {
			c, ok := clients[sc.user]
			if !ok {
				c = s.signIn(t, sc.user)
				clients[sc.user] = c
			}
			c.t = t
			st, b := c.do(sc.method, sc.path, sc.body)
			if st != sc.want {
				t.Fatalf("%s %s: status %d, want %d: %.300s", sc.method, sc.path, st, sc.want, b)
			}
			if sc.want >= 400 {
				var e errorJSON
				if err := json.Unmarshal([]byte(b), &e); err != nil || e.Error.Message == "" || e.Error.Code == "" {
					t.Fatalf("error answer is not the envelope with a code and a message: %.300s", b)
				}
			}
			if sc.check != nil {
				sc.check(t, b)
			}
		})
	}
}
