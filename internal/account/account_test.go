package account_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"jisheng/internal/account"
	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/db/dbtest"
	"jisheng/internal/testfix"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const goodPassword = "Shucheng#2026"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	d     *db.DB
	svc   *account.Service
	clock *clock
	j     *audit.Journal
}

func setup(t *testing.T, d *db.DB) env {
	t.Helper()
	testfix.Divisions(t, d)
	j, _ := audit.New([]byte("0123456789abcdef0123456789abcdef"), audit.AlgHMACSHA256)
	c := &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	return env{d: d, svc: account.NewService(d, j, account.DefaultConfig, c.now), clock: c, j: j}
}

func (e env) addUser(t *testing.T, ctx context.Context, name string, role auth.Role, code string) account.User {
	t.Helper()
	u, err := e.svc.CreateUser(ctx, account.NewUser{Username: name, DisplayName: "测试" + name, Role: role,
		Division: code, Password: goodPassword})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

func (e env) login(name, pw string) (string, error) {
	tok, _, err := e.svc.Login(context.Background(), account.Credentials{Username: name, Password: pw}, "127.0.0.1", "test")
	return tok, err
}

func TestPasswordPolicy(t *testing.T) {
	cases := []struct {
		pw, user string
		ok       bool
	}{
		{"Shucheng#2026", "li", true},
		{"abc123XYZ", "li", true},
		{"short1A", "li", false},
		{"alllowercase1", "li", false},
		{"ALLUPPER123", "li", false},
		{"NoDigitsHere!", "li", true},
		{"has space A1", "li", false},
		{"Zhangsan2026!", "zhangsan", false},
		{strings.Repeat("Aa1", 22), "li", false},
	}
	for _, c := range cases {
		err := account.CheckPasswordPolicy(c.pw, c.user, "password")
		if (err == nil) != c.ok {
			t.Errorf("policy(%q, %q) = %v, want ok=%v", c.pw, c.user, err, c.ok)
		}
		if err != nil && apperr.As(err).Field != "password" {
			t.Errorf("policy error does not name the field: %+v", apperr.As(err))
		}
	}
	for i := 0; i < 20; i++ {
		if err := account.CheckPasswordPolicy(account.GeneratePassword(), "admin", "p"); err != nil {
			t.Fatalf("generated password fails policy: %v", err)
		}
	}
}

func TestHashVerify(t *testing.T) {
	h, err := account.HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=32768,t=3,p=2$") {
		t.Fatalf("hash format %q", h)
	}
	if !account.VerifyPassword(goodPassword, h) || account.VerifyPassword(goodPassword+"x", h) {
		t.Fatal("verify does not tell right from wrong")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$bcrypt$x"} {
		if account.VerifyPassword(goodPassword, bad) {
			t.Fatalf("verify accepted malformed hash %q", bad)
		}
	}
}

