package audit

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"jisheng/internal/apperr"
	"jisheng/internal/auth"
	"jisheng/internal/db"
	"jisheng/internal/httpx"
	"jisheng/internal/sheet"
)

func init() {
	RegisterActions(map[string]string{"audit.export": "导出审计日志"})
}

// ExportJournaled returns the sheet.Export Done hook of a list export: it
// appends one entry naming the list's filters (callers mask ID numbers in
// them), the format and the number of rows, in a transaction of its own.
// Reading a list changes nothing, but taking a whole list out of the system
// is an act an auditor must be able to find, masked or not.
func (j *Journal) ExportJournaled(ctx context.Context, d *db.DB, action, entity string, filters map[string]string, f sheet.Format) func(rows int) error {
	kept := map[string]string{}
	for k, v := range filters {
		if v != "" {
			kept[k] = v
		}
	}
	return func(rows int) error {
		return d.Tx(ctx, func(tx *db.Tx) error {
			return j.Append(ctx, tx, Entry{Action: action, Entity: entity,
				After:  map[string]any{"filters": kept, "format": f, "rows": rows},
				Remark: fmt.Sprintf("导出 %d 行（%s）", rows, f)})
		})
	}
}

var (
	entityMu    sync.RWMutex
	entityNames = map[string]string{}
)

// RegisterEntities gives Chinese names to the kinds of record entries name
// (the registry owns that enumeration), for the journal's downloads.
func RegisterEntities(names map[string]string) {
	entityMu.Lock()
	defer entityMu.Unlock()
	for k, v := range names {
		entityNames[k] = v
	}
}

// EntityName returns the Chinese name of an entity kind, or the kind itself.
func EntityName(entity string) string {
	entityMu.RLock()
	defer entityMu.RUnlock()
	if n, ok := entityNames[entity]; ok {
		return n
	}
	return entity
}

// exportHeader is the journal's columns in a download.
var exportHeader = []string{"序号", "时间", "用户", "角色", "用户所属区划", "操作", "对象", "对象编号", "修改前", "修改后", "备注", "IP 地址"}

// Export answers, as .xlsx or .csv (format=), every journal entry the caller
// may see under the list page's filters, newest first.
func (h *Handlers) Export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format, err := sheet.ParseFormat(q.Get("format"))
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	f := Filter{User: q.Get("user"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action"),
		From: q.Get("from"), To: q.Get("to")}
	ctx := r.Context()
	p := auth.From(ctx)
	sel, err := exportSelect(p, f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	filters := map[string]string{"user": f.User, "entity": f.Entity, "entity_id": f.EntityID, "action": f.Action,
		"from": f.From, "to": f.To}
	sheet.Download(w, r, sheet.Export{Format: format, Name: sheet.ExportName("审计日志", p.DivisionCode, time.Now()),
		Sheet: "审计日志", Header: exportHeader,
		Rows: func(write func([]string) error) error { return exportEntries(ctx, h.db.Reader(), sel, write) },
		Done: h.journal.ExportJournaled(ctx, h.db, "audit.export", "system", filters, format)})
}

// exportSelect is the query of the journal for p and f, without paging,
// shared by List and the export: the caller's subtree (all of it for the
// system administrator) and the filters.
func exportSelect(p *auth.Principal, f Filter) (db.Select, error) {
	s := db.Select{
		Cols: `seq, at, username, role, division_code, action, entity, entity_id, before_json, after_json, remark, ip`,
		From: "audit_log", OrderBy: "seq DESC",
	}
	if p.Role != auth.RoleSysadmin {
		cond, a := db.Subtree("division_path", p.DivisionPath)
		s.Where(cond, a...)
	}
	for _, eq := range []struct{ col, v string }{{"username", f.User}, {"entity", f.Entity}, {"entity_id", f.EntityID}, {"action", f.Action}} {
		if eq.v != "" {
			s.Where(eq.col+" = ?", eq.v)
		}
	}
	for _, d := range []struct {
		field, label, v, op string
		days                int
	}{{"from", "开始日期", f.From, ">=", 0}, {"to", "结束日期", f.To, "<", 1}} {
		if d.v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.v, ChinaTime)
		if err != nil {
			return s, apperr.InvalidField(d.field, d.label+"格式应为 YYYY-MM-DD")
		}
		s.Where("at "+d.op+" ?", db.FormatTime(t.AddDate(0, 0, d.days)))
	}
	return s, nil
}

// exportEntries writes every entry of sel, read through one cursor: the
// journal is sorted once, not once per page.
func exportEntries(ctx context.Context, c db.Conn, sel db.Select, write func([]string) error) error {
	rows, err := sel.PageAt(ctx, c, 0, math.MaxInt64)
	if err != nil {
		return apperr.Wrap(err, "audit export")
	}
	defer rows.Close()
	cells := make([]string, len(exportHeader))
	for rows.Next() {
		var v View
		var before, after sql.NullString
		if err := rows.Scan(&v.Seq, &v.At, &v.Username, &v.Role, &v.DivisionCode, &v.Action, &v.Entity,
			&v.EntityID, &before, &after, &v.Remark, &v.IP); err != nil {
			return apperr.Wrap(err, "audit export scan")
		}
		role := auth.Role(v.Role).Name()
		if role == "" {
			role = v.Role
		}
		cells = append(cells[:0], fmt.Sprint(v.Seq), localTime(v.At), v.Username, role, v.DivisionCode,
			ActionName(v.Action), EntityName(v.Entity), v.EntityID, before.String, after.String, v.Remark, v.IP)
		if err := write(cells); err != nil {
			return err
		}
	}
	return apperr.Wrap(rows.Err(), "audit export rows")
}

// localTime shows a stored instant in China time, as officers read it.
func localTime(at string) string {
	t, err := db.ParseTime(at)
	if err != nil {
		return at
	}
	return t.In(ChinaTime).Format("2006-01-02 15:04:05")
}
