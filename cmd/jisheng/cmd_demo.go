package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"jisheng/internal/account"
	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/demo"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
)

// DemoPassword is the password of the demo accounts unless --password-file
// gives another. Demo installations hold synthetic data only.
const DemoPassword = "Jisheng@2026"

type demoOptions struct {
	initOptions
	persons  int
	seed     int64
	today    string
	progress func(done, total int)
	// focusVillage is the demo village officer's village, which gets a
	// tenth of the health-service cases.
	focusVillage string
}

type demoAccount struct {
	name, display string
	role          auth.Role
	division      string
}

func runDemo(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "demo", "demo --county 县级区划代码 --persons 人数 --seed 随机种子 [--db 数据库]")
	dsn, keyFile := dbFlags(fs)
	county := fs.String("county", "341523", "县级区划代码（6 位）")
	persons := fs.Int("persons", 20000, "生成的人口数（1–5000000）")
	seed := fs.Int64("seed", 1, "随机种子：相同的种子生成相同的数据")
	pwFile := fs.String("password-file", "", "演示账户密码所在文件；不指定则为 "+DemoPassword)
	cipher := fs.String("cipher", string(fieldcrypt.DefaultAlgorithm), "敏感字段加密算法：aes-256-gcm 或 sm4-gcm")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *persons < 1 || *persons > 5_000_000 {
		return usageError("--persons 应在 1 到 5000000 之间")
	}
	pw := DemoPassword
	if *pwFile != "" {
		var err error
		if pw, err = readPasswordFile(env, *pwFile); err != nil {
			return err
		}
	}
	bar := newProgress(env.stderr, "生成人口")
	o := demoOptions{initOptions: initOptions{dsn: *dsn, keyFile: *keyFile, county: *county, cipher: *cipher,
		auditAlg: audit.AlgHMACSHA256, admin: "admin", adminPassword: pw, passwordChosen: true},
		persons: *persons, seed: *seed, today: chinaToday(), progress: bar.update}
	res, accounts, stats, err := buildDemo(operatorCtx(ctx), o)
	bar.finish()
	if err != nil {
		return err
	}
	defer res.app.Close()
	printDemo(env, res, accounts, stats, pw)
	return nil
}

func chinaToday() string { return time.Now().In(audit.ChinaTime).Format("2006-01-02") }

// buildDemo initialises the installation, adds one demo account per role and
// generates the population.
func buildDemo(ctx context.Context, o demoOptions) (*initResult, []demoAccount, demo.Stats, error) {
	res, err := initialise(ctx, o.initOptions)
	if err != nil {
		return nil, nil, demo.Stats{}, err
	}
	if err := res.app.db.Tx(ctx, func(tx *db.Tx) error { return writeSetting(ctx, tx, settingDemo, "1") }); err != nil {
		res.app.Close()
		return nil, nil, demo.Stats{}, err
	}
	accounts, err := demoAccounts(ctx, res.app, o.county, o.adminPassword)
	if err == nil {
		o.focusVillage = villageOf(accounts)
		var stats demo.Stats
		stats, err = generatePopulation(ctx, res.app, o)
		if err == nil {
			return res, accounts, stats, nil
		}
	}
	res.app.Close()
	return nil, nil, demo.Stats{}, err
}

// demoAccounts creates one account per role in the county's first township
// and village, leaving existing ones alone.
// villageOf is the division of the demo village officer.
func villageOf(accounts []demoAccount) string {
	for _, a := range accounts {
		if a.role == auth.RoleVillage {
			return a.division
		}
	}
	return ""
}

func demoAccounts(ctx context.Context, a *app, county, pw string) ([]demoAccount, error) {
	c := a.db.Reader()
	towns, err := division.Children(ctx, c, county)
	if err != nil || len(towns) == 0 {
		return nil, fmt.Errorf("区县 %s 没有乡镇", county)
	}
	villages, err := division.Children(ctx, c, towns[0].Code)
	if err != nil || len(villages) == 0 {
		return nil, fmt.Errorf("乡镇 %s 没有村（居）委会", towns[0].Code)
	}
	accounts := []demoAccount{
		{"admin", "系统管理员", auth.RoleSysadmin, county},
		{"county", "县卫健局管理员", auth.RoleCounty, county},
		{"township", towns[0].Name + "专干", auth.RoleTownship, towns[0].Code},
		{"village", villages[0].Name + "专干", auth.RoleVillage, villages[0].Code},
		{"viewer", "县领导（只读）", auth.RoleViewer, county},
	}
	for _, acc := range accounts[1:] {
		_, err := a.accounts.CreateUser(ctx, account.NewUser{Username: acc.name, DisplayName: acc.display,
			Role: acc.role, Division: acc.division, Password: pw, PasswordChosen: true})
		if err != nil && apperr.As(err).Field != "username" { // an existing account stays as it is
			return nil, err
		}
	}
	return accounts, nil
}

func generatePopulation(ctx context.Context, a *app, o demoOptions) (demo.Stats, error) {
	stats, err := demo.Generate(ctx, a.db, a.keys, demo.Options{County: o.county, Persons: o.persons, Seed: o.seed,
		Today: o.today, Progress: o.progress})
	if err != nil {
		return stats, err
	}
	if err := a.db.Analyze(ctx); err != nil {
		return stats, err
	}
	err = a.db.Tx(ctx, func(tx *db.Tx) error {
		return a.journal.Append(ctx, tx, audit.Entry{Action: "demo.generate", Entity: "division", EntityID: o.county,
			After: stats, Remark: fmt.Sprintf("生成演示人口 %d 人（种子 %d）", stats.Persons, o.seed)})
	})
	if err != nil {
		return stats, err
	}
	// The generator writes around the registry's change hooks; the
	// data-quality findings are built for the whole county at once.
	if _, err = a.quality.Recompute(ctx, nil); err != nil {
		return stats, err
	}
	cases := min(max(o.persons/40, 1), demo.MaxServiceCases)
	stats.Services, err = demo.Services(ctx, a.db, a.health, demo.ServiceOptions{County: o.county, Today: o.today,
		Seed: o.seed, Cases: cases, Focus: o.focusVillage, FocusCases: cases / 10})
	return stats, err
}

func init() {
	audit.RegisterActions(map[string]string{"demo.generate": "生成演示数据"})
}

func printDemo(env *cliEnv, res *initResult, accounts []demoAccount, s demo.Stats, pw string) {
	w := env.stdout
	fmt.Fprintf(w, "演示县已生成：%d 人，%d 户，分布在 %d 个村（居），用时 %.1f 秒。\n", s.Persons, s.Households, s.Villages, s.Duration.Seconds())
	fmt.Fprintf(w, "健康服务个案 %d 个（随访记录 %d 条，环节 %d 条）。\n", s.Services.Cases, s.Services.Contacts, s.Services.Steps)
	if res.keyCreated {
		fmt.Fprintf(w, "字段加密密钥：%s（权限 0600）\n", res.keyFile)
	}
	fmt.Fprintf(w, "\n登录方式：打开 http://127.0.0.1:8080 ，密码均为 %s\n", pw)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "  用户名\t角色\t所属区划")
	for _, a := range accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.name, a.role.Name(), a.division)
	}
	tw.Flush()
}