func TestLoginLockOutAndTimeouts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		county := testfix.CLI()
		e.addUser(t, county, "li", auth.RoleVillage, testfix.VillageA1)

		tok, err := e.login("LI", goodPassword) // usernames are case-insensitive
		if err != nil {
			t.Fatalf("login: %v", err)
		}
		p, err := e.svc.Authenticate(context.Background(), tok)
		if err != nil || p.Username != "li" || p.DivisionPath != testfix.Path(testfix.VillageA1) || !p.MustChangePassword {
			t.Fatalf("authenticate: %+v %v", p, err)
		}

		// Idle timeout: 29 minutes keeps the session, 30 more minutes without a request end it.
		e.clock.add(29 * time.Minute)
		if _, err := e.svc.Authenticate(context.Background(), tok); err != nil {
			t.Fatalf("after 29 idle minutes: %v", err)
		}
		e.clock.add(30 * time.Minute)
		if _, err := e.svc.Authenticate(context.Background(), tok); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Fatalf("after idle timeout: %v, want unauthorized", err)
		}

		// Absolute timeout: active every 20 minutes, the session still ends at 12 hours.
		tok, _ = e.login("li", goodPassword)
		for i := 0; i < 35; i++ {
			e.clock.add(20 * time.Minute)
			if _, err := e.svc.Authenticate(context.Background(), tok); err != nil {
				t.Fatalf("active session ended early at %d min: %v", (i+1)*20, err)
			}
		}
		e.clock.add(20 * time.Minute)
		if _, err := e.svc.Authenticate(context.Background(), tok); apperr.CodeOf(err) != apperr.Unauthorized ||
			!strings.Contains(err.Error(), "最长时限") {
			t.Fatalf("after 12 hours: %v", err)
		}

		// Four failures are forgiven by a success; five in a row lock the account.
		for i := 0; i < 4; i++ {
			if _, err := e.login("li", "Wrong#pass1"); apperr.CodeOf(err) != apperr.Unauthorized {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		if _, err := e.login("li", goodPassword); err != nil {
			t.Fatalf("success after 4 failures: %v", err)
		}
		for i := 0; i < 4; i++ {
			e.login("li", "Wrong#pass1")
		}
		if _, err := e.login("li", "Wrong#pass1"); apperr.CodeOf(err) != apperr.Locked {
			t.Fatalf("fifth failure: %v, want locked", err)
		}
		if _, err := e.login("li", goodPassword); apperr.CodeOf(err) != apperr.Locked {
			t.Fatalf("right password while locked: %v, want locked", err)
		}
		e.clock.add(14 * time.Minute)
		if _, err := e.login("li", goodPassword); apperr.CodeOf(err) != apperr.Locked {
			t.Fatalf("after 14 minutes: %v, want still locked", err)
		}
		e.clock.add(time.Minute)
		if _, err := e.login("li", goodPassword); err != nil {
			t.Fatalf("after 15 minutes: %v", err)
		}

		// Unknown users get the same answer as wrong passwords.
		if _, err := e.login("nobody", goodPassword); apperr.CodeOf(err) != apperr.Unauthorized ||
			apperr.As(err).Message != "用户名或密码错误" {
			t.Fatalf("unknown user: %v", err)
		}
		if res, _ := e.j.Verify(context.Background(), d); !res.OK || res.Checked < 15 {
			t.Fatalf("journal after sign-ins: %+v", res)
		}
	})
}

func TestUserManagementScopeAndRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		cli := testfix.CLI()
		admin := e.addUser(t, cli, "countyadmin", auth.RoleCounty, testfix.County)
		e.addUser(t, cli, "huoqiu", auth.RoleCounty, testfix.County2)
		sys := e.addUser(t, cli, "sys", auth.RoleSysadmin, testfix.County)
		countyCtx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Username: "countyadmin",
			Role: auth.RoleCounty, DivisionCode: testfix.County, DivisionPath: testfix.Path(testfix.County)})

		tw := e.addUser(t, countyCtx, "zhang", auth.RoleTownship, testfix.TownA)
		bad := []struct {
			name  string
			in    account.NewUser
			field string
		}{
			{"other county", account.NewUser{Username: "a1", DisplayName: "甲", Role: auth.RoleVillage, Division: testfix.Village2, Password: goodPassword}, "division"},
			{"township role on village", account.NewUser{Username: "a2", DisplayName: "甲", Role: auth.RoleTownship, Division: testfix.VillageA1, Password: goodPassword}, "division"},
			{"sysadmin by county", account.NewUser{Username: "a3", DisplayName: "甲", Role: auth.RoleSysadmin, Division: testfix.County, Password: goodPassword}, "role"},
			{"duplicate username", account.NewUser{Username: "ZHANG", DisplayName: "甲", Role: auth.RoleViewer, Division: testfix.County, Password: goodPassword}, "username"},
			{"bad username", account.NewUser{Username: "张三", DisplayName: "甲", Role: auth.RoleViewer, Division: testfix.County, Password: goodPassword}, "username"},
			{"weak password", account.NewUser{Username: "a4", DisplayName: "甲", Role: auth.RoleViewer, Division: testfix.County, Password: "12345678"}, "password"},
			{"unknown role", account.NewUser{Username: "a5", DisplayName: "甲", Role: "boss", Division: testfix.County, Password: goodPassword}, "role"},
		}
		for _, b := range bad {
			_, err := e.svc.CreateUser(countyCtx, b.in)
			if ae := apperr.As(err); err == nil || ae.Field != b.field {
				t.Errorf("%s: err %v, want invalid field %q", b.name, err, b.field)
			}
		}

		items, total, err := e.svc.ListUsers(context.Background(), auth.From(countyCtx), "", 1, 20)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, u := range items {
			names[u.Username] = true
		}
		if total != 3 || !names["countyadmin"] || !names["zhang"] || !names["sys"] || names["huoqiu"] {
			t.Fatalf("county list: total %d names %v", total, names)
		}
		townCtx := testfix.Ctx(auth.RoleTownship, testfix.TownB)
		if _, err := e.svc.GetUser(townCtx, auth.From(townCtx), tw.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("user outside scope: %v, want not found", err)
		}

		upd := account.UserUpdate{DisplayName: "张乡镇", Role: auth.RoleTownship, Division: testfix.TownB, Status: account.StatusActive, Version: tw.Version}
		got, err := e.svc.UpdateUser(countyCtx, tw.ID, upd)
		if err != nil || got.Division != testfix.TownB || got.Version != tw.Version+1 {
			t.Fatalf("update: %+v %v", got, err)
		}
		if _, err := e.svc.UpdateUser(countyCtx, tw.ID, upd); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("stale update: %v, want conflict", err)
		}
		if _, err := e.svc.UpdateUser(countyCtx, sys.ID, account.UserUpdate{DisplayName: "x", Role: auth.RoleSysadmin,
			Division: testfix.County, Status: account.StatusDisabled, Version: sys.Version}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("county admin disabling sysadmin: %v, want forbidden", err)
		}
		if _, err := e.svc.UpdateUser(countyCtx, admin.ID, account.UserUpdate{DisplayName: "x", Role: auth.RoleCounty,
			Division: testfix.County, Status: account.StatusDisabled, Version: admin.Version}); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("disabling oneself: %v, want invalid", err)
		}

		// A disabled account's sessions end at once.
		tok, err := e.login("zhang", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		cur, _ := e.svc.GetUser(countyCtx, auth.From(countyCtx), tw.ID)
		if _, err := e.svc.UpdateUser(countyCtx, tw.ID, account.UserUpdate{DisplayName: cur.DisplayName, Role: cur.Role,
			Division: cur.Division, Status: account.StatusDisabled, Version: cur.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(context.Background(), tok); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Fatalf("session of disabled user: %v", err)
		}
		if _, err := e.login("zhang", goodPassword); err == nil || !strings.Contains(err.Error(), "停用") {
			t.Fatalf("login of disabled user: %v", err)
		}
	})
}

func TestPasswordChangeAndReset(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		u := e.addUser(t, testfix.CLI(), "wang", auth.RoleVillage, testfix.VillageB1)
		tok, _ := e.login("wang", goodPassword)
		other, _ := e.login("wang", goodPassword)
		p, _ := e.svc.Authenticate(context.Background(), tok)
		ctx := auth.WithPrincipal(context.Background(), p)
		if err := e.svc.ChangePassword(ctx, tok, account.PasswordChange{OldPassword: "Wrong#123x", NewPassword: "Better#2027"}); apperr.As(err).Field != "old_password" {
			t.Fatalf("wrong old password: %v", err)
		}
		if err := e.svc.ChangePassword(ctx, tok, account.PasswordChange{OldPassword: goodPassword, NewPassword: "Better#2027"}); err != nil {
			t.Fatal(err)
		}
		if p, err := e.svc.Authenticate(context.Background(), tok); err != nil || p.MustChangePassword {
			t.Fatalf("current session after change: %+v %v", p, err)
		}
		if _, err := e.svc.Authenticate(context.Background(), other); err == nil {
			t.Fatal("other session survived a password change")
		}
		if err := e.svc.ResetPassword(testfix.CLI(), u.ID, "Reset#Pass99"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(context.Background(), tok); err == nil {
			t.Fatal("session survived a reset")
		}
		tok, err := e.login("wang", "Reset#Pass99")
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := e.svc.Authenticate(context.Background(), tok); !p.MustChangePassword {
			t.Fatal("reset password does not force a change")
		}
	})
}
