package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"jisheng/internal/account"
	"jisheng/internal/apperr"
	"jisheng/internal/appointment"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/benefit"
	"jisheng/internal/db"
	"jisheng/internal/fieldcrypt"
	"jisheng/internal/floating"
	"jisheng/internal/health"
	"jisheng/internal/quality"
	"jisheng/internal/registry"
	"jisheng/internal/supply"
)

// Settings keys written by init.
const (
	settingKeyFingerprint = "key_fingerprint"
	settingFieldCipher    = "field_cipher"
	settingAuditAlg       = "audit_alg"
	settingDemo           = "demo" // "1" in a database built by jisheng demo
)

// app is an opened installation: database, key, journal and services.
type app struct {
	db       *db.DB
	keys     *fieldcrypt.Keyring
	journal  *audit.Journal
	accounts *account.Service
	registry *registry.Service
	floating *floating.Service
	quality  *quality.Service
	health   *health.Service
	supply   *supply.Service
	appoint  *appointment.Service
	benefit  *benefit.Service

	importLimit int64 // largest upload accepted for import, bytes; 0 means the default
}

// dbFlagDefault is --db's default: JISHENG_DB, else data/jisheng.db.
func dbFlagDefault() string {
	if v := os.Getenv("JISHENG_DB"); v != "" {
		return v
	}
	return db.DefaultPath
}

// keyFileFor returns where the key file of dsn lives unless --key-file or
// JISHENG_KEY_FILE says otherwise: beside a SQLite file, or data/jisheng.key
// for PostgreSQL.
func keyFileFor(dsn, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := os.Getenv("JISHENG_KEY_FILE"); v != "" {
		return v
	}
	if db.IsPostgresDSN(dsn) {
		return filepath.Join(filepath.Dir(db.DefaultPath), "jisheng.key")
	}
	return filepath.Join(filepath.Dir(dsn), "jisheng.key")
}

// openDB opens and migrates the database. Destructive migrations wait for
// `jisheng migrate --backed-up`.
func openDB(ctx context.Context, dsn string) (*db.DB, error) {
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx, false); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// openApp opens an initialised installation and checks that the key is the
// one its data was encrypted with.
func openApp(ctx context.Context, dsn, keyFlag string) (*app, error) {
	return openAppAt(ctx, dsn, keyFlag, nil)
}

// openAppAt is openApp with the clock of the services that judge dates
// (nil for the real one): a demonstration database may be served some days
// ahead, to train officers on deadlines and posting windows.
func openAppAt(ctx context.Context, dsn, keyFlag string, clock func() time.Time) (*app, error) {
	d, err := openDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	a, err := assemble(ctx, d, keyFileFor(dsn, keyFlag), clock)
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func assemble(ctx context.Context, d *db.DB, keyFile string, clock func() time.Time) (*app, error) {
	settings, err := readSettings(ctx, d)
	if err != nil {
		return nil, err
	}
	if settings[settingKeyFingerprint] == "" {
		return nil, fmt.Errorf("数据库 %s 尚未初始化：请先运行 jisheng init --county 县级区划代码", d.Describe())
	}
	keys, err := fieldcrypt.Load(keyFile)
	if err != nil {
		return nil, err
	}
	if keys.Fingerprint() != settings[settingKeyFingerprint] {
		return nil, fmt.Errorf("密钥文件 %s 与数据库不匹配：数据是用另一把密钥加密的。请使用初始化时生成的密钥文件（或设置 JISHENG_KEY）", keyFile)
	}
	if keys, err = keys.WithAlgorithm(settings[settingFieldCipher]); err != nil {
		return nil, err
	}
	j, err := audit.New(keys.AuditKey(), settings[settingAuditAlg])
	if err != nil {
		return nil, err
	}
	a := &app{db: d, keys: keys, journal: j,
		accounts: account.NewService(d, j, account.DefaultConfig, nil),
		registry: registry.NewService(d, j, keys, clock),
		floating: floating.NewService(d, j, keys, clock),
		quality:  quality.NewService(d, j, keys, clock),
		health:   health.NewService(d, j, keys, clock),
		supply:   supply.NewService(d, j, keys, clock),
		appoint:  appointment.NewService(d, j, keys, clock),
		benefit:  benefit.NewService(d, j, keys, clock)}
	a.health.OnStep(a.procedureSetsMethod)
	a.health.SetOfficers(func(ctx context.Context, name string) (health.Officer, error) {
		o, err := a.accounts.Officer(ctx, name)
		return health.Officer{Username: o.Username, Role: o.Role, DivisionPath: o.DivisionPath}, err
	})
	// Data-quality findings appear and clear in the transaction of the change.
	a.registry.OnChange(a.quality.OnRegistryChange)
	// "out" entries of the floating register follow their person's registered village.
	a.registry.OnChange(func(ctx context.Context, tx *db.Tx, ch registry.Changed) error {
		return a.floating.PersonsChanged(ctx, tx, ch.Persons)
	})
	return a, nil
}

func readSettings(ctx context.Context, d *db.DB) (map[string]string, error) {
	rows, err := d.Reader().Query(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

func writeSetting(ctx context.Context, tx *db.Tx, key, value string) error {
	_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (a *app) Close() error {
	if a == nil {
		return nil
	}
	return a.db.Close()
}

// operatorCtx returns ctx acting as the person at the command line.
func operatorCtx(ctx context.Context) context.Context {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return auth.WithPrincipal(ctx, auth.Operator(name))
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// procedureSetsMethod records, in the transaction of a recorded procedure,
// the contraceptive method the procedure leaves its person with. A method
// chosen after the procedure's date stays: the register refuses an older
// start, and that refusal must not undo the procedure's record.
func (a *app) procedureSetsMethod(ctx context.Context, tx *db.Tx, c health.Case, step health.StepRec) error {
	if c.Program != health.PostOp || step.Stage != "procedure" {
		return nil
	}
	method := health.ProcedureMethod(step.Code)
	if method == "" {
		return nil
	}
	err := a.supply.RecordMethod(ctx, tx, supply.MethodInput{PersonID: c.PersonID, Method: method, Since: step.Date,
		Source: supply.SourceProcedure, Note: fmt.Sprintf("术后随访个案 %d", c.ID)})
	if e := apperr.As(err); e != nil && e.Code == apperr.Invalid && e.Field == "since" {
		return nil
	}
	return err
}
