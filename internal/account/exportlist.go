package account

import (
	"context"
	"math"
	"net/http"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/httpx"
	"jisheng/internal/sheet"
)

func init() {
	audit.RegisterActions(map[string]string{"user.export": "导出用户名单"})
}

var userExportHeader = []string{"用户名", "姓名", "角色", "所属区划代码", "所属区划", "状态", "锁定至", "最近登录"}

var statusNames = map[string]string{StatusActive: "启用", StatusDisabled: "停用"}

// ExportUsers prepares the download of every account the user list under q
// shows p, in the list's order, journaled with the filter and row count.
// Password hashes never leave: the row is built from the list's view.
func (s *Service) ExportUsers(ctx context.Context, p *auth.Principal, q string, format sheet.Format) sheet.Export {
	q = strings.TrimSpace(q)
	sel := usersSelect(p, q)
	return sheet.Export{
		Format: format, Name: sheet.ExportName("用户", p.DivisionCode, s.now()), Sheet: "用户", Header: userExportHeader,
		Rows: func(write func([]string) error) error { return exportUsers(ctx, s.db.Reader(), sel, write) },
		Done: s.journal.ExportJournaled(ctx, s.db, "user.export", "user", map[string]string{"q": q}, format),
	}
}

// usersSelect selects the accounts of p's subtree matching q, as ListUsers does.
func usersSelect(p *auth.Principal, q string) db.Select {
	sel := db.Select{Cols: userCols, From: userFrom, OrderBy: "u.division_path, u.username"}
	cond, args := db.Subtree("u.division_path", p.DivisionPath)
	sel.Where(cond, args...)
	if q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		sel.Where(`(u.username LIKE ? ESCAPE '\' OR u.display_name LIKE ? ESCAPE '\')`, like, like)
	}
	return sel
}

func exportUsers(ctx context.Context, c db.Conn, sel db.Select, write func([]string) error) error {
	rows, err := sel.PageAt(ctx, c, 0, math.MaxInt64)
	if err != nil {
		return apperr.Wrap(err, "export users")
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return apperr.Wrap(err, "scan user")
		}
		status := statusNames[u.Status]
		if status == "" {
			status = u.Status
		}
		if err := write([]string{u.Username, u.DisplayName, u.RoleName, u.Division, u.DivisionName, status,
			localTime(u.LockedUntil), localTime(u.LastLoginAt)}); err != nil {
			return err
		}
	}
	return apperr.Wrap(rows.Err(), "users rows")
}

// localTime shows a stored instant in China time; nil is an empty cell.
func localTime(at *string) string {
	if at == nil {
		return ""
	}
	t, err := db.ParseTime(*at)
	if err != nil {
		return *at
	}
	return t.In(audit.ChinaTime).Format("2006-01-02 15:04")
}

// ExportUsers answers the user list under the list's filter as a file (format=xlsx|csv).
func (h *Handlers) ExportUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format, err := sheet.ParseFormat(q.Get("format"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	ctx := r.Context()
	sheet.Download(w, r, h.svc.ExportUsers(ctx, auth.From(ctx), q.Get("q"), format))
}
