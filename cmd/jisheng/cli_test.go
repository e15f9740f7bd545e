package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jisheng/internal/db"
	"jisheng/internal/idno"
	"jisheng/internal/registry"
)

// runCLI runs the command line in process with stdin read from the given
// file content ("" = /dev/null) and returns stdout, stderr and the error.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	in, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	if stdin != "" {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { w.WriteString(stdin); w.Close() }()
		in = r
	}
	defer in.Close()
	var out, errb bytes.Buffer
	err = run(context.Background(), &cliEnv{stdin: in, stdout: &out, stderr: &errb}, args)
	return out.String(), errb.String(), err
}

func TestInitCreatesKeyAndAdmin(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		key := filepath.Join(dir, "k", "jisheng.key")
		out, _, err := runCLI(t, "", "init", "--db", dsn, "--key-file", key, "--county", "341523")
		if err != nil {
			t.Fatalf("init: %v", err)
		}
		for _, want := range []string{"新导入区划 451 条", "用户名：admin", "初始密码：", "另行备份"} {
			if !strings.Contains(out, want) {
				t.Errorf("init output lacks %q:\n%s", want, out)
			}
		}
		st, err := os.Stat(key)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v %v", st, err)
		}
		// A second init changes nothing and creates no second admin.
		out, _, err = runCLI(t, "", "init", "--db", dsn, "--key-file", key, "--county", "341523")
		if err != nil || !strings.Contains(out, "已经初始化过") || !strings.Contains(out, "新导入区划 0 条") || strings.Contains(out, "初始密码") {
			t.Fatalf("second init: %v\n%s", err, out)
		}
		// Another key is refused: the data was encrypted with the first.
		other := filepath.Join(dir, "other.key")
		runCLI(t, "", "init", "--db", filepath.Join(dir, "scratch.db"), "--key-file", other, "--county", "341523")
		if _, _, err := runCLI(t, "", "audit", "verify", "--db", dsn, "--key-file", other); err == nil || !strings.Contains(err.Error(), "不匹配") {
			t.Fatalf("wrong key: %v", err)
		}
	})
}

func TestInitRefusesUnknownCountyWithoutCreatingFiles(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "x.db")
	for _, code := range []string{"341599", "3415", "abcdef"} {
		_, _, err := runCLI(t, "", "init", "--db", dsn, "--county", code)
		if err == nil || !strings.Contains(oneLine(err), "county") {
			t.Errorf("county %s: %v", code, err)
		}
	}
	if _, _, err := runCLI(t, "", "init", "--db", dsn); exitCode(err) != 2 {
		t.Errorf("missing --county: exit %d (%v)", exitCode(err), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("refused init left files: %v", entries)
	}
}

func TestUserAddReadsPasswordWithoutWaiting(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "j.db")
	if _, _, err := runCLI(t, "", "init", "--db", dsn, "--county", "341523"); err != nil {
		t.Fatal(err)
	}
	// Piped on standard input.
	out, _, err := runCLI(t, "Shucheng#2026\n", "user", "add", "--db", dsn, "--name", "li", "--role", "village", "--division", "341523100202")
	if err != nil || !strings.Contains(out, "已创建用户 li") {
		t.Fatalf("user add from stdin: %v %s", err, out)
	}
	// From a file.
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("Shucheng#2027\r\n"), 0o600)
	if _, _, err := runCLI(t, "", "user", "add", "--db", dsn, "--name", "zhao", "--role", "township", "--division", "341523100", "--password-file", pw); err != nil {
		t.Fatalf("user add from file: %v", err)
	}
	// Standard input that is not a terminal and holds nothing: refused at once, no prompt.
	start := time.Now()
	_, _, err = runCLI(t, "", "user", "add", "--db", dsn, "--name", "wu", "--role", "viewer", "--division", "341523")
	if err == nil || !strings.Contains(err.Error(), "未提供密码") || time.Since(start) > 5*time.Second {
		t.Fatalf("empty stdin: %v after %v", err, time.Since(start))
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--name", "wu", "--role", "boss", "--division", "341523"}, "角色"},
		{[]string{"--name", "wu", "--role", "township", "--division", "341523100001"}, "乡镇专干应绑定到乡镇"},
		{[]string{"--name", "li", "--role", "viewer", "--division", "341523"}, "已被使用"},
		{[]string{"--name", "wu", "--role", "viewer", "--division", "341522"}, "管辖范围"},
	}
	for _, b := range bad {
		_, _, err := runCLI(t, "Shucheng#2026\n", append([]string{"user", "add", "--db", dsn}, b.args...)...)
		if err == nil || !strings.Contains(oneLine(err), b.want) {
			t.Errorf("user add %v: %v, want %q", b.args, err, b.want)
		}
	}
	out, _, err = runCLI(t, "", "user", "list", "--db", dsn)
	if err != nil || !strings.Contains(out, "li") || !strings.Contains(out, "zhao") || !strings.Contains(out, "村计生专干") {
		t.Fatalf("user list: %v\n%s", err, out)
	}
}

