package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

func init() {
	audit.RegisterActions(map[string]string{
		"user.create":         "新增用户",
		"user.update":         "修改用户",
		"user.password_reset": "重置密码",
		"user.password":       "修改本人密码",
		"user.unlock":         "解锁账户",
		"user.login":          "登录",
		"user.login_failed":   "登录失败",
		"user.locked":         "账户锁定",
		"user.logout":         "退出登录",
	})
}

// Service runs account operations, each in one transaction with its audit entry.
type Service struct {
	db      *db.DB
	journal *audit.Journal
	cfg     Config
	now     func() time.Time
}

// NewService returns an account service; now may be nil for the real clock.
func NewService(d *db.DB, j *audit.Journal, cfg Config, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, journal: j, cfg: cfg, now: now}
}

// Config returns the session policy in force.
func (s *Service) Config() Config { return s.cfg }

const userCols = `u.id, u.username, u.display_name, u.role, u.division_code, d.name, u.division_path, u.status,
	u.locked_until, u.last_login_at, u.version, u.must_change_password, u.password_hash, u.failed_logins`

const userFrom = `users u JOIN divisions d ON d.code = u.division_code`

// scanUser reads the userCols columns, then any extra destinations.
func scanUser(sc interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var locked, last sql.NullString
	var must int
	dest := []any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Division, &u.DivisionName, &u.divisionPath,
		&u.Status, &locked, &last, &u.Version, &must, &u.passwordHash, &u.failedLogins}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return u, err
	}
	u.RoleName, u.mustChange = u.Role.Name(), must != 0
	if locked.Valid {
		u.LockedUntil = &locked.String
	}
	if last.Valid {
		u.LastLoginAt = &last.String
	}
	return u, nil
}

func (s *Service) userBy(ctx context.Context, c db.Conn, cond string, arg any) (User, error) {
	u, err := scanUser(c.QueryRow(ctx, `SELECT `+userCols+` FROM `+userFrom+` WHERE `+cond, arg))
	return u, db.NotFound(err, "用户不存在")
}

// ---- sign-in and sessions ----

// SessionCookie is the name of the session cookie.
const SessionCookie = "jisheng_session"

