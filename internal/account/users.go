package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/division"
)

// canAssign reports whether a manager with role m may give an account role r:
// only a system administrator creates or edits system administrators.
func canAssign(m, r auth.Role) bool {
	if r == auth.RoleSysadmin {
		return m == auth.RoleSysadmin
	}
	return m == auth.RoleSysadmin || m == auth.RoleCounty
}

// ListUsers returns one page of the accounts in p's division subtree, filtered
// by a username or display-name fragment.
func (s *Service) ListUsers(ctx context.Context, p *auth.Principal, q string, page, size int) ([]User, int, error) {
	sel := usersSelect(p, strings.TrimSpace(q))
	c := s.db.Reader()
	total, err := sel.Count(ctx, c)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "count users")
	}
	rows, err := sel.Page(ctx, c, page, size)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list users")
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "scan user")
		}
		out = append(out, u)
	}
	return out, total, apperr.Wrap(rows.Err(), "users rows")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// GetUser returns one account in p's subtree; others are not found.
func (s *Service) GetUser(ctx context.Context, p *auth.Principal, id int64) (User, error) {
	return s.scopedUser(ctx, s.db.Reader(), p, id)
}

func (s *Service) scopedUser(ctx context.Context, c db.Conn, p *auth.Principal, id int64) (User, error) {
	cond, args := db.Subtree("u.division_path", p.DivisionPath)
	u, err := scanUser(c.QueryRow(ctx, `SELECT `+userCols+` FROM `+userFrom+` WHERE u.id = ? AND `+cond,
		append([]any{id}, args...)...))
	if err != nil {
		return u, db.NotFound(err, "用户不存在")
	}
	return u, nil
}

// managedUser returns an account p may manage: in p's area and of a role p
// may assign.
func (s *Service) managedUser(ctx context.Context, tx *db.Tx, p *auth.Principal, id int64) (User, error) {
	u, err := s.scopedUser(ctx, tx.Conn, p, id)
	if err == nil && !canAssign(p.Role, u.Role) {
		err = apperr.New(apperr.Forbidden, "您无权管理该角色的用户")
	}
	return u, err
}

// placeUser checks that division code lies in p's area and suits the role,
// and returns it.
func placeUser(ctx context.Context, c db.Conn, p *auth.Principal, code string, role auth.Role) (division.Division, error) {
	d, err := division.Get(ctx, c, code)
	if err != nil || !p.Covers(d.Path) {
		return d, apperr.InvalidField("division", "所属区划不存在或不在您的管辖范围内")
	}
	return d, checkRoleLevel(role, d.Level)
}

// CreateUser adds an account in p's area.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	p := auth.From(ctx)
	if err := in.validate(); err != nil {
		return User{}, err
	}
	if !canAssign(p.Role, in.Role) {
		return User{}, apperr.InvalidField("role", "您无权创建该角色的用户")
	}
	d, err := placeUser(ctx, s.db.Reader(), p, in.Division, in.Role)
	if err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, apperr.Wrap(err, "hash")
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		now := db.Now()
		mustChange := 1
		if in.PasswordChosen {
			mustChange = 0
		}
		id, err = tx.InsertID(ctx, `INSERT INTO users (username, display_name, password_hash, role, division_code,
			division_path, status, must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Username, in.DisplayName, hash, in.Role, d.Code, d.Path, StatusActive, mustChange, now, now)
		if apperr.CodeOf(err) == apperr.Conflict {
			return apperr.InvalidField("username", "用户名 "+in.Username+" 已被使用")
		}
		if err != nil {
			return err
		}
		u := User{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, Division: d.Code, Status: StatusActive}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "user.create", Entity: "user", EntityID: fmt.Sprint(id),
			After: u.auditView()})
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, p, id)
}

// UpdateUser changes an account's name, role, division or status. Nobody
// changes their own role, division or status, so an administrator cannot lock
// themselves out by mistake.
func (s *Service) UpdateUser(ctx context.Context, id int64, in UserUpdate) (User, error) {
	p := auth.From(ctx)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if err := validateDisplayName(in.DisplayName); err != nil {
		return User{}, err
	}
	if !in.Role.Valid() {
		return User{}, apperr.InvalidField("role", "角色无效")
	}
	if in.Status != StatusActive && in.Status != StatusDisabled {
		return User{}, apperr.InvalidField("status", "状态应为 active（启用）或 disabled（停用）")
	}
	err := s.db.Tx(ctx, func(tx *db.Tx) error {
		old, err := s.scopedUser(ctx, tx.Conn, p, id)
		if err != nil {
			return err
		}
		if old.Version != in.Version {
			return apperr.New(apperr.Conflict, "该用户已被他人修改，请刷新后重试")
		}
		if !canAssign(p.Role, old.Role) || !canAssign(p.Role, in.Role) {
			return apperr.New(apperr.Forbidden, "您无权管理该角色的用户")
		}
		if id == p.UserID && (in.Role != old.Role || in.Division != old.Division || in.Status != old.Status) {
			return apperr.New(apperr.Invalid, "不能修改自己的角色、所属区划或状态")
		}
		d, err := placeUser(ctx, tx.Conn, p, in.Division, in.Role)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET display_name = ?, role = ?, division_code = ?, division_path = ?,
			status = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			in.DisplayName, in.Role, d.Code, d.Path, in.Status, db.Now(), id); err != nil {
			return err
		}
		if in.Status == StatusDisabled || in.Role != old.Role || in.Division != old.Division {
			// A changed role or area must not keep running under the old one.
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		after := User{Username: old.Username, DisplayName: in.DisplayName, Role: in.Role, Division: d.Code, Status: in.Status}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "user.update", Entity: "user", EntityID: fmt.Sprint(id),
			Before: old.auditView(), After: after.auditView()})
	})
	if err != nil {
		return User{}, err
	}
	return s.GetUser(ctx, p, id)
}

// ResetPassword sets a new password that the user must change at next
// sign-in, and ends their sessions.
func (s *Service) ResetPassword(ctx context.Context, id int64, pw string) error {
	p := auth.From(ctx)
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		u, err := s.managedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := CheckPasswordPolicy(pw, u.Username, "password"); err != nil {
			return err
		}
		hash, err := HashPassword(pw)
		if err != nil {
			return apperr.Wrap(err, "hash")
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = 1, failed_logins = 0,
			locked_until = NULL, version = version + 1, updated_at = ? WHERE id = ?`, hash, db.Now(), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "user.password_reset", Entity: "user", EntityID: fmt.Sprint(id)})
	})
}

