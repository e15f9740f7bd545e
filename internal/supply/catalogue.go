package supply

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"jisheng/internal/apperr"
	"jisheng/internal/audit"
	"jisheng/internal/auth"
	"jisheng/internal/check"
	"jisheng/internal/db"
)

// Item is one entry of the catalogue (药具目录).
type Item struct {
	ID          int64  `json:"id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Method      string `json:"method"`
	MethodLabel string `json:"method_label"`
	Spec        string `json:"spec"`
	Unit        string `json:"unit"`
	LowStock    int    `json:"low_stock"` // a site holding less of the item than this is alerted; 0: never
	Active      bool   `json:"active"`
	Version     int    `json:"version"`
	UpdatedAt   string `json:"updated_at"`
	UpdatedBy   string `json:"updated_by"`
}

// ItemInput is the body of creating (version 0) or editing an item.
type ItemInput struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Method   string `json:"method"`
	Spec     string `json:"spec"`
	Unit     string `json:"unit"`
	LowStock *int   `json:"low_stock"`
	Active   *bool  `json:"active"`
	Version  int    `json:"version"`
}

// cleanItem validates an item; the method is what the item serves, so
// "none" is not one.
func cleanItem(in ItemInput) (ItemInput, error) {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name, in.Spec, in.Unit = strings.TrimSpace(in.Name), strings.TrimSpace(in.Spec), strings.TrimSpace(in.Unit)
	in.Method = strings.TrimSpace(in.Method)
	if !isCode(in.Code, 20) {
		return in, apperr.InvalidField("code", "药具编码应为不超过 20 位的字母、数字、- 或 _，如 BYT01")
	}
	if err := check.Text("name", "药具名称", in.Name, maxName, true); err != nil {
		return in, err
	}
	if !methods.Has(in.Method) || in.Method == MethodNone {
		return in, apperr.InvalidField("method", "适用避孕方法应为 "+methods[:len(methods)-1].Values())
	}
	if err := check.Text("spec", "规格", in.Spec, maxSpec, false); err != nil {
		return in, err
	}
	if err := check.Text("unit", "单位", in.Unit, maxUnit, true); err != nil {
		return in, err
	}
	if in.LowStock == nil {
		in.LowStock = new(int)
	}
	if *in.LowStock < 0 || *in.LowStock > maxQty {
		return in, apperr.InvalidField("low_stock", "低库存预警线应为 0 到 1000000 之间的整数")
	}
	if in.Active == nil {
		in.Active = new(bool)
		*in.Active = true
	}
	return in, nil
}

// countyStaff reports whether pr works at county level or above: the
// catalogue is one list for the whole county, so townships and villages
// read it but do not change it.
func countyStaff(pr *auth.Principal) bool {
	return pr != nil && pr.DivisionPath != "" && strings.Count(pr.DivisionPath, "/") <= 4
}

func errCatalogueForbidden() error {
	return apperr.New(apperr.Forbidden, "药具目录由县级管理员维护")
}

const itemCols = `i.id, i.code, i.name, i.method, i.spec, i.unit, i.low_stock, i.active, i.version, i.updated_at, i.updated_by`

func scanItem(sc scanner) (Item, error) {
	var it Item
	var active int
	err := sc.Scan(&it.ID, &it.Code, &it.Name, &it.Method, &it.Spec, &it.Unit, &it.LowStock, &active, &it.Version,
		&it.UpdatedAt, &it.UpdatedBy)
	it.Active, it.MethodLabel = active == 1, methods.Label(it.Method)
	return it, err
}

// Items lists the catalogue in code order; activeOnly leaves out retired items.
func (s *Service) Items(ctx context.Context, activeOnly bool) ([]Item, error) {
	q := `SELECT ` + itemCols + ` FROM supply_items i`
	if activeOnly {
		q += ` WHERE i.active = 1`
	}
	rows, err := s.db.Reader().Query(ctx, q+` ORDER BY i.code`)
	if err != nil {
		return nil, apperr.Wrap(err, "list items")
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "scan item")
		}
		out = append(out, it)
	}
	return out, apperr.Wrap(rows.Err(), "item rows")
}

func loadItem(ctx context.Context, c db.Conn, id int64) (Item, error) {
	it, err := scanItem(c.QueryRow(ctx, `SELECT `+itemCols+` FROM supply_items i WHERE i.id = ?`, id))
	return it, db.NotFound(err, "药具不存在")
}

// itemByCode finds an item by its code, for machine logs.
func itemByCode(ctx context.Context, c db.Conn, code string) (Item, error) {
	it, err := scanItem(c.QueryRow(ctx, `SELECT `+itemCols+` FROM supply_items i WHERE i.code = ?`, strings.ToUpper(code)))
	return it, db.NotFound(err, "药具编码 "+code+" 不在药具目录中")
}

// usableItem reads the item a move names; a missing one is a mistake in
// field, and so is a retired one unless retiredOK: retired items are no
// longer received or handed out, but what is left of them is still counted
// and sent back.
func usableItem(ctx context.Context, c db.Conn, field string, id int64, retiredOK bool) (Item, error) {
	it, err := loadItem(ctx, c, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return it, apperr.InvalidField(field, "所选药具不存在")
	}
	if err == nil && !it.Active && !retiredOK {
		return it, apperr.InvalidField(field, "药具“"+it.Name+"”已停用")
	}
	return it, err
}

// CreateItem adds an item to the catalogue.
func (s *Service) CreateItem(ctx context.Context, in ItemInput) (Item, error) {
	pr := auth.From(ctx)
	if !countyStaff(pr) {
		return Item{}, errCatalogueForbidden()
	}
	if in.Version != 0 {
		return Item{}, apperr.InvalidField("version", "新增药具时不能指定 version")
	}
	in, err := cleanItem(in)
	if err != nil {
		return Item{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		now := db.Now()
		id, err = tx.InsertID(ctx, `INSERT INTO supply_items (code, name, method, spec, unit, low_stock, active,
			created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Code, in.Name, in.Method, in.Spec, in.Unit, *in.LowStock, boolInt(*in.Active), now, pr.Username, now, pr.Username)
		if err != nil {
			return duplicateCode(err, in.Code)
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "supply.item_create", Entity: "supply_item",
			EntityID: fmt.Sprint(id), After: in})
	})
	if err != nil {
		return Item{}, err
	}
	return loadItem(ctx, s.db.Reader(), id)
}

