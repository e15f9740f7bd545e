// Package fieldcrypt encrypts sensitive fields (ID numbers, phone numbers,
// later bank accounts) before they reach the database, computes the keyed
// blind indexes that let the application find a row by an exact value
// without storing that value, and derives the other keys the application
// needs (the audit chain MAC key, a fingerprint that detects a wrong key).
//
// Everything derives from one 32-byte master key kept in a key file or the
// JISHENG_KEY environment variable, never in the database: a copy of the
// database alone reveals no ID number. Losing the key loses the data, which
// is why the messages about a missing key insist on restoring it from backup.
//
// Field values are encrypted with AES-256-GCM by default or SM4-GCM where
// commercial (国密) cryptography is required. Callers use the FieldCipher
// interface so that a hardware security module can take the Keyring's place.
package fieldcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/emmansun/gmsm/sm4"

	"jisheng/internal/apperr"
)

// FieldCipher is what storage code needs to protect a sensitive field. The
// field name (normally "table.column") binds a value to its column.
type FieldCipher interface {
	// Encrypt returns the stored form of plaintext; "" gives nil (NULL).
	Encrypt(field, plaintext string) ([]byte, error)
	// Decrypt reverses Encrypt; nil or empty gives "".
	Decrypt(field string, ciphertext []byte) (string, error)
	// BlindIndex returns a keyed digest of a normalised value for exact
	// lookups and unique constraints; "" gives "" (store NULL).
	BlindIndex(field, normalisedValue string) string
}

var _ FieldCipher = (*Keyring)(nil)

// Algorithm names a field encryption algorithm as written in configuration.
type Algorithm string

const (
	AES256GCM Algorithm = "aes-256-gcm" // the default
	SM4GCM    Algorithm = "sm4-gcm"     // GB/T 32907 SM4 in GCM mode, for 密评 deployments
)

// DefaultAlgorithm is used when configuration names none.
const DefaultAlgorithm = AES256GCM

// MasterKeySize is the length of the master key in bytes.
const MasterKeySize = 32

// The first byte of every stored value says how it was encrypted. Values
// written under either algorithm therefore coexist in one column and each
// decrypts by its own byte, so changing the setting needs no re-encryption
// of old rows. Zero is not used so that a zero-filled value is rejected.
const (
	versionAES256GCM byte = 1
	versionSM4GCM    byte = 2
)

const (
	nonceSize = 12 // the GCM standard nonce; random per value
	tagSize   = 16
)

// HKDF info strings. Each sub-key has its own so that no key is ever used
// for two purposes; changing one of them makes every existing value
// unreadable, so they are fixed for the life of the "v1" key format.
const (
	infoAES         = "jisheng/v1/field-encryption/aes-256-gcm"
	infoSM4         = "jisheng/v1/field-encryption/sm4-gcm"
	infoBlindIndex  = "jisheng/v1/blind-index/hmac-sha256"
	infoAudit       = "jisheng/v1/audit-chain-mac"
	infoFingerprint = "jisheng/v1/key-fingerprint"
)

// ErrDecrypt is returned when a stored value cannot be decrypted: the key is
// not the one it was written with, or the value was altered, truncated or
// copied from another column. Callers wrap it as an internal error.
var ErrDecrypt = errors.New("解密失败：密钥不正确，或数据已损坏、被篡改或来自其他字段")

// Keyring holds the keys derived from one master key. It is safe for
// concurrent use. The master key itself is not kept.
type Keyring struct {
	algorithm   Algorithm
	aeads       map[byte]cipher.AEAD // by version byte
	blindKey    []byte
	auditKey    []byte
	fingerprint string
}

// NewKeyring derives every sub-key from a 32-byte master key, with the
// default algorithm selected.
func NewKeyring(master []byte) (*Keyring, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("主密钥长度应为%d字节，实际为%d字节", MasterKeySize, len(master))
	}
	aesKey := derive(master, infoAES, 32)
	sm4Key := derive(master, infoSM4, 16)
	aesGCM, err := newAESGCM(aesKey)
	if err != nil {
		return nil, err
	}
	sm4GCM, err := newSM4GCM(sm4Key)
	if err != nil {
		return nil, err
	}
	return &Keyring{
		algorithm:   DefaultAlgorithm,
		aeads:       map[byte]cipher.AEAD{versionAES256GCM: aesGCM, versionSM4GCM: sm4GCM},
		blindKey:    derive(master, infoBlindIndex, 32),
		auditKey:    derive(master, infoAudit, 32),
		fingerprint: fingerprintOf(derive(master, infoFingerprint, 32)),
	}, nil
}

// derive expands the master key with HKDF-SHA256. The master key is already
// uniformly random, so no salt is needed; the info string separates uses.
func derive(master []byte, info string, length int) []byte {
	key, err := hkdf.Key(sha256.New, master, nil, info, length)
	if err != nil {
		// Only possible for lengths above 255*32 bytes: a programming error.
		panic("fieldcrypt: hkdf: " + err.Error())
	}
	return key
}

func newAESGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// newSM4GCM wraps gmsm's SM4 block (assembly-accelerated on amd64/arm64) in
// the standard library's GCM. gmsm also offers its own assembly GCM, which
// Go 1.24+ no longer picks up through cipher.NewGCM; measured on 18-byte ID
// numbers it is no faster (about 1 µs either way), so the well-tested
// standard GCM is used. TestSM4GCMVector checks the result against RFC 8998.
func newSM4GCM(key []byte) (cipher.AEAD, error) {
	block, err := sm4.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// fingerprintConstant is MACed to produce the key fingerprint.
const fingerprintConstant = "jisheng key fingerprint"

// fingerprintOf returns 16 hex characters: enough to tell keys apart at
// start-up, too short to be of any use to an attacker.
func fingerprintOf(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(fingerprintConstant))
	return hex.EncodeToString(mac.Sum(nil)[:8])
}

// Algorithm returns the algorithm new values are encrypted with.
func (k *Keyring) Algorithm() Algorithm { return k.algorithm }

// WithAlgorithm returns a keyring with the same keys that encrypts new values
// with the named algorithm ("aes-256-gcm" or "sm4-gcm"; "" means the
// default). Existing values of either algorithm still decrypt.
func (k *Keyring) WithAlgorithm(name string) (*Keyring, error) {
	alg := Algorithm(name)
	switch alg {
	case "":
		alg = DefaultAlgorithm
	case AES256GCM, SM4GCM:
	default:
		return nil, apperr.Newf(apperr.Invalid, "不支持的字段加密算法 %q（可选 %s、%s）", name, AES256GCM, SM4GCM)
	}
	c := *k
	c.algorithm = alg
	return &c, nil
}

func (k *Keyring) currentVersion() byte {
	if k.algorithm == SM4GCM {
		return versionSM4GCM
	}
	return versionAES256GCM
}

// Encrypt returns version byte ‖ random nonce ‖ GCM ciphertext and tag. The
// field name is the GCM additional data, so a value copied into another
// column (say, a phone into the ID number column) fails to decrypt instead
// of showing up in the wrong place. An empty plaintext gives nil, stored as
// NULL, so "no value" stays distinguishable and costs nothing.
func (k *Keyring) Encrypt(field, plaintext string) ([]byte, error) {
	if plaintext == "" {
		return nil, nil
	}
	version := k.currentVersion()
	aead := k.aeads[version]
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+tagSize)
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("生成随机数失败: %w", err)
	}
	return aead.Seal(out, out[1:], []byte(plaintext), []byte(field)), nil
}

// Decrypt reverses Encrypt with the algorithm named by the value's own first
// byte, whatever the current setting. Any failure wraps ErrDecrypt.
func (k *Keyring) Decrypt(field string, ciphertext []byte) (string, error) {
	if len(ciphertext) == 0 {
		return "", nil
	}
	aead, ok := k.aeads[ciphertext[0]]
	if !ok {
		return "", fmt.Errorf("字段 %s: 未知的加密格式版本 %d: %w", field, ciphertext[0], ErrDecrypt)
	}
	if len(ciphertext) < 1+nonceSize+tagSize {
		return "", fmt.Errorf("字段 %s: 密文长度不足: %w", field, ErrDecrypt)
	}
	nonce, sealed := ciphertext[1:1+nonceSize], ciphertext[1+nonceSize:]
	plain, err := aead.Open(nil, nonce, sealed, []byte(field))
	if err != nil {
		return "", fmt.Errorf("字段 %s: %w", field, ErrDecrypt)
	}
	return string(plain), nil
}

// BlindIndex returns hex(HMAC-SHA256(blind-index key, field ‖ 0x00 ‖ value))
// truncated to 16 bytes (32 hex characters): enough to make collisions
// between distinct residents negligible, short enough to index cheaply. The
// field name keeps equal values in different columns from sharing an index.
//
// The algorithm is deliberately fixed to HMAC-SHA256 and does not follow the
// encryption setting: switching to SM4 must not invalidate every stored
// index, which would break lookups and unique constraints until a rebuild.
// The caller normalises the value first (idno.Parse, NormalisePhone) so that
// "x" and "X" find the same person. An empty value gives "" so that rows
// without a value are stored as NULL and never collide in a unique index.
func (k *Keyring) BlindIndex(field, normalisedValue string) string {
	if normalisedValue == "" {
		return ""
	}
	mac := hmac.New(sha256.New, k.blindKey)
	mac.Write([]byte(field))
	mac.Write([]byte{0})
	mac.Write([]byte(normalisedValue))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// AuditKey returns the key of the audit journal's chain MAC (32 bytes). It
// returns a copy so a caller cannot alter the keyring's key.
func (k *Keyring) AuditKey() []byte { return append([]byte(nil), k.auditKey...) }

// Fingerprint identifies the master key without revealing it. It is stored in
// the database settings when the database is created and compared at every
// start, so starting with the wrong key fails at once instead of leaving
// undecryptable values and unfindable indexes behind.
func (k *Keyring) Fingerprint() string { return k.fingerprint }
