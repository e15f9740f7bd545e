package fieldcrypt

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is subject to umask
		t.Fatal(err)
	}
}

func wantErrContaining(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

func TestGenerateAndLoadKeyFile(t *testing.T) {
	t.Setenv(EnvKey, "")
	path := filepath.Join(t.TempDir(), "new", "dir", "jisheng.key")
	if err := GenerateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	text := string(data)
	if !strings.HasPrefix(text, "jisheng-key-v1:") || !strings.HasSuffix(text, "\n") || strings.Count(text, "\n") != 1 {
		t.Errorf("key file content %q is not one jisheng-key-v1 line", text)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(text, "jisheng-key-v1:")))
	if err != nil || len(raw) != 32 {
		t.Errorf("key is not 32 bytes of base64: %v, %d bytes", err, len(raw))
	}
	k, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := NewKeyring(raw)
	if k.Fingerprint() != direct.Fingerprint() {
		t.Error("loaded keyring differs from the key in the file")
	}
	if k2, err := Load(path); err != nil || k2.Fingerprint() != k.Fingerprint() {
		t.Errorf("Load without %s = %v, %v", EnvKey, k2, err)
	}
}

func TestGenerateKeyFileRefusesOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jisheng.key")
	if err := GenerateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	wantErrContaining(t, GenerateKeyFile(path), "已存在", "拒绝覆盖")
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("existing key file was changed")
	}
}

func TestTwoGeneratedKeysDiffer(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.key"), filepath.Join(dir, "b.key")
	if GenerateKeyFile(a) != nil || GenerateKeyFile(b) != nil {
		t.Fatal("GenerateKeyFile failed")
	}
	ka, _ := LoadKeyFile(a)
	kb, _ := LoadKeyFile(b)
	if ka.Fingerprint() == kb.Fingerprint() {
		t.Error("two generated keys are equal")
	}
}

func TestLoadKeyFileRefusesReadableFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions on Windows")
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o606} {
		path := filepath.Join(t.TempDir(), "jisheng.key")
		writeFile(t, path, EncodeKey(testMaster())+"\n", mode)
		_, err := LoadKeyFile(path)
		wantErrContaining(t, err, "chmod 600 "+path, "权限")
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		path := filepath.Join(t.TempDir(), "jisheng.key")
		writeFile(t, path, EncodeKey(testMaster())+"\n", mode)
		if _, err := LoadKeyFile(path); err != nil {
			t.Errorf("mode %04o refused: %v", mode, err)
		}
	}
}

func TestLoadKeyFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.key")
	_, err := LoadKeyFile(path)
	wantErrContaining(t, err, "未找到密钥文件 "+path, "密钥丢失后已加密的身份证号、电话无法恢复，请从备份恢复密钥文件")
	_, err = LoadKeyFile("")
	wantErrContaining(t, err, "未配置密钥", EnvKey)
}

func TestLoadKeyFileContent(t *testing.T) {
	good := EncodeKey(testMaster())
	tests := []struct {
		name, content string
		wantErr       string // "" means accepted
	}{
		{"with newline", good + "\n", ""},
		{"with CRLF and spaces", "  " + good + " \r\n\n", ""},
		{"without newline", good, ""},
		{"bare base64 not allowed in a file", strings.TrimPrefix(good, keyPrefix), "应为一行 jisheng-key-v1:"},
		{"wrong prefix", "jisheng-key-v2:" + strings.TrimPrefix(good, keyPrefix), "应为一行 jisheng-key-v1:"},
		{"not base64", keyPrefix + "this is not base64!!", "不是有效的 base64"},
		{"short key", keyPrefix + base64.StdEncoding.EncodeToString(make([]byte, 16)), "应为32字节，实际为16字节"},
		{"empty", "", "应为一行"},
		{"too large", strings.Repeat("a", maxKeyFileSize+1), "过大"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "jisheng.key")
			writeFile(t, path, tt.content, 0o600)
			k, err := LoadKeyFile(path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if k.Fingerprint() != keyring(t, testMaster(), "").Fingerprint() {
					t.Error("wrong key loaded")
				}
				return
			}
			wantErrContaining(t, err, tt.wantErr)
			if err != nil && strings.Contains(err.Error(), strings.TrimPrefix(good, keyPrefix)) {
				t.Error("error message reveals the key")
			}
		})
	}
}

func TestLoadKeyFileRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadKeyFile(dir)
	wantErrContaining(t, err, "不是普通文件")
}

func TestEnvTakesPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jisheng.key")
	if err := GenerateKeyFile(path); err != nil {
		t.Fatal(err)
	}
	fromFile, _ := LoadKeyFile(path)
	envMaster := randomMaster(t)
	fromEnv := keyring(t, envMaster, "")

	t.Setenv(EnvKey, EncodeKey(envMaster))
	k, err := Load(path)
	if err != nil || k.Fingerprint() != fromEnv.Fingerprint() || k.Fingerprint() == fromFile.Fingerprint() {
		t.Errorf("Load with %s set did not use it: %v", EnvKey, err)
	}

	t.Setenv(EnvKey, "  "+base64.StdEncoding.EncodeToString(envMaster)+"\n") // bare base64
	if k, err := Load(path); err != nil || k.Fingerprint() != fromEnv.Fingerprint() {
		t.Errorf("bare base64 in %s: %v", EnvKey, err)
	}

	t.Setenv(EnvKey, "   ") // blank counts as unset
	if k, err := Load(path); err != nil || k.Fingerprint() != fromFile.Fingerprint() {
		t.Errorf("blank %s did not fall back to the file: %v", EnvKey, err)
	}

	// A malformed variable is an error, never a silent fall-back to the
	// file: the operator meant the variable.
	t.Setenv(EnvKey, "jisheng-key-v1:AAAA")
	_, err = Load(path)
	wantErrContaining(t, err, "环境变量 JISHENG_KEY 格式不正确", "应为32字节")

	t.Setenv(EnvKey, "")
	_, err = KeyFromEnv()
	wantErrContaining(t, err, "环境变量 JISHENG_KEY 未设置")
}