// Unlock clears a lock-out before it expires.
func (s *Service) Unlock(ctx context.Context, id int64) error {
	p := auth.From(ctx)
	return s.db.Tx(ctx, func(tx *db.Tx) error {
		if _, err := s.managedUser(ctx, tx, p, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?`,
			db.Now(), id); err != nil {
			return err
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "user.unlock", Entity: "user", EntityID: fmt.Sprint(id)})
	})
}

// Bootstrap creates the first system administrator of a new database, bound
// to division code, and returns the generated password. It is refused once
// any account exists.
func (s *Service) Bootstrap(ctx context.Context, username, code, password string, chosen bool) (string, error) {
	var n int
	if err := s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return "", apperr.Wrap(err, "count users")
	}
	if n > 0 {
		return "", nil
	}
	if password == "" {
		password = GeneratePassword()
	}
	_, err := s.CreateUser(ctx, NewUser{Username: username, DisplayName: "系统管理员", Role: auth.RoleSysadmin,
		Division: code, Password: password, PasswordChosen: chosen})
	return password, err
}

// Officer is an active account work can be handed to.
type Officer struct {
	Username     string
	Role         auth.Role
	DivisionPath string
}

// Officer returns the active account named username, for capabilities that
// hand work to a named officer; an unknown or disabled account is not found
// (field "username").
func (s *Service) Officer(ctx context.Context, username string) (Officer, error) {
	o := Officer{Username: strings.TrimSpace(username)}
	var role string
	err := s.db.Reader().QueryRow(ctx, `SELECT role, division_path FROM users WHERE username = ? AND status = ?`,
		o.Username, StatusActive).Scan(&role, &o.DivisionPath)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return o, &apperr.Error{Code: apperr.NotFound, Field: "username", Message: "用户不存在或已停用：" + o.Username}
		}
		return o, apperr.Wrap(err, "officer")
	}
	o.Role = auth.Role(role)
	return o, nil
}

// OfficerView is an officer as a picker lists them.
type OfficerView struct {
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        auth.Role `json:"role"`
	RoleName    string    `json:"role_name"`
	Division    string    `json:"division"`
}

// OfficersFor lists the active officers in p's area whose own area covers
// the division at path: those work in a village can be handed to.
func (s *Service) OfficersFor(ctx context.Context, p *auth.Principal, path string) ([]OfficerView, error) {
	cond, args := db.Subtree("division_path", p.DivisionPath)
	rows, err := s.db.Reader().Query(ctx, `SELECT username, display_name, role, division_code FROM users
		WHERE status = ? AND role IN (?, ?, ?) AND substr(?, 1, length(division_path)) = division_path AND `+cond+`
		ORDER BY length(division_path) DESC, username`,
		append([]any{StatusActive, auth.RoleVillage, auth.RoleTownship, auth.RoleCounty, path}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "officers")
	}
	defer rows.Close()
	out := []OfficerView{}
	for rows.Next() {
		var o OfficerView
		if err := rows.Scan(&o.Username, &o.DisplayName, &o.Role, &o.Division); err != nil {
			return nil, apperr.Wrap(err, "scan officer")
		}
		o.RoleName = o.Role.Name()
		out = append(out, o)
	}
	return out, apperr.Wrap(rows.Err(), "officers")
}
