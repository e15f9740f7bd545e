// Package account manages who may use jisheng: user accounts bound to one
// division, argon2id passwords with a complexity policy, server-side
// sessions with idle and absolute timeouts, and lock-out after repeated
// failed sign-ins. Every account change and every sign-in is audited.
package account

import (
	"regexp"
	"strings"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
)

// User is an account as the user-management page shows it.
type User struct {
	ID           int64     `json:"id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	Role         auth.Role `json:"role"`
	RoleName     string    `json:"role_name"`
	Division     string    `json:"division"`
	DivisionName string    `json:"division_name"`
	Status       string    `json:"status"`
	LockedUntil  *string   `json:"locked_until"`
	LastLoginAt  *string   `json:"last_login_at"`
	Version      int       `json:"version"`

	divisionPath string
	mustChange   bool
	passwordHash string
	failedLogins int
}

// auditView is what the journal records of an account: never the password hash.
func (u User) auditView() map[string]any {
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "role": u.Role,
		"division": u.Division, "status": u.Status}
}

// Me is the signed-in user's own view, with their permissions.
type Me struct {
	ID                 int64             `json:"id"`
	Username           string            `json:"username"`
	DisplayName        string            `json:"display_name"`
	Role               auth.Role         `json:"role"`
	RoleName           string            `json:"role_name"`
	Division           DivisionRef       `json:"division"`
	Permissions        []auth.Permission `json:"permissions"`
	MustChangePassword bool              `json:"must_change_password"`
}

// DivisionRef names a division briefly.
type DivisionRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level int    `json:"level"`
}

// Account statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// NewUser is the input for creating an account.
type NewUser struct {
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        auth.Role `json:"role"`
	Division    string    `json:"division"`
	Password    string    `json:"password"`
	// PasswordChosen skips the forced change at first sign-in. Only Go
	// callers can set it (demo accounts); through the API an administrator
	// always hands out a password the user must replace.
	PasswordChosen bool `json:"-"`
}

// UserUpdate is the input for changing an account; the password changes elsewhere.
type UserUpdate struct {
	DisplayName string    `json:"display_name"`
	Role        auth.Role `json:"role"`
	Division    string    `json:"division"`
	Status      string    `json:"status"`
	Version     int       `json:"version"`
}

// PasswordChange is a user's change of their own password.
type PasswordChange struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// PasswordReset is an administrator's reset of someone's password.
type PasswordReset struct {
	Password string `json:"password"`
}

// Credentials is the sign-in request.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Config sets the session and lock-out policy.
type Config struct {
	IdleTimeout     time.Duration // a session ends after this long without a request
	AbsoluteTimeout time.Duration // and in any case this long after sign-in
	MaxFailures     int           // failed sign-ins in a row before the account locks
	LockFor         time.Duration // how long a lock lasts
	SecureCookie    bool          // set the cookie's Secure flag (behind HTTPS)
}

// DefaultConfig is the policy of level-3 protection: 30 minutes idle, 12
// hours at most, 5 failures lock for 15 minutes.
var DefaultConfig = Config{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour,
	MaxFailures: 5, LockFor: 15 * time.Minute}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{1,31}$`)

// normaliseUsername lower-cases and trims; sign-in is case-insensitive.
func normaliseUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (in *NewUser) validate() error {
	in.Username = normaliseUsername(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if !usernamePattern.MatchString(in.Username) {
		return apperr.InvalidField("username", "用户名应为 2 到 32 位小写字母、数字或 _ . -，以字母或数字开头")
	}
	if err := validateDisplayName(in.DisplayName); err != nil {
		return err
	}
	if !in.Role.Valid() {
		return apperr.InvalidField("role", "角色无效，应为 sysadmin、county、township、village 或 viewer")
	}
	if in.Division == "" {
		return apperr.InvalidField("division", "请选择所属区划")
	}
	return CheckPasswordPolicy(in.Password, in.Username, "password")
}

func validateDisplayName(s string) error {
	if s == "" || len([]rune(s)) > 50 {
		return apperr.InvalidField("display_name", "姓名不能为空，且不超过 50 个字")
	}
	return nil
}

// roleLevels says which division levels each role may be bound to: a 乡镇专干
// works for a township, a 村计生专干 for a village (or one of its groups).
var roleLevels = map[auth.Role][]int{
	auth.RoleSysadmin: {1, 2, 3},
	auth.RoleCounty:   {1, 2, 3},
	auth.RoleTownship: {4},
	auth.RoleVillage:  {5, 6},
	auth.RoleViewer:   {1, 2, 3, 4, 5},
}

func checkRoleLevel(role auth.Role, level int) error {
	for _, l := range roleLevels[role] {
		if l == level {
			return nil
		}
	}
	switch role {
	case auth.RoleTownship:
		return apperr.InvalidField("division", "乡镇专干应绑定到乡镇（街道）")
	case auth.RoleVillage:
		return apperr.InvalidField("division", "村计生专干应绑定到村（居）委会")
	case auth.RoleViewer:
		return apperr.InvalidField("division", "只读用户不能绑定到村民小组")
	}
	return apperr.InvalidField("division", role.Name()+"应绑定到县级或以上区划")
}
