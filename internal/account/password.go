package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"jisheng/internal/apperr"
)

// argonParams are the argon2id costs of new hashes: 32 MiB and three passes,
// between OWASP's minimum (19 MiB, 2 passes) and RFC 9106's second
// recommendation (64 MiB, 3 passes), about a tenth of a second on the small
// machines counties run while keeping two concurrent sign-ins within the
// server's memory budget. The cost is stored in each hash, so it can be
// raised later without breaking old ones.
type argonParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

var defaultArgon = argonParams{Memory: 32 * 1024, Time: 3, Threads: 2}

// hashSlots bounds concurrent hashing: each hash holds Memory KiB, and a burst
// of logins must not push the server past its memory budget.
var hashSlots = make(chan struct{}, max(1, runtime.NumCPU()))

// HashPassword returns a PHC-format argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := defaultArgon
	key := argonKey(pw, salt, p)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func argonKey(pw string, salt []byte, p argonParams) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
}

// VerifyPassword reports whether pw matches the stored hash, in constant time.
func VerifyPassword(pw, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p argonParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	if p.Memory > 1<<20 || p.Time > 10 || p.Threads == 0 { // refuse hashes that would exhaust the server
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	if len(want) != 32 {
		return false
	}
	got := argonKey(pw, salt, p)
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a username does not exist, so that the
// answer takes as long as for a real account and does not reveal which exist.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("jisheng-no-such-user")
	return h
})

// CheckPasswordPolicy enforces the complexity level-3 protection (等保三级)
// asks for: 8 to 64 characters, three of four character classes, and not the
// username.
func CheckPasswordPolicy(pw, username, field string) error {
	n := utf8.RuneCountInString(pw)
	if n < 8 || n > 64 {
		return apperr.InvalidField(field, "密码长度应为 8 到 64 个字符")
	}
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return apperr.InvalidField(field, "密码不能包含空格或控制字符")
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return apperr.InvalidField(field, "密码应至少包含小写字母、大写字母、数字、符号中的三类")
	}
	if username != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(username)) {
		return apperr.InvalidField(field, "密码不能包含用户名")
	}
	return nil
}

// GeneratePassword returns a random password that satisfies the policy, for
// first accounts and administrator resets.
func GeneratePassword() string {
	const (
		lower  = "abcdefghijkmnpqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		sym    = "@#%+=!"
	)
	sets := []string{lower, upper, digits, sym, lower, upper, digits, lower, upper, digits, lower, digits}
	b := make([]byte, len(sets))
	for i, set := range sets {
		b[i] = set[randIndex(len(set))]
	}
	return string(b)
}

func randIndex(n int) int {
	var x [1]byte
	for {
		_, _ = rand.Read(x[:])
		if int(x[0]) < 256-256%n {
			return int(x[0]) % n
		}
	}
}