// Login checks credentials and opens a session, returning its token. A locked
// account is refused without looking at the password, so guessing cannot go
// on while it is locked.
func (s *Service) Login(ctx context.Context, cred Credentials, ip, userAgent string) (string, Me, error) {
	name := normaliseUsername(cred.Username)
	if name == "" || cred.Password == "" {
		return "", Me{}, apperr.New(apperr.Invalid, "请输入用户名和密码")
	}
	if len(name) > 64 || len(cred.Password) > 256 {
		return "", Me{}, apperr.New(apperr.Unauthorized, "用户名或密码错误")
	}
	now := s.now()
	u, err := s.userBy(ctx, s.db.Reader(), "u.username = ?", name)
	if apperr.CodeOf(err) == apperr.NotFound {
		VerifyPassword(cred.Password, dummyHash())
		s.auditAnonymous(ctx, name, ip, "user.login_failed", "用户名不存在")
		return "", Me{}, apperr.New(apperr.Unauthorized, "用户名或密码错误")
	}
	if err != nil {
		return "", Me{}, err
	}
	actor := &auth.Principal{UserID: u.ID, Username: u.Username, Role: u.Role, DivisionCode: u.Division,
		DivisionPath: u.divisionPath, IP: ip, RequestID: ridOf(ctx)}
	actx := auth.WithPrincipal(ctx, actor)
	if until, locked := s.lockedUntil(u, now); locked {
		return "", Me{}, apperr.Newf(apperr.Locked, "密码错误次数过多，账户已锁定，请于 %s 后重试", clock(until))
	}
	if !VerifyPassword(cred.Password, u.passwordHash) {
		return "", Me{}, s.recordFailure(actx, u, now)
	}
	if u.Status != StatusActive {
		return "", Me{}, apperr.New(apperr.Unauthorized, "账户已停用，请联系管理员")
	}
	token, tokenHash := newToken()
	err = s.db.Tx(actx, func(tx *db.Tx) error {
		ts := db.FormatTime(now)
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
			ts, db.FormatTime(now.Add(-s.cfg.IdleTimeout))); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?`,
			ts, u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, tokenHash, u.ID, ts, ts, db.FormatTime(now.Add(s.cfg.AbsoluteTimeout)),
			ip, truncate(userAgent, 200)); err != nil {
			return err
		}
		return s.journal.Append(actx, tx, audit.Entry{Action: "user.login", Entity: "user", EntityID: fmt.Sprint(u.ID)})
	})
	if err != nil {
		return "", Me{}, apperr.Wrap(err, "login")
	}
	me, err := s.me(ctx, u)
	return token, me, err
}

func (s *Service) lockedUntil(u User, now time.Time) (time.Time, bool) {
	if u.LockedUntil == nil {
		return time.Time{}, false
	}
	t, err := db.ParseTime(*u.LockedUntil)
	return t, err == nil && now.Before(t)
}

// recordFailure counts a wrong password and locks the account at the limit.
func (s *Service) recordFailure(ctx context.Context, u User, now time.Time) error {
	var lockedUntil time.Time
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`,
			u.ID).Scan(&n); err != nil {
			return err
		}
		if err := s.journal.Append(ctx, tx, audit.Entry{Action: "user.login_failed", Entity: "user",
			EntityID: fmt.Sprint(u.ID), Remark: fmt.Sprintf("密码错误（连续第 %d 次）", n)}); err != nil {
			return err
		}
		if n < s.cfg.MaxFailures {
			return nil
		}
		lockedUntil = now.Add(s.cfg.LockFor)
		if _, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?`,
			db.FormatTime(lockedUntil), u.ID); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "user.locked", Entity: "user", EntityID: fmt.Sprint(u.ID),
			Remark: fmt.Sprintf("连续 %d 次密码错误，锁定至 %s", n, clock(lockedUntil))})
	})
	if err != nil {
		return apperr.Wrap(err, "record login failure")
	}
	if !lockedUntil.IsZero() {
		return apperr.Newf(apperr.Locked, "密码错误次数过多，账户已锁定，请于 %s 后重试", clock(lockedUntil))
	}
	return apperr.New(apperr.Unauthorized, "用户名或密码错误")
}

func (s *Service) auditAnonymous(ctx context.Context, username, ip, action, remark string) {
	actx := auth.WithPrincipal(ctx, &auth.Principal{Username: truncate(username, 64), IP: ip, RequestID: ridOf(ctx)})
	err := s.db.Tx(actx, func(tx *db.Tx) error {
		return s.journal.Append(actx, tx, audit.Entry{Action: action, Entity: "user", EntityID: "", Remark: remark})
	})
	if err != nil {
		// A failed audit write must not turn a wrong password into a 500; the
		// sign-in is refused either way, and the log keeps the failure.
		slog.ErrorContext(ctx, "audit of failed sign-in", "username", username, "err", err)
	}
}

// Authenticate returns the principal behind a session token, ending the
// session if it has been idle too long or reached its absolute limit.
func (s *Service) Authenticate(ctx context.Context, token string) (*auth.Principal, error) {
	if token == "" {
		return nil, apperr.New(apperr.Unauthorized, "请先登录")
	}
	th := hashToken(token)
	var lastSeen, expires string
	u, err := scanUser(s.db.Reader().QueryRow(ctx, `SELECT `+userCols+`, s.last_seen_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id JOIN divisions d ON d.code = u.division_code
		WHERE s.token_hash = ?`, th), &lastSeen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthorized, "请先登录")
	}
	if err != nil {
		return nil, apperr.Wrap(err, "authenticate")
	}
	now := s.now()
	seen, _ := db.ParseTime(lastSeen)
	exp, _ := db.ParseTime(expires)
	switch {
	case !now.Before(exp):
		s.endSession(ctx, th)
		return nil, apperr.New(apperr.Unauthorized, "登录已超过最长时限，请重新登录")
	case !now.Before(seen.Add(s.cfg.IdleTimeout)):
		s.endSession(ctx, th)
		return nil, apperr.New(apperr.Unauthorized, "长时间未操作，请重新登录")
	case u.Status != StatusActive:
		s.endSession(ctx, th)
		return nil, apperr.New(apperr.Unauthorized, "账户已停用，请联系管理员")
	}
	// Touch the session at most once a minute: on SQLite every write queues
	// behind the single writer, and a write per request would be wasted work.
	if now.Sub(seen) > time.Minute {
		_ = s.db.Tx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, db.FormatTime(now), th)
			return err
		})
	}
	return &auth.Principal{UserID: u.ID, Username: u.Username, Role: u.Role, DivisionCode: u.Division,
		DivisionPath: u.divisionPath, MustChangePassword: u.mustChange}, nil
}

func (s *Service) endSession(ctx context.Context, tokenHash string) {
	_ = s.db.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error {
	p := auth.From(ctx)
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token)); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "user.logout", Entity: "user", EntityID: fmt.Sprint(p.UserID)})
	})
}

// Me returns the signed-in user's own view.
func (s *Service) Me(ctx context.Context) (Me, error) {
	p := auth.From(ctx)
	u, err := s.userBy(ctx, s.db.Reader(), "u.id = ?", p.UserID)
	if err != nil {
		return Me{}, err
	}
	return s.me(ctx, u)
}

func (s *Service) me(ctx context.Context, u User) (Me, error) {
	d, err := division.Get(ctx, s.db.Reader(), u.Division)
	if err != nil {
		return Me{}, err
	}
	return Me{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, RoleName: u.RoleName,
		Division: DivisionRef{Code: d.Code, Name: d.Name, Level: d.Level}, Permissions: u.Role.Permissions(),
		MustChangePassword: u.mustChange}, nil
}

// ChangePassword changes the signed-in user's own password after checking the
// old one, and ends their other sessions.
func (s *Service) ChangePassword(ctx context.Context, currentToken string, in PasswordChange) error {
	p := auth.From(ctx)
	u, err := s.userBy(ctx, s.db.Reader(), "u.id = ?", p.UserID)
	if err != nil {
		return err
	}
	if !VerifyPassword(in.OldPassword, u.passwordHash) {
		return apperr.InvalidField("old_password", "原密码不正确")
	}
	if in.NewPassword == in.OldPassword {
		return apperr.InvalidField("new_password", "新密码不能与原密码相同")
	}
	if err := CheckPasswordPolicy(in.NewPassword, u.Username, "new_password"); err != nil {
		return err
	}
	hash, err := HashPassword(in.NewPassword)
	if err != nil {
		return apperr.Wrap(err, "hash")
	}
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = 0, updated_at = ?,
			version = version + 1 WHERE id = ?`, hash, db.Now(), u.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, u.ID, hashToken(currentToken)); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "user.password", Entity: "user", EntityID: fmt.Sprint(u.ID)})
	})
}

func newToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// ridOf returns the request id the HTTP layer put on the principal, if any.
func ridOf(ctx context.Context) string {
	if p := auth.From(ctx); p != nil {
		return p.RequestID
	}
	return ""
}

func clock(t time.Time) string { return t.In(audit.ChinaTime).Format("15:04") }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	for len(string(r)) > n {
		r = r[:len(r)-1]
	}
	return string(r)
}
