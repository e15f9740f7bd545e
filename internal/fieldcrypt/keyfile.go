package fieldcrypt

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvKey names the environment variable that may hold the master key, for
// deployments (containers, service managers) that inject secrets that way.
const EnvKey = "JISHENG_KEY"

// keyPrefix tags the key text format, so that a future format (another key
// size, a wrapped key from a hardware module) can be told apart.
const keyPrefix = "jisheng-key-v1:"

// maxKeyFileSize bounds how much of a mistaken path (a database, a log) is
// read before refusing it.
const maxKeyFileSize = 4096

// lossWarning ends every message about a missing key: without the key the
// encrypted fields are gone, and the operator must know that before doing
// anything rash such as generating a new key.
const lossWarning = "密钥丢失后已加密的身份证号、电话无法恢复，请从备份恢复密钥文件"

// GenerateKeyFile writes a new random master key to path with mode 0600,
// creating missing directories with mode 0700. It never overwrites an
// existing file: replacing a key in use would make every encrypted value
// unreadable.
func GenerateKeyFile(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("无法创建密钥文件目录 %s: %w", dir, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("密钥文件 %s 已存在，拒绝覆盖：覆盖后用原密钥加密的数据将无法解密。如确需新密钥，请换一个文件名", path)
	}
	if err != nil {
		return fmt.Errorf("无法创建密钥文件 %s: %w", path, err)
	}
	master := make([]byte, MasterKeySize)
	if _, err := rand.Read(master); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("生成随机密钥失败: %w", err)
	}
	_, err = f.WriteString(EncodeKey(master) + "\n")
	if err == nil {
		err = f.Sync() // the key must survive a power cut right after creation
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // a half-written key file is worse than none
		return fmt.Errorf("写入密钥文件 %s 失败: %w", path, err)
	}
	return nil
}

// EncodeKey returns the text form of a master key: "jisheng-key-v1:" and the
// standard base64 of the key, as stored in a key file or JISHENG_KEY.
func EncodeKey(master []byte) string {
	return keyPrefix + base64.StdEncoding.EncodeToString(master)
}

// LoadKeyFile reads a key file written by GenerateKeyFile. It refuses a file
// that other users can read, because the key protects every ID number in
// the database and a readable key file defeats that protection.
func LoadKeyFile(path string) (*Keyring, error) {
	text, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	master, err := decodeKey(text, false)
	if err != nil {
		return nil, fmt.Errorf("密钥文件 %s 格式不正确：%s", path, err.Error())
	}
	return NewKeyring(master)
}

func readKeyFile(path string) (string, error) {
	if path == "" {
		return "", errors.New("未配置密钥：请指定密钥文件，或设置环境变量 " + EnvKey + "；" + lossWarning)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("未找到密钥文件 %s；%s", path, lossWarning)
	}
	if err != nil {
		return "", fmt.Errorf("无法打开密钥文件 %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat() // of the opened file, so it cannot be swapped in between
	if err != nil {
		return "", fmt.Errorf("无法读取密钥文件 %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("密钥文件 %s 不是普通文件", path)
	}
	if err := checkPrivate(path, info.Mode().Perm()); err != nil {
		return "", err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return "", fmt.Errorf("无法读取密钥文件 %s: %w", path, err)
	}
	if len(data) > maxKeyFileSize {
		return "", fmt.Errorf("密钥文件 %s 过大，不是 jisheng 密钥文件", path)
	}
	return string(data), nil
}

// checkPrivate refuses a key file readable or writable by group or others.
// Windows does not report POSIX permissions (every file looks like 0666),
// so there the check would refuse every file; access is left to the ACLs.
func checkPrivate(path string, perm fs.FileMode) error {
	if runtime.GOOS == "windows" || perm&0o077 == 0 {
		return nil
	}
	return fmt.Errorf("密钥文件 %s 的权限为 %04o，同组或其他用户也能访问；请执行 chmod 600 %s 后重试", path, uint32(perm), path)
}

// KeyFromEnv loads the master key from JISHENG_KEY, which holds the same
// "jisheng-key-v1:…" text as a key file, or the bare base64.
func KeyFromEnv() (*Keyring, error) {
	text := strings.TrimSpace(os.Getenv(EnvKey))
	if text == "" {
		return nil, errors.New("环境变量 " + EnvKey + " 未设置")
	}
	master, err := decodeKey(text, true)
	if err != nil {
		return nil, fmt.Errorf("环境变量 %s 格式不正确：%s", EnvKey, err.Error())
	}
	return NewKeyring(master)
}

// Load returns the keyring from JISHENG_KEY when it is set (non-blank), else
// from keyFile. The environment wins because it is how a service manager or
// container overrides a file baked into an image.
func Load(keyFile string) (*Keyring, error) {
	if strings.TrimSpace(os.Getenv(EnvKey)) != "" {
		return KeyFromEnv()
	}
	return LoadKeyFile(keyFile)
}

// decodeKey parses the text form of a master key. Messages never echo the
// text: it might be a real key with a typo.
func decodeKey(text string, allowBare bool) ([]byte, error) {
	text = strings.TrimSpace(text)
	encoded, tagged := strings.CutPrefix(text, keyPrefix)
	if !tagged && !allowBare {
		return nil, errors.New("应为一行 " + keyPrefix + "<32字节密钥的base64编码>")
	}
	master, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, errors.New("密钥不是有效的 base64 编码")
	}
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("密钥应为%d字节，实际为%d字节", MasterKeySize, len(master))
	}
	return master, nil
}
