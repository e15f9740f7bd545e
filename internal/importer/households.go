package importer

import (
	"context"
	"errors"
	"io"
	"slices"

	"jisheng/internal/db"
	"jisheng/internal/registry"
	"jisheng/internal/sheet"
)

var householdColumns = []sheet.Column{
	{Name: "户编号"},
	{Name: "户所在区划代码", Required: true},
	{Name: "地址"},
}

var householdFieldColumns = map[string]string{"hh_no": "户编号", "division": "户所在区划代码", "address": "地址"}

// households loads a household file row by row: households are a few per
// hundred persons, and each needs its number checked.
func (r *run) households(ctx context.Context) error {
	idx, err := sheet.MapHeader(r.rd.Header(), householdColumns)
	if err != nil {
		return fileError(err)
	}
	hi := r.im.registry.NewHouseholdImport(r.pr, r.im.db.Reader())
	err = r.transact(ctx, func(tx *db.Tx) error {
		for {
			row, err := r.rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fileError(err)
			}
			r.res.Rows++
			cells := slices.Clone(row.Cells)
			in := registry.HouseholdInput{HHNo: cell(cells, idx[0]), Division: cell(cells, idx[1]), Address: cell(cells, idx[2])}
			err = nil
			if row.Extra {
				err = errors.New("该行在表头以外的列中有内容，请检查是否错列")
			}
			if err == nil {
				err = hi.Add(ctx, tx, row.Line, in, !r.opt.DryRun && r.res.Invalid == 0)
			}
			if err != nil {
				r.res.addError(row.Line, cells, reason(err, householdFieldColumns))
				continue
			}
			r.res.Valid++
			r.tick()
		}
		if r.opt.DryRun || r.res.Invalid > 0 {
			return nil
		}
		return hi.Journal(ctx, tx, r.opt.FileName, r.res.Rows)
	})
	r.res.Created = hi.Inserted
	if !r.res.Applied {
		r.res.Created = 0
	}
	return err
}

func cell(cells []string, i int) string {
	if i < 0 {
		return ""
	}
	return cells[i]
}
