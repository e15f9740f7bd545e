package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
)

func runMigrate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "migrate", "migrate [--db 数据库] [--status] [--backed-up]")
	dsn, _ := dbFlags(fs)
	status := fs.Bool("status", false, "只显示已执行和待执行的迁移")
	backedUp := fs.Bool("backed-up", false, "确认已用 jisheng backup 备份，允许执行会改写数据的迁移")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	pending, err := d.Pending(ctx)
	if err != nil {
		return err
	}
	if *status || len(pending) == 0 {
		all, _ := d.Migrations()
		fmt.Fprintf(env.stdout, "数据库 %s：共 %d 个迁移，待执行 %d 个。\n", d.Describe(), len(all), len(pending))
		for _, m := range pending {
			fmt.Fprintf(env.stdout, "  待执行 %04d_%s\n", m.Version, m.Name)
		}
		return nil
	}
	applied, err := d.Migrate(ctx, *backedUp)
	for _, m := range applied {
		fmt.Fprintf(env.stdout, "已执行迁移 %04d_%s\n", m.Version, m.Name)
	}
	return err
}

func runBackup(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "backup", "backup [--db 数据库] [--out 备份文件]")
	dsn, keyFile := dbFlags(fs)
	out := fs.String("out", "", "备份文件路径（默认 data/backup/jisheng-日期时间.db 或 .dump）")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	if *out == "" {
		ext := ".db"
		if d.Dialect() == db.Postgres {
			ext = ".dump"
		}
		*out = filepath.Join("data", "backup", "jisheng-"+time.Now().Format("20060102-150405")+ext)
	}
	start := time.Now()
	if err := d.Backup(ctx, *out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "已备份到 %s（%.1f MB，用时 %.1f 秒），已通过完整性校验。\n", *out,
		float64(st.Size())/1e6, time.Since(start).Seconds())
	fmt.Fprintf(env.stdout, "注意：备份不含密钥文件 %s，请另行妥善保存；没有它无法读取加密的身份证号和电话。\n", keyFileFor(*dsn, *keyFile))
	recordBackup(ctx, env, d, keyFileFor(*dsn, *keyFile), *out)
	return nil
}

// recordBackup writes the backup into the audit journal when the key is at
// hand. A backup is most needed when something is wrong, so a missing key
// does not stop it; it is only reported.
func recordBackup(ctx context.Context, env *cliEnv, d *db.DB, keyFile, out string) {
	a, err := assemble(ctx, d, keyFile, nil)
	if err == nil {
		octx := operatorCtx(ctx)
		err = d.Tx(octx, func(tx *db.Tx) error {
			return a.journal.Append(octx, tx, audit.Entry{Action: "system.backup", Entity: "system", EntityID: "backup",
				Remark: "备份到 " + out})
		})
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "提示：本次备份未能记入审计日志：%s\n", oneLine(err))
	}
}

func runAudit(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		return usageError("用法：jisheng audit verify|list [参数]")
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, env, args[1:])
	case "list":
		return runAuditList(ctx, env, args[1:])
	}
	return usageError(fmt.Sprintf("未知的 audit 子命令 %q（可用 verify、list）", args[0]))
}

// errAuditBroken makes `audit verify` exit non-zero after it printed the finding.
var errAuditBroken = errors.New("审计日志校验未通过")

func runAuditVerify(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "audit verify", "audit verify [--db 数据库]")
	dsn, keyFile := dbFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.journal.Verify(ctx, a.db)
	if err != nil {
		return err
	}
	if !res.OK {
		fmt.Fprintf(env.stdout, "审计日志被改动：第一处问题在第 %d 条：%s（此前 %d 条完好）\n", res.BrokenSeq, res.Reason, res.Checked)
		return errAuditBroken
	}
	fmt.Fprintf(env.stdout, "审计日志完整：共 %d 条，链头第 %d 条，哈希 %s\n", res.Checked, res.HeadSeq, res.HeadHash)
	return nil
}

func runAuditList(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "audit list", "audit list [--user 用户名] [--entity 类型 --id 编号] [--from 日期] [--to 日期] [--limit N]")
	dsn, keyFile := dbFlags(fs)
	user := fs.String("user", "", "操作人用户名")
	entity := fs.String("entity", "", "记录类型，如 person、user")
	id := fs.String("id", "", "记录编号")
	from := fs.String("from", "", "起始日期 YYYY-MM-DD")
	to := fs.String("to", "", "截止日期 YYYY-MM-DD")
	limit := fs.Int("limit", 50, "最多显示条数（1–1000）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *limit < 1 || *limit > 1000 {
		return usageError("--limit 应在 1 到 1000 之间")
	}
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	octx := operatorCtx(ctx)
	items, total, err := audit.List(octx, a.db.Reader(), auth.From(octx), audit.Filter{User: *user, Entity: *entity,
		EntityID: *id, From: *from, To: *to, Page: 1, Size: *limit})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "序号\t时间\t操作人\t操作\t记录\t说明")
	for _, v := range items {
		t, _ := db.ParseTime(v.At)
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s/%s\t%s\n", v.Seq, t.In(audit.ChinaTime).Format("2006-01-02 15:04:05"),
			v.Username, v.ActionName, v.Entity, v.EntityID, v.Remark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "共 %d 条，显示最新 %d 条。\n", total, len(items))
	return nil
}