// UpdateItem changes an item; in.Version is the version the editor read.
func (s *Service) UpdateItem(ctx context.Context, id int64, in ItemInput) (Item, error) {
	pr := auth.From(ctx)
	if !countyStaff(pr) {
		return Item{}, errCatalogueForbidden()
	}
	in, err := cleanItem(in)
	if err != nil {
		return Item{}, err
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		cur, err := loadItem(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `UPDATE supply_items SET code = ?, name = ?, method = ?, spec = ?, unit = ?, low_stock = ?,
			active = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?`,
			in.Code, in.Name, in.Method, in.Spec, in.Unit, *in.LowStock, boolInt(*in.Active), db.Now(), pr.Username, id, in.Version)
		if err != nil {
			return duplicateCode(err, in.Code)
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errStale()
		}
		return s.journal.Append(ctx, tx, audit.Entry{Action: "supply.item_update", Entity: "supply_item",
			EntityID: fmt.Sprint(id), Before: cur, After: in})
	})
	if err != nil {
		return Item{}, err
	}
	return loadItem(ctx, s.db.Reader(), id)
}

func duplicateCode(err error, code string) error {
	if db.IsUniqueViolation(err) {
		return &apperr.Error{Code: apperr.Conflict, Field: "code", Message: "药具编码 " + code + " 已存在"}
	}
	return err
}

func errStale() error {
	return apperr.New(apperr.Conflict, "该记录已被他人修改，请刷新后重试")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

type scanner interface{ Scan(...any) error }

// nullText stores "" as NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func idArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullInt64(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}
