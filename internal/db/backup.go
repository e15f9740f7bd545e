package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

// Backup writes a consistent copy of the database to out while it stays in
// use: VACUUM INTO for SQLite (a compact, self-contained file), pg_dump's
// custom format for PostgreSQL (restored with pg_restore). out must not exist.
// The key file is not part of the backup: keep it apart, so that a stolen
// backup cannot be decrypted.
func (d *DB) Backup(ctx context.Context, out string) error {
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("备份文件 %s 已存在，请换一个文件名", out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return fmt.Errorf("无法创建备份目录：%w", err)
	}
	if d.dialect == SQLite {
		if _, err := d.write.ExecContext(ctx, `VACUUM INTO ?`, out); err != nil {
			return fmt.Errorf("备份失败：%w", err)
		}
		return checkSQLiteCopy(ctx, out)
	}
	pgDump, err := FindPostgresBin("pg_dump")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--no-owner", "--file", out, "--dbname", d.dsn)
	if msg, err := cmd.CombinedOutput(); err != nil {
		os.Remove(out)
		return fmt.Errorf("pg_dump 失败：%v：%s", err, msg)
	}
	return os.Chmod(out, 0o600)
}

// checkSQLiteCopy opens the copy and runs SQLite's integrity check on it.
func checkSQLiteCopy(ctx context.Context, path string) error {
	if err := os.Chmod(path, 0o600); err != nil {
		return err
	}
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer c.Close()
	var res string
	if err := c.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return fmt.Errorf("备份文件校验失败：%w", err)
	}
	if res != "ok" {
		return fmt.Errorf("备份文件校验失败：%s", res)
	}
	return nil
}
