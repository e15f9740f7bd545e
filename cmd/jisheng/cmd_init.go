package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"jisheng/internal/audit"
	"jisheng/internal/db"
	"jisheng/internal/division"
	"jisheng/internal/fieldcrypt"
)

type initOptions struct {
	dsn, keyFile, county string
	cipher, auditAlg     string
	admin, adminPassword string // adminPassword "" generates one
	passwordChosen       bool   // the admin need not change the password (demo)
}

type initResult struct {
	app              *app
	keyFile          string
	keyCreated       bool
	newDivisions     int
	adminPassword    string // set when the admin account was created now
	alreadyInitiated bool
}

func runInit(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "init", "init --county 县级区划代码 [--db 数据库] [--key-file 密钥文件] [--cipher aes-256-gcm|sm4-gcm]")
	dsn, keyFile := dbFlags(fs)
	county := fs.String("county", "", "县级区划代码（6 位，国家统计局 2023 年统计用区划代码），如 341523")
	cipher := fs.String("cipher", string(fieldcrypt.DefaultAlgorithm), "敏感字段加密算法：aes-256-gcm 或 sm4-gcm（国密）")
	auditAlg := fs.String("audit-hash", audit.AlgHMACSHA256, "审计日志哈希链算法：hmac-sha256 或 hmac-sm3（国密）")
	admin := fs.String("admin", "admin", "第一个系统管理员的用户名")
	pwFile := fs.String("password-file", "", "系统管理员初始密码所在文件（- 表示标准输入）；不指定则随机生成并显示")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *county == "" {
		return usageError("请用 --county 指定县级区划代码，如 --county 341523")
	}
	pw := ""
	if *pwFile != "" {
		var err error
		if pw, err = readPasswordFile(env, *pwFile); err != nil {
			return err
		}
	}
	res, err := initialise(operatorCtx(ctx), initOptions{dsn: *dsn, keyFile: *keyFile, county: *county,
		cipher: *cipher, auditAlg: *auditAlg, admin: *admin, adminPassword: pw})
	if err != nil {
		return err
	}
	defer res.app.Close()
	printInitResult(env, res, *admin, pw == "", serveHint(*dsn, *keyFile))
	return nil
}

// initialise creates (or completes) an installation: the schema, the key
// file, the county's divisions and the first system administrator. Running it
// again on an initialised database only loads a county not yet loaded.
func initialise(ctx context.Context, o initOptions) (*initResult, error) {
	// Check the county before touching anything, so a typo creates no files.
	if _, err := division.CountyDivisions(o.county); err != nil {
		return nil, err
	}
	if _, err := (&fieldcrypt.Keyring{}).WithAlgorithm(o.cipher); err != nil {
		return nil, err
	}
	if _, err := audit.New(make([]byte, 32), o.auditAlg); err != nil {
		return nil, err
	}
	d, err := openDB(ctx, o.dsn)
	if err != nil {
		return nil, err
	}
	res := &initResult{keyFile: keyFileFor(o.dsn, o.keyFile)}
	if res.app, err = setUp(ctx, d, o, res); err != nil {
		d.Close()
		return nil, err
	}
	if res.newDivisions, err = loadCounty(ctx, res.app, o.county); err != nil {
		res.app.Close()
		return nil, err
	}
	res.adminPassword, err = res.app.accounts.Bootstrap(ctx, o.admin, o.county, o.adminPassword, o.passwordChosen)
	if err != nil {
		res.app.Close()
		return nil, err
	}
	return res, nil
}

// setUp records the key fingerprint and algorithms on a new database, creating
// the key file if there is none, and opens the app.
func setUp(ctx context.Context, d *db.DB, o initOptions, res *initResult) (*app, error) {
	settings, err := readSettings(ctx, d)
	if err != nil {
		return nil, err
	}
	if settings[settingKeyFingerprint] != "" {
		res.alreadyInitiated = true
		return assemble(ctx, d, res.keyFile, nil)
	}
	if os.Getenv(fieldcrypt.EnvKey) == "" {
		if _, err := os.Stat(res.keyFile); errors.Is(err, fs.ErrNotExist) {
			if err := fieldcrypt.GenerateKeyFile(res.keyFile); err != nil {
				return nil, err
			}
			res.keyCreated = true
		}
	}
	keys, err := fieldcrypt.Load(res.keyFile)
	if err != nil {
		return nil, err
	}
	err = d.Tx(ctx, func(tx *db.Tx) error {
		for k, v := range map[string]string{settingKeyFingerprint: keys.Fingerprint(), settingFieldCipher: o.cipher,
			settingAuditAlg: o.auditAlg} {
			if err := writeSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a, err := assemble(ctx, d, res.keyFile, nil)
	if err != nil {
		return nil, err
	}
	err = d.Tx(ctx, func(tx *db.Tx) error {
		return a.journal.Append(ctx, tx, audit.Entry{Action: "system.init", Entity: "system", EntityID: "settings",
			After: map[string]string{"field_cipher": o.cipher, "audit_alg": o.auditAlg, "key_fingerprint": keys.Fingerprint()}})
	})
	return a, err
}

func loadCounty(ctx context.Context, a *app, county string) (int, error) {
	var n int
	err := a.db.Tx(ctx, func(tx *db.Tx) error {
		var err error
		if n, err = division.LoadCounty(ctx, tx, county, ""); err != nil || n == 0 {
			return err
		}
		return a.journal.Append(ctx, tx, audit.Entry{Action: "division.load", Entity: "division", EntityID: county,
			Remark: fmt.Sprintf("导入国家统计局 2023 年区划 %d 条", n)})
	})
	return n, err
}

// serveHint is the serve command for the database and key just used.
func serveHint(dsn, keyFile string) string {
	cmd := "jisheng serve"
	if dsn != db.DefaultPath {
		cmd += " --db " + dsn
	}
	if keyFile != "" {
		cmd += " --key-file " + keyFile
	}
	return cmd
}

func printInitResult(env *cliEnv, res *initResult, admin string, generated bool, serve string) {
	w := env.stdout
	if res.alreadyInitiated {
		fmt.Fprintf(w, "数据库 %s 已经初始化过。\n", res.app.db.Describe())
	} else {
		fmt.Fprintf(w, "已初始化数据库 %s\n", res.app.db.Describe())
	}
	fmt.Fprintf(w, "新导入区划 %d 条。\n", res.newDivisions)
	if res.keyCreated {
		fmt.Fprintf(w, "\n已生成字段加密密钥文件 %s（权限 0600）。\n", res.keyFile)
		fmt.Fprintln(w, "请立即把它另行备份到安全的地方：密钥丢失后，已加密的身份证号和电话将无法恢复。")
	}
	if res.adminPassword != "" {
		fmt.Fprintf(w, "\n已创建系统管理员。登录方式：\n  运行 %s 后打开 http://127.0.0.1:8080\n  用户名：%s\n", serve, admin)
		if generated {
			fmt.Fprintf(w, "  初始密码：%s\n", res.adminPassword)
		} else {
			fmt.Fprintln(w, "  密码：您提供的密码")
		}
		fmt.Fprintln(w, "  首次登录后须修改密码。")
	}
}