func TestAuditVerifyNamesTheBrokenEntry(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "j.db")
	if _, _, err := runCLI(t, "", "init", "--db", dsn, "--county", "341523"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "audit", "verify", "--db", dsn)
	if err != nil || !strings.Contains(out, "审计日志完整") {
		t.Fatalf("verify intact: %v %s", err, out)
	}
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Tx(context.Background(), func(tx *db.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE audit_log SET remark = '改过' WHERE seq = 2`)
		return err
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "", "audit", "verify", "--db", dsn)
	if err == nil || exitCode(err) != 1 || !strings.Contains(out, "第 2 条") {
		t.Fatalf("verify tampered: exit %d %v\n%s", exitCode(err), err, out)
	}
	out, _, err = runCLI(t, "", "audit", "list", "--db", dsn, "--limit", "5")
	if err != nil || !strings.Contains(out, "系统初始化") {
		t.Fatalf("audit list: %v\n%s", err, out)
	}
}

func TestBackupMigrateVersion(t *testing.T) {
	engines(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		key := filepath.Join(dir, "jisheng.key")
		if _, _, err := runCLI(t, "", "init", "--db", dsn, "--key-file", key, "--county", "341523"); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "backup", "b")
		stdout, stderr, err := runCLI(t, "", "backup", "--db", dsn, "--key-file", key, "--out", out)
		if err != nil || !strings.Contains(stdout, "完整性校验") || stderr != "" {
			t.Fatalf("backup: %v\n%s\n%s", err, stdout, stderr)
		}
		if st, err := os.Stat(out); err != nil || st.Size() == 0 || st.Mode().Perm() != 0o600 {
			t.Fatalf("backup file: %v %v", st, err)
		}
		if _, _, err := runCLI(t, "", "backup", "--db", dsn, "--key-file", key, "--out", out); err == nil {
			t.Fatal("backup overwrote an existing file")
		}
		if dbtestIsSQLite(dsn) {
			// The copy is a working database with the same journal.
			stdout, _, err = runCLI(t, "", "audit", "verify", "--db", out, "--key-file", key)
			if err != nil || !strings.Contains(stdout, "审计日志完整") {
				t.Fatalf("verify backup copy: %v %s", err, stdout)
			}
		}
		stdout, _, err = runCLI(t, "", "migrate", "--db", dsn, "--status")
		if err != nil || !strings.Contains(stdout, "待执行 0 个") {
			t.Fatalf("migrate status: %v %s", err, stdout)
		}
	})
	out, _, err := runCLI(t, "", "version")
	if err != nil || !strings.HasPrefix(out, "jisheng ") {
		t.Fatalf("version: %v %q", err, out)
	}
	if _, _, err := runCLI(t, "", "nonsense"); exitCode(err) != 2 {
		t.Fatalf("unknown command exit %d", exitCode(err))
	}
	if _, _, err := runCLI(t, "", "serve", "--addr"); exitCode(err) != 2 {
		t.Fatalf("flag without value exit %d", exitCode(err))
	}
}

func dbtestIsSQLite(dsn string) bool { return !db.IsPostgresDSN(dsn) }

func TestEnvironmentDatabaseAndSM4(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "env.db")
	t.Setenv("JISHENG_DB", dsn)
	out, _, err := runCLI(t, "", "init", "--county", "341523", "--cipher", "sm4-gcm", "--audit-hash", "hmac-sm3")
	if err != nil || !strings.Contains(out, dsn) {
		t.Fatalf("init from JISHENG_DB: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "jisheng.key")); err != nil {
		t.Fatalf("key file not beside the database: %v", err)
	}
	ctx := operatorCtx(context.Background())
	a, err := openApp(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p, err := a.registry.Create(ctx, registry.PersonInput{Fields: registry.Fields{Name: "国密", IDNumber: idno.Generate("341523", "1985-05-05", 7),
		Phone: "13800138000", RegisteredDivision: "341523100001"}})
	if err != nil {
		t.Fatal(err)
	}
	var idEnc, phoneEnc []byte
	if err := a.db.Reader().QueryRow(ctx, `SELECT id_enc, phone_enc FROM persons WHERE id = ?`, p.ID).Scan(&idEnc, &phoneEnc); err != nil {
		t.Fatal(err)
	}
	if idEnc[0] != 2 || phoneEnc[0] != 2 {
		t.Fatalf("values not written with SM4-GCM: version bytes %d %d", idEnc[0], phoneEnc[0])
	}
	if s, err := a.registry.Reveal(ctx, p.ID); err != nil || s.Phone != "13800138000" {
		t.Fatalf("reveal under SM4: %+v %v", s, err)
	}
	out, _, err = runCLI(t, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "审计日志完整") {
		t.Fatalf("SM3 chain: %v %s", err, out)
	}
}
